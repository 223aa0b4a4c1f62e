resource "terraform_data" "one" {
  input = { from = "override", also = terraform_data.many[0].output }
}

resource "terraform_data" "many" {
  count = 3
}

resource "terraform_data" "keyed" {
  for_each = toset(["p", "q"])
  input    = "${each.key}!"
  lifecycle {
    prevent_destroy = false
  }
}

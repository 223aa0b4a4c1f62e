resource "terraform_data" "a" {
  count = 4e18
}

resource "terraform_data" "b" {
  for_each = toset([for i in range(3) : tostring(i)])
  input    = each.key
}

variable "n" {
  default = 1
}

resource "terraform_data" "one" {
  input            = "base"
  triggers_replace = ["t"]
}

resource "terraform_data" "many" {
  count = var.n
  input = "base ${count.index}"
}

resource "terraform_data" "keyed" {
  for_each = toset(["x"])
  input    = each.key
  lifecycle {
    create_before_destroy = true
  }
}

output "one" {
  value = terraform_data.one.output
}

output "many" {
  value = terraform_data.many[*].output
}

output "keyed" {
  value = { for k, v in terraform_data.keyed : k => v.output }
}

locals {
  here = "here"
}

resource "terraform_data" "a" {
  input            = local.here
  triggers_replace = [local.missing_a]
}

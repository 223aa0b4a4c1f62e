locals {
  suffix = "x"
}

resource "terraform_data" "t" {
  input = = 1
}

terraform {
  required_version = ">= 9.0"
}

resource "terraform_data" "a" {}

variable "v" {
  default = 1
}

resource "terraform_data" "a" {
}

resource "terraform_data" "b" {
}

output "o" {
  value = var.v
}

terraform {
  backend "local" {
    path = "a.tfstate"
  }
}

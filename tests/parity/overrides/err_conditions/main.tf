variable "v" {
  default = 1
}

resource "terraform_data" "r" {
}

output "o" {
  value = var.v
}

variable "token" {
  default = "x"
}

output "token" {
  value = var.token
}

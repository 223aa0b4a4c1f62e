variable "token" {
  default = "t0ken"
}

output "token" {
  value = var.token
}

output "plain" {
  value = "p"
}

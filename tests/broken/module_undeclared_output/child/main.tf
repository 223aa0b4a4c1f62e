variable "name" {
  type = string
}

output "full" {
  value = var.name
}

variable "name" {
  type = string
}

output "label" {
  value = "small ${var.name}"
}

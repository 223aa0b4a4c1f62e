variable "name" {
  type = string
}

variable "size" {
  default = 10
}

output "label" {
  value = "big ${var.name} ${var.size}"
}

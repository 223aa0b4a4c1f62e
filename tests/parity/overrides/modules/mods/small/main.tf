variable "name" {
  type = string
}

variable "size" {
  default = 1
}

output "label" {
  value = "small ${var.name} ${var.size}"
}

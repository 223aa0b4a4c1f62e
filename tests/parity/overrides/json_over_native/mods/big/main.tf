variable "name" {
  type = string
}

variable "size" {
  type    = number
  default = 1
}

output "label" {
  value = "big ${var.name} ${var.size}"
}

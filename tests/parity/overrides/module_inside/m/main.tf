variable "x" {
  type = string
}

locals {
  shout = upper(var.x)
}

output "out" {
  value = "m says ${var.x}"
}

variable "name" {
  type = string
}

variable "index" {
  type    = number
  default = 0
}

locals {
  full = "${var.name}-${var.index}"
}

output "full" {
  value = local.full
}

output "path_is_child" {
  value = endswith(path.module, "child")
}

variable "prefix" {
  type = string
}

output "out" {
  value = "${var.prefix}/native"
}

variable "s" {
  default   = "x"
  sensitive = true
}

output "leak" {
  value = var.s
}

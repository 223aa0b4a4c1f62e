variable "plain" {
  type = string
}

variable "eph" {
  type      = string
  ephemeral = true
}

output "back" {
  value     = var.eph
  ephemeral = true
}

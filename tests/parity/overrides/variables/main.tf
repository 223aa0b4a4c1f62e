variable "port" {
  type    = string
  default = "8080"
}

variable "names" {
  type    = list(string)
  default = ["a", "b"]
}

variable "region" {
  default     = "westeurope"
  description = "where"
}

variable "maybe" {
  type     = string
  default  = "x"
  nullable = true
}

output "port" {
  value = var.port
}

output "names" {
  value = var.names
}

output "region" {
  value = var.region
}

output "maybe" {
  value = var.maybe == null ? "null" : var.maybe
}

variable "port" {
  type    = string
  default = "8080"
}

variable "names" {
  type    = list(string)
  default = ["a", "b"]
}

locals {
  a = "base a"
  b = "base b"
}

resource "terraform_data" "one" {
  input            = "base"
  triggers_replace = ["t"]
}

resource "terraform_data" "many" {
  count = 1
  input = "base ${count.index}"
}

module "m" {
  source = "./mods/small"
  name   = "base"
}

output "port" {
  value = var.port
}

output "names" {
  value = var.names
}

output "locals" {
  value = [local.a, local.b]
}

output "one" {
  value = terraform_data.one.output
}

output "many" {
  value = terraform_data.many[*].output
}

output "m" {
  value = module.m.label
}

output "secret" {
  value       = "s3cret"
  description = "kept"
}

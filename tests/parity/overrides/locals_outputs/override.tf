locals {
  c = "override c"
}

output "a" {
  description = ""
}

output "b" {
  value = upper(local.b)
}

output "secret" {
  sensitive = true
}

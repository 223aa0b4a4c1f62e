locals {
  a = "base a"
  b = "base b"
  c = "base c"
}

output "a" {
  value       = local.a
  description = "the a"
}

output "b" {
  value = local.b
}

output "c" {
  value = local.c
}

output "secret" {
  value     = "s3cret"
  sensitive = false
}

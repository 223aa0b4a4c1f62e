variable "token" {
  sensitive = true
}

output "token" {
  sensitive = true
}

output "plain" {
  sensitive = true
}

resource "terraform_data" "r" {
}

output "o" {
  value = 1
}

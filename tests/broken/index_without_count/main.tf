resource "terraform_data" "a" {}

resource "terraform_data" "b" {
  count = 12
  input = terraform_data.a[count.index].id
}

resource "terraform_data" "c" {
  count = 3
  input = terraform_data.a[count.index].output
}

resource "terraform_data" "f" {
  for_each = toset(["x", "y"])
}

output "first" {
  value = terraform_data.f[0].id
}

resource "terraform_data" "b" {
  input = local.missing_d
}

resource "terraform_data" "b" {
  input      = "x"
  depends_on = [terraform_data.a]
}

module "m" {
  depends_on = [terraform_data.a]
}

output "o" {
  depends_on = [module.m]
}

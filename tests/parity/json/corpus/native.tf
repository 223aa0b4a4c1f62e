module "jsonmod" {
  source = "./modules/jsonmod"
  words  = ["x", local.greeting]
}

output "native_file" {
  value = "${local.sum}-${var.name}"
}

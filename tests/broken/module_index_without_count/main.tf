module "m" {
  source = "./child"
}

output "x" {
  value = module.m[0].x
}

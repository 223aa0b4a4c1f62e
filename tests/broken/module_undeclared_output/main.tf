module "m" {
  source = "./child"
  name   = "x"
}

output "o" {
  value = module.m.nope
}

module "a" {
  source = "./nowhere"
  x      = "base"
}

output "a" {
  value = module.a.out
}

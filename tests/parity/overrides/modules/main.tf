module "a" {
  source = "./mods/small"
  name   = "a"
}

module "b" {
  source = "./mods/small"
  name   = "b"
  size   = 2
}

output "a" {
  value = module.a[*].label
}

output "b" {
  value = module.b.label
}

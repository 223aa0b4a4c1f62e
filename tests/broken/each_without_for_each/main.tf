module "m" {
  source = "./child"
  name   = each.key
}

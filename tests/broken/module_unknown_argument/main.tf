module "m" {
  source = "./child"
  name   = "x"
  extra  = 1
}

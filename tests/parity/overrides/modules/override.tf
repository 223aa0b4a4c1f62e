module "a" {
  count = 2
  name  = "a-over"
}

module "b" {
  source = "./mods/big"
}

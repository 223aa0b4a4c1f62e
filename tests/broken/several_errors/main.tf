locals {
  a = var.one
  b = local.two
  c = 1 / 0
}

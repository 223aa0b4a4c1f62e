locals {
  n = null
  a = local.n.x
}

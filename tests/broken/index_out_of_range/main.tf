locals {
  l = [1, 2]
  a = local.l[5]
}

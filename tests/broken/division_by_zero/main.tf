locals {
  zero = 0
  a    = 10 / local.zero
}

locals {
  a = var.nope
}

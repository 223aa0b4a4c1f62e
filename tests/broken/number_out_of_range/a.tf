locals {
  ok  = 1.5e308
  big = 1e309
}

locals {
  a = substr("hello", "x", 1)
}

locals {
  a = "z_override a"
}

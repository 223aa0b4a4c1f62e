locals {
  a = nosuch(1)
}

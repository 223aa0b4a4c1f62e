a   = 1 // c
bbb = 2 # d
# x
locals {
  x = 1
}

locals {
  a = 1+2
  b = {a=1,bb=2}
  c = [1,2,3]
  d = var.x*2-1
  e = !true
  f = -1
  g = a==b&&c!=d||e
  h = x ? 1:2
  i = [for x in y: x*2]
  j = {for k,v in m: k=>v}
  k = f(1,2)
  l = "${a+1}"
  m = a>=b
  n = [ 1 , 2 ]
  o = { "x" = 1 }
  p = a.b[0].c
  q = -a
  r = a%2
}
provider "azurerm" {
  features {}
}
resource "x" "y" {
  tags = {a="b"}
}

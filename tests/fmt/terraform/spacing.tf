resource "foo" "bar" {
  a  = 1 + 2
  bb = { a = 1, bb = 2 }
  c  = [1, 2, 3]
  d  = var.x
  e  = "${var.x}-x"
  f  = -1
  g  = 1 - -2
  h  = a[0].b
  l  = <<-EOT
      hello ${var.x}   
    EOT
  m  = <<EOT
x
  EOT
  features {}
  empty {}
  n  = [for x in [1, 2] : x * 2]
  o  = { for k, v in m : k => v... }
  p  = x ? 1 : 2 # trailing   
  qq = f(1, 2)   // c2
  r  = !true
  s  = a.*.b
  t  = a[*].b
  u  = "%{if true}x%{endif}"
}
variable "v" {
  type = list(string)
}
variable "w" {
  type = map(any)
}
# comment with trailing spaces   	
locals {
  tab = 1
  x   = foo
  y = (1
  + 2)
}

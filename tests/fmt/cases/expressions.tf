locals {
  a = var.x ? (
    1
  ) : 2
  b = jsonencode(<<EOT
{"a":1}
EOT
  )
  c = {a: 1, "b": 2}
  d = [
    # lead comment
    1, # one
    22, # twenty-two
    /* block */ 3,
  ]
  e = {
    for k, v in var.m :
    k => v
    if v != null
  }
  f = <<-EOF
    x ${var.y} %{if true}yes%{else}no%{endif}
    EOF
  g = "\"${var.a}\""
  h = "${var.a}" # interp
  i = "${
    var.a ? 1 : 2
  }"
  j = "${var.a ? "x" : "y"}"
  k = format("%s", "${var.q}")
  l = [for s in var.list : upper(s)]
  m = (var.a)
  n = try(var.a, null) == null ? "" : var.a
  o = var.a[0] [1]
  p = 2*-3
  q = -var.a
  r = a < b && c >= d || !e
  s = {}
  t = []

}
/*
 multi-line
*/
dynamic "x" {
  for_each = var.y
  content {
    a = x.value
  }
}
resource "a" "b" {
  count=2
  tags={env="p",  team = "x"}
  lifecycle { ignore_changes = [tags] }
}

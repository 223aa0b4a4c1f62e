locals {
  a = {
    b = 1
    cc = [
      1,
    2]
  }
  c = a /* x */ + 1
  d = core::max(1,2)
  e = [ -1, - 1, x-1, x - -1, (-1), !x, ! x, x ? -1 : -2 ]
  f = "${a}${b}"
  g = "${f("${x}")}"
  h = "${ {a=1} }"
  i = <<EOT
  ${ x }  %{ for v in y ~}  ${v}
  %{~ endfor }
EOT
  k = [for i, v in x : v if v != null]
  l = x.y[0]["z"]
  m = 1e3 + 2.5
  n = var.v ["a"]
  o = "a\"b${x}"
  p = "$${lit} %%{lit}"
  big = 1e309
}
resource aa bb { x = 1 }
block "a" b {
}

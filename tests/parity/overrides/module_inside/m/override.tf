locals {
  shout = "${upper(var.x)}!"
}

output "out" {
  value = local.shout
}

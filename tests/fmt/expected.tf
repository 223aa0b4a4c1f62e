# Leading comment stays.
variable "region" {
  type    = string
  default = "eastus" # trailing comment
}

/* a block
   comment */
resource "terraform_data" "a" {
  input = {
    name        = "x"
    longer_name = "y"
    nested = [
      1,
      2,
    ]
  }
  triggers_replace = [var.region]

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  a   = 1
  bb  = 2 // slash comment
  ccc = <<-EOT
      keep    this
    as is
  EOT

  d = "x"
  e = "y"
  fn = merge(
    { a = 1 },
    { b = 2 },
  )
}
output "o" {
  value       = local.a
  description = "the value"
}

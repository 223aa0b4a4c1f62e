variable "region" {
  type    = string
  default = "northeurope"
}

variable "maybe" {
  default = null
}

locals {
  a = "native a"
}

resource "terraform_data" "keyed" {
  for_each = toset(["p", "q"])
  input    = "${each.key}!"
}

output "keyed" {
  sensitive = true
}

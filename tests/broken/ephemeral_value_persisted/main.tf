variable "token" {
  type      = string
  ephemeral = true
  default   = "t"
}

locals {
  header = "Bearer ${var.token}"
}

resource "terraform_data" "a" {
  input = { auth = local.header }
}

resource "terraform_data" "b" {
  triggers_replace = module.m.back
}

output "leak" {
  value = local.header
}

output "eph" {
  value     = var.token
  ephemeral = true
}

module "m" {
  source = "./m"
  plain  = var.token
  eph    = var.token
}

# Sites as module instances: one module call with for_each over the sites.

drinfra {
  backend "local" {
    path = "../../state/sites.tfstate"
  }
}
variable "environment" {
  type    = string
  default = "prod"
}

variable "sites" {
  description = "Sites of the platform and their regions."
  type = map(object({
    region   = string
    priority = number
  }))
  default = {
    primary = { region = "eastus", priority = 1 }
    dr      = { region = "westeurope", priority = 2 }
  }
}

locals {
  prefix = "ai-workflow-${var.environment}"
  # The site with the lowest priority number takes traffic.
  active = [for name, s in var.sites : name if s.priority == min([for s in values(var.sites) : s.priority]...)][0]
}

module "site" {
  source   = "./site"
  for_each = var.sites

  name     = "${local.prefix}-${each.key}"
  region   = each.value.region
  priority = each.value.priority
}

output "active_site" {
  value = local.active
}

output "resource_groups" {
  value = { for k, m in module.site : k => m.resource_group_name }
}

# The smallest useful stack: a few built-in resources that depend on each
# other. `drinfra apply` creates them in order, in parallel where it can.

drinfra {
  backend "local" {
    path = "../../state/quickstart.tfstate"
  }
}

variable "environment" {
  type    = string
  default = "prod"
}

resource "terraform_data" "network" {
  input = {
    name          = "vnet-${var.environment}"
    address_space = cidrsubnet("10.0.0.0/8", 8, 1)
  }
}

resource "terraform_data" "subnet" {
  for_each = toset(["aks", "db", "cache"])
  input = {
    name   = "snet-${each.key}"
    vnet   = terraform_data.network.output.name
    prefix = cidrsubnet(terraform_data.network.output.address_space, 8, index(["aks", "db", "cache"], each.key))
  }
}

output "subnets" {
  value = { for k, s in terraform_data.subnet : k => s.output.prefix }
}

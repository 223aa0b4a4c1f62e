variable "name" {
  type = string
}

variable "region" {
  type = string
  validation {
    condition     = contains(["eastus", "westeurope", "northeurope", "westus2"], var.region)
    error_message = "The region must be one of the regions the DR plan covers."
  }
}

variable "priority" {
  type = number
}

locals {
  resource_group_name = "rg-${var.name}"
}

resource "terraform_data" "site" {
  input = {
    name     = local.resource_group_name
    region   = var.region
    priority = var.priority
  }
}

output "resource_group_name" {
  value = local.resource_group_name
}

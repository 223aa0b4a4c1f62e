# The stack the example pipelines plan and apply. Its backend block is
# empty on purpose: the pipeline completes it at init with
# -backend-config (storage account, container and key from the
# pipeline's variables; sign-in by OIDC, no secret anywhere).

terraform {
  backend "azurerm" {}
}

provider "azurerm" {
  features {}
}

variable "environment" {
  type    = string
  default = "prod"
}

resource "azurerm_resource_group" "app" {
  name     = "rg-pipeline-${var.environment}"
  location = "westeurope"
  tags     = { environment = var.environment, managed_by = "drinfra" }
}

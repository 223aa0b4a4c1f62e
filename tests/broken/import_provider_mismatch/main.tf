provider "azurerm" {
  features {}
}

provider "azurerm" {
  alias = "dr"
  features {}
}

resource "azurerm_resource_group" "a" {
  name     = "rg-a"
  location = "eastus"
}

# The import block's provider must be the resource's.
import {
  to       = azurerm_resource_group.a
  id       = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-a"
  provider = azurerm.dr
}

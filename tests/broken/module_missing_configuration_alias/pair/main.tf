terraform {
  required_providers {
    azurerm = {
      source                = "hashicorp/azurerm"
      configuration_aliases = [azurerm.dr]
    }
  }
}

resource "azurerm_resource_group" "dr" {
  provider = azurerm.dr
  name     = "rg-dr"
  location = "westeurope"
}

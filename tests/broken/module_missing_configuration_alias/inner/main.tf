# Receives azurerm.dr but uses an alias it was not given.
resource "azurerm_resource_group" "x" {
  provider = azurerm.backup
  name     = "rg-x"
  location = "westeurope"
}

provider "azurerm" {
  features {}
}

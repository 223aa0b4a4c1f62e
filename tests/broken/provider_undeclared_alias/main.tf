provider "azurerm" {
  features {}
}

provider "azurerm" {
  alias = "dr"
  features {}
}

resource "terraform_data" "a" {
  provider = terraform.nope
  input    = "x"
}

resource "azurerm_resource_group" "primary" {
  provider = azurerm.dr
  name     = "rg-primary"
  location = "eastus"
}

resource "azurerm_resource_group" "typo" {
  provider = azurerm.secondary
  name     = "rg-typo"
  location = "westeurope"
}

data "azurerm_resource_group" "existing" {
  provider = azurerm.nope
  name     = "rg-existing"
}

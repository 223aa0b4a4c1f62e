resource "azurerm_resource_group" "rg" {
  name       = "rg-x"
  location   = "westeurope"
  owned_by   = "someone"
  colour     = "blue"
}

resource "azurerm_storage_account" "sa" {
  name                = "stx"
  resource_group_name = azurerm_resource_group.rg.name
}

data "azurerm_resource_group" "existing" {
  name     = "rg-y"
  location = "westeurope"
}

resource "terraform_data" "d" {
  inputs = 1
}

provider "azurerm" {
  features {}
}

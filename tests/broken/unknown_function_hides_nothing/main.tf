locals {
  name = nosuchfunc("x")
}

resource "azurerm_resource_group" "rg" {
  name     = lower(local.name)
  location = nosuchfunc2()
  colour   = "blue"
}

resource "azurerm_linux_virtual_machine" "vm" {
  name = "x"
}

output "o" {
  value = var.missing
}

provider "azurerm" {
  features {}
}

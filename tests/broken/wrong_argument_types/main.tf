variable "pw" {
  sensitive = true
  default = "x"
}
resource "azurerm_resource_group" "rg" {
  name     = "rg"
  location = ["westeurope"]
  tags     = "none"
}
resource "azurerm_postgresql_flexible_server" "pg" {
  name                = "pg"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "westeurope"
  storage_mb          = "lots"
  administrator_password = var.pw
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                = "aks"
  location            = "westeurope"
  resource_group_name = azurerm_resource_group.rg.name
  default_node_pool = {
    name = "system"
  }
}

provider "azurerm" {
  features {}
}

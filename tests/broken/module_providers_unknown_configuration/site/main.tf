resource "azurerm_resource_group" "rg" {
  name     = "rg-site"
  location = "westeurope"
}

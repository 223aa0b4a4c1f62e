provider "azurerm" {
  features {}
}

provider "azurerm" {
  alias = "dr"
  features {}
}

module "pair" {
  source = "./pair"
}

module "inner" {
  source = "./inner"
  providers = {
    azurerm.dr = azurerm.dr
  }
}

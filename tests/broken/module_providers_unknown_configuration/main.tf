provider "azurerm" {
  features {}
}

provider "azurerm" {
  alias = "dr"
  features {}
}

module "site" {
  source = "./site"
  providers = {
    azurerm = azurerm.secondary
  }
}

module "other" {
  source = "./site"
  providers = {
    azurerm = terraform
  }
}

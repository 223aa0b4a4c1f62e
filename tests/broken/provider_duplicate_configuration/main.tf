provider "azurerm" {
  features {}
}

provider "azurerm" {
  alias = "dr"
  features {}
}

provider "azurerm" {
  alias = "dr"
  features {}
}

provider "azurerm" {
  features {}
}

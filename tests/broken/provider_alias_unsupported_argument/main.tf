provider "azurerm" {
  features {}
}

# An aliased configuration's arguments are checked too, without a cloud.
provider "azurerm" {
  alias               = "dr"
  subscription        = "00000000-0000-0000-0000-000000000002"
  features {}
  client_certificate {}
}

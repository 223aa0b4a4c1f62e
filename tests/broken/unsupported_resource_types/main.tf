terraform {
  required_providers {
    random = {
      source = "hashicorp/random"
    }
  }
}

resource "azurerm_traffic_manager_endpoint" "removed" {
  name = "x"
}

resource "azurerm_linux_virtual_machine" "not_yet" {
  name = "x"
}

resource "random_pet" "other_provider" {}

data "azurerm_virtual_machine" "not_yet" {
  name = "x"
}

resource "azurerm_client_config" "data_only" {}

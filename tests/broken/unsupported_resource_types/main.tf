terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

resource "azurerm_traffic_manager_endpoint" "removed" {
  name = "x"
}

resource "azurerm_linux_virtual_machine" "not_yet" {
  name = "x"
}

resource "aws_s3_bucket" "other_provider" {}

data "azurerm_virtual_machine" "not_yet" {
  name = "x"
}

resource "azurerm_client_config" "data_only" {}

provider "azurerm" {
  features {}
}

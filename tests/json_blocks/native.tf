resource "azurerm_resource_group" "rg" {
  name     = "rg-json-blocks"
  location = "westeurope"
}

resource "azurerm_storage_account" "sa" {
  name                     = "stjsonblocks"
  resource_group_name      = azurerm_resource_group.rg.name
  location                 = azurerm_resource_group.rg.location
  account_tier             = "Standard"
  account_replication_type = "GRS"
  identity {
    type = "SystemAssigned"
  }
  network_rules {
    default_action = "Deny"
    ip_rules       = ["203.0.113.7"]
  }
  blob_properties {
    cors_rule {
      allowed_headers    = ["*"]
      allowed_methods    = ["GET"]
      allowed_origins    = ["https://a.example"]
      exposed_headers    = ["*"]
      max_age_in_seconds = 60
    }
    cors_rule {
      allowed_headers    = ["x-ms-meta-*"]
      allowed_methods    = ["PUT", "GET"]
      allowed_origins    = ["https://b.example"]
      exposed_headers    = ["x-ms-meta-*"]
      max_age_in_seconds = 120
    }
  }
}

resource "azurerm_network_security_group" "nsg" {
  name                = "nsg-json-blocks"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  security_rule {
    name                       = "https"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "443"
    source_address_prefix      = "*"
    destination_address_prefix = "*"
  }
  dynamic "security_rule" {
    for_each = { ssh = 110, rdp = 120 }
    content {
      name                       = security_rule.key
      priority                   = security_rule.value
      direction                  = "Inbound"
      access                     = "Deny"
      protocol                   = "Tcp"
      source_port_range          = "*"
      destination_port_range     = security_rule.key == "ssh" ? "22" : "3389"
      source_address_prefix      = "*"
      destination_address_prefix = "*"
    }
  }
}

# One site of the AI Workflow Platform: AKS with its three node pools,
# PostgreSQL Flexible Server (primary or read replica by role), Redis
# Premium P3 (geo-replicated from the active site), GRS storage.

locals {
  active          = var.role == "active"
  db_active       = (var.database != null ? var.database.role : var.role) == "active"
  db_replicating  = var.database != null ? var.database.replicating : var.replicating
  capacity_active = (var.capacity_role != null ? var.capacity_role : var.role) == "active"
  resource_group  = "rg-${var.name_prefix}-${var.site}"
  postgres_name   = "pg-${var.name_prefix}-${var.site}"
  redis_name      = "redis-${var.name_prefix}-${var.site}"
  peer_postgres   = "/subscriptions/${var.subscription_id}/resourceGroups/${var.peer.resource_group}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${var.peer.postgres_name}"
  replica         = !local.db_active && local.db_replicating
  tags            = { platform = var.name_prefix, site = var.site, role = var.role }
}

resource "azurerm_resource_group" "site" {
  name     = local.resource_group
  location = var.location
  tags     = local.tags
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                = "aks-${var.name_prefix}-${var.site}"
  location            = azurerm_resource_group.site.location
  resource_group_name = azurerm_resource_group.site.name
  dns_prefix          = "aks-${var.name_prefix}-${var.site}"

  default_node_pool {
    name       = "system"
    vm_size    = var.sizes.system_vm_size
    node_count = 3
    # The DR plan rides out a zone failure without a failover.
    zones = var.zones
  }

  identity {
    type = "SystemAssigned"
  }

  tags = local.tags
}

resource "azurerm_kubernetes_cluster_node_pool" "application" {
  name                  = "application"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id
  vm_size               = var.sizes.application_vm_size
  auto_scaling_enabled  = local.capacity_active
  min_count             = local.capacity_active ? var.sizes.application_active.min : null
  max_count             = local.capacity_active ? var.sizes.application_active.max : null
  node_count            = local.capacity_active ? var.sizes.application_active.max : var.sizes.application_standby
  zones                 = var.zones
}

resource "azurerm_kubernetes_cluster_node_pool" "code_execution" {
  name                  = "codeexec"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id
  vm_size               = var.sizes.code_vm_size
  auto_scaling_enabled  = local.capacity_active
  min_count             = local.capacity_active ? var.sizes.code_active.min : null
  max_count             = local.capacity_active ? var.sizes.code_active.max : null
  node_count            = local.capacity_active ? var.sizes.code_active.max : var.sizes.code_standby
  zones                 = var.zones
}

resource "azurerm_postgresql_flexible_server" "db" {
  name                   = local.postgres_name
  location               = azurerm_resource_group.site.location
  resource_group_name    = azurerm_resource_group.site.name
  version                = "16"
  sku_name               = "GP_Standard_D8ds_v5"
  storage_mb             = 1048576
  administrator_login    = local.replica ? null : "pgadmin"
  administrator_password = local.replica ? null : "change-me-in-a-secret-store"
  backup_retention_days  = 30
  # Backups copied to the paired region: a lost region does not take its
  # backups with it (see docs/dr-decisions.md). Set only at creation.
  geo_redundant_backup_enabled = true
  create_mode                  = local.replica ? "Replica" : "Default"
  source_server_id             = local.replica ? var.peer_postgres_id : null
  replication_role             = local.db_active ? "None" : null

  high_availability {
    mode = "ZoneRedundant"
  }

  tags = local.tags
}

resource "azurerm_redis_cache" "cache" {
  name                = local.redis_name
  location            = azurerm_resource_group.site.location
  resource_group_name = azurerm_resource_group.site.name
  capacity            = 3
  family              = "P"
  sku_name            = "Premium"
  minimum_tls_version = "1.2"
  zones               = var.zones
  # No AOF/RDB persistence: the cache is geo-replicated, and Azure does
  # not allow both (see docs/dr-decisions.md).
  tags = local.tags
}

resource "azurerm_storage_account" "data" {
  name                            = replace("st${var.name_prefix}${var.site}", "-", "")
  location                        = azurerm_resource_group.site.location
  resource_group_name             = azurerm_resource_group.site.name
  account_tier                    = "Standard"
  account_replication_type        = "GRS"
  access_tier                     = "Hot"
  min_tls_version                 = "TLS1_2"
  allow_nested_items_to_be_public = false
  tags                            = local.tags

  # The DR plan: soft delete 14 days and versioning. (Its "30 versions"
  # cap is a lifecycle management rule, which drinfra does not manage yet.)
  blob_properties {
    versioning_enabled = true
    delete_retention_policy {
      days = 14
    }
    container_delete_retention_policy {
      days = 14
    }
  }
}

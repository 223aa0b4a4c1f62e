# The AI Workflow Platform of the DR plan: primary site in eastus, hot
# standby in westeurope (scaled down while standby, production size when
# active), and the edge. Failing over swaps the failover group's active
# site; everything that depends on the roles changes in one plan.

drinfra {
  backend "local" {
    path = "../../state/platform.tfstate"
  }
}

provider "azurerm" {
  features {}
  # With no subscription configured, drinfra runs the emulator embedded,
  # with its data here (shared by every stack that points at it).
  emulator_data_dir = "../../state/emulator"
}

variable "subscription_id" {
  description = "Subscription of both sites (the emulator's by default)."
  type        = string
  default     = "00000000-0000-0000-0000-000000000001"
}

failover_group "platform" {
  description = "AI Workflow Platform: Tier 4 hot standby, RTO < 90 min, RPO < 15 min"
  rto         = "90m"
  rpo         = "15m"
  # The DR plan's per-component targets: the drill report measures each
  # (a component with resources is back when its last step is done, the
  # services on AKS when traffic is verified).
  objectives = {
    auth           = { rto = "30m", rpo = "15m" }
    agent          = { rto = "1h", rpo = "15m" }
    persona        = { rto = "1h", rpo = "30m" }
    code_execution = { rto = "1h", rpo = "30m" }
    text_to_sql    = { rto = "2h", rpo = "1h" }
    knowledge_base = { rto = "2h", rpo = "1h" }
    workflow       = { rto = "1h", rpo = "30m" }
    postgresql     = { rto = "1h", rpo = "15m", resources = ["azurerm_postgresql_flexible_server", "azurerm_postgresql_flexible_server_virtual_endpoint"] }
    redis          = { rto = "30m", rpo = "15m", resources = ["azurerm_redis_cache", "azurerm_redis_linked_server"] }
    rabbitmq       = { rto = "1h", rpo = "30m" }
  }
  sites  = ["eastus", "westeurope"]
  active = "eastus"
  # Parts a failover can move on their own (`--only database`), e.g. the DR
  # plan's database switch drill; storage and traffic are built in.
  components = ["database", "cache", "capacity"]
  # Each site's GRS account fails over to its paired region when the site
  # stops being active, and comes home with failback.
  storage_accounts = {
    eastus     = ["module.eastus.azurerm_storage_account.data"]
    westeurope = ["module.westeurope.azurerm_storage_account.data"]
  }
}

locals {
  prefix = "aiwf"
  sizes = {
    system_vm_size      = "Standard_D4s_v5"
    application_vm_size = "Standard_D8s_v5"
    code_vm_size        = "Standard_D8s_v5"
    application_active  = { min = 5, max = 20 }
    application_standby = 3
    code_active         = { min = 3, max = 15 }
    code_standby        = 2
  }
  # The DR plan's step 6: the services' replicas in production (active
  # site) and standby.
  services = {
    gateway        = { production = 3, standby = 2 }
    auth           = { production = 3, standby = 2 }
    agent          = { production = 5, standby = 2 }
    persona        = { production = 3, standby = 1 }
    code-exec      = { production = 5, standby = 2 }
    text-to-sql    = { production = 3, standby = 1 }
    knowledge-base = { production = 3, standby = 1 }
    workflow       = { production = 5, standby = 2 }
  }
  peer_of = { eastus = "westeurope", westeurope = "eastus" }
  peers = { for site, other in local.peer_of : site => {
    site           = other
    resource_group = "rg-${local.prefix}-${other}"
    postgres_name  = "pg-${local.prefix}-${other}"
    redis_name     = "redis-${local.prefix}-${other}"
  } }
}

module "eastus" {
  source      = "../../modules/site"
  site        = "eastus"
  location    = "eastus"
  role        = failover_group.platform.roles["eastus"]
  replicating = failover_group.platform.replicating
  database = {
    role        = failover_group.platform.components.database.roles["eastus"]
    replicating = failover_group.platform.components.database.replicating
  }
  capacity_role   = failover_group.platform.components.capacity.roles["eastus"]
  name_prefix     = local.prefix
  subscription_id = var.subscription_id
  peer            = local.peers["eastus"]
  # Built from names: eastus must not wait for westeurope.
  peer_postgres_id      = "/subscriptions/${var.subscription_id}/resourceGroups/${local.peers["eastus"].resource_group}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${local.peers["eastus"].postgres_name}"
  sizes                 = local.sizes
  services              = local.services
  services_namespace    = "aiwf"
  services_image_prefix = "aiwfacr.azurecr.io/aiwf"
}

module "westeurope" {
  source      = "../../modules/site"
  site        = "westeurope"
  location    = "westeurope"
  role        = failover_group.platform.roles["westeurope"]
  replicating = failover_group.platform.replicating
  database = {
    role        = failover_group.platform.components.database.roles["westeurope"]
    replicating = failover_group.platform.components.database.replicating
  }
  capacity_role   = failover_group.platform.components.capacity.roles["westeurope"]
  name_prefix     = local.prefix
  subscription_id = var.subscription_id
  peer            = local.peers["westeurope"]
  # A reference, so the first replica is created after its source.
  peer_postgres_id      = module.eastus.postgres_id
  sizes                 = local.sizes
  services              = local.services
  services_namespace    = "aiwf"
  services_image_prefix = "aiwfacr.azurecr.io/aiwf"
}

locals {
  sites = { eastus = module.eastus, westeurope = module.westeurope }
  # The caches follow their own component, so a failover scoped to the
  # database leaves the link alone.
  cache         = failover_group.platform.components.cache
  cache_active  = local.sites[local.cache.active]
  cache_standby = local.sites[[for s in failover_group.platform.sites : s if s != local.cache.active][0]]
}

# The active site's cache replicates to the standby's while the pair
# replicates (not after a failover, until failback re-seeds it).
resource "azurerm_redis_linked_server" "geo" {
  count                       = local.cache.replicating ? 1 : 0
  target_redis_cache_name     = local.cache_active.redis_name
  resource_group_name         = local.cache_active.resource_group_name
  linked_redis_cache_id       = local.cache_standby.redis_id
  linked_redis_cache_location = local.cache_standby.location
  server_role                 = "Secondary"
}

# The database's writer host name (pg-aiwf.writer.postgres.database.azure.com):
# it always reaches the primary, and Azure's planned switchover (the
# planned failover, the DR plan's database switch drill) needs it, with
# the replica among its members. A switchover moves it to the new
# primary, which is where the configuration then places it.
#
# The endpoint names the servers through their own outputs, not through
# local.sites: a reference to a whole module depends on every output of
# it (alert rules, the cluster), which would pull the sites' alerting and
# clusters ahead of the data phase this endpoint belongs to.
locals {
  database     = failover_group.platform.components.database
  db_primary   = local.sites[local.database.active]
  db_secondary = local.sites[[for s in failover_group.platform.sites : s if s != local.database.active][0]]
  postgres_ids = { eastus = module.eastus.postgres_id, westeurope = module.westeurope.postgres_id }
}

resource "azurerm_postgresql_flexible_server_virtual_endpoint" "writer" {
  name              = "pg-${local.prefix}"
  source_server_id  = local.postgres_ids[local.database.active]
  replica_server_id = local.postgres_ids[[for s in failover_group.platform.sites : s if s != local.database.active][0]]
  type              = "ReadWrite"
}

# The DR plan's data-corruption procedure: restore the active database to
# a UTC time before the corruption, into a new server (a reviewable create;
# drinfra checks the time against the source's restore window when it
# plans), and point the applications at it through `database_host`.
# `drinfra drill data-corruption platform --var restore_database_to=TIME`
# runs it as a drill.
variable "restore_database_to" {
  description = "RFC 3339 UTC time to restore the active database to (null: no restore)."
  type        = string
  default     = null
}

resource "azurerm_postgresql_flexible_server" "restored" {
  count                             = var.restore_database_to == null ? 0 : 1
  name                              = "pg-${local.prefix}-restored"
  location                          = local.db_primary.location
  resource_group_name               = local.db_primary.resource_group_name
  sku_name                          = "GP_Standard_D8ds_v5"
  create_mode                       = "PointInTimeRestore"
  source_server_id                  = local.db_primary.postgres_id
  point_in_time_restore_time_in_utc = var.restore_database_to
}

resource "azurerm_resource_group" "edge" {
  name     = "rg-${local.prefix}-edge"
  location = "eastus"
}

module "edge" {
  source              = "../../modules/edge"
  name_prefix         = local.prefix
  resource_group_name = azurerm_resource_group.edge.name
  zone_name           = "aiwf.example.com"
  traffic_manager     = true
  active_origin_host  = failover_group.platform.traffic_roles["eastus"] == "active" ? module.eastus.origin_host : module.westeurope.origin_host
  origins = {
    eastus     = { host = module.eastus.origin_host, role = failover_group.platform.traffic_roles["eastus"] }
    westeurope = { host = module.westeurope.origin_host, role = failover_group.platform.traffic_roles["westeurope"] }
  }
}

output "active_site" {
  value = failover_group.platform.active
}

output "operator_cluster" {
  description = "The DR plan's step 3: the command that points kubectl at the cluster serving now (it follows failover and failback)."
  value       = local.sites[failover_group.platform.components.capacity.active].kubeconfig_command
}

output "database_writer_host" {
  description = "The writer endpoint: follows the primary through switchovers."
  value       = "${azurerm_postgresql_flexible_server_virtual_endpoint.writer.name}.writer.postgres.database.azure.com"
}

output "database_host" {
  description = "Where applications connect: the writer endpoint, or the restored server while a data-corruption recovery is in place."
  value       = var.restore_database_to == null ? "${azurerm_postgresql_flexible_server_virtual_endpoint.writer.name}.writer.postgres.database.azure.com" : azurerm_postgresql_flexible_server.restored[0].fqdn
}

output "api_endpoint" {
  value = module.edge.endpoint
}

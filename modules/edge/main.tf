# The edge: Front Door Standard/Premium with one origin per site, priority
# by role, health probe /health every 30 s; the api DNS record (TTL 60);
# optionally a Traffic Manager profile (priority routing, same probe) for
# clients that resolve the sites through DNS alone.

variable "name_prefix" {
  type = string
}

variable "resource_group_name" {
  type = string
}

variable "zone_name" {
  type = string
}

variable "active_origin_host" {
  description = "The gateway of the site that takes traffic."
  type        = string
}

variable "origins" {
  description = "Site name => origin host and role."
  type        = map(object({ host = string, role = string }))
}

variable "traffic_manager" {
  description = "Also route by DNS with a Traffic Manager profile."
  type        = bool
  default     = false
}

resource "azurerm_cdn_frontdoor_profile" "fd" {
  name                = "fd-${var.name_prefix}"
  resource_group_name = var.resource_group_name
  sku_name            = "Premium_AzureFrontDoor"
}

resource "azurerm_cdn_frontdoor_endpoint" "api" {
  name                     = "api-${var.name_prefix}"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id
}

resource "azurerm_cdn_frontdoor_origin_group" "sites" {
  name                     = "sites"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id

  health_probe {
    interval_in_seconds = 30
    path                = "/health"
    protocol            = "Https"
    request_type        = "GET"
  }

  load_balancing {
    sample_size                 = 4
    successful_samples_required = 3
  }
}

# The DR plan says weight 0 for the standby origin; Azure's minimum is 1.
# Weight only splits traffic among origins of the same priority, and the
# standby alone has priority 2, so weight 1 sends it nothing while the
# active origin is healthy (see docs/dr-decisions.md).
resource "azurerm_cdn_frontdoor_origin" "site" {
  for_each                       = var.origins
  name                           = each.key
  cdn_frontdoor_origin_group_id  = azurerm_cdn_frontdoor_origin_group.sites.id
  host_name                      = each.value.host
  priority                       = each.value.role == "active" ? 1 : 2
  weight                         = each.value.role == "active" ? 100 : 1
  certificate_name_check_enabled = true
}

resource "azurerm_cdn_frontdoor_route" "api" {
  name                          = "api"
  cdn_frontdoor_endpoint_id     = azurerm_cdn_frontdoor_endpoint.api.id
  cdn_frontdoor_origin_group_id = azurerm_cdn_frontdoor_origin_group.sites.id
  cdn_frontdoor_origin_ids      = [for o in azurerm_cdn_frontdoor_origin.site : o.id]
  supported_protocols           = ["Https"]
  patterns_to_match             = ["/*"]
}

resource "azurerm_dns_zone" "zone" {
  name                = var.zone_name
  resource_group_name = var.resource_group_name
}

# api points at the active site's gateway through Front Door.
resource "azurerm_dns_cname_record" "api" {
  name                = "api"
  zone_name           = azurerm_dns_zone.zone.name
  resource_group_name = var.resource_group_name
  ttl                 = 60
  record              = azurerm_cdn_frontdoor_endpoint.api.host_name
}

# gateway names the active site directly (for clients that bypass Front Door).
resource "azurerm_dns_cname_record" "gateway" {
  name                = "gateway"
  zone_name           = azurerm_dns_zone.zone.name
  resource_group_name = var.resource_group_name
  ttl                 = 60
  record              = var.active_origin_host
}

resource "azurerm_traffic_manager_profile" "tm" {
  count                  = var.traffic_manager ? 1 : 0
  name                   = "tm-${var.name_prefix}"
  resource_group_name    = var.resource_group_name
  traffic_routing_method = "Priority"

  dns_config {
    relative_name = "tm-${var.name_prefix}"
    ttl           = 60
  }

  monitor_config {
    protocol                     = "HTTPS"
    port                         = 443
    path                         = "/health"
    interval_in_seconds          = 30
    tolerated_number_of_failures = 3
  }
}

# Priorities must be unique within a profile, and a failover updates the
# endpoints in parallel, so each site owns two slots that no other site
# uses: i+1 when active, n+i+1 on standby. Any order of updates is then
# valid, and the active site always has the lowest priority.
locals {
  tm_sites = sort(keys(var.origins))
}

resource "azurerm_traffic_manager_external_endpoint" "site" {
  for_each   = var.traffic_manager ? var.origins : {}
  name       = each.key
  profile_id = azurerm_traffic_manager_profile.tm[0].id
  target     = each.value.host
  priority   = index(local.tm_sites, each.key) + 1 + (each.value.role == "active" ? 0 : length(local.tm_sites))
}

output "endpoint" {
  value = azurerm_cdn_frontdoor_endpoint.api.host_name
}

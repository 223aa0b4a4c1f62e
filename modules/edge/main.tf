# The edge: Front Door Standard/Premium with one origin per site, priority
# by role, health probe /health every 30 s; the api DNS record (TTL 60).

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

output "endpoint" {
  value = azurerm_cdn_frontdoor_endpoint.api.host_name
}

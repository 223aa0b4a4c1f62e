//! drinfra's data sources take the arguments azurerm documents for them:
//! a configuration that finds an object azurerm's way loads here, and
//! drinfra asks for nothing azurerm does not take. The documented
//! arguments are tests/data/azurerm_data_arguments.json (copied from
//! azurerm's documentation); a data source drinfra reads that is missing
//! there fails the test, so a new one brings its documented arguments.

use drinfra::config::model::Mode;
use drinfra::lang::Value;
use drinfra::provider::azure::{data_attribute_names, data_attributes, types, validate_data};
use drinfra::provider::catalog::azurerm_has;
use serde_json::{Map, Value as J, json};

use crate::newcomer::{Newcomer, PROVIDER};

/// The data sources drinfra reads that are no managed type's.
const DATA_ONLY: &[&str] = &[
    "azurerm_client_config",
    "azurerm_subscription",
    "azurerm_role_definition",
    "azurerm_role_assignments",
    "azurerm_private_endpoint_connection",
];

fn documented() -> J {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/azurerm_data_arguments.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Problems of one summary for a data source configured with `args`.
fn problems(ty: &str, args: &Map<String, J>, summary: &str) -> Vec<String> {
    validate_data(ty, &Value::from_json(&J::Object(args.clone())))
        .into_iter()
        .filter(|p| p.summary == summary)
        .map(|p| p.detail)
        .collect()
}

#[test]
fn data_sources_take_azurerms_documented_arguments() {
    let doc = documented();
    let mut names = types::names();
    names.extend(DATA_ONLY);
    let mut failures = vec![];
    let mut checked = 0;
    for ty in names {
        if !azurerm_has(Mode::Data, ty) {
            continue;
        }
        let Some(args) = doc["types"][ty]["arguments"].as_object() else {
            failures.push(format!(
                "{ty}: not in tests/data/azurerm_data_arguments.json"
            ));
            continue;
        };
        // Every documented argument given: none is refused as unknown,
        // and none drinfra requires is missing (so drinfra requires only
        // documented ones).
        let all: Map<String, J> = args.keys().map(|k| (k.clone(), json!("x"))).collect();
        for p in problems(ty, &all, "Unsupported argument") {
            failures.push(format!("{ty}: documented argument refused: {p}"));
        }
        for p in problems(ty, &all, "Missing required argument") {
            failures.push(format!("{ty}: {p}"));
        }
        // The documented required ones are required here too.
        for (k, a) in args {
            if a["required"] == json!(true) {
                let mut without = all.clone();
                without.remove(k);
                if problems(ty, &without, "Missing required argument").is_empty() {
                    failures.push(format!("{ty}: {k:?} is required by azurerm, not here"));
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 43, "only {checked} data sources checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Read against the cloud: a Front Door endpoint found by its profile's
/// name and group, and a peering by its network's id, as azurerm's data
/// sources find them (drinfra asked for the profile's id and the
/// network's name, the resources' arguments).
#[test]
fn data_sources_find_objects_by_azurerms_arguments() {
    let n = Newcomer::new();
    n.converges(&format!(
        r#"{PROVIDER}
resource "azurerm_resource_group" "rg" {{
  name     = "rg-data-args"
  location = "westeurope"
}}
resource "azurerm_cdn_frontdoor_profile" "p" {{
  name                = "fd-data-args"
  resource_group_name = azurerm_resource_group.rg.name
  sku_name            = "Standard_AzureFrontDoor"
}}
resource "azurerm_cdn_frontdoor_endpoint" "e" {{
  name                     = "ep-data-args"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.p.id
}}
resource "azurerm_virtual_network" "a" {{
  name                = "vnet-a"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.1.0.0/16"]
}}
resource "azurerm_virtual_network" "b" {{
  name                = "vnet-b"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.2.0.0/16"]
}}
resource "azurerm_virtual_network_peering" "ab" {{
  name                      = "a-to-b"
  resource_group_name       = azurerm_resource_group.rg.name
  virtual_network_name      = azurerm_virtual_network.a.name
  remote_virtual_network_id = azurerm_virtual_network.b.id
}}
data "azurerm_cdn_frontdoor_endpoint" "e" {{
  name                = azurerm_cdn_frontdoor_endpoint.e.name
  profile_name        = azurerm_cdn_frontdoor_profile.p.name
  resource_group_name = azurerm_resource_group.rg.name
}}
data "azurerm_virtual_network_peering" "ab" {{
  name               = azurerm_virtual_network_peering.ab.name
  virtual_network_id = azurerm_virtual_network.a.id
}}
output "host" {{
  value = data.azurerm_cdn_frontdoor_endpoint.e.host_name == azurerm_cdn_frontdoor_endpoint.e.host_name
}}
output "remote" {{
  value = data.azurerm_virtual_network_peering.ab.remote_virtual_network_id
}}
output "profile" {{
  value = data.azurerm_cdn_frontdoor_endpoint.e.profile_name
}}
"#
    ));
    let (code, out, err) = n.run(&["output", "-json"]);
    assert_eq!(code, 0, "{err}");
    let outputs: J = serde_json::from_str(&out).unwrap();
    assert_eq!(outputs["host"]["value"], json!(true), "{out}");
    assert_eq!(outputs["profile"]["value"], json!("fd-data-args"), "{out}");
    assert!(
        outputs["remote"]["value"]
            .as_str()
            .is_some_and(|v| v.ends_with("/virtualNetworks/vnet-b")),
        "{out}"
    );
}

/// One object of every kind drinfra reads a data source of, a little
/// dressed (an NSG on the subnet, a routing preference publishing both
/// routings, an OIDC issuer, a second node pool, a peering), and every
/// data source read once.
const EVERY_DATA_SOURCE: &str = r#"
data "azurerm_client_config" "me" {}
data "azurerm_subscription" "s" {}
resource "azurerm_resource_group" "rg" {
  name     = "rg-data-all"
  location = "westeurope"
}
resource "azurerm_virtual_network" "v" {
  name                = "vnet-all"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.1.0.0/16"]
}
resource "azurerm_virtual_network" "w" {
  name                = "vnet-all-w"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.2.0.0/16"]
}
resource "azurerm_virtual_network_peering" "vw" {
  name                      = "v-to-w"
  resource_group_name       = azurerm_resource_group.rg.name
  virtual_network_name      = azurerm_virtual_network.v.name
  remote_virtual_network_id = azurerm_virtual_network.w.id
}
resource "azurerm_subnet" "s" {
  name                 = "apps"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.v.name
  address_prefixes     = ["10.1.1.0/24"]
}
resource "azurerm_network_security_group" "nsg" {
  name                = "nsg-all"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
}
resource "azurerm_subnet_network_security_group_association" "s" {
  subnet_id                 = azurerm_subnet.s.id
  network_security_group_id = azurerm_network_security_group.nsg.id
}
resource "azurerm_public_ip" "ip" {
  name                = "ip-all"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  allocation_method   = "Static"
  sku                 = "Standard"
}
resource "azurerm_storage_account" "sa" {
  name                     = "sadataall"
  location                 = azurerm_resource_group.rg.location
  resource_group_name      = azurerm_resource_group.rg.name
  account_tier             = "Standard"
  account_replication_type = "RAGRS"
  routing {
    publish_internet_endpoints  = true
    publish_microsoft_endpoints = true
  }
}
resource "azurerm_storage_container" "c" {
  name               = "things"
  storage_account_id = azurerm_storage_account.sa.id
}
resource "azurerm_storage_management_policy" "p" {
  storage_account_id = azurerm_storage_account.sa.id
  rule {
    name    = "old"
    enabled = true
    filters {
      blob_types = ["blockBlob"]
    }
    actions {
      base_blob {
        delete_after_days_since_modification_greater_than = 30
      }
    }
  }
}
resource "azurerm_private_endpoint" "pe" {
  name                = "pe-all"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  subnet_id           = azurerm_subnet.s.id
  private_service_connection {
    name                           = "sa-blob"
    private_connection_resource_id = azurerm_storage_account.sa.id
    subresource_names              = ["blob"]
    is_manual_connection           = false
  }
}
resource "azurerm_dns_zone" "z" {
  name                = "all.example.com"
  resource_group_name = azurerm_resource_group.rg.name
}
resource "azurerm_dns_a_record" "a" {
  name                = "a"
  zone_name           = azurerm_dns_zone.z.name
  resource_group_name = azurerm_resource_group.rg.name
  ttl                 = 300
  records             = ["10.0.0.1"]
}
resource "azurerm_dns_aaaa_record" "aaaa" {
  name                = "aaaa"
  zone_name           = azurerm_dns_zone.z.name
  resource_group_name = azurerm_resource_group.rg.name
  ttl                 = 300
  records             = ["2001:db8::1"]
}
resource "azurerm_dns_caa_record" "caa" {
  name                = "caa"
  zone_name           = azurerm_dns_zone.z.name
  resource_group_name = azurerm_resource_group.rg.name
  ttl                 = 300
  record {
    flags = 0
    tag   = "issue"
    value = "letsencrypt.org"
  }
}
resource "azurerm_dns_cname_record" "cname" {
  name                = "cname"
  zone_name           = azurerm_dns_zone.z.name
  resource_group_name = azurerm_resource_group.rg.name
  ttl                 = 300
  record              = "target.example.com"
}
resource "azurerm_dns_mx_record" "mx" {
  name                = "mx"
  zone_name           = azurerm_dns_zone.z.name
  resource_group_name = azurerm_resource_group.rg.name
  ttl                 = 300
  record {
    preference = 10
    exchange   = "mail.example.com"
  }
}
resource "azurerm_dns_ns_record" "ns" {
  name                = "ns"
  zone_name           = azurerm_dns_zone.z.name
  resource_group_name = azurerm_resource_group.rg.name
  ttl                 = 300
  records             = ["ns1.example.com"]
}
resource "azurerm_dns_srv_record" "srv" {
  name                = "_sip._tcp"
  zone_name           = azurerm_dns_zone.z.name
  resource_group_name = azurerm_resource_group.rg.name
  ttl                 = 300
  record {
    priority = 1
    weight   = 5
    port     = 5060
    target   = "sip.example.com"
  }
}
resource "azurerm_dns_txt_record" "txt" {
  name                = "txt"
  zone_name           = azurerm_dns_zone.z.name
  resource_group_name = azurerm_resource_group.rg.name
  ttl                 = 300
  record {
    value = "hello"
  }
}
resource "azurerm_private_dns_zone" "pz" {
  name                = "all.internal"
  resource_group_name = azurerm_resource_group.rg.name
}
resource "azurerm_private_dns_zone_virtual_network_link" "l" {
  name                  = "link-all"
  resource_group_name   = azurerm_resource_group.rg.name
  private_dns_zone_name = azurerm_private_dns_zone.pz.name
  virtual_network_id    = azurerm_virtual_network.v.id
}
resource "azurerm_key_vault" "kv" {
  name                       = "kv-data-all"
  location                   = azurerm_resource_group.rg.location
  resource_group_name        = azurerm_resource_group.rg.name
  tenant_id                  = data.azurerm_client_config.me.tenant_id
  sku_name                   = "standard"
  rbac_authorization_enabled = false
  access_policy {
    tenant_id          = data.azurerm_client_config.me.tenant_id
    object_id          = data.azurerm_client_config.me.object_id
    key_permissions    = ["Create", "Get", "Delete", "Purge", "GetRotationPolicy"]
    secret_permissions = ["Get", "Set", "Delete", "Purge"]
  }
}
resource "azurerm_key_vault_key" "k" {
  name         = "key-all"
  key_vault_id = azurerm_key_vault.kv.id
  key_type     = "RSA"
  key_size     = 2048
  key_opts     = ["sign", "verify"]
}
resource "azurerm_key_vault_secret" "sec" {
  name         = "secret-all"
  key_vault_id = azurerm_key_vault.kv.id
  value        = "hush"
}
resource "azurerm_kubernetes_cluster" "k" {
  name                = "aks-all"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  dns_prefix          = "aks-all"
  oidc_issuer_enabled = true
  default_node_pool {
    name       = "system"
    vm_size    = "Standard_D4s_v5"
    node_count = 1
  }
  identity {
    type = "SystemAssigned"
  }
}
resource "azurerm_kubernetes_cluster_node_pool" "work" {
  name                  = "work"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.k.id
  vm_size               = "Standard_D2s_v5"
  node_count            = 1
}
resource "azurerm_log_analytics_workspace" "logs" {
  name                = "logs-all"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
}
resource "azurerm_monitor_action_group" "ag" {
  name                = "ag-all"
  resource_group_name = azurerm_resource_group.rg.name
  short_name          = "all"
}
resource "azurerm_postgresql_flexible_server" "pg" {
  name                   = "pg-data-all"
  location               = azurerm_resource_group.rg.location
  resource_group_name    = azurerm_resource_group.rg.name
  version                = "16"
  sku_name               = "GP_Standard_D2ds_v5"
  storage_mb             = 32768
  administrator_login    = "pgadmin"
  administrator_password = "S3cret-pw!"
}
resource "azurerm_redis_cache" "r" {
  name                = "cache-data-all"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  capacity            = 1
  family              = "C"
  sku_name            = "Standard"
}
resource "azurerm_traffic_manager_profile" "tm" {
  name                   = "tm-data-all"
  resource_group_name    = azurerm_resource_group.rg.name
  traffic_routing_method = "Priority"
  dns_config {
    relative_name = "tm-data-all"
    ttl           = 60
  }
  monitor_config {
    protocol = "HTTPS"
    port     = 443
    path     = "/health"
  }
}
resource "azurerm_user_assigned_identity" "id" {
  name                = "id-all"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
}
resource "azurerm_role_assignment" "reader" {
  scope                = azurerm_resource_group.rg.id
  role_definition_name = "Reader"
  principal_id         = azurerm_user_assigned_identity.id.principal_id
}
resource "azurerm_cdn_frontdoor_profile" "fd" {
  name                = "fd-data-all"
  resource_group_name = azurerm_resource_group.rg.name
  sku_name            = "Premium_AzureFrontDoor"
}
resource "azurerm_cdn_frontdoor_endpoint" "e" {
  name                     = "ep-data-all"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id
}
resource "azurerm_cdn_frontdoor_origin_group" "og" {
  name                     = "og-all"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id
  load_balancing {}
}
resource "azurerm_cdn_frontdoor_rule_set" "rs" {
  name                     = "rsall"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id
}
resource "azurerm_cdn_frontdoor_custom_domain" "d" {
  name                     = "api-domain"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id
  host_name                = "api.all.example.com"
  tls {
    certificate_type = "ManagedCertificate"
  }
}
resource "azurerm_cdn_frontdoor_firewall_policy" "waf" {
  name                = "wafall"
  resource_group_name = azurerm_resource_group.rg.name
  sku_name            = "Premium_AzureFrontDoor"
  mode                = "Prevention"
}
resource "azurerm_cdn_frontdoor_security_policy" "sp" {
  name                     = "api-waf"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id
  security_policies {
    firewall {
      cdn_frontdoor_firewall_policy_id = azurerm_cdn_frontdoor_firewall_policy.waf.id
      association {
        domain {
          cdn_frontdoor_domain_id = azurerm_cdn_frontdoor_custom_domain.d.id
        }
        patterns_to_match = ["/*"]
      }
    }
  }
}

locals {
  rg = azurerm_resource_group.rg.name
  fd = azurerm_cdn_frontdoor_profile.fd.name
  zone = azurerm_dns_zone.z.name
}
data "azurerm_resource_group" "x" {
  name = local.rg
}
data "azurerm_virtual_network" "x" {
  name                = azurerm_virtual_network.v.name
  resource_group_name = local.rg
  depends_on          = [azurerm_subnet.s, azurerm_virtual_network_peering.vw]
}
data "azurerm_virtual_network_peering" "x" {
  name               = azurerm_virtual_network_peering.vw.name
  virtual_network_id = azurerm_virtual_network.v.id
}
data "azurerm_subnet" "x" {
  name                 = azurerm_subnet.s.name
  virtual_network_name = azurerm_virtual_network.v.name
  resource_group_name  = local.rg
  depends_on           = [azurerm_subnet_network_security_group_association.s]
}
data "azurerm_network_security_group" "x" {
  name                = azurerm_network_security_group.nsg.name
  resource_group_name = local.rg
}
data "azurerm_public_ip" "x" {
  name                = azurerm_public_ip.ip.name
  resource_group_name = local.rg
}
data "azurerm_storage_account" "x" {
  name                = azurerm_storage_account.sa.name
  resource_group_name = local.rg
}
data "azurerm_storage_container" "x" {
  name               = azurerm_storage_container.c.name
  storage_account_id = azurerm_storage_account.sa.id
}
data "azurerm_storage_management_policy" "x" {
  storage_account_id = azurerm_storage_management_policy.p.storage_account_id
}
data "azurerm_private_endpoint_connection" "x" {
  name                = azurerm_private_endpoint.pe.name
  resource_group_name = local.rg
}
data "azurerm_dns_zone" "x" {
  name                = local.zone
  resource_group_name = local.rg
  depends_on = [
    azurerm_dns_a_record.a, azurerm_dns_aaaa_record.aaaa, azurerm_dns_caa_record.caa,
    azurerm_dns_cname_record.cname, azurerm_dns_mx_record.mx, azurerm_dns_ns_record.ns,
    azurerm_dns_srv_record.srv, azurerm_dns_txt_record.txt,
  ]
}
data "azurerm_dns_a_record" "x" {
  name                = azurerm_dns_a_record.a.name
  zone_name           = local.zone
  resource_group_name = local.rg
}
data "azurerm_dns_aaaa_record" "x" {
  name                = azurerm_dns_aaaa_record.aaaa.name
  zone_name           = local.zone
  resource_group_name = local.rg
}
data "azurerm_dns_caa_record" "x" {
  name                = azurerm_dns_caa_record.caa.name
  zone_name           = local.zone
  resource_group_name = local.rg
}
data "azurerm_dns_cname_record" "x" {
  name                = azurerm_dns_cname_record.cname.name
  zone_name           = local.zone
  resource_group_name = local.rg
}
data "azurerm_dns_mx_record" "x" {
  name                = azurerm_dns_mx_record.mx.name
  zone_name           = local.zone
  resource_group_name = local.rg
}
data "azurerm_dns_ns_record" "x" {
  name                = azurerm_dns_ns_record.ns.name
  zone_name           = local.zone
  resource_group_name = local.rg
}
data "azurerm_dns_srv_record" "x" {
  name                = azurerm_dns_srv_record.srv.name
  zone_name           = local.zone
  resource_group_name = local.rg
}
data "azurerm_dns_txt_record" "x" {
  name                = azurerm_dns_txt_record.txt.name
  zone_name           = local.zone
  resource_group_name = local.rg
}
data "azurerm_private_dns_zone" "x" {
  name                = azurerm_private_dns_zone.pz.name
  resource_group_name = local.rg
}
data "azurerm_private_dns_zone_virtual_network_link" "x" {
  name                  = azurerm_private_dns_zone_virtual_network_link.l.name
  private_dns_zone_name = azurerm_private_dns_zone.pz.name
  resource_group_name   = local.rg
}
data "azurerm_key_vault" "x" {
  name                = azurerm_key_vault.kv.name
  resource_group_name = local.rg
}
data "azurerm_key_vault_key" "x" {
  name         = azurerm_key_vault_key.k.name
  key_vault_id = azurerm_key_vault.kv.id
}
data "azurerm_key_vault_secret" "x" {
  name         = azurerm_key_vault_secret.sec.name
  key_vault_id = azurerm_key_vault.kv.id
}
data "azurerm_kubernetes_cluster" "x" {
  name                = azurerm_kubernetes_cluster.k.name
  resource_group_name = local.rg
  depends_on          = [azurerm_kubernetes_cluster_node_pool.work]
}
data "azurerm_kubernetes_cluster_node_pool" "x" {
  name                    = azurerm_kubernetes_cluster_node_pool.work.name
  kubernetes_cluster_name = azurerm_kubernetes_cluster.k.name
  resource_group_name     = local.rg
}
data "azurerm_log_analytics_workspace" "x" {
  name                = azurerm_log_analytics_workspace.logs.name
  resource_group_name = local.rg
}
data "azurerm_monitor_action_group" "x" {
  name                = azurerm_monitor_action_group.ag.name
  resource_group_name = local.rg
}
data "azurerm_postgresql_flexible_server" "x" {
  name                = azurerm_postgresql_flexible_server.pg.name
  resource_group_name = local.rg
}
data "azurerm_redis_cache" "x" {
  name                = azurerm_redis_cache.r.name
  resource_group_name = local.rg
}
data "azurerm_traffic_manager_profile" "x" {
  name                = azurerm_traffic_manager_profile.tm.name
  resource_group_name = local.rg
}
data "azurerm_user_assigned_identity" "x" {
  name                = azurerm_user_assigned_identity.id.name
  resource_group_name = local.rg
}
data "azurerm_role_definition" "x" {
  name  = "Reader"
  scope = data.azurerm_subscription.s.id
}
data "azurerm_role_assignments" "x" {
  scope      = azurerm_resource_group.rg.id
  depends_on = [azurerm_role_assignment.reader]
}
data "azurerm_cdn_frontdoor_profile" "x" {
  name                = local.fd
  resource_group_name = local.rg
}
data "azurerm_cdn_frontdoor_endpoint" "x" {
  name                = azurerm_cdn_frontdoor_endpoint.e.name
  profile_name        = local.fd
  resource_group_name = local.rg
}
data "azurerm_cdn_frontdoor_origin_group" "x" {
  name                = azurerm_cdn_frontdoor_origin_group.og.name
  profile_name        = local.fd
  resource_group_name = local.rg
}
data "azurerm_cdn_frontdoor_rule_set" "x" {
  name                = azurerm_cdn_frontdoor_rule_set.rs.name
  profile_name        = local.fd
  resource_group_name = local.rg
}
data "azurerm_cdn_frontdoor_custom_domain" "x" {
  name                = azurerm_cdn_frontdoor_custom_domain.d.name
  profile_name        = local.fd
  resource_group_name = local.rg
}
data "azurerm_cdn_frontdoor_firewall_policy" "x" {
  name                = azurerm_cdn_frontdoor_firewall_policy.waf.name
  resource_group_name = local.rg
}
data "azurerm_cdn_frontdoor_security_policy" "x" {
  name                = azurerm_cdn_frontdoor_security_policy.sp.name
  profile_name        = local.fd
  resource_group_name = local.rg
}

output "blob_host" {
  value = data.azurerm_storage_account.x.primary_blob_host
}
output "blob_internet_host" {
  value = data.azurerm_storage_account.x.primary_blob_internet_host
}
output "subnet_nsg" {
  value = data.azurerm_subnet.x.network_security_group_id == azurerm_network_security_group.nsg.id
}
output "subnets" {
  value = data.azurerm_virtual_network.x.subnets
}
output "peerings" {
  value = data.azurerm_virtual_network.x.vnet_peerings
}
output "peering_addresses" {
  value = data.azurerm_virtual_network.x.vnet_peerings_addresses
}
output "pool_sizes" {
  value = data.azurerm_kubernetes_cluster.x.agent_pool_profile[*].vm_size
}
output "issuer" {
  value = data.azurerm_kubernetes_cluster.x.oidc_issuer_url
}
output "node_group_id" {
  value = data.azurerm_kubernetes_cluster.x.node_resource_group_id
}
output "record_sets" {
  value = data.azurerm_dns_zone.x.number_of_record_sets
}
"#;

/// Every documented top-level attribute of every data source drinfra
/// reads is exported (named by the data source's schema answer and
/// present in a real read against the emulator) or refused with a
/// reason; nothing the read gives is left unnamed, and nothing named is
/// missing from the read (but arguments left unset). References to the
/// newly exported attributes read the cloud's values.
#[test]
fn data_sources_export_azurerms_documented_attributes() {
    let n = Newcomer::new();
    // Each data source's whole object as an output (drinfra's state keeps
    // no data sources).
    let doc = documented();
    let whole: String = doc["types"]
        .as_object()
        .unwrap()
        .keys()
        .map(|ty| {
            let addr = match ty.as_str() {
                "azurerm_client_config" => "me",
                "azurerm_subscription" => "s",
                _ => "x",
            };
            format!(
                "output \"whole_{ty}\" {{\n  sensitive = true\n  value = data.{ty}.{addr}\n}}\n"
            )
        })
        .collect();
    n.converges(&format!("{PROVIDER}{EVERY_DATA_SOURCE}{whole}"));
    let (code, out, err) = n.run(&["output", "-json"]);
    assert_eq!(code, 0, "{err}");
    let outputs: J = serde_json::from_str(&out).unwrap();
    let read: std::collections::BTreeMap<String, Map<String, J>> = outputs
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(k, v)| {
            let ty = k.strip_prefix("whole_")?;
            Some((ty.to_string(), v["value"].as_object()?.clone()))
        })
        .collect();
    let mut failures = vec![];
    let (mut exported, mut total) = (0, 0);
    for (ty, entry) in doc["types"].as_object().unwrap() {
        let Some(attrs) = read.get(ty) else {
            failures.push(format!("{ty}: not read by the test's configuration"));
            continue;
        };
        let names = data_attribute_names(ty).unwrap_or_default();
        let refused = data_attributes::unread_attributes(ty);
        let args: Vec<&String> = entry["arguments"].as_object().unwrap().keys().collect();
        for a in entry["attributes"].as_array().unwrap() {
            let a = a.as_str().unwrap();
            total += 1;
            if refused.contains(&a) {
                continue;
            }
            if !names.iter().any(|n| n == a) {
                failures.push(format!("{ty}.{a}: documented, neither named nor refused"));
            } else if !attrs.contains_key(a) {
                failures.push(format!("{ty}.{a}: named but not in the read"));
            } else {
                exported += 1;
            }
        }
        for k in attrs.keys() {
            if !names.contains(k) {
                failures.push(format!(
                    "{ty}.{k}: read but not named (refused in references)"
                ));
            }
        }
        for k in &names {
            if !attrs.contains_key(k) && !args.contains(&k) {
                failures.push(format!("{ty}.{k}: named but not read (would read as null)"));
            }
        }
    }
    eprintln!("documented data-source attributes exported: {exported} of {total}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(exported + 2 >= total, "{exported} of {total}");

    let v = |k: &str| outputs[k]["value"].clone();
    assert_eq!(
        v("blob_host"),
        json!("sadataall.blob.core.windows.net"),
        "{out}"
    );
    assert_eq!(
        v("blob_internet_host"),
        json!("sadataall-internetrouting.blob.core.windows.net"),
        "{out}"
    );
    assert_eq!(v("subnet_nsg"), json!(true), "{out}");
    assert_eq!(v("subnets"), json!(["apps"]), "{out}");
    assert!(
        v("peerings")["v-to-w"]
            .as_str()
            .is_some_and(|id| id.ends_with("/virtualNetworks/vnet-all-w")),
        "{out}"
    );
    assert_eq!(v("peering_addresses"), json!(["10.2.0.0/16"]), "{out}");
    let mut sizes: Vec<String> = serde_json::from_value(v("pool_sizes")).unwrap();
    sizes.sort();
    assert_eq!(sizes, ["Standard_D2s_v5", "Standard_D4s_v5"], "{out}");
    assert!(
        v("issuer")
            .as_str()
            .is_some_and(|u| u.starts_with("https://westeurope.oic.prod-aks.azure.com/")),
        "{out}"
    );
    assert!(
        v("node_group_id")
            .as_str()
            .is_some_and(|id| id.ends_with("/resourceGroups/MC_rg-data-all_aks-all_westeurope")),
        "{out}"
    );
    // The zone's SOA set and the eight made here: the emulator's count
    // (Azure also makes an NS set at the apex, which the emulator does not).
    assert_eq!(v("record_sets"), json!(9), "{out}");
}

/// A reference to an attribute a data source does not have is refused
/// while validating, as Terraform refuses it, at the reference; one
/// azurerm documents but 4.x removed says which name to use.
#[test]
fn validate_refuses_an_attribute_a_data_source_lacks() {
    let n = Newcomer::new();
    n.write(&format!(
        r#"{PROVIDER}data "azurerm_redis_cache" "r" {{
  name                = "cache"
  resource_group_name = "rg"
}}
output "x" {{
  value = data.azurerm_redis_cache.r.nonexistent_thing
}}
output "y" {{
  value = data.azurerm_redis_cache.r.enable_non_ssl_port
}}
output "fine" {{
  value = [data.azurerm_redis_cache.r.hostname, data.azurerm_redis_cache.r.non_ssl_port_enabled, data.azurerm_redis_cache.r.shard_count]
}}
data "terraform_remote_state" "net" {{
  backend = "local"
  config = {{
    path = "other.tfstate"
  }}
}}
output "unchecked" {{
  value = data.terraform_remote_state.net.outputs.anything
}}
"#
    ));
    let (code, out, err) = n.run(&["validate"]);
    assert_eq!(code, 1, "{out}\n{err}");
    let text = format!("{out}{err}");
    assert_eq!(text.matches("Unsupported attribute").count(), 2, "{text}");
    assert!(text.contains("main.tf:9:11"), "{text}");
    assert!(
        text.contains(
            r#"no argument, nested block, or exported attribute named "nonexistent_thing""#
        ),
        "{text}"
    );
    assert!(text.contains("main.tf:12:11"), "{text}");
    assert!(text.contains("non_ssl_port_enabled"), "{text}");
    // Names azurerm's data source has (its page leaves out shard_count),
    // and another provider's outputs, which no schema fixes, pass.
    assert!(
        !text.contains("main.tf:15") && !text.contains("main.tf:2"),
        "{text}"
    );
}

//! Conformance cases of the azurerm types added after the DR plan's own
//! (monitoring, networking, identity, storage and database children, ...):
//! the suite in `azure.rs` runs each through create, no-op re-plan,
//! import, update, drift, replacement and delete against the emulator.

use drinfra::plan::Action;
use drinfra::plan::planner::{self, PlanOptions};
use serde_json::json;

use crate::azure::{Case, action_of, harness, with_rg};

/// A storage account for rules to watch and children to hang from.
const ACCOUNT: &str = "resource \"azurerm_storage_account\" \"sa\" {\n  name = \"saconftypes\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  account_tier = \"Standard\"\n  account_replication_type = \"GRS\"\n}\n";

fn monitor(short: &str, threshold: u32, enabled: bool, name: &str) -> String {
    with_rg(&format!(
        "{ACCOUNT}resource \"azurerm_monitor_action_group\" \"ops\" {{\n  name = \"ag-{name}\"\n  resource_group_name = azurerm_resource_group.rg.name\n  short_name = \"{short}\"\n  email_receiver {{\n    name = \"oncall\"\n    email_address = \"oncall@example.com\"\n  }}\n  webhook_receiver {{\n    name = \"chat\"\n    service_uri = \"https://chat.example.com/hook\"\n    use_common_alert_schema = true\n  }}\n}}\nresource \"azurerm_monitor_metric_alert\" \"tx\" {{\n  name = \"tx-{name}\"\n  resource_group_name = azurerm_resource_group.rg.name\n  scopes = [azurerm_storage_account.sa.id]\n  description = \"transactions\"\n  severity = 2\n  enabled = {enabled}\n  criteria {{\n    metric_namespace = \"Microsoft.Storage/storageAccounts\"\n    metric_name = \"Transactions\"\n    aggregation = \"Total\"\n    operator = \"GreaterThan\"\n    threshold = {threshold}\n    dimension {{\n      name = \"ApiName\"\n      operator = \"Include\"\n      values = [\"*\"]\n    }}\n  }}\n  action {{\n    action_group_id = azurerm_monitor_action_group.ops.id\n  }}\n}}\nresource \"azurerm_monitor_activity_log_alert\" \"admin\" {{\n  name = \"admin-{name}\"\n  resource_group_name = azurerm_resource_group.rg.name\n  location = \"global\"\n  scopes = [azurerm_resource_group.rg.id]\n  description = \"threshold {threshold}\"\n  enabled = {enabled}\n  criteria {{\n    category = \"Administrative\"\n    operation_name = \"Microsoft.Storage/storageAccounts/write\"\n    levels = [\"Error\", \"Critical\"]\n  }}\n  action {{\n    action_group_id = azurerm_monitor_action_group.ops.id\n    webhook_properties = {{ from = \"drinfra\" }}\n  }}\n}}\n"
    ))
}

fn container(team: &str, name: &str) -> String {
    with_rg(&format!(
        "{ACCOUNT}resource \"azurerm_storage_container\" \"c\" {{\n  name = \"{name}\"\n  storage_account_id = azurerm_storage_account.sa.id\n  container_access_type = \"private\"\n  metadata = {{ team = \"{team}\" }}\n}}\n"
    ))
}

fn lifecycle(days: u32) -> String {
    with_rg(&format!(
        "{ACCOUNT}resource \"azurerm_storage_management_policy\" \"p\" {{\n  storage_account_id = azurerm_storage_account.sa.id\n  rule {{\n    name = \"versions\"\n    enabled = true\n    filters {{\n      blob_types = [\"blockBlob\"]\n    }}\n    actions {{\n      version {{\n        delete_after_days_since_creation = {days}\n      }}\n    }}\n  }}\n}}\n"
    ))
}

const PG: &str = "resource \"azurerm_postgresql_flexible_server\" \"pg\" {\n  name = \"pg-conf-types\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  version = \"16\"\n  sku_name = \"GP_Standard_D2ds_v5\"\n  storage_mb = 32768\n  administrator_login = \"pgadmin\"\n  administrator_password = \"S3cret-pw!\"\n}\n";

fn pg_children(db: &str, value: &str, end_ip: &str, rule: &str) -> String {
    with_rg(&format!(
        "{PG}resource \"azurerm_postgresql_flexible_server_database\" \"db\" {{\n  name = \"{db}\"\n  server_id = azurerm_postgresql_flexible_server.pg.id\n  charset = \"UTF8\"\n}}\nresource \"azurerm_postgresql_flexible_server_configuration\" \"param\" {{\n  name = \"{rule}_work_mem\"\n  server_id = azurerm_postgresql_flexible_server.pg.id\n  value = \"{value}\"\n}}\nresource \"azurerm_postgresql_flexible_server_firewall_rule\" \"office\" {{\n  name = \"{rule}\"\n  server_id = azurerm_postgresql_flexible_server.pg.id\n  start_ip_address = \"10.0.0.1\"\n  end_ip_address = \"{end_ip}\"\n}}\n"
    ))
}

fn redis_rule(end_ip: &str, rule: &str) -> String {
    with_rg(&format!(
        "resource \"azurerm_redis_cache\" \"cache\" {{\n  name = \"cache-conf-types\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  capacity = 1\n  family = \"P\"\n  sku_name = \"Premium\"\n}}\nresource \"azurerm_redis_firewall_rule\" \"office\" {{\n  name = \"{rule}\"\n  redis_cache_name = azurerm_redis_cache.cache.name\n  resource_group_name = azurerm_resource_group.rg.name\n  start_ip = \"10.0.0.1\"\n  end_ip = \"{end_ip}\"\n}}\n"
    ))
}

/// A network: the VNet, a subnet, an NSG, a public IP, a private zone
/// linked to the VNet; each argument is one case's update or replacement.
struct Net {
    dns: &'static str,
    vnet: &'static str,
    prefix: &'static str,
    subnet: &'static str,
    priority: u32,
    nsg: &'static str,
    idle: u32,
    ip: &'static str,
    team: &'static str,
    zone: &'static str,
    register: bool,
    link: &'static str,
}

const NET: Net = Net {
    dns: "10.0.0.4",
    vnet: "vnet-a",
    prefix: "10.0.1.0/24",
    subnet: "app",
    priority: 100,
    nsg: "nsg-a",
    idle: 4,
    ip: "pip-a",
    team: "net",
    zone: "privatelink.example.internal",
    register: false,
    link: "link-a",
};

fn net(n: Net) -> String {
    with_rg(&format!(
        "resource \"azurerm_virtual_network\" \"v\" {{\n  name = \"{}\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  address_space = [\"10.0.0.0/16\"]\n  dns_servers = [\"{}\"]\n}}\nresource \"azurerm_subnet\" \"s\" {{\n  name = \"{}\"\n  resource_group_name = azurerm_resource_group.rg.name\n  virtual_network_name = azurerm_virtual_network.v.name\n  address_prefixes = [\"{}\"]\n  service_endpoints = [\"Microsoft.Storage\"]\n}}\nresource \"azurerm_network_security_group\" \"n\" {{\n  name = \"{}\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  security_rule {{\n    name = \"https\"\n    priority = {}\n    direction = \"Inbound\"\n    access = \"Allow\"\n    protocol = \"Tcp\"\n    source_port_range = \"*\"\n    destination_port_range = \"443\"\n    source_address_prefix = \"*\"\n    destination_address_prefix = \"*\"\n  }}\n}}\nresource \"azurerm_public_ip\" \"ip\" {{\n  name = \"{}\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  allocation_method = \"Static\"\n  idle_timeout_in_minutes = {}\n}}\nresource \"azurerm_private_dns_zone\" \"z\" {{\n  name = \"{}\"\n  resource_group_name = azurerm_resource_group.rg.name\n  tags = {{ team = \"{}\" }}\n}}\nresource \"azurerm_private_dns_zone_virtual_network_link\" \"l\" {{\n  name = \"{}\"\n  resource_group_name = azurerm_resource_group.rg.name\n  private_dns_zone_name = azurerm_private_dns_zone.z.name\n  virtual_network_id = azurerm_virtual_network.v.id\n  registration_enabled = {}\n}}\n",
        n.vnet,
        n.dns,
        n.subnet,
        n.prefix,
        n.nsg,
        n.priority,
        n.ip,
        n.idle,
        n.zone,
        n.team,
        n.link,
        n.register
    ))
}

fn security(team: &str, retention: u32, deploy: bool, name: &str) -> String {
    with_rg(&format!(
        "data \"azurerm_client_config\" \"me\" {{}}\nresource \"azurerm_user_assigned_identity\" \"id\" {{\n  name = \"id-{name}\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  tags = {{ team = \"{team}\" }}\n}}\nresource \"azurerm_log_analytics_workspace\" \"logs\" {{\n  name = \"logs-{name}\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  sku = \"PerGB2018\"\n  retention_in_days = {retention}\n  local_authentication_enabled = false\n}}\nresource \"azurerm_key_vault\" \"kv\" {{\n  name = \"kv-conf-{name}\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  sku_name = \"standard\"\n  tenant_id = data.azurerm_client_config.me.tenant_id\n  enabled_for_deployment = {deploy}\n  access_policy {{\n    tenant_id = data.azurerm_client_config.me.tenant_id\n    object_id = data.azurerm_client_config.me.object_id\n    secret_permissions = [\"Get\", \"Set\"]\n  }}\n  network_acls {{\n    bypass = \"AzureServices\"\n    default_action = \"Deny\"\n    ip_rules = [\"203.0.113.0/24\"]\n  }}\n}}\n"
    ))
}

fn records(ttl: u32, name: &str) -> String {
    let rec = |ty: &str, body: &str| {
        format!(
            "resource \"azurerm_dns_{ty}_record\" \"r\" {{\n  name = \"{name}\"\n  zone_name = azurerm_dns_zone.z.name\n  resource_group_name = azurerm_resource_group.rg.name\n  ttl = {ttl}\n{body}}}\n"
        )
    };
    with_rg(&format!(
        "resource \"azurerm_dns_zone\" \"z\" {{\n  name = \"example.com\"\n  resource_group_name = azurerm_resource_group.rg.name\n}}\n{}{}{}{}{}{}",
        rec("aaaa", "  records = [\"2001:db8::1\", \"2001:db8::2\"]\n"),
        rec("txt", "  record {\n    value = \"v=spf1 -all\"\n  }\n").replace(&format!("name = \"{name}\""), &format!("name = \"{name}-txt\"")),
        rec("mx", "  record {\n    preference = 10\n    exchange = \"mail.example.com\"\n  }\n").replace(&format!("name = \"{name}\""), &format!("name = \"{name}-mx\"")),
        rec("ns", "  records = [\"ns1.example.net\"]\n").replace(&format!("name = \"{name}\""), &format!("name = \"{name}-ns\"")),
        rec("srv", "  record {\n    priority = 1\n    weight = 5\n    port = 443\n    target = \"api.example.com\"\n  }\n").replace(&format!("name = \"{name}\""), &format!("name = \"_https._tcp.{name}\"")),
        rec("caa", "  record {\n    flags = 0\n    tag = \"issue\"\n    value = \"letsencrypt.org\"\n  }\n").replace(&format!("name = \"{name}\""), &format!("name = \"{name}-caa\"")),
    ))
}

fn edge(set: &str, host: &str, tls: &str, mode: &str, sku: &str, pattern: &str) -> String {
    with_rg(&format!(
        "resource \"azurerm_cdn_frontdoor_profile\" \"fd\" {{\n  name = \"fd-conf\"\n  resource_group_name = azurerm_resource_group.rg.name\n  sku_name = \"Premium_AzureFrontDoor\"\n}}\nresource \"azurerm_cdn_frontdoor_rule_set\" \"rs\" {{\n  name = \"{set}\"\n  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id\n}}\nresource \"azurerm_cdn_frontdoor_custom_domain\" \"api\" {{\n  name = \"api-domain\"\n  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id\n  host_name = \"{host}\"\n  tls {{\n    certificate_type = \"ManagedCertificate\"\n    minimum_tls_version = \"{tls}\"\n  }}\n}}\nresource \"azurerm_cdn_frontdoor_firewall_policy\" \"waf\" {{\n  name = \"wafconf\"\n  resource_group_name = azurerm_resource_group.rg.name\n  sku_name = \"{sku}\"\n  mode = \"{mode}\"\n}}\nresource \"azurerm_cdn_frontdoor_security_policy\" \"sp\" {{\n  name = \"api-waf\"\n  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id\n  security_policies {{\n    firewall {{\n      cdn_frontdoor_firewall_policy_id = azurerm_cdn_frontdoor_firewall_policy.waf.id\n      association {{\n        domain {{\n          cdn_frontdoor_domain_id = azurerm_cdn_frontdoor_custom_domain.api.id\n        }}\n        patterns_to_match = [\"{pattern}\"]\n      }}\n    }}\n  }}\n}}\n"
    ))
}

fn peering(forwarded: bool, name: &str) -> String {
    let vnet = |n: &str, space: &str| {
        format!(
            "resource \"azurerm_virtual_network\" \"{n}\" {{\n  name = \"vnet-{n}\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  address_space = [\"{space}\"]\n}}\n"
        )
    };
    let peer = |n: &str, from: &str, to: &str, pname: &str, fwd: bool| {
        format!(
            "resource \"azurerm_virtual_network_peering\" \"{n}\" {{\n  name = \"{pname}\"\n  resource_group_name = azurerm_resource_group.rg.name\n  virtual_network_name = azurerm_virtual_network.{from}.name\n  remote_virtual_network_id = azurerm_virtual_network.{to}.id\n  allow_forwarded_traffic = {fwd}\n}}\n"
        )
    };
    with_rg(&format!(
        "{}{}{}{}",
        vnet("east", "10.0.0.0/16"),
        vnet("west", "10.1.0.0/16"),
        peer("east_west", "east", "west", name, forwarded),
        peer("west_east", "west", "east", "west-to-east", false)
    ))
}

pub(crate) fn cases() -> Vec<Case> {
    let m = monitor("ops", 100, true, "a");
    let pg = pg_children("app", "4096", "10.0.0.9", "office");
    let base = net(NET);
    let sec = security("platform", 30, false, "a");
    let dns: Vec<Case> = ["aaaa", "txt", "mx", "ns", "srv", "caa"]
        .into_iter()
        .map(|ty| Case {
            addr: match ty {
                "aaaa" => "azurerm_dns_aaaa_record.r",
                "txt" => "azurerm_dns_txt_record.r",
                "mx" => "azurerm_dns_mx_record.r",
                "ns" => "azurerm_dns_ns_record.r",
                "srv" => "azurerm_dns_srv_record.r",
                _ => "azurerm_dns_caa_record.r",
            },
            create: records(300, "api"),
            update: records(60, "api"),
            replace: Some(records(60, "www")),
            drift: Some((json!({"properties": {"TTL": 5}}), "2018-05-01")),
        })
        .collect();
    let e = |set, host, tls, mode, sku, pattern| edge(set, host, tls, mode, sku, pattern);
    let base_edge = e(
        "rules",
        "api.example.com",
        "TLS12",
        "Prevention",
        "Premium_AzureFrontDoor",
        "/*",
    );
    dns.into_iter().chain([
        Case {
            addr: "azurerm_virtual_network_peering.east_west",
            create: peering(false, "east-to-west"),
            update: peering(true, "east-to-west"),
            replace: Some(peering(true, "east-to-west-2")),
            drift: Some((json!({"properties": {"allowForwardedTraffic": false}}), "2024-05-01")),
        },
        Case {
            addr: "azurerm_cdn_frontdoor_rule_set.rs",
            create: base_edge.clone(),
            update: String::new(),
            replace: Some(e("rules2", "api.example.com", "TLS12", "Prevention", "Premium_AzureFrontDoor", "/*")),
            drift: None,
        },
        Case {
            addr: "azurerm_cdn_frontdoor_custom_domain.api",
            create: base_edge.clone(),
            update: e("rules", "api.example.com", "TLS10", "Prevention", "Premium_AzureFrontDoor", "/*"),
            replace: Some(e("rules", "www.example.com", "TLS10", "Prevention", "Premium_AzureFrontDoor", "/*")),
            drift: Some((json!({"properties": {"tlsSettings": {"minimumTlsVersion": "TLS12"}}}), "2025-06-01")),
        },
        Case {
            addr: "azurerm_cdn_frontdoor_firewall_policy.waf",
            create: base_edge.clone(),
            update: e("rules", "api.example.com", "TLS12", "Detection", "Premium_AzureFrontDoor", "/*"),
            replace: Some(e("rules", "api.example.com", "TLS12", "Detection", "Standard_AzureFrontDoor", "/*")),
            drift: Some((json!({"properties": {"policySettings": {"mode": "Prevention"}}}), "2024-02-01")),
        },
        Case {
            addr: "azurerm_cdn_frontdoor_security_policy.sp",
            create: base_edge.clone(),
            update: String::new(),
            replace: Some(e("rules", "api.example.com", "TLS12", "Prevention", "Premium_AzureFrontDoor", "/api/*")),
            drift: None,
        },
        Case {
            addr: "azurerm_user_assigned_identity.id",
            create: sec.clone(),
            update: security("edge", 30, false, "a"),
            replace: Some(security("edge", 30, false, "b")),
            drift: Some((json!({"tags": {"team": "outside"}}), "2023-01-31")),
        },
        Case {
            addr: "azurerm_log_analytics_workspace.logs",
            create: sec.clone(),
            update: security("platform", 60, false, "a"),
            replace: Some(security("platform", 60, false, "b")),
            drift: Some((json!({"properties": {"retentionInDays": 90}}), "2023-09-01")),
        },
        Case {
            addr: "azurerm_key_vault.kv",
            create: sec.clone(),
            update: security("platform", 30, true, "a"),
            replace: Some(security("platform", 30, true, "b")),
            drift: Some((
                json!({"properties": {"enabledForDeployment": false}}),
                "2023-07-01",
            )),
        },
        Case {
            addr: "azurerm_virtual_network.v",
            create: base.clone(),
            update: net(Net {
                dns: "10.0.0.5",
                ..NET
            }),
            replace: Some(net(Net {
                dns: "10.0.0.5",
                vnet: "vnet-b",
                ..NET
            })),
            drift: Some((
                json!({"properties": {"dhcpOptions": {"dnsServers": ["1.1.1.1"]}}}),
                "2024-05-01",
            )),
        },
        Case {
            addr: "azurerm_subnet.s",
            create: base.clone(),
            update: net(Net {
                prefix: "10.0.2.0/24",
                ..NET
            }),
            replace: Some(net(Net {
                prefix: "10.0.2.0/24",
                subnet: "app2",
                ..NET
            })),
            drift: Some((
                json!({"properties": {"addressPrefixes": ["10.0.3.0/24"]}}),
                "2024-05-01",
            )),
        },
        Case {
            addr: "azurerm_network_security_group.n",
            create: base.clone(),
            update: net(Net {
                priority: 200,
                ..NET
            }),
            replace: Some(net(Net {
                priority: 200,
                nsg: "nsg-b",
                ..NET
            })),
            drift: Some((json!({"properties": {"securityRules": []}}), "2024-05-01")),
        },
        Case {
            addr: "azurerm_public_ip.ip",
            create: base.clone(),
            update: net(Net { idle: 10, ..NET }),
            replace: Some(net(Net {
                idle: 10,
                ip: "pip-b",
                ..NET
            })),
            drift: Some((
                json!({"properties": {"idleTimeoutInMinutes": 30}}),
                "2024-05-01",
            )),
        },
        Case {
            addr: "azurerm_private_dns_zone.z",
            create: base.clone(),
            update: net(Net {
                team: "platform",
                ..NET
            }),
            replace: Some(net(Net {
                team: "platform",
                zone: "privatelink.example.org",
                ..NET
            })),
            drift: Some((json!({"tags": {"team": "outside"}}), "2024-06-01")),
        },
        Case {
            addr: "azurerm_private_dns_zone_virtual_network_link.l",
            create: base.clone(),
            update: net(Net {
                register: true,
                ..NET
            }),
            replace: Some(net(Net {
                register: true,
                link: "link-b",
                ..NET
            })),
            drift: Some((
                json!({"properties": {"registrationEnabled": false}}),
                "2024-06-01",
            )),
        },
        Case {
            addr: "azurerm_storage_container.c",
            create: container("data", "backups"),
            update: container("platform", "backups"),
            replace: Some(container("platform", "backups2")),
            drift: Some((
                json!({"properties": {"metadata": {"owner": "someone"}}}),
                "2025-01-01",
            )),
        },
        Case {
            addr: "azurerm_storage_management_policy.p",
            create: lifecycle(30),
            update: lifecycle(60),
            replace: None,
            drift: Some((
                json!({"properties": {"policy": {"rules": [{"name": "versions", "enabled": false, "type": "Lifecycle", "definition": {"filters": {"blobTypes": ["blockBlob"]}, "actions": {"version": {"delete": {"daysAfterCreationGreaterThan": 60}}}}}]}}}),
                "2025-01-01",
            )),
        },
        Case {
            addr: "azurerm_postgresql_flexible_server_database.db",
            create: pg.clone(),
            update: String::new(),
            replace: Some(pg_children("app2", "4096", "10.0.0.9", "office")),
            drift: None,
        },
        Case {
            addr: "azurerm_postgresql_flexible_server_configuration.param",
            create: pg.clone(),
            update: pg_children("app", "8192", "10.0.0.9", "office"),
            replace: Some(pg_children("app", "8192", "10.0.0.9", "lab")),
            drift: Some((json!({"properties": {"value": "1024"}}), "2025-08-01")),
        },
        Case {
            addr: "azurerm_postgresql_flexible_server_firewall_rule.office",
            create: pg.clone(),
            update: pg_children("app", "4096", "10.0.0.20", "office"),
            replace: Some(pg_children("app", "4096", "10.0.0.20", "lab")),
            drift: Some((
                json!({"properties": {"endIpAddress": "10.0.0.30"}}),
                "2025-08-01",
            )),
        },
        Case {
            addr: "azurerm_redis_firewall_rule.office",
            create: redis_rule("10.0.0.9", "office"),
            update: redis_rule("10.0.0.20", "office"),
            replace: Some(redis_rule("10.0.0.20", "lab")),
            drift: Some((json!({"properties": {"endIP": "10.0.0.30"}}), "2024-11-01")),
        },
        Case {
            addr: "azurerm_monitor_action_group.ops",
            create: m.clone(),
            update: monitor("oncall", 100, true, "a"),
            replace: Some(monitor("oncall", 100, true, "a").replace("ag-a", "ag-b")),
            drift: Some((
                json!({"properties": {"groupShortName": "other"}}),
                "2023-01-01",
            )),
        },
        Case {
            addr: "azurerm_monitor_metric_alert.tx",
            create: m.clone(),
            update: monitor("ops", 200, false, "a"),
            replace: Some(monitor("ops", 200, false, "a").replace("tx-a", "tx-b")),
            drift: Some((json!({"properties": {"severity": 4}}), "2018-03-01")),
        },
        Case {
            addr: "azurerm_monitor_activity_log_alert.admin",
            create: m.clone(),
            update: monitor("ops", 200, false, "a"),
            replace: Some(monitor("ops", 200, false, "a").replace("admin-a", "admin-b")),
            drift: Some((
                json!({"properties": {"description": "changed outside"}}),
                "2020-10-01",
            )),
        },
    ])
    .collect()
}

/// The Azure rules a user is most likely to hit, as the emulator keeps
/// them: each apply fails with Azure's error, and the plan after it still
/// wants to make the object (nothing was created).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_keeps_azures_rules_for_the_new_types() {
    let h = harness().await;
    assert!(h.apply(&net(NET)).await.ok);
    let refused = |text: String, code: &'static str| {
        let h = &h;
        async move {
            let out = h.apply(&text).await;
            assert!(!out.ok, "{code}: applied");
            assert!(
                out.failed.iter().any(|f| f.contains(code)),
                "{code}: {:?}",
                out.failed
            );
        }
    };
    let base = net(NET);
    let extra_subnet = |prefix: &str| {
        format!(
            "{base}resource \"azurerm_subnet\" \"t\" {{\n  name = \"other\"\n  resource_group_name = azurerm_resource_group.rg.name\n  virtual_network_name = azurerm_virtual_network.v.name\n  address_prefixes = [\"{prefix}\"]\n}}\n"
        )
    };
    // A subnet outside its network's space, or over a sibling.
    refused(extra_subnet("10.1.0.0/24"), "NetcfgSubnetRangeOutsideVnet").await;
    refused(extra_subnet("10.0.1.128/25"), "NetcfgSubnetRangesOverlap").await;
    // The same network linked twice to one private zone.
    refused(
        format!("{base}resource \"azurerm_private_dns_zone_virtual_network_link\" \"again\" {{\n  name = \"link-again\"\n  resource_group_name = azurerm_resource_group.rg.name\n  private_dns_zone_name = azurerm_private_dns_zone.z.name\n  virtual_network_id = azurerm_virtual_network.v.id\n}}\n"),
        "Conflict",
    )
    .await;
    // A public container on an account that forbids public access. The
    // account says so: azurerm 4.x sends allow_nested_items_to_be_public =
    // true when it is left out, and then Azure takes the container.
    refused(
        container("data", "public")
            .replace("\"private\"", "\"blob\"")
            .replace(
                "account_replication_type = \"GRS\"\n",
                "account_replication_type = \"GRS\"\n  allow_nested_items_to_be_public = false\n",
            ),
        "PublicAccessNotPermitted",
    )
    .await;
    assert!(h.apply(&extra_subnet("10.0.9.0/24")).await.ok);
    // Peered networks whose address spaces overlap.
    refused(
        peering(false, "east-to-west").replace("10.1.0.0/16", "10.0.128.0/17"),
        "VnetAddressSpacesOverlap",
    )
    .await;
}

/// `data "azurerm_client_config"` gives the signed-in identity's object id
/// from the access token's `oid` claim (the emulator's tokens carry the
/// client's), so a Key Vault access policy for the running identity works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_config_gives_the_object_id_from_the_tokens_claims() {
    let h = harness().await;
    let out = h
        .apply("provider \"azurerm\" {\n  features {}\n}\ndata \"azurerm_client_config\" \"me\" {}\noutput \"me\" {\n  value = data.azurerm_client_config.me\n}\n")
        .await;
    assert!(out.ok, "{:?}", out.failed);
    let me = &h.state_json()["outputs"]["me"]["value"];
    let c = &h.running.credentials;
    assert_eq!(me["object_id"].as_str(), Some(c.client_id.as_str()), "{me}");
    assert_eq!(me["tenant_id"].as_str(), Some(c.tenant_id.as_str()), "{me}");
    assert_eq!(me["client_id"].as_str(), Some(c.client_id.as_str()), "{me}");
    assert!(
        me["id"]
            .as_str()
            .unwrap()
            .contains(&format!("objectId={};", c.client_id))
    );
}

/// The classic Front Door of the conformance suite.
fn classic(probe_path: &str, name: &str) -> String {
    with_rg(&format!(
        "resource \"azurerm_frontdoor\" \"classic\" {{\n  name = \"{name}\"\n  resource_group_name = azurerm_resource_group.rg.name\n  routing_rule {{\n    name = \"rule1\"\n    accepted_protocols = [\"Https\"]\n    patterns_to_match = [\"/*\"]\n    frontend_endpoints = [\"frontend\"]\n    forwarding_configuration {{\n      forwarding_protocol = \"HttpsOnly\"\n      backend_pool_name = \"pool\"\n    }}\n  }}\n  backend_pool_load_balancing {{\n    name = \"lb\"\n    sample_size = 4\n    successful_samples_required = 2\n  }}\n  backend_pool_health_probe {{\n    name = \"probe\"\n    path = \"{probe_path}\"\n    protocol = \"Https\"\n    interval_in_seconds = 30\n  }}\n  backend_pool {{\n    name = \"pool\"\n    backend {{\n      address = \"east.example.com\"\n      host_header = \"east.example.com\"\n      http_port = 80\n      https_port = 443\n      priority = 1\n      weight = 50\n    }}\n    load_balancing_name = \"lb\"\n    health_probe_name = \"probe\"\n  }}\n  frontend_endpoint {{\n    name = \"frontend\"\n    host_name = \"{name}.azurefd.net\"\n  }}\n}}\n"
    ))
}

const SUB: &str = "00000000-0000-0000-0000-000000000001";

/// Classic Front Door: a new profile is refused while planning, at the
/// resource, with the reason (Azure stopped creating them, so the apply
/// would fail); an existing one is imported, changed in place and deleted,
/// and a change that would replace it is refused the same way.
/// (It was a create case of the conformance suite, which the emulator
/// allowed as "an existing estate".)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classic_front_door_is_refused_when_new_and_managed_when_it_exists() {
    let h = harness().await;
    let plan_errors = |text: String| {
        let h = &h;
        async move {
            std::fs::write(h.dir().join("main.tf"), &text).unwrap();
            let stack = drinfra::config::open(h.dir(), &[], &[]);
            let prior = drinfra::state::LocalBackend::new(h.dir().join("s.tfstate"));
            let prior = drinfra::state::Backend::load(&prior).unwrap();
            let (_, diags) = planner::plan(
                &stack.config,
                &stack.inputs,
                h.dir(),
                prior.as_ref(),
                &h.providers,
                &PlanOptions::default(),
            )
            .await;
            let errors: Vec<_> = diags.errors().cloned().collect();
            // At the resource's name label.
            let at = text.find("\"classic\" {").unwrap();
            errors
                .into_iter()
                .filter(|d| d.span.as_ref().is_some_and(|s| s.range.start == at))
                .map(|d| format!("{}: {}", d.summary, d.detail.unwrap_or_default()))
                .collect::<Vec<_>>()
        }
    };
    let fd = classic("/health", "fd-classic-conf");
    let errors = plan_errors(fd.clone()).await;
    assert!(
        errors.len() == 1
            && errors[0].starts_with("Cannot plan azurerm_frontdoor.classic: Azure Front Door (classic) no longer accepts new profiles:"),
        "{errors:?}"
    );
    // An existing profile (made before the retirement began).
    assert!(h.apply(RG_ONLY).await.ok);
    h.admin(
        "PATCH",
        "settings",
        json!({"allow_classic_frontdoor_create": true}),
    )
    .await;
    let id = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-conf/providers/Microsoft.Network/frontDoors/fd-classic-conf"
    );
    let sub_id = |kind: &str, name: &str| json!({"id": format!("{id}/{kind}/{name}")});
    let body = json!({"location": "global", "properties": {
        "backendPools": [{"name": "pool", "properties": {"backends": [{"address": "east.example.com", "backendHostHeader": "east.example.com", "httpPort": 80, "httpsPort": 443, "priority": 1, "weight": 50, "enabledState": "Enabled"}], "loadBalancingSettings": sub_id("loadBalancingSettings", "lb"), "healthProbeSettings": sub_id("healthProbeSettings", "probe")}}],
        "healthProbeSettings": [{"name": "probe", "properties": {"path": "/health", "protocol": "Https", "intervalInSeconds": 30, "enabledState": "Enabled"}}],
        "loadBalancingSettings": [{"name": "lb", "properties": {"sampleSize": 4, "successfulSamplesRequired": 2}}],
        "frontendEndpoints": [{"name": "frontend", "properties": {"hostName": "fd-classic-conf.azurefd.net"}}],
        "routingRules": [{"name": "rule1", "properties": {"acceptedProtocols": ["Https"], "patternsToMatch": ["/*"], "frontendEndpoints": [sub_id("frontendEndpoints", "frontend")], "enabledState": "Enabled", "routeConfiguration": {"@odata.type": "#Microsoft.Azure.FrontDoor.Models.FrontdoorForwardingConfiguration", "forwardingProtocol": "HttpsOnly", "backendPool": sub_id("backendPools", "pool")}}}]
    }});
    assert!(h.arm("PUT", &id, "2021-06-01", Some(body)).await < 300);
    h.admin(
        "PATCH",
        "settings",
        json!({"allow_classic_frontdoor_create": false}),
    )
    .await;
    let imported = h
        .apply(&format!(
            "{fd}import {{\n  to = azurerm_frontdoor.classic\n  id = \"{id}\"\n}}\n"
        ))
        .await;
    assert!(imported.ok, "{:?}", imported.failed);
    assert!(
        !h.plan(&fd).await.has_resource_changes(),
        "clean after import"
    );
    let up = h.apply(&classic("/ready", "fd-classic-conf")).await;
    assert!(up.ok, "{:?}", up.failed);
    assert_eq!(
        action_of(&up.plan, "azurerm_frontdoor.classic"),
        Action::Update
    );
    assert_eq!(
        h.state_attr("azurerm_frontdoor.classic", "id").as_str(),
        Some(id.as_str())
    );
    // A new name would be a new profile.
    let errors = plan_errors(classic("/ready", "fd-classic-conf2")).await;
    assert!(
        errors.len() == 1 && errors[0].contains("no longer accepts new profiles"),
        "{errors:?}"
    );
    let gone = h.apply(RG_ONLY).await;
    assert!(gone.ok, "{:?}", gone.failed);
    assert_eq!(h.arm("GET", &id, "2021-06-01", None).await, 404);
}

const RG_ONLY: &str = "provider \"azurerm\" {\n  features {}\n}\nresource \"azurerm_resource_group\" \"rg\" {\n  name     = \"rg-conf\"\n  location = \"West Europe\"\n}\n";

/// A destroyed key vault is purged (azurerm's default), so its name can be
/// used again; one deleted outside drinfra stays soft-deleted and holds
/// its name, and the emulator refuses a new vault of that name as Azure
/// does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_vaults_name_is_held_while_it_is_soft_deleted() {
    let h = harness().await;
    let kv = security("platform", 30, false, "a");
    assert!(h.apply(&kv).await.ok);
    assert!(h.apply(RG_ONLY).await.ok, "destroyed, and purged");
    let again = h.apply(&kv).await;
    assert!(again.ok, "the name is free again: {:?}", again.failed);
    let id = h
        .state_attr("azurerm_key_vault.kv", "id")
        .as_str()
        .unwrap()
        .to_string();
    // Deleted behind drinfra's back: soft-deleted, not purged.
    assert_eq!(h.arm("DELETE", &id, "2023-07-01", None).await, 200);
    let refused = h.apply(&kv).await;
    assert!(!refused.ok);
    assert!(
        refused
            .failed
            .iter()
            .any(|f| f.contains("ConflictError") && f.contains("deleted state")),
        "{:?}",
        refused.failed
    );
}

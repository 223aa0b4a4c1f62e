//! Conformance cases of the azurerm types added after the DR plan's own
//! (monitoring, networking, identity, storage and database children, ...):
//! the suite in `azure.rs` runs each through create, no-op re-plan,
//! import, update, drift, replacement and delete against the emulator.

use serde_json::json;

use crate::azure::{Case, with_rg};

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

pub(crate) fn cases() -> Vec<Case> {
    let m = monitor("ops", 100, true, "a");
    let pg = pg_children("app", "4096", "10.0.0.9", "office");
    vec![
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
    ]
}

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

pub(crate) fn cases() -> Vec<Case> {
    let m = monitor("ops", 100, true, "a");
    vec![
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

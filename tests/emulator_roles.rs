//! The emulator's built-in role catalogue: azurerm finds Azure's roles by
//! name, with their real GUIDs, at any scope, and assigns them.

use serde_json::json;

use crate::azure::{harness, with_rg};

/// Well-known roles and the GUIDs Azure gives them (from Azure's
/// published built-in role table; the last two are newer than 2023).
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "site_recovery_reader",
        "Site Recovery Reader",
        "dbaa88c4-0c30-4179-9fb3-46319faa6149",
    ),
    (
        "site_recovery_operator",
        "Site Recovery Operator",
        "494ae006-db33-4328-bf46-533a6560a3ca",
    ),
    (
        "site_recovery_contributor",
        "Site Recovery Contributor",
        "6670b86e-a3f7-4917-ac9b-5d6ab1be4567",
    ),
    (
        "acr_pull",
        "AcrPull",
        "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    ),
    (
        "kv_secrets_user",
        "Key Vault Secrets User",
        "4633458b-17de-408a-b874-0445c86b69e6",
    ),
    (
        "network_contributor",
        "Network Contributor",
        "4d97b98b-1d4f-4787-a291-c67834d212e7",
    ),
    (
        "blob_owner",
        "Storage Blob Data Owner",
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    ),
    (
        "backup_contributor",
        "Backup Contributor",
        "5e467623-bb1f-42f4-a55d-6e525e11384b",
    ),
    (
        "monitoring_contributor",
        "Monitoring Contributor",
        "749f88d5-cbae-40b8-bcfc-e573ddc772fa",
    ),
    (
        "kv_data_access_admin",
        "Key Vault Data Access Administrator",
        "8b54135c-b56d-4d72-a534-26097cfdc8d8",
    ),
    (
        "rbac_admin",
        "Role Based Access Control Administrator",
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    ),
];

const IDENTITY: &str = "resource \"azurerm_user_assigned_identity\" \"app\" {\n  name = \"id-app\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n}\n";

/// Each role, looked up by name at the group's scope and then by the GUID
/// found at the tenant's root, resolves to its real GUID and name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn well_known_roles_resolve_by_name_and_guid() {
    let h = harness().await;
    let mut text = String::new();
    for (label, name, _) in KNOWN {
        text.push_str(&format!(
            "data \"azurerm_role_definition\" \"{label}\" {{\n  name = \"{name}\"\n  scope = azurerm_resource_group.rg.id\n}}\ndata \"azurerm_role_definition\" \"{label}_by_id\" {{\n  role_definition_id = data.azurerm_role_definition.{label}.role_definition_id\n}}\noutput \"{label}\" {{\n  value = [data.azurerm_role_definition.{label}.role_definition_id, data.azurerm_role_definition.{label}_by_id.name, data.azurerm_role_definition.{label}.type]\n}}\n"
        ));
    }
    // The published permissions of a general role, empty lists for others.
    text.push_str("data \"azurerm_role_definition\" \"reader\" {\n  name = \"Reader\"\n}\noutput \"permissions\" {\n  value = [data.azurerm_role_definition.reader.permissions[0].actions, data.azurerm_role_definition.site_recovery_reader.permissions[0].actions]\n}\n");
    let out = h.apply(&with_rg(&text)).await;
    assert!(out.ok, "{:?}", out.failed);
    let outputs = &h.state_json()["outputs"];
    assert_eq!(outputs["permissions"]["value"], json!([["*/read"], []]));
    for (label, name, guid) in KNOWN {
        assert_eq!(
            outputs[label]["value"],
            json!([guid, name, "BuiltInRole"]),
            "{name}"
        );
    }
}

/// An assignment of "Site Recovery Reader" (a role outside the handful the
/// emulator once knew) applies, names the role's real definition, and
/// re-plans with no changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_recovery_reader_assignment_applies_and_settles() {
    let h = harness().await;
    let text = with_rg(&format!(
        "{IDENTITY}resource \"azurerm_role_assignment\" \"dr\" {{\n  scope = azurerm_resource_group.rg.id\n  role_definition_name = \"Site Recovery Reader\"\n  principal_id = azurerm_user_assigned_identity.app.principal_id\n}}\n"
    ));
    let out = h.apply(&text).await;
    assert!(out.ok, "{:?}", out.failed);
    let role = h.state_attr("azurerm_role_assignment.dr", "role_definition_id");
    assert!(
        role.as_str()
            .is_some_and(|r| r.ends_with("/roleDefinitions/dbaa88c4-0c30-4179-9fb3-46319faa6149")),
        "{role}"
    );
    assert_eq!(
        h.state_attr("azurerm_role_assignment.dr", "role_definition_name"),
        json!("Site Recovery Reader")
    );
    let again = h.plan(&text).await;
    assert!(
        !again.has_resource_changes() && again.drift.is_empty(),
        "{:?}",
        again.changes
    );
    let gone = h.apply(&with_rg("")).await;
    assert!(gone.ok, "{:?}", gone.failed);
}

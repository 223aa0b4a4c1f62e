//! Conformance cases and Azure's rules for the types that are not one ARM
//! object of their own: a subnet's network security group association,
//! role assignments, storage object replication (and private endpoints,
//! with the network interface and DNS records Azure makes for them).

use drinfra::plan::Action;
use serde_json::json;

use crate::azure::{Case, action_of, harness, with_rg};

const SUB: &str = "00000000-0000-0000-0000-000000000001";

fn rg_id() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg-conf")
}

const NETWORK: &str = "resource \"azurerm_virtual_network\" \"v\" {\n  name = \"vnet-a\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  address_space = [\"10.0.0.0/16\"]\n}\nresource \"azurerm_subnet\" \"s\" {\n  name = \"app\"\n  resource_group_name = azurerm_resource_group.rg.name\n  virtual_network_name = azurerm_virtual_network.v.name\n  address_prefixes = [\"10.0.1.0/24\"]\n}\nresource \"azurerm_network_security_group\" \"a\" {\n  name = \"nsg-a\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n}\nresource \"azurerm_network_security_group\" \"b\" {\n  name = \"nsg-b\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n}\n";

/// The network with subnet `s` associated to group `nsg` ("a" or "b"),
/// and the subnet's own arguments (`prefix`) free to change.
fn associated(nsg: &str, prefix: &str) -> String {
    with_rg(&format!(
        "{}resource \"azurerm_subnet_network_security_group_association\" \"s\" {{\n  subnet_id = azurerm_subnet.s.id\n  network_security_group_id = azurerm_network_security_group.{nsg}.id\n}}\n",
        NETWORK.replace("10.0.1.0/24", prefix)
    ))
}

const IDENTITY: &str = "resource \"azurerm_user_assigned_identity\" \"app\" {\n  name = \"id-app\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n}\nresource \"azurerm_storage_account\" \"sa\" {\n  name = \"saconfroles\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  account_tier = \"Standard\"\n  account_replication_type = \"LRS\"\n}\n";

fn assignment(role: &str, description: &str) -> String {
    with_rg(&format!(
        "{IDENTITY}resource \"azurerm_role_assignment\" \"reader\" {{\n  scope = azurerm_storage_account.sa.id\n  role_definition_name = \"{role}\"\n  principal_id = azurerm_user_assigned_identity.app.principal_id\n  description = \"{description}\"\n}}\n"
    ))
}

/// Storage accounts with versioning (and the source's change feed), a
/// container in each, and the replication between them.
fn replication(dest: &str, prefix: &str, metrics: bool) -> String {
    let account = |label: &str, name: &str| {
        format!(
            "resource \"azurerm_storage_account\" \"{label}\" {{\n  name = \"{name}\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  account_tier = \"Standard\"\n  account_replication_type = \"LRS\"\n  blob_properties {{\n    versioning_enabled = true\n    change_feed_enabled = true\n  }}\n}}\nresource \"azurerm_storage_container\" \"{label}\" {{\n  name = \"data\"\n  storage_account_id = azurerm_storage_account.{label}.id\n}}\n"
        )
    };
    with_rg(&format!(
        "{}{}{}resource \"azurerm_storage_object_replication\" \"dr\" {{\n  source_storage_account_id = azurerm_storage_account.src.id\n  destination_storage_account_id = azurerm_storage_account.{dest}.id\n  metrics_enabled = {metrics}\n  rules {{\n    source_container_name = azurerm_storage_container.src.name\n    destination_container_name = azurerm_storage_container.{dest}.name\n    copy_blobs_created_after = \"Everything\"\n    filter_out_blobs_with_prefix = [\"{prefix}\"]\n  }}\n}}\n",
        account("src", "saconfsrc"),
        account("dst", "saconfdst"),
        account("dst2", "saconfdst2"),
    ))
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            addr: "azurerm_subnet_network_security_group_association.s",
            create: associated("a", "10.0.1.0/24"),
            update: String::new(),
            replace: Some(associated("b", "10.0.1.0/24")),
            // Its only argument forces a replacement: drift is tested below.
            drift: None,
        },
        Case {
            addr: "azurerm_role_assignment.reader",
            create: assignment("Storage Blob Data Reader", "reads backups"),
            update: assignment("Storage Blob Data Reader", "reads and lists backups"),
            replace: Some(assignment(
                "Storage Blob Data Contributor",
                "reads and lists backups",
            )),
            drift: Some((
                json!({"properties": {"description": "changed outside"}}),
                "2022-04-01",
            )),
        },
        Case {
            addr: "azurerm_storage_object_replication.dr",
            create: replication("dst", "logs/", false),
            update: replication("dst", "backups/", true),
            replace: Some(replication("dst2", "backups/", true)),
            // Its id names two policies, not one ARM object to patch.
            drift: None,
        },
    ]
}

/// The association is the subnet's `networkSecurityGroup`: the subnet's
/// own updates keep it, a subnet neither reports drift for it nor fights
/// it, a change made outside shows as drift of the association, and one
/// removed outside is made again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nsg_association_lives_on_the_subnet_without_a_fight() {
    let h = harness().await;
    let base = associated("a", "10.0.1.0/24");
    let out = h.apply(&base).await;
    assert!(out.ok, "{:?}", out.failed);
    let subnet = h
        .state_attr("azurerm_subnet.s", "id")
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        h.state_attr("azurerm_subnet_network_security_group_association.s", "id")
            .as_str(),
        Some(subnet.as_str()),
        "the association's id is the subnet's"
    );
    let nsg = |n: &str| {
        format!(
            "{}/providers/Microsoft.Network/networkSecurityGroups/nsg-{n}",
            rg_id()
        )
    };
    // The subnet's own update keeps the group.
    let up = h.apply(&associated("a", "10.0.2.0/24")).await;
    assert!(up.ok, "{:?}", up.failed);
    assert_eq!(action_of(&up.plan, "azurerm_subnet.s"), Action::Update);
    assert!(
        up.plan.changes.iter().all(|c| c.address
            != "azurerm_subnet_network_security_group_association.s"
            || c.action == Action::NoOp),
        "the association is not touched by the subnet's update"
    );
    let again = h.plan(&associated("a", "10.0.2.0/24")).await;
    assert!(
        !again.has_resource_changes(),
        "no fight: {:?}",
        again.actions().map(|c| &c.address).collect::<Vec<_>>()
    );
    assert!(again.drift.is_empty());
    // The cloud has the group on the subnet.
    assert_eq!(h.arm("GET", &subnet, "2024-05-01", None).await, 200);
    // Changed outside: drift of the association (not of the subnet), and
    // the plan puts it back by replacing the association.
    assert!(
        h.arm(
            "PATCH",
            &subnet,
            "2024-05-01",
            Some(json!({"properties": {"networkSecurityGroup": {"id": nsg("b")}}}))
        )
        .await
            < 300
    );
    let drifted = h.plan(&associated("a", "10.0.2.0/24")).await;
    assert!(
        drifted
            .drift
            .iter()
            .any(|d| d.address == "azurerm_subnet_network_security_group_association.s"),
        "drift not shown"
    );
    assert!(
        drifted
            .drift
            .iter()
            .all(|d| d.address != "azurerm_subnet.s")
    );
    assert!(
        action_of(
            &drifted,
            "azurerm_subnet_network_security_group_association.s"
        )
        .is_replace()
    );
    assert!(h.apply(&associated("a", "10.0.2.0/24")).await.ok);
    // Removed outside: the association is gone, and made again.
    assert!(
        h.arm(
            "PATCH",
            &subnet,
            "2024-05-01",
            Some(json!({"properties": {"networkSecurityGroup": null}}))
        )
        .await
            < 300
    );
    let gone = h.plan(&associated("a", "10.0.2.0/24")).await;
    assert_eq!(
        action_of(&gone, "azurerm_subnet_network_security_group_association.s"),
        Action::Create
    );
    assert!(h.apply(&associated("a", "10.0.2.0/24")).await.ok);
    // A subnet that already has a group is not taken over (import it).
    let other = format!(
        "{}resource \"azurerm_subnet_network_security_group_association\" \"t\" {{\n  subnet_id = azurerm_subnet.s.id\n  network_security_group_id = azurerm_network_security_group.b.id\n}}\n",
        associated("a", "10.0.2.0/24")
    );
    let taken = h.apply(&other).await;
    assert!(!taken.ok);
    assert!(
        taken.failed.iter().any(|f| f.contains("already exists")),
        "{:?}",
        taken.failed
    );
    // A group still associated cannot be deleted, as Azure refuses; the
    // association goes first when both are destroyed.
    assert_eq!(h.arm("DELETE", &nsg("a"), "2024-05-01", None).await, 400);
    let destroyed = h.apply(&with_rg("")).await;
    assert!(destroyed.ok, "{:?}", destroyed.failed);
}

/// A role assignment's Azure rules: the same role for the same principal
/// at the same scope is refused (RoleAssignmentExists), a role that does
/// not exist is refused, and the built-in roles resolve by name to their
/// real GUIDs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_assignments_keep_azures_rules() {
    let h = harness().await;
    let base = assignment("Storage Blob Data Reader", "reads backups");
    let out = h.apply(&base).await;
    assert!(out.ok, "{:?}", out.failed);
    let role = h.state_attr("azurerm_role_assignment.reader", "role_definition_id");
    assert_eq!(
        role.as_str(),
        Some(format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1").as_str())
    );
    let name = h.state_attr("azurerm_role_assignment.reader", "name");
    assert_eq!(name.as_str().map(str::len), Some(36), "a GUID name: {name}");
    assert_eq!(
        h.state_attr("azurerm_role_assignment.reader", "principal_type")
            .as_str(),
        Some("ServicePrincipal"),
        "a managed identity is a service principal"
    );
    let twice = h
        .apply(&format!(
            "{base}resource \"azurerm_role_assignment\" \"again\" {{\n  scope = azurerm_storage_account.sa.id\n  role_definition_id = azurerm_role_assignment.reader.role_definition_id\n  principal_id = azurerm_user_assigned_identity.app.principal_id\n}}\n"
        ))
        .await;
    assert!(!twice.ok);
    assert!(
        twice
            .failed
            .iter()
            .any(|f| f.contains("RoleAssignmentExists")),
        "{:?}",
        twice.failed
    );
    let unknown = h
        .apply(&format!(
            "{base}resource \"azurerm_role_assignment\" \"bogus\" {{\n  scope = azurerm_storage_account.sa.id\n  role_definition_id = \"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-0000-0000-00000000beef\"\n  principal_id = azurerm_user_assigned_identity.app.principal_id\n}}\n"
        ))
        .await;
    assert!(!unknown.ok);
    assert!(
        unknown
            .failed
            .iter()
            .any(|f| f.contains("RoleDefinitionDoesNotExist")),
        "{:?}",
        unknown.failed
    );
    // A group-scope assignment is not one of the group's resources (the
    // group's delete guard does not count it).
    let at_group = h
        .apply(&format!(
            "{base}resource \"azurerm_role_assignment\" \"group\" {{\n  scope = azurerm_resource_group.rg.id\n  role_definition_name = \"Reader\"\n  principal_id = azurerm_user_assigned_identity.app.principal_id\n}}\n"
        ))
        .await;
    assert!(at_group.ok, "{:?}", at_group.failed);
    let gone = h.apply(&with_rg("")).await;
    assert!(gone.ok, "{:?}", gone.failed);
}

/// Object replication refuses accounts without Azure's prerequisites, and
/// copies the blobs its rule admits from the source container to the
/// destination's after the replication lag; the destination container
/// takes no writes of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_replication_needs_versioning_and_copies_blobs() {
    let h = harness().await;
    // No change feed on the source: refused as Azure refuses it.
    let no_feed = replication("dst", "logs/", false).replacen(
        "    change_feed_enabled = true\n",
        "    change_feed_enabled = false\n",
        1,
    );
    let refused = h.apply(&no_feed).await;
    assert!(!refused.ok);
    assert!(
        refused
            .failed
            .iter()
            .any(|f| f.contains("change feed") && f.contains("saconfsrc")),
        "{:?}",
        refused.failed
    );
    let out = h.apply(&replication("dst", "logs/", false)).await;
    assert!(out.ok, "{:?}", out.failed);
    let account = |n: &str| {
        format!(
            "{}/providers/Microsoft.Storage/storageAccounts/{n}",
            rg_id()
        )
    };
    let container = |n: &str| format!("{}/blobServices/default/containers/data", account(n));
    for blob in ["logs/a.txt", "img/b.png"] {
        let w = h
            .admin(
                "POST",
                "dataplane/write",
                json!({"resource": container("saconfsrc"), "value": blob}),
            )
            .await;
        assert!(w["seq"].is_number(), "{w}");
    }
    // After the replication lag, only what the rule's prefix admits.
    // (The harness's clock runs a million times faster than the wall's.)
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let read = h
        .admin(
            "GET",
            &format!("dataplane?resource={}", container("saconfdst")),
            json!(null),
        )
        .await;
    assert_eq!(read["values"], json!(["logs/a.txt"]), "{read}");
    let w = h
        .admin(
            "POST",
            "dataplane/write",
            json!({"resource": container("saconfdst"), "value": "x"}),
        )
        .await;
    assert!(w["error"].is_object(), "the destination is read-only: {w}");
    // Versioning cannot be turned off while the policy needs it.
    let off = replication("dst", "logs/", false).replacen(
        "    versioning_enabled = true\n",
        "    versioning_enabled = false\n",
        1,
    );
    let refused = h.apply(&off).await;
    assert!(!refused.ok);
    assert!(
        refused
            .failed
            .iter()
            .any(|f| f.contains("isVersioningEnabled")),
        "{:?}",
        refused.failed
    );
}

/// The emulator's private endpoint, over raw ARM calls (the provider's
/// type is tested in `azure_private_endpoint.rs`): the target must exist
/// and offer the sub-resource, the endpoint's network interface is made
/// and removed with it, and the subnet holding it cannot be deleted
/// meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulators_private_endpoint_keeps_azures_rules() {
    let h = harness().await;
    let out = h.apply(&with_rg(&format!("{NETWORK}{IDENTITY}"))).await;
    assert!(out.ok, "{:?}", out.failed);
    let subnet = h
        .state_attr("azurerm_subnet.s", "id")
        .as_str()
        .unwrap()
        .to_string();
    let account = h
        .state_attr("azurerm_storage_account.sa", "id")
        .as_str()
        .unwrap()
        .to_string();
    let pe = format!(
        "{}/providers/Microsoft.Network/privateEndpoints/pe-blob",
        rg_id()
    );
    let body = |target: &str, group: &str| {
        json!({"location": "westeurope", "properties": {
            "subnet": {"id": subnet},
            "privateLinkServiceConnections": [{"name": "blob", "properties": {"privateLinkServiceId": target, "groupIds": [group]}}]
        }})
    };
    let missing = format!(
        "{}/providers/Microsoft.Storage/storageAccounts/nosuch",
        rg_id()
    );
    assert_eq!(
        h.arm("PUT", &pe, "2024-05-01", Some(body(&missing, "blob")))
            .await,
        400
    );
    assert_eq!(
        h.arm("PUT", &pe, "2024-05-01", Some(body(&account, "vault")))
            .await,
        400
    );
    assert!(
        h.arm("PUT", &pe, "2024-05-01", Some(body(&account, "blob")))
            .await
            < 300
    );
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(h.arm("GET", &pe, "2024-05-01", None).await, 200);
    assert_eq!(
        h.arm("DELETE", &subnet, "2024-05-01", None).await,
        400,
        "in use"
    );
    assert!(h.arm("DELETE", &pe, "2024-05-01", None).await < 300);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(h.arm("GET", &pe, "2024-05-01", None).await, 404);
    assert!(
        h.arm("DELETE", &subnet, "2024-05-01", None).await < 300,
        "free again"
    );
    // The endpoint's network interface went with it: nothing undeclared is
    // left in the group, so its delete guard lets it go.
    let gone = h.apply("").await;
    assert!(gone.ok, "{:?}", gone.failed);
}

//! `azurerm_private_endpoint` through the provider against the emulator:
//! its conformance case, the zone group written beside it (and the A
//! records that group makes), and the Azure rules a user meets first: a
//! target or sub-resource Azure refuses, a subnet that holds an endpoint.

use drinfra::plan::Action;
use serde_json::json;

use crate::azure::{Case, Harness, action_of, harness, with_rg};

const ADDR: &str = "azurerm_private_endpoint.blob";

/// A network, a storage account and two private DNS zones to point at.
const BASE: &str = "resource \"azurerm_virtual_network\" \"v\" {\n  name = \"vnet-pe\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  address_space = [\"10.1.0.0/16\"]\n}\nresource \"azurerm_subnet\" \"pe\" {\n  name = \"endpoints\"\n  resource_group_name = azurerm_resource_group.rg.name\n  virtual_network_name = azurerm_virtual_network.v.name\n  address_prefixes = [\"10.1.2.0/24\"]\n  private_endpoint_network_policies = \"Enabled\"\n}\nresource \"azurerm_storage_account\" \"sa\" {\n  name = \"saconfpe\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  account_tier = \"Standard\"\n  account_replication_type = \"LRS\"\n}\nresource \"azurerm_private_dns_zone\" \"blob\" {\n  name = \"privatelink.blob.core.windows.net\"\n  resource_group_name = azurerm_resource_group.rg.name\n}\nresource \"azurerm_private_dns_zone\" \"file\" {\n  name = \"privatelink.file.core.windows.net\"\n  resource_group_name = azurerm_resource_group.rg.name\n}\n";

/// The endpoint to sub-resource `sub`, its zone group `group` naming
/// `zones`, and its `tags` (HCL).
fn endpoint(sub: &str, group: &str, zones: &str, tags: &str) -> String {
    with_rg(&format!(
        "{BASE}resource \"azurerm_private_endpoint\" \"blob\" {{\n  name = \"pe-sa\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  subnet_id = azurerm_subnet.pe.id\n  private_service_connection {{\n    name = \"sa-{sub}\"\n    private_connection_resource_id = azurerm_storage_account.sa.id\n    subresource_names = [\"{sub}\"]\n    is_manual_connection = false\n  }}\n  private_dns_zone_group {{\n    name = \"{group}\"\n    private_dns_zone_ids = {zones}\n  }}\n  tags = {tags}\n}}\n"
    ))
}

const BLOB_ZONE: &str = "[azurerm_private_dns_zone.blob.id]";

pub(crate) fn cases() -> Vec<Case> {
    vec![Case {
        addr: ADDR,
        create: endpoint("blob", "default", BLOB_ZONE, "{ env = \"dr\" }"),
        // Tags in place, and the zone group renamed (made again beside
        // the endpoint, which stays).
        update: endpoint("blob", "blob-zone", BLOB_ZONE, "{ env = \"prod\" }"),
        // A sub-resource forces a new endpoint.
        replace: Some(endpoint(
            "file",
            "blob-zone",
            "[azurerm_private_dns_zone.file.id]",
            "{ env = \"prod\" }",
        )),
        drift: Some((json!({"tags": {"changed": "outside"}}), "2024-05-01")),
    }]
}

/// The provider's checks of one endpoint configuration (what `validate`
/// and `plan` report), as `summary: detail` lines: an automatic (or, with
/// `manual`, a manual) connection to a storage account, with an alias
/// beside the id and a request message when given.
fn validate(auto: bool, alias: Option<&str>, message: Option<&str>) -> Vec<String> {
    let mut connection = json!({
        "name": "c",
        "private_connection_resource_id": format!("{}/providers/Microsoft.Storage/storageAccounts/sa", rg_id()),
        "subresource_names": ["blob"],
        "is_manual_connection": !auto,
    });
    if let Some(a) = alias {
        connection["private_connection_resource_alias"] = json!(a);
    }
    if let Some(m) = message {
        connection["request_message"] = json!(m);
    }
    let config = json!({
        "name": "pe",
        "resource_group_name": "rg",
        "location": "westeurope",
        "subnet_id": format!("{}/providers/Microsoft.Network/virtualNetworks/v/subnets/s", rg_id()),
        "private_service_connection": [connection],
    });
    drinfra::provider::azure::validate_resource(
        "azurerm_private_endpoint",
        &drinfra::lang::Value::from_json(&config),
    )
    .into_iter()
    .map(|p| format!("{}: {}", p.summary, p.detail))
    .collect()
}

fn zone(name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/privateDnsZones/{name}",
        rg_id()
    )
}

/// The status of a GET of the storage account's A record in zone `name`.
async fn record_status(h: &Harness, name: &str) -> u16 {
    h.arm(
        "GET",
        &format!("{}/A/saconfpe", zone(name)),
        "2024-06-01",
        None,
    )
    .await
}

fn sub() -> String {
    "00000000-0000-0000-0000-000000000001".into()
}

fn rg_id() -> String {
    format!("/subscriptions/{}/resourceGroups/rg-conf", sub())
}

/// What Azure gives the endpoint is in state (its network interface and
/// address, the zone group's id, records and configs), an output reading
/// the address is known after apply, and the zone group's A record lives
/// in the zone; changing the group's zones moves the record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_endpoint_exports_its_address_and_its_zone_group_writes_records() {
    let h = harness().await;
    let text = format!(
        "{}output \"ip\" {{\n  value = azurerm_private_endpoint.blob.private_service_connection[0].private_ip_address\n}}\n",
        endpoint("blob", "default", BLOB_ZONE, "{}")
    );
    let plan = h.plan(&text).await;
    let change = plan.changes.iter().find(|c| c.address == ADDR).unwrap();
    let after = change.after.as_ref().unwrap();
    let planned_ip = after.as_mapping().unwrap()["private_service_connection"]
        .as_seq()
        .unwrap()[0]
        .as_mapping()
        .unwrap()["private_ip_address"]
        .clone();
    assert!(planned_ip.is_unknown(), "known after apply: {planned_ip:?}");
    let out = h.apply(&text).await;
    assert!(out.ok, "{:?}", out.failed);
    let conn = h.state_attr(ADDR, "private_service_connection");
    let ip = conn[0]["private_ip_address"].as_str().unwrap().to_string();
    assert_eq!(ip, "10.1.2.4", "the subnet's first free address: {conn}");
    assert_eq!(conn[0]["is_manual_connection"], json!(false));
    let nic = h.state_attr(ADDR, "network_interface");
    let nic_name = nic[0]["name"].as_str().unwrap();
    assert!(nic_name.starts_with("pe-sa.nic."), "{nic}");
    let group = h.state_attr(ADDR, "private_dns_zone_group");
    let pe_id = format!(
        "{}/providers/Microsoft.Network/privateEndpoints/pe-sa",
        rg_id()
    );
    assert_eq!(
        group[0]["id"].as_str(),
        Some(format!("{pe_id}/privateDnsZoneGroups/default").as_str())
    );
    let configs = h.state_attr(ADDR, "private_dns_zone_configs");
    assert_eq!(
        configs[0]["name"].as_str(),
        Some("privatelink.blob.core.windows.net")
    );
    assert_eq!(
        configs[0]["record_sets"][0]["name"].as_str(),
        Some("saconfpe")
    );
    assert_eq!(configs[0]["record_sets"][0]["ip_addresses"], json!([ip]));
    let dns = h.state_attr(ADDR, "custom_dns_configs");
    assert_eq!(
        dns[0]["fqdn"].as_str(),
        Some("saconfpe.blob.core.windows.net")
    );
    assert_eq!(
        record_status(&h, "privatelink.blob.core.windows.net").await,
        200
    );
    // The zones change in place (the endpoint stays): the record moves.
    let moved = endpoint(
        "blob",
        "default",
        "[azurerm_private_dns_zone.file.id]",
        "{}",
    );
    let up = h.apply(&moved).await;
    assert!(up.ok, "{:?}", up.failed);
    assert_eq!(action_of(&up.plan, ADDR), Action::Update);
    assert_eq!(
        record_status(&h, "privatelink.blob.core.windows.net").await,
        404
    );
    assert_eq!(
        record_status(&h, "privatelink.file.core.windows.net").await,
        200
    );
    assert!(!h.plan(&moved).await.has_resource_changes());
    // The group removed: its record goes, the endpoint stays.
    let bare = moved.replace(
        "  private_dns_zone_group {\n    name = \"default\"\n    private_dns_zone_ids = [azurerm_private_dns_zone.file.id]\n  }\n",
        "",
    );
    assert_ne!(bare, moved);
    let up = h.apply(&bare).await;
    assert!(up.ok, "{:?}", up.failed);
    assert_eq!(action_of(&up.plan, ADDR), Action::Update);
    assert_eq!(
        record_status(&h, "privatelink.file.core.windows.net").await,
        404
    );
    assert_eq!(h.state_attr(ADDR, "private_dns_zone_group"), json!([]));
    assert!(!h.plan(&bare).await.has_resource_changes());
    // A group added outside drinfra is removed again.
    assert!(
        h.arm(
            "PUT",
            &format!("{pe_id}/privateDnsZoneGroups/manual"),
            "2024-05-01",
            Some(json!({"properties": {"privateDnsZoneConfigs": [{"name": "blob", "properties": {"privateDnsZoneId": zone("privatelink.blob.core.windows.net")}}]}}))
        )
        .await
            < 300
    );
    // (The harness's clock runs a million times faster than the wall's.)
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let drifted = h.plan(&bare).await;
    // (Not listed as drift: the configuration does not set the block.)
    assert_eq!(action_of(&drifted, ADDR), Action::Update);
    assert!(h.apply(&bare).await.ok);
    assert_eq!(
        h.arm(
            "GET",
            &format!("{pe_id}/privateDnsZoneGroups/manual"),
            "2024-05-01",
            None
        )
        .await,
        404
    );
    let gone = h.apply(&with_rg("")).await;
    assert!(gone.ok, "{:?}", gone.failed);
}

/// What a user meets first: a sub-resource the target does not offer and
/// a target that does not exist are refused by Azure (nothing is recorded);
/// azurerm's own rules on the connection are refused before any call; a
/// subnet that still holds an endpoint is not deleted, so the endpoint
/// goes first when both are destroyed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azures_private_endpoint_rules_reach_the_user() {
    let h = harness().await;
    let vault = endpoint("vault", "default", BLOB_ZONE, "{}");
    let refused = h.apply(&vault).await;
    assert!(!refused.ok);
    assert!(
        refused
            .failed
            .iter()
            .any(|f| f.contains("PrivateEndpointBadRequest") && f.contains("blob")),
        "{:?}",
        refused.failed
    );
    assert!(h.state_attr(ADDR, "id").is_null(), "nothing recorded");
    let missing = endpoint("blob", "default", BLOB_ZONE, "{}").replace(
        "private_connection_resource_id = azurerm_storage_account.sa.id",
        &format!(
            "private_connection_resource_id = \"{}/providers/Microsoft.Storage/storageAccounts/nosuch\"",
            rg_id()
        ),
    );
    let refused = h.apply(&missing).await;
    assert!(!refused.ok);
    assert!(
        refused
            .failed
            .iter()
            .any(|f| f.contains("PrivateLinkServiceNotFound")),
        "{:?}",
        refused.failed
    );
    // A zone group Azure refuses fails the apply after the endpoint was
    // made; the next apply with the group mended converges.
    let bad_zone = endpoint(
        "blob",
        "default",
        &format!("[\"{}\"]", zone("privatelink.nosuch.core.windows.net")),
        "{}",
    );
    let refused = h.apply(&bad_zone).await;
    assert!(!refused.ok);
    assert!(
        refused
            .failed
            .iter()
            .any(|f| f.contains("InvalidResourceReference")),
        "{:?}",
        refused.failed
    );
    let mended = h.apply(&endpoint("blob", "default", BLOB_ZONE, "{}")).await;
    assert!(mended.ok, "{:?}", mended.failed);
    assert_eq!(
        h.state_attr(ADDR, "private_dns_zone_group")[0]["name"],
        json!("default")
    );
    // azurerm's plan-time rules on the connection.
    let manual_without_message = endpoint("blob", "default", BLOB_ZONE, "{}").replace(
        "is_manual_connection = false",
        "is_manual_connection = true",
    );
    assert_eq!(validate(true, None, None), Vec::<String>::new());
    assert!(
        validate(true, None, Some("hello"))
            .iter()
            .any(|p| p
                .contains("cannot be set if the \"is_manual_connection\" attribute is \"false\"")),
        "a message on an automatic connection"
    );
    let problems = validate(false, None, None);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("\"request_message\" attribute must not be empty")),
        "{problems:?}"
    );
    let problems = validate(
        true,
        Some("svc.1234.westeurope.azure.privatelinkservice"),
        None,
    );
    assert!(
        problems.iter().any(|p| p.contains("exactly one of")),
        "{problems:?}"
    );
    // A manual connection waits for approval (Pending), with its message.
    let manual = manual_without_message.replace(
        "is_manual_connection = true",
        "is_manual_connection = true\n    request_message = \"please approve\"",
    );
    let out = h.apply(&manual).await;
    assert!(out.ok, "{:?}", out.failed);
    let conn = h.state_attr(ADDR, "private_service_connection");
    assert_eq!(conn[0]["request_message"].as_str(), Some("please approve"));
    assert_eq!(conn[0]["is_manual_connection"], json!(true));
    // The message changes in place; manual to automatic replaces.
    let reworded = manual.replace("please approve", "please approve soon");
    let up = h.apply(&reworded).await;
    assert!(up.ok, "{:?}", up.failed);
    assert_eq!(action_of(&up.plan, ADDR), Action::Update);
    let auto = h.plan(&endpoint("blob", "default", BLOB_ZONE, "{}")).await;
    assert!(action_of(&auto, ADDR).is_replace());
    // The subnet holding the endpoint is not deleted by Azure.
    let subnet = h
        .state_attr("azurerm_subnet.pe", "id")
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(h.arm("DELETE", &subnet, "2024-05-01", None).await, 400);
    let gone = h.apply(&with_rg("")).await;
    assert!(gone.ok, "{:?}", gone.failed);
}

/// azurerm's data sources beside the type: a private endpoint's
/// connection status (a manual one is Pending with its message) and
/// address, and a role definition found by name or by GUID at a scope.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_and_role_definition_data_sources_read_what_azurerm_reads() {
    let h = harness().await;
    let manual = endpoint("blob", "default", BLOB_ZONE, "{}").replace(
        "is_manual_connection = false",
        "is_manual_connection = true\n    request_message = \"please approve\"",
    );
    let reads = "data \"azurerm_private_endpoint_connection\" \"c\" {\n  name = azurerm_private_endpoint.blob.name\n  resource_group_name = azurerm_resource_group.rg.name\n}\noutput \"connection\" {\n  value = data.azurerm_private_endpoint_connection.c.private_service_connection[0]\n}\ndata \"azurerm_role_definition\" \"reader\" {\n  name = \"Reader\"\n  scope = azurerm_resource_group.rg.id\n}\ndata \"azurerm_role_definition\" \"by_id\" {\n  role_definition_id = data.azurerm_role_definition.reader.role_definition_id\n  scope = azurerm_resource_group.rg.id\n}\noutput \"reader\" {\n  value = [data.azurerm_role_definition.reader.id, data.azurerm_role_definition.by_id.name, data.azurerm_role_definition.reader.type]\n}\n";
    let out = h.apply(&format!("{manual}{reads}")).await;
    assert!(out.ok, "{:?}", out.failed);
    let outputs = &h.state_json()["outputs"];
    assert_eq!(
        outputs["connection"]["value"],
        json!({"name": "sa-blob", "status": "Pending", "request_response": "please approve", "private_ip_address": "10.1.2.4"}),
    );
    assert_eq!(
        outputs["reader"]["value"],
        json!([
            format!(
                "{}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
                rg_id()
            ),
            "Reader",
            "BuiltInRole"
        ])
    );
    // A role nobody defined, and an endpoint that does not exist, are
    // errors at plan time.
    let missing = plan_errors(
        &h,
        &format!(
            "{manual}data \"azurerm_role_definition\" \"x\" {{\n  name = \"No Such Role\"\n  scope = azurerm_resource_group.rg.id\n}}\n"
        ),
    )
    .await;
    assert!(missing.contains("No Such Role"), "{missing}");
    let gone = h.apply(&with_rg("")).await;
    assert!(gone.ok, "{:?}", gone.failed);
}

/// The errors of planning `text` (which must fail).
pub(crate) async fn plan_errors(h: &Harness, text: &str) -> String {
    std::fs::write(h.dir().join("main.tf"), text).unwrap();
    let stack = drinfra::config::open(h.dir(), &[], &[]);
    assert!(!stack.diags.has_errors(), "{:?}", stack.diags);
    let backend = drinfra::state::LocalBackend::new(h.dir().join("s.tfstate"));
    let prior = drinfra::state::Backend::load(&backend).unwrap();
    let (_, diags) = drinfra::plan::planner::plan(
        &stack.config,
        &stack.inputs,
        h.dir(),
        prior.as_ref(),
        &h.providers,
        &drinfra::plan::planner::PlanOptions::default(),
    )
    .await;
    assert!(diags.has_errors(), "the plan must fail");
    format!("{diags:?}")
}

/// `data "azurerm_role_assignments"` sees what Azure lists at a scope:
/// assignments at it, inherited from above it and made below it, or only
/// those at it with `limit_at_scope`, or one principal's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_role_assignments_data_source_lists_what_a_scope_sees() {
    let h = harness().await;
    let base = with_rg(
        "resource \"azurerm_user_assigned_identity\" \"app\" {\n  name = \"id-app\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n}\nresource \"azurerm_storage_account\" \"sa\" {\n  name = \"saconfroles\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  account_tier = \"Standard\"\n  account_replication_type = \"LRS\"\n}\nresource \"azurerm_role_assignment\" \"account\" {\n  scope = azurerm_storage_account.sa.id\n  role_definition_name = \"Storage Blob Data Reader\"\n  principal_id = azurerm_user_assigned_identity.app.principal_id\n}\nresource \"azurerm_role_assignment\" \"group\" {\n  scope = azurerm_resource_group.rg.id\n  role_definition_name = \"Reader\"\n  principal_id = azurerm_user_assigned_identity.app.principal_id\n}\n",
    );
    let out = h.apply(&base).await;
    assert!(out.ok, "{:?}", out.failed);
    let list = |name: &str, scope: &str, extra: &str| {
        format!(
            "data \"azurerm_role_assignments\" \"{name}\" {{\n  scope = {scope}\n{extra}  depends_on = [azurerm_role_assignment.account, azurerm_role_assignment.group]\n}}\noutput \"{name}\" {{\n  value = sort([for a in data.azurerm_role_assignments.{name}.role_assignments : a.role_assignment_scope])\n}}\n"
        )
    };
    let reads = [
        list("account", "azurerm_storage_account.sa.id", ""),
        list(
            "account_only",
            "azurerm_storage_account.sa.id",
            "  limit_at_scope = true\n",
        ),
        list("group", "azurerm_resource_group.rg.id", ""),
        list(
            "nobody",
            "azurerm_resource_group.rg.id",
            "  principal_id = \"00000000-0000-0000-0000-00000000beef\"\n",
        ),
    ]
    .concat();
    let out = h.apply(&format!("{base}{reads}")).await;
    assert!(out.ok, "{:?}", out.failed);
    let outputs = &h.state_json()["outputs"];
    let account = format!(
        "{}/providers/Microsoft.Storage/storageAccounts/saconfroles",
        rg_id()
    );
    assert_eq!(
        outputs["account"]["value"],
        json!([rg_id(), account]),
        "inherited from the group"
    );
    assert_eq!(outputs["account_only"]["value"], json!([account]));
    assert_eq!(
        outputs["group"]["value"],
        json!([rg_id(), account]),
        "made below the group"
    );
    assert_eq!(outputs["nobody"]["value"], json!([]));
    let gone = h.apply(&with_rg("")).await;
    assert!(gone.ok, "{:?}", gone.failed);
}

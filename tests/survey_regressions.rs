//! What a survey of public azurerm configurations run against the emulator
//! found drinfra doing differently from Terraform and azurerm, each pinned:
//! a computed attribute inside a block the configuration writes
//! (`identity[0].principal_id`) and an output that fails after apply.

use serde_json::Value as J;

use crate::newcomer::{Newcomer, PROVIDER, SUB};

/// A storage account and an AKS cluster with system-assigned identities,
/// each principal granted a role, and outputs reading computed attributes
/// of the blocks the configuration writes.
const IDENTITIES: &str = r#"
resource "azurerm_resource_group" "rg" {
  name     = "rg-sv-identity"
  location = "westeurope"
}

resource "azurerm_storage_account" "sa" {
  name                     = "svidentity01"
  resource_group_name      = azurerm_resource_group.rg.name
  location                 = azurerm_resource_group.rg.location
  account_tier             = "Standard"
  account_replication_type = "LRS"

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_kubernetes_cluster" "k" {
  name                = "sv-identity"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  dns_prefix          = "svid"

  default_node_pool {
    name       = "default"
    node_count = 1
    vm_size    = "Standard_DS2_v2"
  }

  identity {
    type = "SystemAssigned"
  }

  network_profile {
    network_plugin    = "kubenet"
    load_balancer_sku = "standard"
    load_balancer_profile {
      managed_outbound_ip_count = 1
    }
  }
}

resource "azurerm_role_assignment" "sa" {
  scope                = azurerm_resource_group.rg.id
  role_definition_name = "Reader"
  principal_id         = azurerm_storage_account.sa.identity[0].principal_id
}

resource "azurerm_role_assignment" "k" {
  scope                = azurerm_resource_group.rg.id
  role_definition_name = "Contributor"
  principal_id         = azurerm_kubernetes_cluster.k.identity[0].principal_id
}

output "sa_principal" {
  value = azurerm_storage_account.sa.identity[0].principal_id
}

output "k_principal" {
  value = azurerm_kubernetes_cluster.k.identity[0].principal_id
}

output "k_tenant" {
  value = azurerm_kubernetes_cluster.k.identity[0].tenant_id
}

output "granted" {
  value = [azurerm_role_assignment.sa.principal_id, azurerm_role_assignment.k.principal_id]
}

output "k_network" {
  value = {
    pod_cidr      = azurerm_kubernetes_cluster.k.network_profile[0].pod_cidr
    outbound_type = azurerm_kubernetes_cluster.k.network_profile[0].outbound_type
    ips           = azurerm_kubernetes_cluster.k.network_profile[0].load_balancer_profile[0].effective_outbound_ips
    version       = azurerm_kubernetes_cluster.k.default_node_pool[0].orchestrator_version
    max_pods      = azurerm_kubernetes_cluster.k.default_node_pool[0].max_pods
  }
}
"#;

fn outputs(n: &Newcomer) -> J {
    let (code, out, err) = n.run(&["output", "-json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    serde_json::from_str(&out).unwrap()
}

/// `identity[0].principal_id` was refused ("This object does not have an
/// attribute named") because a reference to a written block saw only what
/// the configuration wrote: it is known after apply, then what ARM reports.
#[test]
fn computed_attributes_of_written_blocks_can_be_referenced() {
    let n = Newcomer::new();
    let text = format!("{PROVIDER}{IDENTITIES}");
    n.write(&text);
    let (code, out, err) = n.run(&["validate"]);
    assert_eq!(code, 0, "validate:\n{out}\n{err}");
    let (code, out, err) = n.run(&["plan"]);
    assert_eq!(code, 0, "plan:\n{out}\n{err}");
    assert!(
        out.contains("+ sa_principal = (known after apply)"),
        "{out}"
    );
    n.converges(&text);

    let o = outputs(&n);
    let group = format!("/subscriptions/{SUB}/resourceGroups/rg-sv-identity");
    let sa = n.get(
        &format!("{group}/providers/Microsoft.Storage/storageAccounts/svidentity01"),
        "2023-05-01",
    );
    let k = n.get(
        &format!("{group}/providers/Microsoft.ContainerService/managedClusters/sv-identity"),
        "2025-08-01",
    );
    let sa_principal = sa["identity"]["principalId"].as_str().unwrap();
    let k_principal = k["identity"]["principalId"].as_str().unwrap();
    assert!(
        !sa_principal.is_empty() && sa_principal != k_principal,
        "{sa}\n{k}"
    );
    assert_eq!(o["sa_principal"]["value"], sa_principal, "{o}");
    assert_eq!(o["k_principal"]["value"], k_principal, "{o}");
    assert_eq!(o["k_tenant"]["value"], k["identity"]["tenantId"], "{o}");
    assert_eq!(
        o["granted"]["value"],
        serde_json::json!([sa_principal, k_principal]),
        "the role assignments name the principals ARM reports: {o}"
    );
    let net = &o["k_network"]["value"];
    let pool = &k["properties"]["agentPoolProfiles"][0];
    assert_eq!(net["version"], pool["orchestratorVersion"], "{net}\n{k}");
    assert_eq!(net["max_pods"], pool["maxPods"], "{net}\n{k}");
    let profile = &k["properties"]["networkProfile"];
    assert_eq!(net["pod_cidr"], profile["podCidr"], "{net}\n{k}");
    assert_eq!(net["outbound_type"], profile["outboundType"], "{net}\n{k}");
}

/// A nested attribute the schema does not have is still refused, at the
/// attribute, before anything is written.
#[test]
fn a_nested_attribute_the_type_lacks_is_refused_at_its_place() {
    let n = Newcomer::new();
    n.write(&format!(
        r#"{PROVIDER}
resource "azurerm_resource_group" "rg" {{
  name     = "rg-sv-missing"
  location = "westeurope"
}}

resource "azurerm_storage_account" "sa" {{
  name                     = "svmissing01"
  resource_group_name      = azurerm_resource_group.rg.name
  location                 = azurerm_resource_group.rg.location
  account_tier             = "Standard"
  account_replication_type = "LRS"
  identity {{
    type = "SystemAssigned"
  }}
}}

output "p" {{
  value = azurerm_storage_account.sa.identity[0].principal_name
}}
"#
    ));
    for cmd in [&["validate"][..], &["apply", "--auto-approve"]] {
        let (code, out, err) = n.run(cmd);
        assert_eq!(code, 1, "{cmd:?}:\n{out}\n{err}");
        assert!(
            err.contains("main.tf:22:49: error: Unsupported attribute")
                && err.contains("does not have an attribute named \"principal_name\""),
            "{cmd:?}:\n{err}"
        );
    }
    assert!(n.writes().is_empty(), "the cloud was written to");
}

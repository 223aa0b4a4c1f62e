//! What a survey of public azurerm configurations run against the emulator
//! found drinfra doing differently from Terraform and azurerm, each pinned:
//! a computed attribute inside a block the configuration writes
//! (`identity[0].principal_id`), an output that fails after apply, an EC
//! key's configured `key_size`, older api-versions Azure serves, the node
//! resource group and outbound IP an AKS cluster brings, and a storage
//! account's endpoint hosts.

use serde_json::Value as J;

use crate::newcomer::{Newcomer, PROVIDER, SUB};
use crate::terraform_cli::{Run, drinfra, stack, terraform, terraform_python};

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
    kubelet       = azurerm_kubernetes_cluster.k.kubelet_identity[0].object_id
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
    assert!(net["pod_cidr"].is_string(), "{net}");
    let ips: Vec<&J> = profile["loadBalancerProfile"]["effectiveOutboundIPs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ip| &ip["id"])
        .collect();
    assert!(!ips.is_empty(), "{k}");
    assert_eq!(net["ips"], serde_json::json!(ips), "{net}\n{k}");
    let kubelet = &k["properties"]["identityProfile"]["kubeletidentity"]["objectId"];
    assert!(kubelet.is_string(), "{k}");
    assert_eq!(&net["kubelet"], kubelet, "{net}\n{k}");
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
                && err.contains("This object has no argument, nested block, or exported attribute named \"principal_name\"."),
            "{cmd:?}:\n{err}"
        );
    }
    assert!(n.writes().is_empty(), "the cloud was written to");
}

/// One output cannot be evaluated after apply, another fails its
/// precondition: both reported at their place, exit 1, the applied object
/// recorded, and each of those outputs keeps what state held for it.
const OUTPUT_ERRORS: &str = r#"
variable "v" {
  default = "5"
}

resource "terraform_data" "x" {
  input = var.v
}

output "a" {
  value = "ok"
}

output "n" {
  value = tonumber(terraform_data.x.output)
}

output "p" {
  value = terraform_data.x.output
  precondition {
    condition     = terraform_data.x.output == "5"
    error_message = "not five"
  }
}
"#;

fn state_outputs(state: &J) -> J {
    let mut o = state["outputs"].clone();
    for v in o.as_object_mut().unwrap().values_mut() {
        v.as_object_mut().unwrap().remove("sensitive");
    }
    o
}

fn recorded_input(state: &J) -> J {
    state["resources"][0]["instances"][0]["attributes"]["input"].clone()
}

/// Was: "Apply complete!", exit 0, the failing outputs dropped from state.
#[test]
fn an_output_that_fails_after_apply_is_an_error_and_keeps_its_value() {
    let d = stack(OUTPUT_ERRORS);
    let r = drinfra(d.path(), &["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let r = drinfra(d.path(), &["apply", "-auto-approve", "-var", "v=a"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("Apply complete!"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("main.tf:15:20: error: Invalid function argument")
            && r.stderr.contains("cannot convert \"a\" to number"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("main.tf:21:21: error: Module output value precondition failed")
            && r.stderr.contains("not five"),
        "{}",
        r.stderr
    );
    let state = pulled(&drinfra(d.path(), &["state", "pull", "-terraform"]));
    assert_eq!(
        recorded_input(&state),
        serde_json::json!({"value": "a", "type": "string"}),
        "{state}"
    );
    assert_eq!(
        state_outputs(&state),
        serde_json::json!({
            "a": {"value": "ok", "type": "string"},
            "n": {"value": 5, "type": "number"},
            "p": {"value": "5", "type": "string"},
        })
    );
    // A fresh output that fails has nothing to keep.
    let d = stack(&OUTPUT_ERRORS.replace("default = \"5\"", "default = \"a\""));
    let r = drinfra(d.path(), &["apply", "-auto-approve"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let state = pulled(&drinfra(d.path(), &["state", "pull", "-terraform"]));
    assert_eq!(
        state_outputs(&state),
        serde_json::json!({"a": {"value": "ok", "type": "string"}})
    );
    // A destroy evaluates no outputs and leaves none.
    let r = drinfra(d.path(), &["destroy", "-auto-approve"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let state = pulled(&drinfra(d.path(), &["state", "pull", "-terraform"]));
    assert_eq!(state_outputs(&state), serde_json::json!({}));
}

fn pulled(r: &Run) -> J {
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

/// The same runs given to Terraform: the same exit codes, and the same
/// outputs and objects in state.
#[test]
fn output_errors_after_apply_match_terraform() {
    let Some(py) = terraform_python() else {
        return;
    };
    let tf = stack(OUTPUT_ERRORS);
    let dr = stack(OUTPUT_ERRORS);
    let steps: &[&[&str]] = &[
        &["init", "-input=false"],
        &["apply", "-input=false", "-auto-approve"],
        &["apply", "-input=false", "-auto-approve", "-var=v=a"],
    ];
    for s in steps {
        let t = terraform(&py, tf.path(), s);
        let d = drinfra(dr.path(), s);
        assert_eq!(
            t.code, d.code,
            "{s:?}: terraform {} ({}{}), drinfra {} ({}{})",
            t.code, t.stdout, t.stderr, d.code, d.stdout, d.stderr
        );
        for summary in [
            "Invalid function argument",
            "Module output value precondition failed",
        ] {
            assert_eq!(
                t.stderr.contains(summary),
                d.stderr.contains(summary),
                "{s:?} {summary}: terraform {}, drinfra {}",
                t.stderr,
                d.stderr
            );
        }
    }
    let tf_state: J = serde_json::from_str(
        &std::fs::read_to_string(tf.path().join("terraform.tfstate")).unwrap(),
    )
    .unwrap();
    let dr_state = pulled(&drinfra(dr.path(), &["state", "pull", "-terraform"]));
    assert_eq!(
        state_outputs(&tf_state),
        state_outputs(&dr_state),
        "outputs"
    );
    assert_eq!(
        recorded_input(&tf_state),
        recorded_input(&dr_state),
        "object"
    );
}

/// azurerm's acceptance tests give EC keys a `key_size` (2048) beside
/// their curve. An EC key has no modulus to read a size from, so azurerm
/// keeps the configured size in state; drinfra read it as null and planned
/// to replace the key on every run.
#[test]
fn an_ec_key_keeps_the_size_it_was_given() {
    let n = Newcomer::new();
    n.converges(&format!(
        r#"{PROVIDER}
data "azurerm_client_config" "c" {{}}

resource "azurerm_resource_group" "rg" {{
  name     = "rg-sv-eckey"
  location = "westeurope"
}}

resource "azurerm_key_vault" "kv" {{
  name                       = "sv-eckey-kv"
  location                   = azurerm_resource_group.rg.location
  resource_group_name        = azurerm_resource_group.rg.name
  tenant_id                  = data.azurerm_client_config.c.tenant_id
  sku_name                   = "standard"
  soft_delete_retention_days = 7

  access_policy {{
    tenant_id       = data.azurerm_client_config.c.tenant_id
    object_id       = data.azurerm_client_config.c.object_id
    key_permissions = ["Create", "Delete", "Get", "Purge", "Update", "GetRotationPolicy", "SetRotationPolicy"]
  }}
}}

resource "azurerm_key_vault_key" "ec" {{
  name         = "ec-sized"
  key_vault_id = azurerm_key_vault.kv.id
  key_type     = "EC"
  key_size     = 2048
  key_opts     = ["sign", "verify"]

  rotation_policy {{
    expire_after         = "P60D"
    notify_before_expiry = "P7D"
  }}
}}

output "ec" {{
  value = [azurerm_key_vault_key.ec.key_size, azurerm_key_vault_key.ec.curve]
}}
"#
    ));
    assert_eq!(
        outputs(&n)["ec"]["value"],
        serde_json::json!([2048, "P-256"])
    );
}

/// azapi's examples make their resource group at api-version 2020-06-01
/// and network objects at 2022-07-01, both served by Azure; the emulator
/// knew only its newest few and answered NoRegisteredProviderFound.
#[test]
fn older_api_versions_azure_serves_are_accepted() {
    let n = Newcomer::new();
    n.converges(
        r#"
terraform {
  required_providers {
    azapi = {
      source = "Azure/azapi"
    }
  }
}

resource "azapi_resource" "rg" {
  type     = "Microsoft.Resources/resourceGroups@2020-06-01"
  name     = "rg-sv-older"
  location = "westeurope"
}

resource "azapi_resource" "net" {
  type      = "Microsoft.Network/virtualNetworks@2022-07-01"
  parent_id = azapi_resource.rg.id
  name      = "sv-older"
  location  = "westeurope"
  body = {
    properties = {
      addressSpace = {
        addressPrefixes = ["10.7.0.0/16"]
      }
    }
  }
  response_export_values = ["properties.addressSpace"]
}

output "space" {
  value = azapi_resource.net.output.properties.addressSpace.addressPrefixes
}
"#,
    );
    assert_eq!(
        outputs(&n)["space"]["value"],
        serde_json::json!(["10.7.0.0/16"])
    );
}

/// azurerm's kubernetes/public-ip example reads the cluster's egress
/// address with `data "azurerm_public_ip"` from `effective_outbound_ips`
/// in `node_resource_group`. Azure makes that group (managed by the
/// cluster) and the IP in it with the cluster, and deletes them with it;
/// the emulator reported the IP's id but held no such object.
#[test]
fn a_clusters_managed_outbound_ip_can_be_read_and_goes_with_it() {
    let n = Newcomer::new();
    n.converges(&format!(
        r#"{PROVIDER}
resource "azurerm_resource_group" "rg" {{
  name     = "rg-sv-egress"
  location = "westeurope"
}}

resource "azurerm_kubernetes_cluster" "k" {{
  name                = "sv-egress"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  dns_prefix          = "svegress"

  default_node_pool {{
    name       = "default"
    node_count = 1
    vm_size    = "Standard_DS2_v2"
  }}

  identity {{
    type = "SystemAssigned"
  }}
}}

locals {{
  egress = tolist(azurerm_kubernetes_cluster.k.network_profile[0].load_balancer_profile[0].effective_outbound_ips)[0]
}}

data "azurerm_public_ip" "egress" {{
  name                = reverse(split("/", local.egress))[0]
  resource_group_name = azurerm_kubernetes_cluster.k.node_resource_group
}}

output "egress" {{
  value = {{
    id      = local.egress
    address = data.azurerm_public_ip.egress.ip_address
    group   = azurerm_kubernetes_cluster.k.node_resource_group
    cluster = azurerm_kubernetes_cluster.k.id
  }}
}}
"#
    ));
    let out = &outputs(&n)["egress"]["value"];
    let (ip, group) = (out["id"].as_str().unwrap(), out["group"].as_str().unwrap());
    let held = n.get(ip, "2024-05-01");
    assert_eq!(held["properties"]["ipAddress"], out["address"], "{held}");
    assert!(
        out["address"]
            .as_str()
            .is_some_and(|a| a.starts_with("20.")),
        "{out}"
    );
    let group_id = format!("/subscriptions/{SUB}/resourceGroups/{group}");
    assert_eq!(n.get(&group_id, "2024-11-01")["managedBy"], out["cluster"]);
    let (code, so, se) = n.run(&["destroy", "--auto-approve"]);
    assert_eq!(code, 0, "{so}\n{se}");
    for (id, api) in [(group_id.as_str(), "2024-11-01"), (ip, "2024-05-01")] {
        let gone = n.get(id, api);
        assert!(
            gone["error"]["code"]
                .as_str()
                .is_some_and(|c| c.ends_with("NotFound")),
            "{id}: {gone}"
        );
    }
}

/// azurerm's Front Door private-link example points an origin at
/// `primary_blob_host`. azurerm's storage account resource exports every
/// service endpoint and host (its data source's set); drinfra's resource
/// had only the two blob endpoints and refused the reference.
#[test]
fn a_storage_account_exports_its_endpoint_hosts() {
    let n = Newcomer::new();
    n.converges(&format!(
        r#"{PROVIDER}
resource "azurerm_resource_group" "rg" {{
  name     = "rg-sv-hosts"
  location = "westeurope"
}}

resource "azurerm_storage_account" "sa" {{
  name                     = "svhosts01"
  resource_group_name      = azurerm_resource_group.rg.name
  location                 = azurerm_resource_group.rg.location
  account_tier             = "Standard"
  account_replication_type = "RAGRS"
}}

output "hosts" {{
  value = {{
    blob           = azurerm_storage_account.sa.primary_blob_host
    blob_endpoint  = azurerm_storage_account.sa.primary_blob_endpoint
    web            = azurerm_storage_account.sa.primary_web_host
    secondary_blob = azurerm_storage_account.sa.secondary_blob_host
    blob_internet  = azurerm_storage_account.sa.primary_blob_internet_host
  }}
}}
"#
    ));
    let hosts = &outputs(&n)["hosts"]["value"];
    let endpoint = hosts["blob_endpoint"].as_str().unwrap();
    let host = hosts["blob"].as_str().unwrap();
    assert!(
        host.starts_with("svhosts01.blob.") && endpoint == format!("https://{host}/"),
        "{hosts}"
    );
    assert!(
        hosts["web"]
            .as_str()
            .is_some_and(|h| h.starts_with("svhosts01.")),
        "{hosts}"
    );
    assert!(
        hosts["secondary_blob"]
            .as_str()
            .is_some_and(|h| h.starts_with("svhosts01-secondary.")),
        "{hosts}"
    );
    // Internet routing is not published for this account: empty, as azurerm sets it.
    assert_eq!(hosts["blob_internet"], "", "{hosts}");
}

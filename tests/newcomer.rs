//! What public azurerm configurations (azurerm's examples, Azure's
//! quickstarts) hit when run unchanged against the emulator, each pinned by
//! a small configuration of our own: the CLI as a newcomer runs it (apply,
//! then a plan that must find nothing to do), and the emulator's own record
//! of the cloud.

use std::path::{Path, PathBuf};
use std::process::Command;

use drinfra::emulator;
use serde_json::{Value as J, json};

pub(crate) const SUB: &str = "00000000-0000-0000-0000-000000000001";

pub(crate) struct Newcomer {
    root: tempfile::TempDir,
    emu: emulator::Running,
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Newcomer {
    pub(crate) fn new() -> Newcomer {
        let root = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let emu = crate::common::start_emulator(&rt, root.path().join("emulator"), 1.0e6);
        let http = emulator::client(emu.ca_pem.as_deref()).unwrap();
        std::fs::create_dir_all(root.path().join("stack")).unwrap();
        Newcomer {
            root,
            emu,
            rt,
            http,
        }
    }

    fn stack(&self) -> PathBuf {
        self.root.path().join("stack")
    }

    pub(crate) fn write(&self, text: &str) {
        std::fs::write(self.stack().join("main.tf"), text).unwrap();
    }

    pub(crate) fn run(&self, args: &[&str]) -> (i32, String, String) {
        let o = Command::new(env!("CARGO_BIN_EXE_drinfra"))
            .arg("-C")
            .arg(self.stack())
            .args(args)
            .env("DRINFRA_EMULATOR_URL", &self.emu.url)
            .env(
                "DRINFRA_EMULATOR_DATA_DIR",
                self.root.path().join("emulator"),
            )
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into(),
            String::from_utf8_lossy(&o.stderr).into(),
        )
    }

    /// Applies `text`, then plans again: nothing may be left to do.
    pub(crate) fn converges(&self, text: &str) {
        self.write(text);
        let (code, out, err) = self.run(&["apply", "--auto-approve"]);
        assert_eq!(code, 0, "apply:\n{out}\n{err}");
        let (code, out, err) = self.run(&["plan", "--detailed-exitcode"]);
        assert_eq!(code, 0, "the plan after apply has changes:\n{out}\n{err}");
    }

    fn admin(&self, method: &str, path: &str) -> J {
        self.rt.block_on(async {
            self.http
                .request(
                    method.parse().unwrap(),
                    format!("{}/admin/{path}", self.emu.url),
                )
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap_or(J::Null)
        })
    }

    /// The writes (PUT, PATCH, POST, DELETE) the cloud received since the
    /// last call.
    pub(crate) fn writes(&self) -> Vec<String> {
        self.admin("DELETE", "requests")
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter(|r| r["method"].as_str() != Some("GET"))
            .map(|r| format!("{} {}", r["method"], r["path"]))
            .collect()
    }

    pub(crate) fn get(&self, id: &str, api: &str) -> J {
        self.rt.block_on(async {
            let tok = crate::common::arm_token(&self.http, &self.emu).await;
            self.http
                .get(format!("{}{id}?api-version={api}", self.emu.url))
                .bearer_auth(tok)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        })
    }
}

fn rg_id(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{name}")
}

fn no_state(dir: &Path) -> bool {
    !dir.join("drinfra.tfstate").exists()
}

pub(crate) const PROVIDER: &str = "provider \"azurerm\" {\n  features {}\n}\n";

/// azurerm's redis-cache/premium-with-backup example: the RDB backup
/// frequency and snapshot count are numbers in azurerm (ARM keeps them as
/// strings); read back as strings they showed as a change on every plan.
#[test]
fn redis_backup_frequency_and_snapshot_count_are_numbers() {
    let n = Newcomer::new();
    n.converges(&format!(
        r#"{PROVIDER}
resource "azurerm_resource_group" "rg" {{
  name     = "rg-nc-redis"
  location = "westeurope"
}}
resource "azurerm_redis_cache" "c" {{
  name                 = "nc-redis-backup"
  location             = azurerm_resource_group.rg.location
  resource_group_name  = azurerm_resource_group.rg.name
  capacity             = 1
  family               = "P"
  sku_name             = "Premium"
  non_ssl_port_enabled = false
  redis_configuration {{
    rdb_backup_enabled            = true
    rdb_backup_frequency          = 60
    rdb_backup_max_snapshot_count = 1
    rdb_storage_connection_string = "DefaultEndpointsProtocol=https;AccountName=ncbackup;AccountKey=a2V5"
  }}
}}
"#
    ));
    let cache = n.get(
        &format!(
            "{}/providers/Microsoft.Cache/redis/nc-redis-backup",
            rg_id("rg-nc-redis")
        ),
        "2024-11-01",
    );
    let conf = &cache["properties"]["redisConfiguration"];
    assert_eq!(conf["rdb-backup-frequency"], "60", "{cache}");
    assert_eq!(conf["rdb-backup-max-snapshot-count"], "1", "{cache}");
}

/// A reference to an attribute the type does not have (azurerm_redis_cache
/// examples read a storage account's `primary_blob_connection_string`,
/// which drinfra does not export) read as "known after apply" and then as
/// null, silently: Terraform refuses it where it is written, before
/// anything changes.
#[test]
fn reference_to_an_attribute_the_type_lacks_is_refused_where_written() {
    let n = Newcomer::new();
    n.write(&format!(
        r#"{PROVIDER}
resource "azurerm_resource_group" "rg" {{
  name     = "rg-nc-attr"
  location = "westeurope"
}}
output "ok" {{
  value = azurerm_resource_group.rg.id
}}
output "missing" {{
  value = azurerm_resource_group.rg.no_such_attribute
}}
"#
    ));
    let (code, out, err) = n.run(&["plan"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("Unsupported attribute"), "{err}");
    assert!(
        err.contains("main.tf:13:")
            && err.contains("exported attribute named \"no_such_attribute\"")
            && err.contains("drinfra's azurerm_resource_group has none of that name"),
        "{err}"
    );
    assert_eq!(err.matches("Unsupported attribute").count(), 1, "{err}");
    // `validate` says it too, without a cloud, as `terraform validate` does.
    let (code, out, err) = n.run(&["validate"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        format!("{out}{err}").contains("exported attribute named \"no_such_attribute\""),
        "{out}\n{err}"
    );
    let (code, out, err) = n.run(&["apply", "--auto-approve"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(n.writes().is_empty(), "the cloud was written to");
    assert!(no_state(&n.stack()));
    // The attributes the type has still read as before.
    n.converges(&format!(
        r#"{PROVIDER}
resource "azurerm_resource_group" "rg" {{
  name     = "rg-nc-attr"
  location = "westeurope"
}}
resource "azurerm_resource_group" "other" {{
  count    = 2
  name     = "${{azurerm_resource_group.rg.name}}-${{count.index}}"
  location = azurerm_resource_group.rg.location
}}
output "ids" {{
  value = azurerm_resource_group.other[*].id
}}
output "first" {{
  value = azurerm_resource_group.other[0].name
}}
"#
    ));
    assert_eq!(
        n.get(&rg_id("rg-nc-attr-1"), "2024-11-01")["name"],
        "rg-nc-attr-1"
    );
}

/// Azure's aks-standard-lb-and-vmss quickstart: autoscaling on without
/// `min_count`/`max_count` failed mid-apply with Azure's error; azurerm
/// refuses it before sending the cluster, in these words.
#[test]
fn autoscaled_default_pool_without_bounds_is_refused_while_planning() {
    let n = Newcomer::new();
    n.write(&format!(
        r#"{PROVIDER}
resource "azurerm_resource_group" "rg" {{
  name     = "rg-nc-aks"
  location = "eastus"
}}
resource "azurerm_kubernetes_cluster" "k" {{
  name                = "nc-aks"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  dns_prefix          = "ncaks"
  default_node_pool {{
    name                 = "default"
    node_count           = 1
    vm_size              = "Standard_DS2_v2"
    auto_scaling_enabled = true
  }}
  identity {{
    type = "SystemAssigned"
  }}
}}
"#
    ));
    let (code, out, err) = n.run(&["plan"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("`max_count` must be configured when `auto_scaling_enabled` is set to `true`"),
        "{err}"
    );
    assert_eq!(err.matches("Invalid default node pool").count(), 1, "{err}");
    assert!(err.contains("main.tf:"), "{err}");
    let (code, _, _) = n.run(&["apply", "--auto-approve"]);
    assert_eq!(code, 1);
    assert!(n.writes().is_empty(), "the cloud was written to");
}

/// Azure's aks-network-isolated quickstart declares its cluster through
/// azapi at managedClusters@2025-08-01, a stable api-version the emulator
/// refused.
#[test]
fn azapi_cluster_at_api_version_2025_08_01_converges() {
    let n = Newcomer::new();
    n.converges(
        r#"provider "azapi" {}

resource "azapi_resource" "rg" {
  type     = "Microsoft.Resources/resourceGroups@2024-03-01"
  name     = "rg-nc-azapi"
  location = "eastus"
}

resource "azapi_resource" "aks" {
  type      = "Microsoft.ContainerService/managedClusters@2025-08-01"
  name      = "nc-azapi-aks"
  parent_id = azapi_resource.rg.id
  location  = "eastus"
  identity {
    type = "SystemAssigned"
  }
  body = {
    properties = {
      dnsPrefix = "ncazapi"
      agentPoolProfiles = [
        {
          name   = "system"
          count  = 1
          vmSize = "Standard_DS2_v2"
          mode   = "System"
          osType = "Linux"
        }
      ]
    }
  }
}
"#,
    );
    let aks = n.get(
        &format!(
            "{}/providers/Microsoft.ContainerService/managedClusters/nc-azapi-aks",
            rg_id("rg-nc-azapi")
        ),
        "2025-08-01",
    );
    assert_eq!(aks["properties"]["provisioningState"], "Succeeded", "{aks}");
}

/// The plan's first line named azapi's registry address as the cloud of
/// every azurerm configuration; azapi goes through azurerm's cloud, which
/// is said once.
#[test]
fn the_cloud_line_names_the_cloud_once() {
    let n = Newcomer::new();
    n.write(&format!(
        r#"{PROVIDER}
resource "azurerm_resource_group" "rg" {{
  name     = "rg-nc-cloud"
  location = "westeurope"
}}
"#
    ));
    let (code, out, err) = n.run(&["plan"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("Cloud: "))
        .unwrap_or_else(|| panic!("no Cloud line:\n{err}"));
    assert!(!line.contains("azapi"), "{line}");
    assert!(!line.contains("; "), "more than one cloud: {line}");
}

/// azurerm's older AKS examples (nodes-on-internal-network, basic) still
/// carry blocks azurerm itself removed: said as such, with what replaces
/// them, not as an argument drinfra has yet to support.
#[test]
fn an_argument_azurerm_removed_is_named_as_removed() {
    let n = Newcomer::new();
    n.write(&format!(
        r#"{PROVIDER}
resource "azurerm_resource_group" "rg" {{
  name     = "rg-nc-old"
  location = "westeurope"
}}
resource "azurerm_kubernetes_cluster" "k" {{
  name                = "nc-old"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  dns_prefix          = "ncold"
  default_node_pool {{
    name       = "default"
    node_count = 1
    vm_size    = "Standard_DS2_v2"
  }}
  identity {{
    type = "SystemAssigned"
  }}
  addon_profile {{
    oms_agent {{
      enabled = false
    }}
  }}
}}
"#
    ));
    let (code, out, err) = n.run(&["plan"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("main.tf:22:3")
            && err.contains("azurerm removed \"addon_profile\" in 3.0")
            && err.contains("`oms_agent`"),
        "{err}"
    );
    assert!(n.writes().is_empty(), "the cloud was written to");
}

/// azurerm's schema requires a `features` block in every configuration it
/// is given (Terraform: "Insufficient features blocks"), also the default
/// one resources use when no provider block is written; drinfra planned
/// such stacks (azurerm's premium-with-clustering example has no provider
/// block). An aliased configuration with features does not stand in for
/// the default one; azapi alone needs none.
#[test]
fn a_missing_features_block_is_refused_as_azurerm_refuses_it() {
    let n = Newcomer::new();
    let rg = "resource \"azurerm_resource_group\" \"rg\" {\n  name     = \"rg-nc-features\"\n  location = \"westeurope\"\n}\n";
    for (text, at) in [
        (rg.to_string(), None),
        (
            format!("provider \"azurerm\" {{}}\n{rg}"),
            Some("main.tf:1:1"),
        ),
        (
            format!("provider \"azurerm\" {{\n  alias = \"dr\"\n  features {{}}\n}}\n{rg}"),
            None,
        ),
        (
            "provider \"azurerm\" {\n  features {}\n}\nprovider \"azurerm\" {\n  alias = \"dr\"\n}\nresource \"azurerm_resource_group\" \"dr\" {\n  provider = azurerm.dr\n  name     = \"rg-nc-dr\"\n  location = \"westeurope\"\n}\n"
                .to_string(),
            Some("main.tf:4:1"),
        ),
    ] {
        n.write(&text);
        for cmd in [&["validate"][..], &["plan"], &["apply", "--auto-approve"]] {
            let (code, out, err) = n.run(cmd);
            assert_eq!(code, 1, "{cmd:?} {text}\n{out}\n{err}");
            let all = format!("{out}{err}");
            assert!(all.contains("Insufficient features blocks"), "{all}");
            assert!(
                all.contains("At least 1 \"features\" blocks are required"),
                "{all}"
            );
            if let Some(at) = at {
                assert!(all.contains(at), "{at}: {all}");
            }
        }
        assert!(n.writes().is_empty(), "the cloud was written to");
        assert!(no_state(&n.stack()));
    }
    // An aliased configuration no resource uses needs none either, as
    // Terraform configures only what resources use.
    n.converges(&format!(
        "{PROVIDER}provider \"azurerm\" {{\n  alias = \"unused\"\n}}\n{rg}"
    ));
}

/// azurerm's storage acceptance test writes `delete_retention_policy {}`:
/// `days` is optional with a default of 7 in each retention block
/// (delete, container delete, share). drinfra required it.
#[test]
fn retention_days_default_to_seven_as_azurerm_sends_them() {
    let n = Newcomer::new();
    n.converges(&format!(
        r#"{PROVIDER}
resource "azurerm_resource_group" "rg" {{
  name     = "rg-nc-retention"
  location = "westeurope"
}}
resource "azurerm_storage_account" "sa" {{
  name                     = "ncretention01"
  resource_group_name      = azurerm_resource_group.rg.name
  location                 = azurerm_resource_group.rg.location
  account_tier             = "Standard"
  account_replication_type = "LRS"
  blob_properties {{
    delete_retention_policy {{}}
    container_delete_retention_policy {{}}
  }}
  share_properties {{
    retention_policy {{}}
  }}
}}
"#
    ));
    let id = format!(
        "{}/providers/Microsoft.Storage/storageAccounts/ncretention01",
        rg_id("rg-nc-retention")
    );
    let blob = n.get(&format!("{id}/blobServices/default"), "2025-01-01");
    assert_eq!(
        blob["properties"]["deleteRetentionPolicy"]["days"], 7,
        "{blob}"
    );
    assert_eq!(
        blob["properties"]["containerDeleteRetentionPolicy"]["days"], 7,
        "{blob}"
    );
    let files = n.get(&format!("{id}/fileServices/default"), "2025-01-01");
    assert_eq!(
        files["properties"]["shareDeleteRetentionPolicy"]["days"], 7,
        "{files}"
    );
}

/// azapi 2.x refuses `body = jsonencode(...)` ("The value must not be a
/// string"); drinfra accepted it, sent none of it, and planned a change
/// for ever. And a module pinned to azapi 1.x (whose `output` is a JSON
/// string) is refused at the constraint before anything is created: an
/// Azure quickstart pinned `~>1.5` and failed mid-apply on
/// `jsondecode(...output)`. A 3.x azurerm pin only warns.
#[test]
fn azapi_string_bodies_and_1x_pins_are_refused_and_an_azurerm_3x_pin_warns() {
    let n = Newcomer::new();
    let rg = "resource \"azapi_resource\" \"rg\" {\n  type     = \"Microsoft.Resources/resourceGroups@2024-03-01\"\n  name     = \"rg-nc-azapi-str\"\n  location = \"eastus\"\n}\n";
    n.write(&format!(
        "provider \"azapi\" {{}}\n{rg}resource \"azapi_resource\" \"w\" {{\n  type      = \"Microsoft.Example/widgets@2024-01-01\"\n  name      = \"w\"\n  parent_id = azapi_resource.rg.id\n  body      = jsonencode({{ properties = {{ size = 3 }} }})\n}}\n"
    ));
    for cmd in [&["validate"][..], &["apply", "--auto-approve"]] {
        let (code, out, err) = n.run(cmd);
        assert_eq!(code, 1, "{cmd:?}\n{out}\n{err}");
        let all = format!("{out}{err}");
        assert!(
            all.contains("Invalid Type") && all.contains("The value must not be a string"),
            "{all}"
        );
        assert!(all.contains("main.tf:"), "{all}");
    }
    assert!(n.writes().is_empty(), "the cloud was written to");
    let pinned = |azapi: &str, azurerm: &str| {
        format!(
            "terraform {{\n  required_providers {{\n    azapi = {{\n      source  = \"Azure/azapi\"\n      version = \"{azapi}\"\n    }}\n    azurerm = {{\n      source  = \"hashicorp/azurerm\"\n      version = \"{azurerm}\"\n    }}\n  }}\n}}\nprovider \"azapi\" {{}}\nprovider \"azurerm\" {{\n  features {{}}\n}}\n{rg}"
        )
    };
    n.write(&pinned("~>1.5", "~> 4.0"));
    let (code, out, err) = n.run(&["plan"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("Unsupported provider version") && err.contains("main.tf:5:17"),
        "{err}"
    );
    assert!(n.writes().is_empty(), "the cloud was written to");
    // 2.x pins of any form pass; azurerm 3.x warns and still plans.
    n.write(&pinned("2.3.0", "~> 3.0"));
    let (code, out, err) = n.run(&["apply", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let all = format!("{out}{err}");
    assert!(
        all.contains("Provider version differs") && all.contains("main.tf:9:17"),
        "{all}"
    );
    assert!(!all.contains("Unsupported provider version"), "{all}");
}

/// `data "azurerm_subscription"` (azurerm's role-assignment acceptance
/// tests read it for the scope): the provider's subscription as ARM's
/// Subscriptions - Get gives it; another one the caller cannot see fails
/// the plan with Azure's answer.
#[test]
fn the_subscription_data_source_reads_the_providers_subscription() {
    let n = Newcomer::new();
    n.converges(&format!(
        "{PROVIDER}data \"azurerm_subscription\" \"current\" {{}}\noutput \"sub\" {{\n  value = [data.azurerm_subscription.current.id, data.azurerm_subscription.current.subscription_id, data.azurerm_subscription.current.display_name, data.azurerm_subscription.current.state]\n}}\n"
    ));
    let (code, out, err) = n.run(&["output", "-json", "sub"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let v: J = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0], format!("/subscriptions/{SUB}"));
    assert_eq!(v[1], SUB);
    assert_eq!(v[2], format!("drinfra emulator {SUB}"));
    assert_eq!(v[3], "Enabled");
    n.write(&format!(
        "{PROVIDER}data \"azurerm_subscription\" \"other\" {{\n  subscription_id = \"00000000-0000-0000-0000-0000000000ff\"\n}}\n"
    ));
    let (code, out, err) = n.run(&["plan"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("data.azurerm_subscription.other"), "{err}");
    n.write(&format!(
        "{PROVIDER}data \"azurerm_subscription\" \"bad\" {{\n  display_name = \"x\"\n}}\n"
    ));
    let (code, out, err) = n.run(&["validate"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        format!("{out}{err}").contains("takes subscription_id only"),
        "{out}{err}"
    );
}

/// azurerm's role-assignment acceptance test: a role definition read
/// without `scope` is the tenant root's (its id has no subscription), and
/// the assignment prefixes it with the subscription's id. drinfra refused
/// the unscoped read.
#[test]
fn a_role_definition_without_scope_is_read_at_the_tenant_root() {
    let n = Newcomer::new();
    n.converges(&format!(
        r#"{PROVIDER}
data "azurerm_subscription" "primary" {{}}
data "azurerm_client_config" "me" {{}}
data "azurerm_role_definition" "reader" {{
  name = "Reader"
}}
resource "azurerm_role_assignment" "a" {{
  scope              = data.azurerm_subscription.primary.id
  role_definition_id = "${{data.azurerm_subscription.primary.id}}${{data.azurerm_role_definition.reader.id}}"
  principal_id       = data.azurerm_client_config.me.object_id
}}
output "def" {{
  value = data.azurerm_role_definition.reader.id
}}
"#
    ));
    let (code, out, err) = n.run(&["output", "-raw", "def"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        out,
        "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
    );
}

/// Azure's 101-aks-cluster and 101-vm-with-infrastructure quickstarts make
/// their SSH key with `generateKeyPair` through azapi_resource_action: the
/// action answers the pair, the key resource keeps the public half, and a
/// second plan finds nothing to do.
#[test]
fn an_ssh_key_pair_generated_through_azapi_converges() {
    let n = Newcomer::new();
    n.converges(&format!(
        r#"{PROVIDER}
resource "azurerm_resource_group" "rg" {{
  name     = "rg-nc-ssh"
  location = "eastus"
}}

resource "azapi_resource" "ssh_public_key" {{
  type      = "Microsoft.Compute/sshPublicKeys@2022-11-01"
  name      = "sshnc"
  location  = azurerm_resource_group.rg.location
  parent_id = azurerm_resource_group.rg.id
}}

resource "azapi_resource_action" "ssh_public_key_gen" {{
  type        = "Microsoft.Compute/sshPublicKeys@2022-11-01"
  resource_id = azapi_resource.ssh_public_key.id
  action      = "generateKeyPair"
  method      = "POST"

  response_export_values = ["publicKey", "privateKey"]
}}

output "key_data" {{
  value = azapi_resource_action.ssh_public_key_gen.output.publicKey
}}

output "private_key" {{
  value     = azapi_resource_action.ssh_public_key_gen.output.privateKey
  sensitive = true
}}
"#
    ));
    let (code, out, err) = n.run(&["output", "-raw", "key_data"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.starts_with("ssh-rsa AAAAB3NzaC1yc2E"), "{out}");
    let (code, private, err) = n.run(&["output", "-raw", "private_key"]);
    assert_eq!(code, 0, "{private}\n{err}");
    assert!(
        private.starts_with("-----BEGIN RSA PRIVATE KEY-----\n")
            && private
                .trim_end()
                .ends_with("-----END RSA PRIVATE KEY-----"),
        "{private}"
    );
    let key = n.get(
        &format!(
            "{}/providers/Microsoft.Compute/sshPublicKeys/sshnc",
            rg_id("rg-nc-ssh")
        ),
        "2022-11-01",
    );
    assert_eq!(key["properties"]["publicKey"], out.as_str(), "{key}");
    // The apply asked for the pair once (Azure makes it once per key).
    let writes = n.writes();
    let generated = writes.iter().filter(|w| w.contains("/generateKeyPair"));
    assert_eq!(generated.count(), 1, "{writes:?}");
}

/// drinfra could read every type it manages, so it accepted data sources
/// azurerm does not have (`data "azurerm_private_endpoint"`,
/// `data "azurerm_redis_linked_server"`, ...): a configuration that
/// Terraform refuses. Refused here as Terraform refuses it, at its place,
/// while azurerm's own data sources of the same family still load.
#[test]
fn data_sources_azurerm_lacks_are_refused_as_terraform_refuses_them() {
    let n = Newcomer::new();
    n.write(&format!(
        r#"{PROVIDER}
data "azurerm_redis_cache" "ok" {{
  name                = "c"
  resource_group_name = "rg"
}}
data "azurerm_private_endpoint" "pe" {{
  name                = "pe"
  resource_group_name = "rg"
}}
data "azurerm_redis_linked_server" "l" {{
  name                = "l"
  resource_group_name = "rg"
}}
"#
    ));
    let (code, out, err) = n.run(&["validate"]);
    assert_eq!(code, 1, "{out}\n{err}");
    for (at, ty) in [
        ("main.tf:9:6", "azurerm_private_endpoint"),
        ("main.tf:13:6", "azurerm_redis_linked_server"),
    ] {
        assert!(
            err.contains(at)
                && err.contains(&format!(
                    "has a resource type named \"{ty}\", but no data source of that name"
                )),
            "{ty}: {err}"
        );
    }
    assert!(!err.contains("azurerm_redis_cache"), "{err}");
    assert_eq!(err.matches("Invalid data source").count(), 2, "{err}");
}

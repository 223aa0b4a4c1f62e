//! azurerm's exported secrets against the emulator: a storage account's,
//! a Redis cache's and a Log Analytics workspace's keys and connection
//! strings and an AKS cluster's kubeconfigs, read through ARM's POST
//! actions, equal to the keys the emulator holds and in azurerm's formats;
//! sensitive in every rendering; a kubeconfig that reaches the cluster's
//! Kubernetes API; re-read on refresh only where the configuration uses
//! them, so a no-op plan of a configuration that uses none sends no more
//! requests than before.

use base64::Engine as _;
use drinfra::emulator;
use serde_json::{Value as J, json};

const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-secrets";

pub(crate) const RESOURCES: &str = r#"provider "azurerm" {
  features {}
  emulator_data_dir = "../emulator"
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-secrets"
  location = "eastus"
}

resource "azurerm_storage_account" "sa" {
  name                     = "sasecrets"
  location                 = azurerm_resource_group.rg.location
  resource_group_name      = azurerm_resource_group.rg.name
  account_tier             = "Standard"
  account_replication_type = "RAGRS"
}

resource "azurerm_redis_cache" "cache" {
  name                = "cache-secrets"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  capacity            = 1
  family              = "C"
  sku_name            = "Standard"
}

resource "azurerm_log_analytics_workspace" "logs" {
  name                = "logs-secrets"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                = "aks-secrets"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  dns_prefix          = "aks-secrets"

  default_node_pool {
    name       = "system"
    vm_size    = "Standard_D4s_v5"
    node_count = 1
  }

  identity {
    type = "SystemAssigned"
  }

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled     = true
    admin_group_object_ids = ["11111111-1111-1111-1111-111111111111"]
  }
}
"#;

/// Outputs using every exported secret, as real configurations wire them.
const OUTPUTS: &str = r#"
output "sa" {
  sensitive = true
  value = {
    primary_access_key               = azurerm_storage_account.sa.primary_access_key
    secondary_access_key             = azurerm_storage_account.sa.secondary_access_key
    primary_connection_string        = azurerm_storage_account.sa.primary_connection_string
    secondary_connection_string      = azurerm_storage_account.sa.secondary_connection_string
    primary_blob_connection_string   = azurerm_storage_account.sa.primary_blob_connection_string
    secondary_blob_connection_string = azurerm_storage_account.sa.secondary_blob_connection_string
  }
}

output "redis" {
  sensitive = true
  value = {
    primary_access_key          = azurerm_redis_cache.cache.primary_access_key
    secondary_access_key        = azurerm_redis_cache.cache.secondary_access_key
    primary_connection_string   = azurerm_redis_cache.cache.primary_connection_string
    secondary_connection_string = azurerm_redis_cache.cache.secondary_connection_string
  }
}

output "logs" {
  sensitive = true
  value     = [azurerm_log_analytics_workspace.logs.primary_shared_key, azurerm_log_analytics_workspace.logs.secondary_shared_key]
}

output "kube" {
  sensitive = true
  value = {
    host      = azurerm_kubernetes_cluster.aks.kube_config[0].host
    token     = azurerm_kubernetes_cluster.aks.kube_config[0].password
    ca        = azurerm_kubernetes_cluster.aks.kube_config[0].cluster_ca_certificate
    raw       = azurerm_kubernetes_cluster.aks.kube_config_raw
    admin_raw = azurerm_kubernetes_cluster.aks.kube_admin_config_raw
    admin     = azurerm_kubernetes_cluster.aks.kube_admin_config[0].username
  }
}
"#;

pub(crate) struct Env {
    _root: tempfile::TempDir,
    dir: std::path::PathBuf,
    rt: tokio::runtime::Runtime,
    emu: emulator::Running,
    http: reqwest::Client,
}

impl Env {
    pub(crate) fn new() -> Env {
        let root = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let emu = crate::common::start_emulator(&rt, root.path().join("emulator"), 1.0e6);
        let dir = root.path().join("stack");
        std::fs::create_dir_all(&dir).unwrap();
        let http = emulator::client(emu.ca_pem.as_deref()).unwrap();
        Env {
            _root: root,
            dir,
            rt,
            emu,
            http,
        }
    }

    pub(crate) fn write(&self, text: &str) {
        std::fs::write(self.dir.join("main.tf"), text).unwrap();
    }

    pub(crate) fn run(&self, args: &[&str]) -> (i32, String) {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_drinfra"))
            .arg("-C")
            .arg(&self.dir)
            .args(args)
            .env("DRINFRA_EMULATOR_URL", &self.emu.url)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        )
    }

    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let (code, out) = self.run(args);
        assert_eq!(code, 0, "{args:?}: {out}");
        out
    }

    /// POST `{id}/{action}` on the emulator, as a client of the cloud.
    pub(crate) fn post(&self, id: &str, action: &str, api: &str, body: J) -> J {
        self.rt.block_on(async {
            let token = crate::common::arm_token(&self.http, &self.emu).await;
            let r = self
                .http
                .post(format!("{}{id}/{action}?api-version={api}", self.emu.url))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{action}");
            r.json().await.unwrap()
        })
    }

    /// The emulator's request log since the last call (method and path).
    fn requests(&self) -> Vec<(String, String)> {
        let log: J = self.rt.block_on(async {
            self.http
                .delete(format!("{}/admin/requests", self.emu.url))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        });
        log.as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["method"].as_str().unwrap().to_string(),
                    e["path"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    pub(crate) fn output(&self, name: &str) -> J {
        serde_json::from_str(&self.ok(&["output", "--json", name])).unwrap()
    }
}

pub(crate) fn id(kind: &str, name: &str) -> String {
    format!("{RG}/providers/{kind}/{name}")
}

fn decode(b64: &str) -> String {
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .unwrap()
}

fn is_secret_read(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    ["/listkeys", "/sharedkeys", "credential"]
        .iter()
        .any(|a| p.ends_with(a))
}

#[test]
fn secrets_are_exported_as_azurerm_builds_them_and_never_shown() {
    let env = Env::new();
    // A data source lists the keys on every read, as azurerm's does.
    let looked_up = r#"
data "azurerm_storage_account" "found" {
  name                = azurerm_storage_account.sa.name
  resource_group_name = azurerm_resource_group.rg.name
}

output "found" {
  sensitive = true
  value     = data.azurerm_storage_account.found.primary_connection_string
}
"#;
    env.write(&format!("{RESOURCES}{OUTPUTS}{looked_up}"));
    let plan = env.ok(&["plan"]);
    assert!(
        plan.contains("primary_access_key") && plan.contains("(sensitive value)"),
        "{plan}"
    );
    let applied = env.ok(&["apply", "--auto-approve"]);

    // The keys the cloud holds.
    let sa_id = id("Microsoft.Storage/storageAccounts", "sasecrets");
    let sa_keys = env.post(&sa_id, "listKeys", "2025-01-01", json!({}));
    let (k1, k2) = (
        sa_keys["keys"][0]["value"].as_str().unwrap().to_string(),
        sa_keys["keys"][1]["value"].as_str().unwrap().to_string(),
    );
    assert_eq!(k1.len(), 88, "a 64-byte key in base64");
    let redis_id = id("Microsoft.Cache/redis", "cache-secrets");
    let redis_keys = env.post(&redis_id, "listKeys", "2024-11-01", json!({}));
    let logs_id = id("Microsoft.OperationalInsights/workspaces", "logs-secrets");
    let shared = env.post(&logs_id, "sharedKeys", "2020-08-01", json!({}));
    let aks_id = id("Microsoft.ContainerService/managedClusters", "aks-secrets");
    let user = env.post(
        &aks_id,
        "listClusterUserCredential",
        "2025-10-01",
        json!({}),
    );
    let admin = env.post(
        &aks_id,
        "listClusterAdminCredential",
        "2025-10-01",
        json!({}),
    );
    let user_raw = decode(user["kubeconfigs"][0]["value"].as_str().unwrap());
    let admin_raw = decode(admin["kubeconfigs"][0]["value"].as_str().unwrap());

    // azurerm's formats, over the cloud's keys.
    let sa = env.output("sa");
    assert_eq!(sa["primary_access_key"], json!(k1));
    assert_eq!(sa["secondary_access_key"], json!(k2));
    assert_eq!(
        sa["primary_connection_string"],
        json!(format!(
            "DefaultEndpointsProtocol=https;AccountName=sasecrets;AccountKey={k1};EndpointSuffix=core.windows.net"
        ))
    );
    assert_eq!(
        sa["secondary_connection_string"],
        json!(format!(
            "DefaultEndpointsProtocol=https;AccountName=sasecrets;AccountKey={k2};EndpointSuffix=core.windows.net"
        ))
    );
    assert_eq!(
        sa["primary_blob_connection_string"],
        json!(format!(
            "DefaultEndpointsProtocol=https;BlobEndpoint=https://sasecrets.blob.core.windows.net/;AccountName=sasecrets;AccountKey={k1}"
        ))
    );
    assert_eq!(
        sa["secondary_blob_connection_string"],
        json!(format!(
            "DefaultEndpointsProtocol=https;BlobEndpoint=https://sasecrets-secondary.blob.core.windows.net/;AccountName=sasecrets;AccountKey={k2}"
        ))
    );
    assert_eq!(env.output("found"), sa["primary_connection_string"]);
    let redis = env.output("redis");
    let rk = redis_keys["primaryKey"].as_str().unwrap();
    assert_eq!(redis["primary_access_key"], json!(rk));
    assert_eq!(redis["secondary_access_key"], redis_keys["secondaryKey"]);
    assert_eq!(
        redis["primary_connection_string"],
        json!(format!(
            "cache-secrets.redis.cache.windows.net:6380,password={rk},ssl=true,abortConnect=False"
        ))
    );
    assert_eq!(
        env.output("logs"),
        json!([shared["primarySharedKey"], shared["secondarySharedKey"]])
    );
    let kube = env.output("kube");
    assert_eq!(kube["raw"], json!(user_raw));
    assert_eq!(kube["admin_raw"], json!(admin_raw));
    assert_eq!(kube["admin"], json!("clusterAdmin_rg-secrets_aks-secrets"));

    // The kubeconfig reaches the cluster's Kubernetes API.
    let host = kube["host"].as_str().unwrap().to_string();
    assert!(host.starts_with(&env.emu.url), "{host}");
    assert!(!kube["ca"].as_str().unwrap().is_empty());
    let status = env.rt.block_on(async {
        env.http
            .get(format!("{host}/apis/apps/v1/deployments"))
            .bearer_auth(kube["token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);

    // No secret in what drinfra shows: plans (human, verbose, JSON,
    // Markdown), apply's output, show, outputs.
    let secrets = [
        k1.clone(),
        k2.clone(),
        rk.to_string(),
        shared["primarySharedKey"].as_str().unwrap().to_string(),
        kube["token"].as_str().unwrap().to_string(),
    ];
    let shown = [
        plan,
        applied,
        env.ok(&["plan", "--verbose"]),
        env.ok(&["plan", "--json"]),
        env.ok(&["plan", "-out", "saved.plan"]),
        env.ok(&["show", "--json", "saved.plan"]),
        env.ok(&["show", "--markdown", "saved.plan"]),
        env.ok(&["show"]),
        env.ok(&["output"]),
    ];
    for text in &shown {
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "a secret shown in: {text}");
        }
    }
    assert!(shown[7].contains("(sensitive value)"), "{}", shown[7]);
}

#[test]
fn refresh_reads_secrets_only_where_the_configuration_uses_them() {
    let env = Env::new();
    env.write(RESOURCES);
    env.ok(&["apply", "--auto-approve"]);
    // Created objects' secrets are read once, at create, as azurerm does.
    env.requests();
    assert!(env.ok(&["plan"]).contains("No changes"));
    let unused = env.requests();
    assert!(unused.iter().all(|(_, p)| !is_secret_read(p)), "{unused:?}");

    // The same objects, now with their secrets used: the no-op plan adds
    // exactly the secret reads, one per action azurerm calls.
    env.write(&format!("{RESOURCES}{OUTPUTS}"));
    env.ok(&["apply", "--auto-approve"]);
    env.requests();
    assert!(env.ok(&["plan"]).contains("No changes"));
    let used = env.requests();
    let (reads, rest): (Vec<_>, Vec<_>) = used.iter().partition(|(_, p)| is_secret_read(p));
    let sorted = |v: Vec<(String, String)>| {
        let mut v = v;
        v.sort();
        v
    };
    assert_eq!(
        sorted(rest.into_iter().cloned().collect()),
        sorted(unused),
        "the other requests are the same"
    );
    let mut actions: Vec<String> = reads
        .iter()
        .map(|(m, p)| format!("{m} {}", p.rsplit('/').next().unwrap()))
        .collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            "POST listClusterAdminCredential",
            "POST listClusterUserCredential",
            "POST listKeys",
            "POST listKeys",
            "POST sharedKeys"
        ]
    );
}

#[test]
fn a_regenerated_key_is_read_on_the_next_plan_and_local_accounts_off_leave_no_admin_config() {
    let env = Env::new();
    let text = format!("{RESOURCES}{OUTPUTS}").replace(
        "  azure_active_directory_role_based_access_control {",
        "  local_account_disabled = true\n\n  azure_active_directory_role_based_access_control {",
    );
    // `kube_admin_config` is an empty list without local accounts: the
    // output reads its raw form only.
    let text = text.replace(
        "    admin     = azurerm_kubernetes_cluster.aks.kube_admin_config[0].username\n",
        "    admin     = length(azurerm_kubernetes_cluster.aks.kube_admin_config)\n",
    );
    env.write(&text);
    env.ok(&["apply", "--auto-approve"]);
    let kube = env.output("kube");
    assert_eq!(kube["admin_raw"], json!(""));
    assert_eq!(kube["admin"], json!(0));

    let sa_id = id("Microsoft.Storage/storageAccounts", "sasecrets");
    let before = env.output("sa")["primary_access_key"].clone();
    let rotated = env.post(
        &sa_id,
        "regenerateKey",
        "2025-01-01",
        json!({"keyName": "key1"}),
    );
    let new_key = rotated["keys"][0]["value"].clone();
    assert_ne!(new_key, before);
    // The secondary key is untouched.
    assert_eq!(
        rotated["keys"][1]["value"],
        env.output("sa")["secondary_access_key"]
    );
    let plan = env.ok(&["plan"]);
    // The rotated key (and the connection strings made from it) is drift
    // the output's change rests on: shown, by name only, next to the
    // output change it explains.
    assert!(
        plan.contains(
            "Changed outside drinfra (not part of this plan):\n  # azurerm_storage_account.sa has changed outside drinfra: primary_access_key, primary_blob_connection_string, primary_connection_string\n"
        ),
        "{plan}"
    );
    assert!(plan.contains("Changes to Outputs"), "{plan}");
    assert!(!plan.contains(new_key.as_str().unwrap()), "{plan}");
    env.ok(&["apply", "--auto-approve"]);
    assert_eq!(env.output("sa")["primary_access_key"], new_key);
}

#[test]
fn a_secret_in_an_output_must_be_marked_sensitive() {
    let env = Env::new();
    env.write(&format!(
        "{RESOURCES}\noutput \"key\" {{\n  value = azurerm_storage_account.sa.primary_access_key\n}}\n"
    ));
    let (code, out) = env.run(&["plan"]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("Output refers to sensitive values"), "{out}");
}

#[test]
fn an_imported_object_comes_with_its_secrets() {
    let env = Env::new();
    env.write(RESOURCES);
    env.ok(&["apply", "--auto-approve"]);
    env.ok(&["state", "rm", "azurerm_storage_account.sa"]);
    let sa_id = id("Microsoft.Storage/storageAccounts", "sasecrets");
    env.ok(&["import", "azurerm_storage_account.sa", &sa_id]);
    let keys = env.post(&sa_id, "listKeys", "2025-01-01", json!({}));
    let state: J = serde_json::from_str(&env.ok(&["state", "pull"])).unwrap();
    let sa = state["resources"]
        .as_object()
        .map(|m| m.values().cloned().collect::<Vec<_>>())
        .or_else(|| state["resources"].as_array().cloned())
        .unwrap()
        .into_iter()
        .find(|r| r["type"] == "azurerm_storage_account")
        .unwrap();
    assert_eq!(
        sa["attributes"]["secondary_access_key"], keys["keys"][1]["value"],
        "{sa}"
    );
}

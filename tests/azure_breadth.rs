//! The wider argument tables against the emulator: arguments beyond the
//! basics reach ARM at their paths, read back without a diff, show drift,
//! replace where azurerm forces it; azurerm's optional-and-computed
//! behaviour (an autoscaled pool starts at `min_count`); v3 argument
//! names.

use std::path::Path;
use std::sync::Arc;

use drinfra::apply::{self, ApplyOptions};
use drinfra::emulator::{self, Options, Settings as EmuSettings};
use drinfra::plan::planner::{self, PlanOptions};
use drinfra::plan::{Action, Plan};
use drinfra::provider::Providers;
use drinfra::provider::azure::setup::{self, Settings};
use drinfra::state::{Backend, LocalBackend};
use serde_json::{Value as J, json};

struct Harness {
    _emu_dir: tempfile::TempDir,
    stack: tempfile::TempDir,
    running: emulator::Running,
    providers: Providers,
    http: reqwest::Client,
}

async fn harness() -> Harness {
    let emu_dir = tempfile::tempdir().unwrap();
    let running = emulator::start(
        Options {
            data_dir: emu_dir.path().to_path_buf(),
            tls: true,
            settings: EmuSettings {
                time_scale: 1.0e6,
                ..EmuSettings::default()
            },
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let settings = Settings {
        emulator_url: Some(running.url.clone()),
        emulator_data_dir: Some(emu_dir.path().display().to_string()),
        ..Settings::default()
    };
    let stack = tempfile::tempdir().unwrap();
    let azure = setup::provider(&settings, stack.path(), &[], &[])
        .await
        .unwrap();
    let mut providers = Providers::builtin();
    let azure = Arc::new(azure);
    providers.add(azure.clone());
    providers.add(Arc::new(drinfra::provider::azapi::AzapiProvider::new(
        azure,
    )));
    let http = emulator::client(running.ca_pem.as_deref()).unwrap();
    Harness {
        _emu_dir: emu_dir,
        stack,
        running,
        providers,
        http,
    }
}

impl Harness {
    fn dir(&self) -> &Path {
        self.stack.path()
    }

    async fn plan_with(&self, text: &str) -> (Option<Plan>, drinfra::diag::Diagnostics) {
        std::fs::write(self.dir().join("main.tf"), text).unwrap();
        let stack = drinfra::config::open(self.dir(), &[], &[]);
        let mut diags = stack.diags.clone();
        if diags.has_errors() {
            return (None, diags);
        }
        let backend = LocalBackend::new(self.dir().join("s.tfstate"));
        let prior = backend.load().unwrap();
        let (plan, d) = planner::plan(
            &stack.config,
            &stack.inputs,
            self.dir(),
            prior.as_ref(),
            &self.providers,
            &PlanOptions::default(),
        )
        .await;
        diags.extend(d);
        (plan, diags)
    }

    async fn plan(&self, text: &str) -> Plan {
        let (plan, diags) = self.plan_with(text).await;
        assert!(!diags.has_errors(), "plan errors: {diags:?}");
        plan.unwrap()
    }

    async fn apply(&self, text: &str) -> Plan {
        let plan = self.plan(text).await;
        let stack = drinfra::config::open(self.dir(), &[], &[]);
        let backend = LocalBackend::new(self.dir().join("s.tfstate"));
        let prior = backend.load().unwrap();
        let report = apply::apply(
            &plan,
            &stack.config,
            &stack.inputs,
            self.dir(),
            &backend,
            prior,
            &self.providers,
            &ApplyOptions {
                parallelism: 8,
                defer: None,
                grace: None,
            },
            &mut |_| {},
            std::future::pending(),
        )
        .await
        .unwrap();
        let failed: Vec<String> = report
            .failed
            .iter()
            .map(|(s, e)| format!("{s}: {e}"))
            .collect();
        assert!(report.ok(), "apply failed: {failed:?}");
        plan
    }

    async fn token(&self) -> String {
        let c = &self.running.credentials;
        let tok: J = self
            .http
            .post(format!(
                "{}/{}/oauth2/v2.0/token",
                self.running.url, c.tenant_id
            ))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", c.client_id.as_str()),
                ("client_secret", c.client_secret.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        tok["access_token"].as_str().unwrap().to_string()
    }

    /// The cloud's record of an object (the emulator's, through ARM).
    async fn get(&self, id: &str, api: &str) -> J {
        let r = self
            .http
            .get(format!("{}{id}?api-version={api}", self.running.url))
            .bearer_auth(self.token().await)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "GET {id}");
        r.json().await.unwrap()
    }

    /// Changes an object behind drinfra's back.
    async fn patch(&self, id: &str, api: &str, body: J) {
        let r = self
            .http
            .patch(format!("{}{id}?api-version={api}", self.running.url))
            .bearer_auth(self.token().await)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 300, "{}", r.text().await.unwrap());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

fn action_of(p: &Plan, addr: &str) -> Action {
    p.changes
        .iter()
        .find(|c| c.address == addr)
        .map(|c| c.action)
        .unwrap_or_else(|| panic!("{addr} not in plan"))
}

/// What changes, and in which attributes.
fn changed(p: &Plan) -> Vec<String> {
    p.changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .map(|c| {
            let (b, a) = (
                c.before
                    .as_ref()
                    .and_then(|v| v.as_mapping())
                    .cloned()
                    .unwrap_or_default(),
                c.after
                    .as_ref()
                    .and_then(|v| v.as_mapping())
                    .cloned()
                    .unwrap_or_default(),
            );
            let diff: Vec<String> = a
                .iter()
                .filter(|(k, v)| b.get(*k) != Some(*v))
                .map(|(k, v)| format!("{k}: {:?} -> {v:?}", b.get(k)))
                .collect();
            format!("{} {:?} {diff:?}", c.address, c.action)
        })
        .collect()
}

const SUB_PATH: &str = "/subscriptions/00000000-0000-0000-0000-000000000000";

fn estate(eviction: &str, redis_public: bool) -> String {
    format!(
        r#"provider "azurerm" {{
  features {{}}
}}
resource "azurerm_resource_group" "rg" {{
  name     = "rg-breadth"
  location = "West Europe"
}}
resource "azurerm_kubernetes_cluster" "aks" {{
  name                = "aks-breadth"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  dns_prefix          = "aksb"
  oidc_issuer_enabled       = true
  workload_identity_enabled = true
  default_node_pool {{
    name       = "system"
    vm_size    = "Standard_D4s_v5"
    node_count = 3
    only_critical_addons_enabled = true
    upgrade_settings {{
      max_surge = "10%"
    }}
  }}
  identity {{
    type = "SystemAssigned"
  }}
  network_profile {{
    network_plugin = "azure"
    network_policy = "calico"
  }}
  oms_agent {{
    log_analytics_workspace_id = "{SUB_PATH}/resourceGroups/rg-breadth/providers/Microsoft.OperationalInsights/workspaces/ws"
  }}
  azure_active_directory_role_based_access_control {{
    azure_rbac_enabled     = true
    admin_group_object_ids = ["11111111-1111-1111-1111-111111111111"]
  }}
  maintenance_window_auto_upgrade {{
    frequency   = "Weekly"
    interval    = 1
    duration    = 4
    day_of_week = "Sunday"
  }}
}}
resource "azurerm_kubernetes_cluster_node_pool" "spot" {{
  name                  = "spot"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id
  vm_size               = "Standard_D8s_v5"
  auto_scaling_enabled  = true
  min_count             = 5
  max_count             = 20
  priority              = "Spot"
  eviction_policy       = "{eviction}"
  spot_max_price        = -1
}}
resource "azurerm_redis_cache" "cache" {{
  name                          = "cache-breadth"
  location                      = azurerm_resource_group.rg.location
  resource_group_name           = azurerm_resource_group.rg.name
  capacity                      = 1
  family                        = "P"
  sku_name                      = "Premium"
  public_network_access_enabled = {redis_public}
  identity {{
    type = "SystemAssigned"
  }}
  patch_schedule {{
    day_of_week    = "Sunday"
    start_hour_utc = 2
  }}
}}
resource "azurerm_storage_account" "sa" {{
  name                          = "sabreadth01"
  location                      = azurerm_resource_group.rg.location
  resource_group_name           = azurerm_resource_group.rg.name
  account_tier                  = "Standard"
  account_replication_type      = "GRS"
  shared_access_key_enabled     = false
  public_network_access_enabled = false
  network_rules {{
    default_action = "Deny"
    ip_rules       = ["203.0.113.7"]
    bypass         = ["AzureServices", "Logging"]
  }}
}}
resource "azurerm_dns_zone" "z" {{
  name                = "breadth.example.com"
  resource_group_name = azurerm_resource_group.rg.name
  soa_record {{
    email = "hostmaster.breadth.example.com"
    ttl   = 600
  }}
}}
resource "azurerm_traffic_manager_profile" "tm" {{
  name                   = "tm-breadth"
  resource_group_name    = azurerm_resource_group.rg.name
  traffic_routing_method = "Priority"
  traffic_view_enabled   = true
  dns_config {{
    relative_name = "tm-breadth"
    ttl           = 60
  }}
  monitor_config {{
    protocol = "HTTPS"
    port     = 443
    path     = "/health"
    expected_status_code_ranges = ["200-299", "301-302"]
    custom_header {{
      name  = "host"
      value = "api.example.com"
    }}
  }}
}}
resource "azurerm_traffic_manager_external_endpoint" "east" {{
  name       = "east"
  profile_id = azurerm_traffic_manager_profile.tm.id
  target     = "east.example.com"
  priority   = 1
  custom_header {{
    name  = "host"
    value = "east.example.com"
  }}
}}
"#
    )
}

/// Arguments the issue names reach ARM at their paths, read back clean,
/// show drift and replace where azurerm forces it; an autoscaled pool
/// without `node_count` starts at `min_count`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wider_arguments_reach_arm_read_back_clean_drift_and_replace() {
    let h = harness().await;
    h.apply(&estate("Delete", false)).await;
    let again = h.plan(&estate("Delete", false)).await;
    assert!(
        changed(&again).is_empty(),
        "not converged: {:?}",
        changed(&again)
    );

    let sub = &h.running.credentials.subscription_id;
    let rg = format!("/subscriptions/{sub}/resourceGroups/rg-breadth/providers");
    let aks_id = format!("{rg}/Microsoft.ContainerService/managedClusters/aks-breadth");
    let aks = h.get(&aks_id, "2025-10-01").await;
    let p = &aks["properties"];
    assert_eq!(p["networkProfile"]["networkPolicy"], "calico");
    assert_eq!(p["addonProfiles"]["omsagent"]["enabled"], true);
    assert_eq!(p["securityProfile"]["workloadIdentity"]["enabled"], true);
    assert_eq!(p["aadProfile"]["managed"], true);
    assert_eq!(p["aadProfile"]["enableAzureRBAC"], true);
    assert!(
        p["agentPoolProfiles"][0]["nodeTaints"]
            .as_array()
            .unwrap()
            .contains(&json!("CriticalAddonsOnly=true:NoSchedule")),
        "{}",
        p["agentPoolProfiles"][0]
    );
    assert!(
        aks["identity"]["principalId"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    let window = h
        .get(
            &format!("{aks_id}/maintenanceConfigurations/aksManagedAutoUpgradeSchedule"),
            "2025-10-01",
        )
        .await;
    assert_eq!(
        window["properties"]["maintenanceWindow"]["schedule"]["weekly"]["dayOfWeek"],
        "Sunday"
    );
    // Regression (#16): an autoscaled pool without node_count was created
    // with one node, outside its bounds; azurerm starts it at min_count.
    let pool = h
        .get(&format!("{aks_id}/agentPools/spot"), "2025-10-01")
        .await;
    assert_eq!(pool["properties"]["count"], 5);
    assert_eq!(pool["properties"]["scaleSetEvictionPolicy"], "Delete");

    let redis_id = format!("{rg}/Microsoft.Cache/redis/cache-breadth");
    let redis = h.get(&redis_id, "2024-11-01").await;
    assert_eq!(redis["properties"]["publicNetworkAccess"], "Disabled");
    let patch = h
        .get(&format!("{redis_id}/patchSchedules/default"), "2024-11-01")
        .await;
    assert_eq!(
        patch["properties"]["scheduleEntries"][0]["dayOfWeek"],
        "Sunday"
    );

    let sa = h
        .get(
            &format!("{rg}/Microsoft.Storage/storageAccounts/sabreadth01"),
            "2025-01-01",
        )
        .await;
    assert_eq!(sa["properties"]["networkAcls"]["defaultAction"], "Deny");
    assert_eq!(
        sa["properties"]["networkAcls"]["ipRules"][0]["value"],
        "203.0.113.7"
    );
    assert_eq!(sa["properties"]["allowSharedKeyAccess"], false);
    // azurerm's defaults for what the configuration leaves out are sent.
    assert_eq!(sa["properties"]["minimumTlsVersion"], "TLS1_2");
    assert_eq!(sa["properties"]["isHnsEnabled"], false);
    assert_eq!(redis["properties"]["minimumTlsVersion"], "1.2");

    let soa = h
        .get(
            &format!("{rg}/Microsoft.Network/dnszones/breadth.example.com/SOA/@"),
            "2018-05-01",
        )
        .await;
    assert_eq!(soa["properties"]["TTL"], 600);
    assert_eq!(
        soa["properties"]["SOARecord"]["email"],
        "hostmaster.breadth.example.com"
    );

    let tm = h
        .get(
            &format!("{rg}/Microsoft.Network/trafficmanagerprofiles/tm-breadth"),
            "2022-04-01",
        )
        .await;
    assert_eq!(tm["properties"]["trafficViewEnrollmentStatus"], "Enabled");
    assert_eq!(
        tm["properties"]["monitorConfig"]["expectedStatusCodeRanges"][1],
        json!({"min": 301, "max": 302})
    );

    // Drift on a newly mapped argument shows as an update.
    h.patch(
        &redis_id,
        "2024-11-01",
        json!({"properties": {"publicNetworkAccess": "Enabled"}}),
    )
    .await;
    // ... and so does drift on an argument left at azurerm's default.
    h.patch(
        &format!("{rg}/Microsoft.Storage/storageAccounts/sabreadth01"),
        "2025-01-01",
        json!({"properties": {"minimumTlsVersion": "TLS1_0"}}),
    )
    .await;
    let drifted = h.plan(&estate("Delete", false)).await;
    assert_eq!(
        action_of(&drifted, "azurerm_redis_cache.cache"),
        Action::Update
    );
    assert_eq!(
        action_of(&drifted, "azurerm_storage_account.sa"),
        Action::Update,
        "{:?}",
        changed(&drifted)
    );
    // A change azurerm documents as forcing a new pool replaces it.
    let replaced = h.plan(&estate("Deallocate", false)).await;
    assert!(
        action_of(&replaced, "azurerm_kubernetes_cluster_node_pool.spot").is_replace(),
        "{:?}",
        changed(&replaced)
    );
}

const V3_REDIS: &str = r#"provider "azurerm" {
  features {}
}
resource "azurerm_resource_group" "rg" {
  name     = "rg-v3"
  location = "West Europe"
}
resource "azurerm_redis_cache" "c" {
  name                = "cache-v3"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  capacity            = 1
  family              = "C"
  sku_name            = "Standard"
  enable_non_ssl_port = true
}
"#;

/// A v3 name is read as its v4 name (the cloud gets the setting; a
/// re-plan is clean), with a warning at the old name naming the new one;
/// both names together are an error at the old one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v3_names_are_read_as_v4_with_a_warning_and_both_are_an_error() {
    let h = harness().await;
    h.apply(V3_REDIS).await;
    let again = h.plan(V3_REDIS).await;
    assert!(changed(&again).is_empty(), "{:?}", changed(&again));
    let sub = &h.running.credentials.subscription_id;
    let cache = h
        .get(
            &format!(
                "/subscriptions/{sub}/resourceGroups/rg-v3/providers/Microsoft.Cache/redis/cache-v3"
            ),
            "2024-11-01",
        )
        .await;
    assert_eq!(cache["properties"]["enableNonSslPort"], true);

    let dir = tempfile::tempdir().unwrap();
    let both = V3_REDIS.replace(
        "  enable_non_ssl_port = true\n",
        "  enable_non_ssl_port = true\n  non_ssl_port_enabled = true\n",
    ) + r#"resource "azurerm_kubernetes_cluster_node_pool" "p" {
  name                  = "pool"
  kubernetes_cluster_id = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks"
  vm_size               = "Standard_D4s_v5"
  enable_auto_scaling   = true
  min_count             = 1
  max_count             = 3
}
"#;
    std::fs::write(dir.path().join("main.tf"), &both).unwrap();
    let (stack, _) = drinfra::ops::validate::validate(dir.path(), &[], &[], dir.path(), true);
    let at = |d: &drinfra::diag::Diagnostic| {
        let span = d.span.as_ref().unwrap();
        let text = &both[span.range.clone()];
        text.to_string()
    };
    let errors: Vec<_> = stack.diags.items.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{:?}", stack.diags);
    assert_eq!(errors[0].summary, "Conflicting configuration arguments");
    assert_eq!(at(errors[0]), "enable_non_ssl_port");
    let warning = stack
        .diags
        .items
        .iter()
        .find(|d| !d.is_error() && at(d) == "enable_auto_scaling")
        .unwrap_or_else(|| panic!("no warning at enable_auto_scaling: {:?}", stack.diags));
    assert!(
        warning
            .detail
            .as_deref()
            .unwrap_or_default()
            .contains("auto_scaling_enabled"),
        "{warning:?}"
    );
}

const AZAPI: &str = r#"provider "azurerm" {
  features {}
}
resource "azurerm_resource_group" "rg" {
  name     = "rg-azapi"
  location = "West Europe"
}
resource "azapi_resource" "cache" {
  type      = "Microsoft.Cache/redis@2024-11-01"
  name      = "cache-azapi"
  parent_id = azurerm_resource_group.rg.id
  location  = "westeurope"
  body = {
    properties = {
      sku              = { name = "Standard", family = "C", capacity = 1 }
      enableNonSslPort = false
    }
  }
  response_export_values = ["properties.hostName"]
}
resource "azapi_resource" "widget" {
  type      = "Microsoft.Example/widgets@2025-01-01"
  name      = "w1"
  parent_id = azurerm_resource_group.rg.id
  location  = "westeurope"
  body = {
    properties = { size = SIZE }
  }
}
resource "azapi_update_resource" "tls" {
  type        = "Microsoft.Cache/redis@2024-11-01"
  resource_id = azapi_resource.cache.id
  body = {
    properties = { minimumTlsVersion = "1.2" }
  }
}
"#;

/// azapi over the same ARM client: a typed type and one the emulator has
/// no model for (stored generically) are created, read back clean, show
/// drift on what their body names; an update resource merges into an
/// object another resource manages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azapi_resources_create_converge_drift_and_update_in_place() {
    let h = harness().await;
    let cfg = AZAPI.replace("SIZE", "3");
    h.apply(&cfg).await;
    let again = h.plan(&cfg).await;
    assert!(changed(&again).is_empty(), "{:?}", changed(&again));

    let sub = &h.running.credentials.subscription_id;
    let rg = format!("/subscriptions/{sub}/resourceGroups/rg-azapi/providers");
    let widget_id = format!("{rg}/Microsoft.Example/widgets/w1");
    let widget = h.get(&widget_id, "2025-01-01").await;
    assert_eq!(widget["properties"]["size"], 3);
    assert_eq!(widget["properties"]["provisioningState"], "Succeeded");
    let cache = h
        .get(
            &format!("{rg}/Microsoft.Cache/redis/cache-azapi"),
            "2024-11-01",
        )
        .await;
    assert_eq!(cache["properties"]["minimumTlsVersion"], "1.2");
    assert_eq!(cache["properties"]["enableNonSslPort"], false);
    let state: J =
        serde_json::from_str(&std::fs::read_to_string(h.dir().join("s.tfstate")).unwrap()).unwrap();
    let out = &state["resources"]["azapi_resource.cache"]["attributes"]["output"];
    assert!(
        out["properties"]["hostName"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{out}"
    );

    // Drift on a field the body names shows; an in-place change is a PUT.
    h.patch(&widget_id, "2025-01-01", json!({"properties": {"size": 9}}))
        .await;
    let drifted = h.plan(&cfg).await;
    assert_eq!(
        action_of(&drifted, "azapi_resource.widget"),
        Action::Update,
        "{:?}",
        changed(&drifted)
    );
    let bigger = AZAPI.replace("SIZE", "4");
    h.apply(&bigger).await;
    let widget = h.get(&widget_id, "2025-01-01").await;
    assert_eq!(widget["properties"]["size"], 4);
    // A new name is a new object.
    let renamed = h.plan(&bigger.replace("\"w1\"", "\"w2\"")).await;
    assert!(action_of(&renamed, "azapi_resource.widget").is_replace());
}

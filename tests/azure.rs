//! The Azure provider's conformance suite: every azurerm type, through the
//! real ARM client over HTTPS, against the emulator: create, no-op
//! re-plan, in-place update, replacement where an argument forces it,
//! drift detection, delete; then the failure paths.

use std::path::Path;
use std::sync::Arc;

use drinfra::apply::{self, ApplyOptions};
use drinfra::emulator::{self, Options, Settings as EmuSettings};
use drinfra::plan::planner::{self, PlanOptions};
use drinfra::plan::{Action, Plan};
use drinfra::provider::Providers;
use drinfra::provider::azure::setup::{self, Settings};
use drinfra::state::{Backend, Change, LocalBackend, Record};
use serde_json::{Value as J, json};

pub(crate) struct Harness {
    _emu_dir: tempfile::TempDir,
    stack: tempfile::TempDir,
    pub(crate) running: emulator::Running,
    pub(crate) providers: Providers,
    http: reqwest::Client,
}

pub(crate) async fn harness() -> Harness {
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
    providers.add(Arc::new(azure));
    let http = emulator::client(running.ca_pem.as_deref()).unwrap();
    Harness {
        _emu_dir: emu_dir,
        stack,
        running,
        providers,
        http,
    }
}

pub(crate) struct Outcome {
    pub(crate) plan: Plan,
    pub(crate) ok: bool,
    pub(crate) failed: Vec<String>,
}

impl Harness {
    pub(crate) fn dir(&self) -> &Path {
        self.stack.path()
    }

    /// The emulator's data directory (its CA and credentials).
    pub(crate) fn emulator_dir(&self) -> &Path {
        self._emu_dir.path()
    }

    pub(crate) async fn plan(&self, text: &str) -> Plan {
        std::fs::write(self.dir().join("main.tf"), text).unwrap();
        let stack = drinfra::config::open(self.dir(), &[], &[]);
        assert!(!stack.diags.has_errors(), "{:?}", stack.diags);
        let backend = LocalBackend::new(self.dir().join("s.tfstate"));
        let prior = backend.load().unwrap();
        let (plan, diags) = planner::plan(
            &stack.config,
            &stack.inputs,
            self.dir(),
            prior.as_ref(),
            &self.providers,
            &PlanOptions::default(),
        )
        .await;
        assert!(!diags.has_errors(), "plan errors: {diags:?}");
        plan.unwrap()
    }

    pub(crate) async fn apply(&self, text: &str) -> Outcome {
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
        let failed = report
            .failed
            .iter()
            .map(|(s, e)| format!("{s}: {e}"))
            .collect();
        Outcome {
            plan,
            ok: report.ok(),
            failed,
        }
    }

    pub(crate) async fn admin(&self, method: &str, path: &str, body: J) -> J {
        let r = self
            .http
            .request(
                method.parse().unwrap(),
                format!("{}/admin/{path}", self.running.url),
            )
            .json(&body)
            .send()
            .await
            .unwrap();
        r.json().await.unwrap_or(J::Null)
    }

    /// Changes a resource behind drinfra's back, through ARM.
    async fn arm_patch(&self, id: &str, api: &str, body: J) {
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
        let r = self
            .http
            .patch(format!("{}{id}?api-version={api}", self.running.url))
            .bearer_auth(tok["access_token"].as_str().unwrap())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 300, "{}", r.text().await.unwrap());
        // Let the operation finish.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    /// An ARM call behind drinfra's back (a portal user, another stack).
    pub(crate) async fn arm(&self, method: &str, path: &str, api: &str, body: Option<J>) -> u16 {
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
        let mut req = self
            .http
            .request(
                method.parse().unwrap(),
                format!("{}{path}?api-version={api}", self.running.url),
            )
            .bearer_auth(tok["access_token"].as_str().unwrap());
        if let Some(b) = body {
            req = req.json(&b);
        }
        let status = req.send().await.unwrap().status().as_u16();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        status
    }

    /// `destroy` (with or without its refresh) as the CLI runs it.
    async fn destroy(&self, refresh: bool) -> (Plan, apply::ApplyReport) {
        let stack = drinfra::config::open(self.dir(), &[], &[]);
        let backend = LocalBackend::new(self.dir().join("s.tfstate"));
        let prior = backend.load().unwrap();
        let (plan, diags) = planner::plan(
            &stack.config,
            &stack.inputs,
            self.dir(),
            prior.as_ref(),
            &self.providers,
            &PlanOptions {
                destroy: true,
                refresh,
                ..PlanOptions::default()
            },
        )
        .await;
        assert!(!diags.has_errors(), "{diags:?}");
        let plan = plan.unwrap();
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
        (plan, report)
    }

    pub(crate) fn state_json(&self) -> J {
        serde_json::from_str(&std::fs::read_to_string(self.dir().join("s.tfstate")).unwrap())
            .unwrap()
    }

    pub(crate) fn state_attr(&self, addr: &str, name: &str) -> J {
        let s: J =
            serde_json::from_str(&std::fs::read_to_string(self.dir().join("s.tfstate")).unwrap())
                .unwrap();
        s["resources"][addr]["attributes"][name].clone()
    }
}

pub(crate) fn action_of(p: &Plan, addr: &str) -> Action {
    p.changes
        .iter()
        .find(|c| c.address == addr)
        .map(|c| c.action)
        .unwrap_or_else(|| panic!("{addr} not in plan"))
}

const RG: &str = "provider \"azurerm\" {\n  features {}\n}\nresource \"azurerm_resource_group\" \"rg\" {\n  name     = \"rg-conf\"\n  location = \"West Europe\"\n}\n";

/// One type's conformance case: configuration for create, an in-place
/// update, and (if the type has one) a change that forces replacement.
pub(crate) struct Case {
    pub(crate) addr: &'static str,
    pub(crate) create: String,
    pub(crate) update: String,
    pub(crate) replace: Option<String>,
    /// Drift: an id-relative ARM PATCH and the api-version.
    pub(crate) drift: Option<(J, &'static str)>,
}

pub(crate) fn with_rg(body: &str) -> String {
    format!("{RG}{body}")
}

fn cases() -> Vec<Case> {
    let aks = |count: u32, pool_size: &str, prefix: &str| {
        with_rg(&format!(
            "resource \"azurerm_kubernetes_cluster\" \"aks\" {{\n  name = \"aks1\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  dns_prefix = \"{prefix}\"\n  default_node_pool {{\n    name = \"system\"\n    vm_size = \"Standard_D4s_v5\"\n    node_count = 3\n  }}\n}}\nresource \"azurerm_kubernetes_cluster_node_pool\" \"app\" {{\n  name = \"app\"\n  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id\n  vm_size = \"{pool_size}\"\n  node_count = {count}\n}}\n"
        ))
    };
    let pg = |storage: u32, geo: bool| {
        with_rg(&format!(
            "resource \"azurerm_postgresql_flexible_server\" \"pg\" {{\n  name = \"pg-conf\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  version = \"16\"\n  sku_name = \"GP_Standard_D8ds_v5\"\n  storage_mb = {storage}\n  administrator_login = \"pgadmin\"\n  administrator_password = \"S3cret-pw!\"\n  backup_retention_days = 30\n  geo_redundant_backup_enabled = {geo}\n  high_availability {{\n    mode = \"ZoneRedundant\"\n  }}\n}}\n"
        ))
    };
    let redis = |capacity: u32, zones: &str| {
        with_rg(&format!(
            "resource \"azurerm_redis_cache\" \"cache\" {{\n  name = \"cache-conf\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  capacity = {capacity}\n  family = \"P\"\n  sku_name = \"Premium\"\n  zones = {zones}\n  redis_configuration {{\n    maxmemory_policy = \"allkeys-lru\"\n  }}\n}}\n"
        ))
    };
    let fd = |priority: u32, host: &str| {
        with_rg(&format!(
            "resource \"azurerm_cdn_frontdoor_profile\" \"fd\" {{\n  name = \"fd-conf\"\n  resource_group_name = azurerm_resource_group.rg.name\n  sku_name = \"Premium_AzureFrontDoor\"\n}}\nresource \"azurerm_cdn_frontdoor_endpoint\" \"ep\" {{\n  name = \"api\"\n  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id\n}}\nresource \"azurerm_cdn_frontdoor_origin_group\" \"og\" {{\n  name = \"app\"\n  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id\n  health_probe {{\n    interval_in_seconds = 30\n    path = \"/health\"\n    protocol = \"Https\"\n    request_type = \"GET\"\n  }}\n  load_balancing {{\n    sample_size = 4\n    successful_samples_required = 3\n  }}\n}}\nresource \"azurerm_cdn_frontdoor_origin\" \"east\" {{\n  name = \"east\"\n  cdn_frontdoor_origin_group_id = azurerm_cdn_frontdoor_origin_group.og.id\n  host_name = \"{host}\"\n  priority = {priority}\n  weight = 100\n  certificate_name_check_enabled = true\n}}\nresource \"azurerm_cdn_frontdoor_route\" \"r\" {{\n  name = \"default\"\n  cdn_frontdoor_endpoint_id = azurerm_cdn_frontdoor_endpoint.ep.id\n  cdn_frontdoor_origin_group_id = azurerm_cdn_frontdoor_origin_group.og.id\n  cdn_frontdoor_origin_ids = [azurerm_cdn_frontdoor_origin.east.id]\n  supported_protocols = [\"Https\"]\n  patterns_to_match = [\"/*\"]\n}}\n"
        ))
    };
    let tm = |priority: u32, rel: &str| {
        with_rg(&format!(
            "resource \"azurerm_traffic_manager_profile\" \"tm\" {{\n  name = \"tm-conf\"\n  resource_group_name = azurerm_resource_group.rg.name\n  traffic_routing_method = \"Priority\"\n  dns_config {{\n    relative_name = \"{rel}\"\n    ttl = 60\n  }}\n  monitor_config {{\n    protocol = \"HTTPS\"\n    port = 443\n    path = \"/health\"\n  }}\n}}\nresource \"azurerm_traffic_manager_external_endpoint\" \"east\" {{\n  name = \"east\"\n  profile_id = azurerm_traffic_manager_profile.tm.id\n  target = \"east.example.com\"\n  priority = {priority}\n}}\n"
        ))
    };
    let nested = |min: u32, name: &str| {
        let profile = |n: &str, rel: &str| {
            format!(
                "resource \"azurerm_traffic_manager_profile\" \"{n}\" {{\n  name = \"{rel}\"\n  resource_group_name = azurerm_resource_group.rg.name\n  traffic_routing_method = \"Priority\"\n  dns_config {{\n    relative_name = \"{rel}\"\n    ttl = 60\n  }}\n  monitor_config {{\n    protocol = \"HTTPS\"\n    port = 443\n    path = \"/health\"\n  }}\n}}\n"
            )
        };
        with_rg(&format!(
            "{}{}resource \"azurerm_traffic_manager_nested_endpoint\" \"child\" {{\n  name = \"{name}\"\n  profile_id = azurerm_traffic_manager_profile.parent.id\n  target_resource_id = azurerm_traffic_manager_profile.child.id\n  minimum_child_endpoints = {min}\n  priority = 1\n}}\n",
            profile("parent", "tm-parent-conf"),
            profile("child", "tm-child-conf")
        ))
    };
    let dns = |ttl: u32, zone: &str| {
        with_rg(&format!(
            "resource \"azurerm_dns_zone\" \"z\" {{\n  name = \"{zone}\"\n  resource_group_name = azurerm_resource_group.rg.name\n}}\nresource \"azurerm_dns_a_record\" \"a\" {{\n  name = \"api\"\n  zone_name = azurerm_dns_zone.z.name\n  resource_group_name = azurerm_resource_group.rg.name\n  ttl = {ttl}\n  records = [\"10.0.0.2\", \"10.0.0.1\"]\n}}\nresource \"azurerm_dns_cname_record\" \"c\" {{\n  name = \"www\"\n  zone_name = azurerm_dns_zone.z.name\n  resource_group_name = azurerm_resource_group.rg.name\n  ttl = {ttl}\n  record = \"api.{zone}\"\n}}\n"
        ))
    };
    let st = |tier: &str, access: &str| {
        with_rg(&format!(
            "resource \"azurerm_storage_account\" \"sa\" {{\n  name = \"saconf01\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  account_tier = \"{tier}\"\n  account_replication_type = \"GRS\"\n  access_tier = \"{access}\"\n}}\n"
        ))
    };
    let tm_azure = |priority: u32, name: &str| {
        tm(1, "ai-api").replace("resource \"azurerm_traffic_manager_external_endpoint\"", &format!("resource \"azurerm_traffic_manager_azure_endpoint\" \"west\" {{\n  name = \"{name}\"\n  profile_id = azurerm_traffic_manager_profile.tm.id\n  target_resource_id = azurerm_resource_group.rg.id\n  priority = {priority}\n}}\nresource \"azurerm_traffic_manager_external_endpoint\""))
    };
    let endpoint = |name: &str, replica: &str| {
        let server = |n: &str, replica_of: Option<&str>| {
            let (mode, login) = match replica_of {
                Some(src) => (
                    format!("  create_mode = \"Replica\"\n  source_server_id = azurerm_postgresql_flexible_server.{src}.id\n"),
                    String::new(),
                ),
                None => (
                    String::new(),
                    "  administrator_login = \"pgadmin\"\n  administrator_password = \"S3cret-pw!\"\n".to_string(),
                ),
            };
            format!(
                "resource \"azurerm_postgresql_flexible_server\" \"{n}\" {{\n  name = \"pg-conf-{n}\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  sku_name = \"GP_Standard_D2ds_v5\"\n  storage_mb = 32768\n{login}{mode}}}\n"
            )
        };
        with_rg(&format!(
            "{}{}{}resource \"azurerm_postgresql_flexible_server_virtual_endpoint\" \"ve\" {{\n  name = \"{name}\"\n  source_server_id = azurerm_postgresql_flexible_server.primary.id\n  replica_server_id = azurerm_postgresql_flexible_server.{replica}.id\n  type = \"ReadWrite\"\n  depends_on = [azurerm_postgresql_flexible_server.r1, azurerm_postgresql_flexible_server.r2]\n}}\n",
            server("primary", None),
            server("r1", Some("primary")),
            server("r2", Some("primary")),
        ))
    };
    let fd1 = fd(1, "east.example.com");
    vec![
        Case { addr: "azurerm_postgresql_flexible_server_virtual_endpoint.ve", create: endpoint("pg-conf-ve", "r1"), update: endpoint("pg-conf-ve", "r2"), replace: Some(endpoint("pg-conf-ve2", "r2")), drift: Some((json!({"properties": {"members": ["pg-conf-r1"]}}), "2025-08-01")) },
        Case { addr: "azurerm_cdn_frontdoor_profile.fd", create: fd1.clone(), update: fd1.replace("sku_name = \"Premium_AzureFrontDoor\"\n}", "sku_name = \"Premium_AzureFrontDoor\"\n  response_timeout_seconds = 90\n}"), replace: Some(fd1.replace("Premium_AzureFrontDoor", "Standard_AzureFrontDoor")), drift: Some((json!({"properties": {"originResponseTimeoutSeconds": 120}}), "2025-06-01")) },
        Case { addr: "azurerm_cdn_frontdoor_endpoint.ep", create: fd1.clone(), update: fd1.replace("cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id\n}", "cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id\n  enabled = false\n}"), replace: Some(fd1.replace("name = \"api\"", "name = \"api2\"")), drift: Some((json!({"properties": {"enabledState": "Enabled"}}), "2025-06-01")) },
        Case { addr: "azurerm_cdn_frontdoor_origin_group.og", create: fd1.clone(), update: fd1.replace("interval_in_seconds = 30", "interval_in_seconds = 60"), replace: Some(fd1.replace("name = \"app\"", "name = \"app2\"")), drift: Some((json!({"properties": {"healthProbeSettings": {"probeIntervalInSeconds": 100}}}), "2025-06-01")) },
        Case { addr: "azurerm_cdn_frontdoor_route.r", create: fd1.clone(), update: fd1.replace("patterns_to_match = [\"/*\"]", "patterns_to_match = [\"/api/*\"]"), replace: Some(fd1.replace("name = \"default\"", "name = \"default2\"")), drift: Some((json!({"properties": {"patternsToMatch": ["/other/*"]}}), "2025-06-01")) },
        Case { addr: "azurerm_traffic_manager_profile.tm", create: tm(1, "ai-api"), update: tm(1, "ai-api").replace("path = \"/health\"", "path = \"/ready\""), replace: Some(tm(1, "ai-api-3")), drift: Some((json!({"properties": {"monitorConfig": {"path": "/other"}}}), "2022-04-01")) },
        Case { addr: "azurerm_traffic_manager_azure_endpoint.west", create: tm_azure(5, "west"), update: tm_azure(6, "west"), replace: Some(tm_azure(6, "west2")), drift: Some((json!({"properties": {"priority": 9}}), "2022-04-01")) },
        Case { addr: "azurerm_dns_zone.z", create: dns(300, "example.com"), update: dns(300, "example.com").replace("resource_group_name = azurerm_resource_group.rg.name\n}\nresource \"azurerm_dns_a_record\"", "resource_group_name = azurerm_resource_group.rg.name\n  tags = { team = \"edge\" }\n}\nresource \"azurerm_dns_a_record\""), replace: Some(dns(300, "example.net")), drift: Some((json!({"tags": {"changed": "outside"}}), "2018-05-01")) },
        Case { addr: "azurerm_dns_cname_record.c", create: dns(300, "example.com"), update: dns(120, "example.com"), replace: Some(dns(120, "example.com").replace("name = \"www\"", "name = \"www2\"")), drift: Some((json!({"properties": {"TTL": 5}}), "2018-05-01")) },
        Case { addr: "azurerm_resource_group.rg", create: RG.to_string(), update: RG.replace("\"West Europe\"\n}", "\"West Europe\"\n  tags = { env = \"dr\" }\n}"), replace: Some(RG.replace("rg-conf", "rg-conf2")), drift: Some((json!({"tags": {"changed": "outside"}}), "2024-11-01")) },
        Case { addr: "azurerm_kubernetes_cluster_node_pool.app", create: aks(5, "Standard_D8s_v5", "aks1"), update: aks(7, "Standard_D8s_v5", "aks1"), replace: None, drift: Some((json!({"properties": {"count": 9}}), "2025-10-01")) },
        Case { addr: "azurerm_kubernetes_cluster.aks", create: aks(5, "Standard_D8s_v5", "aks1"), update: aks(5, "Standard_D8s_v5", "aks1").replace("node_count = 3", "node_count = 4"), replace: Some(aks(5, "Standard_D8s_v5", "aks2")), drift: None },
        Case { addr: "azurerm_postgresql_flexible_server.pg", create: pg(131072, false), update: pg(262144, false), replace: Some(pg(262144, true)), drift: Some((json!({"properties": {"backup": {"backupRetentionDays": 7}}}), "2025-08-01")) },
        Case { addr: "azurerm_redis_cache.cache", create: redis(3, "[\"1\"]"), update: redis(4, "[\"1\"]"), replace: Some(redis(4, "[\"2\"]")), drift: Some((json!({"properties": {"redisConfiguration": {"maxmemory-policy": "noeviction"}}}), "2024-11-01")) },
        Case { addr: "azurerm_cdn_frontdoor_origin.east", create: fd(1, "east.example.com"), update: fd(2, "east.example.com"), replace: None, drift: Some((json!({"properties": {"priority": 5}}), "2025-06-01")) },
        Case { addr: "azurerm_traffic_manager_external_endpoint.east", create: tm(1, "ai-api"), update: tm(2, "ai-api"), replace: Some(tm(2, "ai-api-2")), drift: None },
        Case { addr: "azurerm_traffic_manager_nested_endpoint.child", create: nested(1, "child"), update: nested(2, "child"), replace: Some(nested(2, "child-2")), drift: Some((json!({"properties": {"minChildEndpoints": 3}}), "2022-04-01")) },
        Case { addr: "azurerm_dns_a_record.a", create: dns(300, "example.com"), update: dns(60, "example.com"), replace: Some(dns(60, "example.org")), drift: Some((json!({"properties": {"TTL": 5}}), "2018-05-01")) },
        Case { addr: "azurerm_storage_account.sa", create: st("Standard", "Hot"), update: st("Standard", "Cool"), replace: Some(st("Standard", "Cool").replace("saconf01", "saconf02")), drift: Some((json!({"properties": {"accessTier": "Hot"}}), "2025-01-01")) },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_type_creates_replans_clean_updates_replaces_detects_drift_and_deletes() {
    // The types of `azure_types.rs` go through the same steps.
    // `CONFORMANCE_ONLY=azurerm_x` runs only the cases whose address has it.
    let only = std::env::var("CONFORMANCE_ONLY").unwrap_or_default();
    let mut ran = vec![];
    for case in cases()
        .into_iter()
        .chain(crate::azure_types::cases())
        .chain(crate::azure_attached::cases())
        .chain(crate::azure_types_extra::cases())
        .chain(crate::azure_key_vault_secret::cases())
        .chain(crate::azure_key_vault_key::cases())
        .chain(crate::azure_private_endpoint::cases())
        .chain(crate::azure_nsg_rule::cases())
        .filter(|c| c.addr.contains(only.as_str()))
    {
        let h = harness().await;
        let out = h.apply(&case.create).await;
        assert!(out.ok, "{}: create failed: {:?}", case.addr, out.failed);
        assert_eq!(action_of(&out.plan, case.addr), Action::Create);
        // A fresh apply is followed by a plan with no changes.
        let again = h.plan(&case.create).await;
        let noisy: Vec<String> = again
            .actions()
            .map(|c| format!("{} {:?}", c.address, c.action))
            .collect();
        assert!(
            noisy.is_empty(),
            "{}: re-plan not clean: {noisy:?}",
            case.addr
        );
        assert!(
            again.drift.is_empty(),
            "{}: spurious drift {:?}",
            case.addr,
            again.drift.iter().map(|d| &d.address).collect::<Vec<_>>()
        );
        let id = h.state_attr(case.addr, "id").as_str().unwrap().to_string();
        // Import: forgotten by drinfra, then brought back by an import
        // block, as the same object (never a replacement), and clean after.
        let backend = LocalBackend::new(h.dir().join("s.tfstate"));
        let serial = backend.load().unwrap().unwrap().serial + 1;
        backend
            .append(&[Record {
                serial,
                change: Change::Remove(case.addr.into()),
            }])
            .unwrap();
        let imported = h
            .apply(&format!(
                "{}import {{\n  to = {}\n  id = \"{id}\"\n}}\n",
                case.create, case.addr
            ))
            .await;
        assert!(
            imported.ok,
            "{}: import failed: {:?}",
            case.addr, imported.failed
        );
        assert!(
            !action_of(&imported.plan, case.addr).is_replace(),
            "{}: import must not replace: {:?}",
            case.addr,
            imported
                .plan
                .changes
                .iter()
                .find(|c| c.address == case.addr)
                .map(|c| (&c.replace_paths, &c.before, &c.after))
        );
        assert_eq!(h.state_attr(case.addr, "id").as_str().unwrap(), id);
        let clean = h.plan(&case.create).await;
        assert!(
            !clean.has_resource_changes(),
            "{}: not clean after import: {:?}",
            case.addr,
            clean
                .actions()
                .map(|c| format!("{} {:?}", c.address, c.action))
                .collect::<Vec<_>>()
        );
        // In-place update keeps the object (a type with nothing to update
        // in place has an empty `update`).
        let update = if case.update.is_empty() {
            &case.create
        } else {
            &case.update
        };
        if !case.update.is_empty() {
            let up = h.apply(update).await;
            assert!(up.ok, "{}: update failed: {:?}", case.addr, up.failed);
            assert_eq!(
                action_of(&up.plan, case.addr),
                Action::Update,
                "{}",
                case.addr
            );
            assert_eq!(h.state_attr(case.addr, "id").as_str().unwrap(), id);
            let clean = h.plan(update).await;
            assert!(
                !clean.has_resource_changes(),
                "{}: not clean after update: {:?}",
                case.addr,
                clean.actions().map(|c| &c.address).collect::<Vec<_>>()
            );
        }
        // Drift made directly in the cloud shows up, apart from the changes.
        if let Some((patch, api)) = &case.drift {
            h.arm_patch(&id, api, patch.clone()).await;
            let drifted = h.plan(update).await;
            assert!(
                drifted.drift.iter().any(|d| d.address == case.addr),
                "{}: drift not detected",
                case.addr
            );
            assert_eq!(
                action_of(&drifted, case.addr),
                Action::Update,
                "{}: drift not corrected",
                case.addr
            );
            assert!(h.apply(update).await.ok);
        }
        // A force-new argument replaces.
        if let Some(rep) = &case.replace {
            let r = h.apply(rep).await;
            assert!(r.ok, "{}: replace failed: {:?}", case.addr, r.failed);
            assert!(
                action_of(&r.plan, case.addr).is_replace(),
                "{}: expected replacement, got {:?}",
                case.addr,
                action_of(&r.plan, case.addr)
            );
            assert!(
                !h.plan(rep).await.has_resource_changes(),
                "{}: not clean after replace",
                case.addr
            );
        }
        // Delete everything.
        let gone = h.apply("").await;
        assert!(gone.ok, "{}: delete failed: {:?}", case.addr, gone.failed);
        assert!(gone.plan.actions().all(|c| c.action == Action::Delete));
        ran.push(case.addr);
    }
    assert!(!ran.is_empty(), "no case matches {only:?}");
    eprintln!("conformance: {}", ran.join(", "));
}

/// A harness whose client gives up quickly, for failure-path tests.
async fn impatient() -> Harness {
    let h = harness().await;
    let c = &h.running.credentials;
    use drinfra::provider::azure::auth::{Identity, Method, TokenSource};
    let method = Method::ClientSecret {
        tenant: c.tenant_id.clone(),
        client_id: c.client_id.clone(),
        secret: c.client_secret.clone(),
    };
    let tokens: Arc<dyn TokenSource> =
        Arc::new(Identity::new(&method, &h.running.url, h.http.clone()).unwrap());
    let mut client =
        drinfra::provider::azure::client::ArmClient::new(h.http.clone(), &h.running.url, tokens);
    client.default_poll = std::time::Duration::from_millis(20);
    client.max_retry_after = std::time::Duration::from_millis(200);
    client.max_attempts = 4;
    let azure = drinfra::provider::azure::AzureProvider {
        client: Arc::new(client),
        subscription: c.subscription_id.clone(),
        cloud: "test".into(),
        promote_option: Default::default(),
        emulator: true,
        keep_nonempty_resource_groups: true,
        regions: Default::default(),
        backups: Default::default(),
        key_vault: Default::default(),
        principal: Default::default(),
    };
    let mut providers = Providers::builtin();
    providers.add(Arc::new(azure));
    Harness { providers, ..h }
}

fn zones(n: usize) -> String {
    let mut t = RG.to_string();
    for i in 0..n {
        t.push_str(&format!("resource \"azurerm_dns_zone\" \"z{i}\" {{\n  name = \"z{i}.example.com\"\n  resource_group_name = azurerm_resource_group.rg.name\n}}\n"));
    }
    t
}

fn counts(h: &Harness) -> (u64, u64) {
    h.providers
        .all()
        .iter()
        .find_map(|p| p.request_counts())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_never_fails_a_run_and_refresh_is_bulk() {
    let h = harness().await;
    h.admin("PATCH", "settings", json!({"throttle": {"enabled": true, "read_burst": 5.0, "read_rate": 200.0, "write_burst": 5.0, "write_rate": 20.0, "delete_burst": 200.0, "delete_rate": 10.0}})).await;
    let start = std::time::Instant::now();
    let out = h.apply(&zones(30)).await;
    assert!(out.ok, "{:?}", out.failed);
    // 31 writes against a bucket of 5 refilled at 20/s take over a second:
    // the client paced itself (or waited out 429s) instead of failing.
    assert!(
        start.elapsed() >= std::time::Duration::from_millis(1000),
        "{:?}",
        start.elapsed()
    );
    let (_, throttled) = counts(&h);
    assert!(
        throttled <= 5,
        "pacing should avoid a storm of 429s, got {throttled}"
    );
    // A no-op plan over 31 resources reads them with one graph query.
    let before = counts(&h).0;
    let p = h.plan(&zones(30)).await;
    assert!(!p.has_resource_changes());
    let refresh_requests = counts(&h).0 - before;
    assert!(
        refresh_requests <= 3,
        "refresh made {refresh_requests} requests"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_errors_are_retried() {
    let h = harness().await;
    h.admin(
        "PATCH",
        "faults",
        json!({"transient_rate": 0.3, "transient_seed": 11}),
    )
    .await;
    let out = h.apply(&zones(10)).await;
    assert!(out.ok, "{:?}", out.failed);
    h.admin("DELETE", "faults", json!({})).await;
    assert!(!h.plan(&zones(10)).await.has_resource_changes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_operation_fails_its_step_with_azures_error_and_a_rerun_converges() {
    let h = impatient().await;
    let text = format!(
        "{RG}resource \"azurerm_storage_account\" \"sa\" {{\n  name = \"safail01\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  account_tier = \"Standard\"\n  account_replication_type = \"LRS\"\n}}\n"
    );
    h.admin("PATCH", "faults", json!({"fail_next": [{"matches": "storageAccounts", "code": "InternalServerError", "message": "disk on fire"}]})).await;
    let out = h.apply(&text).await;
    assert!(!out.ok);
    assert!(
        out.failed
            .iter()
            .any(|f| f.contains("azurerm_storage_account.sa")
                && f.contains("InternalServerError")
                && f.contains("disk on fire")),
        "{:?}",
        out.failed
    );
    let again = h.apply(&text).await;
    assert!(again.ok, "{:?}", again.failed);
    assert!(!h.plan(&text).await.has_resource_changes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_region_outage_fails_only_what_lives_there() {
    let h = impatient().await;
    let text = "provider \"azurerm\" {\n  features {}\n}\nresource \"azurerm_resource_group\" \"east\" {\n  name = \"east\"\n  location = \"eastus\"\n}\nresource \"azurerm_resource_group\" \"west\" {\n  name = \"west\"\n  location = \"westeurope\"\n}\n";
    h.admin("POST", "faults/region-down", json!({"region": "eastus"}))
        .await;
    let out = h.apply(text).await;
    assert!(!out.ok);
    assert_eq!(out.failed.len(), 1, "{:?}", out.failed);
    assert!(
        out.failed[0].contains("azurerm_resource_group.east")
            && out.failed[0].contains("ServiceUnavailable")
    );
    h.admin("POST", "faults/region-up", json!({"region": "eastus"}))
        .await;
    assert!(h.apply(text).await.ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dr_operations_promotion_links_and_pool_rotation() {
    let h = harness().await;
    let pg = |role: &str| {
        format!(
            "provider \"azurerm\" {{\n  features {{}}\n}}\nresource \"azurerm_resource_group\" \"east\" {{\n  name = \"east\"\n  location = \"eastus\"\n}}\nresource \"azurerm_resource_group\" \"west\" {{\n  name = \"west\"\n  location = \"westeurope\"\n}}\n\
resource \"azurerm_postgresql_flexible_server\" \"primary\" {{\n  name = \"pg-east\"\n  location = \"eastus\"\n  resource_group_name = azurerm_resource_group.east.name\n  sku_name = \"GP_Standard_D8ds_v5\"\n  storage_mb = 1048576\n  administrator_login = \"pgadmin\"\n  administrator_password = \"S3cret-pw!\"\n}}\n\
resource \"azurerm_postgresql_flexible_server\" \"replica\" {{\n  name = \"pg-west\"\n  location = \"westeurope\"\n  resource_group_name = azurerm_resource_group.west.name\n  sku_name = \"GP_Standard_D8ds_v5\"\n  create_mode = \"Replica\"\n  source_server_id = azurerm_postgresql_flexible_server.primary.id\n  {role}\n}}\n"
        )
    };
    let out = h.apply(&pg("")).await;
    assert!(out.ok, "{:?}", out.failed);
    assert_eq!(
        h.state_attr(
            "azurerm_postgresql_flexible_server.replica",
            "replication_role"
        ),
        "GeoAsyncReplica"
    );
    let clean = h.plan(&pg("")).await;
    assert!(!clean.has_resource_changes());
    // Regression: the source turning "Primary" once its replica exists is
    // not drift (it showed as "changed outside drinfra" after every apply).
    assert!(
        clean.drift.is_empty(),
        "spurious drift: {:?}",
        clean.drift.iter().map(|d| &d.address).collect::<Vec<_>>()
    );
    // Promotion: an update with a note, never a replacement.
    let promote = pg("replication_role = \"None\"");
    let p = h.plan(&promote).await;
    let c = p
        .changes
        .iter()
        .find(|c| c.address == "azurerm_postgresql_flexible_server.replica")
        .unwrap();
    assert_eq!(c.action, Action::Update);
    assert!(
        c.notes.iter().any(|n| n.contains("promotes")),
        "{:?}",
        c.notes
    );
    assert!(h.apply(&promote).await.ok);
    assert_eq!(
        h.state_attr(
            "azurerm_postgresql_flexible_server.replica",
            "replication_role"
        ),
        "None"
    );
    assert!(
        !h.plan(&promote).await.has_resource_changes(),
        "create_mode and source_server_id do not fight the promotion"
    );

    // Node pool vm_size: rotation, same pool name, cluster untouched.
    let aks = |size: &str| {
        format!(
            "provider \"azurerm\" {{\n  features {{}}\n}}\nresource \"azurerm_resource_group\" \"rg\" {{\n  name = \"aks\"\n  location = \"eastus\"\n}}\nresource \"azurerm_kubernetes_cluster\" \"aks\" {{\n  name = \"aks\"\n  location = \"eastus\"\n  resource_group_name = azurerm_resource_group.rg.name\n  dns_prefix = \"aks\"\n  default_node_pool {{\n    name = \"system\"\n    vm_size = \"Standard_D4s_v5\"\n    node_count = 3\n  }}\n}}\nresource \"azurerm_kubernetes_cluster_node_pool\" \"app\" {{\n  name = \"application\"\n  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id\n  vm_size = \"{size}\"\n  node_count = 5\n}}\n"
        )
    };
    assert!(h.apply(&aks("Standard_D8s_v5")).await.ok);
    let cluster_id = h.state_attr("azurerm_kubernetes_cluster.aks", "id");
    let p = h.plan(&aks("Standard_D16s_v5")).await;
    let c = p
        .changes
        .iter()
        .find(|c| c.address == "azurerm_kubernetes_cluster_node_pool.app")
        .unwrap();
    assert_eq!(c.action, Action::Update);
    assert!(c.notes.iter().any(|n| n.contains("rotation")));
    assert_eq!(
        p.changes
            .iter()
            .find(|c| c.address == "azurerm_kubernetes_cluster.aks")
            .unwrap()
            .action,
        Action::NoOp
    );
    let out = h.apply(&aks("Standard_D16s_v5")).await;
    assert!(out.ok, "{:?}", out.failed);
    assert_eq!(
        h.state_attr("azurerm_kubernetes_cluster_node_pool.app", "vm_size"),
        "Standard_D16s_v5"
    );
    assert_eq!(
        h.state_attr("azurerm_kubernetes_cluster.aks", "id"),
        cluster_id
    );
    assert!(
        !h.plan(&aks("Standard_D16s_v5"))
            .await
            .has_resource_changes()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_geo_replication_link_and_validation_of_unsupported_arguments() {
    let h = harness().await;
    let text = "provider \"azurerm\" {\n  features {}\n}\nresource \"azurerm_resource_group\" \"rg\" {\n  name = \"cache\"\n  location = \"eastus\"\n}\n\
resource \"azurerm_redis_cache\" \"east\" {\n  name = \"c-east\"\n  location = \"eastus\"\n  resource_group_name = azurerm_resource_group.rg.name\n  capacity = 3\n  family = \"P\"\n  sku_name = \"Premium\"\n}\n\
resource \"azurerm_redis_cache\" \"west\" {\n  name = \"c-west\"\n  location = \"westeurope\"\n  resource_group_name = azurerm_resource_group.rg.name\n  capacity = 3\n  family = \"P\"\n  sku_name = \"Premium\"\n}\n\
resource \"azurerm_redis_linked_server\" \"link\" {\n  target_redis_cache_name = azurerm_redis_cache.east.name\n  resource_group_name = azurerm_resource_group.rg.name\n  linked_redis_cache_id = azurerm_redis_cache.west.id\n  linked_redis_cache_location = azurerm_redis_cache.west.location\n  server_role = \"Secondary\"\n}\n";
    let out = h.apply(text).await;
    assert!(out.ok, "{:?}", out.failed);
    assert_eq!(
        h.state_attr("azurerm_redis_linked_server.link", "name"),
        "c-west"
    );
    assert!(!h.plan(text).await.has_resource_changes());
    // Import, as every type: the same link, clean after.
    let id = h
        .state_attr("azurerm_redis_linked_server.link", "id")
        .as_str()
        .unwrap()
        .to_string();
    let backend = LocalBackend::new(h.dir().join("s.tfstate"));
    let serial = backend.load().unwrap().unwrap().serial + 1;
    backend
        .append(&[Record {
            serial,
            change: Change::Remove("azurerm_redis_linked_server.link".into()),
        }])
        .unwrap();
    let imported = h
        .apply(&format!(
            "{text}import {{\n  to = azurerm_redis_linked_server.link\n  id = \"{id}\"\n}}\n"
        ))
        .await;
    assert!(
        imported.ok && !action_of(&imported.plan, "azurerm_redis_linked_server.link").is_replace(),
        "{:?}",
        imported.failed
    );
    assert!(
        !h.plan(text).await.has_resource_changes(),
        "clean after import"
    );
    // Regression: an imported object had no recorded dependencies, so the
    // final destroy could delete a cache before its link (flaky failure).
    let deps =
        h.state_json()["resources"]["azurerm_redis_linked_server.link"]["dependencies"].clone();
    assert!(
        deps.as_array()
            .is_some_and(|d| d.iter().any(|x| x == "azurerm_redis_cache.west")),
        "{deps}"
    );
    // An argument drinfra does not support is an error naming it.
    let provider = h.providers.for_type("azurerm_redis_cache").unwrap();
    let cfg = drinfra::lang::Value::Object(
        [
            ("name".to_string(), drinfra::lang::Value::String("x".into())),
            (
                "public_network_access".to_string(),
                drinfra::lang::Value::Bool(true),
            ),
        ]
        .into(),
    );
    let problems = provider.validate("azurerm_redis_cache", &cfg);
    assert!(
        problems
            .iter()
            .any(|p| p.argument.as_deref() == Some("public_network_access")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.detail.contains("\"capacity\"")),
        "required arguments are named: {problems:?}"
    );
    // Unlink and clean up: the link goes before the caches.
    assert!(h.apply("").await.ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_objects_are_imported_by_block_and_by_address() {
    let h = harness().await;
    // Objects made outside drinfra.
    let c = &h.running.credentials;
    let tok: J = h
        .http
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            h.running.url, c.tenant_id
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
    let token = tok["access_token"].as_str().unwrap().to_string();
    let sub = &c.subscription_id;
    let put = |path: String, api: &'static str, body: J| {
        let req = h
            .http
            .put(format!("{}{path}?api-version={api}", h.running.url))
            .bearer_auth(token.clone())
            .json(&body);
        async move { assert!(req.send().await.unwrap().status().is_success()) }
    };
    put(
        format!("/subscriptions/{sub}/resourceGroups/legacy"),
        "2024-11-01",
        json!({"location": "eastus", "tags": {"owner": "ops"}}),
    )
    .await;
    put(format!("/subscriptions/{sub}/resourceGroups/legacy/providers/Microsoft.Network/dnszones/legacy.example.com"), "2018-05-01", json!({"location": "global"})).await;
    let text = format!(
        "provider \"azurerm\" {{\n  features {{}}\n}}\nresource \"azurerm_resource_group\" \"legacy\" {{\n  name = \"legacy\"\n  location = \"eastus\"\n  tags = {{ owner = \"ops\" }}\n}}\nimport {{\n  to = azurerm_resource_group.legacy\n  id = \"/subscriptions/{sub}/resourceGroups/legacy\"\n}}\nresource \"azurerm_dns_zone\" \"z\" {{\n  name = \"legacy.example.com\"\n  resource_group_name = azurerm_resource_group.legacy.name\n}}\n"
    );
    // The zone by address, as `drinfra import` does.
    let provider = h.providers.for_type("azurerm_dns_zone").unwrap();
    let rs = drinfra::apply::import(provider.as_ref(), "azurerm_dns_zone.z", "azurerm_dns_zone", &format!("/subscriptions/{sub}/resourceGroups/legacy/providers/Microsoft.Network/dnszones/legacy.example.com")).await.unwrap();
    assert_eq!(rs.attributes["resource_group_name"], "legacy");
    let backend = LocalBackend::new(h.dir().join("s.tfstate"));
    let mut st = drinfra::state::State::new().unwrap();
    st.serial = 1;
    st.resources.insert(rs.address.clone(), rs);
    backend.compact(&st).unwrap();
    // The group by import block.
    let out = h.apply(&text).await;
    assert!(out.ok, "{:?}", out.failed);
    assert_eq!(out.plan.imports.len(), 1);
    assert!(
        !out.plan.has_resource_changes(),
        "imported objects match their configuration"
    );
    assert!(!h.plan(&text).await.has_changes());
    assert_eq!(
        h.state_attr("azurerm_resource_group.legacy", "location"),
        "eastus"
    );
    // Importing what does not exist is an error.
    let missing = drinfra::apply::import(provider.as_ref(), "azurerm_dns_zone.y", "azurerm_dns_zone", &format!("/subscriptions/{sub}/resourceGroups/legacy/providers/Microsoft.Network/dnszones/nope.example.com")).await;
    assert!(missing.is_err());
}

/// `blob_properties` lives on the account's blob service, a child resource
/// written and read beside the account (the DR plan's soft delete and
/// versioning): create, clean re-plan, update, drift, and an unsupported
/// sub-argument named as such.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_blob_properties_round_trip_through_the_blob_service() {
    let h = harness().await;
    let st = |days: u32, extra: &str| {
        with_rg(&format!(
            "resource \"azurerm_storage_account\" \"sa\" {{\n  name = \"sablob01\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  account_tier = \"Standard\"\n  account_replication_type = \"GRS\"\n  blob_properties {{\n    versioning_enabled = true\n    delete_retention_policy {{\n      days = {days}\n    }}\n    container_delete_retention_policy {{\n      days = 7\n    }}{extra}\n  }}\n}}\n"
        ))
    };
    let out = h.apply(&st(14, "")).await;
    assert!(out.ok, "{:?}", out.failed);
    let again = h.plan(&st(14, "")).await;
    assert!(
        !again.has_resource_changes() && again.drift.is_empty(),
        "re-plan not clean: {:?}",
        again.actions().map(|c| &c.address).collect::<Vec<_>>()
    );
    let id = h
        .state_attr("azurerm_storage_account.sa", "id")
        .as_str()
        .unwrap()
        .to_string();
    let blob = &h.state_attr("azurerm_storage_account.sa", "blob_properties")[0];
    assert_eq!(
        (
            blob["versioning_enabled"].as_bool(),
            blob["delete_retention_policy"][0]["days"].as_f64()
        ),
        (Some(true), Some(14.0)),
        "{blob}"
    );

    let up = h.apply(&st(30, "")).await;
    assert!(
        up.ok && action_of(&up.plan, "azurerm_storage_account.sa") == Action::Update,
        "{:?}",
        up.failed
    );
    assert_eq!(
        h.state_attr("azurerm_storage_account.sa", "blob_properties")[0]["delete_retention_policy"]
            [0]["days"],
        30.0
    );
    assert!(!h.plan(&st(30, "")).await.has_resource_changes());

    // Soft delete switched off behind drinfra's back is drift, and put back.
    h.arm_patch(
        &format!("{id}/blobServices/default"),
        "2025-01-01",
        json!({"properties": {"deleteRetentionPolicy": {"enabled": false}}}),
    )
    .await;
    let drifted = h.plan(&st(30, "")).await;
    assert!(
        drifted
            .drift
            .iter()
            .any(|d| d.address == "azurerm_storage_account.sa"),
        "drift not detected"
    );
    assert_eq!(
        action_of(&drifted, "azurerm_storage_account.sa"),
        Action::Update
    );
    assert!(h.apply(&st(30, "")).await.ok);
    assert_eq!(
        h.state_attr("azurerm_storage_account.sa", "blob_properties")[0]["delete_retention_policy"]
            [0]["days"],
        30.0
    );

    // An argument drinfra does not map is an error that names it.
    std::fs::write(
        h.dir().join("main.tf"),
        st(30, "\n    last_access_tracking = true"),
    )
    .unwrap();
    let stack = drinfra::config::open(h.dir(), &[], &[]);
    let backend = LocalBackend::new(h.dir().join("s.tfstate"));
    let prior = backend.load().unwrap();
    let (_, diags) = planner::plan(
        &stack.config,
        &stack.inputs,
        h.dir(),
        prior.as_ref(),
        &h.providers,
        &PlanOptions::default(),
    )
    .await;
    assert!(
        diags.has_errors() && format!("{diags:?}").contains("last_access_tracking"),
        "{diags:?}"
    );
}

/// azurerm's `timeouts` block: kept in state (a clean re-plan), checked
/// when planned, and it bounds how long drinfra follows an operation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_blocks_bound_operations_and_are_checked() {
    let h = harness().await;
    let rg = |limits: &str| {
        format!(
            "resource \"azurerm_resource_group\" \"rg\" {{\n  name = \"rg-timeouts\"\n  location = \"westeurope\"\n}}\nresource \"azurerm_redis_cache\" \"c\" {{\n  name = \"redis-timeouts\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  capacity = 1\n  family = \"P\"\n  sku_name = \"Premium\"\n  timeouts {{\n{limits}\n  }}\n}}\n"
        )
    };
    let out = h
        .apply(&rg("    create = \"90m\"\n    delete = \"1h30m\""))
        .await;
    assert!(out.ok, "{:?}", out.failed);
    assert!(
        !h.plan(&rg("    create = \"90m\"\n    delete = \"1h30m\""))
            .await
            .has_resource_changes(),
        "the block is kept in state"
    );
    assert_eq!(
        h.state_attr("azurerm_redis_cache.c", "timeouts")[0]["create"],
        "90m"
    );

    // A bad duration or operation is a plan error naming it.
    std::fs::write(
        h.dir().join("main.tf"),
        rg("    create = \"soon\"\n    destroy = \"5m\""),
    )
    .unwrap();
    let stack = drinfra::config::open(h.dir(), &[], &[]);
    let prior = LocalBackend::new(h.dir().join("s.tfstate")).load().unwrap();
    let (_, diags) = planner::plan(
        &stack.config,
        &stack.inputs,
        h.dir(),
        prior.as_ref(),
        &h.providers,
        &PlanOptions::default(),
    )
    .await;
    let text = format!("{diags:?}");
    assert!(
        diags.has_errors() && text.contains("timeouts.create") && text.contains("timeouts.destroy"),
        "{text}"
    );

    // Operations now take far longer than the limit: the step fails with a
    // timeout rather than waiting for the client's default of hours.
    h.admin("PATCH", "settings", json!({"duration_factor": 1.0e7}))
        .await;
    let started = std::time::Instant::now();
    let slow = h
        .apply(&rg("    update = \"1s\"").replace("capacity = 1", "capacity = 2"))
        .await;
    assert!(!slow.ok);
    assert!(
        slow.failed
            .iter()
            .any(|f| f.contains("azurerm_redis_cache.c") && f.contains("timed out after 1s")),
        "{:?}",
        slow.failed
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

/// Data sources: read while planning from the objects that exist, usable
/// by resources and outputs, applied as planned; a missing object or an
/// argument that is not an identifier is an error at the data block.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_sources_read_existing_objects_while_planning() {
    let h = harness().await;
    let base = "resource \"azurerm_resource_group\" \"shared\" {\n  name = \"rg-shared\"\n  location = \"northeurope\"\n}\nresource \"azurerm_dns_zone\" \"z\" {\n  name = \"shared.example.com\"\n  resource_group_name = azurerm_resource_group.shared.name\n}\n";
    assert!(h.apply(base).await.ok);
    // Another stack (same state here, for brevity) finds them by name.
    let reader = format!(
        "{base}data \"azurerm_resource_group\" \"found\" {{\n  name = \"rg-shared\"\n}}\ndata \"azurerm_dns_zone\" \"found\" {{\n  name = \"shared.example.com\"\n  resource_group_name = data.azurerm_resource_group.found.name\n}}\ndata \"azurerm_client_config\" \"me\" {{}}\n\
resource \"azurerm_resource_group\" \"app\" {{\n  name = \"rg-app\"\n  location = data.azurerm_resource_group.found.location\n  tags = {{ zone_servers = tostring(length(data.azurerm_dns_zone.found.name_servers)), subscription = data.azurerm_client_config.me.subscription_id }}\n}}\n"
    );
    let plan = h.plan(&reader).await;
    assert_eq!(
        plan.data["data.azurerm_resource_group.found"]
            .as_mapping()
            .unwrap()["location"],
        drinfra::lang::Value::String("northeurope".into())
    );
    let shown = drinfra::render::plan::render(&plan, drinfra::render::style::Style::plain());
    assert!(shown.contains("Read while planning: data.azurerm_client_config.me, data.azurerm_dns_zone.found, data.azurerm_resource_group.found."), "{shown}");
    let app = plan
        .changes
        .iter()
        .find(|c| c.address == "azurerm_resource_group.app")
        .unwrap();
    assert_eq!(app.action, Action::Create);
    let out = h.apply(&reader).await;
    assert!(out.ok, "{:?}", out.failed);
    assert_eq!(
        h.state_attr("azurerm_resource_group.app", "location"),
        "northeurope"
    );
    assert_eq!(
        h.state_attr("azurerm_resource_group.app", "tags")["zone_servers"],
        "4"
    );
    assert_eq!(
        h.state_attr("azurerm_resource_group.app", "tags")["subscription"],
        h.running.credentials.subscription_id.as_str()
    );
    assert!(!h.plan(&reader).await.has_resource_changes());

    let plan_errors = |text: String| {
        let h = &h;
        async move {
            std::fs::write(h.dir().join("main.tf"), text).unwrap();
            let stack = drinfra::config::open(h.dir(), &[], &[]);
            let prior = LocalBackend::new(h.dir().join("s.tfstate")).load().unwrap();
            let (_, diags) = planner::plan(
                &stack.config,
                &stack.inputs,
                h.dir(),
                prior.as_ref(),
                &h.providers,
                &PlanOptions::default(),
            )
            .await;
            assert!(diags.has_errors());
            format!("{diags:?}")
        }
    };
    let missing = plan_errors(format!(
        "{base}data \"azurerm_resource_group\" \"gone\" {{\n  name = \"rg-nowhere\"\n}}\n"
    ))
    .await;
    assert!(
        missing.contains("Cannot read data.azurerm_resource_group.gone")
            && missing.contains("does not exist"),
        "{missing}"
    );
    let not_an_id = plan_errors(format!("{base}data \"azurerm_resource_group\" \"x\" {{\n  name = \"rg-shared\"\n  location = \"westeurope\"\n}}\n")).await;
    assert!(
        not_an_id.contains("\\\"location\\\" is not one of its arguments"),
        "{not_an_id}"
    );

    // A data source on an object this plan creates is read during apply,
    // after it, as Terraform does; what uses it is known after apply.
    let deferred = format!(
        "{base}resource \"azurerm_resource_group\" \"new\" {{\n  name = \"rg-new\"\n  location = \"uksouth\"\n}}\ndata \"azurerm_resource_group\" \"new\" {{\n  name = azurerm_resource_group.new.name\n}}\n\
resource \"azurerm_dns_zone\" \"follower\" {{\n  name = \"follower.example.com\"\n  resource_group_name = data.azurerm_resource_group.new.name\n  tags = {{ region = data.azurerm_resource_group.new.location }}\n}}\n"
    );
    let plan = h.plan(&deferred).await;
    let read = plan
        .changes
        .iter()
        .find(|c| c.address == "data.azurerm_resource_group.new")
        .expect("a read during apply");
    assert_eq!((read.action, read.mode.as_str()), (Action::Read, "data"));
    assert!(
        read.depends_on
            .contains(&"azurerm_resource_group.new".to_string()),
        "{:?}",
        read.depends_on
    );
    let shown = drinfra::render::plan::render(&plan, drinfra::render::style::Style::plain());
    assert!(shown.contains("# data.azurerm_resource_group.new will be read during apply\n  # (depends on objects this plan changes)\n  <= data \"azurerm_resource_group\" \"new\" {") && shown.contains("Summary: 2 to add, 0 to change, 1 to destroy."), "{shown}");
    let out = h.apply(&deferred).await;
    assert!(out.ok, "{:?}", out.failed);
    assert_eq!(
        h.state_attr("azurerm_dns_zone.follower", "tags")["region"],
        "uksouth",
        "the value the read found during apply"
    );
    let again = h.plan(&deferred).await;
    assert!(
        !again.has_resource_changes(),
        "{:?}",
        again
            .actions()
            .map(|c| format!("{} {:?}", c.address, c.action))
            .collect::<Vec<_>>()
    );
}

/// Provider aliases (issue #12): a DR site in another subscription, by
/// `provider = azurerm.dr` on resources and by a module call's `providers`
/// map; the embedded emulator serves both subscriptions, and the DR
/// configuration signs in as a principal authorised on the DR
/// subscription only. Every object lands where its configuration says (as
/// the emulator sees it), state records each one's configuration, a
/// re-plan is clean, an orphan is deleted through its own configuration,
/// and destroy removes everything from both subscriptions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_aliases_put_each_site_in_its_own_subscription() {
    const PRIMARY: &str = "00000000-0000-0000-0000-000000000001";
    const DR: &str = "00000000-0000-0000-0000-000000000002";
    let stack = tempfile::tempdir().unwrap();
    let dir = stack.path();
    // The emulator's identities: its own client (all subscriptions) and a
    // DR principal authorised on the DR subscription only.
    let emu_dir = dir.join(".drinfra/emulator");
    std::fs::create_dir_all(&emu_dir).unwrap();
    let creds = json!({
        "tenant_id": "11111111-1111-1111-1111-111111111111", "client_id": "main-client", "client_secret": "main-secret", "subscription_id": PRIMARY,
        "subscriptions": [PRIMARY, DR],
        "principals": [{"client_id": "dr-client", "client_secret": "dr-secret", "subscriptions": [DR]}],
    });
    std::fs::write(emu_dir.join("credentials.json"), creds.to_string()).unwrap();
    std::fs::create_dir_all(dir.join("site")).unwrap();
    std::fs::write(dir.join("site/main.tf"), "variable \"name\" {\n  type = string\n}\nresource \"azurerm_resource_group\" \"rg\" {\n  name     = var.name\n  location = \"westeurope\"\n}\noutput \"id\" {\n  value = azurerm_resource_group.rg.id\n}\n").unwrap();
    let providers_tf = format!(
        "provider \"azurerm\" {{\n  features {{}}\n}}\nprovider \"azurerm\" {{\n  alias           = \"dr\"\n  features {{}}\n  use_emulator    = true\n  subscription_id = \"{DR}\"\n  client_id       = \"dr-client\"\n}}\nprovider \"azurerm\" {{\n  alias           = \"ops\"\n  features {{}}\n  use_emulator    = true\n  subscription_id = \"{PRIMARY}\"\n}}\n"
    );
    let zone = "resource \"azurerm_dns_zone\" \"dr\" {\n  provider            = azurerm.dr\n  name                = \"dr.example.com\"\n  resource_group_name = azurerm_resource_group.dr.name\n}\n";
    let main = |with_zone: bool| {
        format!(
            "{providers_tf}resource \"azurerm_resource_group\" \"primary\" {{\n  name     = \"rg-primary\"\n  location = \"eastus\"\n}}\nresource \"azurerm_resource_group\" \"dr\" {{\n  provider = azurerm.dr\n  name     = \"rg-dr\"\n  location = \"westeurope\"\n}}\n{}\
module \"dr_site\" {{\n  source = \"./site\"\n  name   = \"rg-site\"\n  providers = {{\n    azurerm = azurerm.dr\n  }}\n}}\nmodule \"primary_site\" {{\n  source = \"./site\"\n  name   = \"rg-site\"\n}}\n\
data \"azurerm_client_config\" \"dr\" {{\n  provider = azurerm.dr\n}}\noutput \"dr_subscription\" {{\n  value = data.azurerm_client_config.dr.subscription_id\n}}\n",
            if with_zone { zone } else { "" }
        )
    };
    let env = vec![(
        "DRINFRA_EMULATOR_TIME_SCALE".to_string(),
        "1000000".to_string(),
    )];
    std::fs::write(dir.join("main.tf"), main(true)).unwrap();
    let stack_cfg = drinfra::config::open(dir, &[], &[]);
    assert!(!stack_cfg.diags.has_errors(), "{:?}", stack_cfg.diags);
    let settings = setup::all_settings(&stack_cfg.config, &stack_cfg.inputs, dir, &env).unwrap();
    assert_eq!(settings.len(), 3);
    let wanted = setup::embedded_requests(&settings, dir, &env);
    assert_eq!(
        wanted.len(),
        1,
        "the configurations share one embedded emulator"
    );
    let running = emulator::start(
        Options {
            data_dir: wanted[0].data_dir.clone(),
            tls: true,
            settings: EmuSettings {
                time_scale: wanted[0].time_scale,
                ..EmuSettings::default()
            },
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let started = [(
        wanted[0].data_dir.clone(),
        setup::Endpoint {
            url: running.url.clone(),
            ca_pem: running.ca_pem.clone(),
            credentials: setup::EmulatorCredentials::read(&wanted[0].data_dir).unwrap(),
        },
    )];
    let built = setup::providers(&settings, dir, &env, &started)
        .await
        .unwrap();
    assert_eq!(
        (
            built[0].1.subscription.as_str(),
            built[1].1.subscription.as_str()
        ),
        (PRIMARY, DR)
    );
    let mut providers = Providers::builtin();
    for (addr, p) in built {
        providers.add_config(addr, Arc::new(p));
    }
    let backend = LocalBackend::new(dir.join("s.tfstate"));
    let run = |destroy: bool| {
        let providers = &providers;
        let backend = &backend;
        async move {
            let stack = drinfra::config::open(dir, &[], &[]);
            assert!(!stack.diags.has_errors(), "{:?}", stack.diags);
            let prior = backend.load().unwrap();
            let (plan, diags) = planner::plan(
                &stack.config,
                &stack.inputs,
                dir,
                prior.as_ref(),
                providers,
                &PlanOptions {
                    destroy,
                    ..PlanOptions::default()
                },
            )
            .await;
            assert!(!diags.has_errors(), "plan errors: {diags:?}");
            let plan = plan.unwrap();
            let report = apply::apply(
                &plan,
                &stack.config,
                &stack.inputs,
                dir,
                backend,
                prior,
                providers,
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
            assert!(report.ok(), "{:?}", report.failed);
            plan
        }
    };
    let plan = run(false).await;
    assert_eq!(
        plan.changes
            .iter()
            .filter(|c| c.action == Action::Create)
            .count(),
        5
    );

    // The emulator's own view, through ARM with each subscription's id.
    let http = emulator::client(running.ca_pem.as_deref()).unwrap();
    let token = |client: &'static str, secret: &'static str| {
        let http = &http;
        let url = running.url.clone();
        async move {
            let tok: J = http
                .post(format!(
                    "{url}/11111111-1111-1111-1111-111111111111/oauth2/v2.0/token"
                ))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", client),
                    ("client_secret", secret),
                    ("scope", "https://management.azure.com/.default"),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            tok["access_token"].as_str().unwrap().to_string()
        }
    };
    let main_token = token("main-client", "main-secret").await;
    let status = |sub: &str, rest: &str, tok: &str| {
        let req = http
            .get(format!(
                "{}/subscriptions/{sub}/resourceGroups/{rest}?api-version=2024-11-01",
                running.url
            ))
            .bearer_auth(tok.to_string());
        async move { req.send().await.unwrap().status().as_u16() }
    };
    let zone_path = "rg-dr/providers/Microsoft.Network/dnszones/dr.example.com";
    for (sub, rest, want) in [
        (PRIMARY, "rg-primary", 200),
        (DR, "rg-primary", 404),
        (DR, "rg-dr", 200),
        (PRIMARY, "rg-dr", 404),
        (DR, "rg-site", 200),
        (PRIMARY, "rg-site", 200),
    ] {
        assert_eq!(status(sub, rest, &main_token).await, want, "{sub} {rest}");
    }
    let zone_url = |sub: &str| {
        format!(
            "{}/subscriptions/{sub}/resourceGroups/{zone_path}?api-version=2018-05-01",
            running.url
        )
    };
    assert_eq!(
        http.get(zone_url(DR))
            .bearer_auth(&main_token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    // The DR principal is authorised on the DR subscription only; an
    // unknown subscription does not exist.
    let dr_token = token("dr-client", "dr-secret").await;
    assert_eq!(status(DR, "rg-dr", &dr_token).await, 200);
    let denied = http
        .get(format!(
            "{}/subscriptions/{PRIMARY}/resourceGroups/rg-primary?api-version=2024-11-01",
            running.url
        ))
        .bearer_auth(&dr_token)
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status().as_u16(), 403);
    assert_eq!(
        denied.json::<J>().await.unwrap()["error"]["code"],
        "AuthorizationFailed"
    );
    let listed = |tok: String| {
        let req = http
            .get(format!(
                "{}/subscriptions?api-version=2022-12-01",
                running.url
            ))
            .bearer_auth(tok);
        async move {
            req.send().await.unwrap().json::<J>().await.unwrap()["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["subscriptionId"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed(main_token.clone()).await, [PRIMARY, DR]);
    assert_eq!(listed(dr_token.clone()).await, [DR]);
    let unknown = http.get(format!("{}/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/rg-dr?api-version=2024-11-01", running.url)).bearer_auth(&main_token).send().await.unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    assert_eq!(
        unknown.json::<J>().await.unwrap()["error"]["code"],
        "SubscriptionNotFound"
    );

    // State says which configuration manages each object.
    let state: J =
        serde_json::from_str(&std::fs::read_to_string(dir.join("s.tfstate")).unwrap()).unwrap();
    let dr_cfg = "provider[\"registry.terraform.io/hashicorp/azurerm\"].dr";
    let default_cfg = "provider[\"registry.terraform.io/hashicorp/azurerm\"]";
    for (addr, want) in [
        ("azurerm_resource_group.dr", dr_cfg),
        ("azurerm_dns_zone.dr", dr_cfg),
        ("module.dr_site.azurerm_resource_group.rg", dr_cfg),
        ("azurerm_resource_group.primary", default_cfg),
        ("module.primary_site.azurerm_resource_group.rg", default_cfg),
    ] {
        assert_eq!(state["resources"][addr]["provider"], want, "{addr}");
    }
    assert_eq!(
        state["resources"]["module.dr_site.azurerm_resource_group.rg"]["attributes"]["id"],
        format!("/subscriptions/{DR}/resourceGroups/rg-site")
    );
    assert_eq!(state["outputs"]["dr_subscription"]["value"], DR);

    // Nothing left to do.
    let again = run(false).await;
    assert!(
        !again.has_resource_changes(),
        "{:?}",
        again
            .changes
            .iter()
            .filter(|c| c.action != Action::NoOp)
            .map(|c| &c.address)
            .collect::<Vec<_>>()
    );

    // Another configuration for the same subscription manages the same
    // object: nothing to do, and state records the new configuration.
    std::fs::write(
        dir.join("main.tf"),
        main(true).replacen(
            "  name     = \"rg-primary\"",
            "  provider = azurerm.ops\n  name     = \"rg-primary\"",
            1,
        ),
    )
    .unwrap();
    let same = run(false).await;
    assert!(!same.has_resource_changes());
    let state: J =
        serde_json::from_str(&std::fs::read_to_string(dir.join("s.tfstate")).unwrap()).unwrap();
    assert_eq!(
        state["resources"]["azurerm_resource_group.primary"]["provider"],
        format!("{default_cfg}.ops")
    );
    std::fs::write(dir.join("main.tf"), main(true)).unwrap();
    assert!(!run(false).await.has_resource_changes());

    // Moving an object to a configuration where it would be another object
    // (another subscription) is refused, not patched through the new one.
    std::fs::write(
        dir.join("main.tf"),
        main(true).replacen(
            "  name     = \"rg-primary\"",
            "  provider = azurerm.dr\n  name     = \"rg-primary\"",
            1,
        ),
    )
    .unwrap();
    let moved = drinfra::config::open(dir, &[], &[]);
    let prior = backend.load().unwrap();
    let (_, diags) = planner::plan(
        &moved.config,
        &moved.inputs,
        dir,
        prior.as_ref(),
        &providers,
        &PlanOptions::default(),
    )
    .await;
    let shown = format!("{diags:?}");
    assert!(diags.has_errors() && shown.contains("Provider configuration changed") && shown.contains("azurerm_resource_group.primary is recorded under provider configuration provider[\\\"registry.terraform.io/hashicorp/azurerm\\\"]"), "{shown}");

    // An orphan is deleted through the configuration that created it.
    std::fs::write(dir.join("main.tf"), main(false)).unwrap();
    let plan = run(false).await;
    assert_eq!(action_of(&plan, "azurerm_dns_zone.dr"), Action::Delete);
    assert_eq!(
        http.get(zone_url(DR))
            .bearer_auth(&main_token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );

    // Destroy empties both subscriptions.
    run(true).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    for (sub, rest) in [
        (PRIMARY, "rg-primary"),
        (DR, "rg-dr"),
        (DR, "rg-site"),
        (PRIMARY, "rg-site"),
    ] {
        assert_eq!(
            status(sub, rest, &main_token).await,
            404,
            "{sub} {rest} after destroy"
        );
    }
}

/// The emulator's RBAC reaches linked resources and Resource Graph: a
/// principal authorised on the DR subscription only cannot seed a replica
/// from a server in the primary subscription (403
/// `LinkedAuthorizationFailed`, as ARM answers), nor see the primary's
/// objects through Resource Graph; the main client can do both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_rbac_covers_linked_resources_and_resource_graph() {
    const PRIMARY: &str = "00000000-0000-0000-0000-000000000001";
    const DR: &str = "00000000-0000-0000-0000-000000000002";
    let dir = tempfile::tempdir().unwrap();
    let creds = json!({
        "tenant_id": "t1", "client_id": "main-client", "client_secret": "main-secret", "subscription_id": PRIMARY,
        "principals": [{"client_id": "dr-client", "client_secret": "dr-secret", "subscriptions": [DR]}],
    });
    std::fs::write(dir.path().join("credentials.json"), creds.to_string()).unwrap();
    let running = emulator::start(
        Options {
            data_dir: dir.path().to_path_buf(),
            tls: true,
            settings: EmuSettings {
                time_scale: 1.0e7,
                ..EmuSettings::default()
            },
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        running.credentials.subscriptions,
        [PRIMARY, DR],
        "an older credentials.json serves the default two subscriptions"
    );
    let http = emulator::client(running.ca_pem.as_deref()).unwrap();
    let token = |client: &str, secret: &str| {
        let req = http
            .post(format!("{}/t1/oauth2/v2.0/token", running.url))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client),
                ("client_secret", secret),
            ]);
        async move {
            req.send().await.unwrap().json::<J>().await.unwrap()["access_token"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let (main, dr) = (
        token("main-client", "main-secret").await,
        token("dr-client", "dr-secret").await,
    );
    let call = |method: &str, path: String, api: &str, tok: &str, body: Option<J>| {
        let mut req = http
            .request(
                method.parse().unwrap(),
                format!("{}{path}?api-version={api}", running.url),
            )
            .bearer_auth(tok.to_string());
        if let Some(b) = body {
            req = req.json(&b);
        }
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.json::<J>().await.unwrap_or(J::Null))
        }
    };
    let pg = |location: &str| json!({"location": location, "sku": {"name": "Standard_D2ds_v5", "tier": "GeneralPurpose"}, "properties": {"administratorLogin": "admin", "administratorLoginPassword": "S3cret!", "version": "16", "storage": {"storageSizeGB": 128}}});
    assert!(
        call(
            "PUT",
            format!("/subscriptions/{PRIMARY}/resourceGroups/east"),
            "2024-11-01",
            &main,
            Some(json!({"location": "eastus"}))
        )
        .await
        .0 < 300
    );
    assert!(
        call(
            "PUT",
            format!("/subscriptions/{DR}/resourceGroups/west"),
            "2024-11-01",
            &dr,
            Some(json!({"location": "westeurope"}))
        )
        .await
        .0 < 300
    );
    let source = format!(
        "/subscriptions/{PRIMARY}/resourceGroups/east/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-prod"
    );
    assert!(
        call(
            "PUT",
            source.clone(),
            "2025-08-01",
            &main,
            Some(pg("eastus"))
        )
        .await
        .0 < 300
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let replica = |name: &str| {
        format!(
            "/subscriptions/{DR}/resourceGroups/west/providers/Microsoft.DBforPostgreSQL/flexibleServers/{name}"
        )
    };
    let body = json!({"location": "westeurope", "properties": {"createMode": "Replica", "sourceServerResourceId": source}});
    let (status, denied) = call(
        "PUT",
        replica("pg-dr"),
        "2025-08-01",
        &dr,
        Some(body.clone()),
    )
    .await;
    assert_eq!(
        (status, denied["error"]["code"].as_str()),
        (403, Some("LinkedAuthorizationFailed")),
        "{denied}"
    );
    assert!(
        call("PUT", replica("pg-dr"), "2025-08-01", &main, Some(body))
            .await
            .0
            < 300
    );
    // Resource Graph searches only what the caller may read.
    let graph = |tok: &str| {
        call(
            "POST",
            "/providers/Microsoft.ResourceGraph/resources".into(),
            "2024-04-01",
            tok,
            Some(json!({"subscriptions": [PRIMARY, DR], "query": "Resources | project id"})),
        )
    };
    let subs_of = |doc: J| {
        doc["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["id"]
                    .as_str()
                    .unwrap()
                    .split('/')
                    .nth(2)
                    .unwrap()
                    .to_string()
            })
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(
        subs_of(graph(&main).await.1),
        [PRIMARY.to_string(), DR.to_string()].into()
    );
    assert_eq!(subs_of(graph(&dr).await.1), [DR.to_string()].into());
}

const ZONES: &str = "resource \"azurerm_dns_zone\" \"z\" {\n  name = \"gone.example.com\"\n  resource_group_name = azurerm_resource_group.rg.name\n}\nresource \"azurerm_dns_a_record\" \"www\" {\n  name = \"www\"\n  zone_name = azurerm_dns_zone.z.name\n  resource_group_name = azurerm_resource_group.rg.name\n  ttl = 60\n  records = [\"10.0.0.1\"]\n}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_forgets_objects_already_deleted_outside_drinfra() {
    let h = harness().await;
    let text = with_rg(ZONES);
    assert!(h.apply(&text).await.ok);
    let sub = h.running.credentials.subscription_id.clone();
    let zone = format!(
        "/subscriptions/{sub}/resourceGroups/rg-conf/providers/Microsoft.Network/dnszones/gone.example.com"
    );
    // The zone (and with it its record, a child) deleted in the portal.
    assert!(h.arm("DELETE", &zone, "2018-05-01", None).await < 300);
    let (plan, report) = h.destroy(true).await;
    assert_eq!(plan.vanished().count(), 2, "{:?}", plan.drift);
    assert!(report.ok(), "{:?}", report.failed);
    let state = h.state_json();
    assert!(
        state["resources"].as_object().is_none_or(|m| m.is_empty()),
        "nothing stale left: {state}"
    );

    // Without the refresh: the DELETE meets a 404 (the group is gone, and
    // everything in it), which is success too.
    assert!(h.apply(&text).await.ok);
    assert_eq!(
        h.arm(
            "DELETE",
            &format!("/subscriptions/{sub}/resourceGroups/rg-conf"),
            "2024-11-01",
            None
        )
        .await,
        202
    );
    for _ in 0..100 {
        if h.arm(
            "GET",
            &format!("/subscriptions/{sub}/resourceGroups/rg-conf"),
            "2024-11-01",
            None,
        )
        .await
            == 404
        {
            break;
        }
    }
    let (plan, report) = h.destroy(false).await;
    assert_eq!(plan.counts().2, 3);
    assert!(report.ok(), "{:?}", report.failed);
    assert_eq!(report.done.len(), 3);
    let state = h.state_json();
    assert!(
        state["resources"].as_object().is_none_or(|m| m.is_empty()),
        "{state}"
    );

    // An ordinary apply forgets a vanished object the configuration no
    // longer declares, and recreates one it does.
    assert!(h.apply(&text).await.ok);
    assert!(
        h.arm("DELETE", &format!("{zone}/A/www"), "2018-05-01", None)
            .await
            < 300
    );
    let out = h.apply(RG).await;
    assert!(out.ok, "{:?}", out.failed);
    let state = h.state_json();
    assert!(
        state["resources"].get("azurerm_dns_a_record.www").is_none(),
        "{state}"
    );
    assert!(
        state["resources"].get("azurerm_dns_zone.z").is_none(),
        "{state}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_over_an_existing_object_is_refused_and_points_at_import() {
    let h = harness().await;
    let sub = h.running.credentials.subscription_id.clone();
    let rg_id = format!("/subscriptions/{sub}/resourceGroups/rg-conf");
    let team = |t: &str| {
        format!(
            "provider \"azurerm\" {{\n  features {{}}\n}}\nresource \"azurerm_resource_group\" \"rg\" {{\n  name     = \"rg-conf\"\n  location = \"West Europe\"\n  tags = {{ team = \"{t}\" }}\n}}\n{ZONES}"
        )
    };
    assert!(h.apply(&team("a")).await.ok);
    // Another stack (or this one with its state lost) declares the same objects.
    std::fs::remove_file(h.dir().join("s.tfstate")).unwrap();
    let out = h.apply(&team("b")).await;
    assert!(!out.ok);
    let msg = out.failed.join("\n");
    assert!(msg.contains(&format!("A resource with the ID \"{rg_id}\" already exists - to be managed via drinfra this resource needs to be imported into the State")), "{msg}");
    assert!(
        msg.contains(&format!(
            "drinfra import azurerm_resource_group.rg \"{rg_id}\""
        )) && msg.contains("`import` block"),
        "{msg}"
    );
    let got = h.arm("GET", &rg_id, "2024-11-01", None).await;
    assert_eq!(got, 200);
    let state = h.state_json();
    assert!(
        state["resources"]
            .get("azurerm_resource_group.rg")
            .is_none(),
        "{state}"
    );
    // The other owner's settings are untouched.
    let c = &h.running.credentials;
    let tok: J = h
        .http
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            h.running.url, c.tenant_id
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
    let body: J = h
        .http
        .get(format!("{}{rg_id}?api-version=2024-11-01", h.running.url))
        .bearer_auth(tok["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["tags"]["team"], "a", "not overwritten");

    // A child resource is checked too: with the group and zone imported,
    // the existing record set is refused as well.
    let zone_id = format!("{rg_id}/providers/Microsoft.Network/dnszones/gone.example.com");
    let imports = format!(
        "{}import {{\n  to = azurerm_resource_group.rg\n  id = \"{rg_id}\"\n}}\nimport {{\n  to = azurerm_dns_zone.z\n  id = \"{zone_id}\"\n}}\n",
        team("a")
    );
    let out = h.apply(&imports).await;
    assert!(!out.ok);
    let msg = out.failed.join("\n");
    assert!(
        msg.contains("create azurerm_dns_a_record.www")
            && msg.contains(&format!(
                "drinfra import azurerm_dns_a_record.www \"{zone_id}/A/www\""
            )),
        "{msg}"
    );
    // Imported, it converges.
    let with_record = format!(
        "{imports}import {{\n  to = azurerm_dns_a_record.www\n  id = \"{zone_id}/A/www\"\n}}\n"
    );
    let out = h.apply(&with_record).await;
    assert!(out.ok, "{:?}", out.failed);
    assert!(!h.plan(&team("a")).await.has_changes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_an_interrupted_run_was_creating_is_adopted_not_refused() {
    let h = harness().await;
    let sub = h.running.credentials.subscription_id.clone();
    let rg_id = format!("/subscriptions/{sub}/resourceGroups/rg-conf");
    // A run was killed after its PUT reached Azure and before its record:
    // the object exists, state holds only the announced intent.
    assert!(
        h.arm(
            "PUT",
            &rg_id,
            "2025-04-01",
            Some(json!({"location": "westeurope"}))
        )
        .await
            < 300
    );
    let backend = LocalBackend::new(h.dir().join("s.tfstate"));
    let intent = drinfra::state::PendingOperation {
        provider: "registry.terraform.io/hashicorp/azurerm".into(),
        address: Some("azurerm_resource_group.rg".into()),
        id: rg_id.clone(),
        method: "PUT".into(),
        style: "create-intent".into(),
        url: String::new(),
        api_version: "2025-04-01".into(),
        started: "2026-01-01T00:00:00Z".into(),
    };
    backend
        .append(&[Record {
            serial: 1,
            change: Change::Operations(vec![intent]),
        }])
        .unwrap();
    let plan = h.plan(RG).await;
    assert!(
        plan.changes.iter().any(|c| c
            .notes
            .iter()
            .any(|n| n.contains("adopts the object an interrupted apply was creating"))),
        "{:?}",
        plan.changes
    );
    let out = h.apply(RG).await;
    assert!(out.ok, "{:?}", out.failed);
    let state = h.state_json();
    assert_eq!(
        state["resources"]["azurerm_resource_group.rg"]["attributes"]["id"],
        J::String(rg_id)
    );
    assert!(
        state.get("operations").is_none(),
        "the intent is spent: {state}"
    );
    // Spent: the same situation again without an intent is refused.
    std::fs::remove_file(h.dir().join("s.tfstate")).unwrap();
    assert!(!h.apply(RG).await.ok);
}

/// Point-in-time restore as azurerm expresses it: a new server planned
/// (and reviewed) like any create, holding the source's data as of the
/// given time; a time outside the backup window is the cloud's clear error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn point_in_time_restore_is_a_planned_create_with_the_data_as_of_that_time() {
    let h = harness().await;
    let stack = |restore: Option<&str>| {
        let mut t = "provider \"azurerm\" {\n  features {}\n}\nresource \"azurerm_resource_group\" \"east\" {\n  name = \"east\"\n  location = \"eastus\"\n}\n\
resource \"azurerm_postgresql_flexible_server\" \"db\" {\n  name = \"pg-east\"\n  location = \"eastus\"\n  resource_group_name = azurerm_resource_group.east.name\n  sku_name = \"GP_Standard_D8ds_v5\"\n  storage_mb = 1048576\n  administrator_login = \"pgadmin\"\n  administrator_password = \"S3cret-pw!\"\n  backup_retention_days = 7\n}\n".to_string();
        if let Some(at) = restore {
            t.push_str(&format!("resource \"azurerm_postgresql_flexible_server\" \"restored\" {{\n  name = \"pg-east-restored\"\n  location = \"eastus\"\n  resource_group_name = azurerm_resource_group.east.name\n  sku_name = \"GP_Standard_D8ds_v5\"\n  create_mode = \"PointInTimeRestore\"\n  source_server_id = azurerm_postgresql_flexible_server.db.id\n  point_in_time_restore_time_in_utc = \"{at}\"\n}}\n"));
        }
        t
    };
    assert!(h.apply(&stack(None)).await.ok);
    let db = h.state_attr("azurerm_postgresql_flexible_server.db", "id");
    let write = |v: &'static str| {
        let (h, db) = (&h, db.clone());
        async move {
            h.admin(
                "POST",
                "dataplane/write",
                json!({"resource": db, "value": v}),
            )
            .await
        }
    };
    // Good data, then (simulated hours later) the corruption.
    assert!(write("good").await["seq"].is_i64());
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let at = h.admin("GET", "time", J::Null).await["iso"]
        .as_str()
        .unwrap()
        .to_string();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert!(write("corrupted").await["seq"].is_i64());

    // Outside the window (before the server existed): refused when planned,
    // at the restored server, saying where the window is on the cloud's
    // clock (Azure would refuse it when the restore starts).
    std::fs::write(h.dir().join("main.tf"), stack(Some("2000-01-01T00:00:00Z"))).unwrap();
    let config = drinfra::config::open(h.dir(), &[], &[]);
    let prior = LocalBackend::new(h.dir().join("s.tfstate")).load().unwrap();
    let (early, diags) = planner::plan(
        &config.config,
        &config.inputs,
        h.dir(),
        prior.as_ref(),
        &h.providers,
        &PlanOptions::default(),
    )
    .await;
    assert!(early.is_none() || diags.has_errors());
    let error = diags
        .items
        .iter()
        .find(|d| d.is_error())
        .unwrap_or_else(|| panic!("{diags:?}"));
    let text = format!("{} {:?}", error.summary, error.detail);
    assert!(
        text.contains("azurerm_postgresql_flexible_server.restored")
            && text.contains("point_in_time_restore_time_in_utc")
            && text.contains("before the earliest restore point"),
        "{text}"
    );
    let span = error.span.as_ref().expect("located");
    let line = config
        .config
        .sources
        .get(span.file)
        .line_col(span.range.start)
        .line;
    let want = stack(Some("2000-01-01T00:00:00Z"))
        .lines()
        .position(|l| l.contains("\"restored\""))
        .unwrap()
        + 1;
    assert_eq!(line, want, "{text}");

    // Inside it: a reviewable create of a new server.
    let plan = h.plan(&stack(Some(&at))).await;
    let c = plan
        .changes
        .iter()
        .find(|c| c.address == "azurerm_postgresql_flexible_server.restored")
        .unwrap();
    assert_eq!(c.action, Action::Create);
    assert!(
        c.notes
            .iter()
            .any(|n| n.contains("restores") && n.contains(&at)),
        "{:?}",
        c.notes
    );
    let after = c.after.as_ref().unwrap().as_mapping().unwrap();
    assert_eq!(
        after.get("point_in_time_restore_time_in_utc"),
        Some(&drinfra::lang::Value::String(at.clone()))
    );
    let out = h.apply(&stack(Some(&at))).await;
    assert!(out.ok, "{:?}", out.failed);
    let restored = h.state_attr("azurerm_postgresql_flexible_server.restored", "id");
    let (restored, db) = (restored.as_str().unwrap(), db.as_str().unwrap());
    assert_eq!(
        h.admin("GET", &format!("dataplane?resource={restored}"), J::Null)
            .await["values"],
        json!(["good"])
    );
    // The source is untouched, and the restore does not re-plan.
    assert_eq!(
        h.admin("GET", &format!("dataplane?resource={db}"), J::Null)
            .await["values"],
        json!(["good", "corrupted"])
    );
    assert!(!h.plan(&stack(Some(&at))).await.has_resource_changes());
}

//! Kubernetes workloads end to end on the emulator: the platform's eight
//! services scaled by failover and failback through each cluster's
//! Kubernetes API (reached with the kubeconfig ARM hands out), checked
//! against the emulator's own Kubernetes state; readiness that waits on
//! the node pools; a bad replica count refused at its place.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use drinfra::emulator;
use serde_json::{Value as J, json};

use crate::failover::Drill;

const SUB: &str = "00000000-0000-0000-0000-000000000001";

/// The DR plan's counts: (production, standby).
const SERVICES: [(&str, u64, u64); 8] = [
    ("agent", 5, 2),
    ("auth", 3, 2),
    ("code-exec", 5, 2),
    ("gateway", 3, 2),
    ("knowledge-base", 3, 1),
    ("persona", 3, 1),
    ("text-to-sql", 3, 1),
    ("workflow", 5, 2),
];

/// A cluster's API as its kubeconfig describes it.
struct Kube {
    server: String,
    token: String,
    kubeconfig: String,
}

fn cluster_id(rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}"
    )
}

/// `listClusterUserCredential`, as `az aks get-credentials` calls it.
fn credentials(emu: &emulator::Running, rt: &tokio::runtime::Runtime, id: &str) -> Kube {
    let http = emulator::client(emu.ca_pem.as_deref()).unwrap();
    let c = &emu.credentials;
    rt.block_on(async {
        let tok: J = http
            .post(format!("{}/{}/oauth2/v2.0/token", emu.url, c.tenant_id))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &c.client_id),
                ("client_secret", &c.client_secret),
                ("scope", "https://management.azure.com/.default"),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let r = http
            .post(format!(
                "{}{id}/listClusterUserCredential?api-version=2025-10-01",
                emu.url
            ))
            .bearer_auth(tok["access_token"].as_str().unwrap())
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: J = r.json().await.unwrap();
        let kubeconfig = String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(body["kubeconfigs"][0]["value"].as_str().unwrap())
                .unwrap(),
        )
        .unwrap();
        let field = |k: &str| {
            kubeconfig
                .lines()
                .find_map(|l| l.trim().strip_prefix(k))
                .unwrap()
                .trim()
                .to_string()
        };
        Kube {
            server: field("server:"),
            token: field("token:"),
            kubeconfig,
        }
    })
}

/// Every deployment of the cluster: name -> (spec.replicas, readyReplicas).
fn deployments(
    emu: &emulator::Running,
    rt: &tokio::runtime::Runtime,
    k: &Kube,
) -> BTreeMap<String, (u64, u64)> {
    let http = emulator::client(emu.ca_pem.as_deref()).unwrap();
    rt.block_on(async {
        let r = http
            .get(format!("{}/apis/apps/v1/deployments", k.server))
            .bearer_auth(&k.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let list: J = r.json().await.unwrap();
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["metadata"]["name"].as_str().unwrap().to_string(),
                    (
                        d["spec"]["replicas"].as_u64().unwrap(),
                        d["status"]["readyReplicas"].as_u64().unwrap_or(0),
                    ),
                )
            })
            .collect()
    })
}

fn expected(production: bool) -> BTreeMap<String, (u64, u64)> {
    SERVICES
        .iter()
        .map(|(n, p, s)| {
            let c = if production { *p } else { *s };
            (n.to_string(), (c, c))
        })
        .collect()
}

fn site_cluster(d: &Drill, rt: &tokio::runtime::Runtime, site: &str) -> Kube {
    credentials(
        &d.emu,
        rt,
        &cluster_id(&format!("rg-aiwf-{site}"), &format!("aks-aiwf-{site}")),
    )
}

#[test]
fn failover_scales_the_services_in_the_dr_cluster_and_failback_scales_them_back() {
    let d = Drill::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (east, west) = (
        site_cluster(&d, &rt, "eastus"),
        site_cluster(&d, &rt, "westeurope"),
    );
    assert_eq!(
        deployments(&d.emu, &rt, &east),
        expected(true),
        "primary at production counts, ready"
    );
    assert_eq!(
        deployments(&d.emu, &rt, &west),
        expected(false),
        "standby at standby counts"
    );

    // The failover's plan shows the workloads in the capacity phase.
    let (code, out, err) = d.run(&["failover", "platform", "--to", "westeurope", "--plan-only"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let capacity = out.find("capacity").expect("a capacity phase");
    let scaled = out
        .find("module.westeurope.drinfra_kubernetes_replicas.service[\"agent\"]")
        .unwrap_or_else(|| panic!("the DR cluster's agent is scaled: {out}"));
    assert!(capacity < scaled, "{out}");

    d.requests();
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--planned",
        "--auto-approve",
        "--reason",
        "workload drill",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        deployments(&d.emu, &rt, &west),
        expected(true),
        "every service at its production count in the DR cluster, and ready"
    );
    assert_eq!(
        deployments(&d.emu, &rt, &east),
        expected(false),
        "the old primary at standby counts"
    );
    // Scaled through the scale subresource, after the DR pools grew.
    let reqs = d.requests();
    let scale = reqs
        .iter()
        .position(|(m, p)| m == "PATCH" && p.ends_with("/deployments/agent/scale"))
        .unwrap_or_else(|| panic!("no scale request: {reqs:?}"));
    let pool = reqs
        .iter()
        .position(|(m, p)| m == "PUT" && p.contains("aks-aiwf-westeurope/agentpools/application"))
        .expect("the DR pool scaled");
    assert!(pool < scale, "pods after nodes: {reqs:?}");
    // Operators are pointed at the now-active cluster (the DR plan's step 3).
    let (code, out, err) = d.run(&["output", "--raw", "operator_cluster"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        out.trim(),
        "az aks get-credentials --resource-group rg-aiwf-westeurope --name aks-aiwf-westeurope --overwrite-existing"
    );

    let (code, out, err) = d.run(&[
        "failback",
        "platform",
        "--auto-approve",
        "--reason",
        "back home",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        deployments(&d.emu, &rt, &east),
        expected(true),
        "failback scales the primary back"
    );
    assert_eq!(deployments(&d.emu, &rt, &west), expected(false));
    let (_, out, _) = d.run(&["output", "--raw", "operator_cluster"]);
    assert!(out.contains("--name aks-aiwf-eastus"), "{out}");

    // kubectl reads the same kubeconfig, when it is installed.
    if let Ok(v) = std::process::Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        && v.status.success()
    {
        let kc = d.root.path().join("kubeconfig");
        std::fs::write(&kc, &east.kubeconfig).unwrap();
        let o = std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kc)
            .args(["get", "deployments", "-n", "aiwf"])
            .output()
            .unwrap();
        let names = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{names}\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            names
                .lines()
                .any(|l| l.starts_with("agent ") && l.contains(" 5/5 ")),
            "{names}"
        );
    }
}

/// A one-cluster stack: a system pool of `nodes` nodes of `max_pods`
/// pods, and one deployment of `replicas`.
fn small_stack(dir: &Path, nodes: u32, max_pods: u32, replicas: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        format!(
            r#"provider "azurerm" {{
  features {{}}
  emulator_data_dir = "../emulator"
}}

resource "azurerm_resource_group" "rg" {{
  name     = "rg-small"
  location = "eastus"
}}

resource "azurerm_kubernetes_cluster" "aks" {{
  name                = "aks-small"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  dns_prefix          = "aks-small"

  default_node_pool {{
    name       = "system"
    vm_size    = "Standard_D4s_v5"
    node_count = {nodes}
    max_pods   = {max_pods}
  }}

  identity {{
    type = "SystemAssigned"
  }}
}}

resource "drinfra_kubernetes_replicas" "web" {{
  cluster_id    = azurerm_kubernetes_cluster.aks.id
  deployment    = "web"
  replicas      = {replicas}
  ready_timeout = "5m"
  image         = "example/web:1"
}}
"#
        ),
    )
    .unwrap();
}

fn run(dir: &Path, emu: &emulator::Running, args: &[&str]) -> (i32, String, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("DRINFRA_EMULATOR_URL", &emu.url)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

#[test]
fn readiness_times_out_when_the_node_pool_is_too_small() {
    let root = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = crate::common::start_emulator(&rt, root.path().join("emulator"), 1.0e4);
    let dir = root.path().join("stack");
    // One node of 10 pods: 12 replicas cannot all be ready.
    small_stack(&dir, 1, 10, "12");
    let (code, out, err) = run(&dir, &emu, &["apply", "--auto-approve"]);
    assert_ne!(code, 0, "{out}\n{err}");
    let text = format!("{out}\n{err}");
    assert!(
        text.contains("ReadinessTimeout") && text.contains("10 of 12 replicas ready"),
        "{text}"
    );
    let k = credentials(&emu, &rt, &cluster_id("rg-small", "aks-small"));
    assert_eq!(
        deployments(&emu, &rt, &k)["web"],
        (12, 10),
        "the cluster runs what fits"
    );
    // The API wants the cluster's own token.
    let http = emulator::client(emu.ca_pem.as_deref()).unwrap();
    let status = rt.block_on(async {
        http.get(format!("{}/apis/apps/v1/deployments", k.server))
            .bearer_auth("not-the-token")
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 401);
    // Ten fit: the next apply scales down and completes.
    small_stack(&dir, 1, 10, "10");
    let (code, out, err) = run(&dir, &emu, &["apply", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(deployments(&emu, &rt, &k)["web"], (10, 10));
}

#[test]
fn a_replica_count_below_zero_is_refused_at_its_place() {
    let root = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = crate::common::start_emulator(&rt, root.path().join("emulator"), 1.0e4);
    let dir = root.path().join("stack");
    small_stack(&dir, 1, 30, "-1");
    for cmd in [
        &["validate"][..],
        &["plan"][..],
        &["apply", "--auto-approve"][..],
    ] {
        let (code, out, err) = run(&dir, &emu, cmd);
        assert_ne!(code, 0, "{cmd:?}: {out}\n{err}");
        let text = format!("{out}\n{err}");
        assert!(
            text.contains("Invalid replica count") && text.contains("main.tf:32:3"),
            "{cmd:?}: {text}"
        );
    }
    // Nothing reached the cloud.
    let http = emulator::client(emu.ca_pem.as_deref()).unwrap();
    let log: J = rt.block_on(async {
        http.delete(format!("{}/admin/requests", emu.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert!(
        log.as_array().unwrap().iter().all(|e| e["method"] == "GET"),
        "{log}"
    );
}

#[test]
fn a_forced_failover_scales_the_dr_cluster_and_defers_the_unreachable_primary() {
    let d = Drill::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (east, west) = (
        site_cluster(&d, &rt, "eastus"),
        site_cluster(&d, &rt, "westeurope"),
    );
    d.admin("POST", "faults/region-down", json!({"region": "eastus"}));
    // The primary's API answers nothing while its region is down.
    let http = emulator::client(d.emu.ca_pem.as_deref()).unwrap();
    let status = rt.block_on(async {
        http.get(format!("{}/apis/apps/v1/deployments", east.server))
            .bearer_auth(&east.token)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 503);
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--forced",
        "--auto-approve",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        deployments(&d.emu, &rt, &west),
        expected(true),
        "the DR cluster runs production counts, ready"
    );
    assert!(
        out.contains("drinfra_kubernetes_replicas.service[\"agent\"]") && out.contains("Deferred"),
        "the old primary's scale-down is deferred: {out}"
    );
    // Back up: the primary still runs what it ran; the next plan scales it.
    d.admin("POST", "faults/region-up", json!({"region": "eastus"}));
    assert_eq!(deployments(&d.emu, &rt, &east), expected(true));
    d.set_active("westeurope");
    let (code, out, err) = d.run(&["plan"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("module.eastus.drinfra_kubernetes_replicas.service[\"workflow\"] will be updated in-place"),
        "{out}"
    );
}

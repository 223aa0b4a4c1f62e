//! A minimal Kubernetes API for each managed cluster the emulator holds:
//! deployments (list, get, create, patch, delete and the `scale`
//! subresource), reached through the kubeconfig that ARM's
//! `listClusterUserCredential` returns (server URL under the emulator's
//! own listener, its CA, a bearer token per cluster).
//!
//! Readiness follows the cluster's node pools: every pool offers
//! `count x maxPods` pods (maxPods 30 when the pool does not set it, as
//! AKS with Azure CNI), given to deployments in name order; new pods are
//! ready [`POD_START_SECS`] simulated seconds after a scale-up, and
//! nothing is ready (nor answers) while the cluster's region is down.
//! The model lives in the store's metadata, one JSON value per cluster.

use serde_json::{Map, Value as J, json};

use super::store::Store;
use super::types::num_prop;

pub mod api;
pub use api::serve;

/// Simulated seconds from a scale-up until its new pods are ready.
pub const POD_START_SECS: f64 = 30.0;
/// Pods per node when a pool does not say (`maxPods`).
const DEFAULT_MAX_PODS: f64 = 30.0;
const CLUSTERS: &str = "Microsoft.ContainerService/managedClusters";
const POOLS: &str = "Microsoft.ContainerService/managedClusters/agentPools";

/// The path prefix of cluster `id`'s API under the emulator's URL.
pub fn api_prefix(id: &str) -> String {
    format!(
        "/aks/{}",
        crate::digest::digest(id.to_lowercase().as_bytes())
    )
}

fn token_key(id: &str) -> String {
    format!("kube_token:{}", id.to_lowercase())
}

fn deployments_key(id: &str) -> String {
    format!("kube_deployments:{}", id.to_lowercase())
}

fn cluster_key(prefix_key: &str) -> String {
    format!("kube_cluster:{prefix_key}")
}

/// The body of `listClusterUserCredential` (or `...AdminCredential`) for
/// the cluster stored as `row_body`: a kubeconfig, base64 encoded as AKS
/// sends it, with this cluster's server URL, the emulator's CA and the
/// cluster's token (made on first use).
pub fn credentials(
    store: &Store,
    row_body: &J,
    base_url: &str,
    ca_pem: Option<&str>,
    admin: bool,
) -> Result<J, String> {
    use base64::Engine as _;
    let id = row_body.get("id").and_then(J::as_str).unwrap_or_default();
    let name = row_body
        .get("name")
        .and_then(J::as_str)
        .unwrap_or("cluster");
    let rg = id
        .split('/')
        .skip_while(|s| !s.eq_ignore_ascii_case("resourceGroups"))
        .nth(1)
        .unwrap_or_default();
    let token = match store.meta(&token_key(id)).map_err(|e| e.to_string())? {
        Some(t) => t,
        None => {
            let t = crate::random::hex(&crate::random::bytes::<24>().map_err(|e| e.to_string())?);
            store
                .set_meta(&token_key(id), &t)
                .map_err(|e| e.to_string())?;
            t
        }
    };
    let prefix = api_prefix(id);
    let key = prefix.trim_start_matches("/aks/").to_string();
    store
        .set_meta(&cluster_key(&key), id)
        .map_err(|e| e.to_string())?;
    let user = if admin {
        format!("clusterAdmin_{rg}_{name}")
    } else {
        format!("clusterUser_{rg}_{name}")
    };
    let ca = ca_pem
        .map(|p| {
            format!(
                "\n    certificate-authority-data: {}",
                base64::engine::general_purpose::STANDARD.encode(p)
            )
        })
        .unwrap_or_default();
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:{ca}\n    server: {base_url}{prefix}\n  name: {name}\ncontexts:\n- context:\n    cluster: {name}\n    user: {user}\n  name: {name}\ncurrent-context: {name}\npreferences: {{}}\nusers:\n- name: {user}\n  user:\n    token: {token}\n"
    );
    Ok(json!({"kubeconfigs": [{
        "name": if admin { "clusterAdmin" } else { "clusterUser" },
        "value": base64::engine::general_purpose::STANDARD.encode(kubeconfig),
    }]}))
}

/// The cluster whose API prefix key is `key`, and its token, once its
/// credentials were listed.
fn cluster_of(store: &Store, key: &str) -> Option<(String, String)> {
    let id = store.meta(&cluster_key(key)).ok()??;
    let token = store.meta(&token_key(&id)).ok()??;
    Some((id, token))
}

/// One deployment as the model keeps it.
#[derive(Debug, Clone, PartialEq)]
struct Deployment {
    namespace: String,
    name: String,
    uid: String,
    image: String,
    replicas: u64,
    generation: u64,
    created: f64,
    /// When `replicas` last changed, and how many were ready then.
    scaled_at: f64,
    ready_at_scale: u64,
}

impl Deployment {
    fn from_json(j: &J) -> Option<Deployment> {
        Some(Deployment {
            namespace: j.get("namespace")?.as_str()?.to_string(),
            name: j.get("name")?.as_str()?.to_string(),
            uid: j.get("uid")?.as_str()?.to_string(),
            image: j.get("image")?.as_str()?.to_string(),
            replicas: j.get("replicas")?.as_u64()?,
            generation: j.get("generation")?.as_u64()?,
            created: j.get("created")?.as_f64()?,
            scaled_at: j.get("scaledAt")?.as_f64()?,
            ready_at_scale: j.get("readyAtScale")?.as_u64()?,
        })
    }

    fn to_json(&self) -> J {
        json!({
            "namespace": self.namespace, "name": self.name, "uid": self.uid,
            "image": self.image, "replicas": self.replicas, "generation": self.generation,
            "created": self.created, "scaledAt": self.scaled_at, "readyAtScale": self.ready_at_scale,
        })
    }
}

/// The deployments of one cluster, in name order (namespace, name).
struct Cluster {
    id: String,
    deployments: Vec<Deployment>,
}

impl Cluster {
    fn load(store: &Store, id: &str) -> Cluster {
        let mut deployments: Vec<Deployment> = store
            .meta(&deployments_key(id))
            .ok()
            .flatten()
            .and_then(|s| serde_json::from_str::<Vec<J>>(&s).ok())
            .unwrap_or_default()
            .iter()
            .filter_map(Deployment::from_json)
            .collect();
        deployments.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        Cluster {
            id: id.to_string(),
            deployments,
        }
    }

    fn save(&self, store: &Store) -> Result<(), String> {
        let all = J::Array(self.deployments.iter().map(Deployment::to_json).collect());
        store
            .set_meta(&deployments_key(&self.id), &all.to_string())
            .map_err(|e| e.to_string())
    }

    fn find(&self, ns: &str, name: &str) -> Option<usize> {
        self.deployments
            .iter()
            .position(|d| d.namespace == ns && d.name == name)
    }

    /// Pods the cluster's node pools can run now: a pool being created
    /// or scaled offers its pods once that finishes.
    fn capacity(&self, store: &Store) -> u64 {
        store
            .children(POOLS, &self.id)
            .unwrap_or_default()
            .iter()
            .filter(|p| {
                super::types::str_prop(&p.body, &["provisioningState"])
                    .is_none_or(|s| s.eq_ignore_ascii_case("Succeeded"))
            })
            .map(|p| {
                let count = num_prop(&p.body, &["count"]).unwrap_or(0.0).max(0.0);
                let pods = num_prop(&p.body, &["maxPods"]).unwrap_or(DEFAULT_MAX_PODS);
                (count * pods.max(0.0)) as u64
            })
            .sum()
    }

    /// Ready replicas of each deployment at `now`: capacity handed out in
    /// name order, new pods ready once they had time to start.
    fn ready(&self, store: &Store, now: f64) -> Vec<u64> {
        let mut left = self.capacity(store);
        self.deployments
            .iter()
            .map(|d| {
                let placed = d.replicas.min(left);
                left -= placed;
                if now >= d.scaled_at + POD_START_SECS {
                    placed
                } else {
                    placed.min(d.ready_at_scale)
                }
            })
            .collect()
    }

    /// Sets deployment `i`'s replicas at `now`, keeping what was ready.
    fn scale(&mut self, store: &Store, i: usize, replicas: u64, now: f64) {
        let ready = self.ready(store, now);
        let d = &mut self.deployments[i];
        if d.replicas != replicas {
            d.ready_at_scale = ready[i].min(replicas);
            d.replicas = replicas;
            d.scaled_at = now;
            d.generation += 1;
        }
    }
}

/// Whether the cluster `id` still exists, and its region (lower case).
fn cluster_region(store: &Store, id: &str) -> Option<String> {
    let row = store.get(id).ok()??;
    if !row.ty.eq_ignore_ascii_case(CLUSTERS) {
        return None;
    }
    Some(
        row.body
            .get("location")
            .and_then(J::as_str)
            .unwrap_or_default()
            .to_lowercase()
            .replace(' ', ""),
    )
}

/// A deployment as the API shows it (`apps/v1`), `ready` of it ready.
fn deployment_json(d: &Deployment, ready: u64) -> J {
    let mut status = Map::new();
    status.insert("observedGeneration".into(), json!(d.generation));
    status.insert("replicas".into(), json!(d.replicas));
    status.insert("updatedReplicas".into(), json!(d.replicas));
    if ready > 0 {
        status.insert("readyReplicas".into(), json!(ready));
        status.insert("availableReplicas".into(), json!(ready));
    }
    if d.replicas > ready {
        status.insert("unavailableReplicas".into(), json!(d.replicas - ready));
    }
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(d),
        "spec": {
            "replicas": d.replicas,
            "selector": {"matchLabels": {"app": d.name}},
            "template": {
                "metadata": {"labels": {"app": d.name}},
                "spec": {"containers": [{"name": d.name, "image": d.image}]},
            },
        },
        "status": J::Object(status),
    })
}

fn metadata(d: &Deployment) -> J {
    json!({
        "name": d.name,
        "namespace": d.namespace,
        "uid": d.uid,
        "resourceVersion": d.generation.to_string(),
        "generation": d.generation,
        "creationTimestamp": crate::timefmt::rfc3339(d.created.floor()),
        "labels": {"app": d.name},
    })
}

/// The `autoscaling/v1` Scale of a deployment.
fn scale_json(d: &Deployment, ready: u64) -> J {
    json!({
        "apiVersion": "autoscaling/v1",
        "kind": "Scale",
        "metadata": metadata(d),
        "spec": {"replicas": d.replicas},
        "status": {"replicas": ready, "selector": format!("app={}", d.name)},
    })
}

/// Deployments as the `meta.k8s.io/v1` Table kubectl prints (NAME,
/// READY, UP-TO-DATE, AVAILABLE, AGE).
fn table<'a>(rows: impl Iterator<Item = (&'a Deployment, u64)>, now: f64) -> J {
    let column = |name: &str, ty: &str| json!({"name": name, "type": ty, "format": if name == "Name" { "name" } else { "" }, "description": "", "priority": 0});
    let rows: Vec<J> = rows
        .map(|(d, ready)| {
            json!({
                "cells": [d.name, format!("{ready}/{}", d.replicas), d.replicas, ready, age(now - d.created)],
                "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata(d)},
            })
        })
        .collect();
    json!({
        "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": ""},
        "columnDefinitions": [
            column("Name", "string"), column("Ready", "string"), column("Up-to-date", "integer"),
            column("Available", "integer"), column("Age", "string"),
        ],
        "rows": rows,
    })
}

/// An age as kubectl shows it: `45s`, `12m`, `5h`, `3d`.
fn age(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    match s {
        0..120 => format!("{s}s"),
        120..7200 => format!("{}m", s / 60),
        7200..172_800 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

//! The Kubernetes requests: one `kube` client per cluster (built from the
//! kubeconfig the cloud hands out, with its CA and credentials), reading a
//! deployment, setting its replicas through the `scale` subresource as
//! `kubectl scale` does, creating a missing one, and waiting until its
//! replicas are ready. The wait is measured on the cluster's clock (each
//! response's `Date`: the emulator's simulated time, the API server's wall
//! time on Azure), polling with a growing pause; it never sleeps a fixed
//! time.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use hyper::{Method, Request};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde_json::{Value as J, json};

use super::ClusterAccess;
use super::schema::Workload;
use crate::provider::{ErrorKind, ProviderError};

/// The clients made so far in this run, by cluster id, and the clusters
/// whose credentials could not be fetched because their region did not
/// answer: not asked again in this run (as the Azure provider's region
/// breaker does), so a failover with the old region down does not wait
/// on it once per deployment.
#[derive(Default)]
pub struct Clients {
    by_cluster: tokio::sync::Mutex<HashMap<String, Result<Arc<Api>, ProviderError>>>,
}

impl Clients {
    /// The client of `cluster_id`, asking `access` for its credentials
    /// the first time.
    pub async fn get(
        &self,
        access: &dyn ClusterAccess,
        cluster_id: &str,
    ) -> Result<Arc<Api>, ProviderError> {
        let key = cluster_id.to_lowercase();
        let mut map = self.by_cluster.lock().await;
        if let Some(known) = map.get(&key) {
            return known.clone();
        }
        let yaml = match access.kubeconfig(cluster_id).await {
            Ok(y) => y,
            Err(e) => {
                if e.kind() == ErrorKind::Unreachable {
                    map.insert(key, Err(e.clone()));
                }
                return Err(e);
            }
        };
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            ProviderError::api(
                ErrorKind::Failed,
                "InvalidKubeconfig",
                format!("the kubeconfig of cluster {cluster_id}: {what}: {e}"),
            )
        };
        let kubeconfig =
            kube::config::Kubeconfig::from_yaml(&yaml).map_err(|e| bad("not a kubeconfig", &e))?;
        let config = kube::Config::from_custom_kubeconfig(
            kubeconfig,
            &kube::config::KubeConfigOptions::default(),
        )
        .await
        .map_err(|e| bad("unusable", &e))?;
        let client = kube::Client::try_from(config).map_err(|e| bad("no client", &e))?;
        let api = Arc::new(Api {
            client,
            cluster: cluster_id.to_string(),
        });
        map.insert(key, Ok(api.clone()));
        Ok(api)
    }
}

/// One cluster's API.
pub struct Api {
    client: kube::Client,
    cluster: String,
}

/// A deployment as last seen.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    pub replicas: u64,
    pub ready: u64,
    /// Whether the controller has seen the latest spec.
    pub current: bool,
}

/// An answer: status, body and the cluster's time (`Date`), if sent.
struct Answer {
    status: u16,
    body: J,
    at: Option<i64>,
}

impl Api {
    fn path(w: &Workload) -> String {
        format!(
            "/apis/apps/v1/namespaces/{}/deployments/{}",
            w.namespace, w.deployment
        )
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, &J)>,
    ) -> Result<Answer, ProviderError> {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("accept", "application/json");
        let bytes = match body {
            Some((content_type, b)) => {
                req = req.header("content-type", content_type);
                b.to_string().into_bytes()
            }
            None => Vec::new(),
        };
        let req = req
            .body(kube::client::Body::from(bytes))
            .map_err(|e| ProviderError::Invalid(format!("Kubernetes request {path}: {e}")))?;
        let resp = self.client.send(req).await.map_err(|e| self.transport(e))?;
        let status = resp.status().as_u16();
        let at = resp
            .headers()
            .get("date")
            .and_then(|d| d.to_str().ok())
            .and_then(crate::timefmt::parse_http_date);
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| self.transport(e))?
            .to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(J::Null);
        Ok(Answer { status, body, at })
    }

    fn transport(&self, e: impl std::fmt::Display) -> ProviderError {
        ProviderError::Api {
            code: "KubernetesUnreachable".into(),
            message: format!(
                "cannot reach the Kubernetes API of cluster {}: {e}",
                self.cluster
            ),
            retryable: true,
            kind: ErrorKind::Unreachable,
        }
    }

    /// The error an answer that is not a success stands for.
    fn refused(&self, what: &str, a: &Answer) -> ProviderError {
        let kind = match a.status {
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            400 | 422 => ErrorKind::Invalid,
            429 => ErrorKind::Throttled,
            502..=504 => ErrorKind::Unreachable,
            _ => ErrorKind::Failed,
        };
        let reason = a.body["reason"].as_str().unwrap_or("Failed");
        let message = a.body["message"].as_str().unwrap_or("no message");
        ProviderError::api(
            kind,
            reason,
            format!("{what} in cluster {}: {} {message}", self.cluster, a.status),
        )
    }

    fn seen(a: &Answer) -> Result<Seen, ProviderError> {
        let d: Deployment = serde_json::from_value(a.body.clone()).map_err(|e| {
            ProviderError::Invalid(format!(
                "the Kubernetes API answered with no deployment: {e}"
            ))
        })?;
        let status = d.status.unwrap_or_default();
        let count = |n: Option<i32>| n.unwrap_or(0).max(0) as u64;
        Ok(Seen {
            replicas: count(d.spec.and_then(|s| s.replicas).or(Some(1))),
            ready: count(status.ready_replicas),
            current: status.observed_generation >= d.metadata.generation,
        })
    }

    /// The deployment, None when it does not exist.
    pub async fn get(&self, w: &Workload) -> Result<Option<Seen>, ProviderError> {
        let a = self.send(Method::GET, &Self::path(w), None).await?;
        match a.status {
            200 => Self::seen(&a).map(Some),
            404 => Ok(None),
            _ => Err(self.refused(&format!("reading deployment {}", w.deployment), &a)),
        }
    }

    /// Sets the replica count through the `scale` subresource.
    pub async fn scale(&self, w: &Workload) -> Result<(), ProviderError> {
        let patch = json!({"spec": {"replicas": w.replicas}});
        let a = self
            .send(
                Method::PATCH,
                &format!("{}/scale", Self::path(w)),
                Some(("application/merge-patch+json", &patch)),
            )
            .await?;
        match a.status {
            200 | 201 => Ok(()),
            _ => Err(self.refused(&format!("scaling deployment {}", w.deployment), &a)),
        }
    }

    /// Creates the deployment: one container of `image`.
    pub async fn create(&self, w: &Workload, image: &str) -> Result<(), ProviderError> {
        let labels = BTreeMap::from([("app".to_string(), w.deployment.clone())]);
        let d = Deployment {
            metadata: ObjectMeta {
                name: Some(w.deployment.clone()),
                namespace: Some(w.namespace.clone()),
                labels: Some(labels.clone()),
                ..ObjectMeta::default()
            },
            spec: Some(DeploymentSpec {
                replicas: Some(i32::try_from(w.replicas).unwrap_or(i32::MAX)),
                selector: LabelSelector {
                    match_labels: Some(labels.clone()),
                    ..LabelSelector::default()
                },
                template: PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(labels),
                        ..ObjectMeta::default()
                    }),
                    spec: Some(PodSpec {
                        containers: vec![Container {
                            name: w.deployment.clone(),
                            image: Some(image.to_string()),
                            ..Container::default()
                        }],
                        ..PodSpec::default()
                    }),
                },
                ..DeploymentSpec::default()
            }),
            status: None,
        };
        let body = serde_json::to_value(&d)
            .map_err(|e| ProviderError::Invalid(format!("deployment {}: {e}", w.deployment)))?;
        let a = self
            .send(
                Method::POST,
                &format!("/apis/apps/v1/namespaces/{}/deployments", w.namespace),
                Some(("application/json", &body)),
            )
            .await?;
        match a.status {
            200..=202 => Ok(()),
            _ => Err(self.refused(&format!("creating deployment {}", w.deployment), &a)),
        }
    }

    /// Waits until the deployment has `w.replicas` ready replicas, or
    /// fails once `w.ready_timeout` has passed on the cluster's clock.
    pub async fn wait_ready(&self, w: &Workload) -> Result<(), ProviderError> {
        let started = Instant::now();
        let mut first: Option<i64> = None;
        let mut pause = Duration::from_millis(100);
        loop {
            let a = self.send(Method::GET, &Self::path(w), None).await?;
            if a.status != 200 {
                return Err(self.refused(&format!("reading deployment {}", w.deployment), &a));
            }
            let seen = Self::seen(&a)?;
            if seen.current && seen.ready >= w.replicas {
                return Ok(());
            }
            // The cluster's clock when it sends one, else ours.
            let waited = match (a.at, *first.get_or_insert(a.at.unwrap_or(0))) {
                (Some(now), start) if start > 0 => Duration::from_secs((now - start).max(0) as u64),
                _ => started.elapsed(),
            };
            if waited >= w.ready_timeout {
                return Err(ProviderError::api(
                    ErrorKind::Failed,
                    "ReadinessTimeout",
                    format!(
                        "deployment {} in namespace {} of cluster {}: {} of {} replicas ready after {}: the node pools may be too small, or the pods failing to start",
                        w.deployment,
                        w.namespace,
                        self.cluster,
                        seen.ready,
                        w.replicas,
                        crate::timefmt::show_duration(waited)
                    ),
                ));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }
}

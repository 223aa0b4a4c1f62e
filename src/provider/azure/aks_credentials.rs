//! A managed cluster's kubeconfig as `az aks get-credentials` gets it:
//! `POST .../managedClusters/{name}/listClusterUserCredential` (or
//! `...AdminCredential`), whose answer carries the kubeconfig
//! base64-encoded. The Kubernetes provider asks through `ClusterAccess`, so
//! it needs no Azure knowledge; `secrets.rs` exports both as azurerm does.

use base64::Engine as _;
use reqwest::Method;
use serde_json::{Value as J, json};

use super::common::{AzureProvider, lookup};
use super::error::err;
use super::response::api_error;
use super::secrets::no_kubeconfig;
use crate::lang::Value;
use crate::provider::kubernetes::ClusterAccess;
use crate::provider::{BoxFut, ErrorKind, ProviderError};

impl ClusterAccess for AzureProvider {
    fn kubeconfig<'a>(&'a self, cluster_id: &'a str) -> BoxFut<'a, Result<String, ProviderError>> {
        // Guarded by the region breaker like any request about the cluster:
        // a failover with the cluster's region down asks once.
        let cluster = Value::Object([("id".to_string(), Value::string(cluster_id))].into());
        Box::pin(async move {
            self.regions
                .guard(CLUSTER, &cluster, self.kubeconfig_of(cluster_id, false))
                .await
        })
    }
}

const CLUSTER: &str = "azurerm_kubernetes_cluster";

impl AzureProvider {
    /// The cluster's user (or admin) kubeconfig, decoded.
    pub(super) async fn kubeconfig_of(
        &self,
        cluster_id: &str,
        admin: bool,
    ) -> Result<String, ProviderError> {
        let api = lookup(CLUSTER)?.api;
        let action = if admin {
            "listClusterAdminCredential"
        } else {
            "listClusterUserCredential"
        };
        let path = format!("{cluster_id}/{action}");
        let r = self
            .client
            .send(Method::POST, &path, api, Some(&json!({})), &[])
            .await
            .map_err(err)?;
        if r.status != 200 {
            return Err(err(api_error(r.status, &r.body)));
        }
        let value = r.body["kubeconfigs"]
            .as_array()
            .and_then(|k| k.first())
            .and_then(|k| k.get("value"))
            .and_then(J::as_str)
            .ok_or_else(|| no_kubeconfig(cluster_id, action))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(value)
            .map_err(|e| {
                ProviderError::api(
                    ErrorKind::Failed,
                    "NoKubeconfig",
                    format!("{cluster_id}: the kubeconfig is not base64: {e}"),
                )
            })?;
        String::from_utf8(bytes).map_err(|_| {
            ProviderError::api(
                ErrorKind::Failed,
                "NoKubeconfig",
                format!("{cluster_id}: the kubeconfig is not text"),
            )
        })
    }
}

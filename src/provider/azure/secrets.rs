//! The secrets azurerm exports beside a resource's properties (access
//! keys, connection strings, kubeconfigs), read as azurerm reads them:
//! through the resource's POST actions (`listKeys`, `sharedKeys`,
//! `listCluster{User,Admin}Credential`), never from its body.
//!
//! When they are read: once when an object enters state (created here,
//! imported through `Provider::read_secrets`), by every data source read,
//! and on refresh only for instances whose secrets the configuration
//! references (the planner decides), so a no-op plan of a configuration
//! that uses none sends no more requests than before. An update keeps what
//! state holds (nothing an update sends changes a key).

use reqwest::Method;
use serde_json::{Value as J, json};

use super::common::{AzureProvider, attrs, lookup, str_of};
use super::error::err;
use super::response::api_error;
use super::typedef::Attrs;
use crate::lang::Value;
use crate::provider::{ErrorKind, ProviderError};

const STORAGE: &str = "azurerm_storage_account";
const REDIS: &str = "azurerm_redis_cache";
const WORKSPACE: &str = "azurerm_log_analytics_workspace";
const CLUSTER: &str = "azurerm_kubernetes_cluster";
/// azurerm reads a workspace's keys with the `sharedKeys` API of this
/// version (its `operationalinsights/2020-08-01` client).
const SHARED_KEYS_API: &str = "2020-08-01";

/// The attributes of `ty` read by a request of their own.
pub fn attributes(ty: &str) -> &'static [&'static str] {
    match ty {
        STORAGE => &[
            "primary_access_key",
            "secondary_access_key",
            "primary_connection_string",
            "secondary_connection_string",
            "primary_blob_connection_string",
            "secondary_blob_connection_string",
        ],
        REDIS => &[
            "primary_access_key",
            "secondary_access_key",
            "primary_connection_string",
            "secondary_connection_string",
        ],
        WORKSPACE => &["primary_shared_key", "secondary_shared_key"],
        CLUSTER => &[
            "kube_config_raw",
            "kube_config",
            "kube_admin_config_raw",
            "kube_admin_config",
        ],
        _ => &[],
    }
}

fn text(s: impl Into<String>) -> Value {
    Value::String(s.into())
}

impl AzureProvider {
    /// `state` (an object of type `ty` as read) with its exported secrets
    /// read from the cloud; unchanged for a type that has none.
    pub(super) async fn with_secrets(
        &self,
        ty: &str,
        state: Value,
    ) -> Result<Value, ProviderError> {
        if attributes(ty).is_empty() {
            return Ok(state);
        }
        let mut a = attrs(&state);
        let Some(id) = str_of(&a, "id") else {
            return Ok(state);
        };
        let found = match ty {
            STORAGE => self.storage_keys(&id, &a).await?,
            REDIS => self.redis_keys(&id, &a).await?,
            WORKSPACE => self.workspace_keys(&id).await?,
            _ => self.cluster_configs(&id, &a).await?,
        };
        for (k, v) in found {
            a.insert(k.to_string(), v);
        }
        // Marked as the table says (every one of these is sensitive).
        Ok(Value::Object(a))
    }

    /// POST `{id}/{action}`: the answer's body, or None when the caller
    /// may not list keys or the object is locked (409, 401, 403: azurerm
    /// then leaves the keys empty rather than failing the read).
    async fn post_for_keys(
        &self,
        id: &str,
        action: &str,
        api: &str,
    ) -> Result<Option<J>, ProviderError> {
        let r = self
            .client
            .send(
                Method::POST,
                &format!("{id}/{action}"),
                api,
                Some(&json!({})),
                &[],
            )
            .await
            .map_err(err)?;
        match r.status {
            200 => Ok(Some(r.body)),
            401 | 403 | 409 => Ok(None),
            s => Err(err(api_error(s, &r.body))),
        }
    }

    async fn storage_keys(
        &self,
        id: &str,
        a: &Attrs,
    ) -> Result<Vec<(&'static str, Value)>, ProviderError> {
        let api = lookup(STORAGE)?.api;
        let body = self.post_for_keys(id, "listKeys", api).await?;
        let keys: Vec<String> = body
            .as_ref()
            .and_then(|b| b["keys"].as_array())
            .map(|ks| {
                ks.iter()
                    .map(|k| k["value"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default();
        let name = str_of(a, "name").unwrap_or_default();
        let suffix = self.storage_suffix(a);
        let key = |i: usize| keys.get(i).cloned().unwrap_or_default();
        // azurerm's formats, each only when its key (and endpoint) exists.
        let account = |k: &str| {
            if k.is_empty() {
                String::new()
            } else {
                format!(
                    "DefaultEndpointsProtocol=https;AccountName={name};AccountKey={k};EndpointSuffix={suffix}"
                )
            }
        };
        let blob = |endpoint: Option<String>, k: &str| match endpoint.filter(|e| !e.is_empty()) {
            Some(e) if !k.is_empty() => format!(
                "DefaultEndpointsProtocol=https;BlobEndpoint={e};AccountName={name};AccountKey={k}"
            ),
            _ => String::new(),
        };
        let (primary, secondary) = (key(0), key(1));
        Ok(vec![
            ("primary_access_key", text(&primary)),
            ("secondary_access_key", text(&secondary)),
            ("primary_connection_string", text(account(&primary))),
            ("secondary_connection_string", text(account(&secondary))),
            (
                "primary_blob_connection_string",
                text(blob(str_of(a, "primary_blob_endpoint"), &primary)),
            ),
            (
                "secondary_blob_connection_string",
                text(blob(str_of(a, "secondary_blob_endpoint"), &secondary)),
            ),
        ])
    }

    /// The cloud's storage endpoint suffix, as azurerm takes it from its
    /// environment: by the ARM endpoint for Azure's clouds; for an
    /// emulator or custom cloud, from the account's own blob endpoint.
    fn storage_suffix(&self, a: &Attrs) -> String {
        let base = self.client.base.to_ascii_lowercase();
        if base.contains("management.usgovcloudapi.net") {
            return "core.usgovcloudapi.net".into();
        }
        if base.contains("management.chinacloudapi.cn") {
            return "core.chinacloudapi.cn".into();
        }
        if base.contains("management.azure.com") {
            return "core.windows.net".into();
        }
        str_of(a, "primary_blob_endpoint")
            .and_then(|e| {
                let host = e.split("://").nth(1)?.split('/').next()?.to_string();
                host.split_once(".blob.").map(|(_, s)| s.to_string())
            })
            .unwrap_or_else(|| "core.windows.net".into())
    }

    async fn redis_keys(
        &self,
        id: &str,
        a: &Attrs,
    ) -> Result<Vec<(&'static str, Value)>, ProviderError> {
        let api = lookup(REDIS)?.api;
        let body = self.post_for_keys(id, "listKeys", api).await?;
        let key = |k: &str| {
            body.as_ref()
                .and_then(|b| b[k].as_str())
                .unwrap_or_default()
                .to_string()
        };
        let (primary, secondary) = (key("primaryKey"), key("secondaryKey"));
        let host = str_of(a, "hostname").unwrap_or_default();
        let port = match a.get("ssl_port").map(|v| v.unmark().0) {
            Some(Value::Number(n)) => crate::lang::value::format_number(*n),
            _ => "6380".into(),
        };
        // azurerm writes `ssl=` as Go prints the negated non-SSL switch.
        let ssl = !matches!(
            a.get("non_ssl_port_enabled").map(|v| v.unmark().0),
            Some(Value::Bool(true))
        );
        let conn = |k: &str| format!("{host}:{port},password={k},ssl={ssl},abortConnect=False");
        Ok(vec![
            ("primary_connection_string", text(conn(&primary))),
            ("secondary_connection_string", text(conn(&secondary))),
            ("primary_access_key", text(primary)),
            ("secondary_access_key", text(secondary)),
        ])
    }

    async fn workspace_keys(&self, id: &str) -> Result<Vec<(&'static str, Value)>, ProviderError> {
        let body = self
            .post_for_keys(id, "sharedKeys", SHARED_KEYS_API)
            .await?;
        let key = |k: &str| {
            text(
                body.as_ref()
                    .and_then(|b| b[k].as_str())
                    .unwrap_or_default(),
            )
        };
        Ok(vec![
            ("primary_shared_key", key("primarySharedKey")),
            ("secondary_shared_key", key("secondarySharedKey")),
        ])
    }

    /// The user kubeconfig always; the admin one only for a cluster with
    /// Entra ID integration and local accounts on (azurerm's rule: AKS
    /// refuses admin credentials otherwise), else empty.
    async fn cluster_configs(
        &self,
        id: &str,
        a: &Attrs,
    ) -> Result<Vec<(&'static str, Value)>, ProviderError> {
        let user = self.kubeconfig_of(id, false).await?;
        let aad = a
            .get("azure_active_directory_role_based_access_control")
            .and_then(|v| v.unmark().0.as_seq().map(|s| !s.is_empty()))
            .unwrap_or(false);
        let local_off = matches!(
            a.get("local_account_disabled").map(|v| v.unmark().0),
            Some(Value::Bool(true))
        );
        let admin = if aad && !local_off {
            Some(self.kubeconfig_of(id, true).await?)
        } else {
            None
        };
        let (admin_raw, admin_parts) = match admin {
            Some(raw) => (text(&raw), flatten_kubeconfig(&raw)),
            None => (text(""), Value::List(vec![])),
        };
        Ok(vec![
            ("kube_config", flatten_kubeconfig(&user)),
            ("kube_config_raw", text(user)),
            ("kube_admin_config", admin_parts),
            ("kube_admin_config_raw", admin_raw),
        ])
    }
}

/// azurerm's `kube_config` block from a kubeconfig: the first cluster's
/// server and CA, the first user's name, token and client certificate and
/// key (base64, as the kubeconfig holds them). For an Entra ID kubeconfig
/// (an `exec` plugin or `apiserver-id`) the credentials are empty, as
/// azurerm leaves them; a kubeconfig it cannot parse gives no block.
pub fn flatten_kubeconfig(raw: &str) -> Value {
    let Ok(parsed) = kube::config::Kubeconfig::from_yaml(raw) else {
        return Value::List(vec![]);
    };
    // Serialized back, the kubeconfig's secrets are plain strings again.
    let Ok(j) = serde_json::to_value(&parsed) else {
        return Value::List(vec![]);
    };
    let (Some(cluster), Some(user)) = (j["clusters"].get(0), j["users"].get(0)) else {
        return Value::List(vec![]);
    };
    let aad = raw.contains("apiserver-id:") || raw.contains("exec");
    let field = |v: &J, k: &str| text(v[k].as_str().unwrap_or_default());
    let secret = |k: &str| {
        if aad {
            text("")
        } else {
            field(&user["user"], k)
        }
    };
    let m: Attrs = [
        ("host", field(&cluster["cluster"], "server")),
        ("username", field(user, "name")),
        ("password", secret("token")),
        ("client_certificate", secret("client-certificate-data")),
        ("client_key", secret("client-key-data")),
        (
            "cluster_ca_certificate",
            field(&cluster["cluster"], "certificate-authority-data"),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    Value::List(vec![Value::Object(m)])
}

/// A kubeconfig that lists no cluster: what the credential actions'
/// answer must carry.
pub(super) fn no_kubeconfig(cluster_id: &str, action: &str) -> ProviderError {
    ProviderError::api(
        ErrorKind::Failed,
        "NoKubeconfig",
        format!("{cluster_id}: {action} returned no kubeconfig"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kubeconfig_flattens_as_azurerm_does() {
        let raw = "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: Q0E=\n    server: https://k.example:443\n  name: c\ncontexts: []\nusers:\n- name: clusterUser_rg_c\n  user:\n    client-certificate-data: Q0VSVA==\n    client-key-data: S0VZ\n    token: tok\n";
        let v = flatten_kubeconfig(raw);
        let m = v.as_seq().unwrap()[0].as_mapping().unwrap().clone();
        assert_eq!(m["host"], text("https://k.example:443"));
        assert_eq!(m["username"], text("clusterUser_rg_c"));
        assert_eq!(m["password"], text("tok"));
        assert_eq!(m["client_certificate"], text("Q0VSVA=="));
        assert_eq!(m["client_key"], text("S0VZ"));
        assert_eq!(m["cluster_ca_certificate"], text("Q0E="));
    }

    #[test]
    fn an_entra_kubeconfig_has_no_credentials_and_garbage_no_block() {
        let raw = "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://k\n  name: c\nusers:\n- name: u\n  user:\n    exec:\n      command: kubelogin\n      apiVersion: client.authentication.k8s.io/v1beta1\n      args: []\n    token: t\n";
        let m = flatten_kubeconfig(raw).as_seq().unwrap()[0]
            .as_mapping()
            .unwrap()
            .clone();
        assert_eq!(m["password"], text(""));
        assert_eq!(m["host"], text("https://k"));
        assert_eq!(flatten_kubeconfig(": not yaml ["), Value::List(vec![]));
    }
}

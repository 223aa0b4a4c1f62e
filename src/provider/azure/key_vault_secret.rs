//! `azurerm_key_vault_secret` over Key Vault's data plane, as azurerm
//! does it: the vault is found through Resource Manager and its
//! `vaultUri` followed (never a URL built here, and a data-plane token is
//! sent nowhere else); tokens are for the cloud's Key Vault audience.
//!
//! - create refuses a secret that already exists (import it), and a name
//!   held by a soft-deleted secret is recovered first when
//!   `features { key_vault { recover_soft_deleted_secrets } }` allows
//!   (azurerm's default), else it fails as Key Vault answers (409);
//! - a new value (or `value_wo_version`) is a new version; other changes
//!   update the latest version; Key Vault cannot unset a version's dates,
//!   so removing one writes a new version with the same value;
//! - read takes the latest version, so a value set outside is drift;
//! - delete soft-deletes, then purges unless
//!   `purge_soft_deleted_secrets_on_destroy = false` or the vault has
//!   purge protection (azurerm's rules).

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value as J, json};

use super::common::{AzureProvider, str_of};
use super::error::err;
use super::typedef::Attrs;
use super::types::key_vault_secret::{API, PER_VERSION, TYPE};
use crate::lang::{Type, Value};
use crate::provider::{ErrorKind, ProviderError};

/// The vaults' Resource Manager api-version (the vault type's).
const VAULT_API: &str = "2023-07-01";
/// How many times a soft delete, recovery or purge is waited on.
const SETTLE_TRIES: u32 = 60;

/// A vault as Resource Manager describes it.
struct Vault {
    id: String,
    /// `vaultUri`, ending in `/`.
    uri: String,
    purge_protected: bool,
}

impl Vault {
    fn of(body: &J) -> Option<Vault> {
        let uri = body["properties"]["vaultUri"].as_str()?;
        Some(Vault {
            id: body["id"].as_str()?.to_string(),
            uri: format!("{}/", uri.trim_end_matches('/')),
            purge_protected: body["properties"]["enablePurgeProtection"] == json!(true),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}?api-version={API}", self.uri)
    }
}

/// Key Vault's answer: status and body.
struct Answer {
    status: u16,
    body: J,
}

impl Answer {
    fn inner_code(&self) -> &str {
        self.body["error"]["innererror"]["code"]
            .as_str()
            .unwrap_or_default()
    }

    /// The error a failed answer means, by kind.
    fn error(&self, what: &str) -> ProviderError {
        let code = self.body["error"]["code"].as_str().unwrap_or("Failed");
        let message = self.body["error"]["message"]
            .as_str()
            .unwrap_or("no message")
            .to_string();
        let kind = match self.status {
            400 => ErrorKind::Invalid,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::Throttled,
            500..=599 => ErrorKind::Unreachable,
            _ => ErrorKind::Failed,
        };
        let code = match self.inner_code() {
            "" => code.to_string(),
            inner => format!("{code}/{inner}"),
        };
        ProviderError::api(
            kind,
            &code,
            format!("{what}: Key Vault answered {}: {message}", self.status),
        )
    }
}

fn name_of(a: &Attrs) -> Result<String, ProviderError> {
    str_of(a, "name").ok_or_else(|| ProviderError::Invalid("the secret has no name".into()))
}

/// The unix seconds of an RFC 3339 argument.
fn seconds(a: &Attrs, k: &str) -> Option<i64> {
    str_of(a, k).and_then(|s| crate::timefmt::parse_rfc3339(&s))
}

/// The secret's new value: `value`, or `value_wo` when it is sent.
fn new_value(a: &Attrs) -> Option<String> {
    str_of(a, "value").or_else(|| str_of(a, "value_wo"))
}

/// The body of a write (PUT when `value` is given, else PATCH).
fn write_body(a: &Attrs, value: Option<&str>) -> J {
    let mut attributes = json!({});
    for (k, field) in [("not_before_date", "nbf"), ("expiration_date", "exp")] {
        if let Some(s) = seconds(a, k) {
            attributes[field] = json!(s);
        }
    }
    let tags: serde_json::Map<String, J> = a
        .get("tags")
        .and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| match v.unmark().0 {
                    Value::String(s) => Some((k.clone(), json!(s))),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut b = json!({
        "contentType": str_of(a, "content_type").unwrap_or_default(),
        "tags": tags,
        "attributes": attributes,
    });
    if let Some(v) = value {
        b["value"] = json!(v);
    }
    b
}

/// What a create announces before it is sent (its id is known only
/// after): the secret's versionless resource id.
pub(super) fn intent_id(ty: &str, a: &Attrs) -> Option<String> {
    if ty != TYPE {
        return None;
    }
    Some(format!(
        "{}/secrets/{}",
        str_of(a, "key_vault_id")?.trim_end_matches('/'),
        str_of(a, "name")?
    ))
}

/// Whether the planned change writes a new version (so the per-version
/// attributes are unknown until apply).
pub(super) fn writes_new_version(old: &Attrs, planned: &Attrs) -> bool {
    let changed_value = match (old.get("value"), planned.get("value")) {
        (Some(o), Some(p)) => o.unmark().0 != p.unmark().0,
        (None, Some(p)) => !p.is_null(),
        _ => false,
    };
    let resend = planned.get("value_wo").is_some_and(|v| !v.is_null());
    let unset_date = ["not_before_date", "expiration_date"].iter().any(|k| {
        old.get(*k).is_some_and(|v| !v.is_null()) && planned.get(*k).is_none_or(Value::is_null)
    });
    changed_value || resend || unset_date
}

/// The plan of an update: a new version's attributes are not known yet.
pub(super) fn plan_update(old: &Attrs, planned: &mut Attrs) {
    if writes_new_version(old, planned) {
        for k in PER_VERSION {
            planned.insert((*k).into(), Value::Unknown(Type::String));
        }
    }
}

impl AzureProvider {
    async fn vault(&self, id: &str) -> Result<Option<Vault>, ProviderError> {
        match self.client.get(id, VAULT_API).await.map_err(err)? {
            Some(body) => Vault::of(&body).map(Some).ok_or_else(|| {
                ProviderError::Invalid(format!("the key vault {id} has no vaultUri"))
            }),
            None => Ok(None),
        }
    }

    /// The vault `key_vault_id` names, which must exist.
    async fn named_vault(&self, a: &Attrs) -> Result<Vault, ProviderError> {
        let id = str_of(a, "key_vault_id")
            .ok_or_else(|| ProviderError::Invalid("key_vault_id must be known".into()))?;
        self.vault(&id).await?.ok_or_else(|| {
            ProviderError::api(
                ErrorKind::NotFound,
                "ResourceNotFound",
                format!("the key vault {id} does not exist"),
            )
        })
    }

    /// The vault whose `vaultUri` a secret's URL starts with (an import
    /// knows only the URL), as azurerm finds it: among the subscription's
    /// vaults.
    async fn vault_by_url(&self, url: &str) -> Result<Option<Vault>, ProviderError> {
        let rows = self
            .client
            .graph(
                std::slice::from_ref(&self.subscription),
                "Resources | where type =~ 'Microsoft.KeyVault/vaults' | project id, properties",
            )
            .await
            .map_err(err)?;
        let lower = url.to_lowercase();
        Ok(rows
            .iter()
            .filter_map(Vault::of)
            .find(|v| lower.starts_with(&v.uri.to_lowercase())))
    }

    /// One data-plane request, with a token for Key Vault; throttling and
    /// transient failures are retried a few times.
    async fn kv(
        &self,
        method: Method,
        url: &str,
        body: Option<&J>,
    ) -> Result<Answer, ProviderError> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let token = self
                .client
                .token_for(&self.key_vault.scope)
                .await
                .map_err(err)?;
            let mut req = self
                .client
                .http()
                .request(method.clone(), url)
                .bearer_auth(token)
                .header("accept", "application/json");
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = req.send().await.map_err(|e| {
                ProviderError::api(
                    ErrorKind::Unreachable,
                    "KeyVaultUnreachable",
                    format!("cannot reach the key vault: {}", e.without_url()),
                )
            })?;
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            let body: J = serde_json::from_str(&text).unwrap_or(J::Null);
            if matches!(status, 429 | 500 | 502 | 503 | 504) && attempt < 4 {
                tokio::time::sleep(Duration::from_millis(250 * 2u64.pow(attempt))).await;
                continue;
            }
            return Ok(Answer { status, body });
        }
    }

    /// Waits until `url` answers `want` (Key Vault applies deletes,
    /// recoveries and purges a little later).
    async fn settle(&self, url: &str, want: u16) -> Result<(), ProviderError> {
        for i in 0..SETTLE_TRIES {
            if self.kv(Method::GET, url, None).await?.status == want {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(200 * u64::from(i.min(10)))).await;
        }
        Err(ProviderError::api(
            ErrorKind::Failed,
            "NotSettled",
            format!("the key vault did not answer {want} at {url} in time"),
        ))
    }

    /// The state of the secret's latest version.
    fn secret_state(&self, vault: &Vault, b: &J, known: &Attrs) -> Value {
        let id = b["id"].as_str().unwrap_or_default().to_string();
        let (base, version) = id.rsplit_once('/').unwrap_or((&id, ""));
        let name = base.rsplit('/').next().unwrap_or_default().to_string();
        let s = |v: &str| Value::String(v.to_string());
        let mut out: Attrs = BTreeMap::new();
        out.insert("id".into(), s(&id));
        out.insert("name".into(), s(&name));
        // Keep the configured spelling of the vault's id.
        let vault_id = str_of(known, "key_vault_id")
            .filter(|k| k.eq_ignore_ascii_case(&vault.id))
            .unwrap_or_else(|| vault.id.clone());
        out.insert("key_vault_id".into(), s(&vault_id));
        out.insert("version".into(), s(version));
        out.insert("versionless_id".into(), s(base));
        let resource = format!("{vault_id}/secrets/{name}");
        out.insert(
            "resource_id".into(),
            s(&format!("{resource}/versions/{version}")),
        );
        out.insert("resource_versionless_id".into(), s(&resource));
        // A value written with `value_wo` stays out of state.
        let write_only = known.get("value").is_none_or(Value::is_null)
            && known.get("value_wo_version").is_some_and(|v| !v.is_null());
        let value = match b["value"].as_str() {
            Some(v) if !write_only => Value::String(v.into()).sensitive(),
            _ => Value::Null,
        };
        out.insert("value".into(), value);
        out.insert("value_wo".into(), Value::Null);
        out.insert(
            "value_wo_version".into(),
            known
                .get("value_wo_version")
                .cloned()
                .unwrap_or(Value::Null),
        );
        out.insert(
            "content_type".into(),
            b["contentType"]
                .as_str()
                .filter(|c| !c.is_empty())
                .map(s)
                .unwrap_or(Value::Null),
        );
        for (k, field) in [("not_before_date", "nbf"), ("expiration_date", "exp")] {
            let v = b["attributes"][field]
                .as_f64()
                .map(|t| s(&crate::timefmt::rfc3339(t)))
                .unwrap_or(Value::Null);
            out.insert(k.into(), v);
        }
        let tags = b["tags"]
            .as_object()
            .filter(|m| !m.is_empty())
            .map(|m| {
                Value::Map(
                    m.iter()
                        .map(|(k, v)| (k.clone(), s(v.as_str().unwrap_or_default())))
                        .collect(),
                )
            })
            .unwrap_or(Value::Null);
        out.insert("tags".into(), tags);
        if let Some(t) = known.get(super::timeouts::BLOCK) {
            out.insert(super::timeouts::BLOCK.into(), t.clone());
        }
        Value::Object(out)
    }

    /// The vault a secret lives in: by `key_vault_id`, else (an import) by
    /// the secret's URL.
    async fn vault_of(&self, known: &Attrs) -> Result<Option<Vault>, ProviderError> {
        match (str_of(known, "key_vault_id"), str_of(known, "id")) {
            (Some(v), _) => self.vault(&v).await,
            (None, Some(url)) => self.vault_by_url(&url).await,
            (None, None) => Ok(None),
        }
    }

    pub(super) async fn read_secret(&self, known: &Attrs) -> Result<Option<Value>, ProviderError> {
        let Some(vault) = self.vault_of(known).await? else {
            return Ok(None);
        };
        let name = name_of(known)?;
        let got = self
            .kv(Method::GET, &vault.url(&format!("secrets/{name}")), None)
            .await?;
        match got.status {
            200 => Ok(Some(self.secret_state(&vault, &got.body, known))),
            404 => Ok(None),
            _ => Err(got.error(&format!("reading secret {name:?}"))),
        }
    }

    pub(super) async fn create_secret(&self, a: &Attrs) -> Result<Value, ProviderError> {
        let vault = self.named_vault(a).await?;
        let name = name_of(a)?;
        let url = vault.url(&format!("secrets/{name}"));
        let existing = self.kv(Method::GET, &url, None).await?;
        // As azurerm: never write over a secret state does not record,
        // unless an interrupted run of this stack was creating it.
        let adopting = intent_id(TYPE, a).is_some_and(|id| self.client.operations.take_intent(&id));
        if existing.status == 200 && !adopting {
            return Err(ProviderError::AlreadyExists {
                ty: TYPE.into(),
                id: existing.body["id"].as_str().unwrap_or(&url).to_string(),
            });
        }
        let body = write_body(a, new_value(a).as_deref());
        let mut put = self.kv(Method::PUT, &url, Some(&body)).await?;
        if put.status == 409 && put.inner_code() == "ObjectIsDeletedButRecoverable" {
            if !self.key_vault.recover_soft_deleted_secrets {
                let e = put.error(&format!("creating secret {name:?}"));
                return Err(ProviderError::api(
                    ErrorKind::Conflict,
                    "ObjectIsDeletedButRecoverable",
                    format!(
                        "{e}. A soft-deleted secret holds this name: recover or purge it, or let drinfra recover it (features {{ key_vault {{ recover_soft_deleted_secrets = true }} }}, azurerm's default)."
                    ),
                ));
            }
            let recover = vault.url(&format!("deletedsecrets/{name}/recover"));
            let r = self.kv(Method::POST, &recover, None).await?;
            if r.status != 200 {
                return Err(r.error(&format!("recovering soft-deleted secret {name:?}")));
            }
            self.settle(&url, 200).await?;
            put = self.kv(Method::PUT, &url, Some(&body)).await?;
        }
        if put.status != 200 {
            return Err(put.error(&format!("creating secret {name:?}")));
        }
        Ok(self.secret_state(&vault, &put.body, a))
    }

    pub(super) async fn update_secret(
        &self,
        old: &Attrs,
        a: &Attrs,
    ) -> Result<Value, ProviderError> {
        let vault = self.vault_of(old).await?.ok_or_else(|| {
            ProviderError::api(
                ErrorKind::NotFound,
                "ResourceNotFound",
                "the secret's key vault no longer exists",
            )
        })?;
        let name = name_of(old)?;
        let url = vault.url(&format!("secrets/{name}"));
        let got = if writes_new_version(old, a) {
            let value = match new_value(a) {
                Some(v) => v,
                // A date removed with a write-only value: the same value
                // again, read from the vault.
                None => {
                    let cur = self.kv(Method::GET, &url, None).await?;
                    if cur.status != 200 {
                        return Err(cur.error(&format!("reading secret {name:?}")));
                    }
                    cur.body["value"].as_str().unwrap_or_default().to_string()
                }
            };
            self.kv(Method::PUT, &url, Some(&write_body(a, Some(&value))))
                .await?
        } else {
            let version = str_of(old, "version").unwrap_or_default();
            let patch = vault.url(&format!("secrets/{name}/{version}"));
            self.kv(Method::PATCH, &patch, Some(&write_body(a, None)))
                .await?
        };
        if got.status != 200 {
            return Err(got.error(&format!("updating secret {name:?}")));
        }
        // The latest version, as read (a PATCH answers without the value).
        let latest = self.kv(Method::GET, &url, None).await?;
        if latest.status != 200 {
            return Err(latest.error(&format!("reading secret {name:?}")));
        }
        Ok(self.secret_state(&vault, &latest.body, a))
    }

    pub(super) async fn delete_secret(&self, old: &Attrs) -> Result<(), ProviderError> {
        let Some(vault) = self.vault_of(old).await? else {
            return Ok(());
        };
        let name = name_of(old)?;
        let gone = self
            .kv(Method::DELETE, &vault.url(&format!("secrets/{name}")), None)
            .await?;
        match gone.status {
            200 => {}
            404 => return Ok(()),
            _ => return Err(gone.error(&format!("deleting secret {name:?}"))),
        }
        // azurerm does not try to purge what purge protection keeps.
        if !self.key_vault.purge_soft_deleted_secrets_on_destroy || vault.purge_protected {
            return Ok(());
        }
        let deleted = vault.url(&format!("deletedsecrets/{name}"));
        self.settle(&deleted, 200).await?;
        let purged = self.kv(Method::DELETE, &deleted, None).await?;
        if purged.status != 204 && purged.status != 200 {
            return Err(purged.error(&format!("purging soft-deleted secret {name:?}")));
        }
        self.settle(&deleted, 404).await
    }

    /// `data "azurerm_key_vault_secret"`: by name and vault, the latest
    /// version or the one `version` names.
    pub(super) async fn read_secret_data(&self, cfg: &Attrs) -> Result<Value, ProviderError> {
        let vault = self.named_vault(cfg).await?;
        let name = name_of(cfg)?;
        let version = str_of(cfg, "version").unwrap_or_default();
        let path = if version.is_empty() {
            format!("secrets/{name}")
        } else {
            format!("secrets/{name}/{version}")
        };
        let got = self.kv(Method::GET, &vault.url(&path), None).await?;
        if got.status != 200 {
            return Err(got.error(&format!("reading secret {name:?}")));
        }
        let mut known = cfg.clone();
        known.remove("value_wo_version");
        let mut state = self.secret_state(&vault, &got.body, &known);
        if let Value::Object(m) = &mut state {
            for k in ["value_wo", "value_wo_version"] {
                m.remove(k);
            }
        }
        Ok(state)
    }
}

impl AzureProvider {
    /// `ephemeral "azurerm_key_vault_secret"`: the data source's read,
    /// narrowed to what azurerm's ephemeral type exports.
    pub(super) async fn open_secret(&self, cfg: &Attrs) -> Result<Value, ProviderError> {
        let mut read = self.read_secret_data(cfg).await?;
        if let Value::Object(m) = &mut read {
            m.retain(|k, _| {
                EPHEMERAL_EXPORTS.contains(&k.as_str()) || DATA_ARGS.contains(&k.as_str())
            });
            if let Some(v) = m.remove("value") {
                m.insert("value".into(), v.sensitive());
            }
        }
        Ok(read)
    }
}

/// What azurerm's ephemeral key vault secret exports besides its arguments.
const EPHEMERAL_EXPORTS: &[&str] = &["value", "expiration_date", "not_before_date"];

/// The arguments `data "azurerm_key_vault_secret"` takes.
pub(super) const DATA_ARGS: &[&str] = &["name", "key_vault_id", "version"];

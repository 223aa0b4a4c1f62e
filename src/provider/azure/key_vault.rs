//! Key Vault's data plane as azurerm reaches it, shared by the secret and
//! key types (`key_vault_secret.rs`, `key_vault_key.rs`): the vault is
//! found through Resource Manager and its `vaultUri` followed (never a URL
//! built here, and a data-plane token is sent nowhere else); tokens are
//! for the cloud's Key Vault audience. Also what both types do alike:
//! recovering a soft-deleted name on create, soft delete then purge on
//! destroy, and the attributes their states share.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value as J, json};

use super::common::{AzureProvider, str_of};
use super::error::err;
use super::typedef::Attrs;
use super::types::key_vault_secret::API;
use crate::lang::Value;
use crate::provider::{ErrorKind, ProviderError};

/// The vaults' Resource Manager api-version (the vault type's).
const VAULT_API: &str = "2023-07-01";
/// How many times a soft delete, recovery or purge is waited on.
const SETTLE_TRIES: u32 = 60;

/// A vault as Resource Manager describes it.
pub(super) struct Vault {
    pub id: String,
    /// `vaultUri`, ending in `/`.
    pub uri: String,
    pub purge_protected: bool,
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

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}?api-version={API}", self.uri)
    }
}

/// Key Vault's answer: status and body.
pub(super) struct Answer {
    pub status: u16,
    pub body: J,
}

impl Answer {
    pub fn inner_code(&self) -> &str {
        self.body["error"]["innererror"]["code"]
            .as_str()
            .unwrap_or_default()
    }

    /// The error a failed answer means, by kind.
    pub fn error(&self, what: &str) -> ProviderError {
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

impl AzureProvider {
    pub(super) async fn vault(&self, id: &str) -> Result<Option<Vault>, ProviderError> {
        match self.client.get(id, VAULT_API).await.map_err(err)? {
            Some(body) => Vault::of(&body).map(Some).ok_or_else(|| {
                ProviderError::Invalid(format!("the key vault {id} has no vaultUri"))
            }),
            None => Ok(None),
        }
    }

    /// The vault `key_vault_id` names, which must exist.
    pub(super) async fn named_vault(&self, a: &Attrs) -> Result<Vault, ProviderError> {
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

    /// The vault whose `vaultUri` an object's URL starts with (an import
    /// knows only the URL), as azurerm finds it: among the subscription's
    /// vaults.
    pub(super) async fn vault_by_url(&self, url: &str) -> Result<Option<Vault>, ProviderError> {
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
    pub(super) async fn kv(
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
    pub(super) async fn settle(&self, url: &str, want: u16) -> Result<(), ProviderError> {
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

    /// The vault an object lives in: by `key_vault_id`, else (an import)
    /// by the object's URL.
    pub(super) async fn vault_of(&self, known: &Attrs) -> Result<Option<Vault>, ProviderError> {
        match (str_of(known, "key_vault_id"), str_of(known, "id")) {
            (Some(v), _) => self.vault(&v).await,
            (None, Some(url)) => self.vault_by_url(&url).await,
            (None, None) => Ok(None),
        }
    }
}

/// The unix seconds of an RFC 3339 argument.
pub(super) fn seconds(a: &Attrs, k: &str) -> Option<i64> {
    str_of(a, k).and_then(|s| crate::timefmt::parse_rfc3339(&s))
}

/// `attributes.nbf`/`exp` from `not_before_date`/`expiration_date`.
pub(super) fn date_attributes(a: &Attrs) -> J {
    let mut attributes = json!({});
    for (k, field) in [("not_before_date", "nbf"), ("expiration_date", "exp")] {
        if let Some(s) = seconds(a, k) {
            attributes[field] = json!(s);
        }
    }
    attributes
}

/// `tags` as Key Vault takes them.
pub(super) fn tags_json(a: &Attrs) -> serde_json::Map<String, J> {
    a.get("tags")
        .and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| match v.unmark().0 {
                    Value::String(s) => Some((k.clone(), json!(s))),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What a create announces before it is sent (its id is known only
/// after): the object's versionless resource id,
/// `{key_vault_id}/{collection}/{name}`.
pub(super) fn intent_id(a: &Attrs, collection: &str) -> Option<String> {
    Some(format!(
        "{}/{collection}/{}",
        str_of(a, "key_vault_id")?.trim_end_matches('/'),
        str_of(a, "name")?
    ))
}

/// The attributes a secret's and a key's states share, from the object's
/// versioned URL `id` in `collection` (`secrets`, `keys`) and its bundle
/// `b`: ids, name, vault, dates, tags and timeouts.
pub(super) fn common_state(
    vault: &Vault,
    collection: &str,
    id: &str,
    b: &J,
    known: &Attrs,
) -> Attrs {
    let (base, version) = id.rsplit_once('/').unwrap_or((id, ""));
    let name = base.rsplit('/').next().unwrap_or_default().to_string();
    let s = |v: &str| Value::String(v.to_string());
    let mut out: Attrs = BTreeMap::new();
    out.insert("id".into(), s(id));
    out.insert("name".into(), s(&name));
    // Keep the configured spelling of the vault's id.
    let vault_id = str_of(known, "key_vault_id")
        .filter(|k| k.eq_ignore_ascii_case(&vault.id))
        .unwrap_or_else(|| vault.id.clone());
    out.insert("key_vault_id".into(), s(&vault_id));
    out.insert("version".into(), s(version));
    out.insert("versionless_id".into(), s(base));
    let resource = format!("{vault_id}/{collection}/{name}");
    out.insert(
        "resource_id".into(),
        s(&format!("{resource}/versions/{version}")),
    );
    out.insert("resource_versionless_id".into(), s(&resource));
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
    out
}

/// Which objects a soft delete, recovery or purge is about: the live and
/// deleted collections' path segments and a noun for messages.
pub(super) struct Objects {
    pub live: &'static str,
    pub deleted: &'static str,
    pub noun: &'static str,
    /// azurerm's `recover_soft_deleted_{secrets,keys}` for these objects.
    pub recover: bool,
    /// azurerm's `purge_soft_deleted_{secrets,keys}_on_destroy`.
    pub purge: bool,
    /// The feature's name, for refusals.
    pub recover_setting: &'static str,
}

impl AzureProvider {
    /// Recovers the soft-deleted object `name` after `refused` (a write
    /// Key Vault refused because one holds the name), when the features
    /// allow; then the write can be sent again.
    pub(super) async fn recover_for_create(
        &self,
        vault: &Vault,
        o: &Objects,
        name: &str,
        refused: &Answer,
    ) -> Result<(), ProviderError> {
        let noun = o.noun;
        if !o.recover {
            let e = refused.error(&format!("creating {noun} {name:?}"));
            return Err(ProviderError::api(
                ErrorKind::Conflict,
                "ObjectIsDeletedButRecoverable",
                format!(
                    "{e}. A soft-deleted {noun} holds this name: recover or purge it, or let drinfra recover it (features {{ key_vault {{ {} = true }} }}, azurerm's default).",
                    o.recover_setting
                ),
            ));
        }
        let recover = vault.url(&format!("{}/{name}/recover", o.deleted));
        let r = self.kv(Method::POST, &recover, None).await?;
        if r.status != 200 {
            return Err(r.error(&format!("recovering soft-deleted {noun} {name:?}")));
        }
        self.settle(&vault.url(&format!("{}/{name}", o.live)), 200)
            .await
    }

    /// Soft-deletes `name`, then purges it unless the features keep it or
    /// the vault has purge protection (azurerm's rules).
    pub(super) async fn delete_and_purge(
        &self,
        vault: &Vault,
        o: &Objects,
        name: &str,
    ) -> Result<(), ProviderError> {
        let noun = o.noun;
        let gone = self
            .kv(
                Method::DELETE,
                &vault.url(&format!("{}/{name}", o.live)),
                None,
            )
            .await?;
        match gone.status {
            200 => {}
            404 => return Ok(()),
            _ => return Err(gone.error(&format!("deleting {noun} {name:?}"))),
        }
        // azurerm does not try to purge what purge protection keeps.
        if !o.purge || vault.purge_protected {
            return Ok(());
        }
        let deleted = vault.url(&format!("{}/{name}", o.deleted));
        self.settle(&deleted, 200).await?;
        let purged = self.kv(Method::DELETE, &deleted, None).await?;
        if purged.status != 204 && purged.status != 200 {
            return Err(purged.error(&format!("purging soft-deleted {noun} {name:?}")));
        }
        self.settle(&deleted, 404).await
    }
}

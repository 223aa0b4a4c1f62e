//! `azurerm_key_vault_secret` over Key Vault's data plane, as azurerm
//! does it (the data-plane client is `key_vault.rs`):
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

use reqwest::Method;
use serde_json::{Value as J, json};

use super::common::{AzureProvider, str_of};
use super::key_vault::{Objects, Vault, common_state, date_attributes, tags_json};
use super::typedef::Attrs;
use super::types::key_vault_secret::{PER_VERSION, TYPE};
use crate::lang::{Type, Value};
use crate::provider::{ErrorKind, ProviderError};

fn name_of(a: &Attrs) -> Result<String, ProviderError> {
    str_of(a, "name").ok_or_else(|| ProviderError::Invalid("the secret has no name".into()))
}

/// The secret's new value: `value`, or `value_wo` when it is sent.
fn new_value(a: &Attrs) -> Option<String> {
    str_of(a, "value").or_else(|| str_of(a, "value_wo"))
}

/// The body of a write (PUT when `value` is given, else PATCH).
fn write_body(a: &Attrs, value: Option<&str>) -> J {
    let mut b = json!({
        "contentType": str_of(a, "content_type").unwrap_or_default(),
        "tags": tags_json(a),
        "attributes": date_attributes(a),
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
    super::key_vault::intent_id(a, "secrets")
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
    /// Secrets, with azurerm's `features { key_vault }` for them.
    fn secrets(&self) -> Objects {
        Objects {
            live: "secrets",
            deleted: "deletedsecrets",
            noun: "secret",
            recover: self.key_vault.recover_soft_deleted_secrets,
            purge: self.key_vault.purge_soft_deleted_secrets_on_destroy,
            recover_setting: "recover_soft_deleted_secrets",
        }
    }

    /// The state of the secret's latest version.
    fn secret_state(&self, vault: &Vault, b: &J, known: &Attrs) -> Value {
        let id = b["id"].as_str().unwrap_or_default();
        let mut out = common_state(vault, "secrets", id, b, known);
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
                .map(|c| Value::String(c.to_string()))
                .unwrap_or(Value::Null),
        );
        Value::Object(out)
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
            self.recover_for_create(&vault, &self.secrets(), &name, &put)
                .await?;
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
        self.delete_and_purge(&vault, &self.secrets(), &name).await
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

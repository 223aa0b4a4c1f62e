//! `azurerm_key_vault_key` over Key Vault's data plane (`key_vault.rs`),
//! as azurerm does it:
//!
//! - create refuses a key that already exists (import it); Key Vault
//!   makes the key material (`POST keys/{name}/create`);
//! - a name held by a soft-deleted key is recovered when
//!   `features { key_vault { recover_soft_deleted_keys } }` allows
//!   (azurerm's default), and the recovered key is kept as it was (no new
//!   version, as azurerm): a configuration that differs from it shows in
//!   the next plan; else Key Vault's 409 is reported;
//! - `key_opts`, dates and tags update the latest version in place
//!   (`PATCH keys/{name}/{version}`), and `rotation_policy` is written
//!   after it; everything else replaces the key (`rotation_policy` and
//!   `release_policy`: `key_vault_key_policies.rs`);
//! - read takes the latest version, and derives `public_key_pem` and
//!   `public_key_openssh` from the JSON Web Key (`public_key.rs`);
//! - delete soft-deletes, then purges unless
//!   `purge_soft_deleted_keys_on_destroy = false` or the vault has purge
//!   protection.

use base64::Engine as _;
use reqwest::Method;
use serde_json::{Value as J, json};

use super::common::{AzureProvider, str_of};
use super::key_vault::{Objects, Vault, common_state, date_attributes, tags_json};
use super::key_vault_key_policies::{release_body, release_state};
use super::typedef::Attrs;
use super::types::key_vault_key::TYPE;
use crate::lang::Value;
use crate::provider::{ErrorKind, ProviderError};

/// The arguments `data "azurerm_key_vault_key"` takes.
pub(super) const DATA_ARGS: &[&str] = &["name", "key_vault_id"];

fn name_of(a: &Attrs) -> Result<String, ProviderError> {
    str_of(a, "name").ok_or_else(|| ProviderError::Invalid("the key has no name".into()))
}

/// What a create announces before it is sent: the key's versionless
/// resource id.
pub(super) fn intent_id(ty: &str, a: &Attrs) -> Option<String> {
    if ty != TYPE {
        return None;
    }
    super::key_vault::intent_id(a, "keys")
}

/// `key_opts` as Key Vault takes them.
fn key_ops(a: &Attrs) -> J {
    let ops: Vec<J> = a
        .get("key_opts")
        .and_then(Value::as_seq)
        .map(|s| {
            s.iter()
                .filter_map(|v| match v.unmark().0 {
                    Value::String(o) => Some(json!(o)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    J::Array(ops)
}

/// The body of `POST keys/{name}/create`.
fn create_body(a: &Attrs) -> J {
    let mut b = json!({
        "kty": str_of(a, "key_type").unwrap_or_default(),
        "key_ops": key_ops(a),
        "attributes": date_attributes(a),
        "tags": tags_json(a),
    });
    if let Some(Value::Number(n)) = a.get("key_size").map(|v| v.unmark().0) {
        b["key_size"] = json!(*n as i64);
    }
    if let Some(c) = str_of(a, "curve") {
        b["crv"] = json!(c);
    }
    if let Some(p) = release_body(a) {
        b["release_policy"] = p;
    }
    b
}

/// A base64url field of the JSON Web Key, decoded.
fn field(key: &J, k: &str) -> Option<Vec<u8>> {
    let s = key[k].as_str()?;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .ok()
}

/// The attributes the JSON Web Key gives, as azurerm sets them: unset
/// ones are empty strings; `key_size` is the RSA modulus' bits (none for
/// EC keys: `key_state` keeps the known one).
fn key_attributes(key: &J, out: &mut Attrs) {
    let s = |k: &str| Value::String(key[k].as_str().unwrap_or_default().to_string());
    out.insert(
        "key_type".into(),
        Value::String(key["kty"].as_str().unwrap_or_default().into()),
    );
    out.insert("curve".into(), s("crv"));
    for k in ["n", "e", "x", "y"] {
        out.insert(k.into(), s(k));
    }
    let ops = key["key_ops"]
        .as_array()
        .map(|xs| {
            xs.iter()
                .filter_map(J::as_str)
                .map(|o| Value::String(o.into()))
                .collect()
        })
        .unwrap_or_default();
    out.insert("key_opts".into(), Value::List(ops));
    let (size, public) = match (field(key, "n"), field(key, "e")) {
        (Some(n), Some(e)) => {
            let bits = n.iter().skip_while(|b| **b == 0).count() * 8;
            (
                Value::Number(bits as f64),
                Some(super::public_key::rsa(&n, &e)),
            )
        }
        _ => {
            let ec = match (key["crv"].as_str(), field(key, "x"), field(key, "y")) {
                (Some(c), Some(x), Some(y)) => super::public_key::ec(c, &x, &y),
                _ => None,
            };
            (Value::Null, ec)
        }
    };
    out.insert("key_size".into(), size);
    let (pem, ssh) = public.unwrap_or_default();
    out.insert("public_key_pem".into(), Value::String(pem));
    out.insert("public_key_openssh".into(), Value::String(ssh));
}

impl AzureProvider {
    /// Keys, with azurerm's `features { key_vault }` for them.
    fn keys(&self) -> Objects {
        Objects {
            live: "keys",
            deleted: "deletedkeys",
            noun: "key",
            recover: self.key_vault.recover_soft_deleted_keys,
            purge: self.key_vault.purge_soft_deleted_keys_on_destroy,
            recover_setting: "recover_soft_deleted_keys",
        }
    }

    /// The state of a key bundle `b`.
    fn key_state(&self, vault: &Vault, b: &J, known: &Attrs) -> Value {
        let key = &b["key"];
        let id = key["kid"].as_str().unwrap_or_default();
        let mut out = common_state(vault, "keys", id, b, known);
        key_attributes(key, &mut out);
        // An EC key has no modulus to read a size from: azurerm then leaves
        // `key_size` as state had it (the configured value), so a size
        // written for an EC key is not drift.
        if out.get("key_size").is_none_or(|v| v.is_null()) {
            let kept = known.get("key_size").cloned().unwrap_or(Value::Null);
            out.insert("key_size".into(), kept);
        }
        out.insert("release_policy".into(), release_state(b, known));
        Value::Object(out)
    }

    /// The state of key `name`'s bundle `b` with its rotation policy.
    async fn key_with_policy(
        &self,
        vault: &Vault,
        name: &str,
        b: &J,
        known: &Attrs,
    ) -> Result<Value, ProviderError> {
        let mut state = self.key_state(vault, b, known);
        let rotation = self.read_rotation(vault, name, known).await?;
        if let Value::Object(m) = &mut state {
            m.insert("rotation_policy".into(), rotation);
        }
        Ok(state)
    }

    /// The latest version of `name`, or None.
    async fn latest_key(&self, vault: &Vault, name: &str) -> Result<Option<J>, ProviderError> {
        let got = self
            .kv(Method::GET, &vault.url(&format!("keys/{name}")), None)
            .await?;
        match got.status {
            200 => Ok(Some(got.body)),
            404 => Ok(None),
            _ => Err(got.error(&format!("reading key {name:?}"))),
        }
    }

    pub(super) async fn read_key(&self, known: &Attrs) -> Result<Option<Value>, ProviderError> {
        let Some(vault) = self.vault_of(known).await? else {
            return Ok(None);
        };
        let name = name_of(known)?;
        match self.latest_key(&vault, &name).await? {
            Some(b) => Ok(Some(self.key_with_policy(&vault, &name, &b, known).await?)),
            None => Ok(None),
        }
    }

    pub(super) async fn create_key(&self, a: &Attrs) -> Result<Value, ProviderError> {
        let vault = self.named_vault(a).await?;
        let name = name_of(a)?;
        let existing = self.latest_key(&vault, &name).await?;
        // As azurerm: never write over a key state does not record,
        // unless an interrupted run of this stack was creating it.
        let adopting = intent_id(TYPE, a).is_some_and(|id| self.client.operations.take_intent(&id));
        if let Some(b) = existing
            && !adopting
        {
            return Err(ProviderError::AlreadyExists {
                ty: TYPE.into(),
                id: b["key"]["kid"]
                    .as_str()
                    .unwrap_or(&vault.url(&format!("keys/{name}")))
                    .to_string(),
            });
        }
        let url = vault.url(&format!("keys/{name}/create"));
        let made = self.kv(Method::POST, &url, Some(&create_body(a))).await?;
        if made.status == 409 && made.inner_code() == "ObjectIsDeletedButRecoverable" {
            self.recover_for_create(&vault, &self.keys(), &name, &made)
                .await?;
        } else if made.status != 200 {
            return Err(made.error(&format!("creating key {name:?}")));
        }
        // As azurerm: a policy only when one is written.
        if a.get("rotation_policy")
            .and_then(Value::as_seq)
            .is_some_and(|s| !s.is_empty())
        {
            self.put_rotation(&vault, &name, a).await?;
        }
        let latest = self.latest_key(&vault, &name).await?.ok_or_else(|| {
            ProviderError::api(
                ErrorKind::Failed,
                "KeyNotFound",
                format!("the key {name:?} was created but cannot be read"),
            )
        })?;
        self.key_with_policy(&vault, &name, &latest, a).await
    }

    pub(super) async fn update_key(&self, old: &Attrs, a: &Attrs) -> Result<Value, ProviderError> {
        let vault = self.vault_of(old).await?.ok_or_else(|| {
            ProviderError::api(
                ErrorKind::NotFound,
                "ResourceNotFound",
                "the key's key vault no longer exists",
            )
        })?;
        let name = name_of(old)?;
        let version = str_of(old, "version").unwrap_or_default();
        let body = json!({
            "key_ops": key_ops(a),
            "attributes": date_attributes(a),
            "tags": tags_json(a),
        });
        let patch = vault.url(&format!("keys/{name}/{version}"));
        let got = self.kv(Method::PATCH, &patch, Some(&body)).await?;
        if got.status != 200 {
            return Err(got.error(&format!("updating key {name:?}")));
        }
        // azurerm writes the policy on every update (none: no actions).
        self.put_rotation(&vault, &name, a).await?;
        let latest = self.latest_key(&vault, &name).await?.ok_or_else(|| {
            ProviderError::api(
                ErrorKind::NotFound,
                "KeyNotFound",
                format!("the key {name:?} is gone"),
            )
        })?;
        self.key_with_policy(&vault, &name, &latest, a).await
    }

    pub(super) async fn delete_key(&self, old: &Attrs) -> Result<(), ProviderError> {
        let Some(vault) = self.vault_of(old).await? else {
            return Ok(());
        };
        let name = name_of(old)?;
        self.delete_and_purge(&vault, &self.keys(), &name).await
    }

    /// `data "azurerm_key_vault_key"`: the latest version, by name and
    /// vault.
    pub(super) async fn read_key_data(&self, cfg: &Attrs) -> Result<Value, ProviderError> {
        let vault = self.named_vault(cfg).await?;
        let name = name_of(cfg)?;
        let b = self.latest_key(&vault, &name).await?.ok_or_else(|| {
            ProviderError::api(
                ErrorKind::NotFound,
                "KeyNotFound",
                format!("the key vault has no key {name:?}"),
            )
        })?;
        // azurerm's data source exports no dates, nor policies.
        let mut state = self.key_state(&vault, &b, cfg);
        if let Value::Object(m) = &mut state {
            for k in ["not_before_date", "expiration_date", "release_policy"] {
                m.remove(k);
            }
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_rsa_key_gives_its_size_and_public_forms_and_an_ec_key_its_coordinates() {
        let n = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0x80u8; 256]);
        let mut out = Attrs::new();
        key_attributes(
            &json!({"kty": "RSA", "n": n, "e": "AQAB", "key_ops": ["sign"]}),
            &mut out,
        );
        assert_eq!(out["key_size"], Value::Number(2048.0));
        assert_eq!(out["x"], Value::String(String::new()));
        assert!(
            matches!(&out["public_key_openssh"], Value::String(s) if s.starts_with("ssh-rsa "))
        );
        let xy = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([1u8; 48]);
        let mut out = Attrs::new();
        key_attributes(
            &json!({"kty": "EC", "crv": "P-384", "x": xy, "y": xy}),
            &mut out,
        );
        assert_eq!(out["key_size"], Value::Null);
        assert!(
            matches!(&out["public_key_openssh"], Value::String(s) if s.starts_with("ecdsa-sha2-nistp384 "))
        );
    }
}

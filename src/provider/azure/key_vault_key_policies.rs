//! `azurerm_key_vault_key`'s `rotation_policy` and `release_policy`, as
//! azurerm maps them (`key_vault_key.rs` writes the key itself):
//!
//! - `rotation_policy` is `PUT keys/{name}/rotationpolicy`: `expire_after`
//!   is `attributes.expiryTime`, `notify_before_expiry` a `Notify` action
//!   (`timeBeforeExpiry`), `automatic` a `Rotate` action with its
//!   triggers. Create sends it only when written; every update sends it,
//!   an absent block as no actions (Key Vault's default policy then), as
//!   azurerm does. Read takes `GET .../rotationpolicy` back the way
//!   azurerm flattens it: `notify_before_expiry` only beside an expiry
//!   (Key Vault's default policy notifies without one, which is no
//!   block), a 403 is an error naming the missing permission, a 404 keeps
//!   what state had;
//! - `release_policy` goes in the create body (`release_policy`:
//!   `contentType`, `data` the JSON base64url-encoded, `immutable`) and
//!   is read from the key bundle; its JSON compares by meaning, so a
//!   policy Key Vault reformats (or one imported) is no change.

use base64::Engine as _;
use reqwest::Method;
use serde_json::{Value as J, json};

use super::common::AzureProvider;
use super::key_vault::Vault;
use super::typedef::Attrs;
use crate::lang::Value;
use crate::provider::{ErrorKind, ProviderError};

const ROTATION: &str = "rotation_policy";
const RELEASE: &str = "release_policy";
const JSON_CONTENT: &str = "application/json; charset=utf-8";

/// A string field of a block, `""` when unset (as azurerm's state has it).
fn field(b: &J, k: &str) -> String {
    b[k].as_str().unwrap_or_default().to_string()
}

/// The first block of `k` in attributes as JSON (Null: none).
fn first(a: &Attrs, k: &str) -> J {
    a.get(k)
        .map(|v| v.unmark().0.to_json())
        .and_then(|j| j.as_array().and_then(|xs| xs.first().cloned()))
        .unwrap_or(J::Null)
}

/// The rotation policy a configuration asks for, as Key Vault takes it.
pub(super) fn rotation_body(a: &Attrs) -> J {
    let p = first(a, ROTATION);
    if !p.is_object() {
        return json!({"lifetimeActions": []});
    }
    let mut actions = vec![];
    let notify = field(&p, "notify_before_expiry");
    if !notify.is_empty() {
        actions
            .push(json!({"trigger": {"timeBeforeExpiry": notify}, "action": {"type": "Notify"}}));
    }
    if let Some(r) = p["automatic"].as_array().and_then(|xs| xs.first()) {
        let mut trigger = json!({});
        for (arg, key) in [
            ("time_after_creation", "timeAfterCreate"),
            ("time_before_expiry", "timeBeforeExpiry"),
        ] {
            let v = field(r, arg);
            if !v.is_empty() {
                trigger[key] = json!(v);
            }
        }
        actions.push(json!({"trigger": trigger, "action": {"type": "Rotate"}}));
    }
    let expiry = field(&p, "expire_after");
    let expiry = if expiry.is_empty() {
        J::Null
    } else {
        json!(expiry)
    };
    json!({"lifetimeActions": actions, "attributes": {"expiryTime": expiry}})
}

/// The state of a policy Key Vault answered: one block or none.
pub(super) fn rotation_state(policy: &J) -> Value {
    let expire_after = policy["attributes"]["expiryTime"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut notify = String::new();
    let mut automatic = vec![];
    for a in policy["lifetimeActions"].as_array().into_iter().flatten() {
        let kind = a["action"]["type"].as_str().unwrap_or_default();
        let trigger = &a["trigger"];
        if kind.eq_ignore_ascii_case("Notify") && !expire_after.is_empty() {
            notify = field(trigger, "timeBeforeExpiry");
        }
        if kind.eq_ignore_ascii_case("Rotate") {
            automatic = vec![json!({
                "time_after_creation": field(trigger, "timeAfterCreate"),
                "time_before_expiry": field(trigger, "timeBeforeExpiry"),
            })];
        }
    }
    if expire_after.is_empty() && notify.is_empty() && automatic.is_empty() {
        return Value::List(vec![]);
    }
    Value::from_json(&json!([{
        "expire_after": expire_after,
        "notify_before_expiry": notify,
        "automatic": automatic,
    }]))
}

/// The create body's `release_policy` for a configuration (None: none).
pub(super) fn release_body(a: &Attrs) -> Option<J> {
    let p = first(a, RELEASE);
    let text = p["json"].as_str()?;
    Some(json!({
        "contentType": JSON_CONTENT,
        "data": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text.as_bytes()),
        "immutable": p["immutable"].as_bool().unwrap_or(false),
    }))
}

/// A policy's JSON text as a value, for comparing by meaning.
fn meaning(text: &str) -> Option<J> {
    serde_json::from_str(text).ok()
}

/// The state of a key bundle's release policy; the text `known` holds
/// when it means the same policy.
pub(super) fn release_state(bundle: &J, known: &Attrs) -> Value {
    let p = &bundle["release_policy"];
    let Some(data) = p["data"].as_str() else {
        return Value::List(vec![]);
    };
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(data.trim_end_matches('='))
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    let kept = first(known, RELEASE)["json"]
        .as_str()
        .filter(|k| meaning(k).is_some() && meaning(k) == meaning(&decoded))
        .map(str::to_string);
    Value::from_json(&json!([{
        "json": kept.unwrap_or(decoded),
        "immutable": p["immutable"].as_bool().unwrap_or(false),
    }]))
}

/// A rotation policy block in one form for comparison: unset strings and
/// absent blocks alike.
fn rotation_form(a: &Attrs) -> J {
    let p = first(a, ROTATION);
    if !p.is_object() {
        return J::Null;
    }
    let automatic = p["automatic"]
        .as_array()
        .and_then(|xs| xs.first())
        .map(|r| {
            json!([
                field(r, "time_after_creation"),
                field(r, "time_before_expiry")
            ])
        });
    json!([
        field(&p, "expire_after"),
        field(&p, "notify_before_expiry"),
        automatic
    ])
}

fn release_form(a: &Attrs) -> J {
    let p = first(a, RELEASE);
    match p["json"].as_str() {
        Some(t) => json!([
            meaning(t).unwrap_or_else(|| json!(t)),
            p["immutable"].as_bool().unwrap_or(false)
        ]),
        None => J::Null,
    }
}

/// Settles an update's plan where the generic comparison of blocks (which
/// lets Azure fill in what a block leaves out) is not azurerm's: a
/// rotation policy compares whole (a removed `automatic` block or
/// expiry is a change), a release policy's JSON by meaning (so only a
/// different policy replaces the key).
pub(super) fn settle_plan(
    cfg: &Attrs,
    old: &Attrs,
    out: &mut Attrs,
    replace: &mut Vec<Vec<String>>,
) {
    let known = |k: &str| cfg.get(k).is_none_or(Value::is_wholly_known);
    if known(ROTATION) {
        let planned = if rotation_form(cfg) == rotation_form(old) {
            old.get(ROTATION).cloned()
        } else {
            cfg.get(ROTATION).cloned()
        };
        out.insert(ROTATION.into(), planned.unwrap_or(Value::List(vec![])));
    }
    if known(RELEASE) {
        let same = release_form(cfg) == release_form(old);
        let is_release = |p: &Vec<String>| p.first().map(String::as_str) == Some(RELEASE);
        if same {
            replace.retain(|p| !is_release(p));
            if let Some(v) = old.get(RELEASE) {
                out.insert(RELEASE.into(), v.clone());
            }
        } else if !replace.iter().any(is_release) {
            replace.push(vec![RELEASE.into()]);
        }
    }
}

impl AzureProvider {
    /// Writes the rotation policy the configuration asks for.
    pub(super) async fn put_rotation(
        &self,
        vault: &Vault,
        name: &str,
        a: &Attrs,
    ) -> Result<(), ProviderError> {
        let url = vault.url(&format!("keys/{name}/rotationpolicy"));
        let got = self.kv(Method::PUT, &url, Some(&rotation_body(a))).await?;
        match got.status {
            200 => Ok(()),
            403 => Err(got.error(&format!(
                "writing key {name:?}'s rotation policy (the caller needs the SetRotationPolicy key permission)"
            ))),
            _ => Err(got.error(&format!("writing key {name:?}'s rotation policy"))),
        }
    }

    /// The key's rotation policy as state holds it.
    pub(super) async fn read_rotation(
        &self,
        vault: &Vault,
        name: &str,
        known: &Attrs,
    ) -> Result<Value, ProviderError> {
        let url = vault.url(&format!("keys/{name}/rotationpolicy"));
        let got = self.kv(Method::GET, &url, None).await?;
        match got.status {
            200 => Ok(rotation_state(&got.body)),
            404 => Ok(known.get(ROTATION).cloned().unwrap_or(Value::List(vec![]))),
            403 => Err(got.error(&format!(
                "reading key {name:?}'s rotation policy (the caller needs the GetRotationPolicy key permission, as azurerm reads it on every refresh)"
            ))),
            _ => Err(ProviderError::api(
                ErrorKind::Failed,
                "RotationPolicy",
                format!(
                    "reading key {name:?}'s rotation policy: Key Vault answered {}",
                    got.status
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(j: J) -> Attrs {
        match Value::from_json(&j) {
            Value::Object(m) => m,
            _ => Attrs::new(),
        }
    }

    #[test]
    fn a_policy_goes_out_and_comes_back_as_azurerm_maps_it() {
        let a = attrs(json!({"rotation_policy": [{
            "expire_after": "P90D",
            "notify_before_expiry": "P29D",
            "automatic": [{"time_before_expiry": "P30D"}]
        }]}));
        let body = rotation_body(&a);
        assert_eq!(body["attributes"]["expiryTime"], "P90D");
        assert_eq!(
            body["lifetimeActions"],
            json!([
                {"trigger": {"timeBeforeExpiry": "P29D"}, "action": {"type": "Notify"}},
                {"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "Rotate"}}
            ])
        );
        let back = rotation_state(&body).to_json();
        assert_eq!(back[0]["automatic"][0]["time_after_creation"], "");
        assert_eq!(back[0]["notify_before_expiry"], "P29D");
        // No block: no actions. Key Vault's default policy is no block.
        assert_eq!(rotation_body(&Attrs::new()), json!({"lifetimeActions": []}));
        let default = json!({"lifetimeActions": [{"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "Notify"}}], "attributes": {}});
        assert_eq!(rotation_state(&default), Value::List(vec![]));
    }

    #[test]
    fn release_policies_compare_by_meaning() {
        let a = attrs(
            json!({"release_policy": [{"json": "{\"anyOf\": [], \"version\": \"1.0.0\"}", "immutable": true}]}),
        );
        let body = release_body(&a).unwrap();
        assert_eq!(body["immutable"], true);
        let reformatted = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"version":"1.0.0","anyOf":[]}"#);
        let bundle = json!({"release_policy": {"data": reformatted, "immutable": true}});
        // The configuration's text is kept; imported, Key Vault's.
        assert_eq!(
            release_state(&bundle, &a).to_json(),
            json!([{"json": "{\"anyOf\": [], \"version\": \"1.0.0\"}", "immutable": true}])
        );
        let imported =
            attrs(json!({"release_policy": release_state(&bundle, &Attrs::new()).to_json()}));
        let (mut out, mut replace) = (imported.clone(), vec![vec![RELEASE.to_string()]]);
        settle_plan(&a, &imported, &mut out, &mut replace);
        assert!(replace.is_empty());
        let other = attrs(json!({"release_policy": [{"json": "{\"anyOf\": [1]}"}]}));
        settle_plan(&other, &imported, &mut out, &mut replace);
        assert_eq!(replace, vec![vec![RELEASE.to_string()]]);
    }

    #[test]
    fn a_removed_automatic_block_or_expiry_is_a_change() {
        let old = attrs(
            json!({"rotation_policy": [{"expire_after": "P90D", "notify_before_expiry": "P30D", "automatic": [{"time_after_creation": "P30D", "time_before_expiry": ""}]}]}),
        );
        let plan = |cfg: J| {
            let (mut out, mut replace) = (old.clone(), vec![]);
            settle_plan(&attrs(cfg), &old, &mut out, &mut replace);
            out[ROTATION].to_json()
        };
        let same = plan(
            json!({"rotation_policy": [{"expire_after": "P90D", "notify_before_expiry": "P30D", "automatic": [{"time_after_creation": "P30D"}]}]}),
        );
        assert_eq!(same, old[ROTATION].to_json());
        let without = plan(
            json!({"rotation_policy": [{"expire_after": "P90D", "notify_before_expiry": "P30D"}]}),
        );
        assert_ne!(without, old[ROTATION].to_json());
        let gone = plan(json!({}));
        assert_eq!(gone, json!([]));
    }
}

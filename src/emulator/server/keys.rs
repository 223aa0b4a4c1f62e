//! The secret-listing POST actions, answered at once (200) as Azure
//! answers them: a storage account's and a Redis cache's `listKeys` and
//! `regenerateKey`, a Log Analytics workspace's `sharedKeys` and
//! `regenerateSharedKey`. Each object's two keys are made on first use and
//! kept in the store's metadata, so every read answers the same keys
//! until a regeneration changes one (or, for a workspace, both); an object
//! deleted and created again gets new ones.

use base64::Engine as _;
use hyper::Method;
use serde_json::{Value as J, json};

use super::http::{Reply, Req, err_resp, json_resp};
use super::simulation::outage;
use super::world::World;
use crate::emulator::arm::{ArmError, ArmPath};
use crate::emulator::store::{Row, Store};
use crate::emulator::types;

/// One kind of object with keys: its ARM type, its list and regenerate
/// actions, the length of a key in random bytes, and its answer's shape.
struct Keyed {
    ty: &'static str,
    list: &'static str,
    regenerate: &'static str,
    bytes: usize,
    body: fn(&[String], &Row) -> J,
}

const KEYED: &[Keyed] = &[
    Keyed {
        ty: "Microsoft.Storage/storageAccounts",
        list: "listKeys",
        regenerate: "regenerateKey",
        bytes: 64,
        body: |k, row| types::storage::keys_body(k, created_at(row).0.as_str()),
    },
    Keyed {
        ty: "Microsoft.Cache/redis",
        list: "listKeys",
        regenerate: "regenerateKey",
        bytes: 32,
        body: |k, _| types::redis::keys_body(k),
    },
    Keyed {
        ty: "Microsoft.OperationalInsights/workspaces",
        list: "sharedKeys",
        regenerate: "regenerateSharedKey",
        bytes: 64,
        body: |k, _| types::monitor::shared_keys_body(k),
    },
];

/// When the object was created (`systemData`), as text and seconds.
fn created_at(row: &Row) -> (String, f64) {
    let sd = &row.body["systemData"];
    (
        sd["createdAt"].as_str().unwrap_or_default().to_string(),
        sd["createdAtSeconds"].as_f64().unwrap_or(0.0),
    )
}

/// A POST listing or regenerating keys (None: not one of these).
pub(super) fn keys(w: &World, req: &Req) -> Option<Reply> {
    if req.method != Method::POST {
        return None;
    }
    let (id, action) = req.path.trim_end_matches('/').rsplit_once('/')?;
    let target = ArmPath::parse(id).filter(ArmPath::is_resource)?;
    let ty = target.type_name();
    let kind = KEYED.iter().find(|k| k.ty.eq_ignore_ascii_case(&ty))?;
    let regenerate = action.eq_ignore_ascii_case(kind.regenerate);
    if !regenerate && !action.eq_ignore_ascii_case(kind.list) {
        return None;
    }
    let row = match w.store.get(&target.id()) {
        Ok(Some(r)) if r.ty.eq_ignore_ascii_case(kind.ty) => r,
        Ok(_) => {
            return Some(
                err_resp(&ArmError::not_found(
                    "ResourceNotFound",
                    format!(
                        "The Resource '{}/{}' was not found.",
                        kind.ty,
                        target.name()
                    ),
                ))
                .into(),
            );
        }
        Err(e) => return Some(err_resp(&types::internal(e)).into()),
    };
    if let Some(region) = row.body["location"].as_str()
        && w.faults
            .regions_down
            .iter()
            .any(|r| r.eq_ignore_ascii_case(region))
    {
        return Some(outage(w, region));
    }
    let which = if regenerate {
        match which_key(kind, &req.body) {
            Ok(w) => Some(w),
            Err(e) => return Some(err_resp(&e).into()),
        }
    } else {
        None
    };
    Some(
        match current_keys(&w.store, &row, kind, which) {
            Ok(k) => json_resp(200, &(kind.body)(&k, &row)),
            Err(e) => err_resp(&e),
        }
        .into(),
    )
}

/// The keys a regeneration replaces: one by name (`keyName: key1`,
/// `keyType: Primary`), or both (a workspace's `regenerateSharedKey`).
fn which_key(kind: &Keyed, body: &[u8]) -> Result<Vec<usize>, ArmError> {
    if kind.list == "sharedKeys" {
        return Ok(vec![0, 1]);
    }
    let j: J = serde_json::from_slice(body).unwrap_or(J::Null);
    let (field, first, second) = if kind.ty.starts_with("Microsoft.Storage") {
        ("keyName", "key1", "key2")
    } else {
        ("keyType", "Primary", "Secondary")
    };
    match j[field].as_str() {
        Some(k) if k.eq_ignore_ascii_case(first) => Ok(vec![0]),
        Some(k) if k.eq_ignore_ascii_case(second) => Ok(vec![1]),
        _ => Err(ArmError::bad_request(
            "InvalidRequestContent",
            format!(
                "The request must name the key to regenerate: '{field}' is '{first}' or '{second}'."
            ),
        )),
    }
}

/// The object's keys (made on first use, or when the object was created
/// again since), with the keys at `regenerate` replaced.
fn current_keys(
    store: &Store,
    row: &Row,
    kind: &Keyed,
    regenerate: Option<Vec<usize>>,
) -> Result<Vec<String>, ArmError> {
    let meta = format!("keys:{}", row.id.to_lowercase());
    let created = created_at(row).1;
    let saved: Option<J> = store
        .meta(&meta)
        .map_err(types::internal)?
        .and_then(|s| serde_json::from_str(&s).ok())
        .filter(|j: &J| j["created"].as_f64() == Some(created));
    let mut keys: Vec<String> = saved
        .as_ref()
        .and_then(|j| j["keys"].as_array())
        .map(|ks| {
            ks.iter()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let fresh = keys.len() != 2;
    if fresh {
        keys = vec![new_key(kind.bytes)?, new_key(kind.bytes)?];
    }
    for i in regenerate.iter().flatten() {
        keys[*i] = new_key(kind.bytes)?;
    }
    if fresh || regenerate.is_some() {
        store
            .set_meta(
                &meta,
                &json!({"created": created, "keys": keys}).to_string(),
            )
            .map_err(types::internal)?;
    }
    Ok(keys)
}

fn new_key(len: usize) -> Result<String, ArmError> {
    let bytes = crate::random::bytes::<64>().map_err(types::internal)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(&bytes[..len.min(64)]))
}

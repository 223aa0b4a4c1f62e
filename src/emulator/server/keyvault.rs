//! The HTTP side of Key Vault's data plane (`types::key_vault_data`):
//! `/keyvault/{vault}/secrets/...` and `.../keys/...`, reached through the
//! vaults' `vaultUri`.
//! It takes only tokens for Key Vault's audience, as Key Vault does (a
//! Resource Manager token gets 401 with the challenge naming the right
//! resource), and answers in Key Vault's error envelope.

use super::http::{Reply, Req, Resp, json_resp, with_header};
use super::simulation::{advance, outage};
use super::world::{Shared, World};
use crate::emulator::types::key_vault_data::{self as kv, KvError};

/// A request to a vault's data plane (None: not one).
pub(super) fn vault_api(shared: &Shared, w: &World, req: &Req) -> Option<Reply> {
    let rest = req.path.strip_prefix("/keyvault/")?;
    let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let (vault, rest) = parts.split_first()?;
    let now = w.clock.now();
    advance(w, now);
    let challenge = format!(
        "Bearer authorization=\"{}/{}\", resource=\"{}\"",
        shared.base_url,
        shared.creds.tenant_id,
        kv::AUDIENCE
    );
    let unauthorized = |message: String| {
        with_header(
            kv_resp(&KvError {
                status: 401,
                code: "Unauthorized",
                message,
                inner: None,
            }),
            "www-authenticate",
            &challenge,
        )
    };
    let client = match super::identity::authenticate(&w.tokens, &req.headers) {
        Ok(c) => c,
        Err(_) => {
            return Some(
                unauthorized("AKV10000: Request is missing a Bearer or PoP token.".into()).into(),
            );
        }
    };
    match w.tokens.audience(&req.headers) {
        Some(a) if a.eq_ignore_ascii_case(kv::AUDIENCE) => {}
        other => {
            return Some(
                unauthorized(format!(
                    "AKV10022: Invalid audience. Expected {}, found: {}.",
                    kv::AUDIENCE,
                    other.unwrap_or_default()
                ))
                .into(),
            );
        }
    }
    // A vault in a region that is down does not answer.
    if let Ok(rows) = w.store.of_type_everywhere(kv::VAULTS)
        && let Some(region) = rows
            .iter()
            .find(|r| {
                r.id.rsplit('/')
                    .next()
                    .is_some_and(|n| n.eq_ignore_ascii_case(vault))
            })
            .and_then(|r| r.body.get("location").and_then(|l| l.as_str()))
        && w.faults
            .regions_down
            .iter()
            .any(|d| d.eq_ignore_ascii_case(region))
    {
        return Some(outage(w, region));
    }
    let tenant = shared
        .creds
        .client(&client)
        .map(|(t, _)| t.to_string())
        .unwrap_or_else(|| shared.creds.tenant_id.clone());
    // The emulator's tokens carry the client id as the object id.
    let caller = kv::Caller {
        object_id: &client,
        tenant_id: &tenant,
    };
    let body: serde_json::Value = if req.body.is_empty() {
        serde_json::Value::Null
    } else {
        match serde_json::from_slice(&req.body) {
            Ok(b) => b,
            Err(e) => {
                return Some(
                    kv_resp(&KvError {
                        status: 400,
                        code: "BadParameter",
                        message: format!("The request body is not valid JSON: {e}"),
                        inner: None,
                    })
                    .into(),
                );
            }
        }
    };
    let request = kv::Request {
        method: req.method.as_str(),
        rest,
        api_version: req.query.get("api-version").map(String::as_str),
        body: &body,
        now,
    };
    Some(
        match kv::serve(&w.store, vault, &caller, &request) {
            Ok((204, _)) => super::http::empty(204),
            Ok((status, b)) => json_resp(status, &b),
            Err(e) => kv_resp(&e),
        }
        .into(),
    )
}

fn kv_resp(e: &KvError) -> Resp {
    json_resp(e.status, &e.body())
}

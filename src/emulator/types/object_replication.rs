//! Storage object replication: a policy written first on the destination
//! account (as `default`: Azure gives it its policy id and each rule its
//! id, and files it under that id), then on the source under the same
//! id with the same rule ids. Azure's prerequisites are kept: blob
//! versioning on both accounts and the change feed on the source (and
//! neither can be turned off while a policy uses them), containers that
//! exist on both sides. Blobs written to a source container reach the
//! destination container after the replication lag, by each rule's
//! prefix and creation-time filters; a destination container takes no
//! writes of its own.

use serde_json::{Value as J, json};

use super::*;

pub const POLICIES: &str = "Microsoft.Storage/storageAccounts/objectReplicationPolicies";
const VERSIONS: &[&str] = &["2025-01-01", "2024-01-01", "2023-05-01", "2023-01-01"];
const CONTAINERS: &str = "Microsoft.Storage/storageAccounts/blobServices/containers";
/// `minCreationTime` that copies everything.
const EVERYTHING: &str = "1601-01-01T00:00:00Z";

fn policy_name(n: &str) -> Result<(), InvalidName> {
    name_rule(n, 1, 64, "-", "an object replication policy")
}

fn bad(msg: impl Into<String>) -> ArmError {
    ArmError::bad_request("InvalidRequestPropertyValue", msg)
}

/// A storage account named by id, or by name in the caller's subscription.
fn account(ctx: &Ctx, named: &str) -> Result<Option<Row>, ArmError> {
    if named.starts_with('/') {
        return ctx.get(named);
    }
    Ok(ctx
        .store
        .of_type("Microsoft.Storage/storageAccounts", &ctx.path.subscription)
        .map_err(internal)?
        .into_iter()
        .find(|r| {
            r.id.rsplit('/')
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case(named))
        }))
}

/// An account's blob service settings (Azure's defaults when never written).
fn blob_service(store: &Store, account: &str) -> J {
    store
        .get(&format!("{account}/blobServices/default"))
        .ok()
        .flatten()
        .map(|r| r.body)
        .unwrap_or(json!({}))
}

fn enabled(service: &J, path: &[&str]) -> bool {
    prop(service, path).and_then(J::as_bool).unwrap_or(false)
}

fn check_policy(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    require(body, &["sourceAccount"], "")?;
    require(body, &["destinationAccount"], "")?;
    let here = ctx.path.parent_id().unwrap_or_default();
    let name = ctx.path.name();
    let src_named = str_prop(body, &["sourceAccount"])
        .unwrap_or_default()
        .to_string();
    let dst_named = str_prop(body, &["destinationAccount"])
        .unwrap_or_default()
        .to_string();
    let Some(src) = account(ctx, &src_named)? else {
        return Err(bad(format!(
            "The source account '{src_named}' was not found."
        )));
    };
    let Some(dst) = account(ctx, &dst_named)? else {
        return Err(bad(format!(
            "The destination account '{dst_named}' was not found."
        )));
    };
    if src.id.eq_ignore_ascii_case(&dst.id) {
        return Err(bad(
            "The source and destination accounts of an object replication policy must differ.",
        ));
    }
    let on_destination = dst.id.eq_ignore_ascii_case(&here);
    if !on_destination && !src.id.eq_ignore_ascii_case(&here) {
        return Err(bad(
            "An object replication policy belongs to its source or its destination account.",
        ));
    }
    // Azure's prerequisites.
    for (acct, what) in [(&src, "source"), (&dst, "destination")] {
        if !enabled(&blob_service(ctx.store, &acct.id), &["isVersioningEnabled"]) {
            return Err(bad(format!(
                "Object replication requires blob versioning on the {what} account '{}': enable it (blob_properties.versioning_enabled).",
                acct.id.rsplit('/').next().unwrap_or_default()
            )));
        }
    }
    if !enabled(
        &blob_service(ctx.store, &src.id),
        &["changeFeed", "enabled"],
    ) {
        return Err(bad(format!(
            "Object replication requires the change feed on the source account '{}': enable it (blob_properties.change_feed_enabled).",
            src.id.rsplit('/').next().unwrap_or_default()
        )));
    }
    let rules = prop(body, &["rules"])
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default();
    if rules.is_empty() {
        return Err(bad("An object replication policy needs at least one rule."));
    }
    for r in &rules {
        for (acct, key) in [(&src, "sourceContainer"), (&dst, "destinationContainer")] {
            let c = r[key].as_str().unwrap_or_default();
            let id = format!("{}/blobServices/default/containers/{c}", acct.id);
            if c.is_empty() || ctx.store.get(&id).map_err(internal)?.is_none() {
                return Err(ArmError::bad_request(
                    "ContainerNotFound",
                    format!(
                        "The specified container '{c}' does not exist in account '{}'.",
                        acct.id.rsplit('/').next().unwrap_or_default()
                    ),
                ));
            }
        }
    }
    let mut effects = vec![];
    // The destination's policy: `default` on create, filed under its id.
    let policy_id = if on_destination {
        if name.eq_ignore_ascii_case("default") {
            let id = super::guid_from(&format!("{}|{}|{}", src.id, dst.id, ctx.now));
            effects.push((ctx.path.id(), POLICIES.to_string(), None));
            id
        } else {
            name.clone()
        }
    } else {
        // The source's: the destination must have it, under this id.
        let there = format!("{}/objectReplicationPolicies/{name}", dst.id);
        let Some(d) = ctx.get(&there)? else {
            return Err(bad(format!(
                "Policy '{name}' does not exist on the destination account: create the policy there first (as 'default'), then on the source with the id it returns."
            )));
        };
        let known: Vec<String> = prop(&d.body, &["rules"])
            .and_then(J::as_array)
            .map(|xs| {
                xs.iter()
                    .filter_map(|r| r["ruleId"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(r) = rules.iter().find(|r| {
            r["ruleId"]
                .as_str()
                .is_none_or(|id| !known.iter().any(|k| k == id))
        }) {
            return Err(bad(format!(
                "Rule for container '{}' has no rule id of the destination's policy: send the ids the destination returned.",
                r["sourceContainer"].as_str().unwrap_or_default()
            )));
        }
        name.clone()
    };
    let created = ctx
        .existing
        .and_then(|r| str_prop(&r.body, &["enabledTime"]).map(str::to_string))
        .unwrap_or_else(|| crate::timefmt::rfc3339(ctx.now));
    let p = props(body);
    p.insert("policyId".into(), json!(policy_id));
    p.insert("sourceAccount".into(), json!(src_named));
    p.insert("destinationAccount".into(), json!(dst_named));
    p.insert("enabledTime".into(), json!(created));
    p.entry("metrics").or_insert(json!({"enabled": false}));
    if let Some(rs) = p.get_mut("rules").and_then(J::as_array_mut) {
        for r in rs.iter_mut() {
            if r["ruleId"].as_str().is_none() {
                let seed = format!(
                    "{policy_id}|{}|{}",
                    r["sourceContainer"], r["destinationContainer"]
                );
                r["ruleId"] = json!(super::guid_from(&seed));
            }
            if !r["filters"].is_object() {
                r["filters"] = json!({});
            }
        }
    }
    if on_destination && name.eq_ignore_ascii_case("default") {
        let real = format!("{}/objectReplicationPolicies/{policy_id}", dst.id);
        let mut stored = body.clone();
        stored["id"] = json!(real);
        stored["name"] = json!(policy_id);
        stored["type"] = json!(POLICIES);
        props(&mut stored).insert("provisioningState".into(), json!("Succeeded"));
        effects.push((real, POLICIES.to_string(), Some(stored)));
        body["name"] = json!(policy_id);
    }
    Ok(Write {
        effects,
        ..Write::body(body.clone())
    })
}

/// Refuses turning blob versioning or the change feed off while an object
/// replication policy needs it (what Azure answers).
pub fn guard_blob_service(ctx: &Ctx, body: &J) -> Result<(), ArmError> {
    let account = ctx.path.parent_id().unwrap_or_default();
    let policies = ctx.store.children(POLICIES, &account).map_err(internal)?;
    if policies.is_empty() {
        return Ok(());
    }
    let source = policies.iter().any(|p| {
        str_prop(&p.body, &["sourceAccount"]).is_some_and(|s| {
            s.eq_ignore_ascii_case(&account)
                || account
                    .rsplit('/')
                    .next()
                    .is_some_and(|n| n.eq_ignore_ascii_case(s))
        })
    });
    if prop(body, &["isVersioningEnabled"]).and_then(J::as_bool) == Some(false) {
        return Err(bad(
            "The value 'False' is not allowed for property isVersioningEnabled because Object Replication is enabled.",
        ));
    }
    if source && prop(body, &["changeFeed", "enabled"]).and_then(J::as_bool) == Some(false) {
        return Err(bad(
            "The value 'False' is not allowed for property Change Feed because Object Replication is enabled.",
        ));
    }
    Ok(())
}

/// The source container a destination container replicates from, with the
/// rule's prefixes and the earliest creation time it copies.
pub struct Replicated {
    pub source: String,
    pub prefixes: Vec<String>,
    pub since: f64,
}

pub fn replicated_from(store: &Store, container: &Row) -> Option<Replicated> {
    if !container.ty.eq_ignore_ascii_case(CONTAINERS) {
        return None;
    }
    let lower = container.id.to_lowercase();
    let at = lower.find("/blobservices/default/containers/")?;
    let account = container.id.get(..at)?;
    let name = container.id.rsplit('/').next()?;
    for p in store.children(POLICIES, account).ok()? {
        let dst = str_prop(&p.body, &["destinationAccount"]).unwrap_or_default();
        let here = dst.eq_ignore_ascii_case(account)
            || account
                .rsplit('/')
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case(dst));
        if !here {
            continue;
        }
        let src_named = str_prop(&p.body, &["sourceAccount"]).unwrap_or_default();
        let src = if src_named.starts_with('/') {
            src_named.to_string()
        } else {
            store
                .of_type(
                    "Microsoft.Storage/storageAccounts",
                    &crate::emulator::arm::sub_of(account),
                )
                .ok()?
                .into_iter()
                .find(|r| {
                    r.id.rsplit('/')
                        .next()
                        .is_some_and(|n| n.eq_ignore_ascii_case(src_named))
                })?
                .id
        };
        let enabled_at = p
            .body
            .get("systemData")
            .and_then(|s| s.get("createdAtSeconds"))
            .and_then(J::as_f64)
            .unwrap_or(0.0);
        for r in prop(&p.body, &["rules"])
            .and_then(J::as_array)
            .into_iter()
            .flatten()
        {
            if !r["destinationContainer"]
                .as_str()
                .is_some_and(|c| c.eq_ignore_ascii_case(name))
            {
                continue;
            }
            let prefixes = r["filters"]["prefixMatch"]
                .as_array()
                .map(|xs| {
                    xs.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let since = match r["filters"]["minCreationTime"].as_str() {
                Some(t) if t.starts_with("1601-") || t == EVERYTHING => f64::MIN,
                // A time of the cloud's clock (RFC 3339).
                Some(t) => crate::timefmt::parse_rfc3339(t).map_or(enabled_at, |s| s as f64),
                None => enabled_at,
            };
            return Some(Replicated {
                source: format!(
                    "{src}/blobServices/default/containers/{}",
                    r["sourceContainer"].as_str().unwrap_or_default()
                ),
                prefixes,
                since,
            });
        }
    }
    None
}

/// A policy is named by its policy id: the answer to a create as
/// `default` names the policy where Azure filed it, not the path it was
/// written at.
fn named_by_policy_id(_: &Store, body: &mut J) {
    let Some(policy_id) = str_prop(body, &["policyId"]).map(str::to_string) else {
        return;
    };
    if let Some((account, _)) = body["id"].as_str().and_then(|id| id.rsplit_once('/')) {
        body["id"] = json!(format!("{account}/{policy_id}"));
    }
    body["name"] = json!(policy_id);
}

pub fn specs() -> Vec<Spec> {
    vec![Spec {
        decorate: named_by_policy_id,
        ..Spec::plain(POLICIES, VERSIONS, policy_name, check_policy)
    }]
}

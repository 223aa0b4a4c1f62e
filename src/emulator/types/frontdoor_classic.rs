//! Microsoft.Network/frontDoors (classic): pools, probes and rules are
//! inline arrays of one resource. New classic profiles are refused (as
//! Azure does since their retirement began) unless the emulator is told
//! it is serving an existing estate.

use serde_json::{Value as J, json};

use super::*;

fn name(n: &str) -> Result<(), InvalidName> {
    name_rule(n, 5, 64, "-", "a Front Door")
}

fn check(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    global_location(body);
    if ctx.existing.is_none() && !ctx.settings.allow_classic_frontdoor_create {
        return Err(ArmError::bad_request(
            "BadRequest",
            "Azure Front Door (classic) no longer accepts new profiles: create a Front Door Standard/Premium profile (Microsoft.Cdn/profiles) instead.",
        ));
    }
    let pools = prop(body, &["backendPools"])
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default();
    if pools.is_empty() {
        return Err(ArmError::bad_request(
            "BadRequest",
            "A Front Door needs at least one backend pool.",
        )
        .with_target("properties.backendPools"));
    }
    for pool in &pools {
        for b in pool
            .pointer("/properties/backends")
            .and_then(J::as_array)
            .cloned()
            .unwrap_or_default()
        {
            int_field(
                &b,
                "weight",
                "properties.backendPools.backends.weight",
                1,
                1000,
            )?;
            let pr = int_field(
                &b,
                "priority",
                "properties.backendPools.backends.priority",
                i64::MIN / 2,
                i64::MAX / 2,
            )?
            .unwrap_or(1.0);
            if !(1.0..=5.0).contains(&pr) {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    "Backend priority must be between 1 and 5.",
                ));
            }
        }
    }
    let name = ctx.path.name();
    // Fixed at creation, as Azure's is.
    let front_door_id = match ctx
        .existing
        .and_then(|r| str_prop(&r.body, &["frontdoorId"]))
    {
        Some(kept) => kept.to_string(),
        None => crate::random::uuid_v4().map_err(super::internal)?,
    };
    let me = ctx.path.id();
    let p = props(body);
    p.insert("cname".into(), json!(format!("{name}.azurefd.net")));
    p.insert("frontdoorId".into(), json!(front_door_id));
    let enabled = p.entry("enabledState").or_insert(json!("Enabled")).clone();
    // Azure's state of the profile follows its enabledState once made.
    p.insert("resourceState".into(), enabled);
    for kind in PARTS {
        for part in p
            .get_mut(*kind)
            .and_then(J::as_array_mut)
            .into_iter()
            .flatten()
        {
            fill_part(&me, kind, part);
        }
    }
    Ok(Write::body(body.clone()))
}

/// The inline arrays of a profile (each also its parts' id segment).
const PARTS: &[&str] = &[
    "routingRules",
    "backendPools",
    "frontendEndpoints",
    "healthProbeSettings",
    "loadBalancingSettings",
];

/// What Azure fills in on one inline part: its id, its backends'
/// enabledState, and a forwarding route's protocol and path.
fn fill_part(profile: &str, kind: &str, part: &mut J) {
    let Some(obj) = part.as_object_mut() else {
        return;
    };
    if let Some(n) = obj.get("name").and_then(J::as_str) {
        let id = format!("{profile}/{kind}/{n}");
        obj.insert("id".into(), json!(id));
    }
    let Some(p) = obj.get_mut("properties").and_then(J::as_object_mut) else {
        return;
    };
    for b in p
        .get_mut("backends")
        .and_then(J::as_array_mut)
        .into_iter()
        .flatten()
    {
        if let Some(b) = b.as_object_mut() {
            b.entry("enabledState").or_insert(json!("Enabled"));
        }
    }
    if let Some(route) = p.get_mut("routeConfiguration").and_then(J::as_object_mut)
        && route
            .get("@odata.type")
            .and_then(J::as_str)
            .is_some_and(|t| t.ends_with("FrontdoorForwardingConfiguration"))
    {
        route
            .entry("forwardingProtocol")
            .or_insert(json!("MatchRequest"));
        route.entry("customForwardingPath").or_insert(json!(""));
    }
}

pub fn spec() -> Spec {
    Spec {
        lro_put: Lro::AsyncOperation,
        lro_delete: Lro::AsyncOperation,
        create_secs: 300.0,
        update_secs: 180.0,
        delete_secs: 120.0,
        ..Spec::plain(
            "Microsoft.Network/frontDoors",
            &["2021-06-01", "2020-05-01"],
            name,
            check,
        )
    }
}

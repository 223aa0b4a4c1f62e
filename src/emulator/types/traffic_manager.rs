//! Microsoft.Network/trafficmanagerprofiles and their endpoints.

use serde_json::{Value as J, json};

use super::*;

const VERSIONS: &[&str] = &["2022-04-01", "2018-08-01"];
const ENDPOINT_TYPES: &[&str] = &["azureEndpoints", "externalEndpoints", "nestedEndpoints"];

fn name(n: &str) -> Result<(), InvalidName> {
    name_rule(n, 1, 63, "-.", "a Traffic Manager resource")
}

fn check_profile(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    global_location(body);
    require(
        body,
        &["dnsConfig", "relativeName"],
        " on a Traffic Manager profile",
    )?;
    let method = str_prop(body, &["trafficRoutingMethod"]).unwrap_or("");
    if ![
        "Priority",
        "Weighted",
        "Performance",
        "Geographic",
        "MultiValue",
        "Subnet",
    ]
    .iter()
    .any(|m| m.eq_ignore_ascii_case(method))
    {
        return Err(ArmError::bad_request("BadRequest", "trafficRoutingMethod must be Priority, Weighted, Performance, Geographic, MultiValue or Subnet.").with_target("properties.trafficRoutingMethod"));
    }
    int_prop(body, &["dnsConfig", "ttl"], 0, 2_147_483_647)?;
    int_prop(body, &["monitorConfig", "port"], 1, 65535)?;
    int_prop(body, &["monitorConfig", "timeoutInSeconds"], 5, 10)?;
    int_prop(body, &["monitorConfig", "toleratedNumberOfFailures"], 0, 9)?;
    if let Some(i) = int_prop(
        body,
        &["monitorConfig", "intervalInSeconds"],
        i64::MIN / 2,
        i64::MAX / 2,
    )? && i != 10.0
        && i != 30.0
    {
        return Err(ArmError::bad_request(
            "BadRequest",
            "monitorConfig.intervalInSeconds must be 10 or 30.",
        )
        .with_target("properties.monitorConfig.intervalInSeconds"));
    }
    immutable(ctx, body, &["dnsConfig", "relativeName"], "BadRequest")?;
    let rel = str_prop(body, &["dnsConfig", "relativeName"])
        .unwrap_or_default()
        .to_string();
    let p = props(body);
    p.entry("profileStatus").or_insert(json!("Enabled"));
    if let Some(d) = p.get_mut("dnsConfig").and_then(J::as_object_mut) {
        d.insert("fqdn".into(), json!(format!("{rel}.trafficmanager.net")));
        d.entry("ttl").or_insert(json!(60));
    }
    // Azure's defaults for the monitor (the spec's example answers them),
    // and its status: Inactive until endpoints are probed.
    if let Some(m) = p.get_mut("monitorConfig").and_then(J::as_object_mut) {
        m.entry("intervalInSeconds").or_insert(json!(30));
        m.entry("timeoutInSeconds").or_insert(json!(10));
        m.entry("toleratedNumberOfFailures").or_insert(json!(3));
        m.entry("profileMonitorStatus").or_insert(json!("Inactive"));
    }
    p.insert("endpoints".into(), json!([]));
    Ok(Write::body(body.clone()))
}

fn check_endpoint(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let profile_id = ctx.path.parent_id().unwrap_or_default();
    let profile = ctx.get(&profile_id)?.ok_or_else(|| {
        ArmError::not_found(
            "ParentResourceNotFound",
            "The Traffic Manager profile does not exist.",
        )
    })?;
    if prop(body, &["target"]).is_none() && prop(body, &["targetResourceId"]).is_none() {
        return Err(ArmError::bad_request(
            "BadRequest",
            "An endpoint needs target or targetResourceId.",
        ));
    }
    int_prop(body, &["weight"], 1, 1000)?;
    let priority = int_prop(body, &["priority"], i64::MIN / 2, i64::MAX / 2)?;
    // The other endpoints' priorities, every type's.
    let mut taken = vec![];
    for t in ENDPOINT_TYPES {
        for e in ctx
            .store
            .children(
                &format!("Microsoft.Network/trafficmanagerprofiles/{t}"),
                &profile.id,
            )
            .map_err(internal)?
        {
            if !e.id.eq_ignore_ascii_case(&ctx.path.id())
                && let Some(pr) = num_prop(&e.body, &["priority"])
            {
                taken.push((pr, e.id));
            }
        }
    }
    if let Some(pr) = priority {
        if !(1.0..=1000.0).contains(&pr) {
            return Err(ArmError::bad_request(
                "BadRequest",
                "Endpoint priority must be between 1 and 1000.",
            )
            .with_target("properties.priority"));
        }
        if str_prop(&profile.body, &["trafficRoutingMethod"])
            .is_some_and(|m| m.eq_ignore_ascii_case("Priority"))
            && let Some((_, other)) = taken.iter().find(|(p, _)| *p == pr)
        {
            return Err(ArmError::bad_request("BadRequest", format!("Priority {pr} is already used by endpoint '{}': priorities must be unique in a profile.", other.rsplit('/').next().unwrap_or_default())).with_target("properties.priority"));
        }
    }
    // Unset, Azure gives the lowest priority no other endpoint has (the
    // one it had, on an update).
    let kept = ctx.existing.and_then(|o| num_prop(&o.body, &["priority"]));
    let assigned = priority.or(kept).unwrap_or_else(|| {
        (1..=1000)
            .map(f64::from)
            .find(|n| !taken.iter().any(|(p, _)| p == n))
            .unwrap_or(1000.0)
    });
    let resource = if ctx
        .path
        .type_name()
        .to_ascii_lowercase()
        .ends_with("/azureendpoints")
    {
        Some(azure_target(ctx, body)?)
    } else {
        None
    };
    let p = props(body);
    if let Some((target, location)) = resource {
        if let Some(t) = target {
            p.insert("target".into(), json!(t));
        }
        if let Some(l) = location {
            p.insert("endpointLocation".into(), json!(l));
        }
    }
    p.entry("endpointStatus").or_insert(json!("Enabled"));
    p.insert("endpointMonitorStatus".into(), json!("Online"));
    p.entry("weight").or_insert(json!(1));
    p.insert("priority".into(), json!(assigned as i64));
    Ok(Write::body(body.clone()))
}

/// An Azure endpoint's resource (which must exist): its DNS name, which
/// Azure answers as the endpoint's `target`, and its region, the
/// endpoint's location.
fn azure_target(ctx: &Ctx, body: &J) -> Result<(Option<String>, Option<String>), ArmError> {
    let Some(id) = str_prop(body, &["targetResourceId"]) else {
        return Err(ArmError::bad_request(
            "BadRequest",
            "An Azure endpoint needs targetResourceId: the Azure resource it routes to.",
        )
        .with_target("properties.targetResourceId"));
    };
    let Some(resource) = ctx.get(id)? else {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("The endpoint's target resource '{id}' was not found."),
        )
        .with_target("properties.targetResourceId"));
    };
    let host = [
        &["dnsSettings", "fqdn"][..],
        &["defaultHostName"][..],
        &["hostName"][..],
    ]
    .iter()
    .find_map(|path| str_prop(&resource.body, path))
    .map(str::to_string);
    let region = resource.body["location"].as_str().map(str::to_string);
    Ok((host, region))
}

/// Profiles list their endpoints inline on GET.
fn decorate(store: &Store, body: &mut J) {
    let Some(id) = body.get("id").and_then(J::as_str).map(str::to_string) else {
        return;
    };
    let mut all = Vec::new();
    for t in ENDPOINT_TYPES {
        for e in store
            .children(
                &format!("Microsoft.Network/trafficmanagerprofiles/{t}"),
                &id,
            )
            .unwrap_or_default()
        {
            all.push(e.body);
        }
    }
    props(body).insert("endpoints".into(), J::Array(all));
}

fn spec(ty: &'static str, check: fn(&Ctx, &mut J) -> Result<Write, ArmError>) -> Spec {
    Spec::plain(ty, VERSIONS, name, check)
}

pub fn specs() -> Vec<Spec> {
    vec![
        Spec {
            decorate,
            ..spec("Microsoft.Network/trafficmanagerprofiles", check_profile)
        },
        spec(
            "Microsoft.Network/trafficmanagerprofiles/azureEndpoints",
            check_endpoint,
        ),
        spec(
            "Microsoft.Network/trafficmanagerprofiles/externalEndpoints",
            check_endpoint,
        ),
        spec(
            "Microsoft.Network/trafficmanagerprofiles/nestedEndpoints",
            check_endpoint,
        ),
    ]
}

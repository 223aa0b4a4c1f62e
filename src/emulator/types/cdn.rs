//! Front Door Standard/Premium: Microsoft.Cdn/profiles with afdEndpoints,
//! originGroups (and their origins) and routes.

use serde_json::{Value as J, json};

use super::*;

const VERSIONS: &[&str] = &["2025-06-01", "2024-09-01", "2024-02-01", "2023-05-01"];

fn name(n: &str) -> Result<(), InvalidName> {
    if n.starts_with('-') || n.ends_with('-') {
        return Err(InvalidName(format!(
            "Name '{n}' must not start or end with a hyphen."
        )));
    }
    name_rule(n, 1, 260, "-", "a Front Door resource")
}

fn check_profile(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    global_location(body);
    match sku_name(body) {
        Some(s) if s.eq_ignore_ascii_case("Standard_AzureFrontDoor") || s.eq_ignore_ascii_case("Premium_AzureFrontDoor") => {}
        other => return Err(ArmError::bad_request("InvalidSku", format!("Front Door profiles take sku Standard_AzureFrontDoor or Premium_AzureFrontDoor, not {other:?}.")).with_target("sku.name")),
    }
    // The profile's id is fixed at creation (origins check it in the
    // X-Azure-FDID header), so an update keeps it.
    let fd_id = match ctx
        .existing
        .and_then(|o| str_prop(&o.body, &["frontDoorId"]).map(str::to_string))
    {
        Some(id) => id,
        None => crate::random::uuid_v4().map_err(super::internal)?,
    };
    if let Some(m) = body.as_object_mut() {
        m.insert("kind".into(), json!("frontdoor"));
        m.entry("tags").or_insert(json!({}));
    }
    let p = props(body);
    p.entry("originResponseTimeoutSeconds").or_insert(json!(60));
    p.insert("frontDoorId".into(), json!(fd_id));
    p.insert("resourceState".into(), json!("Active"));
    Ok(Write::body(body.clone()))
}

fn check_endpoint(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    global_location(body);
    let host = format!(
        "{}-{}.z01.azurefd.net",
        ctx.path.name(),
        &short_hash(&ctx.path.id())[..6]
    );
    let p = props(body);
    p.entry("enabledState").or_insert(json!("Enabled"));
    p.insert("hostName".into(), json!(host));
    p.entry("deploymentStatus").or_insert(json!("NotStarted"));
    Ok(Write::body(body.clone()))
}

fn check_origin_group(_: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    if let Some(i) = int_prop(
        body,
        &["healthProbeSettings", "probeIntervalInSeconds"],
        i64::MIN / 2,
        i64::MAX / 2,
    )? && !(5.0..=255.0).contains(&i)
    {
        return Err(ArmError::bad_request(
            "BadRequest",
            "probeIntervalInSeconds must be between 5 and 255.",
        )
        .with_target("properties.healthProbeSettings.probeIntervalInSeconds"));
    }
    let p = props(body);
    p.entry("loadBalancingSettings").or_insert(json!({"sampleSize": 4, "successfulSamplesRequired": 3, "additionalLatencyInMilliseconds": 50}));
    p.entry("sessionAffinityState").or_insert(json!("Disabled"));
    p.insert("deploymentStatus".into(), json!("NotStarted"));
    Ok(Write::body(body.clone()))
}

fn check_origin(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    require(body, &["hostName"], " on an origin")?;
    let priority = int_prop(body, &["priority"], i64::MIN / 2, i64::MAX / 2)?.unwrap_or(1.0);
    if !(1.0..=5.0).contains(&priority) {
        return Err(ArmError::bad_request(
            "BadRequest",
            "Origin priority must be between 1 and 5.",
        )
        .with_target("properties.priority"));
    }
    let weight = int_prop(body, &["weight"], i64::MIN / 2, i64::MAX / 2)?.unwrap_or(1000.0);
    if !(1.0..=1000.0).contains(&weight) {
        return Err(ArmError::bad_request(
            "BadRequest",
            "Origin weight must be between 1 and 1000.",
        )
        .with_target("properties.weight"));
    }
    let p = props(body);
    p.entry("priority").or_insert(json!(1));
    p.entry("weight").or_insert(json!(1000));
    p.entry("httpPort").or_insert(json!(80));
    p.entry("httpsPort").or_insert(json!(443));
    p.entry("enabledState").or_insert(json!("Enabled"));
    let host = p.get("hostName").cloned().unwrap_or(J::Null);
    p.entry("originHostHeader").or_insert(host);
    p.entry("enforceCertificateNameCheck")
        .or_insert(json!(true));
    let group = ctx.path.parent_id().unwrap_or_default();
    p.insert(
        "originGroupName".into(),
        json!(group.rsplit('/').next().unwrap_or_default()),
    );
    p.insert("deploymentStatus".into(), json!("NotStarted"));
    Ok(Write::body(body.clone()))
}

fn check_route(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let og = str_prop(body, &["originGroup", "id"])
        .ok_or_else(|| {
            ArmError::bad_request("BadRequest", "A route needs originGroup.id.")
                .with_target("properties.originGroup.id")
        })?
        .to_string();
    if ctx.get(&og)?.is_none() {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("The origin group '{og}' does not exist."),
        )
        .with_target("properties.originGroup.id"));
    }
    let p = props(body);
    p.entry("supportedProtocols")
        .or_insert(json!(["Http", "Https"]));
    p.entry("patternsToMatch").or_insert(json!(["/*"]));
    p.entry("forwardingProtocol")
        .or_insert(json!("MatchRequest"));
    p.entry("linkToDefaultDomain").or_insert(json!("Enabled"));
    p.entry("httpsRedirect").or_insert(json!("Disabled"));
    p.entry("enabledState").or_insert(json!("Enabled"));
    p.insert("deploymentStatus".into(), json!("NotStarted"));
    Ok(Write::body(body.clone()))
}

fn spec(
    ty: &'static str,
    located: bool,
    create: f64,
    check: fn(&Ctx, &mut J) -> Result<Write, ArmError>,
) -> Spec {
    Spec {
        lro_put: Lro::AsyncOperation,
        lro_delete: Lro::AsyncOperation,
        create_secs: create,
        update_secs: 60.0,
        delete_secs: 60.0,
        located,
        ..Spec::plain(ty, VERSIONS, name, check)
    }
}

pub fn specs() -> Vec<Spec> {
    vec![
        spec("Microsoft.Cdn/profiles", false, 120.0, check_profile),
        spec(
            "Microsoft.Cdn/profiles/afdEndpoints",
            false,
            120.0,
            check_endpoint,
        ),
        spec(
            "Microsoft.Cdn/profiles/originGroups",
            false,
            60.0,
            check_origin_group,
        ),
        spec(
            "Microsoft.Cdn/profiles/originGroups/origins",
            false,
            60.0,
            check_origin,
        ),
        spec(
            "Microsoft.Cdn/profiles/afdEndpoints/routes",
            false,
            90.0,
            check_route,
        ),
    ]
}

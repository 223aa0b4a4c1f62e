//! The rest of Front Door Standard/Premium: rule sets, custom domains and
//! security policies under a profile, and web application firewall
//! policies (Microsoft.Network/FrontDoorWebApplicationFirewallPolicies).

use serde_json::{Value as J, json};

use super::*;

const CDN_VERSIONS: &[&str] = &["2025-06-01", "2024-09-01", "2024-02-01"];
const WAF_VERSIONS: &[&str] = &["2024-02-01", "2022-05-01"];

fn rule_set_name(n: &str) -> Result<(), InvalidName> {
    if !n.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(InvalidName(format!(
            "The rule set name '{n}' must start with a letter."
        )));
    }
    name_rule(n, 1, 60, "", "a rule set")
}

fn check_rule_set(_: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    props(body).insert("deploymentStatus".into(), json!("NotStarted"));
    Ok(Write::body(body.clone()))
}

fn check_custom_domain(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let host = str_prop(body, &["hostName"])
        .unwrap_or_default()
        .to_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2
        || labels.iter().any(|l| {
            l.is_empty()
                || l.len() > 63
                || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
    {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("'{host}' is not a valid host name."),
        )
        .with_target("properties.hostName"));
    }
    immutable(ctx, body, &["hostName"], "BadRequest")?;
    if let Some(zone) = str_prop(body, &["azureDnsZone", "id"]).map(str::to_string)
        && ctx.get(&zone)?.is_none()
    {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("The DNS zone '{zone}' was not found."),
        )
        .with_target("properties.azureDnsZone.id"));
    }
    let token = short_hash(&format!("{}{host}", ctx.path.id()));
    let expires = crate::timefmt::rfc3339(ctx.now + 7.0 * 86400.0);
    let p = props(body);
    let tls = p.entry("tlsSettings").or_insert(json!({}));
    if let Some(t) = tls.as_object_mut() {
        t.entry("certificateType")
            .or_insert(json!("ManagedCertificate"));
        t.entry("minimumTlsVersion").or_insert(json!("TLS12"));
    }
    p.insert("domainValidationState".into(), json!("Pending"));
    let profile = ctx.path.parent_id().unwrap_or_default();
    p.insert(
        "profileName".into(),
        json!(profile.rsplit('/').next().unwrap_or_default()),
    );
    p.insert("deploymentStatus".into(), json!("NotStarted"));
    p.insert(
        "validationProperties".into(),
        json!({"validationToken": token, "expirationDate": expires}),
    );
    Ok(Write::body(body.clone()))
}

fn check_security_policy(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let params = prop(body, &["parameters"]).cloned().unwrap_or(J::Null);
    if params["type"].as_str() != Some("WebApplicationFirewall") {
        return Err(ArmError::bad_request(
            "BadRequest",
            "properties.parameters.type must be WebApplicationFirewall.",
        )
        .with_target("properties.parameters.type"));
    }
    let waf = params["wafPolicy"]["id"].as_str().unwrap_or_default();
    if ctx.get(waf)?.is_none() {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("The firewall policy '{waf}' was not found."),
        )
        .with_target("properties.parameters.wafPolicy.id"));
    }
    let mut associations = params["associations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if associations.is_empty() {
        return Err(ArmError::bad_request(
            "BadRequest",
            "A security policy needs at least one association.",
        )
        .with_target("properties.parameters.associations"));
    }
    for a in &mut associations {
        for d in a["domains"].as_array_mut().into_iter().flatten() {
            let id = d["id"].as_str().unwrap_or_default().to_string();
            if ctx.get(&id)?.is_none() {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    format!("The domain '{id}' was not found."),
                )
                .with_target("properties.parameters.associations"));
            }
            d["isActive"] = json!(true);
        }
    }
    let p = props(body);
    p["parameters"]["associations"] = J::Array(associations);
    p.insert("deploymentStatus".into(), json!("NotStarted"));
    Ok(Write::body(body.clone()))
}

fn waf_name(n: &str) -> Result<(), InvalidName> {
    if !n.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(InvalidName(format!(
            "The policy name '{n}' must start with a letter."
        )));
    }
    name_rule(n, 1, 128, "", "a firewall policy")
}

const WAF_SKUS: &[&str] = &[
    "Standard_AzureFrontDoor",
    "Premium_AzureFrontDoor",
    "Classic_AzureFrontDoor",
];

/// A custom rule as Azure answers it: enabled unless said, its rate
/// window (a minute for a rate-limit rule), and every match condition's
/// negation and transforms.
fn custom_rule_defaults(rule: &mut J) {
    let Some(r) = rule.as_object_mut() else {
        return;
    };
    let rate_limited = r
        .get("ruleType")
        .and_then(J::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("RateLimitRule"));
    r.entry("enabledState").or_insert(json!("Enabled"));
    r.entry("rateLimitDurationInMinutes")
        .or_insert(json!(if rate_limited { 1 } else { 0 }));
    for c in r
        .get_mut("matchConditions")
        .and_then(J::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(J::as_object_mut)
    {
        c.entry("negateCondition").or_insert(json!(false));
        c.entry("transforms").or_insert(json!([]));
    }
}

fn check_waf(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    global_location(body);
    let sku = sku_name(body).unwrap_or_default().to_string();
    if !WAF_SKUS.contains(&sku.as_str()) {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "'{sku}' is not a firewall policy sku: use {}.",
                WAF_SKUS.join(", ")
            ),
        )
        .with_target("sku.name"));
    }
    if let Some(old) = ctx.existing
        && sku_name(&old.body) != Some(sku.as_str())
    {
        return Err(ArmError::bad_request(
            "BadRequest",
            "The sku of a firewall policy cannot be changed.",
        ));
    }
    let mode = str_prop(body, &["policySettings", "mode"])
        .unwrap_or("Prevention")
        .to_string();
    if mode != "Prevention" && mode != "Detection" {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("policySettings.mode must be Prevention or Detection, not '{mode}'."),
        )
        .with_target("properties.policySettings.mode"));
    }
    let managed = prop(body, &["managedRules", "managedRuleSets"])
        .and_then(J::as_array)
        .is_some_and(|m| !m.is_empty());
    if managed && sku == "Standard_AzureFrontDoor" {
        return Err(ArmError::bad_request(
            "BadRequest",
            "Managed rule sets need the Premium_AzureFrontDoor sku.",
        ));
    }
    let p = props(body);
    let s = p.entry("policySettings").or_insert(json!({}));
    if let Some(s) = s.as_object_mut() {
        s.insert("mode".into(), json!(mode));
        s.entry("enabledState").or_insert(json!("Enabled"));
        s.entry("requestBodyCheck").or_insert(json!("Enabled"));
        s.entry("javascriptChallengeExpirationInMinutes")
            .or_insert(json!(30));
        s.entry("captchaExpirationInMinutes").or_insert(json!(30));
    }
    let rules = p.entry("customRules").or_insert(json!({"rules": []}));
    for r in rules["rules"].as_array_mut().into_iter().flatten() {
        custom_rule_defaults(r);
    }
    p.entry("managedRules")
        .or_insert(json!({"managedRuleSets": []}));
    p.entry("frontendEndpointLinks").or_insert(json!([]));
    p.entry("securityPolicyLinks").or_insert(json!([]));
    p.insert("resourceState".into(), json!("Enabled"));
    Ok(Write::body(body.clone()))
}

pub fn specs() -> Vec<Spec> {
    let cdn = |ty, name_rule: NameRule, check| Spec {
        lro_put: Lro::AsyncOperation,
        lro_delete: Lro::AsyncOperation,
        create_secs: 5.0,
        update_secs: 5.0,
        delete_secs: 5.0,
        ..Spec::plain(ty, CDN_VERSIONS, name_rule, check)
    };
    let domain_name = |n: &str| name_rule(n, 2, 260, "-", "a custom domain");
    let policy_name = |n: &str| name_rule(n, 1, 260, "-", "a security policy");
    vec![
        cdn(
            "Microsoft.Cdn/profiles/ruleSets",
            rule_set_name,
            check_rule_set,
        ),
        Spec {
            check_delete: super::frontdoor_rules::domain_in_use,
            ..cdn(
                "Microsoft.Cdn/profiles/customDomains",
                domain_name,
                check_custom_domain,
            )
        },
        cdn(
            "Microsoft.Cdn/profiles/securityPolicies",
            policy_name,
            check_security_policy,
        ),
        Spec {
            lro_put: Lro::AsyncOperation,
            lro_delete: Lro::AsyncOperation,
            create_secs: 5.0,
            update_secs: 5.0,
            delete_secs: 5.0,
            ..Spec::plain(
                "Microsoft.Network/FrontDoorWebApplicationFirewallPolicies",
                WAF_VERSIONS,
                waf_name,
                check_waf,
            )
        },
    ]
}

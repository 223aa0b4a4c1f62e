//! The rest of Front Door Standard/Premium: rule sets, custom domains,
//! web application firewall policies and the security policies that put a
//! firewall policy in front of domains.

use serde_json::{Value as J, json};

use super::common::{NAME, RG, TAGS};
use super::repeated::{self, Rep, rep};
use crate::lang::Value;
use crate::provider::ArgProblem;
use crate::provider::azure::convert::{self, Arg, Conv, Kind, arg};
use crate::provider::azure::typedef::{Attrs, IdRule, TypeDef, def};

const PROFILE_ID: Arg = arg("cdn_frontdoor_profile_id", "", Kind::Str)
    .req()
    .force_new();

const RULE_SET: &[Arg] = &[NAME, PROFILE_ID];

const TLS: &[Arg] = &[
    arg("certificate_type", "certificateType", Kind::Str).computed(),
    arg("minimum_version", "minimumTlsVersion", Kind::Str).computed(),
    // The name azurerm's pages used before `minimum_version`, still accepted.
    arg("minimum_tls_version", "minimumTlsVersion", Kind::Str).computed(),
    arg("cdn_frontdoor_secret_id", "secret.id", Kind::Str),
];
const CUSTOM_DOMAIN: &[Arg] = &[
    NAME,
    PROFILE_ID,
    arg("host_name", "properties.hostName", Kind::Str)
        .req()
        .force_new(),
    arg("dns_zone_id", "properties.azureDnsZone.id", Kind::Str),
    arg("tls", "properties.tlsSettings", Kind::Block(TLS)).computed(),
    arg(
        "expiration_date",
        "properties.validationProperties.expirationDate",
        Kind::Str,
    )
    .read_only(),
    arg(
        "validation_token",
        "properties.validationProperties.validationToken",
        Kind::Str,
    )
    .read_only(),
];

const FIREWALL_POLICY: &[Arg] = &[
    NAME,
    RG,
    arg("sku_name", "sku.name", Kind::Str).req().force_new(),
    arg(
        "enabled",
        "properties.policySettings.enabledState",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::Enabled),
    arg("mode", "properties.policySettings.mode", Kind::Str).req(),
    arg(
        "redirect_url",
        "properties.policySettings.redirectUrl",
        Kind::Str,
    ),
    arg(
        "custom_block_response_status_code",
        "properties.policySettings.customBlockResponseStatusCode",
        Kind::Num,
    ),
    arg(
        "custom_block_response_body",
        "properties.policySettings.customBlockResponseBody",
        Kind::Str,
    ),
    arg(
        "request_body_check_enabled",
        "properties.policySettings.requestBodyCheck",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::Enabled),
    arg(
        "js_challenge_cookie_expiration_in_minutes",
        "properties.policySettings.javascriptChallengeExpirationInMinutes",
        Kind::Num,
    )
    .computed(),
    arg(
        "captcha_cookie_expiration_in_minutes",
        "properties.policySettings.captchaExpirationInMinutes",
        Kind::Num,
    )
    .computed(),
    // Refused in `check` with the reason.
    arg("custom_rule", "", Kind::Blocks),
    arg("managed_rule", "", Kind::Blocks),
    arg("log_scrubbing", "", Kind::Blocks),
    arg("frontend_endpoint_ids", "", Kind::StrList).read_only(),
    TAGS,
];

const SECURITY_POLICY: &[Arg] = &[
    NAME,
    PROFILE_ID,
    arg("security_policies", "", Kind::Blocks).req().force_new(),
];

// The nesting of `security_policies`, for checking what is written.
const DOMAIN: &[Arg] = &[
    arg("cdn_frontdoor_domain_id", "", Kind::Str).req(),
    arg("active", "", Kind::Bool).read_only(),
];
const ASSOCIATION: &[Arg] = &[
    arg("patterns_to_match", "", Kind::StrList).req(),
    arg("domain", "", Kind::Blocks),
];
const FIREWALL: &[Arg] = &[
    arg("cdn_frontdoor_firewall_policy_id", "", Kind::Str).req(),
    arg("association", "", Kind::Blocks),
];
const POLICIES: &[Arg] = &[arg("firewall", "", Kind::Blocks)];
const SECURITY_SHAPE: &[Rep] = &[Rep {
    nested: &[Rep {
        nested: &[Rep {
            nested: &[rep("domain", "", DOMAIN)],
            ..rep("association", "", ASSOCIATION)
        }],
        ..rep("firewall", "", FIREWALL)
    }],
    ..rep("security_policies", "", POLICIES)
}];

/// `security_policies { firewall { cdn_frontdoor_firewall_policy_id,
/// association { domain { cdn_frontdoor_domain_id }, patterns_to_match } } }`
/// and ARM's `parameters` of type WebApplicationFirewall.
fn security_to_body(a: &Attrs, body: &mut J) {
    let first = |m: &std::collections::BTreeMap<String, Value>, k: &str| {
        m.get(k)
            .and_then(Value::as_seq)
            .and_then(|s| s.first())
            .and_then(Value::as_mapping)
            .cloned()
    };
    let Some(fw) = repeated::blocks(a, "security_policies")
        .first()
        .and_then(|p| first(p, "firewall"))
    else {
        return;
    };
    let s = |v: Option<&Value>| v.map(|v| v.unmark().0.to_json()).unwrap_or(J::Null);
    let associations: Vec<J> = fw
        .get("association")
        .and_then(Value::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(Value::as_mapping)
        .map(|assoc| {
            let domains: Vec<J> = assoc
                .get("domain")
                .and_then(Value::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(Value::as_mapping)
                .map(|d| json!({"id": s(d.get("cdn_frontdoor_domain_id"))}))
                .collect();
            json!({"domains": domains, "patternsToMatch": s(assoc.get("patterns_to_match"))})
        })
        .collect();
    body["properties"]["parameters"] = json!({
        "type": "WebApplicationFirewall",
        "wafPolicy": {"id": s(fw.get("cdn_frontdoor_firewall_policy_id"))},
        "associations": associations,
    });
}

fn security_from_body(body: &J, a: &mut Attrs) {
    let p = &body["properties"]["parameters"];
    if !p.is_object() {
        a.insert("security_policies".into(), Value::List(vec![]));
        return;
    }
    let associations: Vec<J> = p["associations"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|x| {
            let domains: Vec<J> = x["domains"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|d| json!({"cdn_frontdoor_domain_id": d["id"], "active": d["isActive"]}))
                .collect();
            json!({"domain": domains, "patterns_to_match": x["patternsToMatch"]})
        })
        .collect();
    let v = json!([{"firewall": [{
        "cdn_frontdoor_firewall_policy_id": p["wafPolicy"]["id"],
        "association": associations,
    }]}]);
    a.insert("security_policies".into(), Value::from_json(&v));
}

fn policy_to_body(_: &Attrs, body: &mut J) {
    body["location"] = json!("Global");
}

fn policy_from_body(body: &J, a: &mut Attrs) {
    let ids = convert::get_path(body, "properties.frontendEndpointLinks")
        .and_then(J::as_array)
        .map(|xs| {
            xs.iter()
                .filter_map(|x| x["id"].as_str().map(|s| Value::String(s.into())))
                .collect()
        })
        .unwrap_or_default();
    a.insert("frontend_endpoint_ids".into(), Value::List(ids));
}

/// The repeated blocks each type maps.
pub(super) fn reps(ty: &str) -> &'static [&'static [Rep]] {
    match ty {
        "azurerm_cdn_frontdoor_security_policy" => &[SECURITY_SHAPE],
        _ => &[],
    }
}

pub(super) fn check(ty: &str, a: &Attrs, out: &mut Vec<ArgProblem>) {
    if ty == "azurerm_cdn_frontdoor_security_policy" {
        repeated::check(SECURITY_SHAPE, a, "", out);
    }
    if ty == "azurerm_cdn_frontdoor_firewall_policy" {
        for (name, why) in [
            (
                "managed_rule",
                "managed rule sets (DRS, bot protection) are not mapped yet; manage them with azapi or outside drinfra",
            ),
            (
                "custom_rule",
                "custom rules and their match conditions are not mapped yet; manage them with azapi or outside drinfra",
            ),
            ("log_scrubbing", "log scrubbing rules are not mapped yet"),
        ] {
            repeated::refuse(a, name, why, out);
        }
    }
    if ty == "azurerm_cdn_frontdoor_custom_domain" {
        let tls = a
            .get("tls")
            .and_then(Value::as_seq)
            .and_then(|s| s.first())
            .and_then(Value::as_mapping);
        if let Some(tls) = tls {
            for name in ["cipher_suite", "custom_ciphers"] {
                repeated::refuse(
                    tls,
                    name,
                    "TLS cipher suite choices are not mapped yet",
                    out,
                );
            }
        }
    }
}

pub(super) fn defs() -> Vec<TypeDef> {
    let child = |name, arm, args, segment| {
        def(
            name,
            arm,
            "2025-06-01",
            args,
            IdRule::Child {
                parent_arg: "cdn_frontdoor_profile_id",
                segment,
            },
        )
    };
    vec![
        child(
            "azurerm_cdn_frontdoor_rule_set",
            "Microsoft.Cdn/profiles/ruleSets",
            RULE_SET,
            "ruleSets",
        ),
        child(
            "azurerm_cdn_frontdoor_custom_domain",
            "Microsoft.Cdn/profiles/customDomains",
            CUSTOM_DOMAIN,
            "customDomains",
        ),
        TypeDef {
            to_body: Some(security_to_body),
            from_body: Some(security_from_body),
            ..child(
                "azurerm_cdn_frontdoor_security_policy",
                "Microsoft.Cdn/profiles/securityPolicies",
                SECURITY_POLICY,
                "securityPolicies",
            )
        },
        TypeDef {
            to_body: Some(policy_to_body),
            from_body: Some(policy_from_body),
            ..def(
                "azurerm_cdn_frontdoor_firewall_policy",
                "Microsoft.Network/FrontDoorWebApplicationFirewallPolicies",
                "2024-02-01",
                FIREWALL_POLICY,
                IdRule::InGroup,
            )
        },
    ]
}

//! `azurerm_frontdoor` (classic): pools, probes, load-balancing settings,
//! frontends and rules are repeated blocks, inline in one ARM resource
//! and referring to each other by name; every change is a PUT of the whole.

use serde_json::{Value as J, json};

use super::convert::{Arg, Conv, Kind, arg};
use super::typedef::{Attrs, IdRule, TypeDef};
use crate::lang::Value;
use crate::provider::ProviderError;

const ARGS: &[Arg] = &[
    arg("name", "", Kind::Str).req().force_new(),
    arg("resource_group_name", "", Kind::Str).req().force_new(),
    arg(
        "load_balancer_enabled",
        "properties.enabledState",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::Enabled),
    arg("backend_pool", "", Kind::Blocks).req(),
    arg("backend_pool_health_probe", "", Kind::Blocks).req(),
    arg("backend_pool_load_balancing", "", Kind::Blocks).req(),
    arg("frontend_endpoint", "", Kind::Blocks).req(),
    arg("routing_rule", "", Kind::Blocks).req(),
    arg("cname", "properties.cname", Kind::Str).read_only(),
    arg("tags", "tags", Kind::StrMap),
];

fn blocks(a: &Attrs, k: &str) -> Vec<serde_json::Map<String, J>> {
    a.get(k)
        .and_then(|v| v.as_seq())
        .map(|xs| {
            xs.iter()
                .filter_map(|x| x.unmark().0.to_json().as_object().cloned())
                .collect()
        })
        .unwrap_or_default()
}

fn get<'a>(m: &'a serde_json::Map<String, J>, k: &str) -> &'a J {
    m.get(k).unwrap_or(&J::Null)
}

fn enabled(v: &J) -> J {
    J::String(
        if v.as_bool().unwrap_or(true) {
            "Enabled"
        } else {
            "Disabled"
        }
        .into(),
    )
}

fn to_body(a: &Attrs, body: &mut J) {
    let id = body["id"].as_str().unwrap_or_default().to_string();
    let sub_id = |kind: &str, name: &J| json!({"id": format!("{id}/{kind}/{}", name.as_str().unwrap_or_default())});
    let pools: Vec<J> = blocks(a, "backend_pool")
        .iter()
        .map(|p| {
            let backends: Vec<J> = get(p, "backend")
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|b| json!({"address": b["address"], "backendHostHeader": b["host_header"], "httpPort": b["http_port"], "httpsPort": b["https_port"], "priority": b["priority"], "weight": b["weight"], "enabledState": enabled(&b["enabled"])}))
                .collect();
            json!({"name": get(p, "name"), "properties": {"backends": backends, "loadBalancingSettings": sub_id("loadBalancingSettings", get(p, "load_balancing_name")), "healthProbeSettings": sub_id("healthProbeSettings", get(p, "health_probe_name"))}})
        })
        .collect();
    let probes: Vec<J> = blocks(a, "backend_pool_health_probe").iter().map(|p| json!({"name": get(p, "name"), "properties": {"path": get(p, "path"), "protocol": get(p, "protocol"), "intervalInSeconds": get(p, "interval_in_seconds"), "enabledState": enabled(get(p, "enabled"))}})).collect();
    let lbs: Vec<J> = blocks(a, "backend_pool_load_balancing").iter().map(|l| json!({"name": get(l, "name"), "properties": {"sampleSize": get(l, "sample_size"), "successfulSamplesRequired": get(l, "successful_samples_required"), "additionalLatencyMilliseconds": get(l, "additional_latency_milliseconds")}})).collect();
    let fes: Vec<J> = blocks(a, "frontend_endpoint")
        .iter()
        .map(|f| json!({"name": get(f, "name"), "properties": {"hostName": get(f, "host_name")}}))
        .collect();
    let rules: Vec<J> = blocks(a, "routing_rule")
        .iter()
        .map(|r| {
            let fwd = get(r, "forwarding_configuration").as_array().and_then(|a| a.first()).cloned().unwrap_or(J::Null);
            let fe: Vec<J> = get(r, "frontend_endpoints").as_array().cloned().unwrap_or_default().iter().map(|n| sub_id("frontendEndpoints", n)).collect();
            json!({"name": get(r, "name"), "properties": {
                "acceptedProtocols": get(r, "accepted_protocols"), "patternsToMatch": get(r, "patterns_to_match"), "frontendEndpoints": fe,
                "enabledState": enabled(get(r, "enabled")),
                "routeConfiguration": {"@odata.type": "#Microsoft.Azure.FrontDoor.Models.FrontdoorForwardingConfiguration", "forwardingProtocol": fwd["forwarding_protocol"], "backendPool": sub_id("backendPools", &fwd["backend_pool_name"])}
            }})
        })
        .collect();
    let p = body["properties"].as_object_mut();
    let p = match p {
        Some(p) => p,
        None => {
            body["properties"] = json!({});
            body["properties"].as_object_mut().expect("properties")
        }
    };
    p.insert("backendPools".into(), J::Array(pools));
    p.insert("healthProbeSettings".into(), J::Array(probes));
    p.insert("loadBalancingSettings".into(), J::Array(lbs));
    p.insert("frontendEndpoints".into(), J::Array(fes));
    p.insert("routingRules".into(), J::Array(rules));
}

fn last(v: &J) -> J {
    v["id"]
        .as_str()
        .and_then(|s| s.rsplit('/').next())
        .map(|s| J::String(s.into()))
        .unwrap_or(J::Null)
}

fn from_body(body: &J, a: &mut Attrs) {
    let p = &body["properties"];
    let list = |k: &str| p[k].as_array().cloned().unwrap_or_default();
    let pools: Vec<J> = list("backendPools")
        .iter()
        .map(|b| {
            let backends: Vec<J> = b["properties"]["backends"].as_array().cloned().unwrap_or_default().iter().map(|x| json!({"address": x["address"], "host_header": x["backendHostHeader"], "http_port": x["httpPort"], "https_port": x["httpsPort"], "priority": x["priority"], "weight": x["weight"], "enabled": x["enabledState"] != "Disabled"})).collect();
            json!({"name": b["name"], "backend": backends, "load_balancing_name": last(&b["properties"]["loadBalancingSettings"]), "health_probe_name": last(&b["properties"]["healthProbeSettings"])})
        })
        .collect();
    let probes: Vec<J> = list("healthProbeSettings").iter().map(|x| json!({"name": x["name"], "path": x["properties"]["path"], "protocol": x["properties"]["protocol"], "interval_in_seconds": x["properties"]["intervalInSeconds"], "enabled": x["properties"]["enabledState"] != "Disabled"})).collect();
    let lbs: Vec<J> = list("loadBalancingSettings").iter().map(|x| json!({"name": x["name"], "sample_size": x["properties"]["sampleSize"], "successful_samples_required": x["properties"]["successfulSamplesRequired"], "additional_latency_milliseconds": x["properties"]["additionalLatencyMilliseconds"]})).collect();
    let fes: Vec<J> = list("frontendEndpoints")
        .iter()
        .map(|x| json!({"name": x["name"], "host_name": x["properties"]["hostName"]}))
        .collect();
    let rules: Vec<J> = list("routingRules")
        .iter()
        .map(|x| {
            let rp = &x["properties"];
            let fe: Vec<J> = rp["frontendEndpoints"].as_array().cloned().unwrap_or_default().iter().map(last).collect();
            json!({"name": x["name"], "accepted_protocols": rp["acceptedProtocols"], "patterns_to_match": rp["patternsToMatch"], "frontend_endpoints": fe, "enabled": rp["enabledState"] != "Disabled",
                   "forwarding_configuration": [{"backend_pool_name": last(&rp["routeConfiguration"]["backendPool"]), "forwarding_protocol": rp["routeConfiguration"]["forwardingProtocol"]}]})
        })
        .collect();
    for (k, v) in [
        ("backend_pool", pools),
        ("backend_pool_health_probe", probes),
        ("backend_pool_load_balancing", lbs),
        ("frontend_endpoint", fes),
        ("routing_rule", rules),
    ] {
        a.insert(
            k.into(),
            Value::List(v.iter().map(Value::from_json).collect()),
        );
    }
}

/// Why a new classic profile is not planned: Azure stopped creating them
/// (April 2025) ahead of their retirement, so the apply would fail.
/// Existing profiles (imported) are still managed; a change that would
/// replace one is refused for the same reason.
pub fn refuse_new(replacing: bool) -> ProviderError {
    ProviderError::Invalid(format!(
        "Azure Front Door (classic) no longer accepts new profiles{}: declare a Front Door Standard/Premium profile (azurerm_cdn_frontdoor_profile and its endpoints, origin groups, origins and routes) instead. An existing classic profile can still be imported and changed in place.",
        if replacing {
            ", and this change would replace the existing one with a new one"
        } else {
            ""
        }
    ))
}

pub fn def() -> TypeDef {
    TypeDef {
        name: "azurerm_frontdoor",
        arm_type: "Microsoft.Network/frontDoors",
        api: "2021-06-01",
        args: ARGS,
        id: IdRule::InGroup,
        fixed: &[("location", "\"global\"")],
        to_body: Some(to_body),
        from_body: Some(from_body),
    }
}

//! Front Door Standard/Premium rules (Microsoft.Cdn/profiles/ruleSets/rules),
//! with Azure's rules: names of letters and digits starting with a letter,
//! an `order` no other rule of the set has, at least one action, at most
//! ten conditions and five actions, condition and action kinds Front Door
//! knows with their required parameters (a condition's operator from its
//! kind's enum, the selector of post args, header and cookie conditions),
//! and a route configuration override's origin group in the same profile.

use serde_json::{Value as J, json};

use super::*;

const VERSIONS: &[&str] = &["2025-06-01", "2024-09-01", "2024-02-01"];

/// Front Door's general match operators (space-separated, as the table
/// below lists each kind's enum); a URL path also has `Wildcard`.
const GENERAL: &str = "Any BeginsWith Contains EndsWith Equal GreaterThan GreaterThanOrEqual LessThan LessThanOrEqual RegEx";

/// The condition kinds Front Door knows, each with the operators its
/// parameters' enum allows beyond the general ones (`None`: only those
/// listed).
const CONDITIONS: &[(&str, Option<&str>)] = &[
    ("RemoteAddress", Some("Any IPMatch GeoMatch")),
    ("RequestMethod", Some("Equal")),
    ("QueryString", None),
    ("PostArgs", None),
    ("RequestUri", None),
    ("RequestHeader", None),
    ("RequestBody", None),
    ("RequestScheme", Some("Equal")),
    ("UrlPath", Some("+Wildcard")),
    ("UrlFileExtension", None),
    ("UrlFileName", None),
    ("HttpVersion", Some("Equal")),
    ("Cookies", None),
    ("IsDevice", Some("Equal")),
    ("SocketAddr", Some("Any IPMatch")),
    ("ClientPort", None),
    ("ServerPort", None),
    ("HostName", None),
    ("SslProtocol", Some("Equal")),
];

/// A kind's operators: its own list, or the general ones (and any `+`
/// extra).
fn operators(own: Option<&str>) -> Vec<&str> {
    match own {
        Some(extra) if extra.starts_with('+') => {
            GENERAL.split(' ').chain(extra[1..].split(' ')).collect()
        }
        Some(list) => list.split(' ').collect(),
        None => GENERAL.split(' ').collect(),
    }
}

/// Kinds that match one named part of the request (`selector`).
const SELECTED: &[&str] = &["PostArgs", "RequestHeader", "Cookies"];

const ACTIONS: &[&str] = &[
    "UrlRedirect",
    "UrlRewrite",
    "ModifyRequestHeader",
    "ModifyResponseHeader",
    "RouteConfigurationOverride",
    "CacheExpiration",
    "CacheKeyQueryString",
    "OriginGroupOverride",
    "UrlSigning",
];

fn rule_name(n: &str) -> Result<(), InvalidName> {
    if !n.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(InvalidName(format!(
            "The rule name '{n}' must start with a letter."
        )));
    }
    name_rule(n, 1, 260, "", "a rule")
}

fn bad(msg: impl Into<String>) -> ArmError {
    ArmError::bad_request("BadRequest", msg)
}

fn one_of(v: Option<&str>, allowed: &[&str], what: &str) -> Result<(), ArmError> {
    match v {
        Some(s) if allowed.iter().any(|a| a.eq_ignore_ascii_case(s)) => Ok(()),
        other => Err(bad(format!(
            "{what} must be one of {}, not {}.",
            allowed.join(", "),
            other.map_or("nothing".to_string(), |s| format!("'{s}'"))
        ))),
    }
}

fn check_action(ctx: &Ctx, name: &str, p: &J) -> Result<(), ArmError> {
    let s = |k: &str| p.get(k).and_then(J::as_str);
    match name {
        "UrlRedirect" => {
            one_of(
                s("redirectType"),
                &["Moved", "Found", "TemporaryRedirect", "PermanentRedirect"],
                "UrlRedirect's redirectType",
            )?;
            if let Some(proto) = s("destinationProtocol") {
                one_of(
                    Some(proto),
                    &["MatchRequest", "Http", "Https"],
                    "UrlRedirect's destinationProtocol",
                )?;
            }
        }
        "UrlRewrite" => {
            if s("sourcePattern").is_none_or(str::is_empty) || s("destination").is_none() {
                return Err(bad("UrlRewrite needs sourcePattern and destination."));
            }
            if !s("sourcePattern").unwrap_or("/").starts_with('/') {
                return Err(bad("UrlRewrite's sourcePattern must start with '/'."));
            }
        }
        "ModifyRequestHeader" | "ModifyResponseHeader" => {
            one_of(
                s("headerAction"),
                &["Append", "Overwrite", "Delete"],
                &format!("{name}'s headerAction"),
            )?;
            if s("headerName").is_none_or(str::is_empty) {
                return Err(bad(format!("{name} needs a headerName.")));
            }
        }
        "RouteConfigurationOverride" => {
            if let Some(group) = p
                .get("originGroupOverride")
                .and_then(|o| o.get("originGroup"))
                .and_then(|g| g.get("id"))
                .and_then(J::as_str)
            {
                let profile = ctx
                    .path
                    .parent_id()
                    .and_then(|set| set.rsplit_once("/ruleSets/").map(|(p, _)| p.to_string()))
                    .unwrap_or_default()
                    .to_lowercase();
                let same_profile = group.to_lowercase().starts_with(&format!("{profile}/"));
                if !same_profile || ctx.get(group)?.is_none() {
                    return Err(bad(format!(
                        "The origin group '{group}' does not exist in this profile."
                    )));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn check_rule(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let order = int_prop(body, &["order"], 0, i32::MAX as i64)?
        .ok_or_else(|| bad("The rule's order is required.").with_target("properties.order"))?;
    let list = |k: &str| {
        prop(body, &[k])
            .and_then(J::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (conditions, actions) = (list("conditions"), list("actions"));
    if actions.is_empty() {
        return Err(bad("A rule needs at least one action.").with_target("properties.actions"));
    }
    if conditions.len() > 10 {
        return Err(bad("A rule has at most 10 conditions."));
    }
    if actions.len() > 5 {
        return Err(bad("A rule has at most 5 actions."));
    }
    for c in &conditions {
        let name = c["name"].as_str().unwrap_or_default();
        let Some((known, ops)) = CONDITIONS
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
        else {
            return Err(bad(format!("'{name}' is not a rule condition.")));
        };
        let p = &c["parameters"];
        let op = p["operator"].as_str();
        if op.is_none() && !matches!(*known, "RemoteAddress" | "RequestMethod" | "RequestScheme") {
            return Err(bad(format!("The {known} condition needs an operator.")));
        }
        if op.is_some() {
            one_of(
                op,
                &operators(*ops),
                &format!("The {known} condition's operator"),
            )?;
        }
        if SELECTED.contains(known) && p["selector"].as_str().is_none_or(str::is_empty) {
            return Err(bad(format!("The {known} condition needs a selector.")));
        }
    }
    for a in &actions {
        let name = a["name"].as_str().unwrap_or_default();
        let Some(known) = ACTIONS.iter().find(|k| k.eq_ignore_ascii_case(name)) else {
            return Err(bad(format!("'{name}' is not a rule action.")));
        };
        check_action(ctx, known, &a["parameters"])?;
    }
    // The order is the rule's place in its set: no two rules share one.
    let me = ctx.path.id().to_lowercase();
    if let Some(set) = ctx.path.parent_id() {
        let clash = ctx
            .store
            .children("Microsoft.Cdn/profiles/ruleSets/rules", &set)
            .map_err(internal)?
            .into_iter()
            .find(|r| r.id.to_lowercase() != me && num_prop(&r.body, &["order"]) == Some(order));
        if let Some(other) = clash {
            return Err(ArmError::conflict(
                "Conflict",
                format!(
                    "The rule order {order} is already used by rule '{}' in this rule set.",
                    other.id.rsplit('/').next().unwrap_or_default()
                ),
            )
            .with_target("properties.order"));
        }
    }
    let set_name = ctx
        .path
        .parent_id()
        .and_then(|s| s.rsplit('/').next().map(str::to_string))
        .unwrap_or_default();
    // Every condition's parameters carry their transforms, none by default.
    let conditions: Vec<J> = conditions
        .into_iter()
        .map(|mut c| {
            if let Some(p) = c.get_mut("parameters").and_then(J::as_object_mut) {
                p.entry("transforms").or_insert(json!([]));
            }
            c
        })
        .collect();
    let p = props(body);
    p.entry("matchProcessingBehavior")
        .or_insert(json!("Continue"));
    p.insert("conditions".into(), J::Array(conditions));
    p.insert("ruleSetName".into(), json!(set_name));
    p.insert("deploymentStatus".into(), json!("NotStarted"));
    Ok(Write::body(body.clone()))
}

pub fn specs() -> Vec<Spec> {
    vec![Spec {
        lro_put: Lro::AsyncOperation,
        lro_delete: Lro::AsyncOperation,
        create_secs: 5.0,
        update_secs: 5.0,
        delete_secs: 5.0,
        ..Spec::plain(
            "Microsoft.Cdn/profiles/ruleSets/rules",
            VERSIONS,
            rule_name,
            check_rule,
        )
    }]
}

/// A custom domain a route still serves is not deleted (its association
/// goes first): 409.
pub(super) fn domain_in_use(
    ctx: &Ctx,
    row: &Row,
) -> Result<Vec<(String, String, Option<J>)>, ArmError> {
    let Some(profile) = row
        .id
        .to_ascii_lowercase()
        .rfind("/customdomains/")
        .map(|at| row.id[..at].to_string())
    else {
        return Ok(vec![]);
    };
    for endpoint in ctx
        .store
        .children("Microsoft.Cdn/profiles/afdEndpoints", &profile)
        .map_err(internal)?
    {
        for route in ctx
            .store
            .children("Microsoft.Cdn/profiles/afdEndpoints/routes", &endpoint.id)
            .map_err(internal)?
        {
            let uses = prop(&route.body, &["customDomains"])
                .and_then(J::as_array)
                .is_some_and(|xs| {
                    xs.iter().any(|x| {
                        x["id"]
                            .as_str()
                            .is_some_and(|i| i.eq_ignore_ascii_case(&row.id))
                    })
                });
            if uses {
                return Err(ArmError::conflict(
                    "Conflict",
                    format!(
                        "The custom domain '{}' is still associated with route '{}'; remove the association first.",
                        ctx.path.name(),
                        route.id.rsplit('/').next().unwrap_or_default()
                    ),
                ));
            }
        }
    }
    Ok(vec![])
}

//! Types that are not one ARM object of their own, written by hand in
//! `azure/attached.rs`: a subnet's network security group association
//! (a setting on the subnet, whose id it takes), role assignments (an
//! extension resource at any scope, named by a GUID made at create, the
//! role found by name) and storage object replication (a policy on the
//! destination account, then the same policy on the source).

use serde_json::{Value as J, json};

use super::repeated::{self, Rep, rep};
use crate::lang::Value;
use crate::provider::ArgProblem;
use crate::provider::azure::convert::{Arg, Kind, arg};
use crate::provider::azure::typedef::{Attrs, IdRule, TypeDef, def};

pub const NSG_ASSOCIATION: &str = "azurerm_subnet_network_security_group_association";
pub const ROLE_ASSIGNMENT: &str = "azurerm_role_assignment";
pub const OBJECT_REPLICATION: &str = "azurerm_storage_object_replication";

const ASSOCIATION: &[Arg] = &[
    arg("subnet_id", "", Kind::Str).req().force_new(),
    arg(
        "network_security_group_id",
        "properties.networkSecurityGroup.id",
        Kind::Str,
    )
    .req()
    .force_new(),
];

const ASSIGNMENT: &[Arg] = &[
    arg("name", "", Kind::Str).computed().force_new(),
    arg("scope", "properties.scope", Kind::Str)
        .req()
        .force_new(),
    arg(
        "role_definition_id",
        "properties.roleDefinitionId",
        Kind::Str,
    )
    .computed()
    .force_new(),
    arg("role_definition_name", "", Kind::Str)
        .computed()
        .force_new(),
    arg("principal_id", "properties.principalId", Kind::Str)
        .req()
        .force_new(),
    arg("principal_type", "properties.principalType", Kind::Str)
        .computed()
        .force_new(),
    arg("condition", "properties.condition", Kind::Str),
    arg(
        "condition_version",
        "properties.conditionVersion",
        Kind::Str,
    )
    .computed(),
    arg("description", "properties.description", Kind::Str),
    arg(
        "delegated_managed_identity_resource_id",
        "properties.delegatedManagedIdentityResourceId",
        Kind::Str,
    )
    .force_new(),
    // Only azurerm's: a new service principal is not waited for in the
    // directory; its principal type is then sent as ServicePrincipal.
    arg("skip_service_principal_aad_check", "", Kind::Bool).computed(),
];

const REPLICATION_RULE: &[Arg] = &[
    arg("source_container_name", "sourceContainer", Kind::Str).req(),
    arg(
        "destination_container_name",
        "destinationContainer",
        Kind::Str,
    )
    .req(),
    // `Everything`, `OnlyNewObjects` or a time <-> `filters.minCreationTime`
    // (mapped in `replication_to_body`).
    arg("copy_blobs_created_after", "", Kind::Str),
    arg(
        "filter_out_blobs_with_prefix",
        "filters.prefixMatch",
        Kind::StrList,
    ),
];
const RULES: &[Rep] = &[rep("rules", "properties.rules", REPLICATION_RULE)];
const REPLICATION: &[Arg] = &[
    arg(
        "source_storage_account_id",
        "properties.sourceAccount",
        Kind::Str,
    )
    .req()
    .force_new(),
    arg(
        "destination_storage_account_id",
        "properties.destinationAccount",
        Kind::Str,
    )
    .req()
    .force_new(),
    arg("rules", "", Kind::Blocks).req(),
    arg("metrics_enabled", "properties.metrics.enabled", Kind::Bool).default("false"),
    arg("source_object_replication_id", "", Kind::Str).read_only(),
    arg("destination_object_replication_id", "", Kind::Str).read_only(),
];

/// `minCreationTime` for "copy everything" (azurerm's `Everything`).
const EVERYTHING: &str = "1601-01-01T00:00:00Z";

fn replication_to_body(a: &Attrs, body: &mut J) {
    repeated::write(RULES, a, body);
    let blocks = repeated::blocks(a, "rules");
    if let Some(rules) = body["properties"]["rules"].as_array_mut() {
        for (el, b) in rules.iter_mut().zip(blocks) {
            let after = match b.get("copy_blobs_created_after").map(|v| v.unmark().0) {
                Some(Value::String(s)) => s.clone(),
                _ => "OnlyNewObjects".into(),
            };
            match after.as_str() {
                "OnlyNewObjects" => {}
                "Everything" => el["filters"]["minCreationTime"] = json!(EVERYTHING),
                t => el["filters"]["minCreationTime"] = json!(t),
            }
            if !el["filters"].is_object() {
                el["filters"] = json!({});
            }
        }
    }
}

fn replication_from_body(body: &J, a: &mut Attrs) {
    repeated::read(RULES, body, a);
    let times: Vec<Option<String>> = body["properties"]["rules"]
        .as_array()
        .map(|xs| {
            xs.iter()
                .map(|r| r["filters"]["minCreationTime"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if let Some(Value::List(rules)) = a.get_mut("rules") {
        for (r, t) in rules.iter_mut().zip(times) {
            if let Value::Object(m) = r {
                let after = match t.as_deref() {
                    None => "OnlyNewObjects".to_string(),
                    Some(t) if t.starts_with("1601-01-01") => "Everything".to_string(),
                    Some(t) => t.to_string(),
                };
                m.insert("copy_blobs_created_after".into(), Value::String(after));
                // An empty prefix list is no filter.
                if m.get("filter_out_blobs_with_prefix")
                    .is_some_and(|v| v.as_seq().is_some_and(<[Value]>::is_empty))
                {
                    m.insert("filter_out_blobs_with_prefix".into(), Value::Null);
                }
            }
        }
    }
}

/// The rule ids Azure gave each rule (by source and destination
/// container), to send with the source's policy and on updates.
pub fn rule_ids(policy: &J) -> Vec<(String, String, String)> {
    policy["properties"]["rules"]
        .as_array()
        .map(|xs| {
            xs.iter()
                .filter_map(|r| {
                    Some((
                        r["sourceContainer"].as_str()?.to_string(),
                        r["destinationContainer"].as_str()?.to_string(),
                        r["ruleId"].as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Puts known rule ids on the rules of `body` that match.
pub fn with_rule_ids(body: &mut J, ids: &[(String, String, String)]) {
    if let Some(rules) = body["properties"]["rules"].as_array_mut() {
        for r in rules {
            let (s, d) = (
                r["sourceContainer"].as_str().unwrap_or_default(),
                r["destinationContainer"].as_str().unwrap_or_default(),
            );
            if let Some((_, _, id)) = ids.iter().find(|(a, b, _)| a == s && b == d) {
                r["ruleId"] = json!(id);
            }
        }
    }
}

/// The repeated blocks mapped by this file's own code, for the coverage test.
pub(super) fn reps(ty: &str) -> &'static [&'static [Rep]] {
    match ty {
        OBJECT_REPLICATION => &[RULES],
        _ => &[],
    }
}

pub(super) fn check(ty: &str, a: &Attrs, out: &mut Vec<ArgProblem>) {
    match ty {
        OBJECT_REPLICATION => {
            repeated::check(RULES, a, "", out);
            for b in repeated::blocks(a, "rules") {
                if let Some(Value::String(s)) =
                    b.get("copy_blobs_created_after").map(|v| v.unmark().0)
                    && s != "Everything"
                    && s != "OnlyNewObjects"
                    && crate::timefmt::parse_rfc3339(s).is_none()
                {
                    out.push(ArgProblem {
                        argument: Some("rules.copy_blobs_created_after".into()),
                        summary: "Invalid value".into(),
                        detail: format!("copy_blobs_created_after must be \"Everything\", \"OnlyNewObjects\" or an RFC 3339 time (e.g. 2026-01-01T00:00:00Z), not {s:?}."),
                    });
                }
            }
        }
        ROLE_ASSIGNMENT => {
            let set = |k: &str| a.get(k).is_some_and(|v| !v.is_null());
            if set("role_definition_id") == set("role_definition_name") {
                out.push(ArgProblem {
                    argument: None,
                    summary: "Invalid combination of arguments".into(),
                    detail: "exactly one of `role_definition_id` and `role_definition_name` must be specified, as azurerm requires.".into(),
                });
            }
            if set("condition") != set("condition_version") && set("condition_version") {
                out.push(ArgProblem {
                    argument: Some("condition_version".into()),
                    summary: "Missing required argument".into(),
                    detail: "`condition_version` needs `condition`, as azurerm requires.".into(),
                });
            }
        }
        _ => {}
    }
}

pub(super) fn defs() -> Vec<TypeDef> {
    vec![
        def(
            NSG_ASSOCIATION,
            "Microsoft.Network/virtualNetworks/subnets",
            "2024-05-01",
            ASSOCIATION,
            IdRule::Is("subnet_id"),
        ),
        def(
            ROLE_ASSIGNMENT,
            "Microsoft.Authorization/roleAssignments",
            "2022-04-01",
            ASSIGNMENT,
            IdRule::Scoped {
                scope_arg: "scope",
                path: "providers/Microsoft.Authorization/roleAssignments",
            },
        ),
        TypeDef {
            to_body: Some(replication_to_body),
            from_body: Some(replication_from_body),
            ..def(
                OBJECT_REPLICATION,
                "Microsoft.Storage/storageAccounts/objectReplicationPolicies",
                "2025-01-01",
                REPLICATION,
                IdRule::Paired {
                    source_arg: "source_storage_account_id",
                    destination_arg: "destination_storage_account_id",
                    segment: "objectReplicationPolicies",
                },
            )
        },
    ]
}

//! `azurerm_monitor_diagnostic_setting`: an extension resource on any
//! other (`{target}/providers/Microsoft.Insights/diagnosticSettings/{name}`),
//! which azurerm identifies as `{target}|{name}` (its import id too).

use super::common::NAME;
use super::repeated::{self, Rep};
use crate::lang::Value;
use crate::provider::ArgProblem;
use crate::provider::azure::convert::{Arg, Kind, arg};
use crate::provider::azure::typedef::{Attrs, IdRule, TypeDef, def};

pub(super) const TYPE: &str = "azurerm_monitor_diagnostic_setting";

const LOG: &[Arg] = &[
    arg("category", "category", Kind::Str),
    arg("category_group", "categoryGroup", Kind::Str),
];
const METRIC: &[Arg] = &[arg("category", "category", Kind::Str).req()];
/// Each block is one enabled entry of ARM's `logs` / `metrics`.
const REPS: &[Rep] = &[
    Rep {
        fixed: &[("enabled", "true")],
        ..repeated::rep("enabled_log", "properties.logs", LOG)
    },
    Rep {
        fixed: &[("enabled", "true")],
        ..repeated::rep("enabled_metric", "properties.metrics", METRIC)
    },
];

/// The repeated blocks, for the coverage test.
pub(super) fn reps(ty: &str) -> &'static [&'static [Rep]] {
    match ty {
        TYPE => &[REPS],
        _ => &[],
    }
}

const ARGS: &[Arg] = &[
    NAME,
    arg("target_resource_id", "", Kind::Str).req().force_new(),
    arg(
        "log_analytics_workspace_id",
        "properties.workspaceId",
        Kind::Str,
    ),
    arg(
        "log_analytics_destination_type",
        "properties.logAnalyticsDestinationType",
        Kind::Str,
    )
    .computed(),
    arg(
        "storage_account_id",
        "properties.storageAccountId",
        Kind::Str,
    ),
    arg(
        "eventhub_authorization_rule_id",
        "properties.eventHubAuthorizationRuleId",
        Kind::Str,
    ),
    arg("eventhub_name", "properties.eventHubName", Kind::Str),
    arg(
        "partner_solution_id",
        "properties.marketplacePartnerId",
        Kind::Str,
    ),
    arg("enabled_log", "", Kind::Blocks),
    arg("enabled_metric", "", Kind::Blocks),
    // Refused in `check` with the reason (azurerm 3.x blocks).
    arg("log", "", Kind::Blocks),
    arg("metric", "", Kind::Blocks),
];

const DESTINATIONS: &[&str] = &[
    "log_analytics_workspace_id",
    "storage_account_id",
    "eventhub_authorization_rule_id",
    "partner_solution_id",
];

fn to_body(a: &Attrs, body: &mut serde_json::Value) {
    repeated::write(REPS, a, body);
}

fn from_body(body: &serde_json::Value, a: &mut Attrs) {
    // Only enabled entries are blocks (Azure may list disabled ones).
    let mut enabled = body.clone();
    for k in ["logs", "metrics"] {
        if let Some(xs) = enabled["properties"][k].as_array_mut() {
            xs.retain(|x| x["enabled"].as_bool() != Some(false));
            for x in xs.iter_mut().filter_map(serde_json::Value::as_object_mut) {
                // Azure leaves out the field not used, or sends it null.
                x.retain(|_, v| !v.is_null());
            }
        }
    }
    repeated::read(REPS, &enabled, a);
}

fn set(a: &Attrs, k: &str) -> bool {
    a.get(k)
        .is_some_and(|v| !v.is_null() && !v.as_seq().is_some_and(<[Value]>::is_empty))
}

pub(super) fn check(ty: &str, a: &Attrs, out: &mut Vec<ArgProblem>) {
    if ty != TYPE {
        return;
    }
    repeated::check(REPS, a, "", out);
    repeated::refuse(
        a,
        "log",
        "azurerm 4.x removed the `log` block; write `enabled_log { category = ... }` (or `category_group`)",
        out,
    );
    repeated::refuse(
        a,
        "metric",
        "the `metric` block is deprecated in azurerm 4.x; write `enabled_metric { category = ... }` for each enabled metric category",
        out,
    );
    if !DESTINATIONS.iter().any(|d| set(a, d)) && !a.values().any(Value::is_unknown) {
        out.push(ArgProblem {
            argument: None,
            summary: "Missing destination".into(),
            detail: "At least one of `eventhub_authorization_rule_id`, `log_analytics_workspace_id`, `partner_solution_id` and `storage_account_id` must be specified (as azurerm requires).".into(),
        });
    }
    if set(a, "eventhub_name") && !set(a, "eventhub_authorization_rule_id") {
        out.push(ArgProblem {
            argument: Some("eventhub_name".into()),
            summary: "Missing event hub namespace".into(),
            detail: "`eventhub_name` needs `eventhub_authorization_rule_id` (the namespace's authorization rule).".into(),
        });
    }
    if !set(a, "enabled_log") && !set(a, "enabled_metric") {
        out.push(ArgProblem {
            argument: None,
            summary: "Nothing to send".into(),
            detail: "At least one `enabled_log` or `enabled_metric` block must be specified (as azurerm requires).".into(),
        });
    }
    for b in repeated::blocks(a, "enabled_log") {
        let has = |k: &str| b.get(k).is_some_and(|v| !v.is_null());
        if has("category") == has("category_group") {
            out.push(ArgProblem {
                argument: Some("enabled_log".into()),
                summary: "Invalid enabled_log".into(),
                detail: "Exactly one of `category` and `category_group` must be specified in an `enabled_log` block.".into(),
            });
        }
    }
}

pub(super) fn defs() -> Vec<TypeDef> {
    vec![TypeDef {
        to_body: Some(to_body),
        from_body: Some(from_body),
        ..def(
            TYPE,
            "Microsoft.Insights/diagnosticSettings",
            "2021-05-01-preview",
            ARGS,
            IdRule::Piped {
                target_arg: "target_resource_id",
                path: "providers/Microsoft.Insights/diagnosticSettings",
            },
        )
    }]
}

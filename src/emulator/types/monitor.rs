//! Microsoft.Insights alerting: action groups, metric alert rules and
//! activity log alert rules. All three are synchronous in Azure (PUT
//! answers 200/201 with the rule); the rules refer to action groups and
//! to the resources they watch, which must exist.

use serde_json::{Value as J, json};

use super::*;

const ACTION_GROUP_VERSIONS: &[&str] = &["2023-01-01", "2022-06-01", "2021-09-01", "2019-06-01"];
const METRIC_ALERT_VERSIONS: &[&str] = &["2018-03-01", "2024-03-01-preview"];
const ACTIVITY_ALERT_VERSIONS: &[&str] = &["2020-10-01", "2023-01-01-preview", "2017-04-01"];

/// Alert rule and action group names: 1-260 characters, none of ARM's
/// reserved ones, not ending in a space or a period.
fn rule_name(n: &str) -> Result<(), InvalidName> {
    let bad = |c: char| "<>*%{}&:\\?+/#|".contains(c) || c.is_control();
    if n.is_empty() || n.chars().count() > 260 || n.chars().any(bad) || n.ends_with([' ', '.']) {
        return Err(InvalidName(format!(
            "The name '{n}' is not valid: use 1-260 characters, none of <>*%{{}}&:\\?+/#| or control characters, not ending in a space or a period."
        )));
    }
    Ok(())
}

fn invalid(code: &str, msg: impl Into<String>, target: &str) -> ArmError {
    ArmError::bad_request(code, msg).with_target(target)
}

fn location_in(body: &J, allowed: &[&str], what: &str) -> Result<(), ArmError> {
    let loc = body
        .get("location")
        .and_then(J::as_str)
        .unwrap_or_default()
        .to_lowercase()
        .replace(' ', "");
    if allowed.contains(&loc.as_str()) {
        return Ok(());
    }
    Err(invalid(
        "LocationNotAvailableForResourceType",
        format!(
            "The provided location '{loc}' is not available for {what}. Available locations: '{}'.",
            allowed.join(",")
        ),
        "location",
    ))
}

fn bool_prop(body: &J, key: &str, default: Option<bool>) -> Result<bool, ArmError> {
    match prop(body, &[key]) {
        Some(J::Bool(b)) => Ok(*b),
        None | Some(J::Null) => default.ok_or_else(|| {
            invalid(
                "InvalidRequestContent",
                format!("The property 'properties.{key}' is required."),
                &format!("properties.{key}"),
            )
        }),
        Some(v) => Err(invalid(
            "InvalidRequestContent",
            format!(
                "'properties.{key}' must be true or false, not {}.",
                quoted(v)
            ),
            &format!("properties.{key}"),
        )),
    }
}

/// An id a rule refers to that must name something that exists.
fn must_exist(ctx: &Ctx, id: &str, what: &str, target: &str) -> Result<(), ArmError> {
    if ctx.get(id)?.is_none() {
        return Err(invalid(
            "ResourceNotFound",
            format!("The {what} '{id}' was not found."),
            target,
        ));
    }
    Ok(())
}

// ---- action groups ----

/// Receiver arrays, with the fields each receiver must have.
const RECEIVERS: &[(&str, &[&str])] = &[
    ("emailReceivers", &["emailAddress"]),
    ("smsReceivers", &["countryCode", "phoneNumber"]),
    ("webhookReceivers", &["serviceUri"]),
    (
        "itsmReceivers",
        &[
            "workspaceId",
            "connectionId",
            "ticketConfiguration",
            "region",
        ],
    ),
    ("azureAppPushReceivers", &["emailAddress"]),
    (
        "automationRunbookReceivers",
        &[
            "automationAccountId",
            "runbookName",
            "webhookResourceId",
            "isGlobalRunbook",
        ],
    ),
    ("voiceReceivers", &["countryCode", "phoneNumber"]),
    ("logicAppReceivers", &["resourceId", "callbackUrl"]),
    (
        "azureFunctionReceivers",
        &["functionAppResourceId", "functionName", "httpTriggerUrl"],
    ),
    ("armRoleReceivers", &["roleId"]),
    (
        "eventHubReceivers",
        &["eventHubNameSpace", "eventHubName", "subscriptionId"],
    ),
];

/// Receivers with `useCommonAlertSchema` (false when not sent).
const COMMON_SCHEMA: &[&str] = &[
    "emailReceivers",
    "webhookReceivers",
    "automationRunbookReceivers",
    "logicAppReceivers",
    "azureFunctionReceivers",
    "armRoleReceivers",
    "eventHubReceivers",
];

fn check_action_group(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    location_in(body, &["global"], "action groups")?;
    let short = str_prop(body, &["groupShortName"]).unwrap_or_default();
    if short.is_empty() || short.chars().count() > 12 {
        return Err(invalid(
            "InvalidRequestContent",
            format!("'properties.groupShortName' must be 1-12 characters, not '{short}'."),
            "properties.groupShortName",
        ));
    }
    bool_prop(body, "enabled", None)?;
    let tenant = ctx.caller.creds.tenant_id.clone();
    let mut names = std::collections::BTreeSet::new();
    let p = props(body);
    for (key, fields) in RECEIVERS {
        let Some(list) = p.get_mut(*key).filter(|v| !v.is_null()) else {
            p.insert(key.to_string(), json!([]));
            continue;
        };
        let Some(items) = list.as_array_mut() else {
            return Err(invalid(
                "InvalidRequestContent",
                format!("'properties.{key}' must be an array."),
                &format!("properties.{key}"),
            ));
        };
        for (i, r) in items.iter_mut().enumerate() {
            let target = format!("properties.{key}[{i}]");
            let name = r
                .get("name")
                .and_then(J::as_str)
                .unwrap_or_default()
                .to_string();
            if name.is_empty() {
                return Err(invalid(
                    "InvalidRequestContent",
                    format!("'{target}.name' is required."),
                    &target,
                ));
            }
            if !names.insert(name.to_lowercase()) {
                return Err(invalid(
                    "ReceiverNameNotUnique",
                    format!(
                        "The receiver name '{name}' is used more than once: every receiver of an action group needs its own name."
                    ),
                    &target,
                ));
            }
            for f in *fields {
                if r.get(*f).is_none_or(J::is_null) {
                    return Err(invalid(
                        "InvalidRequestContent",
                        format!("'{target}.{f}' is required."),
                        &target,
                    ));
                }
            }
            if COMMON_SCHEMA.contains(key) && r.get("useCommonAlertSchema").is_none_or(J::is_null) {
                r["useCommonAlertSchema"] = json!(false);
            }
            match *key {
                "emailReceivers" | "smsReceivers" => r["status"] = json!("Enabled"),
                "webhookReceivers" if r.get("useAadAuth").is_none_or(J::is_null) => {
                    r["useAadAuth"] = json!(false)
                }
                "webhookReceivers" if r["useAadAuth"] == json!(true) => {
                    if r.get("objectId").is_none_or(J::is_null) {
                        return Err(invalid(
                            "InvalidRequestContent",
                            format!("'{target}.objectId' is required with useAadAuth."),
                            &target,
                        ));
                    }
                    if r.get("tenantId").is_none_or(J::is_null) {
                        r["tenantId"] = json!(tenant);
                    }
                }
                "eventHubReceivers" if r.get("tenantId").is_none_or(J::is_null) => {
                    r["tenantId"] = json!(tenant)
                }
                _ => {}
            }
        }
    }
    Ok(Write::body(body.clone()))
}

// ---- metric alerts ----

const FREQUENCIES: &[&str] = &["PT1M", "PT5M", "PT15M", "PT30M", "PT1H"];
const WINDOWS: &[&str] = &[
    "PT1M", "PT5M", "PT15M", "PT30M", "PT1H", "PT6H", "PT12H", "P1D",
];
const SINGLE: &str = "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria";
const MULTIPLE: &str = "Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria";
const WEB_TEST: &str = "Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria";

fn scopes(body: &J) -> Result<Vec<String>, ArmError> {
    let list: Vec<String> = prop(body, &["scopes"])
        .and_then(J::as_array)
        .map(|xs| {
            xs.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if list.is_empty() {
        return Err(invalid(
            "InvalidRequestContent",
            "'properties.scopes' must list at least one resource id.",
            "properties.scopes",
        ));
    }
    Ok(list)
}

fn action_groups_exist(ctx: &Ctx, actions: Option<&J>, target: &str) -> Result<(), ArmError> {
    for (i, a) in actions
        .and_then(J::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let id = a
            .get("actionGroupId")
            .and_then(J::as_str)
            .unwrap_or_default();
        if id.is_empty() {
            return Err(invalid(
                "InvalidRequestContent",
                format!("'{target}[{i}].actionGroupId' is required."),
                target,
            ));
        }
        must_exist(
            ctx,
            id,
            "action group",
            &format!("{target}[{i}].actionGroupId"),
        )?;
    }
    Ok(())
}

fn check_metric_alert(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    location_in(body, &["global"], "metric alert rules")?;
    let severity = int_prop(body, &["severity"], 0, 4)?;
    if severity.is_none() {
        return Err(invalid(
            "InvalidRequestContent",
            "'properties.severity' (0-4) is required.",
            "properties.severity",
        ));
    }
    bool_prop(body, "enabled", None)?;
    let auto = bool_prop(body, "autoMitigate", Some(true))?;
    for (key, allowed) in [
        ("evaluationFrequency", FREQUENCIES),
        ("windowSize", WINDOWS),
    ] {
        let v = str_prop(body, &[key]).unwrap_or_default();
        // ISO 8601 durations are read without regard to case: the spec's
        // own example sends "Pt1m".
        if !allowed.iter().any(|a| a.eq_ignore_ascii_case(v)) {
            return Err(invalid(
                "InvalidRequestContent",
                format!(
                    "'properties.{key}' must be one of {}, not '{v}'.",
                    allowed.join(", ")
                ),
                &format!("properties.{key}"),
            ));
        }
    }
    let scopes = scopes(body)?;
    for (i, s) in scopes.iter().enumerate() {
        must_exist(ctx, s, "scope", &format!("properties.scopes[{i}]"))?;
    }
    let odata = prop(body, &["criteria", "odata.type"])
        .and_then(J::as_str)
        .unwrap_or_default()
        .to_string();
    match odata.as_str() {
        SINGLE | MULTIPLE => {
            let all = prop(body, &["criteria", "allOf"])
                .and_then(J::as_array)
                .cloned()
                .unwrap_or_default();
            if all.is_empty() {
                return Err(invalid(
                    "InvalidRequestContent",
                    "'properties.criteria.allOf' needs at least one criterion.",
                    "properties.criteria.allOf",
                ));
            }
            for (i, c) in all.iter().enumerate() {
                for f in [
                    "name",
                    "metricName",
                    "operator",
                    "timeAggregation",
                    "criterionType",
                ] {
                    if c.get(f).is_none_or(J::is_null) {
                        return Err(invalid(
                            "InvalidRequestContent",
                            format!("'properties.criteria.allOf[{i}].{f}' is required."),
                            "properties.criteria.allOf",
                        ));
                    }
                }
            }
            if odata == SINGLE && scopes.len() != 1 {
                return Err(invalid(
                    "BadRequest",
                    "SingleResourceMultipleMetricCriteria watches exactly one resource: use MultipleResourceMultipleMetricCriteria for several scopes.",
                    "properties.criteria",
                ));
            }
        }
        WEB_TEST => {}
        other => {
            return Err(invalid(
                "InvalidRequestContent",
                format!("'properties.criteria.odata.type' '{other}' is not a known criteria type."),
                "properties.criteria",
            ));
        }
    }
    // Several resources: their type and region must be named.
    if scopes.len() > 1
        && (str_prop(body, &["targetResourceType"]).is_none()
            || str_prop(body, &["targetResourceRegion"]).is_none())
    {
        return Err(invalid(
            "BadRequest",
            "A rule over several resources needs targetResourceType and targetResourceRegion.",
            "properties.targetResourceType",
        ));
    }
    action_groups_exist(ctx, prop(body, &["actions"]), "properties.actions")?;
    let p = props(body);
    p.insert("autoMitigate".into(), json!(auto));
    if p.get("actions").is_none_or(J::is_null) {
        p.insert("actions".into(), json!([]));
    }
    p.insert("isMigrated".into(), json!(false));
    p.insert(
        "lastUpdatedTime".into(),
        json!(crate::timefmt::rfc3339(ctx.now)),
    );
    Ok(Write::body(body.clone()))
}

// ---- activity log alerts ----

fn check_activity_alert(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    location_in(
        body,
        &["global", "westeurope", "northeurope"],
        "activity log alert rules",
    )?;
    scopes(body)?;
    let enabled = bool_prop(body, "enabled", Some(true))?;
    let all = prop(body, &["condition", "allOf"])
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default();
    if !all.iter().any(|c| {
        c.get("field")
            .and_then(J::as_str)
            .is_some_and(|f| f.eq_ignore_ascii_case("category"))
    }) {
        return Err(invalid(
            "BadRequest",
            "The condition must include a 'category' field condition.",
            "properties.condition.allOf",
        ));
    }
    if prop(body, &["actions"]).is_none_or(J::is_null) {
        return Err(invalid(
            "InvalidRequestContent",
            "'properties.actions' is required.",
            "properties.actions",
        ));
    }
    action_groups_exist(
        ctx,
        prop(body, &["actions", "actionGroups"]),
        "properties.actions.actionGroups",
    )?;
    let p = props(body);
    p.insert("enabled".into(), json!(enabled));
    Ok(Write::body(body.clone()))
}

pub fn specs() -> Vec<Spec> {
    let spec = |ty, versions, check| Spec {
        located: true,
        ..Spec::plain(ty, versions, rule_name, check)
    };
    vec![
        spec(
            "Microsoft.Insights/actionGroups",
            ACTION_GROUP_VERSIONS,
            check_action_group,
        ),
        spec(
            "Microsoft.Insights/metricAlerts",
            METRIC_ALERT_VERSIONS,
            check_metric_alert,
        ),
        spec(
            "Microsoft.Insights/activityLogAlerts",
            ACTIVITY_ALERT_VERSIONS,
            check_activity_alert,
        ),
    ]
}

/// The body of a Log Analytics workspace's `sharedKeys` (and
/// `regenerateSharedKey`): `SharedKeys`.
pub fn shared_keys_body(keys: &[String]) -> J {
    json!({
        "primarySharedKey": keys.first().cloned().unwrap_or_default(),
        "secondarySharedKey": keys.get(1).cloned().unwrap_or_default(),
    })
}

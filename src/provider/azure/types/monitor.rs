//! Azure Monitor alerting: action groups, metric alert rules and activity
//! log alert rules (the DR plan's step 10 turns each site's rules on or
//! off with the site's role). Receivers, criteria and actions are
//! repeated blocks (`repeated.rs`).

use std::collections::BTreeMap;

use serde_json::{Value as J, json};

use super::common::{NAME, RG, TAGS};
use super::repeated::{self, Rep, rep};
use crate::lang::Value;
use crate::provider::ArgProblem;
use crate::provider::azure::convert::{self, Arg, Conv, Kind, arg};
use crate::provider::azure::typedef::{Attrs, IdRule, TypeDef, def};

const USE_COMMON: Arg = arg(
    "use_common_alert_schema",
    "useCommonAlertSchema",
    Kind::Bool,
)
.computed();
const RNAME: Arg = arg("name", "name", Kind::Str).req();

// ---- action groups ----
const EMAIL: &[Arg] = &[
    RNAME,
    arg("email_address", "emailAddress", Kind::Str).req(),
    USE_COMMON,
];
const AAD_AUTH: &[Arg] = &[
    arg("object_id", "objectId", Kind::Str).req(),
    arg("identifier_uri", "identifierUri", Kind::Str).computed(),
    arg("tenant_id", "tenantId", Kind::Str).computed(),
];
const WEBHOOK: &[Arg] = &[
    RNAME,
    arg("service_uri", "serviceUri", Kind::Str).req(),
    USE_COMMON,
    // Flattened into the receiver (useAadAuth and its three fields).
    arg("aad_auth", "", Kind::Block(AAD_AUTH)),
];
const PHONE: &[Arg] = &[
    RNAME,
    arg("country_code", "countryCode", Kind::Str).req(),
    arg("phone_number", "phoneNumber", Kind::Str).req(),
];
const ARM_ROLE: &[Arg] = &[RNAME, arg("role_id", "roleId", Kind::Str).req(), USE_COMMON];
const APP_PUSH: &[Arg] = &[RNAME, arg("email_address", "emailAddress", Kind::Str).req()];
const FUNCTION: &[Arg] = &[
    RNAME,
    arg(
        "function_app_resource_id",
        "functionAppResourceId",
        Kind::Str,
    )
    .req(),
    arg("function_name", "functionName", Kind::Str).req(),
    arg("http_trigger_url", "httpTriggerUrl", Kind::Str).req(),
    USE_COMMON,
];
const LOGIC_APP: &[Arg] = &[
    RNAME,
    arg("resource_id", "resourceId", Kind::Str).req(),
    arg("callback_url", "callbackUrl", Kind::Str).req(),
    USE_COMMON,
];
const RUNBOOK: &[Arg] = &[
    RNAME,
    arg("automation_account_id", "automationAccountId", Kind::Str).req(),
    arg("runbook_name", "runbookName", Kind::Str).req(),
    arg("webhook_resource_id", "webhookResourceId", Kind::Str).req(),
    arg("is_global_runbook", "isGlobalRunbook", Kind::Bool).req(),
    arg("service_uri", "serviceUri", Kind::Str).req(),
    USE_COMMON,
];
const ITSM: &[Arg] = &[
    RNAME,
    arg("workspace_id", "workspaceId", Kind::Str).req(),
    arg("connection_id", "connectionId", Kind::Str).req(),
    arg("ticket_configuration", "ticketConfiguration", Kind::Str).req(),
    arg("region", "region", Kind::Str).req(),
];
const EVENT_HUB: &[Arg] = &[
    RNAME,
    arg("event_hub_namespace", "eventHubNameSpace", Kind::Str).req(),
    arg("event_hub_name", "eventHubName", Kind::Str).req(),
    arg("subscription_id", "subscriptionId", Kind::Str).computed(),
    arg("tenant_id", "tenantId", Kind::Str).computed(),
    USE_COMMON,
];

const RECEIVERS: &[Rep] = &[
    rep("email_receiver", "properties.emailReceivers", EMAIL),
    rep("webhook_receiver", "properties.webhookReceivers", WEBHOOK),
    rep("sms_receiver", "properties.smsReceivers", PHONE),
    rep("voice_receiver", "properties.voiceReceivers", PHONE),
    rep("arm_role_receiver", "properties.armRoleReceivers", ARM_ROLE),
    rep(
        "azure_app_push_receiver",
        "properties.azureAppPushReceivers",
        APP_PUSH,
    ),
    rep(
        "azure_function_receiver",
        "properties.azureFunctionReceivers",
        FUNCTION,
    ),
    rep(
        "logic_app_receiver",
        "properties.logicAppReceivers",
        LOGIC_APP,
    ),
    rep(
        "automation_runbook_receiver",
        "properties.automationRunbookReceivers",
        RUNBOOK,
    ),
    rep("itsm_receiver", "properties.itsmReceivers", ITSM),
    rep(
        "event_hub_receiver",
        "properties.eventHubReceivers",
        EVENT_HUB,
    ),
];

const ACTION_GROUP: &[Arg] = &[
    NAME,
    RG,
    // azurerm's default is "global"; regional action groups exist too.
    arg("location", "location", Kind::Str)
        .computed()
        .force_new()
        .conv(Conv::Location),
    arg("short_name", "properties.groupShortName", Kind::Str).req(),
    arg("enabled", "properties.enabled", Kind::Bool).computed(),
    arg("email_receiver", "", Kind::Blocks),
    arg("webhook_receiver", "", Kind::Blocks),
    arg("sms_receiver", "", Kind::Blocks),
    arg("voice_receiver", "", Kind::Blocks),
    arg("arm_role_receiver", "", Kind::Blocks),
    arg("azure_app_push_receiver", "", Kind::Blocks),
    arg("azure_function_receiver", "", Kind::Blocks),
    arg("logic_app_receiver", "", Kind::Blocks),
    arg("automation_runbook_receiver", "", Kind::Blocks),
    arg("itsm_receiver", "", Kind::Blocks),
    arg("event_hub_receiver", "", Kind::Blocks),
    TAGS,
];

fn default_to(body: &mut J, path: &str, v: J) {
    if convert::get_path(body, path).is_none_or(J::is_null) {
        convert::set_path(body, path, v);
    }
}

fn action_group_to_body(a: &Attrs, body: &mut J) {
    default_to(body, "location", json!("global"));
    default_to(body, "properties.enabled", json!(true));
    repeated::write(RECEIVERS, a, body);
    // A webhook's `aad_auth` block is flat in the receiver.
    let hooks = repeated::blocks(a, "webhook_receiver");
    if let Some(els) = body["properties"]["webhookReceivers"].as_array_mut() {
        for (el, hook) in els.iter_mut().zip(hooks) {
            let aad = hook
                .get("aad_auth")
                .and_then(Value::as_seq)
                .and_then(|s| s.first())
                .and_then(Value::as_mapping);
            el["useAadAuth"] = json!(aad.is_some());
            if let Some(aad) = aad {
                convert::write_args(AAD_AUTH, aad, el, true);
            }
        }
    }
}

fn action_group_from_body(body: &J, a: &mut Attrs) {
    repeated::read(RECEIVERS, body, a);
    let els = body["properties"]["webhookReceivers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if let Some(Value::List(hooks)) = a.get_mut("webhook_receiver") {
        for (hook, el) in hooks.iter_mut().zip(&els) {
            if let Value::Object(m) = hook {
                let aad = if el["useAadAuth"].as_bool() == Some(true) {
                    let mut inner = BTreeMap::new();
                    convert::read_args(AAD_AUTH, el, &mut inner);
                    vec![Value::Object(inner)]
                } else {
                    vec![]
                };
                m.insert("aad_auth".into(), Value::List(aad));
            }
        }
    }
}

// ---- metric alerts ----
const DIMENSION: &[Arg] = &[
    RNAME,
    arg("operator", "operator", Kind::Str).req(),
    arg("values", "values", Kind::StrList).req(),
];
const DIMENSIONS: &[Rep] = &[rep("dimension", "dimensions", DIMENSION)];
const CRITERION: &[Arg] = &[
    arg("metric_namespace", "metricNamespace", Kind::Str).req(),
    arg("metric_name", "metricName", Kind::Str).req(),
    arg("aggregation", "timeAggregation", Kind::Str).req(),
    arg("operator", "operator", Kind::Str).req(),
    arg("threshold", "threshold", Kind::Num).req(),
    arg("dimension", "", Kind::Blocks),
    arg("skip_metric_validation", "skipMetricValidation", Kind::Bool).computed(),
];
const DYNAMIC: &[Arg] = &[
    arg("metric_namespace", "metricNamespace", Kind::Str).req(),
    arg("metric_name", "metricName", Kind::Str).req(),
    arg("aggregation", "timeAggregation", Kind::Str).req(),
    arg("operator", "operator", Kind::Str).req(),
    arg("alert_sensitivity", "alertSensitivity", Kind::Str).req(),
    arg("dimension", "", Kind::Blocks),
    arg(
        "evaluation_total_count",
        "failingPeriods.numberOfEvaluationPeriods",
        Kind::Num,
    )
    .computed(),
    arg(
        "evaluation_failure_count",
        "failingPeriods.minFailingPeriodsToAlert",
        Kind::Num,
    )
    .computed(),
    arg("ignore_data_before", "ignoreDataBefore", Kind::Str),
    arg("skip_metric_validation", "skipMetricValidation", Kind::Bool).computed(),
];
const WEB_TEST: &[Arg] = &[
    arg("web_test_id", "webTestId", Kind::Str).req(),
    arg("component_id", "componentId", Kind::Str).req(),
    arg("failed_location_count", "failedLocationCount", Kind::Num).req(),
];
const ACTION: &[Arg] = &[
    arg("action_group_id", "actionGroupId", Kind::Str).req(),
    arg("webhook_properties", "webHookProperties", Kind::StrMap),
];
const METRIC_ACTIONS: &[Rep] = &[rep("action", "properties.actions", ACTION)];
const CRITERIA: &[Rep] = &[Rep {
    nested: DIMENSIONS,
    ..rep("criteria", "allOf", CRITERION)
}];
const WEB_TEST_BLOCK: &str = "application_insights_web_test_location_availability_criteria";

const METRIC_ALERT: &[Arg] = &[
    NAME,
    RG,
    arg("scopes", "properties.scopes", Kind::StrList).req(),
    arg("criteria", "", Kind::Blocks),
    arg("dynamic_criteria", "", Kind::Block(DYNAMIC)),
    arg(WEB_TEST_BLOCK, "", Kind::Block(WEB_TEST)),
    arg("action", "", Kind::Blocks),
    arg("auto_mitigate", "properties.autoMitigate", Kind::Bool).computed(),
    arg("description", "properties.description", Kind::Str),
    arg("enabled", "properties.enabled", Kind::Bool).computed(),
    arg("frequency", "properties.evaluationFrequency", Kind::Str).computed(),
    arg("severity", "properties.severity", Kind::Num).computed(),
    arg(
        "target_resource_type",
        "properties.targetResourceType",
        Kind::Str,
    )
    .computed(),
    arg(
        "target_resource_location",
        "properties.targetResourceRegion",
        Kind::Str,
    )
    .computed()
    .conv(Conv::Location),
    arg("window_size", "properties.windowSize", Kind::Str).computed(),
    TAGS,
];

const SINGLE: &str = "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria";
const MULTIPLE: &str = "Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria";
const WEB_TEST_TYPE: &str = "Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria";

fn first_block<'a>(a: &'a Attrs, name: &str) -> Option<&'a BTreeMap<String, Value>> {
    repeated::blocks(a, name).into_iter().next()
}

fn metric_alert_to_body(a: &Attrs, body: &mut J) {
    body["location"] = json!("global");
    // azurerm's defaults, which ARM requires.
    default_to(body, "properties.enabled", json!(true));
    default_to(body, "properties.autoMitigate", json!(true));
    default_to(body, "properties.severity", json!(3));
    default_to(body, "properties.evaluationFrequency", json!("PT1M"));
    default_to(body, "properties.windowSize", json!("PT5M"));
    repeated::write(METRIC_ACTIONS, a, body);
    if let Some(w) = first_block(a, WEB_TEST_BLOCK) {
        let mut c = json!({"odata.type": WEB_TEST_TYPE});
        convert::write_args(WEB_TEST, w, &mut c, true);
        body["properties"]["criteria"] = c;
        return;
    }
    let mut all: Vec<J> = repeated::elements(&CRITERIA[0], a)
        .into_iter()
        .map(|mut el| {
            el["criterionType"] = json!("StaticThresholdCriterion");
            el
        })
        .collect();
    let dynamic = first_block(a, "dynamic_criteria");
    if let Some(d) = dynamic {
        let mut el = json!({"criterionType": "DynamicThresholdCriterion"});
        convert::write_args(DYNAMIC, d, &mut el, true);
        repeated::write(DIMENSIONS, d, &mut el);
        default_to(
            &mut el,
            "failingPeriods.numberOfEvaluationPeriods",
            json!(4),
        );
        default_to(&mut el, "failingPeriods.minFailingPeriodsToAlert", json!(4));
        all.push(el);
    }
    for (i, el) in all.iter_mut().enumerate() {
        el["name"] = json!(format!("Metric{}", i + 1));
    }
    let scopes = a
        .get("scopes")
        .and_then(Value::as_seq)
        .map_or(0, <[Value]>::len);
    let odata = if scopes == 1 && dynamic.is_none() {
        SINGLE
    } else {
        MULTIPLE
    };
    body["properties"]["criteria"] = json!({"odata.type": odata, "allOf": all});
}

fn metric_alert_from_body(body: &J, a: &mut Attrs) {
    repeated::read(METRIC_ACTIONS, body, a);
    let criteria = &body["properties"]["criteria"];
    let mut web_test = vec![];
    if criteria["odata.type"].as_str() == Some(WEB_TEST_TYPE) {
        let mut m = BTreeMap::new();
        convert::read_args(WEB_TEST, criteria, &mut m);
        web_test.push(Value::Object(m));
    }
    a.insert(WEB_TEST_BLOCK.into(), Value::List(web_test));
    let all = criteria["allOf"].as_array().cloned().unwrap_or_default();
    let (mut statics, mut dynamics) = (vec![], vec![]);
    for el in &all {
        let mut m = BTreeMap::new();
        let dynamic = el["criterionType"].as_str() == Some("DynamicThresholdCriterion");
        convert::read_args(if dynamic { DYNAMIC } else { CRITERION }, el, &mut m);
        repeated::read(DIMENSIONS, el, &mut m);
        if dynamic {
            dynamics.push(Value::Object(m));
        } else {
            statics.push(Value::Object(m));
        }
    }
    a.insert("criteria".into(), Value::List(statics));
    a.insert("dynamic_criteria".into(), Value::List(dynamics));
}

// ---- activity log alerts ----
/// azurerm's criteria arguments and the condition field each is: one
/// value (`equals`) or several (`containsAny`).
const FIELDS: &[(&str, &str, bool)] = &[
    ("category", "category", false),
    ("operation_name", "operationName", false),
    ("caller", "caller", false),
    ("level", "level", false),
    ("levels", "level", true),
    ("status", "status", false),
    ("statuses", "status", true),
    ("sub_status", "subStatus", false),
    ("sub_statuses", "subStatus", true),
    ("resource_provider", "resourceProvider", false),
    ("resource_providers", "resourceProvider", true),
    ("resource_type", "resourceType", false),
    ("resource_types", "resourceType", true),
    ("resource_group", "resourceGroup", false),
    ("resource_groups", "resourceGroup", true),
    ("resource_id", "resourceId", false),
    ("resource_ids", "resourceId", true),
    (
        "recommendation_type",
        "properties.recommendationType",
        false,
    ),
    (
        "recommendation_category",
        "properties.recommendationCategory",
        false,
    ),
    (
        "recommendation_impact",
        "properties.recommendationImpact",
        false,
    ),
];
const ACTIVITY_CRITERIA: &[Arg] = &[
    arg("category", "", Kind::Str).req(),
    arg("operation_name", "", Kind::Str),
    arg("caller", "", Kind::Str),
    arg("level", "", Kind::Str),
    arg("levels", "", Kind::StrList),
    arg("status", "", Kind::Str),
    arg("statuses", "", Kind::StrList),
    arg("sub_status", "", Kind::Str),
    arg("sub_statuses", "", Kind::StrList),
    arg("resource_provider", "", Kind::Str),
    arg("resource_providers", "", Kind::StrList),
    arg("resource_type", "", Kind::Str),
    arg("resource_types", "", Kind::StrList),
    arg("resource_group", "", Kind::Str),
    arg("resource_groups", "", Kind::StrList),
    arg("resource_id", "", Kind::Str),
    arg("resource_ids", "", Kind::StrList),
    arg("recommendation_type", "", Kind::Str),
    arg("recommendation_category", "", Kind::Str),
    arg("recommendation_impact", "", Kind::Str),
    // Refused with a reason in `check`.
    arg("service_health", "", Kind::Blocks),
    arg("resource_health", "", Kind::Blocks),
];
const ACTIVITY_ACTION: &[Arg] = &[
    arg("action_group_id", "actionGroupId", Kind::Str).req(),
    arg("webhook_properties", "webhookProperties", Kind::StrMap),
];
const ACTIVITY_ACTIONS: &[Rep] = &[rep(
    "action",
    "properties.actions.actionGroups",
    ACTIVITY_ACTION,
)];
const ACTIVITY_ALERT: &[Arg] = &[
    NAME,
    RG,
    arg("location", "location", Kind::Str)
        .req()
        .force_new()
        .conv(Conv::Location),
    arg("scopes", "properties.scopes", Kind::StrList).req(),
    arg("criteria", "", Kind::Block(ACTIVITY_CRITERIA)).req(),
    arg("action", "", Kind::Blocks),
    arg("enabled", "properties.enabled", Kind::Bool).computed(),
    arg("description", "properties.description", Kind::Str),
    TAGS,
];

fn activity_alert_to_body(a: &Attrs, body: &mut J) {
    default_to(body, "properties.enabled", json!(true));
    repeated::write(ACTIVITY_ACTIONS, a, body);
    let mut all = vec![];
    if let Some(c) = first_block(a, "criteria") {
        for (name, field, many) in FIELDS {
            let Some(v) = c.get(*name).filter(|v| !v.is_null()) else {
                continue;
            };
            let v = v.unmark().0.to_json();
            all.push(if *many {
                json!({"field": field, "containsAny": v})
            } else {
                json!({"field": field, "equals": v})
            });
        }
    }
    body["properties"]["condition"] = json!({"allOf": all});
}

fn activity_alert_from_body(body: &J, a: &mut Attrs) {
    repeated::read(ACTIVITY_ACTIONS, body, a);
    let mut m: BTreeMap<String, Value> = ACTIVITY_CRITERIA
        .iter()
        .map(|x| {
            let empty = if x.kind == Kind::Blocks {
                Value::List(vec![])
            } else {
                Value::Null
            };
            (x.name.to_string(), empty)
        })
        .collect();
    let all = body["properties"]["condition"]["allOf"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for el in &all {
        let field = el["field"].as_str().unwrap_or_default();
        let many = el.get("containsAny").is_some_and(|v| !v.is_null());
        if let Some((name, ..)) = FIELDS
            .iter()
            .find(|(_, f, plural)| f.eq_ignore_ascii_case(field) && *plural == many)
        {
            let v = if many {
                Value::List(
                    el["containsAny"]
                        .as_array()
                        .map(|xs| xs.iter().map(Value::from_json).collect())
                        .unwrap_or_default(),
                )
            } else {
                Value::from_json(&el["equals"])
            };
            m.insert(name.to_string(), v);
        }
    }
    a.insert(
        "criteria".into(),
        Value::List(if all.is_empty() {
            vec![]
        } else {
            vec![Value::Object(m)]
        }),
    );
}

/// The repeated blocks each type maps.
pub(super) fn reps(ty: &str) -> &'static [&'static [Rep]] {
    match ty {
        "azurerm_monitor_action_group" => &[RECEIVERS],
        "azurerm_monitor_metric_alert" => &[METRIC_ACTIONS, CRITERIA, DIMENSIONS],
        "azurerm_monitor_activity_log_alert" => &[ACTIVITY_ACTIONS],
        _ => &[],
    }
}

/// Checks the repeated blocks' arguments, and refuses what drinfra does
/// not map, with the reason.
pub(super) fn check(ty: &str, a: &Attrs, out: &mut Vec<ArgProblem>) {
    match ty {
        "azurerm_monitor_action_group" => repeated::check(RECEIVERS, a, "", out),
        "azurerm_monitor_metric_alert" => {
            repeated::check(METRIC_ACTIONS, a, "", out);
            repeated::check(CRITERIA, a, "", out);
            if let Some(d) = first_block(a, "dynamic_criteria") {
                repeated::check(DIMENSIONS, d, "dynamic_criteria.", out);
            }
            let kinds = ["criteria", "dynamic_criteria", WEB_TEST_BLOCK]
                .iter()
                .filter(|k| !repeated::blocks(a, k).is_empty())
                .count();
            if kinds == 0 || (first_block(a, WEB_TEST_BLOCK).is_some() && kinds > 1) {
                out.push(ArgProblem {
                    argument: None,
                    summary: "Invalid combination of arguments".into(),
                    detail: format!("a metric alert needs \"criteria\" or \"dynamic_criteria\" blocks, or one {WEB_TEST_BLOCK:?} block alone."),
                });
            }
        }
        "azurerm_monitor_activity_log_alert" => {
            repeated::check(ACTIVITY_ACTIONS, a, "", out);
            if let Some(c) = first_block(a, "criteria") {
                for nested in ["service_health", "resource_health"] {
                    repeated::refuse(
                        c,
                        nested,
                        "service and resource health conditions are not mapped yet (declare such a rule with azapi, or manage it outside drinfra)",
                        out,
                    );
                }
            }
        }
        _ => {}
    }
}

pub(super) fn defs() -> Vec<TypeDef> {
    vec![
        TypeDef {
            to_body: Some(action_group_to_body),
            from_body: Some(action_group_from_body),
            ..def(
                "azurerm_monitor_action_group",
                "Microsoft.Insights/actionGroups",
                "2023-01-01",
                ACTION_GROUP,
                IdRule::InGroup,
            )
        },
        TypeDef {
            to_body: Some(metric_alert_to_body),
            from_body: Some(metric_alert_from_body),
            ..def(
                "azurerm_monitor_metric_alert",
                "Microsoft.Insights/metricAlerts",
                "2018-03-01",
                METRIC_ALERT,
                IdRule::InGroup,
            )
        },
        TypeDef {
            to_body: Some(activity_alert_to_body),
            from_body: Some(activity_alert_from_body),
            ..def(
                "azurerm_monitor_activity_log_alert",
                "Microsoft.Insights/activityLogAlerts",
                "2020-10-01",
                ACTIVITY_ALERT,
                IdRule::InGroup,
            )
        },
    ]
}

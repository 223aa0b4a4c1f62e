//! `azurerm_cdn_frontdoor_rule`: a rule of a Front Door rule set. Its
//! `conditions` and `actions` blocks hold one repeated block per kind
//! (`url_path_condition`, `url_redirect_action`, ...); each element is one
//! entry of ARM's `conditions` / `actions` arrays, `{name, parameters:
//! {typeName, ...}}`. The kinds mapped are in the tables below; the others
//! are refused with the reason (docs/azurerm-coverage.md).

use serde_json::{Map, Value as J, json};

use super::common::NAME;
use super::repeated;
use crate::lang::Value;
use crate::provider::ArgProblem;
use crate::provider::azure::convert::{self, Arg, Kind, arg};
use crate::provider::azure::typedef::{Attrs, IdRule, TypeDef, def};

pub(super) const TYPE: &str = "azurerm_cdn_frontdoor_rule";

#[derive(Clone, Copy)]
enum F {
    Str,
    Bool,
    List,
    /// HCL bool <-> `"Enabled"` / `"Disabled"`.
    Enabled,
    /// list of strings <-> one comma-separated string.
    Joined,
}

/// One argument of a condition or action block and where it sits in the
/// element's `parameters`, with azurerm's default (JSON) when left out.
struct Field {
    hcl: &'static str,
    arm: &'static str,
    f: F,
    default: Option<&'static str>,
    required: bool,
}

/// The `conditions` and `actions` blocks with the kinds they hold, as the
/// coverage test reads a type's blocks (the kinds' fields are not `Arg`s).
pub(super) fn blocks(ty: &str) -> Vec<super::RepeatedBlock> {
    if ty != TYPE {
        return Vec::new();
    }
    let kinds = |items: &[Item]| {
        items
            .iter()
            .map(|i| super::RepeatedBlock {
                name: i.block,
                args: &[],
                nested: Vec::new(),
            })
            .collect()
    };
    vec![
        super::RepeatedBlock {
            name: "conditions",
            args: &[],
            nested: kinds(CONDITIONS),
        },
        super::RepeatedBlock {
            name: "actions",
            args: &[],
            nested: kinds(ACTIONS),
        },
    ]
}

const fn field(hcl: &'static str, arm: &'static str, f: F) -> Field {
    Field {
        hcl,
        arm,
        f,
        default: None,
        required: false,
    }
}

const fn with_default(mut x: Field, d: &'static str) -> Field {
    x.default = Some(d);
    x
}

const fn required(mut x: Field) -> Field {
    x.required = true;
    x
}

/// A kind of condition or action: its block, ARM's name and typeName.
struct Item {
    block: &'static str,
    arm: &'static str,
    type_name: &'static str,
    fields: &'static [Field],
}

const NEGATE: Field = with_default(
    field("negate_condition", "negateCondition", F::Bool),
    "false",
);
const VALUES: Field = field("match_values", "matchValues", F::List);
const TRANSFORMS: Field = with_default(field("transforms", "transforms", F::List), "[]");
const OPERATOR: Field = required(field("operator", "operator", F::Str));
const MATCH: &[Field] = &[OPERATOR, NEGATE, VALUES, TRANSFORMS];

const CONDITIONS: &[Item] = &[
    Item {
        block: "remote_address_condition",
        arm: "RemoteAddress",
        type_name: "DeliveryRuleRemoteAddressConditionParameters",
        fields: &[
            with_default(field("operator", "operator", F::Str), "\"IPMatch\""),
            NEGATE,
            VALUES,
        ],
    },
    Item {
        block: "request_uri_condition",
        arm: "RequestUri",
        type_name: "DeliveryRuleRequestUriConditionParameters",
        fields: MATCH,
    },
    Item {
        block: "url_path_condition",
        arm: "UrlPath",
        type_name: "DeliveryRuleUrlPathMatchConditionParameters",
        fields: MATCH,
    },
    Item {
        block: "request_header_condition",
        arm: "RequestHeader",
        type_name: "DeliveryRuleRequestHeaderConditionParameters",
        fields: &[
            required(field("header_name", "selector", F::Str)),
            OPERATOR,
            NEGATE,
            VALUES,
            TRANSFORMS,
        ],
    },
    Item {
        block: "host_name_condition",
        arm: "HostName",
        type_name: "DeliveryRuleHostNameConditionParameters",
        fields: MATCH,
    },
    Item {
        block: "query_string_condition",
        arm: "QueryString",
        type_name: "DeliveryRuleQueryStringConditionParameters",
        fields: MATCH,
    },
    Item {
        block: "url_file_extension_condition",
        arm: "UrlFileExtension",
        type_name: "DeliveryRuleUrlFileExtensionMatchConditionParameters",
        fields: MATCH,
    },
    Item {
        block: "request_method_condition",
        arm: "RequestMethod",
        type_name: "DeliveryRuleRequestMethodConditionParameters",
        fields: &[
            with_default(field("operator", "operator", F::Str), "\"Equal\""),
            NEGATE,
            required(VALUES),
        ],
    },
    Item {
        block: "request_scheme_condition",
        arm: "RequestScheme",
        type_name: "DeliveryRuleRequestSchemeConditionParameters",
        fields: &[
            with_default(field("operator", "operator", F::Str), "\"Equal\""),
            NEGATE,
            with_default(VALUES, "[\"HTTP\"]"),
        ],
    },
];

const HEADER: &[Field] = &[
    required(field("header_action", "headerAction", F::Str)),
    required(field("header_name", "headerName", F::Str)),
    field("value", "value", F::Str),
];

const ACTIONS: &[Item] = &[
    Item {
        block: "url_redirect_action",
        arm: "UrlRedirect",
        type_name: "DeliveryRuleUrlRedirectActionParameters",
        fields: &[
            required(field("redirect_type", "redirectType", F::Str)),
            with_default(
                field("redirect_protocol", "destinationProtocol", F::Str),
                "\"MatchRequest\"",
            ),
            with_default(field("destination_path", "customPath", F::Str), "\"\""),
            required(field("destination_hostname", "customHostname", F::Str)),
            with_default(field("query_string", "customQueryString", F::Str), "\"\""),
            with_default(
                field("destination_fragment", "customFragment", F::Str),
                "\"\"",
            ),
        ],
    },
    Item {
        block: "url_rewrite_action",
        arm: "UrlRewrite",
        type_name: "DeliveryRuleUrlRewriteActionParameters",
        fields: &[
            required(field("source_pattern", "sourcePattern", F::Str)),
            required(field("destination", "destination", F::Str)),
            with_default(
                field("preserve_unmatched_path", "preserveUnmatchedPath", F::Bool),
                "false",
            ),
        ],
    },
    Item {
        block: "request_header_action",
        arm: "ModifyRequestHeader",
        type_name: "DeliveryRuleHeaderActionParameters",
        fields: HEADER,
    },
    Item {
        block: "response_header_action",
        arm: "ModifyResponseHeader",
        type_name: "DeliveryRuleHeaderActionParameters",
        fields: HEADER,
    },
    Item {
        block: "route_configuration_override_action",
        arm: "RouteConfigurationOverride",
        type_name: "DeliveryRuleRouteConfigurationOverrideActionParameters",
        fields: &[
            field(
                "cdn_frontdoor_origin_group_id",
                "originGroupOverride.originGroup.id",
                F::Str,
            ),
            field(
                "forwarding_protocol",
                "originGroupOverride.forwardingProtocol",
                F::Str,
            ),
            field(
                "query_string_caching_behavior",
                "cacheConfiguration.queryStringCachingBehavior",
                F::Str,
            ),
            field(
                "query_string_parameters",
                "cacheConfiguration.queryParameters",
                F::Joined,
            ),
            field(
                "compression_enabled",
                "cacheConfiguration.isCompressionEnabled",
                F::Enabled,
            ),
            field("cache_behavior", "cacheConfiguration.cacheBehavior", F::Str),
            field("cache_duration", "cacheConfiguration.cacheDuration", F::Str),
        ],
    },
];

/// Kinds azurerm documents that drinfra does not map yet, with why.
const REFUSED_CONDITIONS: &[&str] = &[
    "post_args_condition",
    "request_body_condition",
    "cookies_condition",
    "url_filename_condition",
    "http_version_condition",
    "is_device_condition",
    "socket_address_condition",
    "client_port_condition",
    "server_port_condition",
    "ssl_protocol_condition",
];

const ARGS: &[Arg] = &[
    NAME,
    arg("cdn_frontdoor_rule_set_id", "", Kind::Str)
        .req()
        .force_new(),
    arg("order", "properties.order", Kind::Num).req(),
    arg(
        "behavior_on_match",
        "properties.matchProcessingBehavior",
        Kind::Str,
    )
    .default("\"Continue\""),
    arg("conditions", "", Kind::Blocks),
    arg("actions", "", Kind::Blocks).req(),
    arg("cdn_frontdoor_rule_set_name", "", Kind::Str).read_only(),
];

fn to_arm(f: F, v: &Value) -> J {
    let j = v.unmark().0.to_json();
    match f {
        F::Enabled => match j {
            J::Bool(b) => json!(if b { "Enabled" } else { "Disabled" }),
            other => other,
        },
        F::Joined => match j {
            J::Array(xs) => json!(
                xs.iter()
                    .filter_map(J::as_str)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            other => other,
        },
        _ => j,
    }
}

fn from_arm(f: F, j: &J) -> J {
    match f {
        F::Enabled => match j.as_str() {
            Some(s) => json!(s.eq_ignore_ascii_case("Enabled")),
            None => j.clone(),
        },
        F::Joined => match j.as_str() {
            Some(s) => json!(
                s.split(',')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .collect::<Vec<_>>()
            ),
            None => j.clone(),
        },
        F::List if j.is_null() => json!([]),
        _ => j.clone(),
    }
}

/// The ARM entries of one `conditions` or `actions` block.
fn entries(a: &Attrs, block: &str, items: &[Item]) -> Vec<J> {
    let Some(outer) = repeated::blocks(a, block).into_iter().next() else {
        return vec![];
    };
    let mut out = vec![];
    for item in items {
        for el in repeated::blocks(outer, item.block) {
            let mut params = json!({"typeName": item.type_name});
            for f in item.fields {
                let v = match el.get(f.hcl).filter(|v| !v.is_null()) {
                    Some(v) => to_arm(f.f, v),
                    None => match f.default.and_then(|d| serde_json::from_str(d).ok()) {
                        Some(d) => d,
                        None => continue,
                    },
                };
                convert::set_path(&mut params, f.arm, v);
            }
            out.push(json!({"name": item.arm, "parameters": params}));
        }
    }
    out
}

/// One `conditions` / `actions` block from ARM's entries (kinds not
/// mapped are not read).
fn block_of(entries: &[J], items: &[Item]) -> Value {
    let mut m: Map<String, J> = Map::new();
    for e in entries {
        let Some(item) = items.iter().find(|i| {
            e["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(i.arm))
        }) else {
            continue;
        };
        let mut el = Map::new();
        for f in item.fields {
            let v = convert::get_path(&e["parameters"], f.arm).unwrap_or(&J::Null);
            el.insert(f.hcl.into(), from_arm(f.f, v));
        }
        if let Some(xs) = m
            .entry(item.block.to_string())
            .or_insert(J::Array(vec![]))
            .as_array_mut()
        {
            xs.push(J::Object(el));
        }
    }
    if m.is_empty() {
        return Value::List(vec![]);
    }
    Value::from_json(&json!([m]))
}

fn to_body(a: &Attrs, body: &mut J) {
    body["properties"]["conditions"] = J::Array(entries(a, "conditions", CONDITIONS));
    body["properties"]["actions"] = J::Array(entries(a, "actions", ACTIONS));
}

fn from_body(body: &J, a: &mut Attrs) {
    let list = |k: &str| {
        body["properties"][k]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    a.insert(
        "conditions".into(),
        block_of(&list("conditions"), CONDITIONS),
    );
    a.insert("actions".into(), block_of(&list("actions"), ACTIONS));
    let set = body["properties"]["ruleSetName"]
        .as_str()
        .map(str::to_string)
        .or_else(|| {
            body["id"].as_str().and_then(|id| {
                let parts: Vec<&str> = id.split('/').collect();
                parts
                    .iter()
                    .position(|p| p.eq_ignore_ascii_case("ruleSets"))
                    .and_then(|i| parts.get(i + 1))
                    .map(|s| s.to_string())
            })
        });
    a.insert(
        "cdn_frontdoor_rule_set_name".into(),
        set.map(Value::String).unwrap_or(Value::Null),
    );
}

fn problem(path: String, summary: &str, detail: String) -> ArgProblem {
    ArgProblem {
        argument: Some(path),
        summary: summary.into(),
        detail,
    }
}

/// Holds each condition and action block to its table.
fn check_items(
    a: &Attrs,
    block: &str,
    items: &[Item],
    refused: &[&str],
    out: &mut Vec<ArgProblem>,
) {
    for outer in repeated::blocks(a, block) {
        for (k, v) in outer {
            if v.is_null() || v.as_seq().is_some_and(<[Value]>::is_empty) {
                continue;
            }
            if refused.contains(&k.as_str()) {
                out.push(problem(
                    format!("{block}.{k}"),
                    "Unsupported argument",
                    format!("drinfra does not map the Front Door rule {block} kind {k:?} yet; manage this rule with azapi or outside drinfra."),
                ));
                continue;
            }
            let Some(item) = items.iter().find(|i| i.block == k) else {
                out.push(problem(
                    format!("{block}.{k}"),
                    "Unsupported argument",
                    format!("{k:?} is not a Front Door rule {block} kind azurerm documents."),
                ));
                continue;
            };
            for el in repeated::blocks(outer, k) {
                for name in el.keys() {
                    if !item.fields.iter().any(|f| f.hcl == name) {
                        out.push(problem(
                            format!("{block}.{k}.{name}"),
                            "Unsupported argument",
                            format!("drinfra does not support the argument {name:?} in {k:?} (yet); it is not silently ignored."),
                        ));
                    }
                }
                for f in item.fields.iter().filter(|f| f.required) {
                    if el.get(f.hcl).is_none_or(Value::is_null) {
                        out.push(problem(
                            format!("{block}.{k}"),
                            "Missing required argument",
                            format!(
                                "The argument \"{block}.{k}.{}\" is required, but no definition was found.",
                                f.hcl
                            ),
                        ));
                    }
                }
            }
        }
    }
}

pub(super) fn check(ty: &str, a: &Attrs, out: &mut Vec<ArgProblem>) {
    if ty != TYPE {
        return;
    }
    check_items(a, "conditions", CONDITIONS, REFUSED_CONDITIONS, out);
    check_items(a, "actions", ACTIONS, &[], out);
    if let Some(override_) = repeated::blocks(a, "actions")
        .into_iter()
        .next()
        .map(|b| repeated::blocks(b, "route_configuration_override_action"))
    {
        for el in override_ {
            let has = |k: &str| el.get(k).is_some_and(|v| !v.is_null());
            if has("cdn_frontdoor_origin_group_id") != has("forwarding_protocol") {
                out.push(problem(
                    "actions.route_configuration_override_action".into(),
                    "Invalid route configuration override",
                    "`cdn_frontdoor_origin_group_id` and `forwarding_protocol` are set together (as azurerm requires).".into(),
                ));
            }
        }
    }
}

const ASSOCIATION: &[Arg] = &[
    arg("cdn_frontdoor_custom_domain_id", "", Kind::Str)
        .req()
        .force_new(),
    arg("cdn_frontdoor_route_ids", "", Kind::StrList).req(),
];

pub(super) fn defs() -> Vec<TypeDef> {
    vec![
        // Written by hand (`frontdoor_association.rs`): it changes routes.
        def(
            "azurerm_cdn_frontdoor_custom_domain_association",
            "Microsoft.Cdn/profiles/associations",
            "2025-06-01",
            ASSOCIATION,
            IdRule::Renamed {
                arg: "cdn_frontdoor_custom_domain_id",
                from: "customDomains",
                to: "associations",
            },
        ),
        TypeDef {
            to_body: Some(to_body),
            from_body: Some(from_body),
            ..def(
                TYPE,
                "Microsoft.Cdn/profiles/ruleSets/rules",
                "2025-06-01",
                ARGS,
                IdRule::Child {
                    parent_arg: "cdn_frontdoor_rule_set_id",
                    segment: "rules",
                },
            )
        },
    ]
}

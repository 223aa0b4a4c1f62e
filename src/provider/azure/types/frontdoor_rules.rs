//! `azurerm_cdn_frontdoor_rule`: a rule of a Front Door rule set. Its
//! `conditions` and `actions` blocks hold one repeated block per kind
//! (`url_path_condition`, `url_redirect_action`, ...); each element is one
//! entry of ARM's `conditions` / `actions` arrays, `{name, parameters:
//! {typeName, ...}}`. Every 4.x kind azurerm documents is in the tables
//! below, with the operators and match values azurerm accepts for it.

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

/// A kind of condition or action: its block, ARM's name and typeName, and
/// for a condition the operators and match values azurerm accepts (empty:
/// any).
struct Item {
    block: &'static str,
    arm: &'static str,
    type_name: &'static str,
    fields: &'static [Field],
    ops: &'static [&'static str],
    values: &'static [&'static str],
    /// How many match values azurerm takes.
    max_values: usize,
}

/// A kind with, for a condition, azurerm's ten general operators and any
/// match values (actions have neither).
const fn kind(
    block: &'static str,
    arm: &'static str,
    type_name: &'static str,
    fields: &'static [Field],
) -> Item {
    Item {
        block,
        arm,
        type_name,
        fields,
        ops: OPERATORS,
        values: &[],
        max_values: 25,
    }
}

/// azurerm's condition operators for a URL path: the general ten and
/// `Wildcard`.
const PATH_OPERATORS: &[&str] = &[
    "Any",
    "BeginsWith",
    "Contains",
    "EndsWith",
    "Equal",
    "GreaterThan",
    "GreaterThanOrEqual",
    "LessThan",
    "LessThanOrEqual",
    "RegEx",
    "Wildcard",
];
/// azurerm's general condition operators (the API's QueryStringOperator).
const OPERATORS: &[&str] = PATH_OPERATORS.split_at(10).0;
const EQUAL_ONLY: &[&str] = &["Equal"];
/// The transforms azurerm accepts (the API's Transform enum).
const TRANSFORMS_ALLOWED: &[&str] = &[
    "Lowercase",
    "RemoveNulls",
    "Trim",
    "Uppercase",
    "UrlDecode",
    "UrlEncode",
];

const NEGATE: Field = with_default(
    field("negate_condition", "negateCondition", F::Bool),
    "false",
);
const VALUES: Field = field("match_values", "matchValues", F::List);
const TRANSFORMS: Field = with_default(field("transforms", "transforms", F::List), "[]");
const OPERATOR: Field = required(field("operator", "operator", F::Str));
const MATCH: &[Field] = &[OPERATOR, NEGATE, VALUES, TRANSFORMS];
/// Kinds whose only operator is `Equal`, azurerm's default for them.
const EQUAL: Field = with_default(field("operator", "operator", F::Str), "\"Equal\"");
/// `match_values` azurerm requires.
const VALUES_REQUIRED: &[Field] = &[OPERATOR, NEGATE, required(VALUES), TRANSFORMS];
const EQUAL_VALUES: &[Field] = &[EQUAL, NEGATE, required(VALUES)];
/// `post_args_name` / `cookie_name`: ARM's `selector`.
const fn selected(name: &'static str) -> [Field; 5] {
    [
        required(field(name, "selector", F::Str)),
        OPERATOR,
        NEGATE,
        VALUES,
        TRANSFORMS,
    ]
}

const CONDITIONS: &[Item] = &[
    Item {
        ops: &["Any", "GeoMatch", "IPMatch"],
        ..kind(
            "remote_address_condition",
            "RemoteAddress",
            "DeliveryRuleRemoteAddressConditionParameters",
            &[
                with_default(field("operator", "operator", F::Str), "\"IPMatch\""),
                NEGATE,
                VALUES,
            ],
        )
    },
    kind(
        "request_uri_condition",
        "RequestUri",
        "DeliveryRuleRequestUriConditionParameters",
        MATCH,
    ),
    Item {
        ops: PATH_OPERATORS,
        ..kind(
            "url_path_condition",
            "UrlPath",
            "DeliveryRuleUrlPathMatchConditionParameters",
            MATCH,
        )
    },
    kind(
        "request_header_condition",
        "RequestHeader",
        "DeliveryRuleRequestHeaderConditionParameters",
        &selected("header_name"),
    ),
    kind(
        "host_name_condition",
        "HostName",
        "DeliveryRuleHostNameConditionParameters",
        MATCH,
    ),
    kind(
        "query_string_condition",
        "QueryString",
        "DeliveryRuleQueryStringConditionParameters",
        MATCH,
    ),
    kind(
        "url_file_extension_condition",
        "UrlFileExtension",
        "DeliveryRuleUrlFileExtensionMatchConditionParameters",
        VALUES_REQUIRED,
    ),
    Item {
        ops: EQUAL_ONLY,
        values: &["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "TRACE"],
        max_values: 7,
        ..kind(
            "request_method_condition",
            "RequestMethod",
            "DeliveryRuleRequestMethodConditionParameters",
            EQUAL_VALUES,
        )
    },
    Item {
        ops: EQUAL_ONLY,
        values: &["HTTP", "HTTPS"],
        max_values: 1,
        ..kind(
            "request_scheme_condition",
            "RequestScheme",
            "DeliveryRuleRequestSchemeConditionParameters",
            &[EQUAL, NEGATE, with_default(VALUES, "[\"HTTP\"]")],
        )
    },
    kind(
        "post_args_condition",
        "PostArgs",
        "DeliveryRulePostArgsConditionParameters",
        &selected("post_args_name"),
    ),
    kind(
        "request_body_condition",
        "RequestBody",
        "DeliveryRuleRequestBodyConditionParameters",
        VALUES_REQUIRED,
    ),
    kind(
        "cookies_condition",
        "Cookies",
        "DeliveryRuleCookiesConditionParameters",
        &selected("cookie_name"),
    ),
    kind(
        "url_filename_condition",
        "UrlFileName",
        "DeliveryRuleUrlFilenameConditionParameters",
        MATCH,
    ),
    Item {
        ops: EQUAL_ONLY,
        values: &["2.0", "1.1", "1.0", "0.9"],
        max_values: 4,
        ..kind(
            "http_version_condition",
            "HttpVersion",
            "DeliveryRuleHttpVersionConditionParameters",
            EQUAL_VALUES,
        )
    },
    Item {
        ops: EQUAL_ONLY,
        values: &["Desktop", "Mobile"],
        max_values: 1,
        ..kind(
            "is_device_condition",
            "IsDevice",
            "DeliveryRuleIsDeviceConditionParameters",
            &[EQUAL, NEGATE, VALUES],
        )
    },
    Item {
        ops: &["Any", "IPMatch"],
        ..kind(
            "socket_address_condition",
            "SocketAddr",
            "DeliveryRuleSocketAddrConditionParameters",
            &[
                with_default(field("operator", "operator", F::Str), "\"IPMatch\""),
                NEGATE,
                VALUES,
            ],
        )
    },
    kind(
        "client_port_condition",
        "ClientPort",
        "DeliveryRuleClientPortConditionParameters",
        &[OPERATOR, NEGATE, VALUES],
    ),
    Item {
        values: &["80", "443"],
        max_values: 2,
        ..kind(
            "server_port_condition",
            "ServerPort",
            "DeliveryRuleServerPortConditionParameters",
            &[OPERATOR, NEGATE, required(VALUES)],
        )
    },
    Item {
        ops: EQUAL_ONLY,
        values: &["TLSv1", "TLSv1.1", "TLSv1.2"],
        max_values: 3,
        ..kind(
            "ssl_protocol_condition",
            "SslProtocol",
            "DeliveryRuleSslProtocolConditionParameters",
            EQUAL_VALUES,
        )
    },
];

const HEADER: &[Field] = &[
    required(field("header_action", "headerAction", F::Str)),
    required(field("header_name", "headerName", F::Str)),
    field("value", "value", F::Str),
];

const ACTIONS: &[Item] = &[
    kind(
        "url_redirect_action",
        "UrlRedirect",
        "DeliveryRuleUrlRedirectActionParameters",
        &[
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
    ),
    kind(
        "url_rewrite_action",
        "UrlRewrite",
        "DeliveryRuleUrlRewriteActionParameters",
        &[
            required(field("source_pattern", "sourcePattern", F::Str)),
            required(field("destination", "destination", F::Str)),
            with_default(
                field("preserve_unmatched_path", "preserveUnmatchedPath", F::Bool),
                "false",
            ),
        ],
    ),
    kind(
        "request_header_action",
        "ModifyRequestHeader",
        "DeliveryRuleHeaderActionParameters",
        HEADER,
    ),
    kind(
        "response_header_action",
        "ModifyResponseHeader",
        "DeliveryRuleHeaderActionParameters",
        HEADER,
    ),
    kind(
        "route_configuration_override_action",
        "RouteConfigurationOverride",
        "DeliveryRuleRouteConfigurationOverrideActionParameters",
        &[
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
    ),
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

fn text(v: &Value) -> Option<&str> {
    match v.unmark().0 {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn seq<'a>(el: &'a Attrs, k: &str) -> &'a [Value] {
    el.get(k).and_then(|v| v.as_seq()).unwrap_or_default()
}

/// azurerm's `expected ... to be one of [...], got ...`.
fn not_one_of(at: String, allowed: &[&str], got: &str) -> ArgProblem {
    let list: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
    problem(
        at.clone(),
        "Invalid value",
        format!("expected {at} to be one of [{}], got {got}", list.join(" ")),
    )
}

/// A condition's operator and match values as azurerm checks them: each
/// from the kind's list, and no match values with the operator `Any`
/// (`at`: the element's path, `conditions.0.cookies_condition.0`).
fn check_match(item: &Item, el: &Attrs, at: &str, out: &mut Vec<ArgProblem>) {
    let op = el.get("operator").and_then(text);
    if let Some(op) = op
        && !item.ops.is_empty()
        && !item.ops.contains(&op)
    {
        out.push(not_one_of(format!("{at}.operator"), item.ops, op));
    }
    let values = seq(el, "match_values");
    if !item.values.is_empty() {
        for (i, v) in values.iter().enumerate() {
            if let Some(s) = text(v)
                && !item.values.contains(&s)
            {
                out.push(not_one_of(format!("{at}.match_values.{i}"), item.values, s));
            }
        }
    }
    for (name, len, max) in [
        ("match_values", values.len(), item.max_values),
        ("transforms", seq(el, "transforms").len(), 4),
    ] {
        if len > max {
            out.push(problem(
                format!("{at}.{name}"),
                "List longer than MaxItems",
                format!("Attribute supports {max} item maximum, config has {len} declared"),
            ));
        }
    }
    let transforms = seq(el, "transforms");
    for (i, v) in transforms.iter().enumerate() {
        if let Some(t) = text(v)
            && !TRANSFORMS_ALLOWED.contains(&t)
        {
            out.push(not_one_of(
                format!("{at}.transforms.{i}"),
                TRANSFORMS_ALLOWED,
                t,
            ));
        }
    }
    if op == Some("Any") && !values.is_empty() {
        out.push(problem(
            format!("{at}.match_values"),
            "Invalid condition",
            format!(
                "{:?} is invalid: the \"match_values\" field must not be set if the conditions \"operator\" is set to \"Any\"",
                item.block
            ),
        ));
    }
}

/// Holds each condition and action block to its table.
fn check_items(a: &Attrs, block: &str, items: &[Item], out: &mut Vec<ArgProblem>) {
    for outer in repeated::blocks(a, block) {
        for (k, v) in outer {
            if v.is_null() || v.as_seq().is_some_and(<[Value]>::is_empty) {
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
            for (i, el) in repeated::blocks(outer, k).into_iter().enumerate() {
                if block == "conditions" {
                    check_match(item, el, &format!("{block}.0.{k}.{i}"), out);
                }
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
    check_items(a, "conditions", CONDITIONS, out);
    check_items(a, "actions", ACTIONS, out);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule's `conditions` holding one block of `kind` with `fields`.
    fn rule(kind: &str, fields: &[(&str, Value)]) -> Attrs {
        let el: Attrs = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        let mut outer = Attrs::new();
        outer.insert(kind.into(), Value::List(vec![Value::Object(el)]));
        let mut a = Attrs::new();
        a.insert("conditions".into(), Value::List(vec![Value::Object(outer)]));
        a
    }

    fn s(x: &str) -> Value {
        Value::String(x.into())
    }

    fn list(xs: &[&str]) -> Value {
        Value::List(xs.iter().map(|x| s(x)).collect())
    }

    fn problems(a: &Attrs) -> Vec<String> {
        let mut out = vec![];
        check(TYPE, a, &mut out);
        out.into_iter().map(|p| p.detail).collect()
    }

    #[test]
    fn each_condition_kind_is_held_to_azurerms_operators_and_values() {
        let ok = rule(
            "socket_address_condition",
            &[("match_values", list(&["10.0.0.0/8"]))],
        );
        assert!(problems(&ok).is_empty(), "{:?}", problems(&ok));
        assert_eq!(
            problems(&rule(
                "ssl_protocol_condition",
                &[
                    ("operator", s("Contains")),
                    ("match_values", list(&["TLSv1.2"]))
                ]
            )),
            [
                r#"expected conditions.0.ssl_protocol_condition.0.operator to be one of ["Equal"], got Contains"#
            ]
        );
        assert_eq!(
            problems(&rule(
                "server_port_condition",
                &[
                    ("operator", s("Equal")),
                    ("match_values", list(&["443", "8080"]))
                ]
            )),
            [
                r#"expected conditions.0.server_port_condition.0.match_values.1 to be one of ["80" "443"], got 8080"#
            ]
        );
        assert_eq!(
            problems(&rule(
                "cookies_condition",
                &[
                    ("cookie_name", s("session")),
                    ("operator", s("Any")),
                    ("match_values", list(&["x"]))
                ]
            )),
            [
                r#""cookies_condition" is invalid: the "match_values" field must not be set if the conditions "operator" is set to "Any""#
            ]
        );
        assert_eq!(
            problems(&rule(
                "request_body_condition",
                &[
                    ("operator", s("Contains")),
                    ("match_values", list(&["x"])),
                    ("transforms", list(&["Trim", "lowercase"]))
                ]
            )),
            [
                r#"expected conditions.0.request_body_condition.0.transforms.1 to be one of ["Lowercase" "RemoveNulls" "Trim" "Uppercase" "UrlDecode" "UrlEncode"], got lowercase"#
            ]
        );
        assert_eq!(
            problems(&rule(
                "is_device_condition",
                &[("match_values", list(&["Mobile", "Desktop"]))]
            )),
            ["Attribute supports 1 item maximum, config has 2 declared"]
        );
        // The selector is required where azurerm requires it.
        assert_eq!(
            problems(&rule("post_args_condition", &[("operator", s("Any"))])),
            [
                r#"The argument "conditions.post_args_condition.post_args_name" is required, but no definition was found."#
            ]
        );
    }

    #[test]
    fn new_condition_kinds_round_trip_with_selectors_and_defaults() {
        let a = rule(
            "cookies_condition",
            &[
                ("cookie_name", s("session")),
                ("operator", s("BeginsWith")),
                ("match_values", list(&["abc"])),
            ],
        );
        let mut body = json!({"properties": {}});
        to_body(&a, &mut body);
        let c = &body["properties"]["conditions"][0];
        assert_eq!(c["name"], "Cookies");
        assert_eq!(
            c["parameters"],
            json!({"typeName": "DeliveryRuleCookiesConditionParameters", "selector": "session",
                   "operator": "BeginsWith", "negateCondition": false, "matchValues": ["abc"],
                   "transforms": []})
        );
        let mut back = Attrs::new();
        from_body(&body, &mut back);
        let el = &repeated::blocks(
            repeated::blocks(&back, "conditions")[0],
            "cookies_condition",
        )[0];
        assert_eq!(el.get("cookie_name"), Some(&s("session")));
        assert_eq!(el.get("negate_condition"), Some(&Value::Bool(false)));
        // An equal-only kind left without its operator sends azurerm's default.
        let a = rule(
            "is_device_condition",
            &[("match_values", list(&["Mobile"]))],
        );
        to_body(&a, &mut body);
        let c = &body["properties"]["conditions"][0];
        assert_eq!(c["name"], "IsDevice");
        assert_eq!(c["parameters"]["operator"], "Equal");
        assert_eq!(
            c["parameters"]["typeName"],
            "DeliveryRuleIsDeviceConditionParameters"
        );
    }
}

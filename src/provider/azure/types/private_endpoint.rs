//! `azurerm_private_endpoint` (Microsoft.Network/privateEndpoints): the
//! endpoint's body (its one service connection, automatic or manual, and
//! static IP configurations), and what azurerm shows beside it: the
//! network interface Azure makes (whose address is the connection's
//! `private_ip_address`) and the private DNS zone group, a child resource
//! (`privateDnsZoneGroups/{name}`) written after the endpoint. The
//! provider's `azure/private_endpoint.rs` reads and writes those two and
//! puts them into the body under [`ZONE_GROUPS_KEY`] and [`NIC_IP_KEY`]
//! before this table reads it.

use std::collections::BTreeMap;

use serde_json::{Value as J, json};

use super::common::{LOCATION, NAME, RG, TAGS};
use super::repeated::{self, Rep, rep};
use crate::lang::{Type, Value};
use crate::provider::ArgProblem;
use crate::provider::azure::convert::{self, Arg, Kind, arg};
use crate::provider::azure::typedef::{Attrs, IdRule, TypeDef, def};

pub const TYPE: &str = "azurerm_private_endpoint";
/// Where the provider puts the endpoint's zone groups (as ARM lists them).
pub const ZONE_GROUPS_KEY: &str = "privateDnsZoneGroups";
/// Where the provider puts the address of the endpoint's network interface.
pub const NIC_IP_KEY: &str = "networkInterfaceIp";

/// An alias names a private link service in another tenant; azurerm sends
/// it where an id goes and tells them apart by this suffix.
const ALIAS_SUFFIX: &str = ".azure.privatelinkservice";

const CONNECTION: &[Arg] = &[
    arg("name", "name", Kind::Str).req().force_new(),
    // Chooses the ARM array the connection is written to.
    arg("is_manual_connection", "", Kind::Bool)
        .req()
        .force_new(),
    arg(
        "private_connection_resource_id",
        "properties.privateLinkServiceId",
        Kind::Str,
    )
    .force_new(),
    arg("private_connection_resource_alias", "", Kind::Str).force_new(),
    arg("subresource_names", "properties.groupIds", Kind::StrList).force_new(),
    arg("request_message", "properties.requestMessage", Kind::Str),
    // From the network interface.
    arg("private_ip_address", "", Kind::Str).read_only(),
];
const IP_CONFIGURATION: &[Arg] = &[
    arg("name", "name", Kind::Str).req().force_new(),
    arg(
        "private_ip_address",
        "properties.privateIPAddress",
        Kind::Str,
    )
    .req()
    .force_new(),
    arg("subresource_name", "properties.groupId", Kind::Str).force_new(),
    arg("member_name", "properties.memberName", Kind::Str)
        .computed()
        .force_new(),
];
const ZONE_GROUP: &[Arg] = &[
    arg("name", "name", Kind::Str).req(),
    arg("private_dns_zone_ids", "", Kind::StrList).req(),
    arg("id", "id", Kind::Str).read_only(),
];
const CONNECTIONS: &[Rep] = &[rep(
    "private_service_connection",
    "properties.privateLinkServiceConnections",
    CONNECTION,
)];
const IP_CONFIGURATIONS: &[Rep] = &[rep(
    "ip_configuration",
    "properties.ipConfigurations",
    IP_CONFIGURATION,
)];
const ZONE_GROUPS: &[Rep] = &[rep("private_dns_zone_group", ZONE_GROUPS_KEY, ZONE_GROUP)];

const ENDPOINT: &[Arg] = &[
    NAME,
    RG,
    LOCATION,
    arg("subnet_id", "properties.subnet.id", Kind::Str)
        .req()
        .force_new(),
    arg(
        "custom_network_interface_name",
        "properties.customNetworkInterfaceName",
        Kind::Str,
    )
    .force_new(),
    arg("private_service_connection", "", Kind::Blocks).req(),
    // Every argument inside forces a new endpoint, so adding, removing or
    // changing a block does too (as azurerm plans it).
    arg("ip_configuration", "", Kind::Blocks).force_new(),
    arg("private_dns_zone_group", "", Kind::Blocks),
    arg("network_interface", "", Kind::Blocks).read_only(),
    arg("custom_dns_configs", "", Kind::Blocks).read_only(),
    arg("private_dns_zone_configs", "", Kind::Blocks).read_only(),
    // Refused in `check` with the reason.
    arg("edge_zone", "", Kind::Str),
    TAGS,
];

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

/// `{attribute: j[field]}` for each (attribute, field) pair, the strings
/// ARM leaves out empty, as azurerm flattens them.
pub fn texts(j: &J, fields: &[(&str, &str)]) -> BTreeMap<String, Value> {
    fields
        .iter()
        .map(|(k, f)| (k.to_string(), s(j[*f].as_str().unwrap_or_default())))
        .collect()
}

/// A JSON list of strings as a list value.
pub fn strings(j: &J) -> Value {
    Value::List(
        j.as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(s))
            .collect(),
    )
}

fn text(b: &BTreeMap<String, Value>, k: &str) -> Option<String> {
    match b.get(k).map(|v| v.unmark().0) {
        Some(Value::String(x)) if !x.is_empty() => Some(x.clone()),
        _ => None,
    }
}

fn endpoint_to_body(a: &Attrs, body: &mut J) {
    let (mut auto, mut manual) = (vec![], vec![]);
    for b in repeated::blocks(a, "private_service_connection") {
        let mut el = json!({});
        convert::write_args(CONNECTION, b, &mut el, true);
        if let Some(alias) = text(b, "private_connection_resource_alias") {
            el["properties"]["privateLinkServiceId"] = json!(alias);
        }
        let is_manual = matches!(
            b.get("is_manual_connection").map(|v| v.unmark().0),
            Some(Value::Bool(true))
        );
        if is_manual { &mut manual } else { &mut auto }.push(el);
    }
    convert::set_path(
        body,
        "properties.privateLinkServiceConnections",
        J::Array(auto),
    );
    convert::set_path(
        body,
        "properties.manualPrivateLinkServiceConnections",
        J::Array(manual),
    );
    // azurerm sends the sub-resource as the member name when none is given.
    let mut configs = repeated::elements(&IP_CONFIGURATIONS[0], a);
    for c in &mut configs {
        if c["properties"]["memberName"].is_null() && !c["properties"]["groupId"].is_null() {
            c["properties"]["memberName"] = c["properties"]["groupId"].clone();
        }
    }
    convert::set_path(body, "properties.ipConfigurations", J::Array(configs));
}

fn endpoint_from_body(body: &J, a: &mut Attrs) {
    let ip = body[NIC_IP_KEY].as_str().map(s).unwrap_or(Value::Null);
    let mut connections = vec![];
    for (key, is_manual) in [
        ("privateLinkServiceConnections", false),
        ("manualPrivateLinkServiceConnections", true),
    ] {
        for el in body["properties"][key].as_array().into_iter().flatten() {
            let mut m = BTreeMap::new();
            convert::read_args(CONNECTION, el, &mut m);
            m.insert("is_manual_connection".into(), Value::Bool(is_manual));
            m.insert("private_ip_address".into(), ip.clone());
            let target = el["properties"]["privateLinkServiceId"]
                .as_str()
                .unwrap_or_default();
            let (id, alias) = if target.ends_with(ALIAS_SUFFIX) {
                (Value::Null, s(target))
            } else {
                (s(target), Value::Null)
            };
            m.insert("private_connection_resource_id".into(), id);
            m.insert("private_connection_resource_alias".into(), alias);
            if !is_manual {
                m.insert("request_message".into(), Value::Null);
            }
            connections.push(Value::Object(m));
        }
    }
    a.insert(
        "private_service_connection".into(),
        Value::List(connections),
    );
    repeated::read(IP_CONFIGURATIONS, body, a);
    let nic = body["properties"]["networkInterfaces"][0]["id"]
        .as_str()
        .unwrap_or_default();
    let nics = if nic.is_empty() {
        vec![]
    } else {
        vec![Value::Object(BTreeMap::from([
            ("id".to_string(), s(nic)),
            (
                "name".to_string(),
                s(nic.rsplit('/').next().unwrap_or_default()),
            ),
        ]))]
    };
    a.insert("network_interface".into(), Value::List(nics));
    let dns = body["properties"]["customDnsConfigs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            Value::Object(BTreeMap::from([
                (
                    "fqdn".to_string(),
                    c["fqdn"].as_str().map(s).unwrap_or(Value::Null),
                ),
                ("ip_addresses".to_string(), strings(&c["ipAddresses"])),
            ]))
        })
        .collect();
    a.insert("custom_dns_configs".into(), Value::List(dns));
    // Absent (the groups were not read): state keeps what it recorded.
    if let Some(groups) = body[ZONE_GROUPS_KEY].as_array() {
        let (blocks, configs) = zone_groups(groups);
        a.insert("private_dns_zone_group".into(), Value::List(blocks));
        a.insert("private_dns_zone_configs".into(), Value::List(configs));
    }
}

/// The `private_dns_zone_group` blocks and the `private_dns_zone_configs`
/// the endpoint's zone groups make, as azurerm flattens them.
fn zone_groups(groups: &[J]) -> (Vec<Value>, Vec<Value>) {
    let (mut blocks, mut configs) = (vec![], vec![]);
    for g in groups {
        let gid = g["id"].as_str().unwrap_or_default();
        let mut zone_ids = vec![];
        for c in g["properties"]["privateDnsZoneConfigs"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let (Some(name), Some(zone)) = (
                c["name"].as_str(),
                c["properties"]["privateDnsZoneId"].as_str(),
            ) else {
                continue;
            };
            zone_ids.push(s(zone));
            let records = c["properties"]["recordSets"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    let mut m = texts(
                        r,
                        &[
                            ("name", "recordSetName"),
                            ("type", "recordType"),
                            ("fqdn", "fqdn"),
                        ],
                    );
                    m.insert(
                        "ttl".into(),
                        Value::Number(r["ttl"].as_f64().unwrap_or(0.0)),
                    );
                    m.insert("ip_addresses".into(), strings(&r["ipAddresses"]));
                    Value::Object(m)
                })
                .collect();
            configs.push(Value::Object(BTreeMap::from([
                (
                    "id".to_string(),
                    s(&format!("{gid}/privateDnsZoneConfigs/{name}")),
                ),
                ("name".to_string(), s(name)),
                ("private_dns_zone_id".to_string(), s(zone)),
                ("record_sets".to_string(), Value::List(records)),
            ])));
        }
        blocks.push(Value::Object(BTreeMap::from([
            ("id".to_string(), s(gid)),
            (
                "name".to_string(),
                s(g["name"].as_str().unwrap_or_default()),
            ),
            ("private_dns_zone_ids".to_string(), Value::List(zone_ids)),
        ])));
    }
    (blocks, configs)
}

/// The zone group the configuration (or state) asks for: its name and
/// zone ids.
pub fn wanted_zone_group(a: &Attrs) -> Option<(String, Vec<String>)> {
    let b = repeated::blocks(a, "private_dns_zone_group")
        .into_iter()
        .next()?;
    let ids = b
        .get("private_dns_zone_ids")
        .and_then(Value::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|v| match v.unmark().0 {
            Value::String(x) => Some(x.clone()),
            _ => None,
        })
        .collect();
    Some((text(b, "name")?, ids))
}

/// The ARM body of a zone group naming `zones` (azurerm names each config
/// after its zone).
pub fn zone_group_body(zones: &[String]) -> J {
    let configs: Vec<J> = zones
        .iter()
        .map(|z| {
            json!({
                "name": z.trim_end_matches('/').rsplit('/').next().unwrap_or_default(),
                "properties": {"privateDnsZoneId": z},
            })
        })
        .collect();
    json!({"properties": {"privateDnsZoneConfigs": configs}})
}

fn problem(argument: &str, summary: &str, detail: String) -> ArgProblem {
    ArgProblem {
        argument: Some(argument.to_string()),
        summary: summary.into(),
        detail,
    }
}

pub(super) fn check(ty: &str, a: &Attrs, out: &mut Vec<ArgProblem>) {
    if ty != TYPE {
        return;
    }
    repeated::refuse(a, "edge_zone", "Azure Extended Zones are not modelled", out);
    for reps in [CONNECTIONS, IP_CONFIGURATIONS, ZONE_GROUPS] {
        repeated::check(reps, a, "", out);
    }
    for single in ["private_service_connection", "private_dns_zone_group"] {
        if repeated::blocks(a, single).len() > 1 {
            out.push(problem(
                single,
                "Too many blocks",
                format!("At most one {single:?} block is allowed."),
            ));
        }
    }
    for b in repeated::blocks(a, "private_dns_zone_group") {
        if b.get("id").is_some_and(|v| !v.is_null()) {
            out.push(problem(
                "private_dns_zone_group.id",
                "Value for unconfigurable attribute",
                "\"id\" is computed by Azure and cannot be set.".into(),
            ));
        }
    }
    for b in repeated::blocks(a, "private_service_connection") {
        let at = |k: &str| format!("private_service_connection.{k}");
        if b.get("private_ip_address").is_some_and(|v| !v.is_null()) {
            out.push(problem(
                &at("private_ip_address"),
                "Value for unconfigurable attribute",
                "\"private_ip_address\" is computed by Azure and cannot be set.".into(),
            ));
        }
        let set = |k: &str| b.get(k).is_some_and(|v| !v.is_null());
        if set("private_connection_resource_id") == set("private_connection_resource_alias") {
            out.push(problem(
                &at("private_connection_resource_id"),
                "Invalid combination of arguments",
                "exactly one of \"private_service_connection.0.private_connection_resource_id\" and \"private_service_connection.0.private_connection_resource_alias\" must be specified.".into(),
            ));
        }
        // azurerm's plan-time rule for the request message.
        let manual = match b.get("is_manual_connection").map(|v| v.unmark().0) {
            Some(Value::Bool(m)) => *m,
            _ => continue,
        };
        let message = b.get("request_message").map(|v| v.unmark().0);
        if message.is_some_and(|m| !m.is_wholly_known()) {
            continue;
        }
        let name = text(b, "name").unwrap_or_default();
        let written = match message {
            Some(Value::String(m)) => m.trim().to_string(),
            _ => String::new(),
        };
        if !manual && !written.is_empty() {
            out.push(problem(
                &at("request_message"),
                "Invalid argument combination",
                format!("\"private_service_connection\":{name:?} is invalid, the \"request_message\" attribute cannot be set if the \"is_manual_connection\" attribute is \"false\"."),
            ));
        }
        if manual && written.is_empty() {
            out.push(problem(
                &at("request_message"),
                "Invalid argument combination",
                format!("\"private_service_connection\":{name:?} is invalid, the \"request_message\" attribute must not be empty."),
            ));
        }
    }
}

/// The repeated blocks the type maps.
pub(super) fn reps(ty: &str) -> &'static [&'static [Rep]] {
    match ty {
        TYPE => &[CONNECTIONS, IP_CONFIGURATIONS, ZONE_GROUPS],
        _ => &[],
    }
}

fn first_block(a: &Attrs, name: &str) -> BTreeMap<String, Value> {
    repeated::blocks(a, name)
        .into_iter()
        .next()
        .cloned()
        .unwrap_or_default()
}

/// Replaces the first block of `name` in `out` with `b`.
fn put_block(out: &mut Attrs, name: &str, b: BTreeMap<String, Value>) {
    out.insert(name.into(), Value::List(vec![Value::Object(b)]));
}

/// What the generic plan cannot see in this type's blocks: the values
/// Azure gives (the connection's address, the zone group's id and
/// configs, an IP configuration's member name), unknown until apply or
/// kept from `prior` when nothing changes them.
pub fn settle_plan(ty: &str, prior: Option<&Attrs>, out: &mut Attrs) {
    if ty != TYPE {
        return;
    }
    let unknown = Value::Unknown(Type::String);
    let old = prior.cloned().unwrap_or_default();
    // The connection's address is carried (its forced arguments replace
    // through the generic nested rule, `nested_replace`).
    let (was, mut now) = (
        first_block(&old, "private_service_connection"),
        first_block(out, "private_service_connection"),
    );
    if !now.is_empty() {
        let ip = was
            .get("private_ip_address")
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or(unknown.clone());
        now.entry("private_ip_address".into())
            .and_modify(|v| {
                if v.is_null() {
                    *v = ip.clone();
                }
            })
            .or_insert(ip);
        put_block(out, "private_service_connection", now);
    }
    // The zone group: a new or renamed one has its id made at apply, and
    // any change remakes the configs (and their records).
    let (was, mut now) = (
        first_block(&old, "private_dns_zone_group"),
        first_block(out, "private_dns_zone_group"),
    );
    if wanted_zone_group(&old) != wanted_zone_group(out) || prior.is_none() {
        out.insert(
            "private_dns_zone_configs".into(),
            Value::Unknown(Type::List(Box::new(Type::Dynamic))),
        );
    }
    if !now.is_empty() && now.get("id").is_none_or(Value::is_null) {
        let same_name = text(&was, "name").is_some() && text(&was, "name") == text(&now, "name");
        let id = match was.get("id") {
            Some(id) if same_name && !id.is_null() => id.clone(),
            _ => unknown.clone(),
        };
        now.insert("id".into(), id);
        put_block(out, "private_dns_zone_group", now);
    }
    // IP configurations without a member name get the sub-resource's.
    if let Some(blocks) = out.get("ip_configuration").and_then(Value::as_seq) {
        let filled: Vec<Value> = blocks
            .iter()
            .map(|b| match b.as_mapping() {
                Some(m) if m.get("member_name").is_none_or(Value::is_null) => {
                    let mut m = m.clone();
                    m.insert("member_name".into(), unknown.clone());
                    Value::Object(m)
                }
                _ => b.clone(),
            })
            .collect();
        out.insert("ip_configuration".into(), Value::List(filled));
    }
}

pub(super) fn defs() -> Vec<TypeDef> {
    vec![TypeDef {
        to_body: Some(endpoint_to_body),
        from_body: Some(endpoint_from_body),
        ..def(
            TYPE,
            "Microsoft.Network/privateEndpoints",
            "2024-05-01",
            ENDPOINT,
            IdRule::InGroup,
        )
    }]
}

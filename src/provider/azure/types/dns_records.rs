//! DNS record sets beyond A and CNAME: AAAA, TXT, MX, NS, SRV and CAA.

use serde_json::{Value as J, json};

use super::common::{NAME, RG, TAGS};
use super::repeated::{self, Rep, rep};
use crate::lang::Value;
use crate::provider::ArgProblem;
use crate::provider::azure::convert::{Arg, Kind, arg};
use crate::provider::azure::typedef::{Attrs, IdRule, TypeDef, def};

const ZONE: Arg = arg("zone_name", "", Kind::Str).req().force_new();
const TTL: Arg = arg("ttl", "properties.TTL", Kind::Num).req();
const FQDN: Arg = arg("fqdn", "properties.fqdn", Kind::Str).read_only();
const TARGET: Arg = arg(
    "target_resource_id",
    "properties.targetResource.id",
    Kind::Str,
);

const AAAA: &[Arg] = &[
    NAME,
    RG,
    ZONE,
    TTL,
    arg("records", "", Kind::StrList),
    TARGET,
    FQDN,
    TAGS,
];
const NS: &[Arg] = &[
    NAME,
    RG,
    ZONE,
    TTL,
    arg("records", "", Kind::StrList).req(),
    FQDN,
    TAGS,
];
const BLOCKS: &[Arg] = &[
    NAME,
    RG,
    ZONE,
    TTL,
    arg("record", "", Kind::Blocks),
    FQDN,
    TAGS,
];

const MX_RECORD: &[Arg] = &[
    arg("preference", "preference", Kind::Num).req(),
    arg("exchange", "exchange", Kind::Str).req(),
];
const SRV_RECORD: &[Arg] = &[
    arg("priority", "priority", Kind::Num).req(),
    arg("weight", "weight", Kind::Num).req(),
    arg("port", "port", Kind::Num).req(),
    arg("target", "target", Kind::Str).req(),
];
const CAA_RECORD: &[Arg] = &[
    arg("flags", "flags", Kind::Num).req(),
    arg("tag", "tag", Kind::Str).req(),
    arg("value", "value", Kind::Str).req(),
];
const TXT_RECORD: &[Arg] = &[arg("value", "", Kind::Str).req()];

const MX: &[Rep] = &[rep("record", "properties.MXRecords", MX_RECORD)];
const SRV: &[Rep] = &[rep("record", "properties.SRVRecords", SRV_RECORD)];
const CAA: &[Rep] = &[rep("record", "properties.caaRecords", CAA_RECORD)];
const TXT: &[Rep] = &[rep("record", "properties.TXTRecords", TXT_RECORD)];

/// A list of strings as ARM's list of one-field objects, and back.
fn strings_to(a: &Attrs, path: &str, field: &str, body: &mut J) {
    let items: Vec<J> = a
        .get("records")
        .and_then(Value::as_seq)
        .unwrap_or(&[])
        .iter()
        .map(|v| json!({ field: v.unmark().0.to_json() }))
        .collect();
    body["properties"][path] = J::Array(items);
}

fn strings_from(body: &J, path: &str, field: &str, a: &mut Attrs) {
    let xs: Vec<Value> = body["properties"][path]
        .as_array()
        .map(|xs| {
            xs.iter()
                .filter_map(|x| x[field].as_str().map(|s| Value::String(s.into())))
                .collect()
        })
        .unwrap_or_default();
    a.insert("records".into(), Value::List(xs));
}

fn aaaa_to(a: &Attrs, b: &mut J) {
    strings_to(a, "AAAARecords", "ipv6Address", b)
}
fn aaaa_from(b: &J, a: &mut Attrs) {
    strings_from(b, "AAAARecords", "ipv6Address", a)
}
fn ns_to(a: &Attrs, b: &mut J) {
    strings_to(a, "NSRecords", "nsdname", b)
}
fn ns_from(b: &J, a: &mut Attrs) {
    strings_from(b, "NSRecords", "nsdname", a)
}
fn mx_to(a: &Attrs, b: &mut J) {
    repeated::write(MX, a, b)
}
fn mx_from(b: &J, a: &mut Attrs) {
    repeated::read(MX, b, a)
}
fn srv_to(a: &Attrs, b: &mut J) {
    repeated::write(SRV, a, b)
}
fn srv_from(b: &J, a: &mut Attrs) {
    repeated::read(SRV, b, a)
}
fn caa_to(a: &Attrs, b: &mut J) {
    repeated::write(CAA, a, b)
}
fn caa_from(b: &J, a: &mut Attrs) {
    repeated::read(CAA, b, a)
}

/// A TXT record's value is one string in azurerm and a list of strings
/// (of at most 255 characters each) in ARM.
fn txt_to(a: &Attrs, b: &mut J) {
    let items: Vec<J> = repeated::blocks(a, "record")
        .into_iter()
        .map(|r| {
            let v = match r.get("value").map(|v| v.unmark().0) {
                Some(Value::String(s)) => s.clone(),
                _ => String::new(),
            };
            let chunks: Vec<String> = v
                .chars()
                .collect::<Vec<_>>()
                .chunks(255)
                .map(|c| c.iter().collect())
                .collect();
            json!({ "value": if chunks.is_empty() { vec![String::new()] } else { chunks } })
        })
        .collect();
    b["properties"]["TXTRecords"] = J::Array(items);
}

fn txt_from(b: &J, a: &mut Attrs) {
    let items = b["properties"]["TXTRecords"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let blocks = items
        .iter()
        .map(|r| {
            let v: String = r["value"]
                .as_array()
                .map(|xs| xs.iter().filter_map(J::as_str).collect())
                .unwrap_or_default();
            Value::Object([("value".to_string(), Value::String(v))].into())
        })
        .collect();
    a.insert("record".into(), Value::List(blocks));
}

/// The repeated blocks each type maps.
pub(super) fn reps(ty: &str) -> &'static [&'static [Rep]] {
    match ty {
        "azurerm_dns_mx_record" => &[MX],
        "azurerm_dns_srv_record" => &[SRV],
        "azurerm_dns_caa_record" => &[CAA],
        "azurerm_dns_txt_record" => &[TXT],
        _ => &[],
    }
}

pub(super) fn check(ty: &str, a: &Attrs, out: &mut Vec<ArgProblem>) {
    let reps = match ty {
        "azurerm_dns_mx_record" => MX,
        "azurerm_dns_srv_record" => SRV,
        "azurerm_dns_caa_record" => CAA,
        "azurerm_dns_txt_record" => TXT,
        _ => return,
    };
    repeated::check(reps, a, "", out);
    if repeated::blocks(a, "record").is_empty() {
        out.push(ArgProblem {
            argument: None,
            summary: "Missing required argument".into(),
            detail: "At least 1 \"record\" blocks are required.".into(),
        });
    }
}

type Map = (fn(&Attrs, &mut J), fn(&J, &mut Attrs));

pub(super) fn defs() -> Vec<TypeDef> {
    let rec = |name, kind: &'static str, args, (to, from): Map| TypeDef {
        to_body: Some(to),
        from_body: Some(from),
        ..def(
            name,
            match kind {
                "AAAA" => "Microsoft.Network/dnszones/AAAA",
                "TXT" => "Microsoft.Network/dnszones/TXT",
                "MX" => "Microsoft.Network/dnszones/MX",
                "NS" => "Microsoft.Network/dnszones/NS",
                "SRV" => "Microsoft.Network/dnszones/SRV",
                _ => "Microsoft.Network/dnszones/CAA",
            },
            "2018-05-01",
            args,
            IdRule::DnsRecord(kind),
        )
    };
    vec![
        rec(
            "azurerm_dns_aaaa_record",
            "AAAA",
            AAAA,
            (aaaa_to, aaaa_from),
        ),
        rec("azurerm_dns_ns_record", "NS", NS, (ns_to, ns_from)),
        rec("azurerm_dns_txt_record", "TXT", BLOCKS, (txt_to, txt_from)),
        rec("azurerm_dns_mx_record", "MX", BLOCKS, (mx_to, mx_from)),
        rec("azurerm_dns_srv_record", "SRV", BLOCKS, (srv_to, srv_from)),
        rec("azurerm_dns_caa_record", "CAA", BLOCKS, (caa_to, caa_from)),
    ]
}

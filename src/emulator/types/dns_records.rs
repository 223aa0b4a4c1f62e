//! DNS record sets beyond A and CNAME: AAAA, TXT, MX, NS, SRV and CAA,
//! each checked as Azure DNS checks its records; none may share its name
//! with a CNAME record set.

use std::net::Ipv6Addr;

use serde_json::Value as J;

use super::dns::{finish_record, record_name, record_path};
use super::*;

const VERSIONS: &[&str] = &["2018-05-01", "2023-07-01-preview"];

fn bad(msg: String, target: &str) -> ArmError {
    ArmError::bad_request("BadRequest", msg).with_target(target)
}

fn records(body: &J, key: &str) -> Result<Vec<J>, ArmError> {
    let rs = prop(body, &[key])
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default();
    if rs.is_empty() && prop(body, &["targetResource", "id"]).is_none() {
        return Err(bad(
            format!("The record set needs at least one record in properties.{key}."),
            &format!("properties.{key}"),
        ));
    }
    Ok(rs)
}

fn check(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let at = record_path(ctx);
    let kind = &at.kind;
    let ttl = int_prop(body, &["TTL"], 1, 2_147_483_647)?.unwrap_or(3600.0);
    let num = |r: &J, k: &str, max: f64, target: &str| -> Result<(), ArmError> {
        match r[k].as_f64() {
            Some(n) if n.fract() == 0.0 && (0.0..=max).contains(&n) => Ok(()),
            _ => Err(bad(
                format!("'{k}' must be a whole number between 0 and {max}."),
                target,
            )),
        }
    };
    match kind.as_str() {
        "AAAA" => {
            for r in records(body, "AAAARecords")? {
                let ip = r["ipv6Address"].as_str().unwrap_or_default();
                if ip.parse::<Ipv6Addr>().is_err() {
                    return Err(bad(
                        format!("'{ip}' is not a valid IPv6 address."),
                        "properties.AAAARecords",
                    ));
                }
            }
        }
        "TXT" => {
            for r in records(body, "TXTRecords")? {
                let parts = r["value"].as_array().cloned().unwrap_or_default();
                if parts.is_empty()
                    || parts
                        .iter()
                        .any(|p| p.as_str().is_none_or(|s| s.chars().count() > 255))
                {
                    return Err(bad(
                        "Each TXT record's value is a list of strings of at most 255 characters."
                            .into(),
                        "properties.TXTRecords",
                    ));
                }
            }
        }
        "MX" => {
            for r in records(body, "MXRecords")? {
                num(&r, "preference", 65535.0, "properties.MXRecords")?;
                if r["exchange"].as_str().is_none_or(str::is_empty) {
                    return Err(bad(
                        "An MX record needs an exchange.".into(),
                        "properties.MXRecords",
                    ));
                }
            }
        }
        "NS" => {
            for r in records(body, "NSRecords")? {
                if r["nsdname"].as_str().is_none_or(str::is_empty) {
                    return Err(bad(
                        "An NS record needs an nsdname.".into(),
                        "properties.NSRecords",
                    ));
                }
            }
        }
        "SRV" => {
            for r in records(body, "SRVRecords")? {
                for k in ["priority", "weight", "port"] {
                    num(&r, k, 65535.0, "properties.SRVRecords")?;
                }
                if r["target"].as_str().is_none_or(str::is_empty) {
                    return Err(bad(
                        "An SRV record needs a target.".into(),
                        "properties.SRVRecords",
                    ));
                }
            }
        }
        "CAA" => {
            for r in records(body, "caaRecords")? {
                num(&r, "flags", 255.0, "properties.caaRecords")?;
                let tag = r["tag"].as_str().unwrap_or_default();
                if !["issue", "issuewild", "iodef"].contains(&tag) {
                    return Err(bad(
                        format!("CAA tag '{tag}' is not one of issue, issuewild, iodef."),
                        "properties.caaRecords",
                    ));
                }
            }
        }
        _ => {}
    }
    // A CNAME holds its name alone.
    finish_record(ctx, body, &at, "CNAME", ttl)
}

pub fn specs() -> Vec<Spec> {
    ["AAAA", "TXT", "MX", "NS", "SRV", "CAA"]
        .into_iter()
        .map(|k| Spec {
            etags: true,
            ..Spec::plain(
                match k {
                    "AAAA" => "Microsoft.Network/dnszones/AAAA",
                    "TXT" => "Microsoft.Network/dnszones/TXT",
                    "MX" => "Microsoft.Network/dnszones/MX",
                    "NS" => "Microsoft.Network/dnszones/NS",
                    "SRV" => "Microsoft.Network/dnszones/SRV",
                    _ => "Microsoft.Network/dnszones/CAA",
                },
                VERSIONS,
                record_name,
                check,
            )
        })
        .collect()
}

//! Microsoft.Network/dnszones with A and CNAME record sets.

use serde_json::{Value as J, json};

use super::*;

const VERSIONS: &[&str] = &["2018-05-01", "2023-07-01-preview"];

fn zone_name(n: &str) -> Result<(), InvalidName> {
    let labels: Vec<&str> = n.split('.').collect();
    if labels.len() < 2
        || n.len() > 253
        || labels.iter().any(|l| {
            l.is_empty()
                || l.len() > 63
                || l.starts_with('-')
                || l.ends_with('-')
                || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
    {
        return Err(InvalidName(format!("'{n}' is not a valid DNS zone name.")));
    }
    Ok(())
}

pub(super) fn record_name(n: &str) -> Result<(), InvalidName> {
    if n == "@" {
        return Ok(());
    }
    name_rule(n, 1, 253, "-._*", "a record set")
}

fn check_zone(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    global_location(body);
    let h = short_hash(&ctx.path.id());
    let p = props(body);
    p.insert("zoneType".into(), json!("Public"));
    p.insert(
        "nameServers".into(),
        json!([
            format!("ns1-{}.azure-dns.com.", &h[..2]),
            format!("ns2-{}.azure-dns.net.", &h[2..4]),
            format!("ns3-{}.azure-dns.org.", &h[4..6]),
            format!("ns4-{}.azure-dns.info.", &h[6..8])
        ]),
    );
    p.insert("maxNumberOfRecordSets".into(), json!(10000));
    let mut w = Write::body(body.clone());
    // Azure creates the zone's SOA record set with the zone.
    if ctx.existing.is_none() {
        let soa_id = format!("{}/SOA/@", ctx.path.id());
        w.effects.push((
            soa_id.clone(),
            "Microsoft.Network/dnszones/SOA".into(),
            Some(json!({
                "id": soa_id,
                "name": "@",
                "type": "Microsoft.Network/dnszones/SOA",
                "properties": soa_defaults(&format!("ns1-{}.azure-dns.com.", &h[..2]), &ctx.path.name(), &json!({})),
            })),
        ));
    }
    Ok(w)
}

/// An SOA record set's properties with Azure's defaults for what `given`
/// leaves out (the host is always the zone's first name server); its fqdn
/// is the zone's own.
fn soa_defaults(host: &str, zone: &str, given: &J) -> J {
    let g = &given["SOARecord"];
    let pick = |k: &str, d: J| g.get(k).filter(|v| !v.is_null()).cloned().unwrap_or(d);
    json!({
        "TTL": given.get("TTL").filter(|v| !v.is_null()).cloned().unwrap_or(json!(3600)),
        "metadata": given.get("metadata").cloned().unwrap_or(J::Null),
        "fqdn": format!("{zone}."),
        "SOARecord": {
            "host": host,
            "email": pick("email", json!("azuredns-hostmaster.microsoft.com")),
            "serialNumber": pick("serialNumber", json!(1)),
            "refreshTime": pick("refreshTime", json!(3600)),
            "retryTime": pick("retryTime", json!(300)),
            "expireTime": pick("expireTime", json!(2419200)),
            "minimumTTL": pick("minimumTTL", json!(300)),
        }
    })
}

/// The zone's SOA record set (`SOA/@`, the only name it takes): the host
/// stays the zone's first name server.
fn check_soa(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let zone_id = ctx.path.parent_id().unwrap_or_default();
    let host = ctx
        .get(&zone_id)?
        .and_then(|z| {
            z.body
                .pointer("/properties/nameServers/0")
                .and_then(J::as_str)
                .map(str::to_string)
        })
        .ok_or_else(|| {
            ArmError::not_found(
                "ParentResourceNotFound",
                format!("The DNS zone {zone_id} does not exist."),
            )
        })?;
    let given = body.get("properties").cloned().unwrap_or(json!({}));
    let zone = zone_id.rsplit('/').next().unwrap_or_default();
    body["properties"] = soa_defaults(&host, zone, &given);
    Ok(Write::body(body.clone()))
}

fn soa_name(n: &str) -> Result<(), InvalidName> {
    if n != "@" {
        return Err(InvalidName(format!(
            "The SOA record set must be named '@', not '{n}'."
        )));
    }
    Ok(())
}

/// Where a record set stands, read from its path: the zone's id and name,
/// the record type (upper case) and the set's own name.
pub(super) struct RecordPath {
    pub zone_id: String,
    pub zone: String,
    pub kind: String,
    pub name: String,
}

pub(super) fn record_path(ctx: &Ctx) -> RecordPath {
    RecordPath {
        zone_id: ctx.path.parent_id().unwrap_or_default(),
        zone: ctx
            .path
            .segments
            .first()
            .and_then(|(_, n)| n.clone())
            .unwrap_or_default(),
        kind: ctx
            .path
            .segments
            .last()
            .map(|(t, _)| t.to_uppercase())
            .unwrap_or_default(),
        name: ctx.path.name(),
    }
}

/// Refuses a record set whose name an `other` record set already holds (a
/// CNAME shares its name with nothing), then stores the TTL and the fqdn.
pub(super) fn finish_record(
    ctx: &Ctx,
    body: &mut J,
    at: &RecordPath,
    other: &str,
    ttl: f64,
) -> Result<Write, ArmError> {
    let RecordPath {
        zone_id,
        zone,
        name,
        ..
    } = at;
    let clash = ctx
        .store
        .children(&format!("Microsoft.Network/dnszones/{other}"), zone_id)
        .map_err(internal)?
        .into_iter()
        .any(|r| {
            r.id.rsplit('/')
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        });
    if clash {
        return Err(ArmError::conflict(
            "Conflict",
            format!(
                "A {other} record set named '{name}' already exists: a CNAME record cannot coexist with other records of the same name."
            ),
        ));
    }
    let fqdn = if name == "@" {
        format!("{zone}.")
    } else {
        format!("{name}.{zone}.")
    };
    let p = props(body);
    p.insert("TTL".into(), json!(ttl));
    p.insert("fqdn".into(), json!(fqdn));
    Ok(Write::body(body.clone()))
}

fn check_record(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let at = record_path(ctx);
    let (kind, name) = (&at.kind, &at.name);
    let ttl = int_prop(body, &["TTL"], i64::MIN / 2, i64::MAX / 2)?.unwrap_or(3600.0);
    if !(1.0..=2_147_483_647.0).contains(&ttl) {
        return Err(ArmError::bad_request(
            "BadRequest",
            "TTL must be a positive number of seconds.",
        )
        .with_target("properties.TTL"));
    }
    let has_target = prop(body, &["targetResource", "id"]).is_some();
    match kind.as_str() {
        "A" => {
            let recs = prop(body, &["ARecords"])
                .and_then(J::as_array)
                .cloned()
                .unwrap_or_default();
            for r in &recs {
                let ip = r.get("ipv4Address").and_then(J::as_str).unwrap_or_default();
                if ip.parse::<std::net::Ipv4Addr>().is_err() {
                    return Err(ArmError::bad_request(
                        "BadRequest",
                        format!("'{ip}' is not a valid IPv4 address."),
                    )
                    .with_target("properties.ARecords"));
                }
            }
            if recs.is_empty() && !has_target {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    "An A record set needs ARecords or a targetResource.",
                ));
            }
        }
        "CNAME" => {
            if prop(body, &["CNAMERecord", "cname"]).is_none() && !has_target {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    "A CNAME record set needs CNAMERecord.cname or a targetResource.",
                ));
            }
            if name == "@" {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    "A CNAME record set cannot be created at the zone apex.",
                ));
            }
        }
        _ => {}
    }
    // CNAME cannot share its name with other record types.
    let other = if kind == "CNAME" { "A" } else { "CNAME" };
    finish_record(ctx, body, &at, other, ttl)
}

fn spec(
    ty: &'static str,
    name_rule: NameRule,
    check: fn(&Ctx, &mut J) -> Result<Write, ArmError>,
) -> Spec {
    Spec {
        etags: true,
        ..Spec::plain(ty, VERSIONS, name_rule, check)
    }
}

/// A zone's `numberOfRecordSets` (read-only in the spec): the record sets
/// it holds when it is read.
fn count_record_sets(store: &crate::emulator::store::Store, body: &mut J) {
    let Some(id) = body["id"].as_str().map(str::to_string) else {
        return;
    };
    let n = store.descendants(&id).map(|rows| rows.len()).unwrap_or(0);
    if let Some(p) = body["properties"].as_object_mut() {
        p.insert("numberOfRecordSets".into(), json!(n));
    }
}

pub fn specs() -> Vec<Spec> {
    vec![
        Spec {
            decorate: count_record_sets,
            ..spec("Microsoft.Network/dnszones", zone_name, check_zone)
        },
        spec("Microsoft.Network/dnszones/A", record_name, check_record),
        spec(
            "Microsoft.Network/dnszones/CNAME",
            record_name,
            check_record,
        ),
        spec("Microsoft.Network/dnszones/SOA", soa_name, check_soa),
    ]
}

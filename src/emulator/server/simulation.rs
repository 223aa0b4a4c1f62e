//! The simulated world's effects: operations completing as simulated
//! time passes (and the replicated data they copy), region outages, and
//! transient faults.

use std::time::Duration;

use hyper::Method;
use serde_json::{Value as J, json};

use super::http::{Reply, Req, Resp, err_resp, with_header};
use super::world::World;
use crate::emulator::arm::{ArmError, ArmPath, parent_of, rg_of, sub_of};
use crate::emulator::store::Store;
use crate::emulator::types::{self, DataChange};
use crate::emulator::{FailRule, Faults};

/// A transient 429, 500 or 503 for the share of requests the faults ask
/// for, drawn from the seeded generator.
pub(super) fn transient(w: &mut World) -> Option<Resp> {
    let rate = w.faults.transient_rate;
    if rate <= 0.0 {
        return None;
    }
    let s = &mut w.transient_rng;
    // xorshift64*
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    let r = s.wrapping_mul(0x2545F4914F6CDD1D);
    let x = (r >> 11) as f64 / (1u64 << 53) as f64;
    if x >= rate {
        return None;
    }
    Some(match r % 3 {
        0 => with_header(
            err_resp(&ArmError::new(
                429,
                "TooManyRequests",
                "Transient throttling (emulator fault).",
            )),
            "retry-after",
            "1",
        ),
        1 => err_resp(&ArmError::new(
            500,
            "InternalServerError",
            "Transient server error (emulator fault).",
        )),
        _ => with_header(
            err_resp(&ArmError::new(
                503,
                "ServiceUnavailable",
                "Transient unavailability (emulator fault).",
            )),
            "retry-after",
            "1",
        ),
    })
}

/// Completes operations whose simulated time is up (unless their region is down).
pub(super) fn advance(w: &World, now: f64) {
    let (store, down) = (&w.store, &w.faults.regions_down);
    let Ok(ops) = store.running_ops() else { return };
    for mut op in ops {
        if op.finish > now {
            break;
        }
        if down.iter().any(|r| r.eq_ignore_ascii_case(&op.location)) {
            continue;
        }
        let tx = store.conn.unchecked_transaction();
        if op.error.is_some() {
            op.status = "Failed".into();
            if let Ok(Some(row)) = store.get(&op.resource) {
                let mut b = row.body.clone();
                types::props(&mut b).insert("provisioningState".into(), json!("Failed"));
                let _ = store.put(
                    &row.id,
                    &row.ty,
                    &parent_of(&row.id),
                    &sub_of(&row.id),
                    &rg_of(&row.id),
                    &b,
                );
            }
        } else {
            for (id, ty, body) in &op.effects {
                match body {
                    Some(b) => {
                        let mut b = b.clone();
                        if b.get("properties").is_some()
                            || !ty.eq_ignore_ascii_case("Microsoft.Resources/resourceGroups")
                        {
                            types::props(&mut b)
                                .insert("provisioningState".into(), json!("Succeeded"));
                        } else {
                            b["properties"] = json!({"provisioningState": "Succeeded"});
                        }
                        let _ = store.put(id, ty, &parent_of(id), &sub_of(id), &rg_of(id), &b);
                    }
                    None => {
                        let _ = store.delete_tree(id);
                    }
                }
            }
            if let Some(data) = op
                .result
                .as_ref()
                .and_then(|r| r.get("dataChange"))
                .and_then(|d| serde_json::from_value::<DataChange>(d.clone()).ok())
            {
                let lost = apply_data(store, &data);
                if let Some(r) = op.result.as_mut() {
                    r["lostWrites"] = json!(lost);
                }
            }
            op.status = "Succeeded".into();
        }
        let _ = store.put_op(&op);
        let _ = store.set_meta("sim_time", &now.to_string());
        if let Ok(tx) = tx {
            let _ = tx.commit();
        }
    }
}

pub(super) fn region_of(body: &J) -> Option<String> {
    body.get("location")
        .and_then(J::as_str)
        .map(|l| l.to_lowercase().replace(' ', ""))
}

/// The region whose outage affects a request: the resource's, or for a
/// child, its top-level parent's.
pub(super) fn affected_region(store: &Store, path: &ArmPath, body: &J) -> Option<String> {
    if let Some(r) = region_of(body) {
        return Some(r);
    }
    let mut p = path.clone();
    loop {
        if p.is_resource()
            && let Ok(Some(row)) = store.get(&p.id())
            && let Some(r) = region_of(&row.body)
        {
            return Some(r);
        }
        p.segments.pop()?;
    }
}

/// The store key of the lost-write record (`/admin/dataplane/lost-writes`).
pub(super) const LOST_WRITES: &str = "lost_writes";

/// Copies replicated writes; returns how many of the source's were lost.
/// A forced cut (`cut_at`) records what it lost, per target.
pub(super) fn apply_data(store: &Store, d: &DataChange) -> usize {
    let DataChange::CopyFrom {
        source,
        target,
        cutoff,
        cut_at,
        fence,
    } = d;
    let src = store.writes(source).unwrap_or_default();
    let mut mine = store.writes(target).unwrap_or_default();
    let copied: Vec<_> = src
        .iter()
        .filter(|(_, _, at)| *at <= *cutoff)
        .cloned()
        .collect();
    let lost = src.len() - copied.len();
    if let Some(cut_at) = cut_at {
        // (Writes a still-reachable source took after the cut count too.)
        let last = src
            .iter()
            .filter(|(_, _, at)| *at > *cutoff)
            .map(|(_, _, at)| *at)
            .fold(*cut_at, f64::max);
        record_lost(store, source, target, *cutoff, last, lost);
    }
    let mut all = copied;
    all.append(&mut mine);
    all.sort_by(|a, b| a.2.total_cmp(&b.2));
    let renumbered: Vec<_> = all
        .into_iter()
        .enumerate()
        .map(|(i, (_, v, at))| (i as i64 + 1, v, at))
        .collect();
    let _ = store.set_writes(target, &renumbered);
    // A switched-over source is now the target's replica: what it holds is
    // what it replicates from the target (already copied there), not its own.
    if *fence {
        let _ = store.set_writes(source, &[]);
    }
    lost
}

/// Adds a forced cut's lost writes to the record: the source's writes
/// in the window `(from, to]` that never reached `target`.
fn record_lost(store: &Store, source: &str, target: &str, from: f64, to: f64, count: usize) {
    let mut all: Vec<J> = store
        .meta(LOST_WRITES)
        .ok()
        .flatten()
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default();
    all.retain(|e| {
        !e["resource"]
            .as_str()
            .is_some_and(|r| r.eq_ignore_ascii_case(target))
    });
    all.push(json!({
        "resource": target,
        "source": source,
        "count": count,
        "windowStart": from,
        "windowEnd": to,
        "windowStartIso": crate::timefmt::rfc3339(from),
        "windowEndIso": crate::timefmt::rfc3339(to),
    }));
    let _ = store.set_meta(LOST_WRITES, &J::Array(all).to_string());
}

/// The region whose outage, if it is down, answers a request instead of
/// the resource provider.
pub(super) fn outage_region(
    w: &World,
    req: &Req,
    path_p: &ArmPath,
    type_name: &str,
    request: &J,
) -> Option<String> {
    let (store, faults, method) = (&w.store, &w.faults, &req.method);
    let storage_failover = type_name.eq_ignore_ascii_case("Microsoft.Storage/storageAccounts")
        && (*method == Method::GET
            || (*method == Method::POST && req.path.to_lowercase().ends_with("/failover")));
    // Unlinking a geo-replicated cache can be forced from the secondary
    // side when the primary's region is down.
    let region =
        if *method == Method::DELETE && type_name.to_lowercase().ends_with("redis/linkedservers") {
            store.get(&path_p.id()).ok().flatten().and_then(|l| {
                types::str_prop(&l.body, &["linkedRedisCacheLocation"]).map(|s| s.to_lowercase())
            })
        } else if storage_failover {
            // A geo-redundant account is read, and failed over, through its
            // secondary region when the primary's is down: that is what
            // account failover is for.
            let id = if *method == Method::POST {
                let mut t = path_p.clone();
                t.segments.pop();
                t.id()
            } else {
                path_p.id()
            };
            let account = store.get(&id).ok().flatten();
            let loc = |k: &str| {
                account
                    .as_ref()
                    .and_then(|a| types::str_prop(&a.body, &[k]).map(|s| s.to_lowercase()))
            };
            let down = |r: &String| {
                faults
                    .regions_down
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(r))
            };
            let (primary, secondary) = (loc("primaryLocation"), loc("secondaryLocation"));
            // A failover request, or a primary region that is down: the secondary serves.
            let serving = if *method == Method::POST || primary.as_ref().is_some_and(down) {
                secondary.or(primary)
            } else {
                primary
            };
            serving.or_else(|| affected_region(store, path_p, request))
        } else {
            affected_region(store, path_p, request)
        };
    region.filter(|region| {
        faults
            .regions_down
            .iter()
            .any(|r| r.eq_ignore_ascii_case(region))
    })
}

/// The answer of a region that is down: 503 at once, or in `timeout`
/// mode a hang and then 504.
pub(super) fn outage(w: &World, region: &str) -> Reply {
    if w.faults.region_mode == "timeout" {
        return Reply::after(
            Duration::from_secs_f64(w.faults.region_timeout_secs.clamp(0.0, 3600.0)),
            err_resp(&ArmError::new(
                504,
                "GatewayTimeout",
                format!(
                    "The gateway did not receive a response from the resource provider in region '{region}' within the specified time period."
                ),
            )),
        );
    }
    with_header(
        err_resp(&ArmError::new(
            503,
            "ServiceUnavailable",
            format!("The resource provider in region '{region}' is unavailable."),
        )),
        "retry-after",
        &w.settings.max_retry_after.min(10).to_string(),
    )
    .into()
}

/// The first fail-next rule matching a resource.
pub(super) fn fail_rule(faults: &Faults, id: &str, ty: &str) -> Option<FailRule> {
    faults.fail_next.iter().find(|r| r.matches(id, ty)).cloned()
}

/// Removes the first fail-next rule matching a resource (once it failed
/// an operation).
pub(super) fn consume_fail_rule(faults: &mut Faults, id: &str, ty: &str) {
    if let Some(pos) = faults.fail_next.iter().position(|r| r.matches(id, ty)) {
        faults.fail_next.remove(pos);
    }
}

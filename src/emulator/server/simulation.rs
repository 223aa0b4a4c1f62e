//! The simulated world's effects: operations completing as simulated
//! time passes (and the replicated data they copy), region outages, and
//! transient faults.

use std::sync::Arc;

use serde_json::{Value as J, json};

use super::http::{Resp, err_resp, with_header};
use crate::emulator::Shared;
use crate::emulator::arm::{ArmError, ArmPath, parent_of, rg_of, sub_of};
use crate::emulator::store::Store;
use crate::emulator::types::{self, DataChange};

pub(super) fn transient(shared: &Arc<Shared>) -> Option<Resp> {
    let rate = shared.faults.lock().ok()?.transient_rate;
    if rate <= 0.0 {
        return None;
    }
    let mut s = shared.rng.lock().ok()?;
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
pub(super) fn advance(shared: &Shared, store: &Store, now: f64) {
    let down = shared
        .faults
        .lock()
        .map(|f| f.regions_down.clone())
        .unwrap_or_default();
    let _lag = shared
        .settings
        .lock()
        .map(|s| s.replication_lag_secs)
        .unwrap_or(10.0);
    let Ok(ops) = store.running_ops() else { return };
    for mut op in ops {
        if op.finish > now {
            break;
        }
        if down.iter().any(|r| r.eq_ignore_ascii_case(&op.location)) {
            continue;
        }
        let tx = store.conn.unchecked_transaction();
        if let Some((code, msg)) = op.error.clone() {
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
            let _ = (code, msg);
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

/// Copies replicated writes; returns how many of the source's were lost.
pub(super) fn apply_data(store: &Store, d: &DataChange) -> usize {
    let DataChange::CopyFrom {
        source,
        target,
        cutoff,
    } = d;
    let src = store.writes(source).unwrap_or_default();
    let mut mine = store.writes(target).unwrap_or_default();
    let copied: Vec<_> = src
        .iter()
        .filter(|(_, _, at)| *at <= *cutoff)
        .cloned()
        .collect();
    let lost = src.len() - copied.len();
    let mut all = copied;
    all.append(&mut mine);
    all.sort_by(|a, b| a.2.total_cmp(&b.2));
    let renumbered: Vec<_> = all
        .into_iter()
        .enumerate()
        .map(|(i, (_, v, at))| (i as i64 + 1, v, at))
        .collect();
    let _ = store.set_writes(target, &renumbered);
    lost
}

//! The admin API (`/admin/...`): health, simulated time, run-time
//! settings, faults, the request log and the data-plane stand-in.

use hyper::Method;
use serde_json::{Value as J, json};

use super::dataplane::{dataplane_read, dataplane_write, lost_writes};
use super::http::{Req, Resp, empty, json_resp};
use super::world::World;
use super::write::merge;
use crate::emulator::clock::Clock;
use crate::emulator::types;
use crate::emulator::{Faults, Settings};
use crate::timefmt::rfc3339;

/// The current value with a PATCH body merged in, or None when the
/// result does not make a valid value.
fn patched<T: serde::Serialize + serde::de::DeserializeOwned>(current: &T, req: &J) -> Option<T> {
    let mut cur = serde_json::to_value(current).ok()?;
    merge(&mut cur, req);
    serde_json::from_value(cur).ok()
}

/// Records when each region that went down (and was not down before)
/// began its outage, in the store, where a forced promotion cuts; the
/// faults' `outages` show those same instants for every region down.
fn record_outages(w: &mut World, was_down: &[String]) {
    let now = w.clock.now();
    for region in &w.faults.regions_down {
        if !was_down.iter().any(|r| r.eq_ignore_ascii_case(region)) {
            let _ = w
                .store
                .set_meta(&types::outage_key(region), &now.to_string());
        }
    }
    w.faults.outages = w
        .faults
        .regions_down
        .iter()
        .map(|r| {
            let began = types::outage_since(&w.store, r).unwrap_or(now);
            (r.to_lowercase(), rfc3339(began))
        })
        .collect();
}

fn to_json(v: &impl serde::Serialize) -> Resp {
    json_resp(200, &serde_json::to_value(v).unwrap_or(J::Null))
}

/// `/admin/{parts}`.
pub(super) fn admin(base_url: &str, w: &mut World, request: &Req, parts: &[&str]) -> Resp {
    let method = &request.method;
    let req: J = serde_json::from_slice(&request.body).unwrap_or(J::Null);
    let bad = |m: &str| json_resp(400, &json!({"error": {"code": "BadRequest", "message": m}}));
    match (method.clone(), parts) {
        (Method::GET, ["health"]) => json_resp(
            200,
            &json!({"ok": true, "url": base_url, "time": rfc3339(w.clock.now())}),
        ),
        (Method::GET, ["time"]) => {
            let c = &w.clock;
            json_resp(
                200,
                &json!({"now": c.now(), "iso": rfc3339(c.now()), "scale": c.scale}),
            )
        }
        (Method::GET, ["settings"]) => to_json(&w.settings),
        (Method::PUT | Method::PATCH, ["settings"]) => {
            let Some(next) = patched(&w.settings, &req) else {
                return bad("invalid settings");
            };
            if let Err(e) = check_settings(&next) {
                return bad(&e.to_string());
            }
            w.buckets.limits = next.throttle;
            w.buckets.reset();
            if (w.clock.scale - next.time_scale).abs() > f64::EPSILON {
                w.clock = Clock::new(next.time_scale, Some(w.clock.now()));
            }
            let _ = w.store.set_meta(
                "settings",
                &serde_json::to_string(&next).unwrap_or_default(),
            );
            w.settings = next;
            to_json(&w.settings)
        }
        (Method::GET, ["faults"]) => to_json(&w.faults),
        (Method::PUT | Method::PATCH, ["faults"]) => {
            let Some(next) = patched(&w.faults, &req) else {
                return bad("invalid faults");
            };
            if let Err(e) = check_faults(&next) {
                return bad(&e.to_string());
            }
            w.transient_rng = next.transient_seed.wrapping_mul(0x9e3779b97f4a7c15) | 1;
            let was_down = std::mem::take(&mut w.faults.regions_down);
            w.faults = next;
            record_outages(w, &was_down);
            to_json(&w.faults)
        }
        (Method::DELETE, ["faults"]) => {
            w.faults = Faults::none();
            empty(204)
        }
        (Method::POST, ["faults", "region-down"]) | (Method::POST, ["faults", "region-up"]) => {
            let Some(region) = req
                .get("region")
                .and_then(J::as_str)
                .map(|r| r.to_lowercase())
            else {
                return bad("region is required");
            };
            let was_down = w.faults.regions_down.clone();
            let down = &mut w.faults.regions_down;
            down.retain(|r| !r.eq_ignore_ascii_case(&region));
            if parts[1] == "region-down" {
                down.push(region.clone());
            }
            record_outages(w, &was_down);
            to_json(&w.faults)
        }
        (Method::GET, ["requests"]) => to_json(&w.log),
        // The duration model (simulated seconds, before `duration_factor`),
        // so clients' estimates can be checked against it.
        (Method::GET, ["durations"]) => json_resp(
            200,
            &J::Array(
                types::all()
                    .iter()
                    .map(|s| {
                        json!({
                            "type": s.ty,
                            "create": s.create_secs,
                            "update": s.update_secs,
                            "delete": s.delete_secs,
                            "other": s.other_secs.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
                        })
                    })
                    .collect(),
            ),
        ),
        // Drains the log and returns what it held, in one step, so a
        // request logged between a read and a clear is never lost.
        (Method::DELETE, ["requests"]) => to_json(&std::mem::take(&mut w.log)),
        (Method::POST, ["dataplane", "write"]) => dataplane_write(w, &req),
        (Method::GET, ["dataplane", "lost-writes"]) => lost_writes(w),
        (Method::GET, ["dataplane"]) => dataplane_read(
            w,
            request
                .query
                .get("resource")
                .map(String::as_str)
                .unwrap_or_default(),
        ),
        _ => json_resp(
            404,
            &json!({"error": {"code": "NotFound", "message": format!("No admin route {method} /admin/{}.", parts.join("/"))}}),
        ),
    }
}

/// Why the admin API refuses settings or faults.
#[derive(Debug, PartialEq, thiserror::Error)]
enum Refused {
    #[error("{name} must be between {min} and {max}, not {value}")]
    OutOfRange {
        name: String,
        min: f64,
        max: f64,
        value: f64,
    },
    /// The mode, quoted as error messages quote values.
    #[error("region_mode must be \"error\" or \"timeout\", not {0:?}")]
    RegionMode(String),
}

/// `value` within `min..=max` (and finite).
fn within(name: &str, value: f64, min: f64, max: f64) -> Result<(), Refused> {
    if value.is_finite() && value >= min && value <= max {
        Ok(())
    } else {
        Err(Refused::OutOfRange {
            name: name.to_string(),
            min,
            max,
            value,
        })
    }
}

/// Settings within what the emulator can honour (a huge or negative time
/// scale, or a retry wait of centuries, would break its clock and sleeps).
fn check_settings(s: &Settings) -> Result<(), Refused> {
    within("time_scale", s.time_scale, 1e-3, 1e9)?;
    within("duration_factor", s.duration_factor, 0.0, 1e12)?;
    within("replication_lag_secs", s.replication_lag_secs, 0.0, 1e9)?;
    within("page_size", s.page_size as f64, 1.0, 10_000.0)?;
    within("max_retry_after", s.max_retry_after as f64, 0.0, 3600.0)?;
    let t = &s.throttle;
    for (name, v) in [
        ("read_burst", t.read_burst),
        ("read_rate", t.read_rate),
        ("write_burst", t.write_burst),
        ("write_rate", t.write_rate),
        ("delete_burst", t.delete_burst),
        ("delete_rate", t.delete_rate),
    ] {
        within(&format!("throttle.{name}"), v, 0.0, 1e9)?;
    }
    Ok(())
}

fn check_faults(f: &Faults) -> Result<(), Refused> {
    within("region_timeout_secs", f.region_timeout_secs, 0.0, 3600.0)?;
    within("transient_rate", f.transient_rate, 0.0, 1.0)?;
    if !f.region_mode.is_empty() && f.region_mode != "error" && f.region_mode != "timeout" {
        return Err(Refused::RegionMode(types::quoted(&J::String(
            f.region_mode.clone(),
        ))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Refused, check_faults};
    use crate::emulator::Faults;

    #[test]
    fn refusals_read_as_before() {
        let f = Faults {
            region_timeout_secs: -1.0,
            ..Faults::none()
        };
        assert_eq!(
            check_faults(&f).unwrap_err().to_string(),
            "region_timeout_secs must be between 0 and 3600, not -1"
        );
        let f = Faults {
            transient_rate: 2.0,
            ..Faults::none()
        };
        assert_eq!(
            check_faults(&f).unwrap_err().to_string(),
            "transient_rate must be between 0 and 1, not 2"
        );
        let f = Faults {
            region_mode: "later".into(),
            ..Faults::none()
        };
        assert_eq!(check_faults(&f), Err(Refused::RegionMode("later".into())));
        assert_eq!(
            Refused::RegionMode("later".into()).to_string(),
            "region_mode must be \"error\" or \"timeout\", not \"later\""
        );
    }
}

//! The admin API (`/admin/...`): health, simulated time, run-time
//! settings, faults, the request log and the data-plane stand-in.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use hyper::Method;
use serde_json::{Value as J, json};

use super::dataplane::{dataplane_read, dataplane_write};
use super::http::{Resp, empty, json_resp};
use super::write::merge;
use crate::emulator::types::{self};
use crate::emulator::{Faults, Settings, Shared};

/// The current value with a PATCH body merged in, or None when the
/// result does not make a valid value.
pub(super) fn patched<T: serde::Serialize + serde::de::DeserializeOwned + Default + Clone>(
    current: &std::sync::Mutex<T>,
    req: &J,
) -> Option<T> {
    let mut cur =
        serde_json::to_value(current.lock().map(|c| c.clone()).unwrap_or_default()).ok()?;
    merge(&mut cur, req);
    serde_json::from_value(cur).ok()
}

pub(super) async fn admin(
    shared: &Arc<Shared>,
    method: &Method,
    parts: &[&str],
    query: &BTreeMap<String, String>,
    body: &Bytes,
) -> Resp {
    let req: J = serde_json::from_slice(body).unwrap_or(J::Null);
    let bad = |m: &str| json_resp(400, &json!({"error": {"code": "BadRequest", "message": m}}));
    match (method.clone(), parts) {
        (Method::GET, ["health"]) => {
            let now = shared.clock.lock().map(|c| c.now()).unwrap_or(0.0);
            json_resp(
                200,
                &json!({"ok": true, "url": shared.base_url.lock().map(|b| b.clone()).unwrap_or_default(), "time": crate::emulator::clock::rfc3339(now)}),
            )
        }
        (Method::GET, ["time"]) => {
            let c = shared.clock.lock().map(|c| c.clone());
            match c {
                Ok(c) => json_resp(
                    200,
                    &json!({"now": c.now(), "iso": crate::emulator::clock::rfc3339(c.now()), "scale": c.scale}),
                ),
                Err(_) => bad("clock unavailable"),
            }
        }
        (Method::GET, ["settings"]) => json_resp(
            200,
            &serde_json::to_value(
                shared
                    .settings
                    .lock()
                    .map(|s| s.clone())
                    .unwrap_or_default(),
            )
            .unwrap_or(J::Null),
        ),
        (Method::PUT | Method::PATCH, ["settings"]) => {
            let Some(next) = patched(&shared.settings, &req) else {
                return bad("invalid settings");
            };
            if let Err(m) = check_settings(&next) {
                return bad(&m);
            }
            if let Ok(mut b) = shared.buckets.lock() {
                b.limits = next.throttle;
                b.reset();
            }
            if let Ok(mut c) = shared.clock.lock()
                && (c.scale - next.time_scale).abs() > f64::EPSILON
            {
                *c = crate::emulator::clock::Clock::new(next.time_scale, Some(c.now()));
            }
            if let Ok(s) = shared.store.lock() {
                let _ = s.set_meta(
                    "settings",
                    &serde_json::to_string(&next).unwrap_or_default(),
                );
            }
            if let Ok(mut s) = shared.settings.lock() {
                *s = next.clone();
            }
            json_resp(200, &serde_json::to_value(next).unwrap_or(J::Null))
        }
        (Method::GET, ["faults"]) => json_resp(
            200,
            &serde_json::to_value(shared.faults.lock().map(|f| f.clone()).unwrap_or_default())
                .unwrap_or(J::Null),
        ),
        (Method::PUT | Method::PATCH, ["faults"]) => {
            let Some(next) = patched(&shared.faults, &req) else {
                return bad("invalid faults");
            };
            if let Err(m) = check_faults(&next) {
                return bad(&m);
            }
            if let Ok(mut r) = shared.rng.lock() {
                *r = next.transient_seed.wrapping_mul(0x9e3779b97f4a7c15) | 1;
            }
            if let Ok(mut f) = shared.faults.lock() {
                *f = next.clone();
            }
            json_resp(200, &serde_json::to_value(next).unwrap_or(J::Null))
        }
        (Method::DELETE, ["faults"]) => {
            if let Ok(mut f) = shared.faults.lock() {
                *f = Faults {
                    region_mode: "error".into(),
                    region_timeout_secs: 3.0,
                    ..Faults::default()
                };
            }
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
            if let Ok(mut f) = shared.faults.lock() {
                f.regions_down.retain(|r| !r.eq_ignore_ascii_case(&region));
                if parts[1] == "region-down" {
                    f.regions_down.push(region);
                }
            }
            json_resp(
                200,
                &serde_json::to_value(shared.faults.lock().map(|f| f.clone()).unwrap_or_default())
                    .unwrap_or(J::Null),
            )
        }
        (Method::GET, ["requests"]) => json_resp(
            200,
            &serde_json::to_value(shared.log.lock().map(|l| l.clone()).unwrap_or_default())
                .unwrap_or(J::Null),
        ),
        // Drains the log and returns what it held, under one lock, so a
        // request logged between a read and a clear is never lost.
        (Method::DELETE, ["requests"]) => {
            let drained = shared
                .log
                .lock()
                .map(|mut l| std::mem::take(&mut *l))
                .unwrap_or_default();
            json_resp(200, &serde_json::to_value(drained).unwrap_or(J::Null))
        }
        (Method::POST, ["dataplane", "write"]) => dataplane_write(shared, &req),
        (Method::GET, ["dataplane"]) => dataplane_read(
            shared,
            query
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

/// Settings within what the emulator can honour (a huge or negative time
/// scale, or a retry wait of centuries, would break its clock and sleeps).
pub(super) fn check_settings(s: &Settings) -> Result<(), String> {
    let within = |name: &str, v: f64, min: f64, max: f64| {
        if v.is_finite() && v >= min && v <= max {
            Ok(())
        } else {
            Err(format!("{name} must be between {min} and {max}, not {v}"))
        }
    };
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

pub(super) fn check_faults(f: &Faults) -> Result<(), String> {
    if !(f.region_timeout_secs.is_finite() && (0.0..=3600.0).contains(&f.region_timeout_secs)) {
        return Err(format!(
            "region_timeout_secs must be between 0 and 3600, not {}",
            f.region_timeout_secs
        ));
    }
    if !(f.transient_rate.is_finite() && (0.0..=1.0).contains(&f.transient_rate)) {
        return Err(format!(
            "transient_rate must be between 0 and 1, not {}",
            f.transient_rate
        ));
    }
    if !f.region_mode.is_empty() && f.region_mode != "error" && f.region_mode != "timeout" {
        return Err(format!(
            "region_mode must be \"error\" or \"timeout\", not {:?}",
            types::quoted(&J::String(f.region_mode.clone()))
        ));
    }
    Ok(())
}

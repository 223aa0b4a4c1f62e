//! Long-running operations: status and result URLs, Retry-After, and
//! the answers to polling.

use serde_json::{Value as J, json};

use super::http::{Resp, empty, json_resp, with_header};
use super::world::World;
use crate::emulator::Settings;
use crate::emulator::store::Operation;
use crate::emulator::types;

/// An operation's status URL (`Azure-AsyncOperation`) and result URL
/// (`Location`).
pub(super) fn op_urls(
    base: &str,
    sub: &str,
    ns: &str,
    location: &str,
    id: &str,
    api: &str,
) -> (String, String) {
    let loc = if location.is_empty() {
        "global"
    } else {
        location
    };
    (
        format!(
            "{base}/subscriptions/{sub}/providers/{ns}/locations/{loc}/operationStatuses/{id}?api-version={api}"
        ),
        format!(
            "{base}/subscriptions/{sub}/providers/{ns}/locations/{loc}/operationResults/{id}?api-version={api}"
        ),
    )
}

/// The Retry-After of a running operation (simulated seconds).
pub(super) fn retry_after(settings: &Settings, op: &Operation, now: f64) -> String {
    // Azure's Retry-After is in its own seconds, and so is the emulator's:
    // simulated seconds until the operation ends, at most what
    // `max_retry_after` real seconds are worth at the time scale.
    let (scale, max) = (settings.time_scale, settings.max_retry_after);
    let left = (op.finish - now).max(0.0).ceil();
    let cap = (max as f64 * scale.max(1e-6)).max(1.0).floor();
    (left.min(cap) as u64).to_string()
}

/// The answer to polling an operation's status URL (`status_style`) or
/// its result URL.
pub(super) fn op_response(
    w: &World,
    base: &str,
    op: &Operation,
    status_style: bool,
    now: f64,
) -> Resp {
    let store = &w.store;
    let status = match op.status.as_str() {
        "Running" => "InProgress",
        s => s,
    };
    if status_style {
        let mut doc = json!({
            "id": op.id, "name": op.id, "status": status,
            "startTime": crate::timefmt::rfc3339(op.start),
            "percentComplete": if op.status == "Running" { ((now - op.start) / (op.finish - op.start).max(1e-9) * 100.0).clamp(0.0, 99.0).floor() } else { 100.0 },
        });
        if op.status != "Running" {
            doc["endTime"] = J::String(crate::timefmt::rfc3339(op.finish));
        }
        if let Some((code, message)) = &op.error {
            doc["error"] = json!({"code": code, "message": message});
        }
        if let Some(r) = &op.result
            && let Some(lost) = r.get("lostWrites")
        {
            doc["properties"] = json!({"lostWrites": lost});
        }
        let resp = json_resp(200, &doc);
        return if op.status == "Running" {
            with_header(resp, "retry-after", &retry_after(&w.settings, op, now))
        } else {
            resp
        };
    }
    // Location-style result.
    match op.status.as_str() {
        "Running" => {
            let (_, url) = op_urls(
                base,
                &op.subscription,
                &op.namespace,
                &op.location,
                &op.id,
                "2021-04-01",
            );
            with_header(
                with_header(empty(202), "location", &url),
                "retry-after",
                &retry_after(&w.settings, op, now),
            )
        }
        "Failed" => {
            let (code, message) = op.error.clone().unwrap_or_default();
            json_resp(
                if code == "Conflict" {
                    409
                } else if code.starts_with("Invalid") || code == "BadRequest" {
                    400
                } else {
                    500
                },
                &json!({"error": {"code": code, "message": message}}),
            )
        }
        _ => match op.kind.as_str() {
            "delete" => empty(204),
            "create" | "update" => match store.get(&op.resource) {
                Ok(Some(row)) => {
                    let spec = types::lookup(&row.ty);
                    match spec {
                        Some(spec) => json_resp(200, &spec.present(store, &row)),
                        None => json_resp(200, &row.body),
                    }
                }
                _ => empty(204),
            },
            _ => match &op.result {
                Some(r) => json_resp(200, r),
                None => empty(204),
            },
        },
    }
}

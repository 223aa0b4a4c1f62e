//! Stopping: steps still running when the grace period ends are recorded
//! as left running, for the next apply to follow.

use std::collections::{BTreeSet, HashMap};

use super::record::operations_by_config;
use super::report::{ApplyError, ApplyReport, Event};
use super::steps::{StepId, StepResult};
use crate::lang::Value;
use crate::plan::ResourceChange;
use crate::provider::Providers;
use crate::state::{Backend, Change, PendingOperation, Record, State};

/// The grace period is over: records what the providers are still
/// following (with the step each belongs to) as left running, and stops
/// following it. A step whose request had not been answered yet is not
/// recorded; the next run sends it again (ARM writes are idempotent).
#[allow(clippy::too_many_arguments)]
pub(super) async fn leave_running(
    running: &mut tokio::task::JoinSet<StepResult>,
    in_progress: &BTreeSet<StepId>,
    changes: &HashMap<String, &ResourceChange>,
    providers: &Providers,
    intents: Vec<PendingOperation>,
    backend: &dyn Backend,
    serial: u64,
    state: &mut State,
    report: &mut ApplyReport,
    events: &mut dyn FnMut(Event),
) -> Result<(), ApplyError> {
    let object_id = |c: &ResourceChange| -> Vec<String> {
        [&c.after, &c.before]
            .into_iter()
            .flatten()
            .filter_map(|v| {
                v.as_mapping().and_then(|m| m.get("id")).and_then(|id| {
                    if let Value::String(s) = id.unmark().0 {
                        Some(s.to_lowercase())
                    } else {
                        None
                    }
                })
            })
            .collect()
    };
    let mut left = operations_by_config(providers, |p| p.unresumed());
    let mut fresh = operations_by_config(providers, |p| p.in_flight());
    running.abort_all();
    while running.join_next().await.is_some() {}
    for op in &mut fresh {
        let id = op.id.to_lowercase();
        op.address = in_progress
            .iter()
            .find(|s| {
                changes.get(&s.address).is_some_and(|c| {
                    object_id(c)
                        .iter()
                        .any(|o| id == *o || id.starts_with(&format!("{o}/")))
                })
            })
            .map(|s| s.address.clone());
    }
    for step in in_progress {
        let op = fresh
            .iter()
            .find(|o| o.address.as_deref() == Some(step.address.as_str()));
        events(Event::LeftRunning {
            step: step.clone(),
            operation: op.map(|o| format!("{} {} ({})", o.method, o.id, o.url)),
        });
        report.left_running.push(step.clone());
    }
    left.extend(fresh);
    left.extend(intents);
    let rec = Record {
        serial,
        change: Change::Operations(left),
    };
    backend.append(std::slice::from_ref(&rec))?;
    state.apply_record(&rec);
    Ok(())
}

pub(super) fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

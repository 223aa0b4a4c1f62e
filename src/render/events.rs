//! Machine-readable progress: one JSON object per line, for pipelines
//! (`plan --json`, `apply --json`), in the spirit of Terraform's UI
//! events (`@level`, `@message`, `@timestamp`, `type`).

use serde_json::{Value as J, json};

use crate::apply::{ApplyReport, Event};
use crate::diag::Diagnostic;
use crate::plan::Plan;

fn base(level: &str, message: String, ty: &str) -> J {
    json!({"@level": level, "@message": message, "@module": "drinfra.ui", "@timestamp": crate::timefmt::now(), "type": ty})
}

pub fn version() -> J {
    let mut e = base(
        "info",
        format!("drinfra {}", env!("CARGO_PKG_VERSION")),
        "version",
    );
    e["drinfra"] = J::String(env!("CARGO_PKG_VERSION").into());
    e["ui"] = J::String("1.0".into());
    e
}

pub fn diagnostic(d: &Diagnostic) -> J {
    let mut e = base(
        if d.is_error() { "error" } else { "warn" },
        format!(
            "{}: {}",
            if d.is_error() { "Error" } else { "Warning" },
            d.summary
        ),
        "diagnostic",
    );
    e["diagnostic"] = json!({"severity": if d.is_error() { "error" } else { "warning" }, "summary": d.summary, "detail": d.detail});
    e
}

/// Sensitive values were written unencrypted (state or saved plan).
pub fn unencrypted(n: &crate::state::UnencryptedSecrets) -> J {
    let mut e = base("warn", format!("Warning: {n}"), "diagnostic");
    e["diagnostic"] = json!({"severity": "warning", "summary": "Sensitive values written unencrypted", "detail": n.to_string()});
    e
}

/// The events describing a plan.
pub fn plan(plan: &Plan) -> Vec<J> {
    let mut out = Vec::new();
    for d in &plan.drift {
        let mut e = base(
            "info",
            format!(
                "{}: drift detected ({})",
                d.address,
                if d.after.is_some() {
                    "update"
                } else {
                    "delete"
                }
            ),
            "resource_drift",
        );
        e["change"] = json!({"resource": {"addr": d.address, "resource_type": d.ty}, "action": if d.after.is_some() { "update" } else { "delete" }});
        out.push(e);
    }
    for c in plan
        .changes
        .iter()
        .filter(|c| c.action != crate::plan::Action::NoOp || c.previous_address.is_some())
    {
        let action = match c.action {
            crate::plan::Action::NoOp => "move",
            crate::plan::Action::Create => "create",
            crate::plan::Action::Update => "update",
            crate::plan::Action::Delete => "delete",
            crate::plan::Action::Read => "read",
            _ => "replace",
        };
        let mut e = base(
            "info",
            format!("{}: Plan to {action}", c.address),
            "planned_change",
        );
        e["change"] = json!({"resource": {"addr": c.address, "resource_type": c.ty, "resource_name": c.name, "module": c.module_path.to_string()}, "action": action, "reason": c.reason, "previous_resource": c.previous_address, "notes": c.notes});
        out.push(e);
    }
    // Objects a `removed` block forgets: Terraform's "Plan to remove".
    for rs in &plan.forgets {
        let mut e = base(
            "info",
            format!("{}: Plan to remove", rs.address),
            "planned_change",
        );
        e["change"] = json!({"resource": {"addr": rs.address, "resource_type": rs.ty, "resource_name": rs.name, "module": rs.module}, "action": "remove", "reason": "delete_because_no_resource_config"});
        out.push(e);
    }
    let (add, change, remove) = plan.counts();
    let mut s = base(
        "info",
        format!("Plan: {add} to add, {change} to change, {remove} to destroy."),
        "change_summary",
    );
    s["changes"] = json!({"add": add, "change": change, "remove": remove, "import": plan.imports.len(), "operation": "plan"});
    out.push(s);
    out
}

/// One apply progress event.
pub fn apply(e: &Event) -> J {
    match e {
        Event::Started { step } => {
            let mut j = base(
                "info",
                format!("{}: {}...", step.address, step.kind.verb()),
                "apply_start",
            );
            j["hook"] = json!({"resource": {"addr": step.address}, "action": step.kind.verb()});
            j
        }
        Event::Finished { step, elapsed } => {
            let mut j = base(
                "info",
                format!(
                    "{}: {} complete after {:.1}s",
                    step.address,
                    step.kind.verb(),
                    elapsed.as_secs_f64()
                ),
                "apply_complete",
            );
            j["hook"] = json!({"resource": {"addr": step.address}, "action": step.kind.verb(), "elapsed_seconds": elapsed.as_secs_f64()});
            j
        }
        Event::Failed {
            step,
            elapsed,
            error,
            ..
        } => {
            let mut j = base(
                "error",
                format!(
                    "{}: {} failed after {:.1}s: {error}",
                    step.address,
                    step.kind.verb(),
                    elapsed.as_secs_f64()
                ),
                "apply_errored",
            );
            j["hook"] = json!({"resource": {"addr": step.address}, "action": step.kind.verb(), "elapsed_seconds": elapsed.as_secs_f64(), "error": error});
            j
        }
        Event::Skipped { step, because } => {
            let mut j = base(
                "warn",
                format!("{}: {} skipped: {because}", step.address, step.kind.verb()),
                "apply_skipped",
            );
            j["hook"] = json!({"resource": {"addr": step.address}, "action": step.kind.verb(), "because": because});
            j
        }
        Event::Interrupted { running, grace } => {
            let mut j = base(
                "warn",
                format!(
                    "Interrupt received: waiting for {running} running step(s){}",
                    grace
                        .map(|g| format!(" for up to {}s", g.as_secs()))
                        .unwrap_or_default()
                ),
                "interrupted",
            );
            j["grace_seconds"] = json!(grace.map(|g| g.as_secs()));
            j
        }
        Event::LeftRunning { step, operation } => {
            let mut j = base(
                "warn",
                format!(
                    "{}: {} left running, recorded in state for the next apply to resume",
                    step.address,
                    step.kind.verb()
                ),
                "apply_left_running",
            );
            j["hook"] = json!({"resource": {"addr": step.address}, "action": step.kind.verb(), "operation": operation});
            j
        }
    }
}

/// The closing summary of an apply.
pub fn apply_summary(r: &ApplyReport) -> J {
    let count = |k: crate::apply::StepKind| r.done.iter().filter(|s| s.kind == k).count();
    let (add, change, remove) = (
        count(crate::apply::StepKind::Create),
        count(crate::apply::StepKind::Update),
        count(crate::apply::StepKind::Delete),
    );
    let mut s = base(
        if r.ok() { "info" } else { "error" },
        format!(
            "Apply {}: {add} added, {change} changed, {remove} destroyed.",
            if r.ok() { "complete" } else { "incomplete" }
        ),
        "change_summary",
    );
    s["changes"] = json!({"add": add, "change": change, "remove": remove, "failed": r.failed.len(), "skipped": r.skipped.len(), "left_running": r.left_running.len(), "interrupted": r.interrupted, "operation": "apply"});
    s
}

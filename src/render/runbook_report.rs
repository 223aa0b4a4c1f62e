//! The drill report's sections for the runbook's own steps: the verify
//! phase's health checks and the notifications, as Markdown and JSON.
//! URLs and connection strings never reach them (checks carry only what
//! may be shown; deliveries only the target's name).

use serde_json::{Value as J, json};

use crate::ops::report::DrillReport;

/// A table cell: one line, pipes escaped.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// "## Health checks" and "## Notifications", when there were any.
pub fn markdown(r: &DrillReport) -> String {
    let mut out = String::new();
    if !r.health.is_empty() {
        out.push_str(&format!(
            "\n## Health checks\n\n{}\n\n| check | site | what | result | attempts | time (UTC, cloud) |\n| --- | --- | --- | --- | --- | --- |\n",
            if r.unhealthy() {
                "**Completed, unhealthy**: the move is recorded, but checks below failed."
            } else {
                "Every check passed: verification ended when the last one did."
            }
        ));
        for c in &r.health {
            out.push_str(&format!(
                "| {} | {} | {} | {} {} | {} | {} |\n",
                cell(&c.name),
                cell(&c.site),
                cell(&c.what),
                if c.passed { "healthy:" } else { "**failed**:" },
                cell(&c.detail),
                c.attempts,
                crate::timefmt::rfc3339(c.at)
            ));
        }
    }
    if !r.notifications.is_empty() {
        out.push_str("\n## Notifications\n\n| target | when | message | delivered |\n| --- | --- | --- | --- |\n");
        for d in &r.notifications {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                cell(&d.target),
                d.moment.name(),
                cell(&d.title),
                match &d.error {
                    None => format!("yes ({} attempt(s))", d.attempts),
                    Some(e) => format!("**no**: {} after {} attempt(s)", cell(e), d.attempts),
                }
            ));
        }
    }
    out
}

/// The checks and deliveries as JSON.
pub fn json(r: &DrillReport) -> (J, J) {
    (
        J::Array(
            r.health
                .iter()
                .map(|c| {
                    json!({"name": c.name, "site": c.site, "check": c.what, "healthy": c.passed,
                           "attempts": c.attempts, "detail": c.detail, "at": crate::timefmt::rfc3339(c.at)})
                })
                .collect(),
        ),
        J::Array(
            r.notifications
                .iter()
                .map(|d| {
                    json!({"target": d.target, "moment": d.moment.name(), "title": d.title,
                           "delivered": d.error.is_none(), "attempts": d.attempts, "error": d.error})
                })
                .collect(),
        ),
    )
}

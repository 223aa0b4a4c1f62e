//! The view's side of the live failover display: on a terminal an
//! indicatif panel redrawn as events arrive (lines that matter printed
//! above it), otherwise lines stamped with the local time, or JSON.

use indicatif::{ProgressBar, ProgressStyle};

use crate::ops::event::RunbookEvent;
use crate::render::live::{self, Live};

use super::View;

/// The events the live view shows (the rest are the narrative's).
pub(super) fn is_live(e: &RunbookEvent<'_>) -> bool {
    matches!(
        e,
        RunbookEvent::Running { .. }
            | RunbookEvent::Following(_)
            | RunbookEvent::PhaseStarted { .. }
            | RunbookEvent::PhaseDone { .. }
            | RunbookEvent::CloudTime { .. }
            | RunbookEvent::Verifying { .. }
            | RunbookEvent::Checked { .. }
            | RunbookEvent::Notified { .. }
            | RunbookEvent::OwnSteps { .. }
    )
}

impl View {
    pub(super) fn live_event(&mut self, e: RunbookEvent<'_>) {
        if let RunbookEvent::OwnSteps {
            notify,
            checks,
            off,
            plan,
        } = &e
        {
            self.own_steps(notify, checks, off, plan);
            return;
        }
        if self.json {
            if let Some(mut j) = live::json(&e) {
                j["@timestamp"] = serde_json::Value::String(crate::timefmt::now());
                println!("{j}");
            }
            return;
        }
        if matches!(e, RunbookEvent::Running { .. }) {
            self.live = Some(Live::new());
            if self.tty {
                let bar = ProgressBar::new_spinner();
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.enable_steady_tick(std::time::Duration::from_millis(200));
                self.live_bar = Some(bar);
            }
        }
        let Some(l) = &mut self.live else { return };
        let lines = l.on(&e);
        self.live_show(lines);
    }

    pub(super) fn live_apply(&mut self, e: &crate::apply::Event) {
        let Some(l) = &mut self.live else { return };
        let lines = l.on_apply(e);
        // On a terminal the panel shows step states; only failures scroll.
        let keep = self.live_bar.is_none()
            || matches!(
                e,
                crate::apply::Event::Failed { .. } | crate::apply::Event::Skipped { .. }
            );
        self.live_show(if keep { lines } else { vec![] });
    }

    fn live_show(&mut self, lines: Vec<String>) {
        let Some(l) = &self.live else { return };
        match &self.live_bar {
            Some(bar) => {
                for line in lines {
                    bar.println(line);
                }
                let mut msg = vec![l.header()];
                msg.extend(l.panel().into_iter().take(12));
                bar.set_message(msg.join("\n"));
            }
            None => {
                for line in lines {
                    println!("{} {line}", crate::state::lock::now_rfc3339());
                }
            }
        }
    }

    /// The live panel gives way to the outcome.
    pub(super) fn live_end(&self) {
        if let Some(bar) = &self.live_bar {
            bar.finish_and_clear();
        }
    }

    /// The verify phase's verdict and undelivered notifications, after a
    /// completed run.
    pub(super) fn health_and_notices(&self, drill: &crate::ops::report::DrillReport) {
        if drill.unhealthy() {
            eprintln!(
                "{} the move is recorded, but these health checks failed:",
                self.style.red_bold("Completed, unhealthy:")
            );
            for c in drill.health.iter().filter(|c| !c.passed) {
                eprintln!(
                    "  {} on {}: {} ({}, {} attempt(s))",
                    c.name, c.site, c.detail, c.what, c.attempts
                );
            }
        } else if !drill.health.is_empty() {
            println!("Verified: {} health check(s) passed.", drill.health.len());
        }
        let failed: Vec<_> = drill
            .notifications
            .iter()
            .filter(|d| d.error.is_some())
            .collect();
        if !failed.is_empty() {
            eprintln!(
                "{}: {} notification(s) could not be delivered (the run was not held up): {}",
                self.style.bold("warning"),
                failed.len(),
                failed
                    .iter()
                    .map(|d| format!("{} ({})", d.target, d.moment.name()))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }

    /// The whole runbook in order: notifications, the plan's phases,
    /// the verify phase's checks, the closing notification.
    fn own_steps(
        &self,
        notify: &[String],
        checks: &[String],
        off: &[String],
        plan: &crate::plan::Plan,
    ) {
        if self.json {
            return;
        }
        let who = if notify.is_empty() {
            "nobody (no notification target configured)".to_string()
        } else {
            notify.join(", ")
        };
        println!("{}", self.style.bold("Runbook, in order:"));
        let mut n = 0;
        let mut step = |text: String| {
            n += 1;
            println!("  {n:>2}. {text}");
        };
        step(format!(
            "notify {who}: started (who, why, from/to, the phases)"
        ));
        for (phase, changes, secs) in crate::plan::phases::summary(plan) {
            step(format!(
                "phase {}: {} change(s), about {} min; then notify {who}",
                phase.name(),
                changes.len(),
                secs.div_ceil(60)
            ));
        }
        if checks.is_empty() {
            step("verify: no health checks declared for the site traffic moves to".into());
        } else {
            step(format!(
                "verify, after traffic moves: {} health check(s)",
                checks.len()
            ));
            for c in checks {
                println!("        {c}");
            }
        }
        step(format!(
            "notify {who}: completion with measured RTO/RPO and the checks, or what failed and what to do next"
        ));
        if !off.is_empty() {
            println!("  (switched off, their URL unset: {})", off.join(", "));
        }
        println!();
    }

    /// The outcome as one JSON line (`--json`), the drill report in it;
    /// whether the command succeeded.
    pub(super) fn outcome_json(
        &self,
        (status, ok, drill): (&str, bool, Option<&crate::ops::report::DrillReport>),
        report: Option<&std::path::Path>,
    ) -> Result<bool, crate::render::drill::WriteError> {
        if let (Some(p), Some(d)) = (report, drill) {
            crate::render::drill::write(p, d)?;
        }
        let j = serde_json::json!({
            "@level": if ok { "info" } else { "error" },
            "@message": format!("runbook {status}"),
            "@module": "drinfra.ui",
            "@timestamp": crate::timefmt::now(),
            "type": "runbook_outcome",
            "status": status,
            "report": drill.map(crate::render::drill::to_json),
        });
        println!("{j}");
        Ok(ok)
    }
}

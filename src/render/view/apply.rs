//! How an apply ended: counts and outputs, or what failed.

use crate::apply::{ApplyReport, StepKind};
use crate::ops::apply::ApplyOutcome;

use super::View;

impl View {
    /// Shows a finished apply; whether it succeeded.
    pub fn applied(&self, report: &ApplyReport) -> bool {
        self.finished(report, false)
    }

    /// Shows a finished apply or destroy (Terraform ends a destroy with
    /// "Destroy complete! Resources: N destroyed."); whether it succeeded.
    fn finished(&self, report: &ApplyReport, destroy: bool) -> bool {
        if self.json {
            println!("{}", crate::render::events::apply_summary(report));
            return report.ok();
        }
        self.compact_warnings_end();
        let (mut added, mut changed, mut destroyed) = (0, 0, 0);
        for step in &report.done {
            match step.kind {
                StepKind::Create => added += 1,
                StepKind::Update => changed += 1,
                StepKind::Delete => destroyed += 1,
                StepKind::Read => {}
            }
        }
        if report.ok() {
            let line = if destroy {
                format!("Destroy complete! Resources: {destroyed} destroyed.")
            } else {
                format!(
                    "Apply complete! Resources: {added} added, {changed} changed, {destroyed} destroyed."
                )
            };
            println!("\n{}", self.style.paint("1;32", &line));
            if !report.state.outputs.is_empty() {
                println!("\nOutputs:\n");
                for (k, o) in &report.state.outputs {
                    // Terraform's apply summary marks them `<sensitive>`.
                    let v = if o.sensitive {
                        "<sensitive>".into()
                    } else {
                        crate::render::value::render(&crate::lang::Value::from_json(&o.value))
                    };
                    println!("{k} = {v}");
                }
            }
            return true;
        }
        if report.failed.is_empty() && report.skipped.is_empty() && !report.interrupted {
            // Every step is done and recorded; what failed (an output, a
            // postcondition) was shown as a diagnostic, as Terraform shows it.
            return false;
        }
        eprintln!(
            "\n{} {} done, {} failed, {} skipped{}. Every completed step is recorded; run apply again to converge.",
            self.style.red_bold("Apply incomplete:"),
            report.done.len(),
            report.failed.len(),
            report.skipped.len(),
            if report.interrupted {
                ", interrupted"
            } else {
                ""
            }
        );
        for (step, err) in &report.failed {
            eprintln!("  failed: {step}: {err}");
        }
        if !report.left_running.is_empty() {
            eprintln!(
                "  {} step(s) still running in the cloud are recorded in state; the next apply follows them to their end instead of sending them again:",
                report.left_running.len()
            );
            for step in &report.left_running {
                eprintln!("    {step}");
            }
        }
        false
    }

    /// Shows how `apply` or `destroy` (`what`: "Apply", "Destroy") ended;
    /// whether it succeeded.
    pub fn apply_outcome(&self, outcome: &ApplyOutcome, what: &str) -> bool {
        self.compact_warnings_end();
        match outcome {
            ApplyOutcome::NoChanges => true,
            ApplyOutcome::Cancelled => {
                println!("\n{what} cancelled.");
                false
            }
            ApplyOutcome::Applied(report) => self.finished(report, what == "Destroy"),
        }
    }
}

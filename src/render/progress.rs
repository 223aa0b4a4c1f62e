//! Apply progress: a bar on a terminal, one timestamped line per step
//! start and finish otherwise (what pipeline logs need).

use std::io::Write;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::apply::{Event, StepKind};
use crate::state::lock::now_rfc3339;

pub struct Progress {
    bar: Option<ProgressBar>,
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1}s")
    } else {
        format!("{}m{}s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

fn verbs(kind: StepKind) -> (&'static str, &'static str) {
    match kind {
        StepKind::Create => ("Creating...", "Creation complete"),
        StepKind::Update => ("Modifying...", "Modifications complete"),
        StepKind::Delete => ("Destroying...", "Destruction complete"),
        StepKind::Read => ("Reading...", "Read complete"),
    }
}

impl Progress {
    /// `tty`: draw a bar for `total` steps.
    pub fn new(tty: bool, total: usize) -> Progress {
        let bar = tty.then(|| {
            let b = ProgressBar::new(total as u64);
            b.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} steps {elapsed} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            b
        });
        Progress { bar }
    }

    fn line(&self, text: String) {
        match &self.bar {
            Some(b) => b.println(text),
            None => {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{} {text}", now_rfc3339());
                let _ = out.flush();
            }
        }
    }

    pub fn event(&mut self, e: &Event) {
        match e {
            Event::Started { step } => {
                if self.bar.is_none() {
                    self.line(format!("{}: {}", step.address, verbs(step.kind).0));
                }
            }
            Event::Finished { step, elapsed } => {
                if let Some(b) = &self.bar {
                    b.inc(1);
                    b.set_message(step.address.clone());
                } else {
                    self.line(format!("{}: {} after {}", step.address, verbs(step.kind).1, secs(*elapsed)));
                }
            }
            Event::Failed {
                step, elapsed, error, ..
            } => {
                if let Some(b) = &self.bar {
                    b.inc(1);
                }
                self.line(format!("{}: {} failed after {}: {error}", step.address, step.kind.verb(), secs(*elapsed)));
            }
            Event::Skipped { step, because } => {
                if let Some(b) = &self.bar {
                    b.inc(1);
                }
                self.line(format!("{}: {} skipped: {because}", step.address, step.kind.verb()));
            }
            Event::Interrupted { running, grace } => self.line(match grace {
                Some(g) => format!("Interrupt received: starting nothing new, waiting up to {}s for {running} running step(s); what is still running then is recorded for the next apply to resume", g.as_secs()),
                None => format!("Interrupt received: starting nothing new, waiting for {running} running step(s) to finish"),
            }),
            Event::LeftRunning { step, operation } => {
                if let Some(b) = &self.bar {
                    b.inc(1);
                }
                self.line(match operation {
                    Some(op) => format!("{}: {} still running in the cloud; recorded in state, the next apply follows it: {op}", step.address, step.kind.verb()),
                    None => format!("{}: {} stopped before the cloud answered; the next apply sends it again", step.address, step.kind.verb()),
                });
            }
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

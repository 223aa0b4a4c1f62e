//! Views: the one place that chooses how what an operation reports is
//! shown (human text, JSON event lines, Markdown), like Terraform's
//! `internal/command/views`. A command builds a [`View`], hands its
//! [`View::event`] to the operation as the event sink, and hands the
//! operation's outcome to one of the view's outcome methods.

mod apply;
mod check;
mod console;
mod failover;
mod live;
pub mod prompt;
pub mod state;
mod validate;

use std::path::PathBuf;

use crate::ops::{Event, Stop};
use crate::plan::Plan;
use crate::render::progress::Progress;
use crate::render::style::Style;
use crate::render::{diagnostics, events, plan as plan_text, plan_markdown};

/// How to show a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlanFormat {
    #[default]
    Human,
    /// One line per resource.
    Compact,
    /// Markdown for a pull-request comment.
    Markdown,
    /// JSON event lines (after the version line).
    Json,
}

/// Which runbook's narrative the view tells, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Runbook {
    #[default]
    None,
    /// `failover`; `markdown`: its plan as Markdown (`--plan-only --markdown`).
    Failover {
        markdown: bool,
    },
    Failback,
}

/// Warnings `-compact-warnings` held are never dropped unseen: a command
/// that ends without listing them (import, an error) lists them last.
impl Drop for View {
    fn drop(&mut self) {
        self.compact_warnings_end();
    }
}

/// Shows one command's events and outcome.
pub struct View {
    pub style: Style,
    /// The stack's directory (diagnostics name files relative to it).
    pub dir: PathBuf,
    /// Also report the requests made to the cloud.
    pub verbose: bool,
    /// The `--lock-timeout` flag as given, for "waiting up to ...".
    pub lock_timeout: String,
    /// Stream JSON events instead of text.
    pub json: bool,
    /// How to show the plan an apply or destroy is about to ask about.
    pub planned: PlanFormat,
    pub runbook: Runbook,
    /// Whether standard output is a terminal (a progress bar, not lines).
    pub tty: bool,
    /// Terraform's `-compact-warnings`: warnings (when there is no error)
    /// as one summary line each.
    pub compact_warnings: bool,
    progress: Option<Progress>,
    /// A failover's or failback's live view, while one runs.
    live: Option<crate::render::live::Live>,
    live_bar: Option<indicatif::ProgressBar>,
    told_unencrypted: bool,
    /// Warnings `-compact-warnings` lists at the end of the command.
    held_warnings: std::cell::RefCell<Vec<diagnostics::CompactWarning>>,
}

impl View {
    pub fn new(style: Style, dir: PathBuf) -> View {
        View {
            style,
            dir,
            verbose: false,
            lock_timeout: String::new(),
            json: false,
            planned: PlanFormat::Human,
            runbook: Runbook::None,
            tty: false,
            compact_warnings: false,
            progress: None,
            live: None,
            live_bar: None,
            told_unencrypted: false,
            held_warnings: Default::default(),
        }
    }

    /// Shows one event.
    pub fn event(&mut self, e: Event<'_>) {
        let style = self.style;
        match e {
            Event::Diagnostics { diags, sources } => {
                if self.compact_warnings && !diags.is_empty() && !diags.has_errors() {
                    // Held, and listed once at the end, as Terraform does.
                    diagnostics::hold_compact(
                        &mut self.held_warnings.borrow_mut(),
                        diags,
                        sources,
                        &self.dir,
                    );
                } else if !diags.is_empty() {
                    eprint!(
                        "{}",
                        diagnostics::render_all(diags, sources, &self.dir, style)
                    );
                }
            }
            Event::LockWaiting(h) => {
                // A holder that records no process or time (Terraform's
                // advisory lock) is not given a pid 0 or an empty time.
                let mut about = vec![h.operation.clone()];
                if h.pid != 0 {
                    about.push(format!("pid {}", h.pid));
                }
                if !h.created.is_empty() {
                    about.push(format!("since {}", h.created));
                }
                about.extend(h.ci_run_url.clone());
                eprintln!(
                    "{}: waiting up to {} for the state lock held by {} ({})",
                    style.bold("lock"),
                    self.lock_timeout,
                    h.who,
                    about.join(", ")
                )
            }
            Event::LockBroken(h) => eprintln!(
                "{}: breaking a stale lock left by {} (pid {} is no longer running)",
                style.bold("lock"),
                h.who,
                h.pid
            ),
            Event::Connected { clouds, state } => {
                let cloud = if clouds.is_empty() {
                    "built-in resources only".to_string()
                } else {
                    clouds.join("; ")
                };
                eprintln!("{}", style.dim(&format!("Cloud: {cloud}. State: {state}.")));
            }
            Event::Requests {
                provider,
                requests,
                throttled,
            } => {
                if self.verbose {
                    eprintln!(
                        "{}",
                        style.dim(&format!(
                            "{provider}: {requests} requests, {throttled} throttled (429)"
                        ))
                    );
                }
            }
            Event::Unencrypted(n) => self.unencrypted(n),
            Event::Planned(plan) => self.plan(plan, self.planned),
            Event::Applying { steps } => {
                let bar = self.tty && !self.json && self.runbook == Runbook::None;
                self.progress = Some(Progress::new(bar, steps));
            }
            Event::Apply(e) => {
                if self.json {
                    println!("{}", events::apply(e));
                } else if self.live.is_some() {
                    self.live_apply(e);
                } else if let Some(p) = &mut self.progress {
                    p.event(e);
                }
            }
            Event::Applied => {
                if let Some(p) = &self.progress {
                    p.finish();
                }
            }
            Event::PlacementNotRecorded { group, error } => eprintln!(
                "{}: could not record where this apply placed failover group {group:?}: {}",
                style.bold("warning"),
                chain(error)
            ),
            Event::Runbook(e) => self.runbook_event(e),
            Event::ModuleInstalled(m) => println!(
                "- {}: {} {}{}",
                m.key,
                if m.fetched { "installed" } else { "reusing" },
                m.source,
                m.version
                    .as_ref()
                    .map(|v| format!(" {v}"))
                    .unwrap_or_default()
            ),
        }
    }

    /// Says, once per command, that sensitive values were written
    /// unencrypted and how to turn encryption on: a warning on stderr, or
    /// a diagnostic event when the command streams JSON events.
    pub fn unencrypted(&mut self, n: &crate::state::UnencryptedSecrets) {
        if std::mem::replace(&mut self.told_unencrypted, true) {
            return;
        }
        if self.json {
            println!("{}", events::unencrypted(n));
        } else {
            eprintln!("{}: {n}.", self.style.bold("warning"));
        }
    }

    /// Prints a plan; as JSON events after the version line.
    pub fn plan(&self, plan: &Plan, format: PlanFormat) {
        match format {
            PlanFormat::Json => {
                println!("{}", events::version());
                for e in events::plan(plan) {
                    println!("{e}");
                }
            }
            PlanFormat::Markdown => {
                print!("{}", plan_markdown::render(plan, plan_markdown::BUDGET))
            }
            PlanFormat::Compact => print!("{}", plan_text::render_compact(plan, self.style)),
            PlanFormat::Human => print!("{}", plan_text::render(plan, self.style)),
        }
    }

    /// The warnings `-compact-warnings` held, listed as Terraform lists
    /// them (on standard output, after the plan or the applied steps).
    pub fn compact_warnings_end(&self) {
        let held = std::mem::take(&mut *self.held_warnings.borrow_mut());
        if !held.is_empty() {
            print!("{}", diagnostics::render_compact(&held));
        }
    }

    /// `plan --out FILE` saved the plan.
    pub fn plan_saved(&self, path: &std::path::Path) {
        println!(
            "\nSaved the plan to {}. To apply it: drinfra apply {}",
            path.display(),
            path.display()
        );
    }

    /// An operation stopped after reporting diagnostics: what it means.
    pub fn stopped(&self, stop: Stop) {
        match stop {
            Stop::InvalidConfig => eprintln!("\nNothing was changed."),
            Stop::PlanFailed => eprintln!("\nPlanning failed; nothing was changed."),
            Stop::FailoverPlanFailed => {
                eprintln!("\nPlanning the failover failed; nothing was changed.")
            }
            Stop::FailbackStagePlanFailed => eprintln!(
                "\nPlanning this failback stage failed; the stages before it are applied and recorded. Fix the cause and rerun the failback: it resumes at this stage."
            ),
            Stop::LoadFailed | Stop::Unusable => {}
        }
    }

    /// A saved plan is out of date.
    pub fn stale(&self, file: &std::path::Path, why: &crate::apply::Staleness) {
        eprintln!(
            "{}: the saved plan {} is stale: {why}.\nNothing was changed. Make a new plan with `drinfra plan --out {}`.",
            self.style.red_bold("error"),
            file.display(),
            file.display()
        );
    }
}

/// An error with its causes, `: `-separated.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(&format!(": {c}"));
        cause = c.source();
    }
    out
}

//! A run's own steps around the plan's: the start notification, each
//! phase's start and end as the apply goes (events and a notification per
//! phase), the verify phase, and the closing notification with measured
//! RTO/RPO or what failed. Failover and failback share it.

use std::collections::BTreeMap;

use crate::plan::Plan;

use super::checked::{Delivery, Moment};
use super::event::{Event, Events, RunKind, RunbookEvent};
use super::notify::{Message, Notifier};
use super::report::DrillReport;
use super::session::Engine;
use super::verify::Declared;

/// Follows one run.
pub(super) struct Watch {
    kind: RunKind,
    group: String,
    notifier: Notifier,
    /// Steps left per phase, and each step's phase (by address).
    left: BTreeMap<String, usize>,
    failed: BTreeMap<String, usize>,
    phase_of: BTreeMap<String, String>,
    started: Vec<String>,
    /// Deliveries told so far.
    delivered: Vec<Delivery>,
    /// The latest cloud time told.
    told: f64,
}

fn word(kind: RunKind) -> &'static str {
    match kind {
        RunKind::Failover => "Failover",
        RunKind::Failback => "Failback",
    }
}

/// `1h 2m 3s`-style, whole seconds.
fn span(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m {s}s"),
        (h, m, s) => format!("{h}h {m}m {s}s"),
    }
}

impl Watch {
    /// Starts the notifier and tells everyone the run started: who, why,
    /// from and to, and the plan in a line per phase.
    pub(super) fn start(
        engine: &Engine,
        declared: &Declared,
        kind: RunKind,
        drill: &DrillReport,
        plan: Option<&Plan>,
        events: Events<'_>,
    ) -> Watch {
        let notifier = Notifier::start(&engine.rt, &declared.targets);
        events(Event::Runbook(RunbookEvent::Running {
            kind,
            group: &drill.group,
            from: &drill.from,
            to: &drill.to,
            at: drill.started,
            estimate_secs: drill.expected_secs,
            budget_secs: drill.rto_target.map(|d| d.as_secs()),
        }));
        let mut facts = vec![
            ("By".to_string(), drill.by.clone()),
            (
                "Why".to_string(),
                if drill.reason.is_empty() {
                    "(no reason given)".to_string()
                } else {
                    drill.reason.clone()
                },
            ),
            ("From".to_string(), drill.from.clone()),
            ("To".to_string(), drill.to.clone()),
            ("Mode".to_string(), drill.mode.to_string()),
        ];
        if let Some(plan) = plan {
            let phases: Vec<String> = crate::plan::phases::summary(plan)
                .iter()
                .map(|(p, changes, secs)| {
                    format!(
                        "{} ({} change(s), ~{} min)",
                        p.name(),
                        changes.len(),
                        secs.div_ceil(60)
                    )
                })
                .collect();
            facts.push(("Plan".to_string(), phases.join(", ")));
        }
        facts.push((
            "Expected".to_string(),
            format!(
                "~{} min{}",
                drill.expected_secs.div_ceil(60),
                drill
                    .rto_target
                    .map(|t| format!(" (RTO target {} min)", t.as_secs() / 60))
                    .unwrap_or_default()
            ),
        ));
        let w = Watch {
            kind,
            group: drill.group.clone(),
            notifier,
            left: BTreeMap::new(),
            failed: BTreeMap::new(),
            phase_of: BTreeMap::new(),
            started: vec![],
            delivered: vec![],
            told: drill.started,
        };
        w.notifier.post(&Message {
            moment: Moment::Start,
            group: drill.group.clone(),
            title: format!(
                "{} of {} started: {} -> {}",
                word(kind),
                drill.group,
                drill.from,
                drill.to
            ),
            facts,
        });
        w
    }

    /// Follows `plan`'s phases from here on (a failback has one per stage).
    pub(super) fn follow(&mut self, plan: &Plan, events: Events<'_>) {
        self.left.clear();
        self.failed.clear();
        self.phase_of.clear();
        self.started.clear();
        for step in crate::apply::steps(plan).nodes() {
            if let Some(p) = plan.phases.get(&step.address) {
                *self.left.entry(p.name().to_string()).or_default() += 1;
                self.phase_of
                    .insert(step.address.clone(), p.name().to_string());
            }
        }
        events(Event::Runbook(RunbookEvent::Following(plan)));
    }

    /// Passes `e` on, after telling of a phase that starts, and before
    /// telling of one that ends (and posting it).
    pub(super) fn event(&mut self, engine: &Engine, e: Event<'_>, events: Events<'_>) {
        for d in self.notifier.settled() {
            events(Event::Runbook(RunbookEvent::Notified { delivery: &d }));
            self.delivered.push(d);
        }
        let Event::Apply(a) = &e else {
            events(e);
            return;
        };
        let now = super::cloud_time::seen(engine);
        if now >= self.told + 1.0 {
            self.told = now;
            events(Event::Runbook(RunbookEvent::CloudTime { at: now }));
        }
        let (step, ends, failed) = match a {
            crate::apply::Event::Started { step } => (step, false, false),
            crate::apply::Event::Finished { step, .. } => (step, true, false),
            crate::apply::Event::Failed { step, .. }
            | crate::apply::Event::LeftRunning { step, .. } => (step, true, true),
            crate::apply::Event::Skipped { step, .. } => (step, true, true),
            crate::apply::Event::Interrupted { .. } => {
                events(e);
                return;
            }
        };
        let Some(phase) = self.phase_of.get(&step.address).cloned() else {
            events(e);
            return;
        };
        if !self.started.contains(&phase) {
            self.started.push(phase.clone());
            events(Event::Runbook(RunbookEvent::PhaseStarted {
                phase: &phase,
                at: now,
            }));
        }
        events(e);
        if !ends {
            return;
        }
        if failed {
            *self.failed.entry(phase.clone()).or_default() += 1;
        }
        let left = self.left.entry(phase.clone()).or_default();
        *left = left.saturating_sub(1);
        if *left == 0 {
            let failed = self.failed.get(&phase).copied().unwrap_or(0);
            events(Event::Runbook(RunbookEvent::PhaseDone {
                phase: &phase,
                at: now,
                failed,
            }));
            self.notifier.post(&Message {
                moment: Moment::PhaseDone,
                group: self.group.clone(),
                title: format!(
                    "{} of {}: phase {phase} {}",
                    word(self.kind),
                    self.group,
                    if failed == 0 {
                        "done"
                    } else {
                        "ended with failures"
                    }
                ),
                facts: if failed == 0 {
                    vec![]
                } else {
                    vec![("Failed steps".into(), failed.to_string())]
                },
            });
        }
    }

    /// The verify phase: runs the checks of `site` (PostgreSQL ones only
    /// when data moved), records them, and ends the RTO's verification
    /// part when they all pass.
    pub(super) fn verify(
        &mut self,
        engine: &Engine,
        declared: &Declared,
        site: &str,
        data_moved: bool,
        drill: &mut DrillReport,
        events: Events<'_>,
    ) {
        let checks = declared.checks_of(site, data_moved);
        if checks.is_empty() {
            return;
        }
        let results = super::verify::run(engine, &checks, events);
        let done = results.iter().map(|r| r.at).fold(f64::MIN, f64::max);
        for r in &results {
            let mut e = super::report::TimelineEntry::at(
                r.at,
                format!("health check {} ({})", r.name, r.what),
                if r.passed {
                    super::report::StepStatus::Done(r.detail.clone())
                } else {
                    super::report::StepStatus::Failed(r.detail.clone())
                },
            );
            e.phase = Some("verify".into());
            e.since = drill.rto.verified;
            drill.timeline.push(e);
        }
        // Verification ends when the checks pass; failing ones leave the
        // run unverified (no RTO total rather than a wrong one).
        if drill.rto.switched.is_some() {
            drill.rto.verified = results.iter().all(|r| r.passed).then_some(done);
        }
        drill.health = results;
    }

    /// Ends a run that stopped on an error after it started: the failure
    /// is posted like any other (the error as its problem), then the error
    /// goes back to the caller.
    pub(super) fn abort(
        self,
        engine: &Engine,
        drill: &mut DrillReport,
        error: super::error::Error,
        events: Events<'_>,
    ) -> super::error::Error {
        drill.problems.push(error.to_string());
        self.finish(engine, Moment::Failure, drill, events);
        error
    }

    /// Posts how the run ended (`moment`) and waits a bounded time for
    /// every queued message; the deliveries go into the report and out
    /// as events.
    pub(super) fn finish(
        mut self,
        engine: &Engine,
        moment: Moment,
        drill: &mut DrillReport,
        events: Events<'_>,
    ) {
        if !self.notifier.targets().is_empty() {
            self.notifier.post(&closing(self.kind, moment, drill));
        }
        let rest: Vec<Delivery> = self.notifier.finish(&engine.rt);
        for d in &rest {
            events(Event::Runbook(RunbookEvent::Notified { delivery: d }));
        }
        self.delivered.extend(rest);
        drill.notifications = self.delivered;
    }
}

/// The closing message: completion with measured RTO/RPO, completion with
/// failed checks, or what failed and what to do next.
fn closing(kind: RunKind, moment: Moment, d: &DrillReport) -> Message {
    let what = word(kind);
    let mut facts = Vec::new();
    let title = match moment {
        Moment::Complete => format!("{what} of {} complete: {} is active", d.group, d.to),
        Moment::Unhealthy => format!(
            "{what} of {} completed, unhealthy: {} is active but health checks failed",
            d.group, d.to
        ),
        _ => format!("{what} of {} did not complete", d.group),
    };
    if matches!(moment, Moment::Complete | Moment::Unhealthy) {
        if let Some(total) = d.rto.total() {
            facts.push((
                "RTO".into(),
                format!(
                    "{}{}",
                    span(total),
                    d.rto_target
                        .map(|t| format!(" (target {})", span(t.as_secs_f64())))
                        .unwrap_or_default()
                ),
            ));
        }
        let rpo: Vec<String> = d
            .rpo
            .iter()
            .map(|s| format!("{}: {}", s.address, s.rpo))
            .collect();
        facts.push((
            "RPO".into(),
            if rpo.is_empty() {
                format!("{:?}", d.data_loss)
            } else {
                rpo.join("; ")
            },
        ));
        facts.push(("Took".into(), span(d.actual_secs)));
    }
    let failed: Vec<String> = d
        .health
        .iter()
        .filter(|c| !c.passed)
        .map(|c| format!("{} ({})", c.name, c.detail))
        .collect();
    if !failed.is_empty() {
        facts.push(("Failed checks".into(), failed.join(", ")));
    }
    if !d.problems.is_empty() {
        facts.push(("What failed".into(), d.problems.join("; ")));
    }
    if !d.follow_ups.is_empty() {
        facts.push(("Next".into(), d.follow_ups.join("; ")));
    }
    Message {
        moment,
        group: d.group.clone(),
        title,
        facts,
    }
}

//! The live view of a failover or failback: the current phase and its
//! steps (running, done, failed, or what a waiting step waits for), the
//! time elapsed on the cloud's clock against the RTO budget and the
//! plan's estimate, health checks as they settle and notifications as
//! they are sent. On a terminal it redraws an indicatif panel; otherwise
//! it gives lines with phase markers (the view stamps them); `--json`
//! gives one object per event ([`json`]).

use std::collections::BTreeMap;

use serde_json::{Value as J, json};

use crate::apply::Event as Apply;
use crate::ops::event::{RunKind, RunbookEvent};

#[derive(Debug, Clone, PartialEq)]
enum StepState {
    Waiting,
    Running,
    Done,
    Failed,
}

/// What the live view knows of the run so far.
#[derive(Default)]
pub struct Live {
    started: f64,
    now: f64,
    estimate: u64,
    budget: Option<u64>,
    phase: Option<String>,
    phase_of: BTreeMap<String, String>,
    phase_order: Vec<String>,
    deps: BTreeMap<String, Vec<String>>,
    steps: BTreeMap<String, StepState>,
    checks: (usize, usize),
    sent: usize,
    /// No estimate at the start (a failback plans stage by stage): each
    /// plan followed adds its phases' estimate.
    estimate_per_plan: bool,
}

/// `+1h02m03s`-style elapsed time.
fn clock(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    if s >= 3600 {
        format!("+{}h{:02}m{:02}s", s / 3600, (s % 3600) / 60, s % 60)
    } else {
        format!("+{:02}m{:02}s", s / 60, s % 60)
    }
}

impl Live {
    pub fn new() -> Live {
        Live::default()
    }

    fn at(&self) -> String {
        format!("[{}]", clock(self.now - self.started))
    }

    /// The elapsed time against budget and estimate, one line.
    pub fn header(&self) -> String {
        let elapsed = self.now - self.started;
        format!(
            "{} {} on the cloud's clock; estimate {} min{}",
            self.phase
                .as_deref()
                .map(|p| format!("Phase {p}:"))
                .unwrap_or_else(|| "Starting:".into()),
            clock(elapsed),
            self.estimate.div_ceil(60),
            self.budget
                .map(|b| format!(
                    ", RTO budget {} min ({:.0}% used)",
                    b / 60,
                    100.0 * elapsed / b.max(1) as f64
                ))
                .unwrap_or_default()
        )
    }

    /// Steps of the current phase, each with its state or what it waits for.
    pub fn panel(&self) -> Vec<String> {
        let Some(phase) = &self.phase else {
            return vec![];
        };
        self.steps
            .iter()
            .filter(|(a, _)| self.phase_of.get(*a) == Some(phase))
            .map(|(a, s)| match s {
                StepState::Running => format!("  ~ {a}: running"),
                StepState::Done => format!("  + {a}: done"),
                StepState::Failed => format!("  ! {a}: failed"),
                StepState::Waiting => format!("  . {a}: waits for {}", self.waits_for(a)),
            })
            .collect()
    }

    fn waits_for(&self, addr: &str) -> String {
        let open: Vec<&str> = self
            .deps
            .get(addr)
            .into_iter()
            .flatten()
            .filter(|d| {
                self.steps
                    .get(*d)
                    .is_some_and(|s| matches!(s, StepState::Waiting | StepState::Running))
            })
            .map(String::as_str)
            .collect();
        if open.is_empty() {
            "a free slot (parallelism)".into()
        } else {
            open.join(", ")
        }
    }

    /// Lines for a runbook event (none for those the narrative shows).
    pub fn on(&mut self, e: &RunbookEvent<'_>) -> Vec<String> {
        match e {
            RunbookEvent::Running {
                kind,
                group,
                from,
                to,
                at,
                estimate_secs,
                budget_secs,
            } => {
                self.started = *at;
                self.now = *at;
                self.estimate = *estimate_secs;
                self.estimate_per_plan = *estimate_secs == 0;
                self.budget = *budget_secs;
                vec![format!(
                    "{} == {} of {group}: {from} -> {to}; estimate {} min{} ==",
                    self.at(),
                    match kind {
                        RunKind::Failover => "failover",
                        RunKind::Failback => "failback",
                    },
                    estimate_secs.div_ceil(60),
                    budget_secs
                        .map(|b| format!(", RTO budget {} min", b / 60))
                        .unwrap_or_default()
                )]
            }
            RunbookEvent::Following(plan) => {
                self.phase_of.clear();
                self.steps.clear();
                self.deps.clear();
                self.phase_order.clear();
                for (addr, p) in &plan.phases {
                    self.phase_of.insert(addr.clone(), p.name().to_string());
                    self.steps.insert(addr.clone(), StepState::Waiting);
                }
                for (p, _, secs) in crate::plan::phases::summary(plan) {
                    self.phase_order.push(p.name().to_string());
                    if self.estimate_per_plan {
                        self.estimate += secs;
                    }
                }
                for c in plan.actions() {
                    self.deps.insert(c.address.clone(), c.depends_on.clone());
                }
                vec![]
            }
            RunbookEvent::PhaseStarted { phase, at } => {
                self.now = self.now.max(*at);
                self.phase = Some(phase.to_string());
                let n = self
                    .phase_of
                    .values()
                    .filter(|p| p.as_str() == *phase)
                    .count();
                let mut out = vec![format!(
                    "{} == phase {phase} started: {n} step(s) ==",
                    self.at()
                )];
                // What the phase's steps wait for, where it is not a slot.
                for (a, s) in &self.steps {
                    if *s == StepState::Waiting
                        && self.phase_of.get(a).map(String::as_str) == Some(*phase)
                    {
                        let waits = self.waits_for(a);
                        if !waits.starts_with("a free slot") {
                            out.push(format!("{} {phase} | {a}: waits for {waits}", self.at()));
                        }
                    }
                }
                out
            }
            RunbookEvent::PhaseDone { phase, at, failed } => {
                self.now = self.now.max(*at);
                vec![format!(
                    "{} == phase {phase} {} ==",
                    self.at(),
                    if *failed == 0 {
                        "done".to_string()
                    } else {
                        format!("ended: {failed} step(s) failed")
                    }
                )]
            }
            RunbookEvent::CloudTime { at } => {
                self.now = self.now.max(*at);
                vec![]
            }
            RunbookEvent::Verifying { checks } => {
                self.phase = Some("verify".into());
                self.checks = (0, checks.len());
                vec![format!(
                    "{} == phase verify started: {} health check(s): {} ==",
                    self.at(),
                    checks.len(),
                    checks.join(", ")
                )]
            }
            RunbookEvent::Checked { result } => {
                self.now = self.now.max(result.at);
                if result.passed {
                    self.checks.0 += 1;
                }
                vec![format!(
                    "{} check {} on {}: {} after {} attempt(s): {} ({}/{} green)",
                    self.at(),
                    result.name,
                    result.site,
                    if result.passed {
                        "healthy"
                    } else {
                        "UNHEALTHY"
                    },
                    result.attempts,
                    result.detail,
                    self.checks.0,
                    self.checks.1
                )]
            }
            RunbookEvent::Notified { delivery } => {
                if delivery.error.is_none() {
                    self.sent += 1;
                }
                vec![match &delivery.error {
                    None => format!(
                        "notified {} ({}): {}",
                        delivery.target,
                        delivery.moment.name(),
                        delivery.title
                    ),
                    Some(e) => format!(
                        "NOT notified {} ({}) after {} attempt(s): {e}; the run goes on",
                        delivery.target,
                        delivery.moment.name(),
                        delivery.attempts
                    ),
                }]
            }
            _ => vec![],
        }
    }

    /// Lines for an apply event, with the step's phase.
    pub fn on_apply(&mut self, e: &Apply) -> Vec<String> {
        let (step, state, text) = match e {
            Apply::Started { step } => {
                (step, StepState::Running, format!("{}...", step.kind.verb()))
            }
            Apply::Finished { step, .. } => (step, StepState::Done, "done".to_string()),
            Apply::Failed {
                step,
                error,
                deferred,
                ..
            } => (
                step,
                StepState::Failed,
                if *deferred {
                    format!("deferred: {error}")
                } else {
                    format!("failed: {error}")
                },
            ),
            Apply::Skipped { step, because } => {
                (step, StepState::Failed, format!("skipped: {because}"))
            }
            Apply::LeftRunning { step, .. } => (
                step,
                StepState::Failed,
                "still running in the cloud (recorded)".to_string(),
            ),
            Apply::Interrupted { running, .. } => {
                return vec![format!(
                    "{} interrupted: waiting for {running} running step(s)",
                    self.at()
                )];
            }
        };
        self.steps.insert(step.address.clone(), state);
        let phase = self
            .phase_of
            .get(&step.address)
            .cloned()
            .unwrap_or_else(|| "-".into());
        vec![format!("{} {phase} | {}: {text}", self.at(), step.address)]
    }
}

/// A phased plan's phases: name, changes, estimate.
fn phases(plan: &crate::plan::Plan) -> J {
    J::Array(
        crate::plan::phases::summary(plan)
            .iter()
            .map(|(p, changes, secs)| {
                json!({"phase": p.name(),
                       "changes": changes.iter().map(|c| c.address.clone()).collect::<Vec<_>>(),
                       "estimate_seconds": secs})
            })
            .collect(),
    )
}

/// A runbook event as one JSON object (without `@timestamp`, which the
/// view adds), for chat-ops bots; None for the narrative's own events.
pub fn json(e: &RunbookEvent<'_>) -> Option<J> {
    let (ty, mut j) = match e {
        RunbookEvent::Running {
            kind,
            group,
            from,
            to,
            at,
            estimate_secs,
            budget_secs,
        } => (
            "runbook_start",
            json!({"kind": match kind { RunKind::Failover => "failover", RunKind::Failback => "failback" },
                   "group": group, "from": from, "to": to, "cloud_time": at,
                   "estimate_seconds": estimate_secs, "rto_budget_seconds": budget_secs}),
        ),
        RunbookEvent::PhaseStarted { phase, at } => {
            ("phase_start", json!({"phase": phase, "cloud_time": at}))
        }
        RunbookEvent::PhaseDone { phase, at, failed } => (
            "phase_done",
            json!({"phase": phase, "cloud_time": at, "failed_steps": failed}),
        ),
        RunbookEvent::Verifying { checks } => ("verify_start", json!({"checks": checks})),
        RunbookEvent::Checked { result } => (
            "health_check",
            json!({"name": result.name, "site": result.site, "check": result.what,
                   "healthy": result.passed, "attempts": result.attempts,
                   "detail": result.detail, "cloud_time": result.at}),
        ),
        RunbookEvent::FailoverPlanned { intent, plan } => (
            "failover_planned",
            json!({"group": intent.group, "from": intent.from(), "to": intent.to,
                   "forced": intent.forced, "phases": phases(plan),
                   "storage_accounts": intent.accounts}),
        ),
        RunbookEvent::FailbackPlanned { group, home } => {
            ("failback_planned", json!({"group": group, "home": home}))
        }
        RunbookEvent::Stage { title } => ("failback_stage", json!({"stage": title})),
        RunbookEvent::Phases(plan) => ("phases", json!({"phases": phases(plan)})),
        RunbookEvent::ReplicaLag {
            address,
            secs,
            forced,
        } => (
            "replica_lag",
            json!({"store": address, "lag_seconds": secs, "forced": forced}),
        ),
        RunbookEvent::StorageAccount {
            address,
            away,
            result,
        } => (
            "storage_account",
            json!({"account": address, "away": away, "result": format!("{result:?}")}),
        ),
        RunbookEvent::OwnSteps {
            notify,
            checks,
            off,
            ..
        } => (
            "runbook_steps",
            json!({"notify": notify, "checks": checks, "switched_off": off}),
        ),
        RunbookEvent::Notified { delivery } => (
            "notification",
            json!({"target": delivery.target, "moment": delivery.moment.name(),
                   "title": delivery.title, "delivered": delivery.error.is_none(),
                   "attempts": delivery.attempts, "error": delivery.error}),
        ),
        _ => return None,
    };
    j["type"] = J::String(ty.into());
    j["@module"] = J::String("drinfra.ui".into());
    Some(j)
}

//! The runbooks' narrative: what a failover means (title and notes, the
//! forced warning in red), its phases, storage accounts, how it ended;
//! the failback's stages.

use std::path::Path;

use crate::failover::scope::Scope;
use crate::ops::event::{RunbookEvent, StorageResult};
use crate::ops::failback::{FailbackOutcome, FailbackStop};
use crate::ops::failover::FailoverOutcome;
use crate::ops::intent::FailoverIntent;
use crate::ops::record::how_it_stands;
use crate::plan::{Action, Plan, phases};
use crate::render::drill::{self, WriteError};

use super::{PlanFormat, Runbook, View};

impl View {
    pub(super) fn runbook_event(&mut self, e: RunbookEvent<'_>) {
        if self.json || super::live::is_live(&e) {
            return self.live_event(e);
        }
        // The narrative prints around the live panel, not through it.
        match self.live_bar.clone() {
            Some(bar) => bar.suspend(|| self.narrative(e)),
            None => self.narrative(e),
        }
    }

    fn narrative(&mut self, e: RunbookEvent<'_>) {
        match e {
            RunbookEvent::FailoverPlanned { intent, plan } => self.failover_planned(intent, plan),
            RunbookEvent::FailbackPlanned { group, home } => {
                println!(
                    "{}",
                    self.style
                        .bold(&format!("Failback of group {group:?} to {home}"))
                );
                println!(
                    "Stage 1 replaces the stale copies on {home} with replicas of what is active now and re-links the caches the other way (destructive for {home}'s stale data); stage 2 promotes {home} once it has caught up and moves traffic; stage 3 re-establishes replication from {home}.\n"
                );
            }
            RunbookEvent::Stage { title } => {
                println!("{}", self.style.bold(&format!("Stage {title}")))
            }
            RunbookEvent::StageNothingToDo => println!("Nothing to do in this stage.\n"),
            RunbookEvent::Phases(plan) => self.phases(plan),
            RunbookEvent::ReplicaLag {
                address,
                secs,
                forced,
            } => println!(
                "Replica lag just before promotion: {secs:.0} s ({address}){}",
                if forced {
                    ": writes in that window may be lost"
                } else {
                    ": planned promotion waits for it"
                }
            ),
            RunbookEvent::StorageAccount {
                address,
                away,
                result,
            } => match result {
                StorageResult::Done(what) => println!("  {address}: storage account {what}"),
                StorageResult::AlreadyDone => println!(
                    "  {address}: storage account already {}",
                    if away { "failed over" } else { "home" }
                ),
                StorageResult::Deferred(e) => {
                    println!("  {address}: storage account failover deferred (unreachable): {e}")
                }
                // A failback tells it when it stops.
                StorageResult::Failed(e) => {
                    if matches!(self.runbook, Runbook::Failover { .. }) {
                        eprintln!("  failed: {address}: storage account failover: {e}");
                    }
                }
            },
            other => self.live_event(other),
        }
    }

    /// A phased plan: each phase with its changes and estimate.
    fn phases(&self, plan: &Plan) {
        let phases = phases::summary(plan);
        if phases.is_empty() {
            println!("Nothing to change: the group already stands as asked.");
            return;
        }
        println!("{}", self.style.bold("Phases (each starts when the one before it is done; steps within a phase run in parallel):"));
        let mut total = 0;
        for (i, (name, changes, secs)) in phases.iter().enumerate() {
            total += secs;
            println!(
                "  {}. {name:<13} {} change(s), about {} min",
                i + 1,
                changes.len(),
                secs.div_ceil(60)
            );
            for c in changes {
                println!(
                    "       {} {}{}",
                    match c.action {
                        Action::Create => "+",
                        Action::Delete => "-",
                        a if a.is_replace() => "-/+",
                        _ => "~",
                    },
                    c.address,
                    if c.notes.is_empty() {
                        String::new()
                    } else {
                        format!("  ({})", c.notes.join("; "))
                    }
                );
            }
        }
        println!(
            "  Expected duration: about {} min (Azure's typical times; the emulator's are simulated).\n",
            total.div_ceil(60)
        );
    }

    fn failover_planned(&mut self, intent: &FailoverIntent, plan: &Plan) {
        let title = title(intent);
        let notes = notes(intent);
        let storage = storage_note(intent);
        if let Runbook::Failover { markdown: true } = self.runbook {
            let all: Vec<String> = notes
                .iter()
                .map(|(n, _)| n.clone())
                .chain(storage)
                .collect();
            print!(
                "{}",
                crate::render::failover_plan::markdown(&title, &all, plan)
            );
            return;
        }
        println!("{}", self.style.bold(&title));
        for (n, red) in &notes {
            println!(
                "{}",
                if *red {
                    self.style.red_bold(n)
                } else {
                    n.clone()
                }
            );
        }
        println!();
        self.phases(plan);
        if let Some(n) = &storage {
            println!("{n}");
        }
        self.plan(plan, PlanFormat::Compact);
    }

    /// Shows how a failover ended, writing the drill report to `report`
    /// if asked; whether it succeeded.
    pub fn failover_outcome(
        &self,
        outcome: &FailoverOutcome,
        report: Option<&Path>,
    ) -> Result<bool, WriteError> {
        self.live_end();
        if self.json {
            return self.outcome_json(failover_summary(outcome), report);
        }
        match outcome {
            FailoverOutcome::AlreadyStands { group, now } => println!(
                "Group {group:?} already stands as asked ({} active, traffic to {}{}). Nothing to do.",
                now.active,
                now.traffic,
                now.components
                    .iter()
                    .map(|(k, c)| format!(", {k} on {}", c.active))
                    .collect::<String>()
            ),
            FailoverOutcome::PlanOnly => {
                if self.runbook != (Runbook::Failover { markdown: true }) {
                    println!(
                        "\nPlan only: nothing was changed and nothing was recorded. Run without --plan-only to fail over."
                    );
                }
            }
            FailoverOutcome::Recorded { active } => println!("Recorded {active} as active."),
            FailoverOutcome::Cancelled => {
                println!("\nFailover cancelled; nothing was changed.");
                return Ok(false);
            }
            FailoverOutcome::Incomplete { drill, apply } => {
                write_report(report, drill)?;
                eprintln!(
                    "\n{} {} step(s) failed, {} skipped{}; the failover is recorded as in progress. Fix the cause and run the same command again: it continues where it stopped.",
                    self.style.red_bold("Failover incomplete:"),
                    apply.failed.len(),
                    apply.skipped.len(),
                    if apply.interrupted {
                        format!(
                            ", interrupted with {} still running in Azure (recorded; the rerun follows them instead of repeating them)",
                            apply.left_running.len()
                        )
                    } else {
                        String::new()
                    }
                );
                for (st, e) in &apply.failed {
                    eprintln!("  failed: {st}: {e}");
                }
                return Ok(false);
            }
            FailoverOutcome::Complete {
                drill,
                intent,
                elapsed,
                deferred,
            } => {
                write_report(report, drill)?;
                println!(
                    "\n{}",
                    self.style.paint(
                        "1;32",
                        &format!(
                            "Failover complete in {} ({} clock): group {:?} stands {}.",
                            drill::span(elapsed.as_secs_f64()),
                            if drill.rto.wall_clock {
                                "this machine's"
                            } else {
                                "the cloud's"
                            },
                            intent.group,
                            how_it_stands(&intent.target)
                        )
                    )
                );
                let rto = &drill.rto;
                if let Some(total) = rto.total() {
                    println!(
                        "RTO {}: detection {} + decision {} + recovery {} + verification {}.",
                        drill::span(total),
                        drill::span(rto.detection()),
                        drill::span(rto.decision()),
                        rto.recovery().map(drill::span).unwrap_or_default(),
                        rto.verification().map(drill::span).unwrap_or_default()
                    );
                }
                self.health_and_notices(drill);
                if !deferred.is_empty() {
                    println!(
                        "Deferred (unreachable, not failed): {}. Once the region is back, `drinfra plan` shows what is left to reconcile.",
                        deferred.join(", ")
                    );
                }
                let (group, to) = (&intent.group, &intent.to);
                if matches!(intent.scope, Scope::Components(_)) {
                    println!(
                        "The rest of group {group:?} stays on {}. `drinfra failover {group} --to {to}` moves the rest; `drinfra failback {group}` brings these components home in order.",
                        intent.target.active
                    );
                } else if !intent.traffic_only() {
                    println!(
                        "Next: set active = {:?} in the failover_group block so pipelines agree; `drinfra failback {group}` returns in order.",
                        intent.target.active
                    );
                }
            }
        }
        Ok(true)
    }

    /// Shows how a failback ended, writing the drill report to `report`
    /// if asked; whether it succeeded.
    pub fn failback_outcome(
        &self,
        outcome: &FailbackOutcome,
        report: Option<&Path>,
    ) -> Result<bool, WriteError> {
        self.live_end();
        if self.json {
            return self.outcome_json(failback_summary(outcome), report);
        }
        let stopped = self.style.red_bold("Failback stopped:");
        match outcome {
            FailbackOutcome::Cancelled => {
                println!("\nFailback cancelled; nothing was changed.");
                Ok(false)
            }
            FailbackOutcome::Stopped { drill, why } => {
                match why {
                    FailbackStop::Storage { account, error } => eprintln!(
                        "{stopped} storage account {account} did not fail back: {error}; fix the cause and run failback again."
                    ),
                    FailbackStop::Steps { stage, problems } => {
                        eprintln!(
                            "{stopped} stage {stage} did not complete; fix the cause and run failback again."
                        );
                        for (st, e) in problems {
                            eprintln!("  {st}: {e}");
                        }
                    }
                }
                write_report(report, drill)?;
                Ok(false)
            }
            FailbackOutcome::Complete { drill, home, .. } => {
                write_report(report, drill)?;
                self.health_and_notices(drill);
                println!("\n{}", self.style.paint("1;32", &format!("Failback complete: {home} is active again and replicates to the other site. Set active = {home:?} in the failover_group block if it is not already.")));
                println!(
                    "It took {} on {} clock; traffic was home after {}.",
                    drill::span(drill.actual_secs),
                    if drill.rto.wall_clock {
                        "this machine's"
                    } else {
                        "the cloud's"
                    },
                    drill
                        .rto
                        .total()
                        .map(drill::span)
                        .unwrap_or_else(|| "-".into())
                );
                Ok(true)
            }
        }
    }
}

/// How a failover ended, for `--json`: status, whether it succeeded, and
/// the drill report when it ran.
fn failover_summary(
    o: &FailoverOutcome,
) -> (&'static str, bool, Option<&crate::ops::report::DrillReport>) {
    match o {
        FailoverOutcome::AlreadyStands { .. } => ("already_stands", true, None),
        FailoverOutcome::PlanOnly => ("plan_only", true, None),
        FailoverOutcome::Recorded { .. } => ("recorded", true, None),
        FailoverOutcome::Cancelled => ("cancelled", false, None),
        FailoverOutcome::Incomplete { drill, .. } => ("incomplete", false, Some(drill)),
        FailoverOutcome::Complete { drill, .. } if drill.unhealthy() => {
            ("completed_unhealthy", true, Some(drill))
        }
        FailoverOutcome::Complete { drill, .. } => ("complete", true, Some(drill)),
    }
}

fn failback_summary(
    o: &FailbackOutcome,
) -> (&'static str, bool, Option<&crate::ops::report::DrillReport>) {
    match o {
        FailbackOutcome::Cancelled => ("cancelled", false, None),
        FailbackOutcome::Stopped { drill, .. } => ("stopped", false, Some(drill)),
        FailbackOutcome::Complete { drill, .. } if drill.unhealthy() => {
            ("completed_unhealthy", true, Some(drill))
        }
        FailbackOutcome::Complete { drill, .. } => ("complete", true, Some(drill)),
    }
}

fn write_report(
    path: Option<&Path>,
    r: &crate::ops::report::DrillReport,
) -> Result<(), WriteError> {
    if let Some(p) = path {
        drill::write(p, r)?;
        println!("Drill report: {}", p.display());
    }
    Ok(())
}

/// "Failover of group "g": eastus -> westeurope (planned)".
fn title(i: &FailoverIntent) -> String {
    format!(
        "{} of group {:?}: {} -> {}{}",
        if i.resuming {
            "Resuming the failover".to_string()
        } else if i.traffic_only() {
            "Traffic-only failover".into()
        } else if i.data_only() {
            "Data-only failover".into()
        } else if let Scope::Components(cs) = &i.scope {
            format!("Failover ({} only)", cs.join(", "))
        } else {
            "Failover".into()
        },
        i.group,
        i.from(),
        i.to,
        if i.traffic_only() {
            ""
        } else if i.forced {
            " (forced)"
        } else {
            " (planned)"
        }
    )
}

/// What the failover means, said plainly; `true` marks the warning shown
/// in red.
fn notes(i: &FailoverIntent) -> Vec<(String, bool)> {
    let (now, target, to, group) = (&i.now, &i.target, &i.to, &i.group);
    let mut notes: Vec<(String, bool)> = Vec::new();
    if i.traffic_only() {
        notes.push((format!("Only Front Door and DNS move. Data and capacity stay on {}: the application in {to} reaches the database across regions (higher latency); RPO is unchanged, since nothing is promoted.", now.active), false));
    } else if i.data_only() && target.traffic != target.active {
        notes.push((format!("Traffic stays on {}: Front Door, Traffic Manager and DNS keep sending users there, and its application reaches the data in {to} across regions (higher latency) until `drinfra failover {group} --to {to} --only traffic`.", target.traffic), false));
    }
    if let Scope::Components(cs) = &i.scope {
        notes.push((scoped_consequences(i, cs), false));
    }
    if !i.traffic_only() {
        if i.forced {
            notes.push((format!("Forced: replicas are promoted now. Writes on {} not yet replicated are lost (up to the replication lag, which the DR plan keeps under 30 s).", now.active), true));
        } else {
            notes.push(("Planned: replicas are promoted only once they have caught up: no data loss. The old primary must be reachable; if its region is down, use --forced.".into(), false));
        }
    }
    notes
}

fn storage_note(i: &FailoverIntent) -> Option<String> {
    (!i.accounts.is_empty()).then(|| format!("Storage account failover (with the data phase): {} to their secondary region, {}.", i.accounts.join(", "), if i.forced { "unplanned: writes not yet replicated are lost and the accounts become locally redundant until GRS is re-enabled" } else { "planned: no data loss, geo-redundancy kept" }))
}

/// What a failover scoped to components leaves behind, and what that means
/// for the recovery point, said plainly.
fn scoped_consequences(i: &FailoverIntent, moving: &[String]) -> String {
    let (name, from, to) = (&i.group, &i.now.active, &i.to);
    let staying = i.scope.staying(&i.declared);
    let mut out = format!(
        "Moves to {to}: {}.\nStays on {from}: {}.\n",
        moving.join(", "),
        if staying.is_empty() {
            "nothing".into()
        } else {
            staying.join(", ")
        }
    );
    out.push_str(&format!(
        "What this means: what stays on {from} keeps serving from there and reaches the moved components in {to} across regions (higher latency). \
         RPO: the moved components lose {} when promoted; what stays keeps its current protection (its replication to {to}), so losing {from} now would lose what it had not yet replicated. \
         The moved components have no replica on {from} until `drinfra failback {name}` re-seeds it.",
        if i.forced { "writes not yet replicated (up to their replication lag)" } else { "nothing (planned: they catch up first)" }
    ));
    out
}

//! `drill KIND GROUP`: the DR plan's drills as a runbook. Each runs the
//! failover (and the failback) the drill exercises, injects the fault it
//! needs where the cloud takes one (the emulator), and judges the result
//! against the drill's success criteria:
//!
//! - `database-switch` (half-yearly): a planned switch of the database
//!   component alone and back; RTO < 5 min, RPO < 1 min, no data loss,
//!   applications reconnect (the switchover completes, so the writer host
//!   name reaches the new primary).
//! - `region` (yearly): a planned failover of the whole group and its
//!   failback; RTO < 90 min, RPO < 15 min, the failback succeeds.
//! - `surprise` (yearly): an outage of the active site injected by the
//!   drill (the engineer does not choose the moment), a forced failover,
//!   the region back, failback; the group's own RTO and RPO.
//!
//! The drill never prints: it returns the failover and failback reports,
//! the verdict per criterion, and the problems with their cause chains.

use super::error::{Error, Result};
use super::event::Events;
use super::failback::{FailbackOptions, FailbackOutcome, failback};
use super::failover::{FailoverOptions, FailoverOutcome, failover};
use super::prompt::AutoApprove;
use super::report::{DrillReport, Rpo, phase_spans};
use super::session::Engine;
use crate::ops::apply::ApplyOptions;

/// The DR plan's drill kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrillKind {
    DatabaseSwitch,
    Region,
    Surprise,
    DataCorruption,
}

impl DrillKind {
    pub fn parse(s: &str) -> Option<DrillKind> {
        Some(match s {
            "database-switch" => DrillKind::DatabaseSwitch,
            "region" => DrillKind::Region,
            "surprise" => DrillKind::Surprise,
            "data-corruption" => DrillKind::DataCorruption,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            DrillKind::DatabaseSwitch => "database-switch",
            DrillKind::Region => "region",
            DrillKind::Surprise => "surprise",
            DrillKind::DataCorruption => "data-corruption",
        }
    }
}

pub struct DrillOptions {
    pub kind: DrillKind,
    pub group: String,
    /// The site to move to (default: the group's other site).
    pub to: Option<String>,
    /// `--only` for the database switch (default `database`).
    pub component: String,
    pub refresh: bool,
    pub apply: ApplyOptions,
}

/// One success criterion, target against actual.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    pub name: String,
    pub target: String,
    pub actual: String,
    pub met: bool,
}

/// A problem the drill found, with its cause chain (effect first) and
/// what to do about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub chain: Vec<String>,
    pub follow_up: String,
}

#[derive(Debug)]
pub struct DrillOutcome {
    pub kind: DrillKind,
    pub group: String,
    pub from: String,
    pub to: String,
    /// The failover's report, then the failback's (when it ran).
    pub reports: Vec<DrillReport>,
    pub criteria: Vec<Criterion>,
    pub problems: Vec<Problem>,
}

impl DrillOutcome {
    pub fn passed(&self) -> bool {
        !self.criteria.is_empty() && self.criteria.iter().all(|c| c.met)
    }
}

fn minutes(secs: f64) -> String {
    if secs < 120.0 {
        format!("{secs:.0} s")
    } else {
        format!("{:.1} min", secs / 60.0)
    }
}

/// Runs a drill; an error only when it could not run at all.
pub fn drill(engine: &mut Engine, opts: &DrillOptions, events: Events<'_>) -> Result<DrillOutcome> {
    let s = &engine.session;
    let Some(g) = s
        .stack
        .config
        .root()
        .failover_groups
        .get(&opts.group)
        .cloned()
    else {
        return Err(super::runbook::no_group(s, &opts.group));
    };
    let prior = s.backend.load()?;
    let now = crate::failover::standing(&s.stack.config, prior.as_ref(), &opts.group)
        .ok_or_else(|| super::runbook::no_group(s, &opts.group))?;
    let from = now.active.clone();
    let to = match &opts.to {
        Some(t) => t.clone(),
        None => g
            .sites
            .iter()
            .find(|x| **x != from)
            .cloned()
            .ok_or_else(|| Error::Refused(format!("group {:?} has one site", opts.group)))?,
    };
    if opts.kind == DrillKind::DataCorruption {
        return corruption(engine, opts, from, events);
    }
    let reason = format!("drill: {}", opts.kind.name());
    let forced = opts.kind == DrillKind::Surprise;
    let mut outcome = DrillOutcome {
        kind: opts.kind,
        group: opts.group.clone(),
        from: from.clone(),
        to: to.clone(),
        reports: vec![],
        criteria: vec![],
        problems: vec![],
    };
    // The surprise: the active site's region goes down now.
    if forced {
        fault(engine, &from, true)?;
    }
    let fo = FailoverOptions {
        group: opts.group.clone(),
        to: to.clone(),
        forced,
        only: (opts.kind == DrillKind::DatabaseSwitch).then(|| opts.component.clone()),
        plan_only: false,
        reason: reason.clone(),
        refresh: opts.refresh,
        targets: vec![],
        apply: opts.apply.clone(),
        detected_at: None,
    };
    let moved = failover(engine, &fo, &mut AutoApprove, events);
    if forced {
        // The region comes back for the failback (and whatever happens).
        fault(engine, &from, false)?;
    }
    let report = match moved? {
        FailoverOutcome::Complete { drill, .. } => Some(*drill),
        FailoverOutcome::Incomplete { drill, .. } => Some(*drill),
        _ => None,
    };
    let failed_over = report.as_ref().is_some_and(|r| r.completed);
    if let Some(r) = report {
        judge_failover(opts.kind, &g, &r, &mut outcome);
        outcome.reports.push(r);
    } else {
        outcome.criteria.push(Criterion {
            name: "failover".into(),
            target: format!("moves {} to {to}", opts.group),
            actual: "nothing moved".into(),
            met: false,
        });
    }
    if failed_over {
        let fb = FailbackOptions {
            group: opts.group.clone(),
            reason,
            refresh: opts.refresh,
            targets: vec![],
            apply: opts.apply.clone(),
        };
        let back = failback(engine, &fb, &mut AutoApprove, events)?;
        let (ok, why, report) = match back {
            FailbackOutcome::Complete { drill, .. } => (true, String::new(), Some(drill)),
            FailbackOutcome::Stopped { drill, why } => (false, format!("{why:?}"), Some(drill)),
            FailbackOutcome::Cancelled => (false, "cancelled".into(), None),
        };
        let secs = report.as_ref().map(|r| r.actual_secs).unwrap_or_default();
        outcome.criteria.push(Criterion {
            name: "failback succeeds".into(),
            target: format!("{from} active again"),
            actual: if ok {
                format!("{from} active again after {}", minutes(secs))
            } else {
                format!("stopped: {why}")
            },
            met: ok,
        });
        if !ok {
            outcome.problems.push(Problem {
                chain: vec![
                    format!("the failback to {from} did not complete"),
                    why.clone(),
                ],
                follow_up: format!("rerun `drinfra failback {}` once the cause is fixed (it resumes the stage that stopped)", opts.group),
            });
        }
        outcome.reports.extend(report);
    }
    Ok(outcome)
}

fn fault(engine: &Engine, region: &str, down: bool) -> Result<()> {
    let mut why = Vec::new();
    for p in engine.providers.all() {
        match engine.rt.block_on(p.region_fault(region, down)) {
            Ok(()) => return Ok(()),
            Err(e) => why.push(e.to_string()),
        }
    }
    Err(Error::Refused(format!(
        "the drill cannot inject its fault: {}",
        why.join("; ")
    )))
}

/// The drill's targets: the DR plan's for the database switch, the
/// group's own (`rto`, `rpo`) for a region failover, else the plan's.
fn targets(kind: DrillKind, g: &crate::config::model::FailoverGroup) -> (f64, f64) {
    match kind {
        DrillKind::DatabaseSwitch => (300.0, 60.0),
        _ => (
            g.rto.map(|d| d.as_secs_f64()).unwrap_or(90.0 * 60.0),
            g.rpo.map(|d| d.as_secs_f64()).unwrap_or(15.0 * 60.0),
        ),
    }
}

fn judge_failover(
    kind: DrillKind,
    g: &crate::config::model::FailoverGroup,
    r: &DrillReport,
    out: &mut DrillOutcome,
) {
    let (rto_target, rpo_target) = targets(kind, g);
    // RTO: the whole failover (detection + decision + recovery +
    // verification), on the cloud's clock.
    let rto = r.rto.total();
    let rto_met = rto.is_some_and(|t| t < rto_target);
    out.criteria.push(Criterion {
        name: "RTO".into(),
        target: format!("< {}", minutes(rto_target)),
        actual: rto.map(minutes).unwrap_or_else(|| "not reached".into()),
        met: rto_met,
    });
    if !rto_met {
        let mut chain = vec![format!(
            "RTO {} missed its target {}",
            rto.map(minutes).unwrap_or_else(|| "not reached".into()),
            minutes(rto_target)
        )];
        if let Some(p) = phase_spans(&r.timeline)
            .into_iter()
            .max_by(|a, b| (a.end - a.start).total_cmp(&(b.end - b.start)))
        {
            chain.push(format!(
                "the longest phase was {} ({})",
                p.name,
                minutes(p.end - p.start)
            ));
        }
        if r.rto.detection() > 0.0 {
            chain.push(format!("detection took {}", minutes(r.rto.detection())));
        }
        out.problems.push(Problem {
            chain,
            follow_up: "shorten the longest phase (pre-scale standby capacity, smaller steps) or revisit the target".into(),
        });
    }
    // RPO: lost writes where the cloud counts them (their window), else
    // the replica-lag bound.
    let mut lost = 0u64;
    let mut window: f64 = 0.0;
    let mut bound: Option<f64> = None;
    for s in &r.rpo {
        match &s.rpo {
            Rpo::Lost(l) => {
                lost += l.count;
                if let Some((a, b)) = &l.window
                    && let (Some(a), Some(b)) = (
                        crate::timefmt::parse_rfc3339(a),
                        crate::timefmt::parse_rfc3339(b),
                    )
                {
                    window = window.max((b - a) as f64);
                }
            }
            Rpo::LagBound(b) => bound = Some(bound.unwrap_or(0.0).max(b.unwrap_or(f64::INFINITY))),
        }
    }
    let rpo_secs = bound.map_or(window, |b| b.max(window));
    let rpo_met = rpo_secs < rpo_target;
    out.criteria.push(Criterion {
        name: "RPO".into(),
        target: format!("< {}", minutes(rpo_target)),
        actual: match bound {
            Some(b) if b.is_finite() => format!("at most {} (replica-lag bound)", minutes(b)),
            Some(_) => "unknown (lag not measured)".into(),
            None if lost == 0 => "0 s (no write lost)".into(),
            None => format!("{lost} writes lost over {}", minutes(window)),
        },
        met: rpo_met,
    });
    if kind == DrillKind::DatabaseSwitch {
        out.criteria.push(Criterion {
            name: "no data loss".into(),
            target: "0 writes lost".into(),
            actual: format!("{lost} writes lost"),
            met: lost == 0 && bound.is_none(),
        });
        out.criteria.push(Criterion {
            name: "applications reconnect".into(),
            target: "the writer host name reaches the new primary".into(),
            actual: if r.completed && r.deferred.is_empty() {
                "switched over: the virtual endpoint moved with the primary".into()
            } else {
                "the switchover did not complete".into()
            },
            met: r.completed && r.deferred.is_empty(),
        });
    }
    if !rpo_met || lost > 0 {
        out.problems.push(Problem {
            chain: vec![
                format!("{lost} writes were lost"),
                "the replica trailed its primary when it was promoted".into(),
                if kind == DrillKind::Surprise {
                    "a forced promotion cuts at the outage".into()
                } else {
                    "the promotion did not wait for replication".into()
                },
            ],
            follow_up: "keep replica lag low (monitor it against the RPO); prefer a planned switchover when the primary is reachable".into(),
        });
    }
    for p in &r.problems {
        out.problems.push(Problem {
            chain: vec![p.clone()],
            follow_up: r
                .follow_ups
                .first()
                .cloned()
                .unwrap_or_else(|| "see the failover report".into()),
        });
    }
    if !r.completed {
        out.problems.push(Problem {
            chain: vec!["the failover did not complete".into()],
            follow_up: format!("rerun `drinfra failover {} --to {}`", out.group, out.to),
        });
    }
}

/// The data-corruption procedure: a point-in-time restore of the database
/// into a new server, as the configuration asks for it (stacks/platform:
/// `--var restore_database_to=TIME`), planned (the restore window checked
/// on the cloud's clock) and applied; judged on the restore completing
/// within the DR plan's PostgreSQL RTO (1 h).
fn corruption(
    engine: &mut Engine,
    opts: &DrillOptions,
    from: String,
    events: Events<'_>,
) -> Result<DrillOutcome> {
    let (started, _) = super::cloud_time::now(engine);
    let plan_opts = super::plan::PlanOptions {
        refresh: opts.refresh,
        parallelism: opts.apply.parallelism,
        ..Default::default()
    };
    let super::plan::Planned { plan, prior } = super::plan::plan(engine, &plan_opts, events)?;
    events(super::event::Event::Planned(&plan));
    let restores: Vec<(String, String)> = plan
        .changes
        .iter()
        .filter(|c| c.action == crate::plan::Action::Create)
        .filter_map(|c| {
            let after = c.after.as_ref()?;
            let at = crate::provider::type_facts(&c.ty).restore_point(&c.ty, after)?;
            Some((c.address.clone(), at))
        })
        .collect();
    if restores.is_empty() {
        return Err(Error::Refused(
            "the data-corruption drill restores a database to a point in time: the plan creates no point-in-time restore. Ask the configuration for one (stacks/platform: --var restore_database_to=2026-11-30T12:00:00Z)".into(),
        ));
    }
    let report = super::apply::apply(engine, &plan, prior, &opts.apply, events)?;
    let done = super::cloud_time::seen(engine);
    let took = done - started;
    let mut out = DrillOutcome {
        kind: opts.kind,
        group: opts.group.clone(),
        from,
        to: restores
            .iter()
            .map(|(a, _)| a.clone())
            .collect::<Vec<_>>()
            .join(", "),
        reports: vec![],
        criteria: vec![],
        problems: vec![],
    };
    for (address, at) in &restores {
        let ok = !report.failed.iter().any(|(s, _)| s.address == *address);
        out.criteria.push(Criterion {
            name: format!("{address} restored"),
            target: format!("the source's data as of {at}"),
            actual: if ok {
                format!("created from the backups as of {at}")
            } else {
                "the restore failed".into()
            },
            met: ok && report.ok(),
        });
    }
    let rto_target = 3600.0;
    out.criteria.push(Criterion {
        name: "RTO (PostgreSQL)".into(),
        target: format!("< {}", minutes(rto_target)),
        actual: minutes(took),
        met: report.ok() && took < rto_target,
    });
    for (step, e) in &report.failed {
        out.problems.push(Problem {
            chain: vec![format!("{step} failed"), e.to_string()],
            follow_up: "fix the cause and rerun the drill (the restore is a plain create)".into(),
        });
    }
    out.problems.push(Problem {
        chain: vec![
            "writes after the restore point are not in the restored server".into(),
            "the restore point was chosen before the corruption".into(),
        ],
        follow_up: "point the applications at the restored server (stacks/platform: output database_host follows restore_database_to), replay what is needed from after the restore point, then retire the old server and unset restore_database_to".into(),
    });
    Ok(out)
}

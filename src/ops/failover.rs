//! `failover GROUP --to SITE`: moves a failover group (or part of it) to
//! another site in phases (data, capacity, traffic), with storage account
//! failovers alongside the data phase, and records the new standing.

use std::time::Duration;

use crate::apply::ApplyReport;
use crate::config::model::FailoverGroup;
use crate::failover::GroupView;
use crate::failover::scope::{self, Scope};
use crate::plan::{Plan, phases};
use crate::state::{FailoverRecord, FailoverStatus, State};

use super::apply::ApplyOptions;
use super::cloud_time;
use super::error::{Error, Result};
use super::event::{Event, Events, RunbookEvent};
use super::intent::FailoverIntent;
use super::prompt::{Confirm, Question};
use super::record::{how_it_stands, save_record, save_record_at};
use super::report::{DataLoss, DrillReport, IncidentStart, Mode, Rto, StepStatus, TimelineEntry};
use super::runbook::{self, no_group, plan_with};
use super::session::{Engine, Session};

/// What to fail over, and how.
#[derive(Clone)]
pub struct FailoverOptions {
    pub group: String,
    /// The site to make active.
    pub to: String,
    /// Promote now, without waiting for replicas to catch up.
    pub forced: bool,
    /// `--only`: `traffic`, `data`, or a comma-separated list of components.
    pub only: Option<String>,
    /// Plan and report the failover, change nothing, record nothing.
    pub plan_only: bool,
    /// Why, for the record.
    pub reason: String,
    /// Read every recorded object before planning.
    pub refresh: bool,
    pub targets: Vec<String>,
    pub apply: ApplyOptions,
    /// `--detected-at`: when the incident was detected (Unix seconds, on
    /// the cloud's clock); the RTO's detection part ends and its decision
    /// part starts there.
    pub detected_at: Option<f64>,
}

/// How a failover ended.
#[derive(Debug)]
pub enum FailoverOutcome {
    /// The group already stands as asked; nothing was done.
    AlreadyStands { group: String, now: GroupView },
    /// `plan_only`: planned and reported, nothing changed.
    PlanOnly,
    /// Nothing needed changing in the cloud; the new standing was recorded
    /// (`active` is its active site).
    Recorded { active: String },
    /// The confirmation was refused; nothing was changed.
    Cancelled,
    /// Steps failed or were interrupted; the failover stays recorded as in
    /// progress and a rerun resumes it.
    Incomplete {
        drill: Box<DrillReport>,
        apply: Box<ApplyReport>,
    },
    Complete {
        drill: Box<DrillReport>,
        intent: Box<FailoverIntent>,
        /// Confirmation to the record, on the cloud's clock.
        elapsed: Duration,
        /// Objects (and storage accounts) left for when the region is back.
        deferred: Vec<String>,
    },
}

impl FailoverOutcome {
    /// Completed, but health checks failed ("completed, unhealthy").
    pub fn unhealthy(&self) -> bool {
        matches!(self, FailoverOutcome::Complete { drill, .. } if drill.unhealthy())
    }

    pub fn ok(&self) -> bool {
        !matches!(
            self,
            FailoverOutcome::Cancelled | FailoverOutcome::Incomplete { .. }
        )
    }
}

/// Where the group stands now (config, then any recorded failover).
/// `to`: the site a failover is heading for. Finishing a staged failover
/// toward the recorded active site (traffic after `--only data`) needs no
/// configuration change first; anything else does.
fn current(
    s: &Session,
    state: Option<&State>,
    group: &str,
    to: &str,
) -> Result<(GroupView, FailoverGroup)> {
    let Some(g) = s.stack.config.root().failover_groups.get(group) else {
        return Err(no_group(s, group));
    };
    let view = crate::failover::standing(&s.stack.config, state, group)
        .ok_or_else(|| no_group(s, group))?;
    // Failing over to the site the configuration already names is the
    // way to make that edit take effect (an apply refuses it).
    if view.active != g.active && to != view.active && to != g.active {
        return Err(Error::Refused(format!(
            "the configuration names {:?} as active, but {:?} is (recorded by a failover); update the configuration first, or run `drinfra failback {group}`",
            g.active, view.active
        )));
    }
    Ok((view, g.clone()))
}

/// Decides what the failover does: where the group stands, what moves.
/// `None` when it already stands as asked.
fn intend(
    engine: &Engine,
    opts: &FailoverOptions,
    prior: Option<&State>,
    record: Option<&FailoverRecord>,
) -> Result<Result<FailoverIntent, GroupView>> {
    let s = &engine.session;
    let resuming =
        record.is_some_and(|r| r.status == FailoverStatus::InProgress && r.target == opts.to);
    let (now, declared) = match record.filter(|_| resuming) {
        Some(r) => {
            let g = s
                .stack
                .config
                .root()
                .failover_groups
                .get(&opts.group)
                .cloned()
                .ok_or_else(|| {
                    Error::Refused(format!("no failover_group {:?} in this stack", opts.group))
                })?;
            (crate::failover::recorded_view(r), g)
        }
        None => current(s, prior, &opts.group, &opts.to)?,
    };
    if !declared.sites.contains(&opts.to) {
        return Err(Error::Refused(format!(
            "{:?} is not a site of group {:?} ({})",
            opts.to,
            opts.group,
            declared.sites.join(", ")
        )));
    }
    let scope =
        Scope::parse(opts.only.as_deref(), &declared).map_err(|e| Error::Refused(e.to_string()))?;
    if matches!(scope, Scope::Full | Scope::Data)
        && now.active == opts.to
        && !now.components.is_empty()
    {
        return Err(Error::Refused(format!(
            "group {:?} is already active on {:?}, but these components stand apart on another site: {}. Bring them home with `drinfra failback {}` (it re-seeds before it swaps) rather than promoting stale copies",
            opts.group,
            opts.to,
            now.components
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            opts.group
        )));
    }
    let target = scope.target(&now, &opts.to);
    if !resuming && target == now {
        return Ok(Err(now));
    }
    Ok(Ok(FailoverIntent {
        group: opts.group.clone(),
        to: opts.to.clone(),
        scope,
        forced: opts.forced,
        resuming,
        declared,
        now,
        target,
        accounts: vec![],
    }))
}

/// Runs a failover: plans it in phases (reported as
/// [`RunbookEvent::FailoverPlanned`]), asks `confirm`, records it as in
/// progress, fails storage accounts over, applies the phases (deferring
/// what an outage makes unreachable) and records the new standing. A
/// rerun after an incomplete failover resumes it.
pub fn failover(
    engine: &mut Engine,
    opts: &FailoverOptions,
    confirm: &mut dyn Confirm,
    events: Events<'_>,
) -> Result<FailoverOutcome> {
    // A state from before placements were recorded says where its
    // resources were placed (so an edited configuration can fail over).
    let prior = {
        let s = &engine.session;
        s.backend
            .load()?
            .map(|st| crate::failover::with_inferred(&s.stack.config, &s.stack.inputs, &s.dir, st))
    };
    let record = prior
        .as_ref()
        .and_then(|p| p.failover_groups.get(&opts.group))
        .cloned();
    let record = record.as_ref();
    let mut intent = match intend(engine, opts, prior.as_ref(), record)? {
        Ok(intent) => intent,
        Err(now) => {
            return Ok(FailoverOutcome::AlreadyStands {
                group: opts.group.clone(),
                now,
            });
        }
    };
    // When the command ran, on the cloud's clock: where detection ends
    // and decision starts unless `--detected-at` says otherwise.
    let (ran_at, wall_clock) = cloud_time::now(engine);
    let forced = opts.forced;
    for p in engine.providers.all() {
        p.defer_unreachable_regions();
        p.set_promotion(if forced {
            crate::provider::Promotion::Forced
        } else {
            crate::provider::Promotion::Planned
        });
    }
    // Notification targets and checks from variables are checked before
    // anything is planned or changed.
    let declared = super::verify::declared(&engine.session, events)?;
    let (plan, prior) = plan_with(
        engine,
        &opts.group,
        &intent.target,
        opts.refresh,
        &opts.targets,
        opts.apply.parallelism,
        events,
    )?;
    if !forced {
        refuse_unswitchable(&engine.session, &plan, events)?;
    }
    // Accounts move only when the storage's site changes (never when
    // "failing over" to where it already is).
    let storage_moves = intent.scope.moves_storage()
        && intent.now.component(scope::STORAGE).active
            != intent.target.component(scope::STORAGE).active;
    if storage_moves {
        intent.accounts = runbook::storage_accounts(
            &engine.session,
            prior.as_ref(),
            &opts.group,
            &intent.now.active,
        );
    }
    events(Event::Runbook(RunbookEvent::FailoverPlanned {
        intent: &intent,
        plan: &plan,
    }));
    events(Event::Runbook(RunbookEvent::OwnSteps {
        notify: &declared
            .targets
            .iter()
            .map(|t| t.name.clone())
            .collect::<Vec<_>>(),
        checks: &declared
            .checks_of(&intent.target.traffic, !intent.traffic_only())
            .iter()
            .map(|c| format!("{} ({})", c.name, c.shown))
            .collect::<Vec<_>>(),
        off: &declared.off,
        plan: &plan,
    }));
    if opts.plan_only {
        return Ok(FailoverOutcome::PlanOnly);
    }
    if !plan.has_changes() && !intent.resuming && intent.accounts.is_empty() {
        save_record(
            &engine.session,
            &opts.group,
            intent.record(
                record,
                FailoverStatus::Complete,
                &opts.apply.by,
                &opts.reason,
                vec![],
            ),
        )?;
        return Ok(FailoverOutcome::Recorded {
            active: intent.target.active.clone(),
        });
    }
    let question = Question::MoveProduction {
        phrase: format!("{} -> {}", opts.group, opts.to),
    };
    if !confirm.confirm(&question)? {
        return Ok(FailoverOutcome::Cancelled);
    }
    let (confirmed, _) = cloud_time::now(engine);
    let rto = incident(engine, opts, intent.from(), ran_at, confirmed, wall_clock);
    execute(
        engine, opts, intent, &plan, prior, record, rto, &declared, events,
    )
}

/// A planned failover promotes replicas by switchover, which the cloud
/// may refuse (Azure: no virtual endpoint pairs the replica with its
/// primary): refused here, before anything changes, at the server's
/// declaration.
pub(super) fn refuse_unswitchable(s: &Session, plan: &Plan, events: Events<'_>) -> Result<()> {
    let objects: Vec<(String, crate::lang::Value)> = plan
        .changes
        .iter()
        .filter_map(|c| c.after.clone().map(|v| (c.ty.clone(), v)))
        .collect();
    let mut diags = crate::diag::Diagnostics::default();
    for c in &plan.changes {
        let facts = crate::provider::type_facts(&c.ty);
        if let Some(why) =
            facts.switchover_refusal(&c.ty, c.before.as_ref(), c.after.as_ref(), &objects)
        {
            diags.push(
                crate::diag::Diagnostic::error(format!(
                    "Planned failover refused: {} cannot be switched over",
                    c.address
                ))
                .with_detail(why)
                .at(declaration(s, &c.module_path, &c.resource)),
            );
        }
    }
    if diags.is_empty() {
        return Ok(());
    }
    super::session::report_diags(events, &s.stack, &diags);
    Err(Error::Stopped(super::error::Stop::FailoverPlanFailed))
}

/// Where the resource `resource` (`type.name`) of module instance `path`
/// is declared.
fn declaration(
    s: &Session,
    path: &crate::addrs::ModulePath,
    resource: &str,
) -> Option<crate::diag::Span> {
    let config = &s.stack.config;
    let mut module = 0;
    for (call, _) in &path.0 {
        module = config.modules.get(module)?.module_calls.get(call)?.child;
    }
    let r = config.modules.get(module)?.resources.get(resource)?;
    Some(r.type_span.clone())
}

/// The RTO's fixed points before recovery: when the incident began (the
/// cloud's record of an outage of the site being left, else
/// `--detected-at`), when it was detected, when the operator confirmed.
fn incident(
    engine: &Engine,
    opts: &FailoverOptions,
    from: &str,
    ran_at: f64,
    confirmed: f64,
    wall_clock: bool,
) -> Rto {
    let outage = cloud_time::outage_began(engine, from);
    let (incident, began) = match (outage, opts.detected_at) {
        (Some(t), _) => (
            IncidentStart::Outage {
                region: from.to_string(),
            },
            Some(t),
        ),
        (None, Some(t)) => (IncidentStart::Given, Some(t)),
        (None, None) => (IncidentStart::None, None),
    };
    Rto {
        incident,
        began,
        detected: opts.detected_at.unwrap_or(ran_at),
        confirmed,
        switched: None,
        verified: None,
        wall_clock,
    }
}

/// Recovery ends when the first traffic step is done (users reach the new
/// site), verification when the traffic phase is; without traffic steps
/// (`--only data`), both at the last step before clean-up.
pub(super) fn recovered(rto: &mut Rto, timeline: &[TimelineEntry]) {
    let spans = super::report::phase_spans(timeline);
    let traffic: Vec<f64> = timeline
        .iter()
        .filter(|e| e.phase.as_deref() == Some(crate::plan::phases::Phase::Traffic.name()))
        .filter(|e| matches!(e.status, StepStatus::DoneIn(_)))
        .map(|e| e.at)
        .collect();
    if let (Some(first), Some(last)) = (
        traffic.iter().copied().reduce(f64::min),
        traffic.iter().copied().reduce(f64::max),
    ) {
        rto.switched = Some(first);
        rto.verified = Some(last);
        return;
    }
    let clean_up = crate::plan::phases::Phase::CleanUp.name();
    if let Some(end) = spans
        .iter()
        .filter(|p| p.name != clean_up)
        .map(|p| p.end)
        .reduce(f64::max)
    {
        rto.switched = Some(end);
        rto.verified = Some(end);
    }
}

/// The drill report of a confirmed failover, as it starts.
fn drill_for(
    intent: &FailoverIntent,
    opts: &FailoverOptions,
    plan: &Plan,
    rto: Rto,
) -> DrillReport {
    let forced = intent.forced;
    let mut drill = DrillReport {
        group: opts.group.clone(),
        from: intent.from().to_string(),
        to: opts.to.clone(),
        mode: match &intent.scope {
            Scope::Traffic => Mode::Traffic,
            Scope::Data => Mode::Data,
            Scope::Components(cs) => Mode::Components {
                names: cs.clone(),
                forced,
            },
            Scope::Full if forced => Mode::Forced,
            Scope::Full => Mode::Planned,
        },
        by: opts.apply.by.clone(),
        reason: opts.reason.clone(),
        started: rto.confirmed,
        // The storage failovers run alongside the phases.
        expected_secs: phases::summary(plan)
            .iter()
            .map(|(_, _, secs)| *secs)
            .sum::<u64>()
            .max(runbook::storage_failover_seconds(&intent.accounts, !forced)),
        rto_target: intent.declared.rto,
        rpo_target: intent.declared.rpo,
        data_loss: if intent.traffic_only() {
            DataLoss::NothingPromoted
        } else if forced {
            DataLoss::UpToLag
        } else {
            DataLoss::None
        },
        ..DrillReport::default()
    };
    if let Some(began) = rto.began {
        let event = match &rto.incident {
            IncidentStart::Outage { region } => format!("outage of {region} began"),
            _ => "incident began (--detected-at)".to_string(),
        };
        let mut e = TimelineEntry::at(began, event, StepStatus::Detected);
        e.owner = "cloud".into();
        drill.timeline.push(e);
    }
    drill.timeline.push(TimelineEntry {
        owner: opts.apply.by.clone(),
        ..TimelineEntry::at(
            rto.confirmed,
            format!("failover {} -> {} confirmed", drill.from, opts.to),
            StepStatus::Started,
        )
    });
    drill.rto = rto;
    drill
}

/// What is left to do after a completed failover.
fn follow_ups(intent: &FailoverIntent, deferred: &[String]) -> Vec<String> {
    let (group, to) = (&intent.group, &intent.to);
    let mut out = Vec::new();
    if !deferred.is_empty() {
        out.push(
            "once the region is back, run `drinfra plan` and apply what is left to reconcile"
                .into(),
        );
    }
    if intent.target.active != intent.now.active {
        out.push(format!(
            "set active = {:?} in the failover_group block",
            intent.target.active
        ));
    }
    if intent.data_only() {
        out.push(format!(
            "move traffic: `drinfra failover {group} --to {to} --only traffic`"
        ));
    }
    if let Scope::Components(cs) = &intent.scope {
        out.push(format!(
            "bring {} home when the drill is over: `drinfra failback {group}` (re-seeds {} first)",
            cs.join(", "),
            intent.now.active
        ));
    }
    out
}

/// Runs a confirmed failover: records it as in progress, fails storage
/// accounts over, applies the phases, and records where the group stands.
#[allow(clippy::too_many_arguments)] // the run's parts, each needed once
fn execute(
    engine: &mut Engine,
    opts: &FailoverOptions,
    intent: FailoverIntent,
    plan: &Plan,
    prior: Option<State>,
    record: Option<&FailoverRecord>,
    rto: Rto,
    declared: &super::verify::Declared,
    events: Events<'_>,
) -> Result<FailoverOutcome> {
    let forced = intent.forced;
    save_record_at(
        &engine.session,
        &opts.group,
        intent.record(
            record,
            FailoverStatus::InProgress,
            &opts.apply.by,
            &opts.reason,
            vec![],
        ),
        rto.confirmed,
    )?;
    let prior = engine.session.backend.load()?.or(prior);
    let started = rto.confirmed;
    let mut drill = drill_for(&intent, opts, plan, rto);
    let mut watch = super::watch::Watch::start(
        engine,
        declared,
        super::event::RunKind::Failover,
        &drill,
        Some(plan),
        events,
    );
    watch.follow(plan, events);
    // What a promotion can lose: the lag of each replica about to be promoted.
    if let Some((address, secs)) = runbook::replica_lag(plan, engine) {
        events(Event::Runbook(RunbookEvent::ReplicaLag {
            address: &address,
            secs,
            forced,
        }));
        drill.replica_lag_secs = Some(secs);
        drill.timeline.push(TimelineEntry::at(
            cloud_time::seen(engine),
            format!("replica lag of {address} measured"),
            StepStatus::Lag(secs),
        ));
    }
    let lags = super::rpo::lags_before(plan, engine);
    // Storage accounts fail over alongside the phases: nothing in them
    // needs the old primary's account in its paired region, so the data
    // phase (PostgreSQL, Redis) and traffic do not wait 30-60 minutes for it.
    let storage = match runbook::start_storage_failover(engine, &intent.accounts, true, !forced) {
        Ok(storage) => storage,
        Err(e) => return Err(watch.abort(engine, &mut drill, e, events)),
    };
    let report = runbook::run_phased(
        engine,
        plan,
        prior,
        &opts.apply,
        &mut drill.timeline,
        &mut |e| watch.event(engine, e, events),
    );
    let storage = runbook::finish_storage_failover(engine, storage, &mut drill.timeline, events);
    let report = match report {
        Ok(report) => report,
        Err(e) => return Err(watch.abort(engine, &mut drill, e, events)),
    };
    let mut deferred: Vec<String> = report
        .deferred
        .iter()
        .map(|(st, _)| st.address.clone())
        .collect();
    deferred.extend(storage.deferred);
    drill.actual_secs = cloud_time::seen(engine) - started;
    drill.rpo = super::rpo::after(plan, engine, &lags);
    recovered(&mut drill.rto, &drill.timeline);
    drill.components =
        super::report::component_metrics(&intent.declared.objectives, &drill.rto, &drill.timeline);
    drill.deferred = deferred.clone();
    drill.problems = storage
        .failed
        .iter()
        .map(|(addr, e)| format!("storage account failover {addr}: {e}"))
        .chain(report.failed.iter().map(|(st, e)| format!("{st}: {e}")))
        .collect();
    if !storage.failed.is_empty()
        || !report.failed.is_empty()
        || !report.skipped.is_empty()
        || report.interrupted
    {
        drill.follow_ups.push(format!(
            "fix the failures above and rerun `drinfra failover {} --to {}` to resume",
            opts.group, opts.to
        ));
        if report.interrupted {
            drill.problems.push(format!("interrupted: {} step(s) still running in Azure were recorded to be followed on resume", report.left_running.len()));
        }
        watch.finish(engine, super::checked::Moment::Failure, &mut drill, events);
        return Ok(FailoverOutcome::Incomplete {
            drill: Box::new(drill),
            apply: Box::new(report),
        });
    }
    // The verify phase: the checks of the site traffic now goes to.
    watch.verify(
        engine,
        declared,
        &intent.target.traffic,
        !intent.traffic_only(),
        &mut drill,
        events,
    );
    drill.components =
        super::report::component_metrics(&intent.declared.objectives, &drill.rto, &drill.timeline);
    let (done, _) = cloud_time::now(engine);
    if let Err(e) = save_record_at(
        &engine.session,
        &opts.group,
        intent.record(
            record,
            FailoverStatus::Complete,
            &opts.apply.by,
            &opts.reason,
            deferred.clone(),
        ),
        done,
    ) {
        return Err(watch.abort(engine, &mut drill, e, events));
    }
    engine.session.release();
    drill.completed = true;
    drill.actual_secs = done - started;
    drill.timeline.push(TimelineEntry::at(
        done,
        how_it_stands(&intent.target),
        StepStatus::Recorded,
    ));
    drill.follow_ups = follow_ups(&intent, &deferred);
    let moment = if drill.unhealthy() {
        drill.follow_ups.insert(
            0,
            "the failed health checks above: find why the services on the new site do not answer as expected (the move itself is recorded)".into(),
        );
        super::checked::Moment::Unhealthy
    } else {
        super::checked::Moment::Complete
    };
    watch.finish(engine, moment, &mut drill, events);
    Ok(FailoverOutcome::Complete {
        drill: Box::new(drill),
        intent: Box::new(intent),
        elapsed: Duration::from_secs_f64((done - started).max(0.0)),
        deferred,
    })
}

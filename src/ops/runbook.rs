//! What failover and failback share: planning a group's new standing in
//! phases, running it with unreachable work deferred, failing storage
//! accounts over, and recording the group's standing in state.

use std::collections::BTreeMap;

use crate::apply::{self, ApplyReport};
use crate::failover::GroupView;
use crate::plan::Plan;
use crate::plan::planner::{self, PlanOptions};
use crate::state::State;

use super::apply::ApplyOptions;
use super::error::{Error, Result, Stop};
use super::event::{Event, Events, RunbookEvent, StorageResult};
use super::report::{StepStatus, TimelineEntry};
use super::session::{Engine, Session};

/// No failover group of this name in the stack.
pub(super) fn no_group(s: &Session, group: &str) -> Error {
    Error::Refused(format!(
        "no failover_group {group:?} in this stack (groups: {})",
        s.stack
            .config
            .root()
            .failover_groups
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// Plans the stack with `view` for `group`, in failover phases; the
/// plan with the state it was made against.
pub(super) fn plan_with(
    engine: &Engine,
    group: &str,
    view: &GroupView,
    refresh: bool,
    targets: &[String],
    parallelism: usize,
    events: Events<'_>,
) -> Result<(Plan, Option<State>)> {
    let s = &engine.session;
    let prior = s.backend.load()?;
    let mut failover = BTreeMap::new();
    for name in s.stack.config.root().failover_groups.keys() {
        let standing = crate::failover::standing(&s.stack.config, prior.as_ref(), name)
            .ok_or_else(|| no_group(s, name))?;
        failover.insert(name.clone(), standing);
    }
    failover.insert(group.to_string(), view.clone());
    let opts = PlanOptions {
        refresh,
        targets: targets.to_vec(),
        parallelism,
        failover: crate::failover::placements_of(&failover),
        phased: true,
        ..PlanOptions::default()
    };
    let (plan, diags) = engine.rt.block_on(planner::plan(
        &s.stack.config,
        &s.stack.inputs,
        &s.dir,
        prior.as_ref(),
        &engine.providers,
        &opts,
    ));
    super::session::report_diags(events, &s.stack, &diags);
    match plan {
        Some(p) if !diags.has_errors() => Ok((p, prior)),
        _ => Err(Error::Stopped(Stop::FailoverPlanFailed)),
    }
}

/// The storage accounts a group lists for `site` that the state knows.
pub(super) fn storage_accounts(
    s: &Session,
    state: Option<&State>,
    group: &str,
    site: &str,
) -> Vec<String> {
    let listed = s
        .stack
        .config
        .root()
        .failover_groups
        .get(group)
        .and_then(|g| g.storage_accounts.get(site))
        .cloned()
        .unwrap_or_default();
    listed
        .into_iter()
        .filter(|a| state.is_some_and(|st| st.resources.contains_key(a)))
        .collect()
}

/// What a storage failover did: accounts deferred, and those that failed
/// (account, why).
pub(super) struct StorageOutcome {
    pub deferred: Vec<String>,
    pub failed: Vec<(String, String)>,
}

/// Typical duration of failing `accounts` over together (the slowest).
pub(super) fn storage_failover_seconds(accounts: &[String], planned: bool) -> u64 {
    accounts
        .iter()
        .filter_map(|a| crate::provider::facts::type_of_address(a))
        .map(|ty| crate::provider::type_facts(&ty).site_failover_seconds(&ty, planned))
        .max()
        .unwrap_or(0)
}

/// Storage account failovers under way (see [`start_storage_failover`]).
pub(super) struct StorageJob {
    away: bool,
    task: Option<tokio::task::JoinHandle<Vec<(String, StorageResult, TimelineEntry)>>>,
}

/// Starts failing storage accounts over to their secondary region
/// (`away`) or back home, all at once, on the session's runtime, and
/// returns at once: account failover takes Azure 30-60 minutes, and
/// nothing in the data phase waits for it, so it runs alongside.
/// Idempotent: an account already standing as asked is skipped.
pub(super) fn start_storage_failover(
    engine: &Engine,
    accounts: &[String],
    away: bool,
    planned: bool,
) -> Result<StorageJob> {
    let state = engine.session.backend.load()?;
    let mut jobs = Vec::new();
    for addr in accounts {
        let Some(r) = state.as_ref().and_then(|st| st.resources.get(addr)) else {
            continue;
        };
        jobs.push((
            addr.clone(),
            r.ty.clone(),
            r.value(),
            engine.providers.for_recorded(&r.provider, &r.ty)?,
        ));
    }
    if jobs.is_empty() {
        return Ok(StorageJob { away, task: None });
    }
    // On the Gantt chart as its own bar: it runs for tens of minutes.
    let since = super::cloud_time::seen(engine);
    let task = engine.rt.spawn(async move {
        let runs = jobs.into_iter().map(|(addr, ty, v, p)| async move {
            let result = match p.site_failover(&ty, &v, away, planned).await {
                Ok(Some(what)) => StorageResult::Done(what),
                Ok(None) => StorageResult::AlreadyDone,
                Err(e) if crate::failover::unreachable(&e) => {
                    StorageResult::Deferred(e.to_string())
                }
                Err(e) => StorageResult::Failed(e.to_string()),
            };
            // Stamped on the cloud's clock when the account is done, not
            // when it is collected.
            let at = p.cloud_seen().unwrap_or_else(crate::timefmt::now_secs);
            let entry = TimelineEntry {
                since: Some(since),
                phase: Some("storage".into()),
                ..TimelineEntry::at(
                    at,
                    format!("storage account failover {addr}"),
                    status_of(&result),
                )
            };
            (addr, result, entry)
        });
        let mut out = Vec::new();
        for handle in runs.map(tokio::spawn).collect::<Vec<_>>() {
            if let Ok(done) = handle.await {
                out.push(done);
            }
        }
        out
    });
    Ok(StorageJob {
        away,
        task: Some(task),
    })
}

fn status_of(result: &StorageResult) -> StepStatus {
    match result {
        StorageResult::Done(what) => StepStatus::Done(what.clone()),
        StorageResult::AlreadyDone => StepStatus::AlreadyDone,
        StorageResult::Deferred(e) => StepStatus::Deferred(e.clone()),
        StorageResult::Failed(e) => StepStatus::Failed(e.clone()),
    }
}

/// Waits for storage failovers started by [`start_storage_failover`]:
/// unreachable accounts are deferred; the rest must succeed.
pub(super) fn finish_storage_failover(
    engine: &Engine,
    job: StorageJob,
    timeline: &mut Vec<TimelineEntry>,
    events: Events<'_>,
) -> StorageOutcome {
    let mut outcome = StorageOutcome {
        deferred: vec![],
        failed: vec![],
    };
    let Some(task) = job.task else {
        return outcome;
    };
    let done = engine.rt.block_on(task).unwrap_or_default();
    for (addr, result, entry) in done {
        timeline.push(entry);
        events(Event::Runbook(RunbookEvent::StorageAccount {
            address: &addr,
            away: job.away,
            result: &result,
        }));
        match result {
            StorageResult::Deferred(_) => outcome.deferred.push(addr),
            StorageResult::Failed(e) => outcome.failed.push((addr, e)),
            _ => {}
        }
    }
    outcome
}

/// Fails storage accounts over and waits for them (failback returns them
/// home before its swap).
pub(super) fn storage_failover(
    engine: &Engine,
    accounts: &[String],
    away: bool,
    planned: bool,
    timeline: &mut Vec<TimelineEntry>,
    events: Events<'_>,
) -> Result<StorageOutcome> {
    let job = start_storage_failover(engine, accounts, away, planned)?;
    Ok(finish_storage_failover(engine, job, timeline, events))
}

/// Applies a phased plan; unreachable objects are deferred. Each step's
/// end goes on the timeline.
pub(super) fn run_phased(
    engine: &Engine,
    plan: &Plan,
    prior: Option<State>,
    opts: &ApplyOptions,
    timeline: &mut Vec<TimelineEntry>,
    events: Events<'_>,
) -> Result<ApplyReport> {
    // Steps are timed on the cloud's clock: from the latest response
    // before a step began to the latest when it ended.
    let mut began: BTreeMap<String, f64> = BTreeMap::new();
    let mut note = |e: &apply::Event| {
        let now = super::cloud_time::seen(engine);
        let (step, status) = match e {
            apply::Event::Started { step } => {
                began.insert(step.to_string(), now);
                return;
            }
            apply::Event::Finished { step, .. } => {
                let since = began.get(&step.to_string()).copied().unwrap_or(now);
                let secs = (now - since).max(0.0);
                (
                    step,
                    StepStatus::DoneIn(std::time::Duration::from_secs_f64(secs)),
                )
            }
            apply::Event::Failed {
                step,
                error,
                deferred: true,
                ..
            } => (
                step,
                StepStatus::Deferred(error.trim_start_matches("deferred: ").to_string()),
            ),
            apply::Event::Failed { step, error, .. } => (step, StepStatus::Failed(error.clone())),
            apply::Event::Skipped { step, because } => (step, StepStatus::Skipped(because.clone())),
            _ => return,
        };
        let mut entry = TimelineEntry::at(now, step.to_string(), status);
        entry.since = began.get(&step.to_string()).copied();
        entry.phase = plan.phases.get(&step.address).map(|p| p.name().to_string());
        timeline.push(entry);
    };
    let report = super::apply::run_steps(
        engine,
        plan,
        prior,
        opts,
        Some(crate::failover::unreachable),
        &mut |e| {
            if let Event::Apply(a) = &e {
                note(a);
            }
            events(e)
        },
    )?;
    engine.report_requests(events);
    super::session::report_diags(events, &engine.session.stack, &report.diags);
    Ok(report)
}

/// The largest lag among the replicas this plan promotes, as the cloud
/// reports it (unreadable lags, e.g. in a region that is down, are left out).
pub(super) fn replica_lag(plan: &Plan, engine: &Engine) -> Option<(String, f64)> {
    let mut worst: Option<(String, f64)> = None;
    for c in plan.actions().filter(|c| {
        crate::provider::type_facts(&c.ty).promotes(&c.ty, c.before.as_ref(), c.after.as_ref())
    }) {
        let (Ok(p), Some(before)) = (
            engine.providers.for_recorded(&c.provider, &c.ty),
            c.before.as_ref(),
        ) else {
            continue;
        };
        if let Ok(Some(lag)) = engine.rt.block_on(p.replication_lag(&c.ty, before))
            && worst.as_ref().is_none_or(|(_, w)| lag > *w)
        {
            worst = Some((c.address.clone(), lag));
        }
    }
    worst
}

//! `failback GROUP`: the way back from whatever a failover moved, in
//! three planned stages (re-seed home, swap back, re-seed away), each
//! recorded as it completes.

use crate::failover::scope;
use crate::plan::phases;
use crate::state::FailoverStatus;

use super::apply::ApplyOptions;
use super::cloud_time;
use super::error::{Error, Result};
use super::event::{Event, Events, RunbookEvent};
use super::prompt::{Confirm, Question};
use super::record::{how_it_stands, save_record_at};
use super::report::{DataLoss, DrillReport, Mode, Rto, StepStatus, TimelineEntry};
use super::runbook::{self, plan_with};
use super::session::Engine;

#[derive(Clone)]
pub struct FailbackOptions {
    pub group: String,
    /// Why, for the record.
    pub reason: String,
    pub refresh: bool,
    pub targets: Vec<String>,
    pub apply: ApplyOptions,
}

/// How a failback ended.
#[derive(Debug)]
pub enum FailbackOutcome {
    /// The confirmation was refused; nothing was changed.
    Cancelled,
    /// A stage did not complete (`why` says what stopped it); the stages
    /// before it are recorded and a rerun starts this one again.
    Stopped {
        drill: DrillReport,
        why: FailbackStop,
    },
    /// `home` is active again (`declared`: the configuration's active site).
    Complete {
        drill: DrillReport,
        home: String,
        declared: String,
    },
}

impl FailbackOutcome {
    /// Completed, but health checks failed ("completed, unhealthy").
    pub fn unhealthy(&self) -> bool {
        matches!(self, FailbackOutcome::Complete { drill, .. } if drill.unhealthy())
    }
}

/// What stopped a failback stage.
#[derive(Debug, Clone, PartialEq)]
pub enum FailbackStop {
    /// A storage account did not fail back (failed or unreachable).
    Storage { account: String, error: String },
    /// Steps of the stage failed or were deferred: (step, error).
    Steps {
        stage: String,
        problems: Vec<(String, String)>,
    },
}

/// Brings a failed-over group home in stages; asks `confirm` first.
pub fn failback(
    engine: &mut Engine,
    opts: &FailbackOptions,
    confirm: &mut dyn Confirm,
    events: Events<'_>,
) -> Result<FailbackOutcome> {
    let group = &opts.group;
    let prior = engine.session.backend.load()?;
    let Some(g) = engine
        .session
        .stack
        .config
        .root()
        .failover_groups
        .get(group)
        .cloned()
    else {
        return Err(Error::Refused(format!(
            "no failover_group {group:?} in this stack"
        )));
    };
    let Some(record) = prior
        .as_ref()
        .and_then(|p| p.failover_groups.get(group))
        .filter(|r| r.status != FailoverStatus::Applied)
        .cloned()
    else {
        return Err(Error::Refused(format!(
            "group {group:?} has no recorded failover to fail back from"
        )));
    };
    if record.status != FailoverStatus::Complete {
        return Err(Error::Refused(format!(
            "a failover of {group:?} is in progress; finish it first"
        )));
    }
    let now = crate::failover::recorded_view(&record);
    let Some((home, stages)) = scope::failback(&g, &now) else {
        return Err(Error::Refused(format!(
            "group {group:?} has no other site to fail back to"
        )));
    };
    let declared = super::verify::declared(&engine.session, events)?;
    for p in engine.providers.all() {
        p.defer_unreachable_regions();
        p.set_promotion(crate::provider::Promotion::Planned);
    }
    events(Event::Runbook(RunbookEvent::FailbackPlanned {
        group,
        home: &home,
    }));
    let question = Question::MoveProduction {
        phrase: format!("{group} -> {home}"),
    };
    if !confirm.confirm(&question)? {
        return Ok(FailbackOutcome::Cancelled);
    }
    let away = if now.active != home {
        now.active.clone()
    } else {
        now.components
            .values()
            .map(|c| c.active.clone())
            .chain([now.traffic.clone()])
            .find(|site| *site != home)
            .unwrap_or_default()
    };
    let by = &opts.apply.by;
    // Failback is planned: no incident; decision is not timed (the
    // command's own planning comes after the confirmation here).
    let (started, wall_clock) = cloud_time::now(engine);
    let mut drill = DrillReport {
        group: group.clone(),
        from: away,
        to: home.clone(),
        mode: Mode::Failback,
        by: by.clone(),
        reason: opts.reason.clone(),
        started,
        rto: Rto {
            detected: started,
            confirmed: started,
            wall_clock,
            ..Rto::default()
        },
        rto_target: g.rto,
        rpo_target: g.rpo,
        data_loss: DataLoss::None,
        ..DrillReport::default()
    };
    drill.timeline.push(TimelineEntry {
        owner: by.clone(),
        ..TimelineEntry::at(
            started,
            format!("failback to {home} confirmed"),
            StepStatus::Started,
        )
    });
    let mut watch = super::watch::Watch::start(
        engine,
        &declared,
        super::event::RunKind::Failback,
        &drill,
        None,
        events,
    );
    let stop = |mut drill: DrillReport,
                problem: String,
                title: &str,
                why: FailbackStop,
                watch: super::watch::Watch,
                events: Events<'_>| {
        drill.actual_secs = cloud_time::seen(engine) - started;
        drill.problems.push(problem);
        drill.follow_ups.push(format!(
            "fix the cause and rerun `drinfra failback {group}`: stage {title} starts again"
        ));
        watch.finish(engine, super::checked::Moment::Failure, &mut drill, events);
        Ok(FailbackOutcome::Stopped { drill, why })
    };
    let mut applied_a_stage = false;
    // An error after the start notification still posts the failure.
    macro_rules! or_abort {
        ($result:expr) => {
            match $result {
                Ok(value) => value,
                Err(e) => {
                    let e: super::error::Error = e.into();
                    // "Nothing was changed" is no longer true once a stage ran.
                    let e =
                        match e {
                            super::error::Error::Stopped(
                                super::error::Stop::FailoverPlanFailed,
                            ) if applied_a_stage => super::error::Error::Stopped(
                                super::error::Stop::FailbackStagePlanFailed,
                            ),
                            e => e,
                        };
                    return Err(watch.abort(engine, &mut drill, e, events));
                }
            }
        };
    }
    let mut previous = now;
    for stage in stages {
        let title = &stage.title;
        events(Event::Runbook(RunbookEvent::Stage { title }));
        if stage.view == previous {
            events(Event::Runbook(RunbookEvent::StageNothingToDo));
            drill.timeline.push(TimelineEntry::at(
                cloud_time::seen(engine),
                format!("stage {title}"),
                StepStatus::NothingToDo,
            ));
            continue;
        }
        let (plan, prior) = or_abort!(plan_with(
            engine,
            group,
            &stage.view,
            opts.refresh,
            &opts.targets,
            opts.apply.parallelism,
            events,
        ));
        or_abort!(super::failover::refuse_unswitchable(
            &engine.session,
            &plan,
            events
        ));
        events(Event::Runbook(RunbookEvent::Phases(&plan)));
        drill.expected_secs += phases::summary(&plan)
            .iter()
            .map(|(_, _, secs)| *secs)
            .sum::<u64>();
        let stage_began = cloud_time::seen(engine);
        drill.timeline.push(TimelineEntry::at(
            stage_began,
            format!("stage {title}"),
            StepStatus::Started,
        ));
        if stage.swap {
            // The RTO counts the swap back only (docs/drill-reports.md):
            // the re-seeds run while the service is up on the other site.
            drill.rto.detected = stage_began;
            drill.rto.confirmed = stage_began;
        }
        if stage.storage_home {
            // Home's storage accounts return with the swap (planned).
            let accounts = runbook::storage_accounts(&engine.session, prior.as_ref(), group, &home);
            drill.expected_secs += runbook::storage_failover_seconds(&accounts, true);
            let storage = or_abort!(runbook::storage_failover(
                engine,
                &accounts,
                false,
                true,
                &mut drill.timeline,
                events,
            ));
            if let Some((account, error)) = storage.failed.first().cloned().or_else(|| {
                storage
                    .deferred
                    .first()
                    .map(|d| (d.clone(), "unreachable".into()))
            }) {
                let problem = format!("storage account {account} did not fail back: {error}");
                return stop(
                    drill,
                    problem,
                    title,
                    FailbackStop::Storage { account, error },
                    watch,
                    events,
                );
            }
        }
        let lags = super::rpo::lags_before(&plan, engine);
        watch.follow(&plan, events);
        let report = runbook::run_phased(
            engine,
            &plan,
            prior,
            &opts.apply,
            &mut drill.timeline,
            &mut |e| watch.event(engine, e, events),
        );
        applied_a_stage = true;
        let report = or_abort!(report);
        drill.rpo.extend(super::rpo::after(&plan, engine, &lags));
        if !report.ok() {
            let problems: Vec<(String, String)> = report
                .failed
                .iter()
                .chain(report.deferred.iter())
                .map(|(st, e)| (st.to_string(), e.clone()))
                .collect();
            let problem = format!(
                "stage {title}: {}",
                problems
                    .iter()
                    .map(|(st, e)| format!("{st}: {e}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            return stop(
                drill,
                problem,
                title,
                FailbackStop::Steps {
                    stage: title.clone(),
                    problems,
                },
                watch,
                events,
            );
        }
        let latest = or_abort!(engine.session.backend.load());
        let (recorded, _) = cloud_time::now(engine);
        or_abort!(save_record_at(
            &engine.session,
            group,
            crate::failover::record(
                latest.as_ref().and_then(|l| l.failover_groups.get(group)),
                &previous.active,
                &stage.view,
                FailoverStatus::Complete,
                by,
                &opts.reason,
                vec![],
            ),
            recorded,
        ));
        drill.timeline.push(TimelineEntry::at(
            recorded,
            how_it_stands(&stage.view),
            StepStatus::Recorded,
        ));
        previous = stage.view;
    }
    engine.session.release();
    drill.completed = true;
    drill.actual_secs = cloud_time::seen(engine) - started;
    super::failover::recovered(&mut drill.rto, &drill.timeline);
    // The verify phase: home's checks, data included (it was promoted).
    watch.verify(engine, &declared, &home, true, &mut drill, events);
    drill.components = super::report::component_metrics(&g.objectives, &drill.rto, &drill.timeline);
    if g.active != home {
        drill
            .follow_ups
            .push(format!("set active = {home:?} in the failover_group block"));
    }
    let moment = if drill.unhealthy() {
        super::checked::Moment::Unhealthy
    } else {
        super::checked::Moment::Complete
    };
    watch.finish(engine, moment, &mut drill, events);
    Ok(FailbackOutcome::Complete {
        drill,
        home,
        declared: g.active,
    })
}

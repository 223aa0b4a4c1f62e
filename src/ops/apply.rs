//! Applying a plan: `apply` (planning first, or from a saved plan) and
//! `destroy`, with the confirmation asked through [`Confirm`].

use std::time::Duration;

use crate::apply::{self, ApplyReport};
use crate::plan::Plan;
use crate::state::State;

use super::error::{Error, Result};
use super::event::{Event, Events};
use super::plan::{PlanOptions, Planned};
use super::prompt::{Confirm, Question};
use super::session::{Engine, InterruptFn};

/// How to run the steps.
#[derive(Clone)]
pub struct ApplyOptions {
    pub parallelism: usize,
    /// After an interrupt, how long to keep following operations already
    /// running in the cloud before recording them for the next apply.
    pub grace: Duration,
    /// The interrupt (Ctrl-C in the CLI, [`super::session::never()`] in tests).
    pub interrupt: InterruptFn,
    /// Who applies, for the placement records (`user@host`).
    pub by: String,
}

/// How `apply` or `destroy` ended.
#[derive(Debug)]
pub enum ApplyOutcome {
    /// The plan changes nothing.
    NoChanges,
    /// The confirmation was refused; nothing was changed.
    Cancelled,
    Applied(Box<ApplyReport>),
}

/// Runs `plan`'s steps; `defer` accepts failures as deferred (a
/// failover's unreachable region). Reports progress as [`Event::Apply`].
pub(crate) fn run_steps(
    engine: &Engine,
    plan: &Plan,
    prior: Option<State>,
    opts: &ApplyOptions,
    defer: Option<fn(&crate::provider::ProviderError) -> bool>,
    events: Events<'_>,
) -> Result<ApplyReport> {
    let s = &engine.session;
    let apply_opts = apply::ApplyOptions {
        parallelism: opts.parallelism,
        defer,
        grace: Some(opts.grace),
    };
    events(Event::Applying {
        steps: apply::steps(plan).len(),
    });
    let report = engine.rt.block_on(apply::apply(
        plan,
        &s.stack.config,
        &s.stack.inputs,
        &s.dir,
        s.backend.as_ref(),
        prior,
        &engine.providers,
        &apply_opts,
        &mut |e| events(Event::Apply(&e)),
        (opts.interrupt)(),
    ))?;
    if let Some(n) = &report.unencrypted {
        events(Event::Unencrypted(n));
    }
    Ok(report)
}

/// Applies `plan` and records where it placed each failover group; the
/// state lock is released before it returns.
pub fn apply(
    engine: &mut Engine,
    plan: &Plan,
    prior: Option<State>,
    opts: &ApplyOptions,
    events: Events<'_>,
) -> Result<ApplyReport> {
    let report = run_steps(engine, plan, prior, opts, None, events)?;
    events(Event::Applied);
    let s = &mut engine.session;
    // Remember where this apply placed each failover group, so a later
    // edit of its active site is refused as a role change (still locked).
    for (group, record) in crate::failover::placements(&s.stack.config, &report.state, &opts.by) {
        if let Err(e) = super::record::save_record(s, &group, record) {
            events(Event::PlacementNotRecorded {
                group: &group,
                error: &e,
            });
        }
    }
    s.release();
    engine.report_requests(events);
    super::session::report_diags(events, &engine.session.stack, &report.diags);
    Ok(report)
}

/// Plans (`plan.destroy` for destroy), reports the plan as
/// [`Event::Planned`], asks `question` unless nothing changes, and applies.
pub fn plan_and_apply(
    engine: &mut Engine,
    plan_opts: &PlanOptions,
    opts: &ApplyOptions,
    question: Question,
    confirm: &mut dyn Confirm,
    events: Events<'_>,
) -> Result<ApplyOutcome> {
    let Planned { plan, prior } = super::plan::plan(engine, plan_opts, events)?;
    events(Event::Planned(&plan));
    // Objects found deleted outside drinfra are still to be forgotten.
    if !plan.has_changes() && plan.vanished().next().is_none() {
        return Ok(ApplyOutcome::NoChanges);
    }
    if !confirm.confirm(&question)? {
        return Ok(ApplyOutcome::Cancelled);
    }
    Ok(ApplyOutcome::Applied(Box::new(apply(
        engine, &plan, prior, opts, events,
    )?)))
}

/// Applies a saved plan after checking it still describes the state and
/// configuration.
/// As Terraform: a saved plan is applied with the root variables it was
/// made with (it records them; sensitive ones included), not with what the
/// environment or `*.auto.tfvars` say now. Ephemeral variables are never
/// recorded, so they come from this run, as Terraform asks.
fn use_planned_variables(stack: &mut crate::config::Stack, plan: &Plan) {
    let root = stack.config.root();
    let mut inputs: crate::config::vars::Inputs = plan
        .variables
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                crate::config::vars::InputValue {
                    value: v.clone().deep_unmark().0,
                    span: None,
                    origin: "the saved plan".into(),
                },
            )
        })
        .collect();
    for (k, v) in &stack.inputs {
        if root.variables.get(k).is_some_and(|d| d.ephemeral) {
            inputs.insert(k.clone(), v.clone());
        }
    }
    stack.inputs = inputs;
}

pub fn apply_saved(
    engine: &mut Engine,
    plan: &Plan,
    opts: &ApplyOptions,
    events: Events<'_>,
) -> Result<ApplyReport> {
    engine.session.announce(&engine.providers, events);
    let prior = engine.session.backend.load()?;
    use_planned_variables(&mut engine.session.stack, plan);
    let s = &engine.session;
    let digest = crate::plan::planner::config_digest(&s.stack.config, &s.stack.inputs);
    apply::check_plan_is_current(plan, prior.as_ref(), &digest).map_err(Error::Stale)?;
    apply(engine, plan, prior, opts, events)
}

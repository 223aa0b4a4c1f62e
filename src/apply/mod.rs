//! Applying a plan: the plan's changes become steps in a dependency graph,
//! run in parallel (independent steps at once, deletes in reverse
//! dependency order), each step's result recorded durably before its
//! dependents start. Apply executes the plan it is given: it re-evaluates
//! only to learn values that were unknown at plan time, and refuses a
//! result that contradicts what the plan showed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::config::evaluate::Context;
use crate::config::vars::Inputs;
use crate::graph::Walk;
use crate::lang::Value;
use crate::plan::planner::KnownValues;
use crate::plan::{Action, Plan, ResourceChange};
use crate::provider::{ProviderError, Providers};
use crate::state::{Backend, Change, PendingOperation, Record, State, StateError};

mod interrupt;
mod record;
mod report;
mod stale;
mod steps;

pub use crate::plan::import::{ImportError, import};
use interrupt::{leave_running, panic_message};
pub use record::observed;
use record::{bookkeeping, final_outputs, operations_by_config, record_for};
pub use report::{ApplyError, ApplyOptions, ApplyReport, Event};
pub use stale::{Staleness, check_plan_is_current};
pub use steps::{StepId, StepKind, conforms, steps};
use steps::{StepResult, show_at};

/// Applies `plan`. `prior` is the current state (already checked to be the
/// one the plan was made against). `interrupt` resolves when the user asks
/// to stop: nothing new starts, running steps finish and are recorded, or,
/// once `opts.grace` is over, their operations are recorded in state as
/// left running and the next apply follows them instead of repeating them.
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    plan: &Plan,
    config: &Config,
    inputs: &Inputs,
    cwd: &Path,
    backend: &dyn Backend,
    prior: Option<State>,
    providers: &Providers,
    opts: &ApplyOptions,
    events: &mut dyn FnMut(Event),
    interrupt: impl std::future::Future<Output = ()>,
) -> Result<ApplyReport, ApplyError> {
    let mut state = State::or_new(prior).map_err(StateError::from)?;
    let serial = state.next_serial()?;
    let mut report = ApplyReport::new(state.clone());

    if plan.refresh_only {
        if let Some(refreshed) = &plan.refreshed {
            let mut next = refreshed.clone();
            next.serial = serial;
            backend.append(&[Record {
                serial,
                change: Change::Replace(Box::new(next.clone())),
            }])?;
            backend.compact(&next)?;
            report.unencrypted = crate::state::unencrypted_notice(&next, backend);
            report.state = next;
        }
        return Ok(report);
    }

    // Imports and moves are recorded first: they change no object.
    let records = bookkeeping(plan, &mut state, serial);
    backend.append(&records)?;
    for r in &records {
        state.apply_record(r);
    }

    // Operations an interrupted apply left running: providers follow them
    // instead of sending the same requests again.
    let left_before = !state.operations.is_empty();
    for (addr, p) in providers.configs() {
        p.resume(
            state
                .operations
                .iter()
                .filter(|o| {
                    crate::provider::ProviderConfigAddr::parse(&o.provider).as_ref() == Some(addr)
                })
                .cloned()
                .collect(),
        );
    }

    let known = KnownValues::default();
    for rs in state.resources.values() {
        known.insert_at(&rs.address, rs.value());
    }
    // Data sources as the plan read them.
    for (addr, v) in &plan.data {
        known.insert_at(addr, v.clone());
    }
    let mut cx = Context::new(config, inputs, cwd, Some(&known));
    cx.require_inputs = true;
    // Evaluate as the plan did (a failover plans with another active site).
    cx.failover = plan.failover.clone();
    // timestamp(), uuid() and bcrypt() were unknown in the plan; they get
    // their values now, as in Terraform.
    cx.impure_known = true;
    // Ephemeral resources are opened anew: the plan recorded none of them.
    let opened = crate::plan::planner::open_for_apply(config, &cx, providers, &known, plan).await;
    if opened.has_errors() {
        report.diags.extend(opened);
        return Ok(report);
    }

    let graph = steps(plan);
    let changes: HashMap<String, &ResourceChange> =
        plan.actions().map(|c| (c.address.clone(), c)).collect();
    let mut walk = Walk::new(&graph);
    let mut configs: HashMap<String, Value> = HashMap::new();
    let mut running: tokio::task::JoinSet<StepResult> = tokio::task::JoinSet::new();
    let parallelism = opts.parallelism.max(1);
    tokio::pin!(interrupt);
    let mut stopping = false;
    // Running step tasks, by task: which step a join result (or a panic)
    // belongs to, and which steps are still running.
    let mut tasks: HashMap<tokio::task::Id, (StepId, Instant)> = HashMap::new();
    let grace_over = tokio::time::sleep(Duration::MAX / 4);
    tokio::pin!(grace_over);
    // Creates announced in state before they are sent, until their results
    // are durable (or, failed, for good): a run killed in between leaves
    // the next run the ids it was creating, to adopt rather than refuse.
    let base_ops = state.operations.clone();
    let mut intents: BTreeMap<String, PendingOperation> = BTreeMap::new();
    let mut intents_written = false;
    type StepFuture = std::pin::Pin<Box<dyn std::future::Future<Output = StepResult> + Send>>;
    let mut deferred: Vec<(StepId, Instant, StepFuture)> = Vec::new();

    loop {
        while !stopping && running.len() + deferred.len() < parallelism {
            let Some(step) = walk.next_ready() else { break };
            let c = changes[&step.address];
            let provider = match providers.for_recorded(&c.provider, &c.ty) {
                Ok(p) => p,
                Err(e) => {
                    fail(
                        &mut walk,
                        &step,
                        e.to_string(),
                        Duration::ZERO,
                        &mut report,
                        events,
                    );
                    continue;
                }
            };
            events(Event::Started { step: step.clone() });
            let started = Instant::now();
            match step.kind {
                StepKind::Read => {
                    // A data source whose arguments the plan could not know:
                    // read now that what it depends on is done.
                    let cfg = match cx.instance_config(&c.module_path, &c.resource, &c.key) {
                        Some(cfg) if cfg.is_wholly_known() => cfg,
                        _ => {
                            let d = cx.take_diags();
                            let msg = d
                                .errors()
                                .next()
                                .map(|d| {
                                    format!(
                                        "{}: {}",
                                        d.summary,
                                        d.detail.clone().unwrap_or_default()
                                    )
                                })
                                .unwrap_or_else(|| "its arguments are still unknown".into());
                            report.diags.extend(d);
                            fail(
                                &mut walk,
                                &step,
                                msg,
                                started.elapsed(),
                                &mut report,
                                events,
                            );
                            continue;
                        }
                    };
                    let ty = c.ty.clone();
                    let s = step.clone();
                    let task = running.spawn(async move {
                        let r = provider.read_data(&ty, &cfg).await;
                        (s, r.map(Some), started.elapsed())
                    });
                    tasks.insert(task.id(), (step.clone(), started));
                }
                StepKind::Delete => {
                    let prior = c.before.clone().unwrap_or(Value::Null);
                    let ty = c.ty.clone();
                    let s = step.clone();
                    let task = running.spawn(async move {
                        let r = provider.delete(&ty, &prior).await.map(|()| None);
                        (s, r, started.elapsed())
                    });
                    tasks.insert(task.id(), (step.clone(), started));
                }
                StepKind::Create | StepKind::Update => {
                    let Some(cfg) = cx.instance_config(&c.module_path, &c.resource, &c.key) else {
                        let d = cx.take_diags();
                        let msg = d
                            .errors()
                            .next()
                            .map(|d| {
                                format!("{}: {}", d.summary, d.detail.clone().unwrap_or_default())
                            })
                            .unwrap_or_else(|| "its configuration could not be evaluated".into());
                        report.diags.extend(d);
                        fail(
                            &mut walk,
                            &step,
                            msg,
                            started.elapsed(),
                            &mut report,
                            events,
                        );
                        continue;
                    };
                    let prior = if step.kind == StepKind::Update {
                        c.before.clone()
                    } else {
                        None
                    };
                    let planned = match provider.plan(&c.ty, prior.as_ref(), &cfg) {
                        Ok(p) => crate::provider::mark_sensitive(&c.ty, p.value),
                        Err(e) => {
                            fail(
                                &mut walk,
                                &step,
                                e.to_string(),
                                started.elapsed(),
                                &mut report,
                                events,
                            );
                            continue;
                        }
                    };
                    let mut at = Vec::new();
                    if let Some(after) = &c.after
                        && !conforms(after, &planned, &mut at)
                    {
                        let msg = format!(
                            "Provider produced inconsistent final plan: the value of {} changed since the plan was made (planned {}, now {}). Run plan again.",
                            at.join("."),
                            show_at(after, &at),
                            show_at(&planned, &at)
                        );
                        fail(
                            &mut walk,
                            &step,
                            msg,
                            started.elapsed(),
                            &mut report,
                            events,
                        );
                        continue;
                    }
                    configs.insert(c.address.clone(), cfg);
                    if step.kind == StepKind::Create
                        && let Some(mut intent) = provider.create_intent(&c.ty, &planned)
                    {
                        intent.address = Some(c.address.clone());
                        intent.provider = c.provider.clone();
                        intents.insert(c.address.clone(), intent);
                    }
                    let ty = c.ty.clone();
                    let s = step.clone();
                    deferred.push((
                        step.clone(),
                        started,
                        Box::pin(async move {
                            let r = match (s.kind, prior) {
                                (StepKind::Update, Some(p)) => {
                                    provider.update(&ty, &p, &planned).await
                                }
                                _ => provider.create(&ty, &planned).await,
                            };
                            (s, r.map(Some), started.elapsed())
                        }),
                    ));
                }
            }
        }
        // Writes start once the creates among them are announced durably
        // (one record per round, not one per create).
        if deferred
            .iter()
            .any(|(s, _, _)| s.kind == StepKind::Create && intents.contains_key(&s.address))
        {
            let rec = Record {
                serial,
                change: Change::Operations(
                    base_ops
                        .iter()
                        .cloned()
                        .chain(intents.values().cloned())
                        .collect(),
                ),
            };
            backend.append(std::slice::from_ref(&rec))?;
            state.apply_record(&rec);
            intents_written = true;
        }
        for (step, started, fut) in deferred.drain(..) {
            let task = running.spawn(fut);
            tasks.insert(task.id(), (step, started));
        }
        if running.is_empty() {
            break;
        }
        let first = tokio::select! {
            r = running.join_next_with_id() => r,
            () = &mut interrupt, if !stopping => {
                stopping = true;
                report.interrupted = true;
                events(Event::Interrupted { running: running.len(), grace: opts.grace });
                if let Some(g) = opts.grace {
                    grace_over.as_mut().reset(tokio::time::Instant::now() + g);
                }
                continue;
            }
            () = &mut grace_over, if stopping => {
                // The steps still running are the tasks not yet joined.
                let in_progress: BTreeSet<StepId> = tasks.values().map(|(step, _)| step.clone()).collect();
                leave_running(&mut running, &in_progress, &changes, providers, intents.values().cloned().collect(), backend, serial, &mut state, &mut report, events).await?;
                break;
            }
        };
        // A step whose task panicked fails with the panic's message; it is
        // never silently lost.
        let mut batch: Vec<StepResult> = Vec::new();
        for r in first
            .into_iter()
            .chain(std::iter::from_fn(|| running.try_join_next_with_id()))
        {
            match r {
                Ok((id, result)) => {
                    tasks.remove(&id);
                    batch.push(result);
                }
                Err(e) => {
                    if let Some((step, started)) = tasks.remove(&e.id()) {
                        let why = if e.is_panic() {
                            panic_message(e.into_panic())
                        } else {
                            "the step was cancelled".to_string()
                        };
                        batch.push((step, Err(ProviderError::Invalid(format!("internal error in the provider (a bug in drinfra; please report it): {why}"))), started.elapsed()));
                    }
                }
            }
        }
        // Record the whole batch durably, then release dependents.
        let mut records = Vec::new();
        let mut succeeded = Vec::new();
        let mut released: Vec<StepId> = Vec::new();
        // The object each step produced, for its postconditions.
        let mut produced: HashMap<StepId, Value> = HashMap::new();
        for (step, result, elapsed) in batch {
            let c = changes[&step.address];
            match result {
                // Data is known from here on; it is not recorded in state.
                Ok(value) if step.kind == StepKind::Read => {
                    if let Some(v) = value {
                        known.insert(&c.module_path, &c.resource, &c.key, v.clone());
                        produced.insert(step.clone(), v);
                    }
                    succeeded.push((step, elapsed));
                }
                Ok(value) => {
                    if step.kind == StepKind::Create {
                        intents.remove(&step.address);
                    }
                    let rec = match (&value, step.kind) {
                        (Some(v), _) => {
                            let provider = providers
                                .for_recorded(&c.provider, &c.ty)
                                .expect("provider found when the step started");
                            let rs = record_for(c, v, configs.get(&c.address), provider.as_ref());
                            known.insert(&c.module_path, &c.resource, &c.key, rs.value());
                            produced.insert(step.clone(), rs.value());
                            Change::Put(Box::new(rs))
                        }
                        (None, _) => Change::Remove(c.address.clone()),
                    };
                    // A create-before-destroy's old object is deposed: its
                    // delete must not remove the new record.
                    if !(step.kind == StepKind::Delete && c.action == Action::CreateThenDelete) {
                        records.push(Record {
                            serial,
                            change: rec,
                        });
                    }
                    succeeded.push((step, elapsed));
                }
                Err(e) => {
                    // A cloud's error may quote what it was sent: never a
                    // sensitive value of this step.
                    let known: Vec<&Value> =
                        [configs.get(&c.address), c.after.as_ref(), c.before.as_ref()]
                            .into_iter()
                            .flatten()
                            .collect();
                    let error = crate::lang::redact::redact(e.for_address(&step.address), &known);
                    if opts.defer.is_some_and(|d| d(&e)) {
                        events(Event::Failed {
                            step: step.clone(),
                            elapsed,
                            error: format!("deferred: {error}"),
                            deferred: true,
                        });
                        report.deferred.push((step.clone(), error));
                        released.push(step);
                    } else {
                        fail(&mut walk, &step, error, elapsed, &mut report, events);
                    }
                }
            }
        }
        backend.append(&records)?;
        for r in &records {
            state.apply_record(r);
        }
        for step in released {
            walk.release(&step);
        }
        // Postconditions, now that the object is saved (as Terraform
        // does): a false one fails the step and holds back its dependents.
        let mut checked = Vec::new();
        for (step, elapsed) in succeeded {
            let c = changes[&step.address];
            let holds = produced
                .get(&step)
                .is_none_or(|v| cx.postconditions_hold(&c.module_path, &c.resource, &c.key, v));
            if holds {
                checked.push((step, elapsed));
                continue;
            }
            let d = cx.take_diags();
            let msg = d
                .errors()
                .map(|d| format!("{}: {}", d.summary, d.detail.clone().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join("; ");
            report.diags.extend(d);
            fail(&mut walk, &step, msg, elapsed, &mut report, events);
        }
        for (step, elapsed) in checked {
            events(Event::Finished {
                step: step.clone(),
                elapsed,
            });
            walk.release(&step);
            report.done.push(step);
        }
    }
    let blocked = walk.blocked().clone();
    for step in walk.unfinished() {
        if !report.done.contains(&step)
            && !report.failed.iter().any(|(s, _)| *s == step)
            && !report.deferred.iter().any(|(s, _)| *s == step)
        {
            events(Event::Skipped {
                step: step.clone(),
                because: if stopping {
                    "the apply was interrupted".into()
                } else {
                    "a dependency did not complete".into()
                },
            });
            report.skipped.push(step);
        }
    }
    for step in &blocked {
        if !report.skipped.contains(step) {
            report.skipped.push(step.clone());
        }
    }

    // What no step took up stays recorded while the run is incomplete;
    // a complete run has converged, so older operations are moot.
    // Intents of creates that failed stay too (the object may exist).
    if (left_before || intents_written) && report.left_running.is_empty() {
        let rest: Vec<_> = if report.ok() {
            Vec::new()
        } else {
            let mut rest = operations_by_config(providers, |p| p.unresumed());
            rest.extend(intents.values().cloned());
            rest
        };
        let rec = Record {
            serial,
            change: Change::Operations(rest),
        };
        backend.append(std::slice::from_ref(&rec))?;
        state.apply_record(&rec);
    }

    // Outputs from the final values.
    // Left over from the steps (reported with them already).
    let _ = cx.take_diags();
    // A destroy leaves no outputs, as Terraform's does (it evaluates none).
    let (outputs, output_errors) = if plan.destroy {
        Default::default()
    } else {
        final_outputs(&cx, &state.outputs)
    };
    report.diags.extend(output_errors);
    let out_rec = Record {
        serial,
        change: Change::Outputs(outputs),
    };
    backend.append(std::slice::from_ref(&out_rec))?;
    state.apply_record(&out_rec);
    state.serial = serial;
    if let Some(l) = &plan.lineage {
        state.lineage = l.clone();
    }
    backend.compact(&state)?;
    report.unencrypted = crate::state::unencrypted_notice(&state, backend);
    report.state = state;
    Ok(report)
}

fn fail(
    walk: &mut Walk<StepId>,
    step: &StepId,
    error: String,
    elapsed: Duration,
    report: &mut ApplyReport,
    events: &mut dyn FnMut(Event),
) {
    events(Event::Failed {
        step: step.clone(),
        elapsed,
        error: error.clone(),
        deferred: false,
    });
    report.failed.push((step.clone(), error));
    // Everything downstream is skipped.
    for s in walk.block_dependents(step) {
        events(Event::Skipped {
            step: s,
            because: format!("{step} failed"),
        });
    }
}

//! Applying a plan: the plan's changes become steps in a dependency graph,
//! run in parallel (independent steps at once, deletes in reverse
//! dependency order), each step's result recorded durably before its
//! dependents start. Apply executes the plan it is given: it re-evaluates
//! only to learn values that were unknown at plan time, and refuses a
//! result that contradicts what the plan showed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::config::evaluate::{Context, InstanceKey, module_prefix};
use crate::config::vars::Inputs;
use crate::diag::Diagnostics;
use crate::graph::Dag;
use crate::lang::Value;
use crate::plan::planner::{KnownValues, observed_digest, parse_instance};
use crate::plan::{Action, Plan, ResourceChange};
use crate::provider::{Provider, ProviderError, Providers};
use crate::state::{
    Backend, Change, OutputState, PendingOperation, Record, ResourceState, State, StateError, marks,
};

mod import;
mod stale;
pub use import::{ImportError, import};
pub use stale::{Staleness, check_plan_is_current};

/// What one step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StepKind {
    Create,
    Update,
    Delete,
    /// A data source read whose arguments became known during apply.
    Read,
}

impl StepKind {
    pub fn verb(self) -> &'static str {
        match self {
            StepKind::Create => "create",
            StepKind::Update => "update",
            StepKind::Delete => "delete",
            StepKind::Read => "read",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StepId {
    pub address: String,
    pub kind: StepKind,
}

impl std::fmt::Display for StepId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind.verb(), self.address)
    }
}

/// Progress of an apply, for renderers.
#[derive(Debug, Clone)]
pub enum Event {
    Started {
        step: StepId,
    },
    Finished {
        step: StepId,
        elapsed: Duration,
    },
    Failed {
        step: StepId,
        elapsed: Duration,
        error: String,
    },
    Skipped {
        step: StepId,
        because: String,
    },
    /// `grace`: how long running steps may still take.
    Interrupted {
        running: usize,
        grace: Option<Duration>,
    },
    /// The grace period ended with this step's cloud operation still
    /// running; `operation` is what state records for the next run.
    LeftRunning {
        step: StepId,
        operation: Option<String>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    State(#[from] StateError),
}

#[derive(Debug)]
pub struct ApplyReport {
    pub done: Vec<StepId>,
    pub failed: Vec<(StepId, String)>,
    pub skipped: Vec<StepId>,
    pub deferred: Vec<(StepId, String)>,
    /// Steps whose cloud operation was still running when the grace
    /// period after an interrupt ended (recorded in state to resume).
    pub left_running: Vec<StepId>,
    pub interrupted: bool,
    pub state: State,
    pub diags: Diagnostics,
    /// Set when the state written holds sensitive values unencrypted.
    pub unencrypted: Option<crate::state::UnencryptedSecrets>,
}

impl ApplyReport {
    fn new(state: State) -> ApplyReport {
        ApplyReport {
            done: vec![],
            failed: vec![],
            skipped: vec![],
            deferred: vec![],
            left_running: vec![],
            interrupted: false,
            state,
            diags: Diagnostics::default(),
            unencrypted: None,
        }
    }

    pub fn ok(&self) -> bool {
        self.failed.is_empty()
            && self.skipped.is_empty()
            && !self.interrupted
            && !self.diags.has_errors()
    }
}

pub struct ApplyOptions {
    pub parallelism: usize,
    /// Failures this accepts (an unreachable region during a failover) are
    /// deferred: reported, not recorded, and they do not hold back what
    /// depends on them.
    pub defer: Option<fn(&ProviderError) -> bool>,
    /// After an interrupt, how long running steps may still take before
    /// their operations are recorded in state and left running; None
    /// waits for them.
    pub grace: Option<Duration>,
}

/// The steps of a plan and the order they must respect.
pub fn steps(plan: &Plan) -> Dag<StepId> {
    let mut g: Dag<StepId> = Dag::new();
    let mut phase_edges: Option<Vec<(u8, Vec<StepId>)>> = None;
    let by_addr: HashMap<&str, &ResourceChange> =
        plan.actions().map(|c| (c.address.as_str(), c)).collect();
    let write_step = |c: &ResourceChange| -> Option<StepId> {
        match c.action {
            Action::Create | Action::DeleteThenCreate | Action::CreateThenDelete => Some(StepId {
                address: c.address.clone(),
                kind: StepKind::Create,
            }),
            Action::Update => Some(StepId {
                address: c.address.clone(),
                kind: StepKind::Update,
            }),
            Action::Read => Some(StepId {
                address: c.address.clone(),
                kind: StepKind::Read,
            }),
            _ => None,
        }
    };
    let delete_step = |c: &ResourceChange| {
        c.action.deletes().then(|| StepId {
            address: c.address.clone(),
            kind: StepKind::Delete,
        })
    };
    // Failover phases: every step of a phase waits for all of the previous.
    if !plan.phases.is_empty() {
        let mut by_phase: std::collections::BTreeMap<u8, Vec<StepId>> =
            std::collections::BTreeMap::new();
        for c in plan.actions() {
            let p = plan.phases.get(&c.address).copied().map_or(1, u8::from);
            by_phase
                .entry(p)
                .or_default()
                .extend(write_step(c).into_iter().chain(delete_step(c)));
        }
        // Added after the dependency edges, and never against them: a phase
        // edge that would close a cycle (an explicit depends_on across
        // sites) is left out, the dependency wins.
        let pending: Vec<(u8, Vec<StepId>)> = by_phase.into_iter().collect();
        phase_edges = Some(pending);
    }
    for c in plan.actions() {
        let w = write_step(c);
        let d = delete_step(c);
        if let Some(w) = &w {
            g.add(w.clone());
        }
        if let Some(d) = &d {
            g.add(d.clone());
        }
        match (c.action, &w, &d) {
            (Action::DeleteThenCreate, Some(w), Some(d)) => g.depend(w.clone(), d.clone()),
            (Action::CreateThenDelete, Some(w), Some(d)) => g.depend(d.clone(), w.clone()),
            _ => {}
        }
        for dep in &c.depends_on {
            let Some(dc) = by_addr.get(dep.as_str()) else {
                continue;
            };
            // Writes wait for the writes of what they depend on.
            if let (Some(w), Some(dw)) = (&w, write_step(dc)) {
                g.depend(w.clone(), dw);
            }
            // Deletes run in reverse: what depended on a thing goes first.
            if let (Some(d), Some(dd)) = (&d, delete_step(dc)) {
                g.depend(dd, d.clone());
            }
            // The old object of a create-before-destroy goes only after its
            // dependents have moved to the new one.
            if dc.action == Action::CreateThenDelete
                && let (Some(w), Some(dd)) = (&w, delete_step(dc))
            {
                g.depend(dd, w.clone());
            }
        }
    }
    if let Some(phases) = phase_edges {
        for w in phases.windows(2) {
            for later in &w[1].1 {
                for earlier in &w[0].1 {
                    if !g.ancestors(earlier).contains(&later) {
                        g.depend(later.clone(), earlier.clone());
                    }
                }
            }
        }
    }
    g
}

/// Whether every known part of `planned` holds in `actual`.
pub fn conforms(planned: &Value, actual: &Value, at: &mut Vec<String>) -> bool {
    let (p, _) = planned.unmark();
    let (a, _) = actual.unmark();
    match (p, a) {
        (Value::Unknown(_), _) => true,
        (_, Value::Unknown(_)) => false,
        (Value::Object(pm) | Value::Map(pm), Value::Object(am) | Value::Map(am)) => {
            pm.iter().all(|(k, pv)| {
                at.push(k.clone());
                let ok = conforms(pv, am.get(k).unwrap_or(&Value::Null), at);
                if ok {
                    at.pop();
                }
                ok
            })
        }
        (
            Value::List(px) | Value::Tuple(px) | Value::Set(px),
            Value::List(ax) | Value::Tuple(ax) | Value::Set(ax),
        ) => {
            px.len() == ax.len()
                && px.iter().zip(ax).enumerate().all(|(i, (pv, av))| {
                    at.push(i.to_string());
                    let ok = conforms(pv, av, at);
                    if ok {
                        at.pop();
                    }
                    ok
                })
        }
        _ => p.to_json() == a.to_json(),
    }
}

fn index_json(key: &InstanceKey) -> Option<serde_json::Value> {
    match key {
        InstanceKey::None => None,
        InstanceKey::Int(i) => Some(serde_json::Value::from(*i)),
        InstanceKey::Str(s) => Some(serde_json::Value::String(s.clone())),
    }
}

/// The record of an object the provider returned. Its sensitive paths are
/// everything marked in the configuration, in the returned value (marks a
/// provider carried into derived attributes), and in the schema.
fn record_for(
    c: &ResourceChange,
    value: &Value,
    config: Option<&Value>,
    provider: &dyn Provider,
) -> ResourceState {
    let mut sensitive = config.map(marks::paths).unwrap_or_default();
    let marked = crate::provider::mark_sensitive(&c.ty, value.clone());
    for p in marks::paths(&marked) {
        if !sensitive.contains(&p) {
            sensitive.push(p);
        }
    }
    if let Some(schema) = provider.schema(&c.ty) {
        for (name, a) in schema.attrs {
            if a.sensitive && !sensitive.contains(&vec![name.to_string()]) {
                sensitive.push(vec![name.to_string()]);
            }
        }
    }
    ResourceState {
        address: c.address.clone(),
        module: module_prefix(&c.module_path)
            .trim_end_matches('.')
            .to_string(),
        mode: c.mode.clone(),
        ty: c.ty.clone(),
        name: c.name.clone(),
        index: index_json(&c.key),
        provider: crate::provider::ProviderConfigAddr::parse(&c.provider)
            .unwrap_or_else(|| crate::provider::ProviderConfigAddr::default_for(provider.name()))
            .to_string(),
        attributes: value.unmark().0.to_json(),
        sensitive_paths: sensitive,
        dependencies: c.depends_on.clone(),
        create_before_destroy: c.create_before_destroy,
    }
}

type StepResult = (StepId, Result<Option<Value>, ProviderError>, Duration);

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
    // An imported object depends on what its configuration references, as
    // if drinfra had created it (destroy order needs it).
    let mut records: Vec<Record> = plan
        .imports
        .iter()
        .map(|rs| {
            let mut rs = rs.clone();
            if let Some(c) = plan.changes.iter().find(|c| c.address == rs.address) {
                rs.dependencies = c.depends_on.clone();
            }
            Record {
                serial,
                change: Change::Put(Box::new(rs)),
            }
        })
        .collect();
    for c in plan.changes.iter().filter(|c| c.previous_address.is_some()) {
        if let Some(mut rs) = state
            .resources
            .remove(c.previous_address.as_deref().unwrap_or_default())
        {
            let (module, rest) = crate::plan::planner::split_module(&c.address);
            rs.address = c.address.clone();
            rs.module = module;
            rs.name = c.name.clone();
            rs.index = index_json(&c.key);
            let _ = rest;
            records.push(Record {
                serial,
                change: Change::Remove(c.previous_address.clone().unwrap_or_default()),
            });
            records.push(Record {
                serial,
                change: Change::Put(Box::new(rs.clone())),
            });
            state.resources.insert(c.address.clone(), rs);
        }
    }
    // An object whose configuration now names another provider
    // configuration for the same object (the plan checked that): record
    // the configuration that manages it from now on.
    for c in plan
        .changes
        .iter()
        .filter(|c| c.action == Action::NoOp && c.mode == "managed")
    {
        let configured = crate::provider::ProviderConfigAddr::parse(&c.provider);
        if let Some(rs) = state.resources.get(&c.address).filter(|rs| {
            configured.is_some()
                && crate::provider::ProviderConfigAddr::parse(&rs.provider) != configured
        }) {
            let mut rs = rs.clone();
            rs.provider = c.provider.clone();
            records.push(Record {
                serial,
                change: Change::Put(Box::new(rs)),
            });
        }
    }
    // Objects deleted outside drinfra (or by a destroy killed after its
    // DELETE) leave state: a 404 is as good as a delete.
    for addr in plan.vanished() {
        if state.resources.contains_key(addr)
            && !records
                .iter()
                .any(|r| matches!(&r.change, Change::Put(rs) if rs.address == addr))
        {
            records.push(Record {
                serial,
                change: Change::Remove(addr.to_string()),
            });
        }
    }
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
        if let Some((path, res, key)) = parse_instance(&rs.address) {
            known.insert(&path, &res, &key, rs.value());
        }
    }
    // Data sources as the plan read them.
    for (addr, v) in &plan.data {
        if let Some((path, res, key)) = parse_instance(addr) {
            known.insert(&path, &res, &key, v.clone());
        }
    }
    let mut cx = Context::new(config, inputs, cwd, Some(&known));
    cx.require_inputs = true;
    // Evaluate as the plan did (a failover plans with another active site).
    cx.failover = plan.failover.clone();

    let graph = steps(plan);
    let changes: HashMap<String, &ResourceChange> =
        plan.actions().map(|c| (c.address.clone(), c)).collect();
    let mut waiting: HashMap<StepId, usize> = graph
        .nodes()
        .map(|s| (s.clone(), graph.dependencies(s).len()))
        .collect();
    let mut ready: BTreeSet<StepId> = waiting
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(s, _)| s.clone())
        .collect();
    let mut blocked: BTreeSet<StepId> = BTreeSet::new();
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
            let Some(step) = ready.pop_first() else { break };
            let c = changes[&step.address];
            let provider = match providers.for_recorded(&c.provider, &c.ty) {
                Ok(p) => p,
                Err(e) => {
                    fail(
                        &graph,
                        &step,
                        e.to_string(),
                        Duration::ZERO,
                        &mut report,
                        &mut blocked,
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
                                &graph,
                                &step,
                                msg,
                                started.elapsed(),
                                &mut report,
                                &mut blocked,
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
                            &graph,
                            &step,
                            msg,
                            started.elapsed(),
                            &mut report,
                            &mut blocked,
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
                                &graph,
                                &step,
                                e.to_string(),
                                started.elapsed(),
                                &mut report,
                                &mut blocked,
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
                            &graph,
                            &step,
                            msg,
                            started.elapsed(),
                            &mut report,
                            &mut blocked,
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
        for (step, result, elapsed) in batch {
            let c = changes[&step.address];
            match result {
                // Data is known from here on; it is not recorded in state.
                Ok(value) if step.kind == StepKind::Read => {
                    if let Some(v) = value {
                        known.insert(&c.module_path, &c.resource, &c.key, v);
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
                    let error = redact(e.for_address(&step.address), &known);
                    if opts.defer.is_some_and(|d| d(&e)) {
                        events(Event::Failed {
                            step: step.clone(),
                            elapsed,
                            error: format!("deferred: {error}"),
                        });
                        report.deferred.push((step.clone(), error));
                        released.push(step);
                    } else {
                        fail(
                            &graph,
                            &step,
                            error,
                            elapsed,
                            &mut report,
                            &mut blocked,
                            events,
                        );
                    }
                }
            }
        }
        backend.append(&records)?;
        for r in &records {
            state.apply_record(r);
        }
        for step in released {
            for d in graph.dependents(&step) {
                let n = waiting.get_mut(d).expect("dependent counted");
                *n -= 1;
                if *n == 0 && !blocked.contains(d) {
                    ready.insert(d.clone());
                }
            }
        }
        for (step, elapsed) in succeeded {
            events(Event::Finished {
                step: step.clone(),
                elapsed,
            });
            for d in graph.dependents(&step) {
                let n = waiting.get_mut(d).expect("dependent counted");
                *n -= 1;
                if *n == 0 && !blocked.contains(d) {
                    ready.insert(d.clone());
                }
            }
            report.done.push(step);
        }
    }
    for step in ready
        .into_iter()
        .chain(
            waiting
                .iter()
                .filter(|(s, n)| **n > 0 && !blocked.contains(*s))
                .map(|(s, _)| s.clone()),
        )
        .collect::<BTreeSet<_>>()
    {
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
    let outputs: BTreeMap<String, OutputState> = cx
        .root_outputs()
        .into_iter()
        .filter(|(_, o)| o.value.is_wholly_known())
        .map(|(k, o)| {
            (
                k,
                OutputState {
                    value: o.value.unmark().0.to_json(),
                    sensitive: o.sensitive || o.value.is_sensitive_anywhere(),
                },
            )
        })
        .collect();
    let _ = cx.take_diags();
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

/// The grace period is over: records what the providers are still
/// following (with the step each belongs to) as left running, and stops
/// following it. A step whose request had not been answered yet is not
/// recorded; the next run sends it again (ARM writes are idempotent).
#[allow(clippy::too_many_arguments)]
async fn leave_running(
    running: &mut tokio::task::JoinSet<StepResult>,
    in_progress: &BTreeSet<StepId>,
    changes: &HashMap<String, &ResourceChange>,
    providers: &Providers,
    intents: Vec<PendingOperation>,
    backend: &dyn Backend,
    serial: u64,
    state: &mut State,
    report: &mut ApplyReport,
    events: &mut dyn FnMut(Event),
) -> Result<(), ApplyError> {
    let object_id = |c: &ResourceChange| -> Vec<String> {
        [&c.after, &c.before]
            .into_iter()
            .flatten()
            .filter_map(|v| {
                v.as_mapping().and_then(|m| m.get("id")).and_then(|id| {
                    if let Value::String(s) = id.unmark().0 {
                        Some(s.to_lowercase())
                    } else {
                        None
                    }
                })
            })
            .collect()
    };
    let mut left = operations_by_config(providers, |p| p.unresumed());
    let mut fresh = operations_by_config(providers, |p| p.in_flight());
    running.abort_all();
    while running.join_next().await.is_some() {}
    for op in &mut fresh {
        let id = op.id.to_lowercase();
        op.address = in_progress
            .iter()
            .find(|s| {
                changes.get(&s.address).is_some_and(|c| {
                    object_id(c)
                        .iter()
                        .any(|o| id == *o || id.starts_with(&format!("{o}/")))
                })
            })
            .map(|s| s.address.clone());
    }
    for step in in_progress {
        let op = fresh
            .iter()
            .find(|o| o.address.as_deref() == Some(step.address.as_str()));
        events(Event::LeftRunning {
            step: step.clone(),
            operation: op.map(|o| format!("{} {} ({})", o.method, o.id, o.url)),
        });
        report.left_running.push(step.clone());
    }
    left.extend(fresh);
    left.extend(intents);
    let rec = Record {
        serial,
        change: Change::Operations(left),
    };
    backend.append(std::slice::from_ref(&rec))?;
    state.apply_record(&rec);
    Ok(())
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

/// The operations `ops` lists for every provider configuration, each
/// recorded with the configuration that started it, so the next apply
/// follows it with the same subscription and credential.
fn operations_by_config(
    providers: &Providers,
    ops: impl Fn(&dyn Provider) -> Vec<PendingOperation>,
) -> Vec<PendingOperation> {
    providers
        .configs()
        .flat_map(|(a, p)| {
            ops(p.as_ref()).into_iter().map(move |mut o| {
                o.provider = a.to_string();
                o
            })
        })
        .collect()
}

/// `msg` with every sensitive string found in `values` replaced by
/// `(sensitive value)`.
pub fn redact(mut msg: String, values: &[&Value]) -> String {
    fn collect(v: &Value, inside: bool, out: &mut Vec<String>) {
        match v {
            Value::Sensitive(x) => collect(x, true, out),
            Value::String(s) if inside && s.chars().count() >= 4 => out.push(s.clone()),
            Value::Number(n) if inside && n.abs() >= 1000.0 => {
                out.push(crate::lang::value::format_number(*n))
            }
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                xs.iter().for_each(|x| collect(x, inside, out))
            }
            Value::Map(m) | Value::Object(m) => m.values().for_each(|x| collect(x, inside, out)),
            _ => {}
        }
    }
    let mut secrets = Vec::new();
    for v in values {
        collect(v, false, &mut secrets);
    }
    // Longest first, so a secret containing another is replaced whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    for s in secrets {
        if msg.contains(&s) {
            msg = msg.replace(&s, "(sensitive value)");
        }
    }
    msg
}

/// The value at `path` for an error message: masked when it, or anything
/// around it, is sensitive.
fn show_at(v: &Value, path: &[String]) -> String {
    let mut cur = v.clone();
    for p in path {
        if cur.unmark().1 {
            return Value::Null.sensitive().to_string();
        }
        cur = match cur.unmark().0 {
            Value::Object(m) | Value::Map(m) => m.get(p).cloned().unwrap_or(Value::Null),
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => p
                .parse::<usize>()
                .ok()
                .and_then(|i| xs.get(i).cloned())
                .unwrap_or(Value::Null),
            _ => Value::Null,
        };
    }
    cur.to_string()
}

fn fail(
    graph: &Dag<StepId>,
    step: &StepId,
    error: String,
    elapsed: Duration,
    report: &mut ApplyReport,
    blocked: &mut BTreeSet<StepId>,
    events: &mut dyn FnMut(Event),
) {
    events(Event::Failed {
        step: step.clone(),
        elapsed,
        error: error.clone(),
    });
    report.failed.push((step.clone(), error));
    // Everything downstream is skipped.
    let mut stack: Vec<StepId> = graph.dependents(step).into_iter().cloned().collect();
    while let Some(s) = stack.pop() {
        if blocked.insert(s.clone()) {
            events(Event::Skipped {
                step: s.clone(),
                because: format!("{step} failed"),
            });
            stack.extend(graph.dependents(&s).into_iter().cloned());
        }
    }
}

/// Observed digests of the current state, for staleness checks.
pub fn observed(state: &State) -> BTreeMap<String, String> {
    state
        .resources
        .iter()
        .map(|(a, rs)| (a.clone(), observed_digest(rs)))
        .collect()
}

pub type SharedProvider = Arc<dyn Provider>;

#[cfg(test)]
mod redact_tests {
    use super::*;

    #[test]
    fn cloud_errors_quoting_a_sensitive_value_are_redacted() {
        let cfg = Value::Object(
            [
                (
                    "password".to_string(),
                    Value::string("hunter2-S3cret").sensitive(),
                ),
                ("name".to_string(), Value::string("db1")),
            ]
            .into(),
        );
        let nested = Value::Object(
            [(
                "x".to_string(),
                Value::Object([("k".to_string(), Value::string("k3y-material-42"))].into())
                    .sensitive(),
            )]
            .into(),
        );
        let msg = "InvalidParameterValue: 'hunter2-S3cret' is not a valid password for server db1 (k3y-material-42)".to_string();
        let out = redact(msg, &[&cfg, &nested]);
        assert!(
            !out.contains("hunter2") && !out.contains("k3y-material"),
            "{out}"
        );
        assert!(out.contains("db1"), "what is not sensitive stays: {out}");
        assert_eq!(out.matches("(sensitive value)").count(), 2, "{out}");
    }
}

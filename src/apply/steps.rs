//! Steps: a plan's changes as a graph of create, update, delete and read
//! steps, and the check that a result conforms to its plan.

use std::collections::HashMap;
use std::time::Duration;

use crate::graph::Dag;
use crate::lang::Value;
use crate::plan::{Action, Plan, ResourceChange};
use crate::provider::ProviderError;

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

/// The value at `path` for an error message: masked when it, or anything
/// around it, is sensitive.
pub(super) fn show_at(v: &Value, path: &[String]) -> String {
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

/// A step, what its provider call returned, and how long it took.
pub(super) type StepResult = (StepId, Result<Option<Value>, ProviderError>, Duration);

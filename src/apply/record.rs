//! Recording: what state gets for each finished step, the records written
//! before any step runs, the final outputs, and digests for staleness checks.

use std::collections::BTreeMap;

use crate::config::evaluate::Context;
use crate::diag::Diagnostics;
use crate::lang::Value;
use crate::plan::planner::observed_digest;
use crate::plan::{Action, Plan, ResourceChange};
use crate::provider::{Provider, Providers};
use crate::state::{Change, OutputState, PendingOperation, Record, ResourceState, State, marks};

/// The record of an object the provider returned. Its sensitive paths are
/// everything marked in the configuration, in the returned value (marks a
/// provider carried into derived attributes), and in the schema.
pub(super) fn record_for(
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
        module: c.module_path.to_string(),
        mode: c.mode.clone(),
        ty: c.ty.clone(),
        name: c.name.clone(),
        index: c.key.to_json(),
        provider: crate::provider::ProviderConfigAddr::parse(&c.provider)
            .unwrap_or_else(|| crate::provider::ProviderConfigAddr::default_for(provider.name()))
            .to_string(),
        attributes: value.unmark().0.to_json(),
        sensitive_paths: sensitive,
        dependencies: c.depends_on.clone(),
        create_before_destroy: c.create_before_destroy,
    }
}

/// The records an apply writes before any step: imports (each depending
/// on what its configuration references, as if drinfra had created it, for
/// destroy order), forgotten objects, moves, provider configurations that changed for the same
/// object, and objects that vanished (a 404 is as good as a delete).
pub(super) fn bookkeeping(plan: &Plan, state: &mut State, serial: u64) -> Vec<Record> {
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
    // Objects `removed { lifecycle { destroy = false } }` forgets.
    records.extend(plan.forgets.iter().map(|rs| Record {
        serial,
        change: Change::Remove(rs.address.clone()),
    }));
    for c in plan.changes.iter().filter(|c| c.previous_address.is_some()) {
        if let Some(mut rs) = state
            .resources
            .remove(c.previous_address.as_deref().unwrap_or_default())
        {
            rs.address = c.address.clone();
            rs.module = c.module_path.to_string();
            rs.name = c.name.clone();
            rs.index = c.key.to_json();
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
    // What refresh read of an object the plan leaves as it is (a key
    // rotated outside drinfra) is recorded, as Terraform's apply persists
    // its refreshed state: outputs and later plans see the cloud's value.
    for c in plan
        .changes
        .iter()
        .filter(|c| c.action == Action::NoOp && c.mode == "managed")
    {
        let (Some(read), Some(rs)) = (&c.before, state.resources.get_mut(&c.address)) else {
            continue;
        };
        let json = read.unmark().0.to_json();
        if !read.is_wholly_known() || json == rs.attributes {
            continue;
        }
        rs.attributes = json;
        for p in marks::paths(read) {
            if !rs.sensitive_paths.contains(&p) {
                rs.sensitive_paths.push(p);
            }
        }
        records.push(Record {
            serial,
            change: Change::Put(Box::new(rs.clone())),
        });
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
    records
}

/// The root outputs as state records them: those wholly known. An output
/// that fails to evaluate keeps what `prior` recorded for it (nothing, if
/// it had no value), as Terraform keeps it; its errors are returned.
pub(super) fn final_outputs(
    cx: &Context<'_>,
    prior: &BTreeMap<String, OutputState>,
) -> (BTreeMap<String, OutputState>, Diagnostics) {
    let mut errors = Diagnostics::default();
    let mut outputs = BTreeMap::new();
    for (k, result) in cx.root_outputs_checked() {
        match result {
            Ok(o) if o.value.is_wholly_known() => {
                let state = OutputState {
                    value: o.value.unmark().0.to_json(),
                    sensitive: o.sensitive || o.value.is_sensitive_anywhere(),
                    ty: Some(o.value.unmark().0.type_of().to_json()),
                };
                outputs.insert(k, state);
            }
            Ok(_) => {}
            Err(d) => {
                errors.extend(d);
                if let Some(was) = prior.get(&k) {
                    outputs.insert(k, was.clone());
                }
            }
        }
    }
    (outputs, errors)
}

/// Observed digests of the current state, for staleness checks.
pub fn observed(state: &State) -> BTreeMap<String, String> {
    state
        .resources
        .iter()
        .map(|(a, rs)| (a.clone(), observed_digest(rs)))
        .collect()
}

/// The operations `ops` lists for every provider configuration, each
/// recorded with the configuration that started it, so the next apply
/// follows it with the same subscription and credential.
pub(super) fn operations_by_config(
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

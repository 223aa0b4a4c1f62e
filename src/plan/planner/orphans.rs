//! What leaves: deletes of recorded objects, root outputs' actions, destroy
//! selections and `--target` restriction.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::instance::config_resource;
use super::refresh::recorded_config;
use crate::addrs::{AbsResourceInstance, ModulePath, within};
use crate::config::Config;
use crate::config::evaluate::Context;
use crate::lang::Value;
use crate::plan::model::*;
use crate::provider::terraform_data::same;
use crate::state::{ResourceState, State};

/// What happens to a root output whose value was `before` and will be `after`.
pub(super) fn output_action(before: Option<&Value>, after: &Value) -> Action {
    match before {
        None => Action::Create,
        Some(b) if same(b, after) => Action::NoOp,
        Some(_) => Action::Update,
    }
}

/// The change removing a recorded root output.
pub(super) fn output_deleted(name: &str, o: &crate::state::OutputState) -> OutputChange {
    OutputChange {
        name: name.to_string(),
        action: Action::Delete,
        before: Some(Value::from_json(&o.value)),
        after: None,
        sensitive: o.sensitive,
    }
}

pub(super) fn delete_change(
    rs: &ResourceState,
    reason: Option<Reason>,
    previous: Option<String>,
) -> ResourceChange {
    let (module_path, resource, key) = match rs.address.parse::<AbsResourceInstance>() {
        Ok(a) => (a.module, a.resource.to_string(), a.key),
        Err(_) => Default::default(),
    };
    ResourceChange {
        address: rs.address.clone(),
        previous_address: previous,
        module_path,
        resource,
        key,
        mode: rs.mode.clone(),
        ty: rs.ty.clone(),
        name: rs.name.clone(),
        provider: recorded_config(rs),
        action: Action::Delete,
        reason,
        before: Some(rs.value()),
        after: None,
        replace_paths: vec![],
        depends_on: rs.dependencies.clone(),
        create_before_destroy: rs.create_before_destroy,
        notes: vec![],
    }
}

/// What a destroy removes: everything, or with targets the instances they
/// name and, transitively, every recorded instance that depends on one.
pub(super) fn destroy_selection(state: &State, targets: &[String]) -> BTreeSet<String> {
    if targets.is_empty() {
        return state.resources.keys().cloned().collect();
    }
    let mut keep: BTreeSet<String> = state
        .resources
        .keys()
        .filter(|a| targets.iter().any(|t| within(a, t)))
        .cloned()
        .collect();
    loop {
        let more: Vec<String> = state
            .resources
            .values()
            .filter(|rs| {
                !keep.contains(&rs.address)
                    && rs
                        .dependencies
                        .iter()
                        .any(|d| keep.iter().any(|k| within(k, d)))
            })
            .map(|rs| rs.address.clone())
            .collect();
        if more.is_empty() {
            return keep;
        }
        keep.extend(more);
    }
}

/// Keeps only targeted changes and what they depend on.
pub(super) fn restrict_to_targets(plan: &mut Plan, targets: &[String]) {
    let hit = |addr: &str| targets.iter().any(|t| within(addr, t));
    let by_addr: HashMap<String, Vec<String>> = plan
        .changes
        .iter()
        .map(|c| (c.address.clone(), c.depends_on.clone()))
        .collect();
    let mut keep: BTreeSet<String> = BTreeSet::new();
    let mut stack: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| hit(&c.address))
        .map(|c| c.address.clone())
        .collect();
    while let Some(a) = stack.pop() {
        if keep.insert(a.clone()) {
            stack.extend(by_addr.get(&a).cloned().unwrap_or_default());
        }
    }
    plan.changes.retain(|c| keep.contains(&c.address));
    // As Terraform: only the targeted objects are forgotten.
    plan.forgets.retain(|rs| hit(&rs.address));
    plan.outputs.clear();
}

/// Deletes of the recorded objects the configuration no longer has, with
/// Terraform's reason for each.
pub(super) fn orphan_deletes<'c>(
    config: &'c Config,
    refreshed: &State,
    seen: &BTreeSet<String>,
    instances: &[(ModulePath, usize)],
    renamed: &BTreeMap<String, String>,
    protected: &mut Vec<(String, &'c crate::config::model::Resource)>,
    changes: &mut Vec<ResourceChange>,
) {
    let module_indices: HashMap<&ModulePath, usize> =
        instances.iter().map(|(p, i)| (p, *i)).collect();
    for rs in refreshed
        .resources
        .values()
        .filter(|rs| !seen.contains(&rs.address))
    {
        let parsed = rs.address.parse::<AbsResourceInstance>().ok();
        let declared = parsed
            .as_ref()
            .and_then(|a| Some((module_indices.get(&a.module)?, a.resource.to_string())));
        let reason = match declared {
            None => Reason::DeleteBecauseNoModule,
            Some((idx, res_key)) if config.modules[*idx].resources.contains_key(&res_key) => {
                match &rs.index {
                    Some(serde_json::Value::String(_)) => Reason::DeleteBecauseEachKey,
                    Some(_) => Reason::DeleteBecauseCountIndex,
                    None => Reason::DeleteBecauseCountIndex,
                }
            }
            Some(_) => Reason::DeleteBecauseNoResourceConfig,
        };
        // A surplus instance of a resource still configured keeps its
        // resource's prevent_destroy (count 1 -> 0 is refused).
        if let Some(r) = config_resource(config, &rs.address)
            .filter(|r| rs.mode == "managed" && r.lifecycle.prevent_destroy)
        {
            protected.push((rs.address.clone(), r));
        }
        changes.push(delete_change(
            rs,
            Some(reason),
            renamed.get(&rs.address).cloned(),
        ));
    }
}

/// The root outputs' changes: configured ones, and recorded ones no longer
/// configured.
pub(super) fn root_output_changes(
    cx: &Context<'_>,
    config: &Config,
    prior: Option<&State>,
) -> Vec<OutputChange> {
    let mut changes = Vec::new();
    for (name, out) in cx.root_outputs() {
        let before = prior
            .and_then(|s| s.outputs.get(&name))
            .map(|o| Value::from_json(&o.value));
        let action = output_action(before.as_ref(), &out.value);
        changes.push(OutputChange {
            name,
            action,
            before,
            after: Some(out.value),
            sensitive: out.sensitive,
        });
    }
    if let Some(p) = prior {
        for (name, o) in &p.outputs {
            if !config.root().outputs.contains_key(name) {
                changes.push(output_deleted(name, o));
            }
        }
    }
    changes
}

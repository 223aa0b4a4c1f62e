//! Making a plan: refresh what state records, follow `moved` blocks, then
//! walk the configuration's resources in dependency order, asking each
//! instance's provider what its change will be.

mod ephemeral;
mod imports;
mod instance;
mod known;
mod moves;
mod orphans;
mod recorded;
mod refresh;
mod relevant;
mod removed;
mod secrets;
mod triggers;

pub use ephemeral::open_for_apply;
pub use known::KnownValues;
pub use recorded::{config_digest, observed_digest, plan_variables};
use refresh::recorded_config;
pub use refresh::refresh;

use imports::import_blocks;
use instance::{check_prevent_destroy, config_resource, ignore, read_data};
use moves::apply_moves;
use orphans::{
    delete_change, destroy_selection, orphan_deletes, output_action, output_deleted,
    restrict_to_targets, root_output_changes,
};
use triggers::trigger_of;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use super::deps::{self, Kind};
use super::model::*;
use crate::addrs::instance_text;
use crate::config::Config;
use crate::config::evaluate::Context;
use crate::config::model::Mode;
use crate::config::vars::Inputs;
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::lang::Value;
use crate::provider::terraform_data::same;
use crate::provider::{Provider, Providers};
use crate::state::{ResourceState, State};

#[derive(Debug, Clone)]
pub struct PlanOptions {
    pub destroy: bool,
    pub refresh_only: bool,
    /// Read every recorded object from its provider first.
    pub refresh: bool,
    /// Limit the plan to these addresses and what they depend on.
    pub targets: Vec<String>,
    pub parallelism: usize,
    /// Failover groups as evaluation should see them.
    pub failover: BTreeMap<String, crate::config::evaluate::GroupPlacement>,
    /// Order the changes in failover phases (data, capacity, traffic, clean-up).
    pub phased: bool,
    /// Instances to replace even without a change (Terraform's `-replace`).
    pub replace: Vec<String>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            destroy: false,
            refresh_only: false,
            refresh: true,
            targets: vec![],
            parallelism: 10,
            failover: BTreeMap::new(),
            phased: false,
            replace: vec![],
        }
    }
}

/// Plans `config` against `prior`.
pub async fn plan(
    config: &Config,
    inputs: &Inputs,
    cwd: &Path,
    prior: Option<&State>,
    providers: &Providers,
    opts: &PlanOptions,
) -> (Option<Plan>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let empty = State::blank();
    let prior_state = prior.unwrap_or(&empty);
    let (mut refreshed, drift) = if opts.refresh {
        let uses = secrets::uses(config);
        let (r, d, more) = refresh(prior_state, providers, opts.parallelism, &uses).await;
        diags.extend(more);
        (r, d)
    } else {
        (prior_state.clone(), vec![])
    };
    let mut plan = Plan {
        format: FORMAT.into(),
        version: VERSION,
        drinfra_version: env!("CARGO_PKG_VERSION").into(),
        created: crate::state::lock::now_rfc3339(),
        lineage: prior.map(|s| s.lineage.clone()),
        serial: prior.map(|s| s.serial).unwrap_or(0),
        config_digest: config_digest(config, inputs),
        variables: plan_variables(config, inputs),
        changes: vec![],
        drift,
        relevant_attributes: vec![],
        outputs: vec![],
        observed: BTreeMap::new(),
        destroy: opts.destroy,
        refresh_only: opts.refresh_only,
        imports: vec![],
        forgets: vec![],
        phases: BTreeMap::new(),
        data: BTreeMap::new(),
        failover: BTreeMap::new(),
        prior_state: prior.cloned(),
        refreshed: None,
    };
    if opts.refresh_only {
        // As Terraform does, a refresh-only run also brings the root
        // outputs up to date with what refresh found.
        let known = KnownValues::default();
        for rs in refreshed.resources.values() {
            known.insert_at(&rs.address, rs.value());
        }
        let mut cx = Context::new(config, inputs, cwd, Some(&known));
        cx.schemas = Some(providers);
        cx.failover = opts.failover.clone();
        let mut outputs = BTreeMap::new();
        for (name, out) in cx.root_outputs() {
            let before = refreshed.outputs.get(&name).cloned();
            // A value refresh cannot know (it depends on something not
            // yet created) keeps what was recorded.
            if !out.value.is_wholly_known() {
                if let Some(b) = before {
                    plan.outputs.push(OutputChange {
                        name: name.clone(),
                        action: Action::NoOp,
                        before: Some(Value::from_json(&b.value)),
                        after: Some(Value::from_json(&b.value)),
                        sensitive: b.sensitive,
                    });
                    outputs.insert(name, b);
                }
                continue;
            }
            let before_val = before.as_ref().map(|o| Value::from_json(&o.value));
            let action = output_action(before_val.as_ref(), &out.value);
            let sensitive = out.sensitive || out.value.is_sensitive_anywhere();
            outputs.insert(
                name.clone(),
                crate::state::OutputState {
                    value: out.value.unmark().0.to_json(),
                    sensitive,
                    ty: Some(out.value.unmark().0.type_of().to_json()),
                },
            );
            plan.outputs.push(OutputChange {
                name,
                action,
                before: before_val,
                after: Some(out.value),
                sensitive: out.sensitive,
            });
        }
        for (name, o) in &refreshed.outputs {
            if !config.root().outputs.contains_key(name) {
                plan.outputs.push(output_deleted(name, o));
            }
        }
        diags.extend(cx.take_diags());
        refreshed.outputs = outputs;
        plan.refreshed = Some(refreshed);
        return (Some(plan), diags);
    }
    let renamed = apply_moves(config, &mut refreshed, &mut diags);
    let (resolution, resolve_diags) = crate::config::providers::resolve(config);
    if resolve_diags.has_errors() {
        diags.extend(resolve_diags);
        return (None, diags);
    }
    if !opts.destroy {
        removed::forget_removed(config, &mut refreshed, &mut plan);
        import_blocks(
            config,
            inputs,
            cwd,
            providers,
            &resolution,
            &mut refreshed,
            &mut plan,
            &mut diags,
        )
        .await;
    }
    for (addr, rs) in &refreshed.resources {
        plan.observed.insert(addr.clone(), observed_digest(rs));
    }
    if opts.destroy {
        // With targets, what they name and everything that depends on
        // them (as recorded), as Terraform destroys.
        let selected = destroy_selection(&refreshed, &opts.targets);
        for rs in refreshed
            .resources
            .values()
            .filter(|rs| selected.contains(&rs.address))
        {
            if let Some(r) = config_resource(config, &rs.address).filter(|_| rs.mode == "managed") {
                check_prevent_destroy(r, &rs.address, &mut diags);
            }
            plan.changes
                .push(delete_change(rs, None, renamed.get(&rs.address).cloned()));
        }
        if opts.targets.is_empty() {
            for (name, o) in &refreshed.outputs {
                plan.outputs.push(output_deleted(name, o));
            }
        }
        return (Some(plan), diags);
    }

    let deps = deps::build(config);
    let order = match deps.graph.order() {
        Ok(o) => o,
        Err(cycles) => {
            for c in cycles {
                let names: Vec<String> = c
                    .iter()
                    .map(|n| format!("{}{}", deps.module_names[n.module], n))
                    .collect();
                diags.push(
                    Diagnostic::error("Cycle in configuration").with_detail(format!(
                        "These objects depend on each other: {}.",
                        names.join(", ")
                    )),
                );
            }
            return (None, diags);
        }
    };
    let known = KnownValues::default();
    for rs in refreshed.resources.values() {
        known.insert_at(&rs.address, rs.value());
    }
    let mut cx = Context::new(config, inputs, cwd, Some(&known));
    cx.require_inputs = true;
    cx.schemas = Some(providers);
    cx.failover = opts.failover.clone();
    let instances = cx.module_instances();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    // Instance addresses planned for each resource object, for dependencies.
    let mut planned_by_obj: HashMap<deps::ObjId, Vec<String>> = HashMap::new();
    let mut action_of: HashMap<String, Action> = HashMap::new();
    let mut before_of: HashMap<String, Value> = HashMap::new();
    // Configured arguments per instance, to keep drift reports relevant.
    let mut configured: HashMap<String, Vec<String>> = HashMap::new();
    // Instances the plan would destroy whose configuration forbids it;
    // reported once targets have narrowed the plan.
    let mut protected: Vec<(String, &crate::config::model::Resource)> = Vec::new();

    for obj in order.iter().filter(|o| o.kind == Kind::Resource) {
        let r = &config.modules[obj.module].resources[&obj.name];
        let provider_addr = resolution.of(obj.module, r);
        let provider: Arc<dyn Provider> = match providers.for_config(&provider_addr, &r.ty) {
            Ok(p) => p,
            Err(e @ crate::provider::ProviderError::NoConfiguration(_)) => {
                diags.push(
                    Diagnostic::error("Provider configuration not available")
                        .with_detail(format!("{} needs {e}.", r.key()))
                        .at(Some(
                            r.provider
                                .as_ref()
                                .map(|p| p.span.clone())
                                .unwrap_or_else(|| r.span.clone()),
                        )),
                );
                continue;
            }
            Err(e) => {
                diags.push(
                    Diagnostic::error(if r.mode == Mode::Data {
                        "Unsupported data source"
                    } else {
                        "Unsupported resource type"
                    })
                    .with_detail(e.to_string())
                    .at(Some(r.span.clone())),
                );
                continue;
            }
        };
        let provider_text = provider_addr.to_string();
        let dep_addrs: Vec<String> = deps
            .resource_dependencies(obj)
            .iter()
            .flat_map(|d| planned_by_obj.get(d).cloned().unwrap_or_default())
            .collect();
        if r.mode == Mode::Ephemeral {
            // Opened once what it depends on exists: not while this plan
            // still changes it (Terraform would not know its arguments).
            let upstream_changes = dep_addrs
                .iter()
                .any(|d| action_of.get(d).is_some_and(|a| *a != Action::NoOp));
            ephemeral::open(
                &cx,
                &instances,
                obj,
                r,
                provider.as_ref(),
                &known,
                upstream_changes,
                &mut diags,
            )
            .await;
            // Not listed as anyone's dependency: nothing recorded names it.
            continue;
        }
        if r.mode == Mode::Data {
            // As Terraform does: a data source that depends on objects this
            // plan changes is read during apply, after them.
            let upstream_changes = dep_addrs
                .iter()
                .any(|d| action_of.get(d).is_some_and(|a| *a != Action::NoOp));
            let mine = read_data(
                &cx,
                &instances,
                obj,
                r,
                (provider.as_ref(), &provider_text),
                &known,
                &dep_addrs,
                upstream_changes,
                &mut plan,
                &mut diags,
            )
            .await;
            for (address, deferred) in &mine {
                action_of.insert(
                    address.clone(),
                    if *deferred {
                        Action::Read
                    } else {
                        Action::NoOp
                    },
                );
            }
            planned_by_obj.insert(obj.clone(), mine.into_iter().map(|(a, _)| a).collect());
            continue;
        }
        let mut mine = Vec::new();
        for (path, _) in instances.iter().filter(|(_, idx)| *idx == obj.module) {
            for (key, cfg) in cx.instances_of(path, &obj.name) {
                let address = instance_text(path, &obj.name, &key);
                mine.push(address.clone());
                seen.insert(address.clone());
                let problems = provider.validate(&r.ty, &cfg);
                for p in &problems {
                    let span = p
                        .argument
                        .as_deref()
                        .and_then(|a| crate::provider::offline::argument_span(&r.body.body, a))
                        .map(|s| Span::new(r.body.file, s))
                        .or(Some(r.span.clone()));
                    diags.push(
                        Diagnostic::error(p.summary.clone())
                            .with_detail(p.detail.clone())
                            .at(span),
                    );
                }
                if !problems.is_empty() {
                    continue;
                }
                configured.insert(
                    address.clone(),
                    cfg.as_mapping()
                        .map(|m| {
                            m.iter()
                                .filter(|(_, v)| !v.is_null())
                                .map(|(k, _)| k.clone())
                                .collect()
                        })
                        .unwrap_or_default(),
                );
                let prior_rs = refreshed.resources.get(&address);
                // An object recorded under another provider configuration
                // (the configuration's `provider` changed): the same object
                // when its id does not depend on the configuration (a new
                // credential for the same subscription); otherwise it would
                // live elsewhere, and drinfra does not move objects silently.
                if let Some(rs) = prior_rs.filter(|rs| recorded_config(rs) != provider_text) {
                    let id_of = |v: &Value| {
                        v.as_mapping().and_then(|m| m.get("id")).and_then(|id| {
                            if let Value::String(s) = id.unmark().0 {
                                Some(s.to_lowercase())
                            } else {
                                None
                            }
                        })
                    };
                    let fresh = provider
                        .plan(&r.ty, None, &cfg)
                        .ok()
                        .and_then(|p| id_of(&p.value));
                    if fresh.is_some_and(|f| Some(f) != id_of(&rs.value())) {
                        diags.push(
                            Diagnostic::error("Provider configuration changed")
                                .with_detail(format!(
                                    "{address} is recorded under provider configuration {}, but its configuration now names {provider_text}, where the same object would have another id. drinfra does not move objects between provider configurations: destroy it with its old configuration first (drinfra destroy --target {address}), or remove it from state (drinfra state rm) and import it under the new one.",
                                    recorded_config(rs)
                                ))
                                .at(Some(r.provider.as_ref().map(|p| p.span.clone()).unwrap_or_else(|| r.span.clone()))),
                        );
                        continue;
                    }
                }
                let prior_val = prior_rs.map(ResourceState::value);
                let cfg = ignore(cfg, prior_val.as_ref(), &r.lifecycle.ignore_changes);
                let mut planned = match provider.plan(&r.ty, prior_val.as_ref(), &cfg) {
                    Ok(mut p) => {
                        p.value = crate::provider::mark_sensitive(&r.ty, p.value);
                        p
                    }
                    Err(e) => {
                        let known: Vec<&Value> = [Some(&cfg), prior_val.as_ref()]
                            .into_iter()
                            .flatten()
                            .collect();
                        diags.push(
                            Diagnostic::error(format!("Cannot plan {address}"))
                                .with_detail(crate::lang::redact::redact(e.to_string(), &known))
                                .at(Some(r.span.clone())),
                        );
                        continue;
                    }
                };
                let cbd = r.lifecycle.create_before_destroy;
                let replace = if cbd {
                    Action::CreateThenDelete
                } else {
                    Action::DeleteThenCreate
                };
                let (mut action, mut reason) = match &prior_val {
                    None => (Action::Create, None),
                    Some(_) if !planned.replace_paths.is_empty() => {
                        (replace, Some(Reason::ReplaceBecauseCannotUpdate))
                    }
                    Some(p) if same(p, &planned.value) => (Action::NoOp, None),
                    Some(_) => (Action::Update, None),
                };
                // Replacement asked for: `-replace`, or a tainted object.
                let tainted = prior_state.tainted.contains(&address);
                if matches!(action, Action::NoOp | Action::Update)
                    && prior_val.is_some()
                    && (tainted || opts.replace.contains(&address))
                    && let Ok(fresh) = provider.plan(&r.ty, None, &cfg)
                {
                    planned.value = crate::provider::mark_sensitive(&r.ty, fresh.value);
                    action = replace;
                    reason = Some(if tainted {
                        Reason::ReplaceBecauseTainted
                    } else {
                        Reason::ReplaceByRequest
                    });
                }
                if matches!(action, Action::NoOp | Action::Update)
                    && !r.lifecycle.replace_triggered_by.is_empty()
                {
                    let triggered = r.lifecycle.replace_triggered_by.iter().any(|e| {
                        let Some(t) = trigger_of(&e.expr, &key) else {
                            return false;
                        };
                        t.fires(&path.prefix(), &plan.changes)
                    });
                    if triggered {
                        action = replace;
                        reason = Some(Reason::ReplaceByTriggers);
                    }
                }
                // A child deleted along with a replaced parent is replaced too.
                if matches!(action, Action::NoOp | Action::Update)
                    && let Some(pv) = &prior_val
                {
                    let parent_replaced = dep_addrs.iter().any(|d| {
                        action_of.get(d).is_some_and(|a| a.is_replace())
                            && before_of
                                .get(d)
                                .is_some_and(|b| provider.nested_under(pv, b))
                    });
                    if parent_replaced && let Ok(fresh) = provider.plan(&r.ty, None, &cfg) {
                        planned = crate::provider::Planned {
                            value: fresh.value,
                            replace_paths: vec![],
                            notes: vec![],
                        };
                        action = replace;
                        reason = Some(Reason::ReplaceBecauseParentReplaced);
                    }
                }
                if let Some(pv) = &prior_val {
                    before_of.insert(address.clone(), pv.clone());
                }
                if action.deletes() && r.lifecycle.prevent_destroy {
                    protected.push((address.clone(), r));
                }
                let after = if action == Action::NoOp {
                    prior_val.clone().unwrap_or(Value::Null)
                } else {
                    ephemeral::hide_write_only(planned.value.clone())
                };
                known.insert(path, &obj.name, &key, after.clone());
                // Postconditions the planned values already decide fail
                // the plan now, as in Terraform; the rest wait for apply.
                cx.postconditions_hold(path, &obj.name, &key, &after);
                action_of.insert(address.clone(), action);
                plan.changes.push(ResourceChange {
                    address: address.clone(),
                    previous_address: renamed.get(&address).cloned(),
                    module_path: path.clone(),
                    resource: obj.name.clone(),
                    key: key.clone(),
                    mode: "managed".into(),
                    ty: r.ty.clone(),
                    name: r.name.clone(),
                    provider: provider_text.clone(),
                    action,
                    reason,
                    before: prior_val,
                    after: Some(after),
                    replace_paths: if action.is_replace() {
                        planned.replace_paths
                    } else {
                        vec![]
                    },
                    depends_on: dep_addrs.clone(),
                    create_before_destroy: cbd,
                    notes: if action == Action::NoOp {
                        vec![]
                    } else {
                        planned.notes
                    },
                });
            }
        }
        planned_by_obj.insert(obj.clone(), mine);
    }
    diags.extend(cx.take_diags());

    // Recorded objects the configuration no longer has.
    orphan_deletes(
        config,
        &refreshed,
        &seen,
        &instances,
        &renamed,
        &mut protected,
        &mut plan.changes,
    );
    plan.outputs.extend(root_output_changes(&cx, config, prior));
    cx.check_blocks();
    diags.extend(cx.take_diags());

    // Drift is shown when an object vanished, when something its
    // configuration sets changed, or (Terraform's rule) when a changed
    // attribute is one the plan's changes reference; attributes only Azure
    // sets that nothing reads (a primary's role once a replica exists) are
    // not noise in every plan.
    plan.relevant_attributes = relevant::relevant_attributes(config, &deps, &plan);
    let relevant_attrs = plan.relevant_attributes.clone();
    plan.drift.retain_mut(|d| {
        if d.after.is_none() {
            return true;
        }
        let changed = d.changed_attributes();
        let Some(keys) = configured.get(&d.address) else {
            return true;
        };
        // Name only what makes the drift matter, as Terraform hides the
        // rest of a drifted object's changes.
        d.shown = changed
            .iter()
            .filter(|k| {
                keys.contains(k) || relevant::drift_is_relevant(&relevant_attrs, &d.address, k)
            })
            .cloned()
            .collect();
        !d.shown.is_empty()
    });
    if !opts.targets.is_empty() {
        restrict_to_targets(&mut plan, &opts.targets);
    }
    if let Some(w) = removed::forget_warning(&plan) {
        diags.push(w);
    }
    for (address, r) in &protected {
        if plan
            .changes
            .iter()
            .any(|c| &c.address == address && c.action.deletes())
        {
            check_prevent_destroy(r, address, &mut diags);
        }
    }
    plan.changes.sort_by(|a, b| a.address.cmp(&b.address));
    // Say which changes take up an operation an interrupted apply left running.
    for op in &prior_state.operations {
        if let Some(c) = plan
            .changes
            .iter_mut()
            .find(|c| c.action != Action::NoOp && op.address.as_deref() == Some(c.address.as_str()))
        {
            if op.style == crate::provider::azure::lro::CREATE_INTENT {
                c.notes.push(format!("adopts the object an interrupted apply was creating at this id (started {}) if it exists, instead of refusing it as unmanaged", op.started));
            } else {
                c.notes.push(format!("follows the {} an interrupted apply left running (started {}) instead of sending it again", op.method, op.started));
            }
        }
    }
    if opts.phased {
        let placement = crate::plan::phases::assign(&plan);
        for (address, note) in placement.moved {
            if let Some(c) = plan.changes.iter_mut().find(|c| c.address == address) {
                c.notes.push(note);
            }
        }
        plan.phases = placement.phases;
    }
    plan.failover = opts.failover.clone();
    (Some(plan), diags)
}

//! Making a plan: refresh what state records, follow `moved` blocks, then
//! walk the configuration's resources in dependency order, asking each
//! instance's provider what its change will be.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use super::deps::{self, Kind};
use super::model::*;
use crate::addrs::{AbsResourceInstance, InstanceKey, ModulePath, instance_text};
use crate::config::Config;
use crate::config::evaluate::{Context, ResourceValues};
use crate::config::model::{IgnoreChanges, Mode};
use crate::config::vars::Inputs;
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::digest::digest;
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
        }
    }
}

/// Values other expressions see for resources: planned (or, at apply,
/// final) values by module instance, resource and key.
#[derive(Default)]
pub struct KnownValues {
    pub map: RefCell<HashMap<(ModulePath, String, InstanceKey), Value>>,
}

impl KnownValues {
    pub fn insert(&self, module: &ModulePath, resource: &str, key: &InstanceKey, v: Value) {
        self.map
            .borrow_mut()
            .insert((module.clone(), resource.to_string(), key.clone()), v);
    }

    /// Records the value of the instance at `address` (as state and plans
    /// write it); an address that does not parse names nothing to record.
    pub fn insert_at(&self, address: &str, v: Value) {
        if let Ok(a) = address.parse::<AbsResourceInstance>() {
            self.insert(&a.module, &a.resource.to_string(), &a.key, v);
        }
    }
}

impl ResourceValues for KnownValues {
    fn get(&self, module: &ModulePath, resource: &str, key: &InstanceKey) -> Option<Value> {
        self.map
            .borrow()
            .get(&(module.clone(), resource.to_string(), key.clone()))
            .cloned()
    }
}

/// Digest of the configuration and inputs a plan was made from.
pub fn config_digest(config: &Config, inputs: &Inputs) -> String {
    let mut bytes = Vec::new();
    for m in &config.modules {
        for f in &m.files {
            bytes.extend_from_slice(config.sources.path(*f).to_string_lossy().as_bytes());
            bytes.extend_from_slice(config.sources.text(*f).as_bytes());
        }
    }
    // Ephemeral values may differ at apply and must leave no trace in a
    // plan file, not even a digest.
    for (k, v) in inputs.iter().filter(|(k, _)| !is_ephemeral(config, k)) {
        bytes.extend_from_slice(k.as_bytes());
        bytes.extend_from_slice(
            serde_json::to_string(&v.value)
                .unwrap_or_default()
                .as_bytes(),
        );
    }
    digest(&bytes)
}

fn is_ephemeral(config: &Config, var: &str) -> bool {
    config
        .root()
        .variables
        .get(var)
        .is_some_and(|v| v.ephemeral)
}

/// Root input values as a plan records them: sensitive ones marked (so
/// every renderer masks them), ephemeral ones left out.
pub fn plan_variables(config: &Config, inputs: &Inputs) -> BTreeMap<String, Value> {
    inputs
        .iter()
        .filter(|(k, _)| !is_ephemeral(config, k))
        .map(|(k, v)| {
            (
                k.clone(),
                v.value
                    .clone()
                    .mark_if(config.root().variables.get(k).is_some_and(|d| d.sensitive)),
            )
        })
        .collect()
}

pub fn observed_digest(rs: &ResourceState) -> String {
    digest(
        serde_json::to_string(&rs.attributes)
            .unwrap_or_default()
            .as_bytes(),
    )
}

/// Reads every recorded object; returns the refreshed state and the drift.
pub async fn refresh(
    prior: &State,
    providers: &Providers,
    parallelism: usize,
) -> (State, Vec<Drift>, Diagnostics) {
    let mut refreshed = prior.clone();
    let mut drift = Vec::new();
    let mut diags = Diagnostics::default();
    let _ = parallelism;
    // One bulk read per provider configuration (Resource Graph for Azure),
    // through the configuration that manages each object.
    let mut groups: BTreeMap<String, (Arc<dyn Provider>, Vec<ResourceState>)> = BTreeMap::new();
    for rs in prior.resources.values() {
        match providers.for_recorded(&rs.provider, &rs.ty) {
            Ok(p) => groups
                .entry(recorded_config(rs))
                .or_insert_with(|| (p.clone(), Vec::new()))
                .1
                .push(rs.clone()),
            Err(e) => diags.push(missing_configuration(rs, e)),
        }
    }
    let mut set = tokio::task::JoinSet::new();
    for (_, (provider, states)) in groups {
        set.spawn(async move {
            let items: Vec<(String, Value)> = states
                .iter()
                .map(|rs| (rs.ty.clone(), rs.value()))
                .collect();
            let results = provider.read_many(&items).await;
            states.into_iter().zip(results).collect::<Vec<_>>()
        });
    }
    while let Some(joined) = set.join_next().await {
        let Ok(pairs) = joined else { continue };
        for (rs, got) in pairs {
            match got {
                Ok(None) => {
                    drift.push(Drift {
                        address: rs.address.clone(),
                        ty: rs.ty.clone(),
                        before: rs.value(),
                        after: None,
                    });
                    refreshed.resources.remove(&rs.address);
                }
                Ok(Some(v)) => {
                    // What was sensitive stays so (a mark that came from the
                    // configuration is not in what the cloud returns).
                    let v = crate::provider::mark_sensitive(
                        &rs.ty,
                        crate::state::marks::apply(v, &rs.sensitive_paths),
                    );
                    let before = rs.value();
                    if !same(&before, &v) {
                        drift.push(Drift {
                            address: rs.address.clone(),
                            ty: rs.ty.clone(),
                            before,
                            after: Some(v.clone()),
                        });
                        let entry = refreshed
                            .resources
                            .get_mut(&rs.address)
                            .expect("refreshed entry");
                        entry.attributes = v.unmark().0.to_json();
                        let mut paths = crate::state::marks::paths(&v);
                        for p in &rs.sensitive_paths {
                            if !paths.contains(p) {
                                paths.push(p.clone());
                            }
                        }
                        entry.sensitive_paths = paths;
                    }
                }
                Err(e) => diags.push(
                    Diagnostic::error(format!("Failed to refresh {}", rs.address))
                        .with_detail(crate::lang::redact::redact(e.to_string(), &[&rs.value()])),
                ),
            }
        }
    }
    drift.sort_by(|a, b| a.address.cmp(&b.address));
    (refreshed, drift, diags)
}

/// The configuration address a state entry records (a bare provider name,
/// from before aliases, is its default configuration).
fn recorded_config(rs: &ResourceState) -> String {
    crate::provider::ProviderConfigAddr::parse(&rs.provider)
        .map(|a| a.to_string())
        .unwrap_or_else(|| rs.provider.clone())
}

/// A recorded object whose provider configuration is gone.
fn missing_configuration(rs: &ResourceState, e: crate::provider::ProviderError) -> Diagnostic {
    match e {
        crate::provider::ProviderError::NoConfiguration(cfg) => Diagnostic::error("Provider configuration not present").with_detail(format!(
            "To work with {addr} its original provider configuration at {cfg} is required, but it has been removed. This occurs when a provider configuration is removed while objects created by that provider still exist in the state. Re-add the provider configuration to destroy {addr}, after which you can remove the provider configuration again.",
            addr = rs.address
        )),
        other => Diagnostic::error(format!("Cannot refresh {}", rs.address)).with_detail(other.to_string()),
    }
}

/// Renames state entries as `moved` blocks say; returns new -> old address.
fn apply_moves(
    config: &Config,
    state: &mut State,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let mut renamed = BTreeMap::new();
    // A `moved` endpoint's address as written, whitespace removed.
    let text = |e: &crate::config::Expr| -> String {
        let src = config.sources.text(e.file);
        e.span()
            .map(|s| src[s.range].split_whitespace().collect::<String>())
            .unwrap_or_default()
    };
    for m in &config.root().moved {
        let (from, to) = (text(&m.from), text(&m.to));
        let moving: Vec<String> = state
            .resources
            .keys()
            .filter(|a| within(a, &from))
            .cloned()
            .collect();
        for old in moving {
            let new = format!("{to}{}", &old[from.len()..]);
            if state.resources.contains_key(&new) {
                diags.push(
                    Diagnostic::error("Ambiguous move")
                        .with_detail(format!(
                            "Cannot move {old} to {new}: an object is already recorded at {new}."
                        ))
                        .at(Some(m.span.clone())),
                );
                continue;
            }
            rename(state, &old, &new);
            renamed.insert(new, old);
        }
    }
    // Terraform's implied moves at the count boundary: adding `count` to a
    // resource moves its instance to `[0]`, removing `count` moves `[0]`
    // back, when the other address has nothing recorded and no `moved`
    // block mentions the resource. (`for_each` and module calls are
    // never moved implicitly, as in Terraform.)
    let explicit: Vec<String> = config
        .root()
        .moved
        .iter()
        .flat_map(|m| [&m.from, &m.to])
        .map(text)
        .collect();
    let recorded: Vec<String> = state.resources.keys().cloned().collect();
    for old in recorded {
        if state
            .resources
            .get(&old)
            .is_none_or(|rs| rs.mode != "managed")
        {
            continue;
        }
        let Some(r) = config_resource(config, &old) else {
            continue;
        };
        let Ok(instance) = old.parse::<AbsResourceInstance>() else {
            continue;
        };
        let base = instance.resource().to_string();
        let new = match instance.key {
            InstanceKey::None if r.count.is_some() => format!("{base}[0]"),
            InstanceKey::Int(0) if r.count.is_none() && r.for_each.is_none() => base.clone(),
            _ => continue,
        };
        if state.resources.contains_key(&new)
            || renamed.contains_key(&old)
            || explicit
                .iter()
                .any(|e| within(&base, e) || within(e, &base))
        {
            continue;
        }
        rename(state, &old, &new);
        renamed.insert(new, old);
    }
    renamed
}

/// Moves the state entry at `old` to `new` (which must be free).
fn rename(state: &mut State, old: &str, new: &str) {
    let Some(mut rs) = state.resources.remove(old) else {
        return;
    };
    rs.address = new.to_string();
    if let Ok(a) = new.parse::<AbsResourceInstance>() {
        rs.module = a.module.to_string();
        rs.ty = a.resource.ty;
        rs.name = a.resource.name;
        rs.index = a.key.to_json();
    }
    state.resources.insert(new.to_string(), rs);
}

/// Reads the objects `import` blocks name that state does not have yet.
#[allow(clippy::too_many_arguments)]
async fn import_blocks(
    config: &Config,
    inputs: &Inputs,
    cwd: &Path,
    providers: &Providers,
    resolution: &crate::config::providers::Resolution,
    state: &mut State,
    plan: &mut Plan,
    diags: &mut Diagnostics,
) {
    for imp in &config.root().imports {
        let src = config.sources.text(imp.to.file);
        let to: String = imp
            .to
            .span()
            .map(|s| src[s.range].split_whitespace().collect())
            .unwrap_or_default();
        if state.resources.contains_key(&to) {
            continue;
        }
        let (id, d) = crate::config::evaluate::eval_in_root(config, inputs, cwd, &imp.id);
        diags.extend(d);
        let Some(Value::String(id)) = id.map(|v| v.unmark().0.clone()) else {
            diags.push(
                Diagnostic::error("Invalid import id")
                    .with_detail("The id of an import block must be a known string.")
                    .at(imp.id.span()),
            );
            continue;
        };
        // The resource block is looked up in the root module.
        let parsed = to.parse::<AbsResourceInstance>().ok();
        let ty = parsed
            .as_ref()
            .map(|a| a.resource.ty.clone())
            .unwrap_or_default();
        let Some(target) =
            parsed.and_then(|a| config.root().resources.get(&a.resource.to_string()))
        else {
            diags.push(
                Diagnostic::error("Import to an unconfigured resource")
                    .with_detail(format!(
                        "{to} has no resource block; write its configuration first."
                    ))
                    .at(Some(imp.span.clone())),
            );
            continue;
        };
        let addr = resolution.of(0, target);
        let provider = match providers.for_config(&addr, &ty) {
            Ok(p) => p,
            Err(e) => {
                diags.push(
                    Diagnostic::error("Cannot import")
                        .with_detail(e.to_string())
                        .at(Some(imp.span.clone())),
                );
                continue;
            }
        };
        match super::import::import(provider.as_ref(), &to, &ty, &id).await {
            Ok(mut rs) => {
                rs.provider = addr.to_string();
                state.resources.insert(to.clone(), rs.clone());
                plan.imports.push(rs);
            }
            Err(e) => diags.push(
                Diagnostic::error(format!("Cannot import {to}"))
                    .with_detail(e.to_string())
                    .at(Some(imp.span.clone())),
            ),
        }
    }
}

/// Replaces ignored paths of `config` with the prior values.
fn ignore(config: Value, prior: Option<&Value>, rule: &IgnoreChanges) -> Value {
    let Some(prior) = prior else { return config };
    let (Value::Object(mut cfg), Some(old)) = (config.clone(), prior.as_mapping()) else {
        return config;
    };
    match rule {
        IgnoreChanges::None => {}
        IgnoreChanges::All => {
            for (k, v) in old {
                if cfg.contains_key(k) || !v.is_null() {
                    cfg.insert(k.clone(), v.clone());
                }
            }
        }
        IgnoreChanges::Paths(paths) => {
            for p in paths {
                if let Some(first) = p.first() {
                    if p.len() == 1 {
                        if let Some(v) = old.get(first) {
                            cfg.insert(first.clone(), v.clone());
                        }
                    } else if let (Some(Value::Object(c) | Value::Map(c)), Some(o)) = (
                        cfg.get_mut(first),
                        old.get(first).and_then(|v| v.as_mapping()),
                    ) && let Some(v) = o.get(&p[1])
                    {
                        c.insert(p[1].clone(), v.clone());
                    }
                }
            }
        }
    }
    Value::Object(cfg)
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
        let (r, d, more) = refresh(prior_state, providers, opts.parallelism).await;
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
        outputs: vec![],
        observed: BTreeMap::new(),
        destroy: opts.destroy,
        refresh_only: opts.refresh_only,
        imports: vec![],
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
                let planned = match provider.plan(&r.ty, prior_val.as_ref(), &cfg) {
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
                let mut planned = planned;
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
                    planned.value.clone()
                };
                known.insert(path, &obj.name, &key, after.clone());
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
        plan.changes.push(delete_change(
            rs,
            Some(reason),
            renamed.get(&rs.address).cloned(),
        ));
    }

    // Root outputs.
    for (name, out) in cx.root_outputs() {
        let before = prior
            .and_then(|s| s.outputs.get(&name))
            .map(|o| Value::from_json(&o.value));
        let action = output_action(before.as_ref(), &out.value);
        plan.outputs.push(OutputChange {
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
                plan.outputs.push(output_deleted(name, o));
            }
        }
    }
    diags.extend(cx.take_diags());

    // Drift is shown when an object vanished, or when something its
    // configuration sets changed; attributes only Azure sets (a primary's
    // role once a replica exists) are not noise in every plan.
    plan.drift.retain(|d| {
        let Some(after) = &d.after else { return true };
        let Some(keys) = configured.get(&d.address) else {
            return true;
        };
        let (b, a) = (
            d.before.as_mapping().cloned().unwrap_or_default(),
            after.as_mapping().cloned().unwrap_or_default(),
        );
        keys.iter().any(|k| {
            !same(
                b.get(k).unwrap_or(&Value::Null),
                a.get(k).unwrap_or(&Value::Null),
            )
        })
    });
    if !opts.targets.is_empty() {
        restrict_to_targets(&mut plan, &opts.targets);
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
        plan.phases = crate::plan::phases::assign(&plan);
    }
    plan.failover = opts.failover.clone();
    (Some(plan), diags)
}

/// Reads every instance of data source `r` while planning; one whose
/// arguments are known only after apply, or that depends on objects this
/// plan changes, is planned as a read during apply (after what it depends
/// on), and evaluates as unknown until then.
/// Returns the instances' addresses, for what depends on them, and
/// whether each is read during apply.
#[allow(clippy::too_many_arguments)]
async fn read_data(
    cx: &Context<'_>,
    instances: &[(ModulePath, usize)],
    obj: &deps::ObjId,
    r: &crate::config::model::Resource,
    (provider, provider_text): (&dyn Provider, &str),
    known: &KnownValues,
    dep_addrs: &[String],
    upstream_changes: bool,
    plan: &mut Plan,
    diags: &mut Diagnostics,
) -> Vec<(String, bool)> {
    let mut mine = Vec::new();
    for (path, _) in instances.iter().filter(|(_, idx)| *idx == obj.module) {
        for (key, cfg) in cx.instances_of(path, &obj.name) {
            let address = instance_text(path, &obj.name, &key);
            let deferred = upstream_changes || !cfg.is_wholly_known();
            mine.push((address.clone(), deferred));
            if deferred {
                known.insert(
                    path,
                    &obj.name,
                    &key,
                    Value::Unknown(crate::lang::Type::Dynamic),
                );
                plan.changes.push(ResourceChange {
                    address: address.clone(),
                    previous_address: None,
                    module_path: path.clone(),
                    resource: obj.name.clone(),
                    key: key.clone(),
                    mode: "data".into(),
                    ty: r.ty.clone(),
                    name: r.name.clone(),
                    provider: provider_text.to_string(),
                    action: Action::Read,
                    reason: None,
                    before: None,
                    after: Some(cfg),
                    replace_paths: vec![],
                    depends_on: dep_addrs.to_vec(),
                    create_before_destroy: false,
                    notes: vec![
                        if upstream_changes {
                            "depends on objects this plan changes"
                        } else {
                            "its arguments refer to values known only after apply"
                        }
                        .into(),
                    ],
                });
                continue;
            }
            match provider.read_data(&r.ty, &cfg).await {
                Ok(v) => {
                    known.insert(path, &obj.name, &key, v.clone());
                    plan.data.insert(address, v);
                }
                Err(e) => diags.push(
                    Diagnostic::error(format!("Cannot read {address}"))
                        .with_detail(e.to_string())
                        .at(Some(r.span.clone())),
                ),
            }
        }
    }
    mine
}

/// What happens to a root output whose value was `before` and will be `after`.
fn output_action(before: Option<&Value>, after: &Value) -> Action {
    match before {
        None => Action::Create,
        Some(b) if same(b, after) => Action::NoOp,
        Some(_) => Action::Update,
    }
}

/// The change removing a recorded root output.
fn output_deleted(name: &str, o: &crate::state::OutputState) -> OutputChange {
    OutputChange {
        name: name.to_string(),
        action: Action::Delete,
        before: Some(Value::from_json(&o.value)),
        after: None,
        sensitive: o.sensitive,
    }
}

fn delete_change(
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

/// One step into an attribute path.
#[derive(Debug, Clone, PartialEq)]
enum PathStep {
    Attr(String),
    Index(i64),
}

/// A `replace_triggered_by` item: a resource, one of its instances, or an
/// attribute path of one instance.
#[derive(Debug, Clone, PartialEq)]
struct Trigger {
    /// `type.name`.
    resource: String,
    instance: Option<InstanceKey>,
    path: Vec<PathStep>,
}

/// Reads a `replace_triggered_by` item for the instance `key` (which
/// `count.index` and `each.key` stand for). None when it is not a
/// resource reference.
fn trigger_of(expr: &hcl_edit::expr::Expression, key: &InstanceKey) -> Option<Trigger> {
    use hcl_edit::expr::{Expression, TraversalOperator};
    let Expression::Traversal(t) = expr else {
        return None;
    };
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    let mut ops = t.operators.iter().map(|o| o.value());
    let TraversalOperator::GetAttr(name) = ops.next()? else {
        return None;
    };
    let mut trigger = Trigger {
        resource: format!("{}.{}", root.value().as_str(), name.value().as_str()),
        instance: None,
        path: vec![],
    };
    // `count.index` / `each.key` inside an index.
    let repetition = |e: &Expression| -> Option<InstanceKey> {
        let Expression::Traversal(i) = e else {
            return None;
        };
        let Expression::Variable(v) = &i.expr else {
            return None;
        };
        let [op] = i.operators.as_slice() else {
            return None;
        };
        let TraversalOperator::GetAttr(a) = op.value() else {
            return None;
        };
        match (v.value().as_str(), a.value().as_str(), key) {
            ("count", "index", InstanceKey::Int(_)) | ("each", "key", InstanceKey::Str(_)) => {
                Some(key.clone())
            }
            _ => None,
        }
    };
    for (n, op) in ops.enumerate() {
        let step_key = match op {
            TraversalOperator::GetAttr(a) => {
                trigger
                    .path
                    .push(PathStep::Attr(a.value().as_str().to_string()));
                continue;
            }
            TraversalOperator::Index(Expression::Number(num)) => {
                num.value().as_i64().map(InstanceKey::Int)
            }
            TraversalOperator::LegacyIndex(i) => {
                i64::try_from(*i.value()).ok().map(InstanceKey::Int)
            }
            TraversalOperator::Index(Expression::String(s)) => {
                Some(InstanceKey::Str(s.value().to_string()))
            }
            TraversalOperator::Index(e) => repetition(e),
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => None,
        };
        // What cannot be resolved statically stays at the resource level:
        // any update or replacement of the resource fires.
        let Some(k) = step_key else {
            return Some(Trigger {
                instance: None,
                path: vec![],
                ..trigger
            });
        };
        match (n, k) {
            (0, k) => trigger.instance = Some(k),
            (_, InstanceKey::Int(i)) => trigger.path.push(PathStep::Index(i)),
            (_, InstanceKey::Str(s)) => trigger.path.push(PathStep::Attr(s)),
            (_, InstanceKey::None) => {}
        }
    }
    Some(trigger)
}

/// The value at `path` inside `v`, looking through sensitive marks; None
/// when the path does not exist.
fn value_at(v: &Value, path: &[PathStep]) -> Option<Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(v.clone());
    };
    match (v, first) {
        (Value::Sensitive(inner), _) => value_at(inner, path),
        (Value::Unknown(_), _) => Some(Value::unknown()),
        (Value::Object(m) | Value::Map(m), PathStep::Attr(a)) => value_at(m.get(a)?, rest),
        (Value::List(l) | Value::Tuple(l), PathStep::Index(i)) => {
            value_at(l.get(usize::try_from(*i).ok()?)?, rest)
        }
        _ => None,
    }
}

impl Trigger {
    /// Terraform's rule: a resource fires when any instance is updated or
    /// replaced, an instance when it is, an attribute when that instance
    /// is updated or replaced and the attribute's value changes (an
    /// unknown planned value counts as a change). Creates and deletes
    /// never fire.
    fn fires(&self, module_prefix: &str, changes: &[ResourceChange]) -> bool {
        let acts = |c: &ResourceChange| {
            c.mode == "managed"
                && matches!(
                    c.action,
                    Action::Update | Action::DeleteThenCreate | Action::CreateThenDelete
                )
        };
        let target = format!("{module_prefix}{}", self.resource);
        if self.instance.is_none() && self.path.is_empty() {
            return changes.iter().any(|c| {
                within(&c.address, &target)
                    && !c.address[target.len()..].starts_with('.')
                    && acts(c)
            });
        }
        let address = format!(
            "{target}{}",
            self.instance.clone().unwrap_or(InstanceKey::None)
        );
        let Some(c) = changes
            .iter()
            .find(|c| c.address == address)
            .filter(|c| acts(c))
        else {
            return false;
        };
        if self.path.is_empty() {
            return true;
        }
        let before = c.before.as_ref().and_then(|v| value_at(v, &self.path));
        let after = c.after.as_ref().and_then(|v| value_at(v, &self.path));
        match (before, after) {
            (Some(b), Some(a)) => !same(&b, &a),
            (None, None) => false,
            _ => true,
        }
    }
}

/// Refuses to destroy `address` when its resource says `prevent_destroy`,
/// in Terraform's words, pointing at the argument.
fn check_prevent_destroy(
    r: &crate::config::model::Resource,
    address: &str,
    diags: &mut Diagnostics,
) {
    if !r.lifecycle.prevent_destroy {
        return;
    }
    let span = r
        .lifecycle
        .prevent_destroy_span
        .clone()
        .unwrap_or_else(|| r.span.clone());
    diags.push(
        Diagnostic::error("Instance cannot be destroyed")
            .with_detail(format!("Resource {address} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the --target option."))
            .at(Some(span)),
    );
}

/// The resource block an instance address (`module.a[0].t.n["k"]`)
/// belongs to, following module calls by name.
fn config_resource<'c>(
    config: &'c Config,
    address: &str,
) -> Option<&'c crate::config::model::Resource> {
    let a = address.parse::<AbsResourceInstance>().ok()?;
    let mut idx = 0;
    for (name, _) in &a.module {
        idx = config.modules.get(idx)?.module_calls.get(name)?.child;
    }
    config
        .modules
        .get(idx)?
        .resources
        .get(&a.resource.to_string())
}

/// Whether `addr` is `target` or inside it (an instance of a resource,
/// or anything in a module instance).
fn within(addr: &str, target: &str) -> bool {
    addr == target
        || addr
            .strip_prefix(target)
            .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
}

/// What a destroy removes: everything, or with targets the instances they
/// name and, transitively, every recorded instance that depends on one.
fn destroy_selection(state: &State, targets: &[String]) -> BTreeSet<String> {
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
fn restrict_to_targets(plan: &mut Plan, targets: &[String]) {
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
    plan.outputs.clear();
}

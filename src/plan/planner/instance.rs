//! One instance's plan: `ignore_changes`, data sources read while planning,
//! `prevent_destroy`.

use super::known::KnownValues;
use crate::addrs::{AbsResourceInstance, ModulePath, instance_text};
use crate::config::Config;
use crate::config::evaluate::Context;
use crate::config::model::IgnoreChanges;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::plan::deps;
use crate::plan::model::*;
use crate::provider::Provider;

/// Replaces ignored paths of `config` with the prior values.
pub(super) fn ignore(config: Value, prior: Option<&Value>, rule: &IgnoreChanges) -> Value {
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

/// Reads every instance of data source `r` while planning; one whose
/// arguments are known only after apply, or that depends on objects this
/// plan changes, is planned as a read during apply (after what it depends
/// on), and evaluates as unknown until then.
/// Returns the instances' addresses, for what depends on them, and
/// whether each is read during apply.
#[allow(clippy::too_many_arguments)]
pub(super) async fn read_data(
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
                    cx.postconditions_hold(path, &obj.name, &key, &v);
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

/// Refuses to destroy `address` when its resource says `prevent_destroy`,
/// in Terraform's words, pointing at the argument.
pub(super) fn check_prevent_destroy(
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
pub(super) fn config_resource<'c>(
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

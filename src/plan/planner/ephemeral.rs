//! Opening ephemeral resources (`ephemeral "TYPE" "NAME"`), as Terraform
//! does: in every plan and again in every apply, never recorded in the
//! plan or state. Their results are put where expressions find them
//! (`KnownValues`) and nowhere else.

use super::known::KnownValues;
use crate::addrs::{ModulePath, instance_text};
use crate::config::Config;
use crate::config::evaluate::Context;
use crate::config::model::{Mode, Resource};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::plan::deps::{self, Kind};
use crate::provider::{Provider, Providers};

/// Opens the instances of ephemeral resource `r` whose arguments are
/// known; those whose arguments are not, or that depend on objects this
/// plan changes (`deferred`), are left unknown, as Terraform opens them
/// only once their arguments are known.
#[allow(clippy::too_many_arguments)]
pub(super) async fn open(
    cx: &Context<'_>,
    instances: &[(ModulePath, usize)],
    obj: &deps::ObjId,
    r: &Resource,
    provider: &dyn Provider,
    known: &KnownValues,
    deferred: bool,
    diags: &mut Diagnostics,
) {
    for (path, _) in instances.iter().filter(|(_, idx)| *idx == obj.module) {
        for (key, cfg) in cx.instances_of(path, &obj.name) {
            let address = instance_text(path, &obj.name, &key);
            let v = if cfg.is_wholly_known() && !deferred {
                match provider.open_ephemeral(&r.ty, &cfg).await {
                    Ok(v) => {
                        cx.postconditions_hold(path, &obj.name, &key, &v);
                        v
                    }
                    Err(e) => {
                        diags.push(
                            Diagnostic::error(format!("Cannot open {address}"))
                                .with_detail(e.to_string())
                                .at(Some(r.span.clone())),
                        );
                        continue;
                    }
                }
            } else {
                Value::Unknown(crate::lang::Type::Dynamic)
            };
            known.insert(path, &obj.name, &key, v);
        }
    }
}

/// A planned object as the plan records it: a write-only argument
/// (`value_wo`; the providers name every one `*_wo`) that will be sent
/// is unknown, never its value. Apply evaluates it again from the
/// configuration, as Terraform does; neither plan nor state holds it.
pub(super) fn hide_write_only(v: Value) -> Value {
    let (inner, marked) = v.unmark();
    let Value::Object(m) = inner else {
        return v;
    };
    let mut m = m.clone();
    for (k, a) in m.iter_mut() {
        if k.ends_with("_wo") && !a.is_null() && !a.is_unknown() {
            *a = Value::Unknown(crate::lang::Type::String);
        }
    }
    Value::Object(m).mark_if(marked)
}

/// Opens every ephemeral resource again for an apply, before its changes
/// run. An ephemeral resource whose arguments depend on what this apply
/// creates or changes cannot be opened up front: drinfra refuses that
/// (Terraform would open it later in the apply) rather than send an
/// unknown value.
pub async fn open_for_apply(
    config: &Config,
    cx: &Context<'_>,
    providers: &Providers,
    known: &KnownValues,
    plan: &crate::plan::Plan,
) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let has_any = config
        .modules
        .iter()
        .any(|m| m.resources.values().any(|r| r.mode == Mode::Ephemeral));
    if !has_any {
        return diags;
    }
    let (resolution, _) = crate::config::providers::resolve(config);
    let graph = deps::build(config);
    let Ok(order) = graph.graph.order() else {
        return diags;
    };
    let instances = cx.module_instances();
    let changes = |dep: &deps::ObjId| {
        plan.actions().any(|c| {
            c.resource == dep.name
                && instances
                    .iter()
                    .any(|(p, i)| *i == dep.module && *p == c.module_path)
        })
    };
    for obj in order.iter().filter(|o| o.kind == Kind::Resource) {
        let r = &config.modules[obj.module].resources[&obj.name];
        if r.mode != Mode::Ephemeral {
            continue;
        }
        let provider = match providers.for_config(&resolution.of(obj.module, r), &r.ty) {
            Ok(p) => p,
            Err(e) => {
                diags.push(
                    Diagnostic::error("Provider configuration not available")
                        .with_detail(format!("{} needs {e}.", r.key()))
                        .at(Some(r.span.clone())),
                );
                continue;
            }
        };
        let upstream = graph.resource_dependencies(obj).iter().any(changes);
        let mut refused = false;
        for (path, _) in instances.iter().filter(|(_, idx)| *idx == obj.module) {
            for (key, cfg) in cx.instances_of(path, &obj.name) {
                if upstream || !cfg.is_wholly_known() {
                    diags.push(
                        Diagnostic::error("Ephemeral resource depends on this apply")
                            .with_detail(format!(
                                "{} depends on objects this apply creates or changes, or has arguments known only after them; drinfra opens ephemeral resources before an apply's changes run. Apply the objects it depends on first (-target), then apply again.",
                                instance_text(path, &obj.name, &key)
                            ))
                            .at(Some(r.span.clone())),
                    );
                    refused = true;
                }
            }
        }
        if refused {
            continue;
        }
        let mut opened = Diagnostics::default();
        open(
            cx,
            &instances,
            obj,
            r,
            provider.as_ref(),
            known,
            false,
            &mut opened,
        )
        .await;
        diags.extend(opened);
    }
    diags
}

//! `import` blocks: the objects they name that state does not have yet are
//! read into state before planning, in the root module or in module
//! instances (`to = module.NAME[KEY].TYPE.NAME`), one per element of a
//! `for_each`.

use std::path::Path;

use hcl_edit::expr::{Expression, TraversalOperator};

use crate::addrs::{AbsResourceInstance, InstanceKey, ModulePath};
use crate::config::Config;
use crate::config::evaluate::Context;
use crate::config::model::{Expr, Import};
use crate::config::vars::Inputs;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::plan::model::*;
use crate::provider::Providers;
use crate::state::State;

/// Reads the objects `import` blocks name that state does not have yet.
#[allow(clippy::too_many_arguments)]
pub(super) async fn import_blocks(
    config: &Config,
    inputs: &Inputs,
    cwd: &Path,
    providers: &Providers,
    resolution: &crate::config::providers::Resolution,
    state: &mut State,
    plan: &mut Plan,
    diags: &mut Diagnostics,
) {
    // Terraform ignores import blocks outside the root module; drinfra
    // does too, but says so.
    for m in config.modules.iter().skip(1) {
        for imp in &m.imports {
            diags.push(
                Diagnostic::warning("Import block in a child module is ignored")
                    .with_detail("Import blocks take effect only in the root module (Terraform ignores them elsewhere too). Move it to the root module, with to = module.NAME.TYPE.NAME.")
                    .at(Some(imp.span.clone())),
            );
        }
    }
    if config.root().imports.is_empty() {
        return;
    }
    let mut cx = Context::new(config, inputs, cwd, None);
    cx.require_inputs = true;
    let module_instances: Vec<ModulePath> =
        cx.module_instances().into_iter().map(|(p, _)| p).collect();
    let targets = Targets {
        config,
        inputs,
        cwd,
        cx: &cx,
        module_instances: &module_instances,
    };
    for imp in &config.root().imports {
        for (to, module, id) in targets.of(imp, state, diags) {
            import_one(
                config, providers, resolution, state, plan, diags, imp, to, module, id,
            )
            .await;
        }
    }
    // Evaluation problems of the expansions are reported by the plan itself.
    let _ = cx.take_diags();
}

/// What finding an import block's targets needs.
struct Targets<'a> {
    config: &'a Config,
    inputs: &'a Inputs,
    cwd: &'a Path,
    cx: &'a Context<'a>,
    module_instances: &'a [ModulePath],
}

impl Targets<'_> {
    /// The address, declaring module and id of each object an `import`
    /// block names: one, or one per element of its `for_each` (with `each`
    /// bound in `to` and `id`), leaving out those state already has (their
    /// ids are not evaluated).
    fn of(
        &self,
        imp: &Import,
        state: &State,
        diags: &mut Diagnostics,
    ) -> Vec<(String, usize, String)> {
        use crate::config::evaluate::eval_in_root;
        let Some(for_each) = &imp.for_each else {
            let Some((to, module)) = self.address(imp, None, diags) else {
                return vec![];
            };
            if state.resources.contains_key(&to) {
                return vec![];
            }
            let (id, d) = eval_in_root(self.config, self.inputs, self.cwd, &imp.id);
            let failed = d.has_errors();
            diags.extend(d);
            if failed {
                return vec![];
            }
            return known_id(imp, id, diags)
                .map(|id| vec![(to, module, id)])
                .unwrap_or_default();
        };
        let (each, d) = eval_in_root(self.config, self.inputs, self.cwd, for_each);
        let failed = d.has_errors();
        diags.extend(d);
        if failed {
            return vec![];
        }
        let elements: Vec<(Value, Value)> = match each.map(|v| v.deep_unmark().0) {
            Some(Value::Map(m) | Value::Object(m)) => {
                m.into_iter().map(|(k, v)| (Value::String(k), v)).collect()
            }
            Some(Value::Set(xs)) if xs.iter().all(|x| matches!(x, Value::String(_))) => {
                xs.into_iter().map(|x| (x.clone(), x)).collect()
            }
            _ => {
                diags.push(
                    Diagnostic::error("Invalid for_each argument")
                        .with_detail(
                            "An import block's for_each must be a known map, or a set of strings.",
                        )
                        .at(for_each.span()),
                );
                return vec![];
            }
        };
        let keyed = matches!(&imp.to.expr, Expression::Traversal(t)
            if t.operators.iter().any(|o| matches!(o.value(), TraversalOperator::Index(_))));
        if !keyed {
            diags.push(
                Diagnostic::error("Invalid import address")
                    .with_detail("An import block with for_each must import to an instance address whose key uses each, such as azurerm_resource_group.rg[each.key] or module.app[each.key].azurerm_resource_group.rg.")
                    .at(imp.to.span()),
            );
            return vec![];
        }
        let mut out = Vec::new();
        for (k, v) in elements {
            let Some((to, module)) = self.address(imp, Some((k.clone(), v.clone())), diags) else {
                continue;
            };
            if state.resources.contains_key(&to) || out.iter().any(|(t, _, _)| *t == to) {
                continue;
            }
            let (id, d) = crate::config::evaluate::eval_in_root_each(
                self.config,
                self.inputs,
                self.cwd,
                &imp.id,
                k,
                v,
            );
            diags.extend(d);
            if let Some(id) = known_id(imp, id, diags) {
                out.push((to, module, id));
            }
        }
        out
    }

    /// `to` as an instance address, its keys evaluated (with `each` bound
    /// when given), and the index of the module declaring the resource;
    /// None (reported) when it names nothing configured.
    fn address(
        &self,
        imp: &Import,
        each: Option<(Value, Value)>,
        diags: &mut Diagnostics,
    ) -> Option<(String, usize)> {
        let invalid = |diags: &mut Diagnostics, detail: &str| {
            diags.push(
                Diagnostic::error("Invalid import address")
                    .with_detail(detail.to_string())
                    .at(imp.to.span()),
            );
        };
        let (root, ops) = match &imp.to.expr {
            Expression::Traversal(t) => match &t.expr {
                Expression::Variable(v) => (v.value().as_str().to_string(), &t.operators),
                _ => {
                    invalid(
                        diags,
                        "An import block's to must be a resource instance address, such as azurerm_resource_group.rg or module.app.azurerm_resource_group.rg.",
                    );
                    return None;
                }
            },
            _ => {
                invalid(
                    diags,
                    "An import block's to must be a resource instance address, such as azurerm_resource_group.rg or module.app.azurerm_resource_group.rg.",
                );
                return None;
            }
        };
        let mut text = root;
        for op in ops.iter() {
            match op.value() {
                TraversalOperator::GetAttr(a) => {
                    text.push('.');
                    text.push_str(a.value().as_str());
                }
                TraversalOperator::LegacyIndex(i) => text.push_str(&format!("[{}]", i.value())),
                TraversalOperator::Index(ix) => {
                    let e = Expr {
                        file: imp.to.file,
                        expr: ix.clone(),
                    };
                    let (key, d) = match &each {
                        Some((k, v)) => crate::config::evaluate::eval_in_root_each(
                            self.config,
                            self.inputs,
                            self.cwd,
                            &e,
                            k.clone(),
                            v.clone(),
                        ),
                        None => crate::config::evaluate::eval_in_root(
                            self.config,
                            self.inputs,
                            self.cwd,
                            &e,
                        ),
                    };
                    let failed = d.has_errors();
                    diags.extend(d);
                    if failed {
                        return None;
                    }
                    let key = match key.map(|x| x.unmark().0.clone()) {
                        Some(Value::String(s)) => InstanceKey::Str(s),
                        Some(Value::Number(n)) if n.fract() == 0.0 && n >= 0.0 => {
                            InstanceKey::Int(n as i64)
                        }
                        _ => {
                            diags.push(
                                Diagnostic::error("Invalid import address")
                                    .with_detail(
                                        "An instance key must be a known string or whole number.",
                                    )
                                    .at(e.span()),
                            );
                            return None;
                        }
                    };
                    text.push_str(&key.to_string());
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    invalid(
                        diags,
                        "An import block's to cannot use a splat: it names one resource instance per object.",
                    );
                    return None;
                }
            }
        }
        let Ok(addr) = text.parse::<AbsResourceInstance>() else {
            invalid(
                diags,
                &format!(
                    "{text} is not a resource instance address; an import block's to looks like azurerm_resource_group.rg or module.app[\"a\"].azurerm_resource_group.rg[\"b\"]."
                ),
            );
            return None;
        };
        self.configured(imp, &addr, &text, diags)
            .map(|module| (text, module))
    }

    /// The index of the module declaring `addr`'s resource when the
    /// configuration has that instance, as Terraform requires.
    fn configured(
        &self,
        imp: &Import,
        addr: &AbsResourceInstance,
        text: &str,
        diags: &mut Diagnostics,
    ) -> Option<usize> {
        let missing = |diags: &mut Diagnostics| {
            diags.push(
                Diagnostic::error("Configuration for import target does not exist")
                    .with_detail(format!("The configuration for the given import target {text} does not exist. All target instances must have an associated configuration to be imported."))
                    .at(imp.to.span()),
            );
        };
        let mut idx = 0usize;
        for (name, _) in &addr.module {
            let Some(call) = self
                .config
                .modules
                .get(idx)
                .and_then(|m| m.module_calls.get(name))
                .filter(|c| c.child != usize::MAX)
            else {
                missing(diags);
                return None;
            };
            idx = call.child;
        }
        let key = addr.resource.to_string();
        let Some(r) = self.config.modules.get(idx)?.resources.get(&key) else {
            missing(diags);
            return None;
        };
        if r.mode != crate::config::model::Mode::Managed {
            missing(diags);
            return None;
        }
        // Terraform's words for a key that does not fit the resource.
        let misfit = match (&addr.key, r.count.is_some(), r.for_each.is_some()) {
            (InstanceKey::Int(_), false, _) => Some("The target resource does not use count."),
            (InstanceKey::Str(_), _, false) => Some("The target resource does not use for_each."),
            (InstanceKey::None, true, _) | (InstanceKey::None, _, true) => Some(
                "The target resource uses count or for_each: the address must name one of its instances.",
            ),
            _ => None,
        };
        if let Some(why) = misfit {
            diags.push(
                Diagnostic::error("Invalid import 'to' expression")
                    .with_detail(why)
                    .at(imp.to.span()),
            );
            return None;
        }
        if !addr.module.is_root() && !self.module_instances.contains(&addr.module) {
            missing(diags);
            return None;
        }
        // The instance must be one the configuration expands to, when the
        // expansion is known now.
        let keys = self.cx.instance_keys(&addr.module, &key);
        if addr.key != InstanceKey::None && !keys.is_empty() && !keys.contains(&addr.key) {
            missing(diags);
            return None;
        }
        Some(idx)
    }
}

fn known_id(imp: &Import, v: Option<Value>, diags: &mut Diagnostics) -> Option<String> {
    match v.map(|v| v.unmark().0.clone()) {
        Some(Value::String(id)) => Some(id),
        _ => {
            diags.push(
                Diagnostic::error("Invalid import id")
                    .with_detail("The id of an import block must be a known string.")
                    .at(imp.id.span()),
            );
            None
        }
    }
}

/// Reads one object into state for an `import` block.
#[allow(clippy::too_many_arguments)]
async fn import_one(
    config: &Config,
    providers: &Providers,
    resolution: &crate::config::providers::Resolution,
    state: &mut State,
    plan: &mut Plan,
    diags: &mut Diagnostics,
    imp: &Import,
    to: String,
    module: usize,
    id: String,
) {
    let Some((target, ty)) = to.parse::<AbsResourceInstance>().ok().and_then(|a| {
        let r = config
            .modules
            .get(module)?
            .resources
            .get(&a.resource.to_string())?;
        Some((r, a.resource.ty))
    }) else {
        return;
    };
    let addr = resolution.of(module, target);
    let provider = match providers.for_config(&addr, &ty) {
        Ok(p) => p,
        Err(e) => {
            diags.push(
                Diagnostic::error("Cannot import")
                    .with_detail(e.to_string())
                    .at(Some(imp.span.clone())),
            );
            return;
        }
    };
    match crate::plan::import::import(provider.as_ref(), &to, &ty, &id).await {
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

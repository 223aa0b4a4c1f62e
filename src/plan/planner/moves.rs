//! `moved` blocks, Terraform's implied moves at the `count` boundary, and
//! `import` blocks: what changes addresses or brings objects in before planning.

use std::collections::BTreeMap;
use std::path::Path;

use crate::addrs::{AbsResourceInstance, InstanceKey, within};
use crate::config::Config;
use crate::config::vars::Inputs;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::plan::model::*;
use crate::provider::Providers;
use crate::state::State;

use super::instance::config_resource;

/// Renames state entries as `moved` blocks say; returns new -> old address.
pub(super) fn apply_moves(
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
pub(super) fn rename(state: &mut State, old: &str, new: &str) {
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
    for imp in &config.root().imports {
        for (to, id) in import_targets(config, inputs, cwd, imp, state, diags) {
            import_one(
                config, providers, resolution, state, plan, diags, imp, to, id,
            )
            .await;
        }
    }
}

/// The address and id of each object an `import` block names: one, or
/// one per element of its `for_each` (with `each` bound in `to` and `id`),
/// leaving out those state already has (their ids are not evaluated).
fn import_targets(
    config: &Config,
    inputs: &Inputs,
    cwd: &Path,
    imp: &crate::config::model::Import,
    state: &State,
    diags: &mut Diagnostics,
) -> Vec<(String, String)> {
    use crate::config::evaluate::{eval_in_root, eval_in_root_each};
    let src = config.sources.text(imp.to.file);
    let literal_to: String = imp
        .to
        .span()
        .map(|s| src[s.range].split_whitespace().collect())
        .unwrap_or_default();
    let known_id = |v: Option<Value>, diags: &mut Diagnostics| match v.map(|v| v.unmark().0.clone())
    {
        Some(Value::String(id)) => Some(id),
        _ => {
            diags.push(
                Diagnostic::error("Invalid import id")
                    .with_detail("The id of an import block must be a known string.")
                    .at(imp.id.span()),
            );
            None
        }
    };
    let Some(for_each) = &imp.for_each else {
        if state.resources.contains_key(&literal_to) {
            return vec![];
        }
        let (id, d) = eval_in_root(config, inputs, cwd, &imp.id);
        let failed = d.has_errors();
        diags.extend(d);
        if failed {
            return vec![];
        }
        return known_id(id, diags)
            .map(|id| vec![(literal_to, id)])
            .unwrap_or_default();
    };
    let (each, d) = eval_in_root(config, inputs, cwd, for_each);
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
    // `to` is `TYPE.NAME[KEY]`: the base as written, the key evaluated.
    let (base, index) = match &imp.to.expr {
        hcl_edit::expr::Expression::Traversal(t)
            if matches!(
                t.operators.last().map(|o| o.value()),
                Some(hcl_edit::expr::TraversalOperator::Index(_))
            ) =>
        {
            let Some(hcl_edit::expr::TraversalOperator::Index(ix)) =
                t.operators.last().map(|o| o.value())
            else {
                return vec![];
            };
            let whole = literal_to.clone();
            let base_len = imp
                .to
                .span()
                .zip(hcl_edit::Span::span(ix))
                .map(|(w, i)| i.start.saturating_sub(w.range.start))
                .unwrap_or(0);
            let base: String = src
                .get(imp.to.span().map(|w| w.range.start).unwrap_or(0)..)
                .and_then(|t| t.get(..base_len))
                .map(|b| {
                    b.trim_end()
                        .trim_end_matches('[')
                        .split_whitespace()
                        .collect()
                })
                .unwrap_or(whole);
            (base, ix.clone())
        }
        _ => {
            diags.push(
                Diagnostic::error("Invalid import address")
                    .with_detail("An import block with for_each must import to an instance address whose key uses each, such as azurerm_resource_group.rg[each.key].")
                    .at(imp.to.span()),
            );
            return vec![];
        }
    };
    let mut out = Vec::new();
    for (k, v) in elements {
        let index = crate::config::model::Expr {
            file: imp.to.file,
            expr: index.clone(),
        };
        let (key, d) = eval_in_root_each(config, inputs, cwd, &index, k.clone(), v.clone());
        diags.extend(d);
        let key = match key.map(|x| x.unmark().0.clone()) {
            Some(Value::String(s)) => InstanceKey::Str(s),
            Some(Value::Number(n)) if n.fract() == 0.0 && n >= 0.0 => InstanceKey::Int(n as i64),
            _ => {
                diags.push(
                    Diagnostic::error("Invalid import address")
                        .with_detail("The instance key must be a known string or whole number.")
                        .at(index.span()),
                );
                continue;
            }
        };
        let to = format!("{base}{key}");
        if state.resources.contains_key(&to) {
            continue;
        }
        let (id, d) = eval_in_root_each(config, inputs, cwd, &imp.id, k, v);
        diags.extend(d);
        if let Some(id) = known_id(id, diags) {
            out.push((to, id));
        }
    }
    out
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
    imp: &crate::config::model::Import,
    to: String,
    id: String,
) {
    // The resource block is looked up in the root module.
    let parsed = to.parse::<AbsResourceInstance>().ok();
    let ty = parsed
        .as_ref()
        .map(|a| a.resource.ty.clone())
        .unwrap_or_default();
    let Some(target) = parsed.and_then(|a| config.root().resources.get(&a.resource.to_string()))
    else {
        diags.push(
            Diagnostic::error("Import to an unconfigured resource")
                .with_detail(format!(
                    "{to} has no resource block; write its configuration first."
                ))
                .at(Some(imp.span.clone())),
        );
        return;
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

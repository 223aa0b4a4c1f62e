//! `moved` blocks and Terraform's implied moves at the `count` boundary:
//! what changes addresses before planning.

use std::collections::BTreeMap;

use crate::addrs::{AbsResourceInstance, InstanceKey, within};
use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
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

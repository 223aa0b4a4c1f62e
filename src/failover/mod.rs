//! Failover as a stack swap: failover groups name the sites of a pair and
//! the active one; a failover plans the configuration as if another site
//! were active and runs it in phases. This module holds the rules that
//! keep pipelines and people from undoing a failover by accident.

pub mod rules;
pub mod scope;
pub mod view;

use std::collections::BTreeMap;

use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::state::{ComponentRecord, FailoverRecord, FailoverStatus, State};
pub use view::{ComponentView, GroupView, placements_of};

/// How a recorded failover left a group.
pub fn recorded_view(r: &FailoverRecord) -> GroupView {
    GroupView {
        active: r.active.clone(),
        replicating: r.replicating,
        traffic: r.traffic.clone(),
        components: r
            .components
            .iter()
            .map(|(k, c)| {
                (
                    k.clone(),
                    ComponentView {
                        active: c.active.clone(),
                        replicating: c.replicating,
                    },
                )
            })
            .collect(),
    }
}

/// A group's record, unless it is a placement left by an apply whose
/// objects are all gone since (a destroyed stack places nothing).
fn record_of<'a>(state: Option<&'a State>, group: &str) -> Option<&'a FailoverRecord> {
    let s = state?;
    s.failover_groups
        .get(group)
        .filter(|r| r.status != FailoverStatus::Applied || !s.resources.is_empty())
}

/// Where a group stands: its record if a failover happened (or an apply
/// placed it), else as declared.
pub fn standing(config: &Config, state: Option<&State>, group: &str) -> Option<GroupView> {
    let g = config.root().failover_groups.get(group)?;
    Some(
        record_of(state, group)
            .map(recorded_view)
            .unwrap_or_else(|| GroupView::declared(&g.active)),
    )
}

/// For states applied before drinfra recorded placements (no record for a
/// group, resources in state): which site the state's resources were
/// applied for, when that can be told. The configuration is evaluated as if
/// each site were active; on the arguments whose values differ between
/// those evaluations (the role-dependent ones, wholly known and set on
/// both sides), the state must match one other site's values at least four
/// times as often as the declared site's. Anything less clear-cut is no
/// guess.
pub fn inferred_placements(
    config: &Config,
    inputs: &crate::config::Inputs,
    cwd: &std::path::Path,
    state: &State,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if state.resources.is_empty() {
        return out;
    }
    let root = config.root();
    for (name, g) in &root.failover_groups {
        if state.failover_groups.contains_key(name) {
            continue;
        }
        let declared = configs_with(config, inputs, cwd, name, &g.active);
        let mut found: Option<&String> = None;
        for site in g.sites.iter().filter(|s| **s != g.active) {
            let other = configs_with(config, inputs, cwd, name, site);
            let (mut for_declared, mut for_other) = (0, 0);
            for (address, dv) in &declared {
                let (Some(ov), Some(rs)) = (other.get(address), state.resources.get(address))
                else {
                    continue;
                };
                let (Some(dm), Some(om)) = (dv.as_mapping(), ov.as_mapping()) else {
                    continue;
                };
                for (arg, a) in dm {
                    let Some(b) = om.get(arg) else { continue };
                    // Null on one side is a weak signal (Azure reports
                    // values a replica's configuration leaves unset).
                    if a == b
                        || a.is_null()
                        || b.is_null()
                        || !a.is_wholly_known()
                        || !b.is_wholly_known()
                    {
                        continue;
                    }
                    let Some(sv) = rs.attributes.get(arg) else {
                        continue;
                    };
                    let sv = crate::lang::Value::from_json(sv).to_json();
                    if a.to_json() == sv {
                        for_declared += 1;
                    } else if b.to_json() == sv {
                        for_other += 1;
                    }
                }
            }
            if for_other > 0 && for_declared * 4 <= for_other {
                found = if found.is_none() { Some(site) } else { None };
            }
        }
        if let Some(site) = found {
            out.insert(name.clone(), site.clone());
        }
    }
    out
}

/// `state` with a placement record for each group [`inferred_placements`]
/// can place (states written before applies recorded placements).
pub fn with_inferred(
    config: &Config,
    inputs: &crate::config::Inputs,
    cwd: &std::path::Path,
    mut state: State,
) -> State {
    for (group, site) in inferred_placements(config, inputs, cwd, &state) {
        state.failover_groups.insert(
            group,
            placement(
                &site,
                "an earlier apply (told from the resources in state)",
                "before placements were recorded".into(),
            ),
        );
    }
    state
}

/// Every managed resource instance's evaluated arguments with `site`
/// active in `group`, by address.
fn configs_with(
    config: &Config,
    inputs: &crate::config::Inputs,
    cwd: &std::path::Path,
    group: &str,
    site: &str,
) -> BTreeMap<String, crate::lang::Value> {
    use crate::config::evaluate::Context;
    let mut cx = Context::new(config, inputs, cwd, None);
    cx.require_inputs = false;
    cx.failover
        .insert(group.to_string(), (&GroupView::declared(site)).into());
    let mut out = BTreeMap::new();
    for (path, idx) in cx.module_instances() {
        for (key, r) in &config.modules[idx].resources {
            if r.mode != crate::config::model::Mode::Managed {
                continue;
            }
            for (k, v) in cx.instances_of(&path, key) {
                out.insert(crate::addrs::instance_text(&path, key, &k), v);
            }
        }
    }
    out
}

/// Records for the groups an apply has just placed, when nothing is
/// recorded for them yet: each group's declared active site, so that a
/// later edit of `active` is recognised as a role change (which only
/// `drinfra failover` may make) even when no failover ever ran.
pub fn placements(config: &Config, state: &State, by: &str) -> Vec<(String, FailoverRecord)> {
    if state.resources.is_empty() {
        return vec![];
    }
    config
        .root()
        .failover_groups
        .iter()
        .filter(|(name, _)| !state.failover_groups.contains_key(*name))
        .map(|(name, g)| {
            (
                name.clone(),
                placement(&g.active, by, crate::timefmt::now()),
            )
        })
        .collect()
}

/// A placement record: `site` active since `since`, placed by `by`.
pub fn placement(site: &str, by: &str, since: String) -> FailoverRecord {
    FailoverRecord {
        active: site.into(),
        traffic: site.into(),
        replicating: true,
        components: BTreeMap::new(),
        status: FailoverStatus::Applied,
        target: site.into(),
        since,
        by: by.into(),
        reason: String::new(),
        deferred: vec![],
        history: vec![],
    }
}

/// How each failover group stands: the configuration, checked against what
/// a failover recorded. A configuration that still names the old active
/// site after a failover is an error, never a silent failback.
/// Every group's problem is reported, not only the first.
pub fn views(
    config: &Config,
    state: Option<&State>,
) -> Result<BTreeMap<String, GroupView>, Diagnostics> {
    let mut out = BTreeMap::new();
    let mut problems = Diagnostics::default();
    for (name, g) in &config.root().failover_groups {
        let rec = record_of(state, name);
        let view = match rec {
            None => GroupView::declared(&g.active),
            Some(r) if r.status == FailoverStatus::Applied && r.active != g.active => {
                problems.push(Diagnostic::error(format!("Failover group {name:?}: changing the active site from {:?} to {:?} is a failover", r.active, g.active))
                    .with_detail(format!(
                        "The stack was last applied with {:?} active ({}, by {}); no failover has been recorded. An ordinary apply would rebuild the standby-dependent resources for the new roles (replacing the PostgreSQL servers, whose data is not carried over) instead of moving them in order, so drinfra stops. Change roles with `drinfra failover {name} --to {:?}`: it promotes replicas and moves data, capacity and then traffic in phases, and records the new active site. (To keep {:?} active, set active = {:?} again.)",
                        r.active, r.since, r.by, g.active, r.active, r.active
                    ))
                    .at(Some(g.active_span.clone())));
                continue;
            }
            Some(r) if r.status == FailoverStatus::InProgress => {
                problems.push(Diagnostic::error(format!("A failover of group {name:?} to {:?} is in progress", r.target))
                    .with_detail(format!("It was started {} by {}{}. Run `drinfra failover {name} --to {}` again to finish it before anything else changes this stack.", r.since, r.by, if r.reason.is_empty() { String::new() } else { format!(" ({})", r.reason) }, r.target))
                    .at(Some(g.span.clone())));
                continue;
            }
            Some(r) if r.active != g.active => {
                problems.push(Diagnostic::error(format!("Failover group {name:?}: {:?} is active, but the configuration names {:?}", r.active, g.active))
                    .with_detail(format!(
                        "A failover made {:?} the active site on {} ({}{}). Applying this configuration would silently fail back, so drinfra stops. Either:\n  1. update the configuration to active = {:?} (the failover stands), or\n  2. run `drinfra failback {name}` to return to {:?} in order (re-seed the old primary, wait for replication, swap back).",
                        r.active, r.since, r.by, if r.reason.is_empty() { String::new() } else { format!(": {}", r.reason) }, r.active, g.active
                    ))
                    .at(Some(g.active_span.clone())));
                continue;
            }
            Some(r) => recorded_view(r),
        };
        out.insert(name.clone(), view);
    }
    if problems.has_errors() {
        Err(problems)
    } else {
        Ok(out)
    }
}

/// The record of a finished (or started) failover.
/// `from` is the site active before the failover (kept while it runs).
pub fn record(
    previous: Option<&FailoverRecord>,
    from: &str,
    view: &GroupView,
    status: FailoverStatus,
    by: &str,
    reason: &str,
    deferred: Vec<String>,
) -> FailoverRecord {
    let mut history = previous.map(|p| p.history.clone()).unwrap_or_default();
    let now = crate::timefmt::now();
    if status == FailoverStatus::Complete {
        let apart: String = view
            .components
            .iter()
            .map(|(k, c)| {
                format!(
                    ", {k} on {}{}",
                    c.active,
                    if c.replicating { " (replicating)" } else { "" }
                )
            })
            .collect();
        history.push(format!(
            "{now} {by}: active {} (traffic {}), replicating {}{apart}{}",
            view.active,
            view.traffic,
            view.replicating,
            if reason.is_empty() {
                String::new()
            } else {
                format!(": {reason}")
            }
        ));
    }
    FailoverRecord {
        active: if status == FailoverStatus::Complete {
            view.active.clone()
        } else {
            from.to_string()
        },
        traffic: view.traffic.clone(),
        replicating: view.replicating,
        components: view
            .components
            .iter()
            .map(|(k, c)| {
                (
                    k.clone(),
                    ComponentRecord {
                        active: c.active.clone(),
                        replicating: c.replicating,
                    },
                )
            })
            .collect(),
        status,
        target: view.active.clone(),
        since: now,
        by: by.into(),
        reason: reason.into(),
        deferred,
        history,
    }
}

/// Whether a provider failure means "unreachable now" (a region outage),
/// which a failover defers rather than fails.
pub fn unreachable(error: &crate::provider::ProviderError) -> bool {
    error.kind() == crate::provider::ErrorKind::Unreachable
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(active: &str) -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "failover_group \"g\" {{\n  sites  = [\"a\", \"b\"]\n  active = \"{active}\"\n}}\n"
        );
        std::fs::write(dir.path().join("main.tf"), text).unwrap();
        let (config, diags) = crate::config::load(dir.path());
        assert!(!diags.has_errors(), "{diags:?}");
        (dir, config)
    }

    fn applied_state(config: &Config) -> State {
        let mut state: State = serde_json::from_value(serde_json::json!({
            "format": "drinfra-state", "version": 1, "drinfra_version": "0", "lineage": "l", "serial": 1,
            "resources": {"terraform_data.x": {"address": "terraform_data.x", "mode": "managed", "type": "terraform_data", "name": "x", "provider": "p", "attributes": {}}}
        }))
        .unwrap();
        for (name, record) in placements(config, &state, "me@host") {
            state.failover_groups.insert(name, record);
        }
        state
    }

    #[test]
    fn an_edited_active_site_is_refused_after_an_ordinary_apply() {
        let (_d, before) = config("a");
        let state = applied_state(&before);
        assert_eq!(state.failover_groups["g"].status, FailoverStatus::Applied);
        assert_eq!(views(&before, Some(&state)).unwrap()["g"].active, "a");
        let (_e, edited) = config("b");
        let problems = views(&edited, Some(&state)).unwrap_err();
        let d = &problems.items[0];
        assert!(
            d.summary
                .contains("changing the active site from \"a\" to \"b\" is a failover"),
            "{d:?}"
        );
        assert!(
            d.detail
                .as_deref()
                .unwrap_or_default()
                .contains("drinfra failover g --to \"b\""),
            "{d:?}"
        );
        assert!(d.span.is_some());
        // Placed once: a later apply leaves the record alone.
        assert!(placements(&before, &state, "me@host").is_empty());
    }

    #[test]
    fn a_destroyed_stack_places_nothing() {
        let (_d, before) = config("a");
        let mut state = applied_state(&before);
        state.resources.clear();
        let (_e, edited) = config("b");
        assert_eq!(views(&edited, Some(&state)).unwrap()["g"].active, "b");
        assert!(
            placements(&edited, &state, "me").is_empty(),
            "nothing to place on an empty state"
        );
    }
}

//! Failover as a stack swap: failover groups name the sites of a pair and
//! the active one; a failover plans the configuration as if another site
//! were active and runs it in phases. This module holds the rules that
//! keep pipelines and people from undoing a failover by accident.

pub mod rules;
pub mod scope;

use std::collections::BTreeMap;

use crate::config::Config;
use crate::config::evaluate::{ComponentView, GroupView};
use crate::diag::Diagnostic;
use crate::state::{ComponentRecord, FailoverRecord, State};

/// How a recorded failover left a group.
pub fn recorded_view(r: &FailoverRecord) -> GroupView {
    GroupView {
        active: r.active.clone(),
        replicating: r.replicating,
        traffic: r.traffic.clone(),
        components: r.components.iter().map(|(k, c)| (k.clone(), ComponentView { active: c.active.clone(), replicating: c.replicating })).collect(),
    }
}

/// The status of a record that no failover wrote: where an ordinary apply
/// left the group (its declared active site at the time).
pub const APPLIED: &str = "applied";

/// A group's record, unless it is a placement left by an apply whose
/// objects are all gone since (a destroyed stack places nothing).
fn record_of<'a>(state: Option<&'a State>, group: &str) -> Option<&'a FailoverRecord> {
    let s = state?;
    s.failover_groups.get(group).filter(|r| r.status != APPLIED || !s.resources.is_empty())
}

/// Where a group stands: its record if a failover happened (or an apply
/// placed it), else as declared.
pub fn standing(config: &Config, state: Option<&State>, group: &str) -> Option<GroupView> {
    let g = config.root().failover_groups.get(group)?;
    Some(record_of(state, group).map(recorded_view).unwrap_or_else(|| GroupView::declared(&g.active)))
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
            let record = FailoverRecord {
                active: g.active.clone(),
                traffic: g.active.clone(),
                replicating: true,
                components: BTreeMap::new(),
                status: APPLIED.into(),
                target: g.active.clone(),
                since: crate::timefmt::now(),
                by: by.into(),
                reason: String::new(),
                deferred: vec![],
                history: vec![],
            };
            (name.clone(), record)
        })
        .collect()
}

/// How each failover group stands: the configuration, checked against what
/// a failover recorded. A configuration that still names the old active
/// site after a failover is an error, never a silent failback.
pub fn views(config: &Config, state: Option<&State>) -> Result<BTreeMap<String, GroupView>, Diagnostic> {
    let mut out = BTreeMap::new();
    for (name, g) in &config.root().failover_groups {
        let rec = record_of(state, name);
        let view = match rec {
            None => GroupView::declared(&g.active),
            Some(r) if r.status == APPLIED && r.active != g.active => {
                return Err(Diagnostic::error(format!("Failover group {name:?}: changing the active site from {:?} to {:?} is a failover", r.active, g.active))
                    .with_detail(format!(
                        "The stack was last applied with {:?} active ({} by {}); no failover has been recorded. An ordinary apply would rebuild the standby-dependent resources for the new roles (replacing the PostgreSQL servers, whose data is not carried over) instead of moving them in order, so drinfra stops. Change roles with `drinfra failover {name} --to {:?}`: it promotes replicas and moves data, capacity and then traffic in phases, and records the new active site. (To keep {:?} active, set active = {:?} again.)",
                        r.active, r.since, r.by, g.active, r.active, r.active
                    ))
                    .at(Some(g.active_span.clone())));
            }
            Some(r) if r.status == "in_progress" => {
                return Err(Diagnostic::error(format!("A failover of group {name:?} to {:?} is in progress", r.target))
                    .with_detail(format!("It was started {} by {}{}. Run `drinfra failover {name} --to {}` again to finish it before anything else changes this stack.", r.since, r.by, if r.reason.is_empty() { String::new() } else { format!(" ({})", r.reason) }, r.target))
                    .at(Some(g.span.clone())));
            }
            Some(r) if r.active != g.active => {
                return Err(Diagnostic::error(format!("Failover group {name:?}: {:?} is active, but the configuration names {:?}", r.active, g.active))
                    .with_detail(format!(
                        "A failover made {:?} the active site on {} ({}{}). Applying this configuration would silently fail back, so drinfra stops. Either:\n  1. update the configuration to active = {:?} (the failover stands), or\n  2. run `drinfra failback {name}` to return to {:?} in order (re-seed the old primary, wait for replication, swap back).",
                        r.active, r.since, r.by, if r.reason.is_empty() { String::new() } else { format!(": {}", r.reason) }, r.active, g.active
                    ))
                    .at(Some(g.active_span.clone())));
            }
            Some(r) => recorded_view(r),
        };
        out.insert(name.clone(), view);
    }
    Ok(out)
}

/// The record of a finished (or started) failover.
/// `from` is the site active before the failover (kept while it runs).
pub fn record(previous: Option<&FailoverRecord>, from: &str, view: &GroupView, status: &str, by: &str, reason: &str, deferred: Vec<String>) -> FailoverRecord {
    let mut history = previous.map(|p| p.history.clone()).unwrap_or_default();
    let now = crate::timefmt::now();
    if status == "complete" {
        let apart: String = view.components.iter().map(|(k, c)| format!(", {k} on {}{}", c.active, if c.replicating { " (replicating)" } else { "" })).collect();
        history.push(format!("{now} {by}: active {} (traffic {}), replicating {}{apart}{}", view.active, view.traffic, view.replicating, if reason.is_empty() { String::new() } else { format!(": {reason}") }));
    }
    FailoverRecord {
        active: if status == "complete" { view.active.clone() } else { from.to_string() },
        traffic: view.traffic.clone(),
        replicating: view.replicating,
        components: view.components.iter().map(|(k, c)| (k.clone(), ComponentRecord { active: c.active.clone(), replicating: c.replicating })).collect(),
        status: status.into(),
        target: view.active.clone(),
        since: now,
        by: by.into(),
        reason: reason.into(),
        deferred,
        history,
    }
}

/// Whether an apply failure means "unreachable now" (a region outage),
/// which a failover defers rather than fails.
pub fn unreachable(error: &str) -> bool {
    ["ServiceUnavailable", "GatewayTimeout", "RegionUnavailable", "Transport"].iter().any(|c| error.contains(c))
}

//! `failover_group.NAME`: a failover group's sites and roles as plain
//! values, from the placement the failover layer supplied or, when none
//! was, as the configuration declares the group.

use std::collections::BTreeMap;

use super::{ComponentPlacement, GroupPlacement};
use crate::config::model::FailoverGroup;
use crate::lang::Value;

/// The value of `failover_group.NAME` for group `g` placed as `placement`
/// (as declared, everything on the active site, when `None`).
pub(super) fn failover_group_value(g: &FailoverGroup, placement: Option<&GroupPlacement>) -> Value {
    let view = placement.cloned().unwrap_or_else(|| GroupPlacement {
        active: g.active.clone(),
        replicating: true,
        traffic: g.active.clone(),
        components: BTreeMap::new(),
    });
    let role = |site: &str, active: &str| {
        Value::String(if site == active { "active" } else { "standby" }.into())
    };
    let roles = |active: &str| {
        Value::Map(
            g.sites
                .iter()
                .map(|s| (s.clone(), role(s, active)))
                .collect(),
        )
    };
    let components = g.components.iter().map(|c| {
        let v = view
            .components
            .get(c)
            .cloned()
            .unwrap_or(ComponentPlacement {
                active: view.active.clone(),
                replicating: view.replicating,
            });
        (
            c.clone(),
            Value::Object(BTreeMap::from([
                ("active".to_string(), Value::String(v.active.clone())),
                ("roles".to_string(), roles(&v.active)),
                ("replicating".to_string(), Value::Bool(v.replicating)),
            ])),
        )
    });
    Value::Object(BTreeMap::from([
        ("name".to_string(), Value::String(g.name.clone())),
        (
            "sites".to_string(),
            Value::List(g.sites.iter().map(|s| Value::String(s.clone())).collect()),
        ),
        ("active".to_string(), Value::String(view.active.clone())),
        (
            "standby".to_string(),
            Value::List(
                g.sites
                    .iter()
                    .filter(|s| **s != view.active)
                    .map(|s| Value::String(s.clone()))
                    .collect(),
            ),
        ),
        ("roles".to_string(), roles(&view.active)),
        ("traffic_roles".to_string(), roles(&view.traffic)),
        ("replicating".to_string(), Value::Bool(view.replicating)),
        (
            "components".to_string(),
            Value::Object(components.collect()),
        ),
    ]))
}

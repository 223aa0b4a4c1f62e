//! Failover phases: data first (replicas promoted, caches unlinked), then
//! capacity (node pools scaled), then traffic (Front Door, DNS, Traffic
//! Manager), then clean-up (the old primary scaled down). Never traffic
//! before data and capacity are ready. Within the data phase, unlinks and
//! deletes go before creations.

use std::collections::BTreeMap;

use super::{Action, Plan, ResourceChange};

pub const NAMES: [&str; 5] = ["data: unlink", "data", "capacity", "traffic", "clean-up"];

/// Typical simulated duration of one step, by resource type, for the plan's
/// per-phase estimate (the emulator's defaults, after Azure's).
pub fn typical_seconds(c: &ResourceChange) -> u64 {
    match c.ty.as_str() {
        "azurerm_postgresql_flexible_server" => 150,
        "azurerm_redis_linked_server" => {
            if c.action == Action::Delete {
                120
            } else {
                600
            }
        }
        "azurerm_redis_cache" => 300,
        "azurerm_kubernetes_cluster_node_pool" | "azurerm_kubernetes_cluster" => 300,
        t if t.starts_with("azurerm_cdn_frontdoor") || t == "azurerm_frontdoor" => 60,
        t if t.starts_with("azurerm_dns") || t.starts_with("azurerm_traffic_manager") => 60,
        "azurerm_storage_account" => 1800,
        _ => 5,
    }
}

fn kind(c: &ResourceChange) -> u8 {
    let t = c.ty.as_str();
    if matches!(
        t,
        "azurerm_postgresql_flexible_server"
            | "azurerm_redis_cache"
            | "azurerm_redis_linked_server"
            | "azurerm_storage_account"
    ) {
        if c.action.deletes() && !c.action.creates() {
            0
        } else {
            1
        }
    } else if t.starts_with("azurerm_kubernetes") {
        2
    } else if t.starts_with("azurerm_cdn_frontdoor")
        || t.starts_with("azurerm_dns")
        || t.starts_with("azurerm_traffic_manager")
        || t == "azurerm_frontdoor"
    {
        3
    } else {
        1
    }
}

/// Phase per changed address. Capacity changes that shrink (the old
/// primary scaled down) move to clean-up.
pub fn assign(plan: &Plan) -> BTreeMap<String, u8> {
    plan.actions()
        .map(|c| {
            let mut p = kind(c);
            if p == 2 && shrinks(c) {
                p = 4;
            }
            (c.address.clone(), p)
        })
        .collect()
}

fn shrinks(c: &ResourceChange) -> bool {
    let count = |v: &Option<crate::lang::Value>| {
        v.as_ref()
            .and_then(|v| v.as_mapping())
            .and_then(|m| m.get("node_count"))
            .and_then(|n| {
                if let crate::lang::Value::Number(x) = n.unmark().0 {
                    Some(*x)
                } else {
                    None
                }
            })
    };
    matches!((count(&c.before), count(&c.after)), (Some(b), Some(a)) if a < b)
}

/// Phases present in a plan, in order, with their changes and estimate.
pub fn summary(plan: &Plan) -> Vec<(&'static str, Vec<&ResourceChange>, u64)> {
    let mut out = Vec::new();
    for (i, name) in NAMES.iter().enumerate() {
        let changes: Vec<&ResourceChange> = plan
            .actions()
            .filter(|c| plan.phases.get(&c.address) == Some(&(i as u8)))
            .collect();
        if !changes.is_empty() {
            // Steps within a phase run in parallel: the phase takes as long as its slowest.
            let secs = changes
                .iter()
                .map(|c| typical_seconds(c))
                .max()
                .unwrap_or(0);
            out.push((*name, changes, secs));
        }
    }
    out
}

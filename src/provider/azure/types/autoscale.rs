//! An AKS cluster's default node pool with autoscaling on needs its bounds,
//! as azurerm checks before it sends the cluster: said while planning, at
//! the pool, in azurerm's words, rather than as Azure's error mid-apply.

use super::super::typedef::Attrs;
use crate::lang::Value;
use crate::provider::ArgProblem;

pub(super) fn check(ty: &str, a: &Attrs, out: &mut Vec<ArgProblem>) {
    if ty != "azurerm_kubernetes_cluster" {
        return;
    }
    let Some(pool) = a
        .get("default_node_pool")
        .and_then(Value::as_seq)
        .and_then(|s| s.first())
        .and_then(Value::as_mapping)
    else {
        return;
    };
    if !matches!(
        pool.get("auto_scaling_enabled").map(|v| v.unmark().0),
        Some(Value::Bool(true))
    ) {
        return;
    }
    // Unset (null) is what azurerm refuses, `max_count` first; an unknown
    // value may be set.
    if let Some(bound) = ["max_count", "min_count"]
        .into_iter()
        .find(|b| pool.get(*b).is_none_or(Value::is_null))
    {
        out.push(ArgProblem {
            argument: Some("default_node_pool".into()),
            summary: "Invalid default node pool".into(),
            detail: format!(
                "`{bound}` must be configured when `auto_scaling_enabled` is set to `true`."
            ),
        });
    }
}

//! The Azure provider's answers to [`TypeFacts`]: which azurerm types
//! hold data, what part each plays in a failover, how long Azure typically
//! takes (the emulator's defaults, after Azure's), and the rules Azure's
//! services impose on a DR configuration.

use crate::config::Config;
use crate::config::evaluate::{Evaluation, ResourceInstance};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::provider::facts::{FailoverRole, Gap, Objectives, TypeFacts, Weakening};

/// The Azure provider's facts (needs no client).
pub struct AzureFacts;

pub static AZURE: AzureFacts = AzureFacts;

/// Types whose objects hold data that a replacement or delete loses.
const STATEFUL: &[&str] = &[
    "azurerm_postgresql_flexible_server",
    "azurerm_redis_cache",
    "azurerm_storage_account",
    "azurerm_kubernetes_cluster",
];

impl TypeFacts for AzureFacts {
    fn failover_role(&self, ty: &str) -> FailoverRole {
        if matches!(
            ty,
            "azurerm_postgresql_flexible_server"
                | "azurerm_redis_cache"
                | "azurerm_redis_linked_server"
                | "azurerm_storage_account"
        ) {
            FailoverRole::Data
        } else if ty.starts_with("azurerm_kubernetes") {
            FailoverRole::Capacity
        } else if ty.starts_with("azurerm_cdn_frontdoor")
            || ty.starts_with("azurerm_dns")
            || ty.starts_with("azurerm_traffic_manager")
            || ty == "azurerm_frontdoor"
        {
            FailoverRole::Traffic
        } else {
            FailoverRole::Other
        }
    }

    fn holds_data(&self, ty: &str) -> bool {
        STATEFUL.contains(&ty)
    }

    fn typical_seconds(&self, ty: &str, deletes_only: bool) -> u64 {
        match ty {
            "azurerm_postgresql_flexible_server" => 150,
            "azurerm_redis_linked_server" => {
                if deletes_only {
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

    fn scales_down(&self, _ty: &str, before: Option<&Value>, after: Option<&Value>) -> bool {
        let count = |v: Option<&Value>| {
            v.and_then(|v| v.as_mapping())
                .and_then(|m| m.get("node_count"))
                .and_then(|n| {
                    if let Value::Number(x) = n.unmark().0 {
                        Some(*x)
                    } else {
                        None
                    }
                })
        };
        matches!((count(before), count(after)), (Some(b), Some(a)) if a < b)
    }

    fn promotes(&self, ty: &str, before: Option<&Value>, after: Option<&Value>) -> bool {
        let role = |v: Option<&Value>| {
            v.and_then(|v| v.as_mapping())
                .and_then(|m| m.get("replication_role"))
                .map(|r| r.to_string().to_lowercase())
        };
        ty == "azurerm_postgresql_flexible_server"
            && role(before).is_some_and(|r| r.contains("replica"))
            && role(after).is_some_and(|r| r.contains("none"))
    }

    fn has_site_failover(&self, ty: &str) -> bool {
        ty == "azurerm_storage_account"
    }

    fn computed_attributes(&self, ty: &str) -> Option<Vec<String>> {
        super::types::lookup(ty).map(|t| {
            std::iter::once("id".to_string())
                .chain(
                    t.args
                        .iter()
                        .filter(|a| a.computed)
                        .map(|a| a.name.to_string()),
                )
                .collect()
        })
    }

    fn mark_sensitive(&self, ty: &str, value: Value) -> Value {
        match (super::types::lookup(ty), value) {
            (Some(t), Value::Object(mut m)) => {
                super::convert::mark_sensitive(t.args, &mut m);
                Value::Object(m)
            }
            (_, v) => v,
        }
    }

    fn check_configuration(&self, config: &Config, eval: &Evaluation) -> Diagnostics {
        redis_persistence_and_geo_replication(config, eval)
    }

    fn dr_gaps(&self, resources: &[ResourceInstance], objectives: &Objectives) -> Vec<Gap> {
        super::objectives::gaps(resources, objectives)
    }

    fn detection_seconds(&self, ty: &str, value: &Value) -> Option<u64> {
        super::objectives::detection(ty, value)
    }

    fn propagation_seconds(&self, ty: &str, value: &Value) -> Option<u64> {
        super::objectives::propagation(ty, value)
    }

    fn weakens(&self, ty: &str, before: Option<&Value>, after: Option<&Value>) -> Vec<Weakening> {
        super::objectives::weakens(ty, before, after)
    }
}

fn get<'a>(v: &'a Value, k: &str) -> Option<&'a Value> {
    v.unmark().0.as_mapping().and_then(|m| m.get(k))
}

fn text(v: Option<&Value>) -> Option<String> {
    match v.map(|v| v.unmark().0) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

fn persistence(cache: &Value) -> Option<&'static str> {
    let cfg = get(cache, "redis_configuration")?.as_seq()?.first()?;
    let on = |k: &str| matches!(get(cfg, k).map(|v| v.unmark().0), Some(Value::Bool(true)));
    match (on("aof_backup_enabled"), on("rdb_backup_enabled")) {
        (true, true) => Some("AOF and RDB persistence"),
        (true, false) => Some("AOF persistence"),
        (false, true) => Some("RDB persistence"),
        _ => None,
    }
}

/// Redis persistence on a geo-replicated cache: Azure refuses the link.
fn redis_persistence_and_geo_replication(config: &Config, eval: &Evaluation) -> Diagnostics {
    let mut d = Diagnostics::default();
    let caches: Vec<_> = eval
        .resources
        .iter()
        .filter(|r| r.resource.starts_with("azurerm_redis_cache."))
        .collect();
    for link in eval
        .resources
        .iter()
        .filter(|r| r.resource.starts_with("azurerm_redis_linked_server."))
    {
        let target = text(get(&link.config, "target_redis_cache_name"));
        let linked = text(get(&link.config, "linked_redis_cache_id"))
            .and_then(|id| id.rsplit('/').next().map(str::to_string));
        for cache in &caches {
            let name = text(get(&cache.config, "name"));
            if name.is_none() || (name != target && name != linked) {
                continue;
            }
            if let Some(what) = persistence(&cache.config) {
                let span = config
                    .modules
                    .get(cache.module_index)
                    .and_then(|m| m.resources.get(&cache.resource))
                    .map(|r| r.span.clone());
                d.push(
                    Diagnostic::error("Redis persistence and geo-replication cannot be combined")
                        .with_detail(format!(
                            "{} has {what}, and {} geo-replicates it. Azure does not support data persistence on a linked (geo-replicated) cache, so the link would be refused. The DR plan asks for both; choose one: keep geo-replication (hot standby, RPO of seconds) and drop persistence, or keep persistence for point-in-time recovery and replicate another way (for example export RDB files to GRS storage).",
                            cache.address(),
                            link.address()
                        ))
                        .at(span),
                );
            }
        }
    }
    d
}

//! The DR plan's rules for the services it uses, checked on the evaluated
//! configuration, so `validate` reports a contradiction at its place
//! before Azure refuses it halfway through an apply.

use crate::config::Config;
use crate::config::evaluate::Evaluation;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;

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

/// Checks every evaluated resource instance against the DR rules.
pub fn check(config: &Config, eval: &Evaluation) -> Diagnostics {
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

//! The Azure provider's answers to [`TypeFacts`]: which azurerm types
//! hold data, what part each plays in a failover, how long Azure typically
//! takes (the emulator's defaults, after Azure's), and the rules Azure's
//! services impose on a DR configuration.

use crate::config::Config;
use crate::config::evaluate::{Evaluation, ResourceInstance};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::provider::facts::{FailoverRole, Gap, Objectives, StepKind, TypeFacts, Weakening};
use std::collections::BTreeMap;

/// The Azure provider's facts (needs no client).
pub struct AzureFacts;

pub static AZURE: AzureFacts = AzureFacts;

/// Azure's typical durations in seconds, by ARM type: create, update,
/// delete. The emulator simulates the same (`GET /admin/durations`; a
/// test keeps the two equal). Types not listed take a few seconds.
pub const DURATIONS: &[(&str, f64, f64, f64)] = &[
    ("Microsoft.Resources/resourceGroups", 0.0, 0.0, 60.0),
    // A private endpoint (its network interface is made with it).
    ("Microsoft.Network/privateEndpoints", 30.0, 10.0, 20.0),
    (
        "Microsoft.ContainerService/managedClusters",
        420.0,
        180.0,
        300.0,
    ),
    (
        "Microsoft.ContainerService/managedClusters/agentPools",
        240.0,
        POOL_SCALE_SECS,
        180.0,
    ),
    (
        "Microsoft.DBforPostgreSQL/flexibleServers",
        600.0,
        120.0,
        120.0,
    ),
    (
        "Microsoft.DBforPostgreSQL/flexibleServers/virtualEndpoints",
        60.0,
        60.0,
        30.0,
    ),
    ("Microsoft.Cache/redis", 900.0, 300.0, 300.0),
    ("Microsoft.Cache/redis/linkedServers", 600.0, 600.0, 120.0),
    ("Microsoft.Cdn/profiles", 120.0, 60.0, 60.0),
    ("Microsoft.Cdn/profiles/afdEndpoints", 120.0, 60.0, 60.0),
    ("Microsoft.Cdn/profiles/originGroups", 60.0, 60.0, 60.0),
    (
        "Microsoft.Cdn/profiles/originGroups/origins",
        60.0,
        60.0,
        60.0,
    ),
    (
        "Microsoft.Cdn/profiles/afdEndpoints/routes",
        90.0,
        60.0,
        60.0,
    ),
    ("Microsoft.Network/frontDoors", 300.0, 180.0, 120.0),
    ("Microsoft.Storage/storageAccounts", 30.0, 10.0, 0.0),
];

/// Durations of other operations, by ARM type and name (as the emulator
/// names them).
pub const OTHER_DURATIONS: &[(&str, &str, f64)] = &[
    (
        "Microsoft.DBforPostgreSQL/flexibleServers",
        "replica_create",
        REPLICA_CREATE_SECS,
    ),
    (
        "Microsoft.DBforPostgreSQL/flexibleServers",
        "restore",
        900.0,
    ),
    (
        "Microsoft.DBforPostgreSQL/flexibleServers",
        "promotion",
        PROMOTION_SECS,
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "failover_planned",
        1800.0,
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "failover_unplanned",
        3600.0,
    ),
    (
        "Microsoft.ContainerService/managedClusters/agentPools",
        "scale_per_node",
        POOL_SCALE_PER_NODE_SECS,
    ),
];

const REPLICA_CREATE_SECS: f64 = 1200.0;
const PROMOTION_SECS: f64 = 120.0;
const POOL_SCALE_SECS: f64 = 60.0;
const POOL_SCALE_PER_NODE_SECS: f64 = 15.0;

fn other(arm: &str, name: &str) -> Option<f64> {
    OTHER_DURATIONS
        .iter()
        .find(|(t, n, _)| t.eq_ignore_ascii_case(arm) && *n == name)
        .map(|(.., s)| *s)
}

fn number(v: Option<&Value>, key: &str) -> Option<f64> {
    match v?.unmark().0.as_mapping()?.get(key)?.unmark().0 {
        Value::Number(x) => Some(*x),
        _ => None,
    }
}

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
                | "azurerm_postgresql_flexible_server_virtual_endpoint"
        ) {
            FailoverRole::Data
        } else if ty.starts_with("azurerm_kubernetes") {
            FailoverRole::Capacity
        } else if ty.starts_with("azurerm_cdn_frontdoor")
            || ty.starts_with("azurerm_dns")
            || ty.starts_with("azurerm_traffic_manager")
            || ty == "azurerm_frontdoor"
            // Alerting follows the site's role once traffic has moved
            // (the DR plan's step 10).
            || matches!(
                ty,
                "azurerm_monitor_metric_alert"
                    | "azurerm_monitor_activity_log_alert"
                    | "azurerm_monitor_action_group"
            )
        {
            FailoverRole::Traffic
        } else {
            FailoverRole::Other
        }
    }

    fn holds_data(&self, ty: &str) -> bool {
        STATEFUL.contains(&ty)
    }

    fn typical_seconds(
        &self,
        ty: &str,
        step: StepKind,
        before: Option<&Value>,
        after: Option<&Value>,
    ) -> u64 {
        let Some(arm) = super::types::lookup(ty).map(|t| t.arm_type) else {
            return 5;
        };
        let Some(&(_, create, update, delete)) =
            DURATIONS.iter().find(|(t, ..)| t.eq_ignore_ascii_case(arm))
        else {
            return 5;
        };
        let create_mode = |v: Option<&Value>| {
            v.and_then(|v| v.as_mapping())
                .and_then(|m| m.get("create_mode"))
                .map(|m| m.to_string().to_lowercase())
                .unwrap_or_default()
        };
        let secs = match step {
            StepKind::Delete => delete,
            StepKind::Create if create_mode(after).contains("replica") => {
                other(arm, "replica_create").unwrap_or(create)
            }
            StepKind::Create if create_mode(after).contains("pointintimerestore") => {
                other(arm, "restore").unwrap_or(create)
            }
            StepKind::Create => create,
            StepKind::Update if self.promotes(ty, before, after) => {
                other(arm, "promotion").unwrap_or(update)
            }
            StepKind::Update => match (
                other(arm, "scale_per_node"),
                number(before, "node_count"),
                number(after, "node_count"),
            ) {
                (Some(per_node), Some(b), Some(a)) => update + per_node * (a - b).abs(),
                _ => update,
            },
        };
        secs.round() as u64
    }

    fn site_failover_seconds(&self, ty: &str, planned: bool) -> u64 {
        super::types::lookup(ty)
            .and_then(|t| {
                other(
                    t.arm_type,
                    if planned {
                        "failover_planned"
                    } else {
                        "failover_unplanned"
                    },
                )
            })
            .unwrap_or(0.0)
            .round() as u64
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

    fn attribute_names(&self, ty: &str) -> Option<Vec<String>> {
        super::types::lookup(ty).map(|t| {
            std::iter::once("id".to_string())
                .chain(t.args.iter().map(|a| a.name.to_string()))
                .collect()
        })
    }

    fn data_attribute_names(&self, ty: &str) -> Option<Vec<String>> {
        super::data::attribute_names(ty)
    }

    fn unread_data_attribute(&self, ty: &str, attr: &str) -> Option<String> {
        super::data_attributes::unread(ty, attr)
    }

    fn block_names(&self, ty: &str, path: &[&str]) -> Option<crate::config::evaluate::BlockNames> {
        let mut args = super::types::lookup(ty)?.args;
        let mut computed_only = false;
        for name in path {
            let arg = args.iter().find(|a| a.name == *name)?;
            match arg.kind {
                super::convert::Kind::Block(sub) | super::convert::Kind::BlockList(sub) => {
                    args = sub;
                    computed_only = arg.read_only;
                }
                _ => return None,
            }
        }
        Some(crate::config::evaluate::BlockNames {
            names: args.iter().map(|a| a.name.to_string()).collect(),
            computed_only,
        })
    }

    fn complete_blocks(&self, ty: &str, attrs: &mut BTreeMap<String, Value>) {
        if let Some(t) = super::types::lookup(ty) {
            super::convert::unknown_computed(t.args, attrs);
        }
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

    fn secret_attributes(&self, ty: &str) -> &'static [&'static str] {
        super::secrets::attributes(ty)
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

    fn restore_point(&self, ty: &str, after: &Value) -> Option<String> {
        let text = |k: &str| match get(after, k).map(|v| v.unmark().0) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        (ty == "azurerm_postgresql_flexible_server"
            && text("create_mode").is_some_and(|m| m.eq_ignore_ascii_case("PointInTimeRestore")))
        .then(|| text("point_in_time_restore_time_in_utc"))
        .flatten()
    }

    fn switchover_refusal(
        &self,
        ty: &str,
        before: Option<&Value>,
        after: Option<&Value>,
        objects: &[(String, Value)],
    ) -> Option<String> {
        super::objectives::switchover_refusal(ty, before, after, objects)
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

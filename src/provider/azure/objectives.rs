//! What an Azure configuration delivers toward DR objectives, and which
//! planned changes weaken it: the azurerm arguments that decide RPO (geo-
//! redundant backup, replicas, geo-links, storage redundancy), RTO
//! (health-probe detection, DNS TTL) and zone failures (availability
//! zones). The engine asks through `TypeFacts`; nothing here prints.

use crate::config::evaluate::ResourceInstance;
use crate::lang::Value;
use crate::provider::facts::{Gap, Objective, Objectives, Weakening};

/// The DNS TTL the DR plan wants, seconds.
pub const PLAN_TTL: u64 = 60;
/// Detection the DR plan's RTO example budgets (5 min), seconds.
pub const PLAN_DETECTION: u64 = 300;
/// Shortest point-in-time restore window worth having (Azure's default).
const MIN_RETENTION_DAYS: f64 = 7.0;

const PG: &str = "azurerm_postgresql_flexible_server";
const REDIS: &str = "azurerm_redis_cache";
const LINK: &str = "azurerm_redis_linked_server";
const STORAGE: &str = "azurerm_storage_account";
const POOL: &str = "azurerm_kubernetes_cluster_node_pool";
const AKS: &str = "azurerm_kubernetes_cluster";
const ENDPOINT: &str = super::virtual_endpoint::TYPE;

use crate::regions::paired;

fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v.unmark().0;
    for k in path.split('.') {
        cur = match cur {
            Value::List(_) | Value::Tuple(_) | Value::Set(_) => cur.as_seq()?.first()?.unmark().0,
            _ => cur,
        };
        cur = cur.as_mapping()?.get(k)?.unmark().0;
    }
    Some(cur)
}

fn text(v: &Value, path: &str) -> Option<String> {
    match get(v, path) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

fn num(v: &Value, path: &str) -> Option<f64> {
    match get(v, path) {
        Some(Value::Number(n)) => Some(*n),
        _ => None,
    }
}

fn flag(v: &Value, path: &str) -> Option<bool> {
    match get(v, path) {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

fn has_zones(v: &Value, path: &str) -> bool {
    get(v, path)
        .and_then(|z| z.as_seq())
        .is_some_and(|z| !z.is_empty())
}

fn region(v: &Value) -> Option<String> {
    text(v, "location").map(|l| l.to_lowercase().replace(' ', ""))
}

fn ty_of(r: &ResourceInstance) -> &str {
    r.resource.split('.').next().unwrap_or_default()
}

fn is_replica(v: &Value) -> bool {
    text(v, "create_mode").is_some_and(|m| m.eq_ignore_ascii_case("replica"))
        || text(v, "source_server_id").is_some()
}

fn geo_redundant(kind: &str) -> bool {
    matches!(
        kind.to_uppercase().as_str(),
        "GRS" | "RAGRS" | "GZRS" | "RAGZRS"
    )
}

fn minutes(secs: u64) -> String {
    if secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

fn gap(
    instance: usize,
    argument: Option<&str>,
    objective: Objective,
    blocking: bool,
    summary: &str,
    detail: String,
) -> Gap {
    Gap {
        instance,
        argument: argument.map(str::to_string),
        objective,
        blocking,
        summary: summary.to_string(),
        detail,
    }
}

/// Whether one of the virtual endpoint configurations `endpoints` pairs
/// the server named `server` (as source or replica); an id not known yet
/// is taken to (it is built when the plan is applied).
fn endpoint_covers<'a>(mut endpoints: impl Iterator<Item = &'a Value>, server: &str) -> bool {
    endpoints.any(|e| {
        ["source_server_id", "replica_server_id"]
            .iter()
            .any(|k| match get(e, k) {
                Some(Value::String(id)) => id
                    .rsplit('/')
                    .next()
                    .is_some_and(|n| n.eq_ignore_ascii_case(server)),
                Some(Value::Unknown(_)) => true,
                _ => false,
            })
    })
}

/// Why Azure would refuse the planned switchover a change from `before`
/// to `after` makes (a PostgreSQL read replica promoted), given every
/// object the plan leaves (`objects`: type and planned value).
pub fn switchover_refusal(
    ty: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    objects: &[(String, Value)],
) -> Option<String> {
    let (before, after) = (before?, after?);
    let promoted = ty == PG
        && text(before, "replication_role").is_some_and(|r| r.to_lowercase().contains("replica"))
        && text(after, "replication_role").as_deref() == Some("None");
    let name = text(after, "name")?;
    if !promoted
        || endpoint_covers(
            objects
                .iter()
                .filter(|(t, _)| t == ENDPOINT)
                .map(|(_, v)| v),
            &name,
        )
    {
        return None;
    }
    Some(format!(
        "promoting the read replica {name:?} is a planned switchover, which Azure refuses without a virtual endpoint on its primary whose members include it (azurerm_postgresql_flexible_server_virtual_endpoint with replica_server_id = this server, type = \"ReadWrite\"); declare one and apply, or run a forced failover (--forced: a standalone promotion, which loses what had not replicated)"
    ))
}

/// Every gap between the Azure objects in `resources` and `o`.
pub fn gaps(resources: &[ResourceInstance], o: &Objectives) -> Vec<Gap> {
    let mut out = Vec::new();
    let rpo = o.rpo.map(minutes).unwrap_or_else(|| "the RPO".to_string());
    let in_standby = |v: &Value| region(v).is_some_and(|r| o.standby.contains(&r));
    for (i, r) in resources.iter().enumerate() {
        let v = &r.config;
        let addr = r.address();
        match ty_of(r) {
            PG => {
                if flag(v, "geo_redundant_backup_enabled") != Some(true) {
                    out.push(gap(i, Some("geo_redundant_backup_enabled"), Objective::Rpo, true,
                        "PostgreSQL backups stay in the region they protect",
                        format!("{addr} has no geo-redundant backup: if its region is lost, so are its backups, and a restore (the DR plan's PITR and full-restore procedures) cannot meet RPO {rpo}. Set geo_redundant_backup_enabled = true (only possible when the server is created).")));
                }
                if let Some(days) = num(v, "backup_retention_days")
                    && days < MIN_RETENTION_DAYS
                {
                    out.push(gap(i, Some("backup_retention_days"), Objective::Rpo, false,
                        "PostgreSQL point-in-time restore window is short",
                        format!("{addr} keeps backups {days} days: corruption found later than that cannot be undone by a point-in-time restore.")));
                }
                if text(v, "create_mode").is_some_and(|m| m.eq_ignore_ascii_case("replica"))
                    && let Some(name) = text(v, "name")
                    && !endpoint_covers(
                        resources
                            .iter()
                            .filter(|e| ty_of(e) == ENDPOINT)
                            .map(|e| &e.config),
                        &name,
                    )
                {
                    out.push(gap(i, None, Objective::Rto, true,
                        "No virtual endpoint for a planned switchover",
                        format!("{addr} is a read replica, but no azurerm_postgresql_flexible_server_virtual_endpoint pairs it with its primary: Azure refuses to promote it with a planned switchover (roles swapped, writes fenced, RPO 0) without one, so a planned failover (the DR plan's database switch drill) cannot run; only a forced, standalone promotion can. Add one with source_server_id = the primary, replica_server_id = this server, type = \"ReadWrite\".")));
                }
                let primary_in_active = !is_replica(v) && region(v).is_some_and(|r| r == o.active);
                let replicated = resources
                    .iter()
                    .any(|s| ty_of(s) == PG && is_replica(&s.config) && in_standby(&s.config));
                if primary_in_active && !o.standby.is_empty() && !replicated {
                    out.push(gap(i, None, Objective::Rpo, true,
                        "No PostgreSQL replica in the DR site",
                        format!("{addr} serves in {} but no server in {} replicates it: a region loss leaves only geo-restored backups (hours old), not RPO {rpo}.", o.active, o.standby.join(", "))));
                }
            }
            REDIS => {
                if !has_zones(v, "zones") {
                    out.push(gap(i, Some("zones"), Objective::Availability, true,
                        "Redis cache names no availability zones",
                        format!("{addr} runs in one zone: a zone failure takes the cache down until a failover, where the DR plan expects to ride out a zone failure in under 15 minutes. Set zones (for example [\"1\", \"2\"]); it forces a new cache.")));
                }
                let linked = region(v).is_some_and(|reg| reg == o.active)
                    && resources.iter().filter(|l| ty_of(l) == LINK).any(|l| {
                        text(&l.config, "target_redis_cache_name") == text(v, "name")
                            && text(&l.config, "linked_redis_cache_location").is_some_and(|loc| {
                                o.standby.contains(&loc.to_lowercase().replace(' ', ""))
                            })
                    });
                if region(v).is_some_and(|reg| reg == o.active) && !o.standby.is_empty() && !linked
                {
                    out.push(gap(i, None, Objective::Rpo, true,
                        "Redis cache is not geo-replicated to the DR site",
                        format!("{addr} serves in {} with no azurerm_redis_linked_server to a cache in {}: a region loss loses its data, beyond RPO {rpo}. Geo-replication needs the Premium tier.", o.active, o.standby.join(", "))));
                }
            }
            STORAGE => {
                let kind = text(v, "account_replication_type").unwrap_or_default();
                if !geo_redundant(&kind) {
                    out.push(gap(i, Some("account_replication_type"), Objective::Rpo, true,
                        "Storage account is not geo-redundant",
                        format!("{addr} is {kind}: every copy sits in one region, so a region loss loses its blobs, beyond RPO {rpo}. Use GRS or RA-GRS (GZRS/RA-GZRS for zones too).")));
                } else if let Some(reg) = region(v)
                    && let Some(pair) = paired(&reg)
                    && !o.standby.iter().any(|s| s == pair)
                    && reg == o.active
                {
                    out.push(gap(i, Some("account_replication_type"), Objective::Rpo, false,
                        "Geo-redundant storage does not reach the DR site",
                        format!("{addr} is {kind}: its secondary is {pair}, Azure's pair of {reg}, not the DR site ({}). The blobs survive a region loss but the DR site reads them across regions, or after an account failover to {pair}; object replication to an account in the DR site would put them there.", o.standby.join(", "))));
                }
            }
            POOL if pool_region(r, resources).is_some_and(|reg| o.standby.contains(&reg))
                && below_production(r, resources, o).is_some() =>
            {
                let (max, prod) = below_production(r, resources, o).unwrap_or_default();
                out.push(gap(i, Some("max_count"), Objective::Rto, true,
                    "DR node pool cannot reach the primary's production size",
                    format!("{addr} scales to at most {max} nodes, the active site's pool of the same name to {prod}: after a failover the DR site cannot carry production load.")));
            }
            POOL if !has_zones(v, "zones") => {
                out.push(gap(i, Some("zones"), Objective::Availability, true,
                        "Node pool names no availability zones",
                        format!("{addr} may place every node in one zone: a zone failure takes the pool down until a failover, where the DR plan expects to ride out a zone failure in under 15 minutes. Set zones (for example [\"1\", \"2\", \"3\"]); it forces new nodes.")));
            }
            AKS if !has_zones(v, "default_node_pool.zones") => {
                out.push(gap(i, Some("default_node_pool.zones"), Objective::Availability, true,
                        "System node pool names no availability zones",
                        format!("{addr}'s default node pool may sit in one zone: a zone failure stops the cluster's system pods. Set default_node_pool.zones.")));
            }
            t if t.starts_with("azurerm_dns_") => {
                if let Some(ttl) = num(v, "ttl")
                    && ttl > PLAN_TTL as f64
                {
                    out.push(gap(i, Some("ttl"), Objective::Rto, true,
                        "DNS TTL longer than the DR plan's 60 s",
                        format!("{addr} has TTL {ttl} s: clients keep the old site's answer that long after a failover moves the record; the DR plan wants {PLAN_TTL} s.")));
                }
            }
            "azurerm_traffic_manager_profile" => {
                if let Some(ttl) = num(v, "dns_config.ttl")
                    && ttl > PLAN_TTL as f64
                {
                    out.push(gap(
                        i,
                        Some("dns_config.ttl"),
                        Objective::Rto,
                        true,
                        "DNS TTL longer than the DR plan's 60 s",
                        format!("{addr} answers with TTL {ttl} s; the DR plan wants {PLAN_TTL} s."),
                    ));
                }
                if let Some(d) = detection(ty_of(r), v)
                    && d > PLAN_DETECTION
                {
                    out.push(gap(i, Some("monitor_config.interval_in_seconds"), Objective::Rto, false,
                        "Health probes take long to detect an outage",
                        format!("{addr} calls an endpoint down after {d} s (interval x failures); the DR plan's RTO budgets {} for detection.", minutes(PLAN_DETECTION))));
                }
            }
            "azurerm_cdn_frontdoor_origin_group" => {
                if let Some(d) = detection(ty_of(r), v)
                    && d > PLAN_DETECTION
                {
                    out.push(gap(i, Some("health_probe.interval_in_seconds"), Objective::Rto, false,
                        "Health probes take long to detect an outage",
                        format!("{addr} calls an origin down after {d} s (probe interval x failed samples); the DR plan's RTO budgets {} for detection.", minutes(PLAN_DETECTION))));
                }
            }
            _ => {}
        }
    }
    out
}

/// A node pool's region: its cluster's, the cluster declared beside it
/// (the pool's `kubernetes_cluster_id` is only known after apply).
fn pool_region(pool: &ResourceInstance, resources: &[ResourceInstance]) -> Option<String> {
    resources
        .iter()
        .find(|c| ty_of(c) == AKS && c.module == pool.module)
        .and_then(|c| region(&c.config))
}

/// A standby pool's maximum and the active site's production size of the
/// pool of the same name, when the maximum is below it. A pool's site is
/// its cluster's location.
fn below_production(
    pool: &ResourceInstance,
    resources: &[ResourceInstance],
    o: &Objectives,
) -> Option<(f64, f64)> {
    let max = num(&pool.config, "max_count")?;
    let name = text(&pool.config, "name")?;
    let prod = resources
        .iter()
        .filter(|p| ty_of(p) == POOL && text(&p.config, "name").as_ref() == Some(&name))
        .filter(|p| pool_region(p, resources).is_some_and(|r| r == o.active))
        .filter_map(|p| num(&p.config, "max_count").or_else(|| num(&p.config, "node_count")))
        .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))?;
    (max < prod).then_some((max, prod))
}

/// Seconds until health probes call a failed origin down.
pub fn detection(ty: &str, v: &Value) -> Option<u64> {
    match ty {
        // Front Door: an origin is unhealthy once fewer than
        // `successful_samples_required` of the last `sample_size` probes pass.
        "azurerm_cdn_frontdoor_origin_group" => {
            let interval = num(v, "health_probe.interval_in_seconds").unwrap_or(100.0);
            let size = num(v, "load_balancing.sample_size").unwrap_or(4.0);
            let needed = num(v, "load_balancing.successful_samples_required").unwrap_or(3.0);
            Some((interval * (size - needed + 1.0).max(1.0)) as u64)
        }
        // Traffic Manager: down after more than the tolerated failures.
        "azurerm_traffic_manager_profile" => {
            let interval = num(v, "monitor_config.interval_in_seconds").unwrap_or(30.0);
            let tolerated = num(v, "monitor_config.tolerated_number_of_failures").unwrap_or(3.0);
            Some((interval * (tolerated + 1.0)) as u64)
        }
        _ => None,
    }
}

/// Seconds resolvers may cache an answer.
pub fn propagation(ty: &str, v: &Value) -> Option<u64> {
    if ty.starts_with("azurerm_dns_") {
        num(v, "ttl").map(|t| t as u64)
    } else if ty == "azurerm_traffic_manager_profile" {
        num(v, "dns_config.ttl").map(|t| t as u64)
    } else {
        None
    }
}

/// How a change from `before` to `after` weakens the DR posture.
pub fn weakens(ty: &str, before: Option<&Value>, after: Option<&Value>) -> Vec<Weakening> {
    let mut out = Vec::new();
    let rpo = |why: String| Weakening {
        objective: Objective::Rpo,
        why,
    };
    let rto = |why: String| Weakening {
        objective: Objective::Rto,
        why,
    };
    let Some(b) = before else {
        return out;
    };
    let Some(a) = after else {
        // Deleted: what goes with it.
        if ty == PG && is_replica(b) {
            out.push(rpo(
                "removes a PostgreSQL read replica: the DR site loses its copy of the data".into(),
            ));
        } else if ty == LINK {
            out.push(rpo(
                "removes a Redis geo-replication link: the DR cache stops receiving data".into(),
            ));
        }
        return out;
    };
    match ty {
        STORAGE => {
            let (from, to) = (
                text(b, "account_replication_type").unwrap_or_default(),
                text(a, "account_replication_type").unwrap_or_default(),
            );
            if geo_redundant(&from) && !geo_redundant(&to) {
                out.push(rpo(format!(
                    "storage loses geo-redundancy ({from} -> {to}): a region loss loses its blobs"
                )));
            }
        }
        PG => {
            let (from, to) = (text(b, "sku_name"), text(a, "sku_name"));
            if from.is_some() && to.is_some() && from != to {
                out.push(rto(format!(
                    "changing the SKU ({} -> {}) restarts the server: downtime",
                    from.unwrap_or_default(),
                    to.unwrap_or_default()
                )));
            }
            if let (Some(x), Some(y)) = (
                num(b, "backup_retention_days"),
                num(a, "backup_retention_days"),
            ) && y < x
            {
                out.push(rpo(format!(
                    "backup retention cut ({x} -> {y} days): fewer restore points"
                )));
            }
            if flag(b, "geo_redundant_backup_enabled") == Some(true)
                && flag(a, "geo_redundant_backup_enabled") != Some(true)
            {
                out.push(rpo(
                    "geo-redundant backup turned off: backups stay in the region they protect"
                        .into(),
                ));
            }
        }
        POOL => {
            if let (Some(x), Some(y)) = (num(b, "max_count"), num(a, "max_count"))
                && y < x
            {
                out.push(rto(format!("the pool's maximum shrinks ({x} -> {y} nodes): it may not reach production size after a failover")));
            }
        }
        t if t.starts_with("azurerm_dns_") => {
            if let (Some(x), Some(y)) = (num(b, "ttl"), num(a, "ttl"))
                && y > x
            {
                out.push(rto(format!("DNS TTL raised ({x} -> {y} s): clients keep the old site's answer longer after a failover")));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(j: serde_json::Value) -> Value {
        Value::from_json(&j)
    }

    #[test]
    fn detection_is_the_probe_interval_times_the_failures_it_takes() {
        let fd = v(json!({
            "health_probe": [{"interval_in_seconds": 30}],
            "load_balancing": [{"sample_size": 4, "successful_samples_required": 2}]
        }));
        assert_eq!(
            detection("azurerm_cdn_frontdoor_origin_group", &fd),
            Some(90)
        );
        let tm = v(
            json!({"monitor_config": [{"interval_in_seconds": 30, "tolerated_number_of_failures": 3}]}),
        );
        assert_eq!(detection("azurerm_traffic_manager_profile", &tm), Some(120));
        assert_eq!(
            propagation("azurerm_dns_a_record", &v(json!({"ttl": 300}))),
            Some(300)
        );
        assert_eq!(detection("azurerm_redis_cache", &fd), None);
    }

    #[test]
    fn weakening_changes_name_their_objective() {
        let s = |k: &str| v(json!({"account_replication_type": k}));
        let w = weakens(STORAGE, Some(&s("RAGRS")), Some(&s("LRS")));
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].objective, Objective::Rpo);
        assert!(weakens(STORAGE, Some(&s("LRS")), Some(&s("GRS"))).is_empty());
        let pg = |sku: &str, days: u32, geo: bool| {
            v(
                json!({"sku_name": sku, "backup_retention_days": days, "geo_redundant_backup_enabled": geo}),
            )
        };
        let w = weakens(
            PG,
            Some(&pg("GP_Standard_D8ds_v5", 30, true)),
            Some(&pg("GP_Standard_D4ds_v5", 7, false)),
        );
        let objectives: Vec<Objective> = w.iter().map(|w| w.objective).collect();
        assert_eq!(objectives, [Objective::Rto, Objective::Rpo, Objective::Rpo]);
        let replica = v(json!({"create_mode": "Replica"}));
        assert_eq!(weakens(PG, Some(&replica), None).len(), 1);
        assert_eq!(weakens(LINK, Some(&v(json!({}))), None).len(), 1);
        let ttl = |t: u32| v(json!({"ttl": t}));
        assert_eq!(
            weakens("azurerm_dns_cname_record", Some(&ttl(60)), Some(&ttl(3600)))[0].objective,
            Objective::Rto
        );
        let pool = |m: u32| v(json!({"max_count": m}));
        assert_eq!(weakens(POOL, Some(&pool(20)), Some(&pool(10))).len(), 1);
        // A created object weakens nothing.
        assert!(weakens(STORAGE, None, Some(&s("LRS"))).is_empty());
    }

    #[test]
    fn storage_pairs_follow_azures_published_list() {
        assert_eq!(paired("eastus"), Some("westus"));
        assert_eq!(paired("swedencentral"), Some("swedensouth"));
        assert_eq!(paired("westeurope"), Some("northeurope"));
        // Regression: only 19 regions were listed; the others had no pair.
        assert_eq!(paired("japaneast"), Some("japanwest"));
        assert_eq!(paired("brazilsouth"), Some("southcentralus"));
        assert_eq!(paired("francesouth"), Some("francecentral"));
        assert_eq!(paired("West US 3"), Some("eastus"));
        assert_eq!(paired("polandcentral"), None);
    }
}

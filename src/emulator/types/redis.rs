//! Microsoft.Cache/redis and its linkedServers (geo-replication).

use serde_json::{Value as J, json};

use super::*;

const TYPE: &str = "Microsoft.Cache/redis";
const LINK: &str = "Microsoft.Cache/redis/linkedServers";
/// Storage connection strings are write-only: GET never returns them.
const WRITE_ONLY: &[&str] = &[
    "rdb-storage-connection-string",
    "aof-storage-connection-string-0",
    "aof-storage-connection-string-1",
];

fn name(n: &str) -> Result<(), InvalidName> {
    if n.starts_with('-') || n.ends_with('-') || n.contains("--") {
        return Err(InvalidName(format!(
            "Cache name '{n}' is invalid: hyphens may not lead, trail or repeat."
        )));
    }
    name_rule(n, 1, 63, "-", "a Redis cache")
}

fn flag(body: &J, key: &str) -> bool {
    prop(body, &["redisConfiguration", key])
        .map(|v| {
            v.as_str()
                .map(|s| s.eq_ignore_ascii_case("true"))
                .unwrap_or(v.as_bool().unwrap_or(false))
        })
        .unwrap_or(false)
}

pub fn persistence(body: &J) -> bool {
    flag(body, "rdb-backup-enabled") || flag(body, "aof-backup-enabled")
}

/// A cache's SKU lives in its properties (RedisCreateProperties.sku), not
/// in the envelope as for most types.
fn sku_of(body: &J) -> Option<&J> {
    body.pointer("/properties/sku").filter(|s| s.is_object())
}

fn premium(body: &J) -> bool {
    sku_of(body)
        .and_then(|s| s["name"].as_str())
        .is_some_and(|s| s.eq_ignore_ascii_case("Premium"))
}

fn capacity(body: &J) -> f64 {
    sku_of(body)
        .and_then(|s| s.get("capacity"))
        .and_then(J::as_f64)
        .unwrap_or(0.0)
}

/// Links in which the cache takes part, as primary or secondary.
pub fn links_of(store: &Store, sub: &str, cache_id: &str) -> Vec<Row> {
    let c = cache_id.to_lowercase();
    store
        .of_type(LINK, sub)
        .unwrap_or_default()
        .into_iter()
        .filter(|l| {
            l.id.to_lowercase().starts_with(&format!("{c}/"))
                || str_prop(&l.body, &["linkedRedisCacheId"])
                    .is_some_and(|t| t.eq_ignore_ascii_case(cache_id))
        })
        .collect()
}

fn check(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let sku = sku_of(body).cloned().ok_or_else(|| {
        ArmError::bad_request("InvalidRequestContent", "properties.sku is required.")
            .with_target("properties.sku")
    })?;
    int_field(&sku, "capacity", "properties.sku.capacity", 0, 6)?;
    int_prop(body, &["shardCount"], 1, 30)?;
    int_prop(body, &["replicasPerMaster"], 1, 3)?;
    int_prop(body, &["replicasPerPrimary"], 1, 3)?;
    let sku_ok = match (
        sku.get("name").and_then(J::as_str),
        sku.get("family").and_then(J::as_str),
        sku.get("capacity").and_then(J::as_f64),
    ) {
        (Some(n), Some(f), Some(c)) => match n.to_lowercase().as_str() {
            "basic" | "standard" => f.eq_ignore_ascii_case("C") && (0.0..=6.0).contains(&c),
            "premium" => f.eq_ignore_ascii_case("P") && (1.0..=5.0).contains(&c),
            _ => false,
        },
        _ => false,
    };
    if !sku_ok {
        return Err(ArmError::bad_request("InvalidSku", "Invalid sku: Basic/Standard take family C and capacity 0-6; Premium takes family P and capacity 1-5.").with_target("properties.sku"));
    }
    if persistence(body) && !premium(body) {
        return Err(ArmError::bad_request(
            "PersistenceRequiresPremium",
            "Data persistence (RDB or AOF) needs the Premium tier.",
        )
        .with_target("properties.redisConfiguration"));
    }
    if let Some(old) = ctx.existing {
        let links = links_of(ctx.store, &ctx.path.subscription, &old.id);
        if !links.is_empty() {
            if sku_of(&old.body) != sku_of(body) {
                return Err(ArmError::conflict(
                    "Conflict",
                    "A geo-replicated cache cannot be scaled: unlink it first.",
                ));
            }
            if persistence(body) {
                return Err(ArmError::conflict(
                    "Conflict",
                    "Data persistence cannot be enabled on a geo-replicated cache.",
                ));
            }
        }
    }
    let name = ctx.path.name();
    let p = props(body);
    p.insert(
        "hostName".into(),
        json!(format!("{name}.redis.cache.windows.net")),
    );
    p.insert("port".into(), json!(6379));
    p.insert("sslPort".into(), json!(6380));
    p.entry("redisVersion").or_insert(json!("6.0"));
    p.entry("enableNonSslPort").or_insert(json!(false));
    p.entry("minimumTlsVersion").or_insert(json!("1.2"));
    p.insert("linkedServers".into(), json!([]));
    // Azure answers both names of the replica count (the spec's example:
    // `replicasPerMaster` and `replicasPerPrimary`), whichever was sent.
    let replicas = p
        .get("replicasPerPrimary")
        .or_else(|| p.get("replicasPerMaster"))
        .filter(|v| v.is_number())
        .cloned();
    if let Some(n) = replicas {
        p.insert("replicasPerPrimary".into(), n.clone());
        p.insert("replicasPerMaster".into(), n);
    }
    // Write-only secrets are used, never kept: the store (on disk) must not
    // hold them, as Azure never returns them.
    hide(body);
    Ok(Write::body(body.clone()))
}

fn check_delete(ctx: &Ctx, row: &Row) -> Result<Vec<(String, String, Option<J>)>, ArmError> {
    if !links_of(ctx.store, &ctx.path.subscription, &row.id).is_empty() {
        return Err(ArmError::conflict(
            "Conflict",
            "A geo-replicated cache cannot be deleted: remove the link first.",
        ));
    }
    Ok(vec![])
}

fn check_link(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    if ctx.existing.is_some() {
        return Err(ArmError::conflict(
            "Conflict",
            "A link cannot be changed: delete it and create a new one.",
        ));
    }
    let primary_id = ctx.path.parent_id().unwrap_or_default();
    let primary = ctx.get(&primary_id)?.ok_or_else(|| {
        ArmError::not_found(
            "ParentResourceNotFound",
            "The primary cache does not exist.",
        )
    })?;
    let secondary_id = str_prop(body, &["linkedRedisCacheId"])
        .ok_or_else(|| {
            ArmError::bad_request("InvalidRequestContent", "linkedRedisCacheId is required.")
                .with_target("properties.linkedRedisCacheId")
        })?
        .to_string();
    let secondary = ctx.get(&secondary_id)?.ok_or_else(|| {
        ArmError::bad_request(
            "LinkedCacheNotFound",
            format!("The cache '{secondary_id}' does not exist."),
        )
    })?;
    if !secondary_id
        .split('/')
        .nth(2)
        .unwrap_or_default()
        .eq_ignore_ascii_case(&ctx.path.subscription)
    {
        return Err(ArmError::bad_request(
            "InvalidParameter",
            "Both caches must be in the same subscription.",
        ));
    }
    if !premium(&primary.body) || !premium(&secondary.body) {
        return Err(ArmError::bad_request(
            "GeoReplicationRequiresPremium",
            "Geo-replication needs both caches on the Premium tier.",
        ));
    }
    if capacity(&secondary.body) < capacity(&primary.body) {
        return Err(ArmError::bad_request(
            "InvalidParameter",
            "The secondary cache must be at least as large as the primary.",
        ));
    }
    if persistence(&primary.body) || persistence(&secondary.body) {
        return Err(ArmError::bad_request(
            "GeoReplicationPersistenceNotSupported",
            "Geo-replication is not supported on caches with data persistence (RDB or AOF); disable persistence on both caches.",
        ));
    }
    for c in [&primary.id, &secondary.id] {
        if !links_of(ctx.store, &ctx.path.subscription, c).is_empty() {
            return Err(ArmError::conflict(
                "Conflict",
                format!("The cache '{c}' is already geo-replicated."),
            ));
        }
    }
    let p = props(body);
    p.insert("linkedRedisCacheId".into(), json!(secondary.id));
    p.insert(
        "linkedRedisCacheLocation".into(),
        secondary.body.get("location").cloned().unwrap_or(J::Null),
    );
    p.insert("serverRole".into(), json!("Secondary"));
    p.insert(
        "geoReplicatedPrimaryHostName".into(),
        json!(format!("{}.geo.redis.cache.windows.net", ctx.path.name())),
    );
    p.insert(
        "primaryHostName".into(),
        prop(&primary.body, &["hostName"])
            .cloned()
            .unwrap_or(J::Null),
    );
    Ok(Write::body(body.clone()))
}

/// Caches report their links.
fn decorate(store: &Store, body: &mut J) {
    let Some(id) = body.get("id").and_then(J::as_str).map(str::to_string) else {
        return;
    };
    let sub = id.split('/').nth(2).unwrap_or_default().to_string();
    let links: Vec<J> = links_of(store, &sub, &id)
        .iter()
        .map(|l| {
            let primary = l.id.to_lowercase().starts_with(&format!("{}/", id.to_lowercase()));
            json!({"id": if primary { l.id.clone() } else { l.id.rsplit_once("/linkedServers/").map(|(p, _)| p.to_string()).unwrap_or_default() }, "role": if primary { "Primary" } else { "Secondary" }})
        })
        .collect();
    props(body).insert("linkedServers".into(), J::Array(links));
}

fn hide(body: &mut J) {
    if let Some(cfg) = body
        .get_mut("properties")
        .and_then(|p| p.get_mut("redisConfiguration"))
        .and_then(J::as_object_mut)
    {
        for k in WRITE_ONLY {
            cfg.remove(*k);
        }
    }
}

pub fn specs() -> Vec<Spec> {
    let versions: &[&str] = &["2024-11-01", "2024-03-01", "2023-08-01", "2023-04-01"];
    vec![
        Spec {
            lro_put: Lro::ProvisioningState,
            lro_delete: Lro::Location,
            create_secs: 900.0,
            update_secs: 300.0,
            delete_secs: 300.0,
            located: true,
            check_delete,
            hide,
            decorate,
            ..Spec::plain(TYPE, versions, name, check)
        },
        Spec {
            lro_put: Lro::ProvisioningState,
            lro_delete: Lro::Location,
            create_secs: 600.0,
            update_secs: 600.0,
            delete_secs: 120.0,
            ..Spec::plain(LINK, versions, name, check_link)
        },
        Spec {
            decorate: schedule_envelope,
            ..Spec::plain(
                "Microsoft.Cache/redis/patchSchedules",
                versions,
                patch_schedule_name,
                check_patch_schedule,
            )
        },
    ]
}

fn patch_schedule_name(n: &str) -> Result<(), InvalidName> {
    if n != "default" {
        return Err(InvalidName(format!(
            "'{n}' is not a valid patch schedule name: it must be 'default'."
        )));
    }
    Ok(())
}

/// A cache's patch schedule: each entry names a day and an hour (UTC);
/// the window defaults to five hours, as Azure fills it.
fn check_patch_schedule(_ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    const DAYS: &[&str] = &[
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Everyday",
        "Weekend",
    ];
    let mut entries = prop(body, &["scheduleEntries"])
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default();
    for e in entries.iter_mut() {
        let day = e["dayOfWeek"].as_str().unwrap_or_default();
        if !DAYS.iter().any(|d| d.eq_ignore_ascii_case(day)) {
            return Err(ArmError::bad_request(
                "InvalidRequestBody",
                format!("'{day}' is not a valid dayOfWeek for a patch schedule entry."),
            )
            .with_target("properties.scheduleEntries.dayOfWeek"));
        }
        if let Some(h) = e.get("startHourUtc").and_then(J::as_f64)
            && !(0.0..=23.0).contains(&h)
        {
            return Err(ArmError::bad_request(
                "InvalidRequestBody",
                "startHourUtc must be between 0 and 23.",
            )
            .with_target("properties.scheduleEntries.startHourUtc"));
        }
        if e.get("maintenanceWindow").is_none_or(J::is_null) {
            e["maintenanceWindow"] = json!("PT5H");
        }
    }
    props(body).insert("scheduleEntries".into(), J::Array(entries));
    Ok(Write::body(body.clone()))
}

/// The body of a cache's `listKeys` (and `regenerateKey`): `RedisAccessKeys`.
pub fn keys_body(keys: &[String]) -> J {
    json!({
        "primaryKey": keys.first().cloned().unwrap_or_default(),
        "secondaryKey": keys.get(1).cloned().unwrap_or_default(),
    })
}

/// A patch schedule answers as `{cache}/default`, in its cache's location.
fn schedule_envelope(store: &Store, body: &mut J) {
    if let Some(location) = parent_body(store, body).and_then(|c| c.get("location").cloned()) {
        body["location"] = location;
    }
    name_under_parent(store, body);
}

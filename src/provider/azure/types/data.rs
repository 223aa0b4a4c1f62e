//! Where data lives: PostgreSQL flexible servers, Redis caches and their
//! geo-replication links, storage accounts.

use serde_json::{Value as J, json};

use super::common::{LOCATION, NAME, RG, TAGS};
use crate::lang::Value;
use crate::provider::azure::convert::{Arg, Conv, Kind, arg};
use crate::provider::azure::typedef::{Attrs, attr_str};

// ---- PostgreSQL Flexible Server ----
pub(super) const HIGH_AVAILABILITY: &[Arg] = &[
    arg("mode", "mode", Kind::Str).req(),
    arg(
        "standby_availability_zone",
        "standbyAvailabilityZone",
        Kind::Str,
    )
    .computed(),
];
pub(super) const POSTGRES: &[Arg] = &[
    NAME,
    LOCATION,
    RG,
    arg("version", "properties.version", Kind::Str).computed(),
    arg("sku_name", "", Kind::Str).computed(),
    arg("storage_mb", "properties.storage.storageSizeGB", Kind::Num)
        .computed()
        .conv(Conv::MbToGb),
    arg(
        "administrator_login",
        "properties.administratorLogin",
        Kind::Str,
    )
    .computed()
    .force_new(),
    arg(
        "administrator_password",
        "properties.administratorLoginPassword",
        Kind::Str,
    )
    .secret(),
    arg(
        "backup_retention_days",
        "properties.backup.backupRetentionDays",
        Kind::Num,
    )
    .computed(),
    arg(
        "geo_redundant_backup_enabled",
        "properties.backup.geoRedundantBackup",
        Kind::Bool,
    )
    .computed()
    .force_new()
    .conv(Conv::Enabled),
    arg(
        "high_availability",
        "properties.highAvailability",
        Kind::Block(HIGH_AVAILABILITY),
    )
    .computed(),
    arg("zone", "properties.availabilityZone", Kind::Str).computed(),
    arg("create_mode", "properties.createMode", Kind::Str).create_only(),
    arg(
        "source_server_id",
        "properties.sourceServerResourceId",
        Kind::Str,
    )
    .create_only(),
    arg(
        "point_in_time_restore_time_in_utc",
        "properties.pointInTimeUTC",
        Kind::Str,
    )
    .create_only(),
    arg("replication_role", "properties.replicationRole", Kind::Str).computed(),
    arg("fqdn", "properties.fullyQualifiedDomainName", Kind::Str).read_only(),
    TAGS,
];

pub(super) fn pg_to_body(a: &Attrs, body: &mut J) {
    if let Some(sku) = attr_str(a, "sku_name") {
        let (tier, name) = match sku.split_once('_') {
            Some(("B", n)) => ("Burstable", n),
            Some(("GP", n)) => ("GeneralPurpose", n),
            Some(("MO", n)) => ("MemoryOptimized", n),
            _ => ("GeneralPurpose", sku),
        };
        body["sku"] = json!({"name": name, "tier": tier});
    }
}

pub(super) fn pg_from_body(body: &J, a: &mut Attrs) {
    let tier = body["sku"]["tier"].as_str().unwrap_or_default();
    let name = body["sku"]["name"].as_str().unwrap_or_default();
    let prefix = match tier {
        "Burstable" => "B",
        "MemoryOptimized" => "MO",
        _ => "GP",
    };
    if !name.is_empty() {
        a.insert("sku_name".into(), Value::String(format!("{prefix}_{name}")));
    }
    // Azure reports a standalone server that gained replicas as "Primary";
    // for azurerm's argument (whose one value is "None") that is no change,
    // so creating the DR replica does not show as drift on its source.
    if matches!(a.get("replication_role"), Some(Value::String(r)) if r == "Primary") {
        a.insert("replication_role".into(), Value::String("None".into()));
    }
}

// ---- Redis ----
pub(super) const REDIS_CONFIGURATION: &[Arg] = &[
    arg("aof_backup_enabled", "aof-backup-enabled", Kind::Bool).conv(Conv::BoolString),
    arg(
        "aof_storage_connection_string_0",
        "aof-storage-connection-string-0",
        Kind::Str,
    )
    .secret(),
    arg(
        "aof_storage_connection_string_1",
        "aof-storage-connection-string-1",
        Kind::Str,
    )
    .secret(),
    arg("rdb_backup_enabled", "rdb-backup-enabled", Kind::Bool).conv(Conv::BoolString),
    arg("rdb_backup_frequency", "rdb-backup-frequency", Kind::Str),
    arg(
        "rdb_backup_max_snapshot_count",
        "rdb-backup-max-snapshot-count",
        Kind::Str,
    ),
    arg(
        "rdb_storage_connection_string",
        "rdb-storage-connection-string",
        Kind::Str,
    )
    .secret(),
    arg("maxmemory_policy", "maxmemory-policy", Kind::Str),
];
pub(super) const REDIS: &[Arg] = &[
    NAME,
    LOCATION,
    RG,
    arg("capacity", "sku.capacity", Kind::Num).req(),
    arg("family", "sku.family", Kind::Str).req(),
    arg("sku_name", "sku.name", Kind::Str).req(),
    arg(
        "non_ssl_port_enabled",
        "properties.enableNonSslPort",
        Kind::Bool,
    )
    .computed(),
    arg(
        "minimum_tls_version",
        "properties.minimumTlsVersion",
        Kind::Str,
    )
    .computed(),
    arg("redis_version", "properties.redisVersion", Kind::Str).computed(),
    arg("shard_count", "properties.shardCount", Kind::Num),
    arg("zones", "zones", Kind::StrList).force_new(),
    arg(
        "redis_configuration",
        "properties.redisConfiguration",
        Kind::Block(REDIS_CONFIGURATION),
    ),
    arg("hostname", "properties.hostName", Kind::Str).read_only(),
    arg("port", "properties.port", Kind::Num).read_only(),
    arg("ssl_port", "properties.sslPort", Kind::Num).read_only(),
    TAGS,
];
pub(super) const REDIS_LINK: &[Arg] = &[
    arg("target_redis_cache_name", "", Kind::Str)
        .req()
        .force_new(),
    RG,
    arg(
        "linked_redis_cache_id",
        "properties.linkedRedisCacheId",
        Kind::Str,
    )
    .req()
    .force_new(),
    arg(
        "linked_redis_cache_location",
        "properties.linkedRedisCacheLocation",
        Kind::Str,
    )
    .req()
    .force_new()
    .conv(Conv::Location),
    arg("server_role", "properties.serverRole", Kind::Str)
        .req()
        .force_new(),
    arg("name", "name", Kind::Str).read_only(),
    arg(
        "geo_replicated_primary_host_name",
        "properties.geoReplicatedPrimaryHostName",
        Kind::Str,
    )
    .read_only(),
];

// ---- Storage ----
pub(super) const STORAGE: &[Arg] = &[
    NAME,
    LOCATION,
    RG,
    arg("account_tier", "", Kind::Str).req().force_new(),
    arg("account_replication_type", "", Kind::Str).req(),
    arg("account_kind", "kind", Kind::Str).computed(),
    arg("access_tier", "properties.accessTier", Kind::Str).computed(),
    arg("min_tls_version", "properties.minimumTlsVersion", Kind::Str).computed(),
    arg(
        "https_traffic_only_enabled",
        "properties.supportsHttpsTrafficOnly",
        Kind::Bool,
    )
    .computed(),
    arg(
        "allow_nested_items_to_be_public",
        "properties.allowBlobPublicAccess",
        Kind::Bool,
    )
    .computed(),
    arg("primary_location", "properties.primaryLocation", Kind::Str).read_only(),
    arg(
        "secondary_location",
        "properties.secondaryLocation",
        Kind::Str,
    )
    .read_only(),
    arg(
        "primary_blob_endpoint",
        "properties.primaryEndpoints.blob",
        Kind::Str,
    )
    .read_only(),
    // The account's blob service is a child resource (blobServices/default);
    // the provider writes and reads it beside the account (see mod.rs).
    arg(
        "blob_properties",
        "blobServices.properties",
        Kind::Block(BLOB_PROPERTIES),
    ),
    TAGS,
];
pub(super) const RETENTION: &[Arg] = &[arg("days", "days", Kind::Num).req()];
pub(super) const BLOB_PROPERTIES: &[Arg] = &[
    arg("versioning_enabled", "isVersioningEnabled", Kind::Bool).computed(),
    arg("change_feed_enabled", "changeFeed.enabled", Kind::Bool).computed(),
    arg(
        "delete_retention_policy",
        "deleteRetentionPolicy",
        Kind::Block(RETENTION),
    ),
    arg(
        "container_delete_retention_policy",
        "containerDeleteRetentionPolicy",
        Kind::Block(RETENTION),
    ),
];

pub(super) const RETENTION_POLICIES: [(&str, &str); 2] = [
    ("delete_retention_policy", "deleteRetentionPolicy"),
    (
        "container_delete_retention_policy",
        "containerDeleteRetentionPolicy",
    ),
];

pub(super) fn storage_to_body(a: &Attrs, body: &mut J) {
    if let (Some(tier), Some(repl)) = (
        attr_str(a, "account_tier"),
        attr_str(a, "account_replication_type"),
    ) {
        body["sku"] = json!({"name": format!("{tier}_{repl}")});
    }
    // A retention block in the configuration is an enabled policy.
    if let Some(p) = body
        .pointer_mut("/blobServices/properties")
        .and_then(J::as_object_mut)
    {
        for (_, arm) in RETENTION_POLICIES {
            if let Some(policy) = p.get_mut(arm).and_then(J::as_object_mut) {
                policy.insert("enabled".into(), json!(true));
            }
        }
    }
}

pub(super) fn storage_from_body(body: &J, a: &mut Attrs) {
    if let Some((tier, repl)) = body["sku"]["name"].as_str().and_then(|n| n.split_once('_')) {
        a.insert("account_tier".into(), Value::String(tier.into()));
        a.insert(
            "account_replication_type".into(),
            Value::String(repl.into()),
        );
    }
    // A disabled policy is no block, as azurerm shows it.
    if let Some(Value::List(blocks)) = a.get_mut("blob_properties")
        && let Some(Value::Object(m)) = blocks.first_mut()
    {
        for (name, arm) in RETENTION_POLICIES {
            if body
                .pointer(&format!("/blobServices/properties/{arm}/enabled"))
                .and_then(J::as_bool)
                != Some(true)
            {
                m.insert(name.into(), Value::List(vec![]));
            }
        }
    }
}

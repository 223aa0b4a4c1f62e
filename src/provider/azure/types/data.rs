//! Where data lives: PostgreSQL flexible servers, Redis caches and their
//! geo-replication links, storage accounts.

use serde_json::{Value as J, json};

use super::common::{IDENTITY, LOCATION, NAME, RG, TAGS};
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
const PG_AUTH: &[Arg] = &[
    arg(
        "active_directory_auth_enabled",
        "activeDirectoryAuth",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::Enabled),
    arg("password_auth_enabled", "passwordAuth", Kind::Bool)
        .computed()
        .conv(Conv::Enabled),
    arg("tenant_id", "tenantId", Kind::Str).computed(),
];
const PG_CLUSTER: &[Arg] = &[
    arg("size", "clusterSize", Kind::Num).req(),
    arg("default_database_name", "defaultDatabaseName", Kind::Str)
        .computed()
        .force_new(),
];
const PG_CMK: &[Arg] = &[
    arg("key_vault_key_id", "primaryKeyURI", Kind::Str).req(),
    arg(
        "primary_user_assigned_identity_id",
        "primaryUserAssignedIdentityId",
        Kind::Str,
    ),
    arg("geo_backup_key_vault_key_id", "geoBackupKeyURI", Kind::Str),
    arg(
        "geo_backup_user_assigned_identity_id",
        "geoBackupUserAssignedIdentityId",
        Kind::Str,
    ),
];
const PG_MAINTENANCE: &[Arg] = &[
    arg("day_of_week", "dayOfWeek", Kind::Num),
    arg("start_hour", "startHour", Kind::Num),
    arg("start_minute", "startMinute", Kind::Num),
];
pub(super) const POSTGRES: &[Arg] = &[
    NAME,
    LOCATION,
    RG,
    IDENTITY,
    arg(
        "authentication",
        "properties.authConfig",
        Kind::Block(PG_AUTH),
    )
    .computed(),
    arg(
        "auto_grow_enabled",
        "properties.storage.autoGrow",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::Enabled),
    arg("storage_tier", "properties.storage.tier", Kind::Str).computed(),
    arg("cluster", "properties.cluster", Kind::Block(PG_CLUSTER)),
    arg(
        "customer_managed_key",
        "properties.dataEncryption",
        Kind::Block(PG_CMK),
    )
    .force_new(),
    arg(
        "delegated_subnet_id",
        "properties.network.delegatedSubnetResourceId",
        Kind::Str,
    )
    .force_new(),
    arg(
        "private_dns_zone_id",
        "properties.network.privateDnsZoneArmResourceId",
        Kind::Str,
    )
    .computed(),
    arg(
        "public_network_access_enabled",
        "properties.network.publicNetworkAccess",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::Enabled),
    arg(
        "maintenance_window",
        "properties.maintenanceWindow",
        Kind::Block(PG_MAINTENANCE),
    ),
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
        "administrator_password_wo",
        "properties.administratorLoginPassword",
        Kind::Str,
    )
    .write_only_with("administrator_password_wo_version"),
    arg("administrator_password_wo_version", "", Kind::Num),
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
    // A customer-managed key is a Key Vault key; a custom maintenance
    // window is one the configuration gives (else Azure picks). Only when
    // the configuration has the block: the body an update starts from is
    // Azure's, which carries its own window and system-managed encryption.
    let given = |name: &str| {
        a.get(name)
            .and_then(Value::as_seq)
            .is_some_and(|s| !s.is_empty())
    };
    if given("customer_managed_key")
        && let Some(e) = body
            .pointer_mut("/properties/dataEncryption")
            .and_then(J::as_object_mut)
    {
        e.insert("type".into(), json!("AzureKeyVault"));
    }
    if given("maintenance_window")
        && let Some(m) = body
            .pointer_mut("/properties/maintenanceWindow")
            .and_then(J::as_object_mut)
    {
        m.insert("customWindow".into(), json!("Enabled"));
    }
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
    // Azure's own window (customWindow Disabled) is no block.
    if body
        .pointer("/properties/maintenanceWindow/customWindow")
        .and_then(J::as_str)
        .is_some_and(|c| !c.eq_ignore_ascii_case("Enabled"))
    {
        a.insert("maintenance_window".into(), Value::List(vec![]));
    }
    if body
        .pointer("/properties/dataEncryption/primaryKeyURI")
        .is_none_or(J::is_null)
    {
        a.insert("customer_managed_key".into(), Value::List(vec![]));
    }
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
    // azurerm's TypeInt; ARM keeps every redisConfiguration value as a string.
    arg("rdb_backup_frequency", "rdb-backup-frequency", Kind::Num).conv(Conv::NumString),
    arg(
        "rdb_backup_max_snapshot_count",
        "rdb-backup-max-snapshot-count",
        Kind::Num,
    )
    .conv(Conv::NumString),
    arg(
        "rdb_storage_connection_string",
        "rdb-storage-connection-string",
        Kind::Str,
    )
    .secret(),
    arg("maxmemory_policy", "maxmemory-policy", Kind::Str).computed(),
    arg(
        "active_directory_authentication_enabled",
        "aad-enabled",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::BoolString),
    arg("authentication_enabled", "authnotrequired", Kind::Bool)
        .computed()
        .conv(Conv::NotBoolString),
    arg(
        "data_persistence_authentication_method",
        "preferred-data-persistence-auth-method",
        Kind::Str,
    ),
    arg(
        "maxfragmentationmemory_reserved",
        "maxfragmentationmemory-reserved",
        Kind::Num,
    )
    .computed()
    .conv(Conv::NumString),
    arg("maxmemory_delta", "maxmemory-delta", Kind::Num)
        .computed()
        .conv(Conv::NumString),
    arg("maxmemory_reserved", "maxmemory-reserved", Kind::Num)
        .computed()
        .conv(Conv::NumString),
    arg(
        "notify_keyspace_events",
        "notify-keyspace-events",
        Kind::Str,
    ),
    arg(
        "storage_account_subscription_id",
        "storage-subscription-id",
        Kind::Str,
    ),
];
const PATCH_SCHEDULE: &[Arg] = &[
    arg("day_of_week", "dayOfWeek", Kind::Str).req(),
    arg("start_hour_utc", "startHourUtc", Kind::Num),
    arg("maintenance_window", "maintenanceWindow", Kind::Str).computed(),
];
pub(super) const REDIS: &[Arg] = &[
    NAME,
    LOCATION,
    RG,
    arg("capacity", "properties.sku.capacity", Kind::Num).req(),
    arg("family", "properties.sku.family", Kind::Str).req(),
    arg("sku_name", "properties.sku.name", Kind::Str).req(),
    arg(
        "non_ssl_port_enabled",
        "properties.enableNonSslPort",
        Kind::Bool,
    )
    .computed()
    .default("false"),
    arg(
        "minimum_tls_version",
        "properties.minimumTlsVersion",
        Kind::Str,
    )
    .computed()
    .default("\"1.2\""),
    arg("redis_version", "properties.redisVersion", Kind::Str).computed(),
    arg("shard_count", "properties.shardCount", Kind::Num),
    arg("zones", "zones", Kind::StrList).force_new(),
    IDENTITY,
    arg(
        "access_keys_authentication_enabled",
        "properties.disableAccessKeyAuthentication",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::Not)
    .default("true"),
    // A child resource (`patchSchedules/default`): see children.rs.
    arg(
        "patch_schedule",
        "patchSchedule.properties.scheduleEntries",
        Kind::BlockList(PATCH_SCHEDULE),
    ),
    arg(
        "private_static_ip_address",
        "properties.staticIP",
        Kind::Str,
    )
    .computed()
    .force_new(),
    arg(
        "public_network_access_enabled",
        "properties.publicNetworkAccess",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::Enabled),
    arg(
        "replicas_per_master",
        "properties.replicasPerMaster",
        Kind::Num,
    )
    .computed(),
    arg(
        "replicas_per_primary",
        "properties.replicasPerPrimary",
        Kind::Num,
    )
    .computed(),
    arg("subnet_id", "properties.subnetId", Kind::Str).force_new(),
    arg("tenant_settings", "properties.tenantSettings", Kind::StrMap),
    arg(
        "redis_configuration",
        "properties.redisConfiguration",
        Kind::Block(REDIS_CONFIGURATION),
    )
    .computed(),
    arg("hostname", "properties.hostName", Kind::Str).read_only(),
    arg("port", "properties.port", Kind::Num).read_only(),
    arg("ssl_port", "properties.sslPort", Kind::Num).read_only(),
    // From `listKeys` (provider/azure/secrets.rs).
    arg("primary_access_key", "", Kind::Str).exported_secret(),
    arg("secondary_access_key", "", Kind::Str).exported_secret(),
    arg("primary_connection_string", "", Kind::Str).exported_secret(),
    arg("secondary_connection_string", "", Kind::Str).exported_secret(),
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
    arg("account_kind", "kind", Kind::Str)
        .computed()
        .default("\"StorageV2\""),
    arg("access_tier", "properties.accessTier", Kind::Str).computed(),
    arg("min_tls_version", "properties.minimumTlsVersion", Kind::Str)
        .computed()
        .default("\"TLS1_2\""),
    arg(
        "https_traffic_only_enabled",
        "properties.supportsHttpsTrafficOnly",
        Kind::Bool,
    )
    .computed()
    .default("true"),
    arg(
        "allow_nested_items_to_be_public",
        "properties.allowBlobPublicAccess",
        Kind::Bool,
    )
    .computed()
    .default("true"),
    IDENTITY,
    arg(
        "allowed_copy_scope",
        "properties.allowedCopyScope",
        Kind::Str,
    ),
    arg(
        "azure_files_authentication",
        "properties.azureFilesIdentityBasedAuthentication",
        Kind::Block(FILES_AUTH),
    ),
    arg(
        "cross_tenant_replication_enabled",
        "properties.allowCrossTenantReplication",
        Kind::Bool,
    )
    .computed(),
    arg(
        "custom_domain",
        "properties.customDomain",
        Kind::Block(CUSTOM_DOMAIN),
    ),
    // A Key Vault key id split into vault, name and version: see
    // `storage_to_body`.
    arg("customer_managed_key", "", Kind::Block(STORAGE_CMK)),
    arg(
        "default_to_oauth_authentication",
        "properties.defaultToOAuthAuthentication",
        Kind::Bool,
    )
    .computed()
    .default("false"),
    arg("dns_endpoint_type", "properties.dnsEndpointType", Kind::Str)
        .computed()
        .force_new()
        .default("\"Standard\""),
    arg("edge_zone", "extendedLocation.name", Kind::Str).force_new(),
    arg(
        "immutability_policy",
        "properties.immutableStorageWithVersioning",
        Kind::Block(IMMUTABILITY),
    )
    .switch("enabled")
    .force_new(),
    arg(
        "infrastructure_encryption_enabled",
        "properties.encryption.requireInfrastructureEncryption",
        Kind::Bool,
    )
    .computed()
    .force_new()
    .default("false"),
    arg("is_hns_enabled", "properties.isHnsEnabled", Kind::Bool)
        .computed()
        .force_new()
        .default("false"),
    arg(
        "large_file_share_enabled",
        "properties.largeFileSharesState",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::Enabled),
    arg(
        "local_user_enabled",
        "properties.isLocalUserEnabled",
        Kind::Bool,
    )
    .computed()
    .default("true"),
    arg(
        "network_rules",
        "properties.networkAcls",
        Kind::Block(NETWORK_RULES),
    )
    .computed(),
    arg("nfsv3_enabled", "properties.isNfsV3Enabled", Kind::Bool)
        .computed()
        .force_new()
        .default("false"),
    // Part of the SKU's name (`StandardV2_LRS`): see `storage_to_body`.
    arg("provisioned_billing_model_version", "", Kind::Str).force_new(),
    arg(
        "public_network_access_enabled",
        "properties.publicNetworkAccess",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::Enabled),
    arg(
        "queue_encryption_key_type",
        "properties.encryption.services.queue.keyType",
        Kind::Str,
    )
    .computed()
    .force_new()
    .default("\"Service\""),
    arg(
        "table_encryption_key_type",
        "properties.encryption.services.table.keyType",
        Kind::Str,
    )
    .computed()
    .force_new()
    .default("\"Service\""),
    arg(
        "routing",
        "properties.routingPreference",
        Kind::Block(ROUTING),
    ),
    arg(
        "sas_policy",
        "properties.sasPolicy",
        Kind::Block(SAS_POLICY),
    ),
    arg("sftp_enabled", "properties.isSftpEnabled", Kind::Bool)
        .computed()
        .default("false"),
    arg(
        "shared_access_key_enabled",
        "properties.allowSharedKeyAccess",
        Kind::Bool,
    )
    .computed()
    .default("true"),
    // The file service is a child resource (fileServices/default).
    arg(
        "share_properties",
        "fileServices.properties",
        Kind::Block(SHARE_PROPERTIES),
    )
    .computed(),
    arg("primary_location", "properties.primaryLocation", Kind::Str).read_only(),
    arg(
        "secondary_location",
        "properties.secondaryLocation",
        Kind::Str,
    )
    .read_only(),
    // The endpoints and their hosts: storage_endpoints.rs.
    // From `listKeys` (provider/azure/secrets.rs).
    arg("primary_access_key", "", Kind::Str).exported_secret(),
    arg("secondary_access_key", "", Kind::Str).exported_secret(),
    arg("primary_connection_string", "", Kind::Str).exported_secret(),
    arg("secondary_connection_string", "", Kind::Str).exported_secret(),
    arg("primary_blob_connection_string", "", Kind::Str).exported_secret(),
    arg("secondary_blob_connection_string", "", Kind::Str).exported_secret(),
    // The account's blob service is a child resource (blobServices/default);
    // the provider writes and reads it beside the account (see mod.rs).
    arg(
        "blob_properties",
        "blobServices.properties",
        Kind::Block(BLOB_PROPERTIES),
    ),
    TAGS,
];
/// azurerm: `days` may be left out and defaults to 7 in each retention block.
const RETENTION: &[Arg] = &[arg("days", "days", Kind::Num).default("7")];
const DELETE_RETENTION: &[Arg] = &[
    arg("days", "days", Kind::Num).default("7"),
    arg(
        "permanent_delete_enabled",
        "allowPermanentDelete",
        Kind::Bool,
    ),
];
const CORS_RULE: &[Arg] = &[
    arg("allowed_headers", "allowedHeaders", Kind::StrList).req(),
    arg("allowed_methods", "allowedMethods", Kind::StrList).req(),
    arg("allowed_origins", "allowedOrigins", Kind::StrList).req(),
    arg("exposed_headers", "exposedHeaders", Kind::StrList).req(),
    arg("max_age_in_seconds", "maxAgeInSeconds", Kind::Num).req(),
];
const RESTORE_POLICY: &[Arg] = &[arg("days", "days", Kind::Num).req()];
const AD_PROPERTIES: &[Arg] = &[
    arg("domain_name", "domainName", Kind::Str).req(),
    arg("domain_guid", "domainGuid", Kind::Str).req(),
    arg("domain_sid", "domainSid", Kind::Str),
    arg("forest_name", "forestName", Kind::Str),
    arg("netbios_domain_name", "netBiosDomainName", Kind::Str),
    arg("storage_sid", "azureStorageSid", Kind::Str),
];
const FILES_AUTH: &[Arg] = &[
    arg("directory_type", "directoryServiceOptions", Kind::Str).req(),
    arg(
        "default_share_level_permission",
        "defaultSharePermission",
        Kind::Str,
    )
    .computed(),
    arg(
        "active_directory",
        "activeDirectoryProperties",
        Kind::Block(AD_PROPERTIES),
    ),
];
const CUSTOM_DOMAIN: &[Arg] = &[
    arg("name", "name", Kind::Str).req(),
    arg("use_subdomain", "useSubDomainName", Kind::Bool),
];
const STORAGE_CMK: &[Arg] = &[
    arg("key_vault_key_id", "", Kind::Str),
    arg("user_assigned_identity_id", "", Kind::Str).req(),
];
const IMMUTABILITY: &[Arg] = &[
    arg(
        "allow_protected_append_writes",
        "immutabilityPolicy.allowProtectedAppendWrites",
        Kind::Bool,
    )
    .req(),
    arg(
        "period_since_creation_in_days",
        "immutabilityPolicy.immutabilityPeriodSinceCreationInDays",
        Kind::Num,
    )
    .req(),
    arg("state", "immutabilityPolicy.state", Kind::Str).req(),
];
const PRIVATE_LINK_ACCESS: &[Arg] = &[
    arg("endpoint_resource_id", "resourceId", Kind::Str).req(),
    arg("endpoint_tenant_id", "tenantId", Kind::Str).computed(),
];
const NETWORK_RULES: &[Arg] = &[
    arg("default_action", "defaultAction", Kind::Str).req(),
    arg("bypass", "bypass", Kind::StrList)
        .computed()
        .conv(Conv::Joined(", ")),
    arg("ip_rules", "ipRules", Kind::StrList).conv(Conv::Wrapped("value")),
    arg(
        "virtual_network_subnet_ids",
        "virtualNetworkRules",
        Kind::StrList,
    )
    .conv(Conv::Wrapped("id")),
    arg(
        "private_link_access",
        "resourceAccessRules",
        Kind::BlockList(PRIVATE_LINK_ACCESS),
    ),
];
const ROUTING: &[Arg] = &[
    arg("choice", "routingChoice", Kind::Str).computed(),
    arg(
        "publish_internet_endpoints",
        "publishInternetEndpoints",
        Kind::Bool,
    ),
    arg(
        "publish_microsoft_endpoints",
        "publishMicrosoftEndpoints",
        Kind::Bool,
    ),
];
const SAS_POLICY: &[Arg] = &[
    arg("expiration_period", "sasExpirationPeriod", Kind::Str).req(),
    arg("expiration_action", "expirationAction", Kind::Str).computed(),
];
const SMB: &[Arg] = &[
    arg("versions", "versions", Kind::StrList).conv(Conv::Joined(";")),
    arg(
        "authentication_types",
        "authenticationMethods",
        Kind::StrList,
    )
    .conv(Conv::Joined(";")),
    arg(
        "kerberos_ticket_encryption_type",
        "kerberosTicketEncryption",
        Kind::StrList,
    )
    .conv(Conv::Joined(";")),
    arg(
        "channel_encryption_type",
        "channelEncryption",
        Kind::StrList,
    )
    .conv(Conv::Joined(";")),
    arg("multichannel_enabled", "multichannel.enabled", Kind::Bool),
];
const SHARE_RETENTION: &[Arg] = &[arg("days", "days", Kind::Num).default("7")];
const SHARE_PROPERTIES: &[Arg] = &[
    arg("cors_rule", "cors.corsRules", Kind::BlockList(CORS_RULE)),
    arg(
        "retention_policy",
        "shareDeleteRetentionPolicy",
        Kind::Block(SHARE_RETENTION),
    )
    .switch("enabled"),
    arg("smb", "protocolSettings.smb", Kind::Block(SMB)),
];
pub(super) const BLOB_PROPERTIES: &[Arg] = &[
    arg(
        "change_feed_retention_in_days",
        "changeFeed.retentionInDays",
        Kind::Num,
    ),
    arg("cors_rule", "cors.corsRules", Kind::BlockList(CORS_RULE)),
    arg(
        "default_service_version",
        "defaultServiceVersion",
        Kind::Str,
    )
    .computed(),
    arg(
        "last_access_time_enabled",
        "lastAccessTimeTrackingPolicy.enable",
        Kind::Bool,
    ),
    arg(
        "restore_policy",
        "restorePolicy",
        Kind::Block(RESTORE_POLICY),
    )
    .switch("enabled"),
    arg("versioning_enabled", "isVersioningEnabled", Kind::Bool).computed(),
    arg("change_feed_enabled", "changeFeed.enabled", Kind::Bool).computed(),
    arg(
        "delete_retention_policy",
        "deleteRetentionPolicy",
        Kind::Block(DELETE_RETENTION),
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
        let version = attr_str(a, "provisioned_billing_model_version").unwrap_or_default();
        body["sku"] = json!({"name": format!("{tier}{version}_{repl}")});
    }
    if attr_str(a, "edge_zone").is_some() {
        body["extendedLocation"]["type"] = json!("EdgeZone");
    }
    if let Some(cmk) = a
        .get("customer_managed_key")
        .and_then(|v| v.as_seq())
        .and_then(|s| s.first())
        .and_then(|b| b.as_mapping())
    {
        let enc = &mut body["properties"]["encryption"];
        enc["keySource"] = json!("Microsoft.Keyvault");
        if let Some(key) = attr_str(cmk, "key_vault_key_id") {
            // https://{vault}.vault.azure.net/keys/{name}[/{version}]
            let (vault, rest) = match key.find("/keys/") {
                Some(i) => (&key[..i], &key[i + 6..]),
                None => (key, ""),
            };
            let mut parts = rest.split('/');
            enc["keyvaultproperties"] = json!({
                "keyvaulturi": vault,
                "keyname": parts.next().unwrap_or_default(),
                "keyversion": parts.next().unwrap_or_default(),
            });
        }
        if let Some(uid) = attr_str(cmk, "user_assigned_identity_id") {
            enc["identity"] = json!({"userAssignedIdentity": uid});
        }
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
    super::storage_endpoints::fill(body, a);
    if let Some((tier, repl)) = body["sku"]["name"].as_str().and_then(|n| n.split_once('_')) {
        let (tier, version) = match tier.find("V") {
            Some(i) if i > 0 => (&tier[..i], Some(&tier[i..])),
            _ => (tier, None),
        };
        a.insert(
            "provisioned_billing_model_version".into(),
            version
                .map(|v| Value::String(v.into()))
                .unwrap_or(Value::Null),
        );
        a.insert("account_tier".into(), Value::String(tier.into()));
        a.insert(
            "account_replication_type".into(),
            Value::String(repl.into()),
        );
    }
    let enc = &body["properties"]["encryption"];
    let cmk = if enc["keySource"]
        .as_str()
        .is_some_and(|k| k.eq_ignore_ascii_case("Microsoft.Keyvault"))
    {
        let kv = &enc["keyvaultproperties"];
        let uri = kv["keyvaulturi"].as_str().unwrap_or_default();
        let mut key = format!(
            "{}/keys/{}",
            uri.trim_end_matches('/'),
            kv["keyname"].as_str().unwrap_or_default()
        );
        if let Some(v) = kv["keyversion"].as_str().filter(|v| !v.is_empty()) {
            key = format!("{key}/{v}");
        }
        let mut m = Attrs::new();
        m.insert("key_vault_key_id".into(), Value::String(key));
        m.insert(
            "user_assigned_identity_id".into(),
            enc["identity"]["userAssignedIdentity"]
                .as_str()
                .map(|s| Value::String(s.into()))
                .unwrap_or(Value::Null),
        );
        vec![Value::Object(m)]
    } else {
        vec![]
    };
    a.insert("customer_managed_key".into(), Value::List(cmk));
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

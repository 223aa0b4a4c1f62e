//! The azurerm resource types drinfra manages, with azurerm's argument
//! names, and how each maps onto its ARM resource (api-versions pinned
//! here, one per type).

use serde_json::{Value as J, json};

use super::convert::Arg;
use super::convert::{Conv, Kind, arg};
use super::typedef::{Attrs, IdRule, TypeDef, attr_str, def};
use crate::lang::Value;

const NAME: Arg = arg("name", "", Kind::Str).req().force_new();
const RG: Arg = arg("resource_group_name", "", Kind::Str).req().force_new();
const LOCATION: Arg = arg("location", "location", Kind::Str)
    .req()
    .force_new()
    .conv(Conv::Location);
const TAGS: Arg = arg("tags", "tags", Kind::StrMap);

// ---- resource group ----
const RESOURCE_GROUP: &[Arg] = &[NAME, LOCATION, TAGS];

// ---- AKS ----
const NODE_POOL_PROFILE: &[Arg] = &[
    arg("name", "name", Kind::Str).req(),
    arg("vm_size", "vmSize", Kind::Str).req(),
    arg("node_count", "count", Kind::Num).computed(),
    arg("auto_scaling_enabled", "enableAutoScaling", Kind::Bool).computed(),
    arg("min_count", "minCount", Kind::Num),
    arg("max_count", "maxCount", Kind::Num),
    arg("zones", "availabilityZones", Kind::StrList),
    arg("max_pods", "maxPods", Kind::Num).computed(),
    arg("os_disk_size_gb", "osDiskSizeGB", Kind::Num).computed(),
    arg("orchestrator_version", "orchestratorVersion", Kind::Str).computed(),
    arg("node_labels", "nodeLabels", Kind::StrMap),
    arg("temporary_name_for_rotation", "", Kind::Str),
];
const KUBERNETES_CLUSTER: &[Arg] = &[
    NAME,
    LOCATION,
    RG,
    arg("dns_prefix", "properties.dnsPrefix", Kind::Str)
        .req()
        .force_new(),
    arg(
        "kubernetes_version",
        "properties.kubernetesVersion",
        Kind::Str,
    )
    .computed(),
    arg("sku_tier", "sku.tier", Kind::Str).computed(),
    arg(
        "default_node_pool",
        "properties.agentPoolProfiles.0",
        Kind::Block(NODE_POOL_PROFILE),
    )
    .req(),
    arg(
        "identity",
        "identity",
        Kind::Block(&[arg("type", "type", Kind::Str).req()]),
    ),
    arg("fqdn", "properties.fqdn", Kind::Str).read_only(),
    arg(
        "node_resource_group",
        "properties.nodeResourceGroup",
        Kind::Str,
    )
    .computed()
    .force_new(),
    TAGS,
];
const NODE_POOL: &[Arg] = &[
    NAME,
    arg("kubernetes_cluster_id", "", Kind::Str)
        .req()
        .force_new(),
    arg("vm_size", "properties.vmSize", Kind::Str).req(),
    arg("node_count", "properties.count", Kind::Num).computed(),
    arg(
        "auto_scaling_enabled",
        "properties.enableAutoScaling",
        Kind::Bool,
    )
    .computed(),
    arg("min_count", "properties.minCount", Kind::Num),
    arg("max_count", "properties.maxCount", Kind::Num),
    arg("mode", "properties.mode", Kind::Str).computed(),
    arg("zones", "properties.availabilityZones", Kind::StrList).force_new(),
    arg("max_pods", "properties.maxPods", Kind::Num)
        .computed()
        .force_new(),
    arg("os_disk_size_gb", "properties.osDiskSizeGB", Kind::Num)
        .computed()
        .force_new(),
    arg("os_type", "properties.osType", Kind::Str)
        .computed()
        .force_new(),
    arg("priority", "properties.scaleSetPriority", Kind::Str).force_new(),
    arg(
        "orchestrator_version",
        "properties.orchestratorVersion",
        Kind::Str,
    )
    .computed(),
    arg("node_labels", "properties.nodeLabels", Kind::StrMap),
    arg("node_taints", "properties.nodeTaints", Kind::StrList),
    arg("temporary_name_for_rotation", "", Kind::Str),
    TAGS,
];

// ---- PostgreSQL Flexible Server ----
const HIGH_AVAILABILITY: &[Arg] = &[
    arg("mode", "mode", Kind::Str).req(),
    arg(
        "standby_availability_zone",
        "standbyAvailabilityZone",
        Kind::Str,
    )
    .computed(),
];
const POSTGRES: &[Arg] = &[
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

fn pg_to_body(a: &Attrs, body: &mut J) {
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

fn pg_from_body(body: &J, a: &mut Attrs) {
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
const REDIS_CONFIGURATION: &[Arg] = &[
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
const REDIS: &[Arg] = &[
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
const REDIS_LINK: &[Arg] = &[
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

// ---- Front Door Standard/Premium ----
const FD_PROFILE: &[Arg] = &[
    NAME,
    RG,
    arg("sku_name", "sku.name", Kind::Str).req().force_new(),
    arg(
        "response_timeout_seconds",
        "properties.originResponseTimeoutSeconds",
        Kind::Num,
    )
    .computed(),
    arg("resource_guid", "properties.frontDoorId", Kind::Str).read_only(),
    TAGS,
];
const FD_ENDPOINT: &[Arg] = &[
    NAME,
    arg("cdn_frontdoor_profile_id", "", Kind::Str)
        .req()
        .force_new(),
    arg("enabled", "properties.enabledState", Kind::Bool)
        .computed()
        .conv(Conv::Enabled),
    arg("host_name", "properties.hostName", Kind::Str).read_only(),
    TAGS,
];
const HEALTH_PROBE: &[Arg] = &[
    arg("interval_in_seconds", "probeIntervalInSeconds", Kind::Num).req(),
    arg("path", "probePath", Kind::Str).computed(),
    arg("protocol", "probeProtocol", Kind::Str).req(),
    arg("request_type", "probeRequestType", Kind::Str).computed(),
];
const LOAD_BALANCING: &[Arg] = &[
    arg(
        "additional_latency_in_milliseconds",
        "additionalLatencyInMilliseconds",
        Kind::Num,
    )
    .computed(),
    arg("sample_size", "sampleSize", Kind::Num).computed(),
    arg(
        "successful_samples_required",
        "successfulSamplesRequired",
        Kind::Num,
    )
    .computed(),
];
const FD_ORIGIN_GROUP: &[Arg] = &[
    NAME,
    arg("cdn_frontdoor_profile_id", "", Kind::Str)
        .req()
        .force_new(),
    arg(
        "session_affinity_enabled",
        "properties.sessionAffinityState",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::Enabled),
    arg(
        "health_probe",
        "properties.healthProbeSettings",
        Kind::Block(HEALTH_PROBE),
    ),
    arg(
        "load_balancing",
        "properties.loadBalancingSettings",
        Kind::Block(LOAD_BALANCING),
    )
    .req(),
];
const FD_ORIGIN: &[Arg] = &[
    NAME,
    arg("cdn_frontdoor_origin_group_id", "", Kind::Str)
        .req()
        .force_new(),
    arg("host_name", "properties.hostName", Kind::Str).req(),
    arg(
        "origin_host_header",
        "properties.originHostHeader",
        Kind::Str,
    )
    .computed(),
    arg("priority", "properties.priority", Kind::Num).computed(),
    arg("weight", "properties.weight", Kind::Num).computed(),
    arg("enabled", "properties.enabledState", Kind::Bool)
        .computed()
        .conv(Conv::Enabled),
    arg("http_port", "properties.httpPort", Kind::Num).computed(),
    arg("https_port", "properties.httpsPort", Kind::Num).computed(),
    arg(
        "certificate_name_check_enabled",
        "properties.enforceCertificateNameCheck",
        Kind::Bool,
    )
    .req(),
];
const FD_ROUTE: &[Arg] = &[
    NAME,
    arg("cdn_frontdoor_endpoint_id", "", Kind::Str)
        .req()
        .force_new(),
    arg(
        "cdn_frontdoor_origin_group_id",
        "properties.originGroup.id",
        Kind::Str,
    )
    .req(),
    arg("cdn_frontdoor_origin_ids", "", Kind::StrList).req(),
    arg(
        "supported_protocols",
        "properties.supportedProtocols",
        Kind::StrList,
    )
    .req(),
    arg(
        "patterns_to_match",
        "properties.patternsToMatch",
        Kind::StrList,
    )
    .req(),
    arg(
        "forwarding_protocol",
        "properties.forwardingProtocol",
        Kind::Str,
    )
    .computed(),
    arg(
        "https_redirect_enabled",
        "properties.httpsRedirect",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::Enabled),
    arg(
        "link_to_default_domain",
        "properties.linkToDefaultDomain",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::Enabled),
    arg("enabled", "properties.enabledState", Kind::Bool)
        .computed()
        .conv(Conv::Enabled),
];

// ---- Traffic Manager ----
const DNS_CONFIG: &[Arg] = &[
    arg("relative_name", "relativeName", Kind::Str).req(),
    arg("ttl", "ttl", Kind::Num).req(),
];
const MONITOR_CONFIG: &[Arg] = &[
    arg("protocol", "protocol", Kind::Str).req(),
    arg("port", "port", Kind::Num).req(),
    arg("path", "path", Kind::Str),
    arg("interval_in_seconds", "intervalInSeconds", Kind::Num).computed(),
    arg("timeout_in_seconds", "timeoutInSeconds", Kind::Num).computed(),
    arg(
        "tolerated_number_of_failures",
        "toleratedNumberOfFailures",
        Kind::Num,
    )
    .computed(),
];
const TM_PROFILE: &[Arg] = &[
    NAME,
    RG,
    arg(
        "traffic_routing_method",
        "properties.trafficRoutingMethod",
        Kind::Str,
    )
    .req(),
    arg("profile_status", "properties.profileStatus", Kind::Str).computed(),
    arg(
        "dns_config",
        "properties.dnsConfig",
        Kind::Block(DNS_CONFIG),
    )
    .req()
    .force_new(),
    arg(
        "monitor_config",
        "properties.monitorConfig",
        Kind::Block(MONITOR_CONFIG),
    )
    .req(),
    arg("fqdn", "properties.dnsConfig.fqdn", Kind::Str).read_only(),
    TAGS,
];
const TM_EXTERNAL: &[Arg] = &[
    NAME,
    arg("profile_id", "", Kind::Str).req().force_new(),
    arg("target", "properties.target", Kind::Str).req(),
    arg("priority", "properties.priority", Kind::Num).computed(),
    arg("weight", "properties.weight", Kind::Num).computed(),
    arg("enabled", "properties.endpointStatus", Kind::Bool)
        .computed()
        .conv(Conv::Enabled),
    arg(
        "endpoint_location",
        "properties.endpointLocation",
        Kind::Str,
    )
    .conv(Conv::Location),
];
const TM_AZURE: &[Arg] = &[
    NAME,
    arg("profile_id", "", Kind::Str).req().force_new(),
    arg(
        "target_resource_id",
        "properties.targetResourceId",
        Kind::Str,
    )
    .req(),
    arg("priority", "properties.priority", Kind::Num).computed(),
    arg("weight", "properties.weight", Kind::Num).computed(),
    arg("enabled", "properties.endpointStatus", Kind::Bool)
        .computed()
        .conv(Conv::Enabled),
];
const TM_NESTED: &[Arg] = &[
    NAME,
    arg("profile_id", "", Kind::Str).req().force_new(),
    arg(
        "target_resource_id",
        "properties.targetResourceId",
        Kind::Str,
    )
    .req(),
    arg(
        "minimum_child_endpoints",
        "properties.minChildEndpoints",
        Kind::Num,
    )
    .req(),
    arg(
        "minimum_required_child_endpoints_ipv4",
        "properties.minChildEndpointsIPv4",
        Kind::Num,
    )
    .computed(),
    arg(
        "minimum_required_child_endpoints_ipv6",
        "properties.minChildEndpointsIPv6",
        Kind::Num,
    )
    .computed(),
    arg("priority", "properties.priority", Kind::Num).computed(),
    arg("weight", "properties.weight", Kind::Num).computed(),
    arg("enabled", "properties.endpointStatus", Kind::Bool)
        .computed()
        .conv(Conv::Enabled),
    arg(
        "endpoint_location",
        "properties.endpointLocation",
        Kind::Str,
    )
    .conv(Conv::Location),
];

// ---- DNS ----
const DNS_ZONE: &[Arg] = &[
    NAME,
    RG,
    arg("name_servers", "properties.nameServers", Kind::StrList).read_only(),
    arg(
        "max_number_of_record_sets",
        "properties.maxNumberOfRecordSets",
        Kind::Num,
    )
    .read_only(),
    TAGS,
];
const DNS_A: &[Arg] = &[
    NAME,
    RG,
    arg("zone_name", "", Kind::Str).req().force_new(),
    arg("ttl", "properties.TTL", Kind::Num).req(),
    arg("records", "properties.ARecords", Kind::StrList).conv(Conv::Ipv4Records),
    arg(
        "target_resource_id",
        "properties.targetResource.id",
        Kind::Str,
    ),
    arg("fqdn", "properties.fqdn", Kind::Str).read_only(),
    TAGS,
];
const DNS_CNAME: &[Arg] = &[
    NAME,
    RG,
    arg("zone_name", "", Kind::Str).req().force_new(),
    arg("ttl", "properties.TTL", Kind::Num).req(),
    arg("record", "properties.CNAMERecord.cname", Kind::Str),
    arg(
        "target_resource_id",
        "properties.targetResource.id",
        Kind::Str,
    ),
    arg("fqdn", "properties.fqdn", Kind::Str).read_only(),
    TAGS,
];

// ---- Storage ----
const STORAGE: &[Arg] = &[
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
const RETENTION: &[Arg] = &[arg("days", "days", Kind::Num).req()];
const BLOB_PROPERTIES: &[Arg] = &[
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

const RETENTION_POLICIES: [(&str, &str); 2] = [
    ("delete_retention_policy", "deleteRetentionPolicy"),
    (
        "container_delete_retention_policy",
        "containerDeleteRetentionPolicy",
    ),
];

fn storage_to_body(a: &Attrs, body: &mut J) {
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

fn storage_from_body(body: &J, a: &mut Attrs) {
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

pub fn all() -> Vec<TypeDef> {
    vec![
        def(
            "azurerm_resource_group",
            "Microsoft.Resources/resourceGroups",
            "2024-11-01",
            RESOURCE_GROUP,
            IdRule::Group,
        ),
        TypeDef {
            fixed: &[("properties.agentPoolProfiles.0.mode", "\"System\"")],
            ..def(
                "azurerm_kubernetes_cluster",
                "Microsoft.ContainerService/managedClusters",
                "2025-10-01",
                KUBERNETES_CLUSTER,
                IdRule::InGroup,
            )
        },
        def(
            "azurerm_kubernetes_cluster_node_pool",
            "Microsoft.ContainerService/managedClusters/agentPools",
            "2025-10-01",
            NODE_POOL,
            IdRule::Child {
                parent_arg: "kubernetes_cluster_id",
                segment: "agentPools",
            },
        ),
        TypeDef {
            to_body: Some(pg_to_body),
            from_body: Some(pg_from_body),
            ..def(
                "azurerm_postgresql_flexible_server",
                "Microsoft.DBforPostgreSQL/flexibleServers",
                "2025-08-01",
                POSTGRES,
                IdRule::InGroup,
            )
        },
        def(
            "azurerm_redis_cache",
            "Microsoft.Cache/redis",
            "2024-11-01",
            REDIS,
            IdRule::InGroup,
        ),
        def(
            "azurerm_redis_linked_server",
            "Microsoft.Cache/redis/linkedServers",
            "2024-11-01",
            REDIS_LINK,
            IdRule::RedisLink,
        ),
        TypeDef {
            fixed: &[("location", "\"global\"")],
            ..def(
                "azurerm_cdn_frontdoor_profile",
                "Microsoft.Cdn/profiles",
                "2025-06-01",
                FD_PROFILE,
                IdRule::InGroup,
            )
        },
        TypeDef {
            fixed: &[("location", "\"global\"")],
            ..def(
                "azurerm_cdn_frontdoor_endpoint",
                "Microsoft.Cdn/profiles/afdEndpoints",
                "2025-06-01",
                FD_ENDPOINT,
                IdRule::Child {
                    parent_arg: "cdn_frontdoor_profile_id",
                    segment: "afdEndpoints",
                },
            )
        },
        def(
            "azurerm_cdn_frontdoor_origin_group",
            "Microsoft.Cdn/profiles/originGroups",
            "2025-06-01",
            FD_ORIGIN_GROUP,
            IdRule::Child {
                parent_arg: "cdn_frontdoor_profile_id",
                segment: "originGroups",
            },
        ),
        def(
            "azurerm_cdn_frontdoor_origin",
            "Microsoft.Cdn/profiles/originGroups/origins",
            "2025-06-01",
            FD_ORIGIN,
            IdRule::Child {
                parent_arg: "cdn_frontdoor_origin_group_id",
                segment: "origins",
            },
        ),
        def(
            "azurerm_cdn_frontdoor_route",
            "Microsoft.Cdn/profiles/afdEndpoints/routes",
            "2025-06-01",
            FD_ROUTE,
            IdRule::Child {
                parent_arg: "cdn_frontdoor_endpoint_id",
                segment: "routes",
            },
        ),
        super::frontdoor_classic::def(),
        TypeDef {
            fixed: &[("location", "\"global\"")],
            ..def(
                "azurerm_traffic_manager_profile",
                "Microsoft.Network/trafficmanagerprofiles",
                "2022-04-01",
                TM_PROFILE,
                IdRule::InGroup,
            )
        },
        TypeDef {
            fixed: &[(
                "type",
                "\"Microsoft.Network/trafficManagerProfiles/externalEndpoints\"",
            )],
            ..def(
                "azurerm_traffic_manager_external_endpoint",
                "Microsoft.Network/trafficmanagerprofiles/externalEndpoints",
                "2022-04-01",
                TM_EXTERNAL,
                IdRule::Child {
                    parent_arg: "profile_id",
                    segment: "externalEndpoints",
                },
            )
        },
        TypeDef {
            fixed: &[(
                "type",
                "\"Microsoft.Network/trafficManagerProfiles/azureEndpoints\"",
            )],
            ..def(
                "azurerm_traffic_manager_azure_endpoint",
                "Microsoft.Network/trafficmanagerprofiles/azureEndpoints",
                "2022-04-01",
                TM_AZURE,
                IdRule::Child {
                    parent_arg: "profile_id",
                    segment: "azureEndpoints",
                },
            )
        },
        TypeDef {
            fixed: &[(
                "type",
                "\"Microsoft.Network/trafficManagerProfiles/nestedEndpoints\"",
            )],
            ..def(
                "azurerm_traffic_manager_nested_endpoint",
                "Microsoft.Network/trafficmanagerprofiles/nestedEndpoints",
                "2022-04-01",
                TM_NESTED,
                IdRule::Child {
                    parent_arg: "profile_id",
                    segment: "nestedEndpoints",
                },
            )
        },
        TypeDef {
            fixed: &[("location", "\"global\"")],
            ..def(
                "azurerm_dns_zone",
                "Microsoft.Network/dnszones",
                "2018-05-01",
                DNS_ZONE,
                IdRule::InGroup,
            )
        },
        def(
            "azurerm_dns_a_record",
            "Microsoft.Network/dnszones/A",
            "2018-05-01",
            DNS_A,
            IdRule::DnsRecord("A"),
        ),
        def(
            "azurerm_dns_cname_record",
            "Microsoft.Network/dnszones/CNAME",
            "2018-05-01",
            DNS_CNAME,
            IdRule::DnsRecord("CNAME"),
        ),
        TypeDef {
            to_body: Some(storage_to_body),
            from_body: Some(storage_from_body),
            ..def(
                "azurerm_storage_account",
                "Microsoft.Storage/storageAccounts",
                "2025-01-01",
                STORAGE,
                IdRule::InGroup,
            )
        },
    ]
}

pub fn lookup(name: &str) -> Option<TypeDef> {
    all().into_iter().find(|t| t.name == name)
}

/// Kept for the reference table in the README.
pub fn names() -> Vec<&'static str> {
    all().iter().map(|t| t.name).collect()
}

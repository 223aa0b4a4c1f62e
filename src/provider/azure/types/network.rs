//! Traffic: Front Door (Standard/Premium), DNS zones and records,
//! Traffic Manager.

use super::common::{IDENTITY, NAME, RG, TAGS};
use crate::provider::azure::convert::{Arg, Conv, Kind, arg};

// ---- Front Door Standard/Premium ----
pub(super) const FD_PROFILE: &[Arg] = &[
    NAME,
    RG,
    arg("sku_name", "sku.name", Kind::Str).req().force_new(),
    arg(
        "response_timeout_seconds",
        "properties.originResponseTimeoutSeconds",
        Kind::Num,
    )
    .default("120"),
    arg("resource_guid", "properties.frontDoorId", Kind::Str).read_only(),
    IDENTITY,
    arg(
        "log_scrubbing_rule",
        "properties.logScrubbing.scrubbingRules",
        Kind::BlockList(&[arg("match_variable", "matchVariable", Kind::Str).req()]),
    ),
    TAGS,
];

/// Log scrubbing rules in ARM also name their operator and state, and
/// the policy its state.
pub(super) fn fd_profile_to_body(
    _: &crate::provider::azure::typedef::Attrs,
    body: &mut serde_json::Value,
) {
    if let Some(rules) = body
        .pointer_mut("/properties/logScrubbing/scrubbingRules")
        .and_then(serde_json::Value::as_array_mut)
    {
        for r in rules.iter_mut() {
            r["selectorMatchOperator"] = serde_json::json!("EqualsAny");
            r["state"] = serde_json::json!("Enabled");
        }
        body["properties"]["logScrubbing"]["state"] = serde_json::json!("Enabled");
    }
}
pub(super) const FD_ENDPOINT: &[Arg] = &[
    NAME,
    arg("cdn_frontdoor_profile_id", "", Kind::Str)
        .req()
        .force_new(),
    arg("enabled", "properties.enabledState", Kind::Bool)
        .conv(Conv::Enabled)
        .default("true"),
    arg("host_name", "properties.hostName", Kind::Str).read_only(),
    TAGS,
];
pub(super) const HEALTH_PROBE: &[Arg] = &[
    arg("interval_in_seconds", "probeIntervalInSeconds", Kind::Num).req(),
    arg("path", "probePath", Kind::Str).computed(),
    arg("protocol", "probeProtocol", Kind::Str).req(),
    arg("request_type", "probeRequestType", Kind::Str).computed(),
];
pub(super) const LOAD_BALANCING: &[Arg] = &[
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
pub(super) const FD_ORIGIN_GROUP: &[Arg] = &[
    NAME,
    arg("cdn_frontdoor_profile_id", "", Kind::Str)
        .req()
        .force_new(),
    arg(
        "session_affinity_enabled",
        "properties.sessionAffinityState",
        Kind::Bool,
    )
    .conv(Conv::Enabled)
    .default("true"),
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
    arg(
        "restore_traffic_time_to_healed_or_new_endpoint_in_minutes",
        "properties.trafficRestorationTimeToHealedOrNewEndpointsInMinutes",
        Kind::Num,
    )
    .default("10"),
];
const PRIVATE_LINK: &[Arg] = &[
    arg("location", "privateLinkLocation", Kind::Str)
        .req()
        .force_new()
        .conv(Conv::Location),
    arg("private_link_target_id", "privateLink.id", Kind::Str).req(),
    arg("request_message", "requestMessage", Kind::Str).computed(),
    arg("target_type", "groupId", Kind::Str),
];
pub(super) const FD_ORIGIN: &[Arg] = &[
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
    arg("priority", "properties.priority", Kind::Num).default("1"),
    arg("weight", "properties.weight", Kind::Num).default("500"),
    arg("enabled", "properties.enabledState", Kind::Bool)
        .conv(Conv::Enabled)
        .default("true"),
    arg("http_port", "properties.httpPort", Kind::Num).default("80"),
    arg("https_port", "properties.httpsPort", Kind::Num).default("443"),
    arg(
        "certificate_name_check_enabled",
        "properties.enforceCertificateNameCheck",
        Kind::Bool,
    )
    .req(),
    arg(
        "private_link",
        "properties.sharedPrivateLinkResource",
        Kind::Block(PRIVATE_LINK),
    ),
];
const ROUTE_CACHE: &[Arg] = &[
    arg(
        "query_string_caching_behavior",
        "queryStringCachingBehavior",
        Kind::Str,
    )
    .computed(),
    arg("query_strings", "queryParameters", Kind::StrList).conv(Conv::Joined(",")),
    arg(
        "compression_enabled",
        "compressionSettings.isCompressionEnabled",
        Kind::Bool,
    ),
    arg(
        "content_types_to_compress",
        "compressionSettings.contentTypesToCompress",
        Kind::StrList,
    )
    .computed(),
];
pub(super) const FD_ROUTE: &[Arg] = &[
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
    .default("\"MatchRequest\""),
    arg(
        "https_redirect_enabled",
        "properties.httpsRedirect",
        Kind::Bool,
    )
    .conv(Conv::Enabled)
    .default("true"),
    arg(
        "link_to_default_domain",
        "properties.linkToDefaultDomain",
        Kind::Bool,
    )
    .conv(Conv::Enabled)
    .default("true"),
    arg("enabled", "properties.enabledState", Kind::Bool)
        .conv(Conv::Enabled)
        .default("true"),
    arg(
        "cache",
        "properties.cacheConfiguration",
        Kind::Block(ROUTE_CACHE),
    ),
    arg(
        "cdn_frontdoor_custom_domain_ids",
        "properties.customDomains",
        Kind::StrList,
    )
    .conv(Conv::Wrapped("id")),
    arg(
        "cdn_frontdoor_origin_path",
        "properties.originPath",
        Kind::Str,
    ),
    arg(
        "cdn_frontdoor_rule_set_ids",
        "properties.ruleSets",
        Kind::StrList,
    )
    .conv(Conv::Wrapped("id")),
];

// ---- Traffic Manager ----
const CUSTOM_HEADER: &[Arg] = &[
    arg("name", "name", Kind::Str).req(),
    arg("value", "value", Kind::Str).req(),
];
const TM_SUBNET: &[Arg] = &[
    arg("first", "first", Kind::Str).req(),
    arg("last", "last", Kind::Str),
    arg("scope", "scope", Kind::Num),
];
pub(super) const DNS_CONFIG: &[Arg] = &[
    arg("relative_name", "relativeName", Kind::Str).req(),
    arg("ttl", "ttl", Kind::Num).req(),
];
pub(super) const MONITOR_CONFIG: &[Arg] = &[
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
    arg(
        "custom_header",
        "customHeaders",
        Kind::BlockList(CUSTOM_HEADER),
    ),
    arg(
        "expected_status_code_ranges",
        "expectedStatusCodeRanges",
        Kind::StrList,
    )
    .computed()
    .conv(Conv::Ranges),
];
pub(super) const TM_PROFILE: &[Arg] = &[
    NAME,
    RG,
    arg(
        "traffic_routing_method",
        "properties.trafficRoutingMethod",
        Kind::Str,
    )
    .req(),
    arg("profile_status", "properties.profileStatus", Kind::Str).default("\"Enabled\""),
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
    arg("max_return", "properties.maxReturn", Kind::Num),
    arg(
        "traffic_view_enabled",
        "properties.trafficViewEnrollmentStatus",
        Kind::Bool,
    )
    .conv(Conv::Enabled)
    .default("false"),
    TAGS,
];
pub(super) const TM_EXTERNAL: &[Arg] = &[
    NAME,
    arg("profile_id", "", Kind::Str).req().force_new(),
    arg("target", "properties.target", Kind::Str).req(),
    arg("priority", "properties.priority", Kind::Num).default("1"),
    arg("weight", "properties.weight", Kind::Num).default("1"),
    arg("enabled", "properties.endpointStatus", Kind::Bool)
        .conv(Conv::Enabled)
        .default("true"),
    arg(
        "endpoint_location",
        "properties.endpointLocation",
        Kind::Str,
    )
    .conv(Conv::Location),
    arg("always_serve_enabled", "properties.alwaysServe", Kind::Bool)
        .computed()
        .conv(Conv::Enabled),
    arg(
        "custom_header",
        "properties.customHeaders",
        Kind::BlockList(CUSTOM_HEADER),
    ),
    arg("geo_mappings", "properties.geoMapping", Kind::StrList),
    arg("subnet", "properties.subnets", Kind::BlockList(TM_SUBNET)).force_new(),
];
pub(super) const TM_AZURE: &[Arg] = &[
    NAME,
    arg("profile_id", "", Kind::Str).req().force_new(),
    arg(
        "target_resource_id",
        "properties.targetResourceId",
        Kind::Str,
    )
    .req(),
    arg("priority", "properties.priority", Kind::Num).default("1"),
    arg("weight", "properties.weight", Kind::Num).default("1"),
    arg("enabled", "properties.endpointStatus", Kind::Bool)
        .conv(Conv::Enabled)
        .default("true"),
    arg("always_serve_enabled", "properties.alwaysServe", Kind::Bool)
        .computed()
        .conv(Conv::Enabled),
    arg(
        "custom_header",
        "properties.customHeaders",
        Kind::BlockList(CUSTOM_HEADER),
    ),
    arg("geo_mappings", "properties.geoMapping", Kind::StrList),
    arg("subnet", "properties.subnets", Kind::BlockList(TM_SUBNET)).force_new(),
];
pub(super) const TM_NESTED: &[Arg] = &[
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
    arg("priority", "properties.priority", Kind::Num).default("1"),
    arg("weight", "properties.weight", Kind::Num).default("1"),
    arg("enabled", "properties.endpointStatus", Kind::Bool)
        .conv(Conv::Enabled)
        .default("true"),
    arg(
        "endpoint_location",
        "properties.endpointLocation",
        Kind::Str,
    )
    .conv(Conv::Location),
    arg(
        "custom_header",
        "properties.customHeaders",
        Kind::BlockList(CUSTOM_HEADER),
    ),
    arg("geo_mappings", "properties.geoMapping", Kind::StrList),
    arg("subnet", "properties.subnets", Kind::BlockList(TM_SUBNET)).force_new(),
];

// ---- DNS ----
pub(super) const DNS_ZONE: &[Arg] = &[
    NAME,
    RG,
    arg("name_servers", "properties.nameServers", Kind::StrList).read_only(),
    arg(
        "max_number_of_record_sets",
        "properties.maxNumberOfRecordSets",
        Kind::Num,
    )
    .read_only(),
    // The zone's SOA record set (`SOA/@`) is a child resource: see
    // children.rs.
    arg("soa_record", "soa.properties", Kind::Block(SOA)).computed(),
    TAGS,
];
const SOA: &[Arg] = &[
    arg("email", "SOARecord.email", Kind::Str).req(),
    arg("expire_time", "SOARecord.expireTime", Kind::Num).computed(),
    arg("minimum_ttl", "SOARecord.minimumTTL", Kind::Num).computed(),
    arg("refresh_time", "SOARecord.refreshTime", Kind::Num).computed(),
    arg("retry_time", "SOARecord.retryTime", Kind::Num).computed(),
    arg("serial_number", "SOARecord.serialNumber", Kind::Num).computed(),
    arg("ttl", "TTL", Kind::Num).computed(),
    arg("tags", "metadata", Kind::StrMap),
    arg("host_name", "SOARecord.host", Kind::Str).read_only(),
    arg("fqdn", "fqdn", Kind::Str).read_only(),
];
pub(super) const DNS_A: &[Arg] = &[
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
pub(super) const DNS_CNAME: &[Arg] = &[
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

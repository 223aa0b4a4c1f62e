//! Resource groups and AKS: clusters and node pools (ManagedCluster and
//! AgentPool of Microsoft.ContainerService 2025-10-01).

use serde_json::{Value as J, json};

use super::common::{IDENTITY, LOCATION, NAME, RG, TAGS};
use crate::lang::Value;
use crate::provider::azure::convert::{Arg, Conv, Kind, arg};
use crate::provider::azure::typedef::{Attrs, attr_str};

// ---- resource group ----
pub(super) const RESOURCE_GROUP: &[Arg] = &[
    NAME,
    LOCATION,
    arg("managed_by", "managedBy", Kind::Str),
    TAGS,
];

// ---- node pool settings (a cluster's default pool and a separate pool) ----
const SYSCTL: &[Arg] = &[
    arg("fs_aio_max_nr", "fsAioMaxNr", Kind::Num),
    arg("fs_file_max", "fsFileMax", Kind::Num),
    arg(
        "fs_inotify_max_user_watches",
        "fsInotifyMaxUserWatches",
        Kind::Num,
    ),
    arg("fs_nr_open", "fsNrOpen", Kind::Num),
    arg("kernel_threads_max", "kernelThreadsMax", Kind::Num),
    arg(
        "net_core_netdev_max_backlog",
        "netCoreNetdevMaxBacklog",
        Kind::Num,
    ),
    arg("net_core_optmem_max", "netCoreOptmemMax", Kind::Num),
    arg("net_core_rmem_default", "netCoreRmemDefault", Kind::Num),
    arg("net_core_rmem_max", "netCoreRmemMax", Kind::Num),
    arg("net_core_somaxconn", "netCoreSomaxconn", Kind::Num),
    arg("net_core_wmem_default", "netCoreWmemDefault", Kind::Num),
    arg("net_core_wmem_max", "netCoreWmemMax", Kind::Num),
    arg(
        "net_ipv4_neigh_default_gc_thresh1",
        "netIpv4NeighDefaultGcThresh1",
        Kind::Num,
    ),
    arg(
        "net_ipv4_neigh_default_gc_thresh2",
        "netIpv4NeighDefaultGcThresh2",
        Kind::Num,
    ),
    arg(
        "net_ipv4_neigh_default_gc_thresh3",
        "netIpv4NeighDefaultGcThresh3",
        Kind::Num,
    ),
    arg(
        "net_ipv4_tcp_fin_timeout",
        "netIpv4TcpFinTimeout",
        Kind::Num,
    ),
    arg(
        "net_ipv4_tcp_keepalive_intvl",
        "netIpv4TcpkeepaliveIntvl",
        Kind::Num,
    ),
    arg(
        "net_ipv4_tcp_keepalive_probes",
        "netIpv4TcpKeepaliveProbes",
        Kind::Num,
    ),
    arg(
        "net_ipv4_tcp_keepalive_time",
        "netIpv4TcpKeepaliveTime",
        Kind::Num,
    ),
    arg(
        "net_ipv4_tcp_max_syn_backlog",
        "netIpv4TcpMaxSynBacklog",
        Kind::Num,
    ),
    arg(
        "net_ipv4_tcp_max_tw_buckets",
        "netIpv4TcpMaxTwBuckets",
        Kind::Num,
    ),
    arg("net_ipv4_tcp_tw_reuse", "netIpv4TcpTwReuse", Kind::Bool),
    arg(
        "net_netfilter_nf_conntrack_buckets",
        "netNetfilterNfConntrackBuckets",
        Kind::Num,
    ),
    arg(
        "net_netfilter_nf_conntrack_max",
        "netNetfilterNfConntrackMax",
        Kind::Num,
    ),
    arg("vm_max_map_count", "vmMaxMapCount", Kind::Num),
    arg("vm_swappiness", "vmSwappiness", Kind::Num),
    arg("vm_vfs_cache_pressure", "vmVfsCachePressure", Kind::Num),
];
const LINUX_OS_CONFIG: &[Arg] = &[
    arg("swap_file_size_mb", "swapFileSizeMB", Kind::Num),
    arg(
        "transparent_huge_page",
        "transparentHugePageEnabled",
        Kind::Str,
    ),
    arg(
        "transparent_huge_page_defrag",
        "transparentHugePageDefrag",
        Kind::Str,
    ),
    arg("sysctl_config", "sysctls", Kind::Block(SYSCTL)),
];
const KUBELET_CONFIG: &[Arg] = &[
    arg(
        "allowed_unsafe_sysctls",
        "allowedUnsafeSysctls",
        Kind::StrList,
    ),
    arg("container_log_max_files", "containerLogMaxFiles", Kind::Num),
    arg(
        "container_log_max_size_mb",
        "containerLogMaxSizeMB",
        Kind::Num,
    ),
    arg("cpu_cfs_quota_enabled", "cpuCfsQuota", Kind::Bool),
    arg("cpu_cfs_quota_period", "cpuCfsQuotaPeriod", Kind::Str),
    arg("cpu_manager_policy", "cpuManagerPolicy", Kind::Str),
    arg("image_gc_high_threshold", "imageGcHighThreshold", Kind::Num),
    arg("image_gc_low_threshold", "imageGcLowThreshold", Kind::Num),
    arg("pod_max_pid", "podMaxPids", Kind::Num),
    arg(
        "topology_manager_policy",
        "topologyManagerPolicy",
        Kind::Str,
    ),
];
const HOST_PORTS: &[Arg] = &[
    arg("port_start", "portStart", Kind::Num),
    arg("port_end", "portEnd", Kind::Num),
    arg("protocol", "protocol", Kind::Str),
];
const NODE_NETWORK_PROFILE: &[Arg] = &[
    arg(
        "allowed_host_ports",
        "allowedHostPorts",
        Kind::BlockList(HOST_PORTS),
    ),
    arg(
        "application_security_group_ids",
        "applicationSecurityGroups",
        Kind::StrList,
    ),
    arg("node_public_ip_tags", "nodePublicIPTags", Kind::StrMap)
        .force_new()
        .conv(Conv::Pairs("ipTagType", "tag")),
];
const UPGRADE_SETTINGS: &[Arg] = &[
    arg("max_surge", "maxSurge", Kind::Str).computed(),
    arg("max_unavailable", "maxUnavailable", Kind::Str),
    arg(
        "drain_timeout_in_minutes",
        "drainTimeoutInMinutes",
        Kind::Num,
    ),
    arg(
        "node_soak_duration_in_minutes",
        "nodeSoakDurationInMinutes",
        Kind::Num,
    ),
    arg(
        "undrainable_node_behavior",
        "undrainableNodeBehavior",
        Kind::Str,
    ),
];

/// The pool settings a cluster's default pool and a separate pool share,
/// relative to the pool's properties.
macro_rules! pool_settings {
    ($p:literal) => {
        [
            arg("vm_size", concat!($p, "vmSize"), Kind::Str).req(),
            arg("node_count", concat!($p, "count"), Kind::Num).computed(),
            arg(
                "auto_scaling_enabled",
                concat!($p, "enableAutoScaling"),
                Kind::Bool,
            )
            .computed(),
            arg("min_count", concat!($p, "minCount"), Kind::Num),
            arg("max_count", concat!($p, "maxCount"), Kind::Num),
            arg(
                "orchestrator_version",
                concat!($p, "orchestratorVersion"),
                Kind::Str,
            )
            .computed(),
            arg("node_labels", concat!($p, "nodeLabels"), Kind::StrMap),
            arg(
                "capacity_reservation_group_id",
                concat!($p, "capacityReservationGroupID"),
                Kind::Str,
            )
            .force_new(),
            arg("fips_enabled", concat!($p, "enableFIPS"), Kind::Bool).computed(),
            arg("gpu_driver", concat!($p, "gpuProfile.driver"), Kind::Str).force_new(),
            arg("gpu_instance", concat!($p, "gpuInstanceProfile"), Kind::Str).force_new(),
            arg(
                "host_encryption_enabled",
                concat!($p, "enableEncryptionAtHost"),
                Kind::Bool,
            )
            .computed(),
            arg("host_group_id", concat!($p, "hostGroupID"), Kind::Str).force_new(),
            arg(
                "kubelet_config",
                concat!($p, "kubeletConfig"),
                Kind::Block(KUBELET_CONFIG),
            ),
            arg(
                "kubelet_disk_type",
                concat!($p, "kubeletDiskType"),
                Kind::Str,
            )
            .computed(),
            arg(
                "linux_os_config",
                concat!($p, "linuxOSConfig"),
                Kind::Block(LINUX_OS_CONFIG),
            ),
            arg(
                "node_network_profile",
                concat!($p, "networkProfile"),
                Kind::Block(NODE_NETWORK_PROFILE),
            ),
            arg(
                "node_public_ip_enabled",
                concat!($p, "enableNodePublicIP"),
                Kind::Bool,
            )
            .computed(),
            arg(
                "node_public_ip_prefix_id",
                concat!($p, "nodePublicIPPrefixID"),
                Kind::Str,
            )
            .force_new(),
            arg("os_disk_type", concat!($p, "osDiskType"), Kind::Str).computed(),
            arg("pod_subnet_id", concat!($p, "podSubnetID"), Kind::Str),
            arg(
                "proximity_placement_group_id",
                concat!($p, "proximityPlacementGroupID"),
                Kind::Str,
            )
            .force_new(),
            arg("scale_down_mode", concat!($p, "scaleDownMode"), Kind::Str).computed(),
            arg(
                "snapshot_id",
                concat!($p, "creationData.sourceResourceId"),
                Kind::Str,
            ),
            arg(
                "ultra_ssd_enabled",
                concat!($p, "enableUltraSSD"),
                Kind::Bool,
            )
            .computed(),
            arg(
                "upgrade_settings",
                concat!($p, "upgradeSettings"),
                Kind::Block(UPGRADE_SETTINGS),
            )
            .computed(),
            arg("vnet_subnet_id", concat!($p, "vnetSubnetID"), Kind::Str),
            arg(
                "workload_runtime",
                concat!($p, "workloadRuntime"),
                Kind::Str,
            )
            .computed(),
            arg("temporary_name_for_rotation", "", Kind::Str),
        ]
    };
}

const POOL_SHARED: [Arg; 29] = pool_settings!("");
const POOL_PROPS: [Arg; 29] = pool_settings!("properties.");

pub(super) const NODE_POOL_PROFILE: &[Arg] = &{
    const EXTRA: [Arg; 8] = [
        arg("name", "name", Kind::Str).req(),
        arg("zones", "availabilityZones", Kind::StrList),
        arg("max_pods", "maxPods", Kind::Num).computed(),
        arg("os_disk_size_gb", "osDiskSizeGB", Kind::Num).computed(),
        arg("os_sku", "osSKU", Kind::Str).computed(),
        arg("tags", "tags", Kind::StrMap),
        arg("type", "type", Kind::Str).computed().force_new(),
        // A taint (`CriticalAddonsOnly=true:NoSchedule`) in ARM: see
        // `aks_to_body`.
        arg("only_critical_addons_enabled", "", Kind::Bool).computed(),
    ];
    concat_args::<37>(&POOL_SHARED, &EXTRA)
};

/// `a` then `b`, at compile time (tables share a block of arguments).
const fn concat_args<const N: usize>(a: &[Arg], b: &[Arg]) -> [Arg; N] {
    let mut out = [arg("", "", Kind::Str); N];
    let mut i = 0;
    while i < a.len() {
        out[i] = a[i];
        i += 1;
    }
    let mut j = 0;
    while j < b.len() {
        out[i + j] = b[j];
        j += 1;
    }
    out
}

// ---- AKS cluster ----
const ACI: &[Arg] = &[arg("subnet_name", "config.SubnetName", Kind::Str).req()];
const API_SERVER: &[Arg] = &[
    arg("authorized_ip_ranges", "authorizedIPRanges", Kind::StrList),
    arg("subnet_id", "subnetId", Kind::Str),
    arg(
        "virtual_network_integration_enabled",
        "enableVnetIntegration",
        Kind::Bool,
    ),
];
const AUTO_SCALER: &[Arg] = &[
    arg(
        "balance_similar_node_groups",
        "balance-similar-node-groups",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::BoolString),
    arg(
        "daemonset_eviction_for_empty_nodes_enabled",
        "daemonset-eviction-for-empty-nodes",
        Kind::Bool,
    )
    .computed(),
    arg(
        "daemonset_eviction_for_occupied_nodes_enabled",
        "daemonset-eviction-for-occupied-nodes",
        Kind::Bool,
    )
    .computed(),
    arg("empty_bulk_delete_max", "max-empty-bulk-delete", Kind::Str).computed(),
    arg("expander", "expander", Kind::Str).computed(),
    arg(
        "ignore_daemonsets_utilization_enabled",
        "ignore-daemonsets-utilization",
        Kind::Bool,
    )
    .computed(),
    arg(
        "max_graceful_termination_sec",
        "max-graceful-termination-sec",
        Kind::Str,
    )
    .computed(),
    arg(
        "max_node_provisioning_time",
        "max-node-provision-time",
        Kind::Str,
    )
    .computed(),
    arg("max_unready_nodes", "ok-total-unready-count", Kind::Num)
        .computed()
        .conv(Conv::NumString),
    arg(
        "max_unready_percentage",
        "max-total-unready-percentage",
        Kind::Num,
    )
    .computed()
    .conv(Conv::NumString),
    arg(
        "new_pod_scale_up_delay",
        "new-pod-scale-up-delay",
        Kind::Str,
    )
    .computed(),
    arg(
        "scale_down_delay_after_add",
        "scale-down-delay-after-add",
        Kind::Str,
    )
    .computed(),
    arg(
        "scale_down_delay_after_delete",
        "scale-down-delay-after-delete",
        Kind::Str,
    )
    .computed(),
    arg(
        "scale_down_delay_after_failure",
        "scale-down-delay-after-failure",
        Kind::Str,
    )
    .computed(),
    arg("scale_down_unneeded", "scale-down-unneeded-time", Kind::Str).computed(),
    arg("scale_down_unready", "scale-down-unready-time", Kind::Str).computed(),
    arg(
        "scale_down_utilization_threshold",
        "scale-down-utilization-threshold",
        Kind::Str,
    )
    .computed(),
    arg("scan_interval", "scan-interval", Kind::Str).computed(),
    arg(
        "skip_nodes_with_local_storage",
        "skip-nodes-with-local-storage",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::BoolString),
    arg(
        "skip_nodes_with_system_pods",
        "skip-nodes-with-system-pods",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::BoolString),
];
const AAD_RBAC: &[Arg] = &[
    arg(
        "admin_group_object_ids",
        "adminGroupObjectIDs",
        Kind::StrList,
    ),
    arg("azure_rbac_enabled", "enableAzureRBAC", Kind::Bool),
    arg("tenant_id", "tenantID", Kind::Str).computed(),
];
const BOOTSTRAP: &[Arg] = &[
    arg("artifact_source", "artifactSource", Kind::Str).computed(),
    arg("container_registry_id", "containerRegistryId", Kind::Str),
];
const CONFIDENTIAL: &[Arg] = &[arg(
    "sgx_quote_helper_enabled",
    "config.ACCSGXQuoteHelperEnabled",
    Kind::Bool,
)
.req()
.conv(Conv::BoolString)];
const HTTP_PROXY: &[Arg] = &[
    arg("http_proxy", "httpProxy", Kind::Str),
    arg("https_proxy", "httpsProxy", Kind::Str),
    arg("no_proxy", "noProxy", Kind::StrList),
    arg("trusted_ca", "trustedCa", Kind::Str).secret(),
];
const INGRESS_AGW: &[Arg] = &[
    arg("gateway_id", "config.applicationGatewayId", Kind::Str),
    arg("gateway_name", "config.applicationGatewayName", Kind::Str),
    arg("subnet_cidr", "config.subnetCIDR", Kind::Str),
    arg("subnet_id", "config.subnetId", Kind::Str),
];
const KMS: &[Arg] = &[
    arg("key_vault_key_id", "keyId", Kind::Str).req(),
    arg(
        "key_vault_network_access",
        "keyVaultNetworkAccess",
        Kind::Str,
    )
    .computed(),
];
const KV_SECRETS: &[Arg] = &[
    arg(
        "secret_rotation_enabled",
        "config.enableSecretRotation",
        Kind::Bool,
    )
    .conv(Conv::BoolString),
    arg(
        "secret_rotation_interval",
        "config.rotationPollInterval",
        Kind::Str,
    )
    .computed(),
];
const KUBELET_IDENTITY: &[Arg] = &[
    arg("client_id", "clientId", Kind::Str).force_new(),
    arg("object_id", "objectId", Kind::Str).force_new(),
    arg("user_assigned_identity_id", "resourceId", Kind::Str).force_new(),
];
const SSH_KEY: &[Arg] = &[arg("key_data", "keyData", Kind::Str).req().force_new()];
const LINUX_PROFILE: &[Arg] = &[
    arg("admin_username", "adminUsername", Kind::Str)
        .req()
        .force_new(),
    arg("ssh_key", "ssh.publicKeys.0", Kind::Block(SSH_KEY)).req(),
];
const DEFENDER: &[Arg] = &[arg(
    "log_analytics_workspace_id",
    "logAnalyticsWorkspaceResourceId",
    Kind::Str,
)
.req()];
const MONITOR_METRICS: &[Arg] = &[
    arg(
        "annotations_allowed",
        "kubeStateMetrics.metricAnnotationsAllowList",
        Kind::Str,
    ),
    arg(
        "labels_allowed",
        "kubeStateMetrics.metricLabelsAllowlist",
        Kind::Str,
    ),
];
/// The public IPs Azure gives a cluster's outbound traffic (read only).
const EFFECTIVE_OUTBOUND_IPS: Arg = arg(
    "effective_outbound_ips",
    "effectiveOutboundIPs",
    Kind::StrList,
)
.read_only()
.conv(Conv::Wrapped("id"));
const LB_PROFILE: &[Arg] = &[
    arg("backend_pool_type", "backendPoolType", Kind::Str).computed(),
    arg("idle_timeout_in_minutes", "idleTimeoutInMinutes", Kind::Num).computed(),
    arg(
        "managed_outbound_ip_count",
        "managedOutboundIPs.count",
        Kind::Num,
    )
    .computed(),
    arg(
        "managed_outbound_ipv6_count",
        "managedOutboundIPs.countIPv6",
        Kind::Num,
    )
    .computed(),
    arg(
        "outbound_ip_address_ids",
        "outboundIPs.publicIPs",
        Kind::StrList,
    )
    .conv(Conv::Wrapped("id")),
    arg(
        "outbound_ip_prefix_ids",
        "outboundIPPrefixes.publicIPPrefixes",
        Kind::StrList,
    )
    .conv(Conv::Wrapped("id")),
    arg(
        "outbound_ports_allocated",
        "allocatedOutboundPorts",
        Kind::Num,
    )
    .computed(),
    EFFECTIVE_OUTBOUND_IPS,
];
const NAT_PROFILE: &[Arg] = &[
    arg("idle_timeout_in_minutes", "idleTimeoutInMinutes", Kind::Num).computed(),
    arg(
        "managed_outbound_ip_count",
        "managedOutboundIPProfile.count",
        Kind::Num,
    )
    .computed(),
    EFFECTIVE_OUTBOUND_IPS,
];
const ADVANCED_NETWORKING: &[Arg] = &[
    arg("observability_enabled", "observability.enabled", Kind::Bool),
    arg("security_enabled", "security.enabled", Kind::Bool),
];
const NETWORK_PROFILE: &[Arg] = &[
    arg("network_plugin", "networkPlugin", Kind::Str).req(),
    arg("network_plugin_mode", "networkPluginMode", Kind::Str),
    arg("network_policy", "networkPolicy", Kind::Str).computed(),
    arg("network_mode", "networkMode", Kind::Str)
        .computed()
        .force_new(),
    arg("network_data_plane", "networkDataplane", Kind::Str)
        .computed()
        .force_new(),
    arg("pod_cidr", "podCidr", Kind::Str).computed(),
    arg("pod_cidrs", "podCidrs", Kind::StrList).computed(),
    arg("service_cidr", "serviceCidr", Kind::Str)
        .computed()
        .force_new(),
    arg("service_cidrs", "serviceCidrs", Kind::StrList)
        .computed()
        .force_new(),
    arg("dns_service_ip", "dnsServiceIP", Kind::Str)
        .computed()
        .force_new(),
    arg("ip_versions", "ipFamilies", Kind::StrList)
        .computed()
        .force_new(),
    arg("outbound_type", "outboundType", Kind::Str).computed(),
    arg("load_balancer_sku", "loadBalancerSku", Kind::Str)
        .computed()
        .conv(Conv::CaseInsensitive)
        .force_new(),
    arg(
        "load_balancer_profile",
        "loadBalancerProfile",
        Kind::Block(LB_PROFILE),
    )
    .computed(),
    arg(
        "nat_gateway_profile",
        "natGatewayProfile",
        Kind::Block(NAT_PROFILE),
    )
    .computed(),
    arg(
        "advanced_networking",
        "advancedNetworking",
        Kind::Block(ADVANCED_NETWORKING),
    )
    .switch("enabled"),
];
const NODE_PROVISIONING: &[Arg] = &[
    arg("mode", "mode", Kind::Str).computed(),
    arg("default_node_pools", "defaultNodePools", Kind::Str).computed(),
];
const OMS_AGENT: &[Arg] = &[
    arg(
        "log_analytics_workspace_id",
        "config.logAnalyticsWorkspaceResourceID",
        Kind::Str,
    )
    .req(),
    arg(
        "msi_auth_for_monitoring_enabled",
        "config.useAADAuth",
        Kind::Bool,
    )
    .conv(Conv::BoolString),
];
const MESH_CA: &[Arg] = &[
    arg("key_vault_id", "keyVaultId", Kind::Str).req(),
    arg("root_cert_object_name", "rootCertObjectName", Kind::Str).req(),
    arg("cert_chain_object_name", "certChainObjectName", Kind::Str).req(),
    arg("cert_object_name", "certObjectName", Kind::Str).req(),
    arg("key_object_name", "keyObjectName", Kind::Str).req(),
];
const SERVICE_MESH: &[Arg] = &[
    arg("mode", "mode", Kind::Str).req(),
    arg("revisions", "istio.revisions", Kind::StrList).req(),
    // Ingress gateways are an array keyed by mode in ARM: `aks_to_body`.
    arg("internal_ingress_gateway_enabled", "", Kind::Bool),
    arg("external_ingress_gateway_enabled", "", Kind::Bool),
    arg(
        "certificate_authority",
        "istio.certificateAuthority.plugin",
        Kind::Block(MESH_CA),
    ),
];
const SERVICE_PRINCIPAL: &[Arg] = &[
    arg("client_id", "clientId", Kind::Str).req(),
    arg("client_secret", "secret", Kind::Str).req().secret(),
];
const STORAGE_PROFILE: &[Arg] = &[
    arg("blob_driver_enabled", "blobCSIDriver.enabled", Kind::Bool).computed(),
    arg("disk_driver_enabled", "diskCSIDriver.enabled", Kind::Bool).computed(),
    arg("file_driver_enabled", "fileCSIDriver.enabled", Kind::Bool).computed(),
    arg(
        "snapshot_controller_enabled",
        "snapshotController.enabled",
        Kind::Bool,
    )
    .computed(),
];
const UPGRADE_OVERRIDE: &[Arg] = &[
    arg("effective_until", "overrideSettings.until", Kind::Str),
    arg(
        "force_upgrade_enabled",
        "overrideSettings.forceUpgrade",
        Kind::Bool,
    )
    .req(),
];
const WEB_APP_ROUTING: &[Arg] = &[
    arg("dns_zone_ids", "dnsZoneResourceIds", Kind::StrList).req(),
    arg(
        "default_nginx_controller",
        "nginx.defaultIngressControllerType",
        Kind::Str,
    )
    .computed(),
];
const GMSA: &[Arg] = &[
    arg("dns_server", "dnsServer", Kind::Str).req(),
    arg("root_domain", "rootDomainName", Kind::Str).req(),
];
const WINDOWS_PROFILE: &[Arg] = &[
    arg("admin_username", "adminUsername", Kind::Str)
        .req()
        .force_new(),
    arg("admin_password", "adminPassword", Kind::Str)
        .req()
        .secret(),
    arg("license", "licenseType", Kind::Str),
    arg("gmsa", "gmsaProfile", Kind::Block(GMSA)).switch("enabled"),
];
const WORKLOAD_AUTOSCALER: &[Arg] = &[
    arg("keda_enabled", "keda.enabled", Kind::Bool),
    arg(
        "vertical_pod_autoscaler_enabled",
        "verticalPodAutoscaler.enabled",
        Kind::Bool,
    ),
];
// Maintenance windows are child resources (`maintenanceConfigurations`):
// written and read beside the cluster (children.rs), shaped by
// `maintenance_to_body` / `maintenance_from_body`.
const NOT_ALLOWED: &[Arg] = &[
    arg("start", "start", Kind::Str).req(),
    arg("end", "end", Kind::Str).req(),
];
const ALLOWED: &[Arg] = &[
    arg("day", "day", Kind::Str).req(),
    arg("hours", "hourSlots", Kind::NumList).req(),
];
const MAINTENANCE_WINDOW: &[Arg] = &[
    arg("allowed", "timeInWeek", Kind::BlockList(ALLOWED)),
    arg(
        "not_allowed",
        "notAllowedTime",
        Kind::BlockList(NOT_ALLOWED),
    ),
];
const MAINTENANCE_SCHEDULE: &[Arg] = &[
    // The schedule's shape (daily/weekly/monthly) depends on `frequency`:
    // these four are placed by `maintenance_to_body`.
    arg("frequency", "", Kind::Str).req(),
    arg("interval", "", Kind::Num).req(),
    arg("day_of_week", "", Kind::Str),
    arg("day_of_month", "", Kind::Num),
    arg("week_index", "", Kind::Str),
    arg("duration", "maintenanceWindow.durationHours", Kind::Num).req(),
    arg("start_date", "maintenanceWindow.startDate", Kind::Str).computed(),
    arg("start_time", "maintenanceWindow.startTime", Kind::Str).computed(),
    arg("utc_offset", "maintenanceWindow.utcOffset", Kind::Str).computed(),
    arg(
        "not_allowed",
        "maintenanceWindow.notAllowedDates",
        Kind::BlockList(NOT_ALLOWED),
    ),
];

/// Where each maintenance window lives: (argument, child resource name).
pub(crate) const MAINTENANCE_CHILDREN: [(&str, &str); 3] = [
    ("maintenance_window", "default"),
    (
        "maintenance_window_auto_upgrade",
        "aksManagedAutoUpgradeSchedule",
    ),
    (
        "maintenance_window_node_os",
        "aksManagedNodeOSUpgradeSchedule",
    ),
];

pub(super) const KUBERNETES_CLUSTER: &[Arg] = &[
    NAME,
    LOCATION,
    RG,
    arg("dns_prefix", "properties.dnsPrefix", Kind::Str)
        .req()
        .force_new(),
    arg(
        "dns_prefix_private_cluster",
        "properties.fqdnSubdomain",
        Kind::Str,
    )
    .force_new(),
    arg(
        "kubernetes_version",
        "properties.kubernetesVersion",
        Kind::Str,
    )
    .computed(),
    arg("sku_tier", "sku.tier", Kind::Str).default("\"Free\""),
    arg("support_plan", "properties.supportPlan", Kind::Str).computed(),
    arg(
        "default_node_pool",
        "properties.agentPoolProfiles.0",
        Kind::Block(NODE_POOL_PROFILE),
    )
    .req(),
    IDENTITY,
    arg(
        "aci_connector_linux",
        "properties.addonProfiles.aciConnectorLinux",
        Kind::Block(ACI),
    )
    .switch("enabled"),
    arg(
        "ai_toolchain_operator_enabled",
        "properties.aiToolchainOperatorProfile.enabled",
        Kind::Bool,
    ),
    arg(
        "api_server_access_profile",
        "properties.apiServerAccessProfile",
        Kind::Block(API_SERVER),
    ),
    arg(
        "auto_scaler_profile",
        "properties.autoScalerProfile",
        Kind::Block(AUTO_SCALER),
    )
    .computed(),
    arg(
        "automatic_upgrade_channel",
        "properties.autoUpgradeProfile.upgradeChannel",
        Kind::Str,
    )
    .computed(),
    arg(
        "node_os_upgrade_channel",
        "properties.autoUpgradeProfile.nodeOSUpgradeChannel",
        Kind::Str,
    )
    .computed(),
    arg(
        "azure_active_directory_role_based_access_control",
        "properties.aadProfile",
        Kind::Block(AAD_RBAC),
    )
    .switch("managed"),
    arg(
        "azure_policy_enabled",
        "properties.addonProfiles.azurepolicy.enabled",
        Kind::Bool,
    ),
    arg(
        "bootstrap_profile",
        "properties.bootstrapProfile",
        Kind::Block(BOOTSTRAP),
    )
    .computed(),
    arg(
        "confidential_computing",
        "properties.addonProfiles.ACCSGXDevicePlugin",
        Kind::Block(CONFIDENTIAL),
    )
    .switch("enabled"),
    arg(
        "cost_analysis_enabled",
        "properties.metricsProfile.costAnalysis.enabled",
        Kind::Bool,
    ),
    arg(
        "custom_ca_trust_certificates_base64",
        "properties.securityProfile.customCATrustCertificates",
        Kind::StrList,
    ),
    arg(
        "disk_encryption_set_id",
        "properties.diskEncryptionSetID",
        Kind::Str,
    )
    .force_new(),
    arg("edge_zone", "extendedLocation.name", Kind::Str).force_new(),
    arg(
        "http_application_routing_enabled",
        "properties.addonProfiles.httpApplicationRouting.enabled",
        Kind::Bool,
    ),
    arg(
        "http_proxy_config",
        "properties.httpProxyConfig",
        Kind::Block(HTTP_PROXY),
    ),
    arg(
        "image_cleaner_enabled",
        "properties.securityProfile.imageCleaner.enabled",
        Kind::Bool,
    ),
    arg(
        "image_cleaner_interval_hours",
        "properties.securityProfile.imageCleaner.intervalHours",
        Kind::Num,
    )
    .computed(),
    arg(
        "ingress_application_gateway",
        "properties.addonProfiles.ingressApplicationGateway",
        Kind::Block(INGRESS_AGW),
    )
    .switch("enabled"),
    arg(
        "key_management_service",
        "properties.securityProfile.azureKeyVaultKms",
        Kind::Block(KMS),
    )
    .switch("enabled"),
    arg(
        "key_vault_secrets_provider",
        "properties.addonProfiles.azureKeyvaultSecretsProvider",
        Kind::Block(KV_SECRETS),
    )
    .switch("enabled"),
    arg(
        "kubelet_identity",
        "properties.identityProfile.kubeletidentity",
        Kind::Block(KUBELET_IDENTITY),
    )
    .computed()
    .force_new(),
    arg(
        "linux_profile",
        "properties.linuxProfile",
        Kind::Block(LINUX_PROFILE),
    ),
    arg(
        "local_account_disabled",
        "properties.disableLocalAccounts",
        Kind::Bool,
    ),
    arg(
        "maintenance_window",
        "maintenance.default.properties",
        Kind::Block(MAINTENANCE_WINDOW),
    ),
    arg(
        "maintenance_window_auto_upgrade",
        "maintenance.aksManagedAutoUpgradeSchedule.properties",
        Kind::Block(MAINTENANCE_SCHEDULE),
    ),
    arg(
        "maintenance_window_node_os",
        "maintenance.aksManagedNodeOSUpgradeSchedule.properties",
        Kind::Block(MAINTENANCE_SCHEDULE),
    ),
    arg(
        "microsoft_defender",
        "properties.securityProfile.defender",
        Kind::Block(DEFENDER),
    )
    .switch("securityMonitoring.enabled"),
    arg(
        "monitor_metrics",
        "properties.azureMonitorProfile.metrics",
        Kind::Block(MONITOR_METRICS),
    )
    .switch("enabled"),
    arg(
        "network_profile",
        "properties.networkProfile",
        Kind::Block(NETWORK_PROFILE),
    )
    .computed()
    .force_new(),
    arg(
        "node_provisioning_profile",
        "properties.nodeProvisioningProfile",
        Kind::Block(NODE_PROVISIONING),
    )
    .computed(),
    arg(
        "oidc_issuer_enabled",
        "properties.oidcIssuerProfile.enabled",
        Kind::Bool,
    )
    .computed(),
    arg(
        "oms_agent",
        "properties.addonProfiles.omsagent",
        Kind::Block(OMS_AGENT),
    )
    .switch("enabled"),
    arg(
        "open_service_mesh_enabled",
        "properties.addonProfiles.openServiceMesh.enabled",
        Kind::Bool,
    ),
    arg(
        "private_cluster_enabled",
        "properties.apiServerAccessProfile.enablePrivateCluster",
        Kind::Bool,
    )
    .computed()
    .force_new(),
    arg(
        "private_cluster_public_fqdn_enabled",
        "properties.apiServerAccessProfile.enablePrivateClusterPublicFQDN",
        Kind::Bool,
    ),
    arg(
        "private_dns_zone_id",
        "properties.apiServerAccessProfile.privateDNSZone",
        Kind::Str,
    )
    .computed()
    .force_new(),
    arg(
        "role_based_access_control_enabled",
        "properties.enableRBAC",
        Kind::Bool,
    )
    .force_new()
    .default("true"),
    arg(
        "run_command_enabled",
        "properties.apiServerAccessProfile.disableRunCommand",
        Kind::Bool,
    )
    .conv(Conv::Not)
    .default("true"),
    arg(
        "service_mesh_profile",
        "properties.serviceMeshProfile",
        Kind::Block(SERVICE_MESH),
    ),
    arg(
        "service_principal",
        "properties.servicePrincipalProfile",
        Kind::Block(SERVICE_PRINCIPAL),
    ),
    arg(
        "storage_profile",
        "properties.storageProfile",
        Kind::Block(STORAGE_PROFILE),
    )
    .computed(),
    arg(
        "upgrade_override",
        "properties.upgradeSettings",
        Kind::Block(UPGRADE_OVERRIDE),
    ),
    arg(
        "web_app_routing",
        "properties.ingressProfile.webAppRouting",
        Kind::Block(WEB_APP_ROUTING),
    )
    .switch("enabled"),
    arg(
        "windows_profile",
        "properties.windowsProfile",
        Kind::Block(WINDOWS_PROFILE),
    )
    .computed(),
    arg(
        "workload_autoscaler_profile",
        "properties.workloadAutoScalerProfile",
        Kind::Block(WORKLOAD_AUTOSCALER),
    ),
    arg(
        "workload_identity_enabled",
        "properties.securityProfile.workloadIdentity.enabled",
        Kind::Bool,
    ),
    arg("fqdn", "properties.fqdn", Kind::Str).read_only(),
    arg(
        "node_resource_group",
        "properties.nodeResourceGroup",
        Kind::Str,
    )
    .computed()
    .force_new(),
    // From `listClusterUserCredential` / `listClusterAdminCredential`
    // (provider/azure/secrets.rs).
    arg("kube_config_raw", "", Kind::Str).exported_secret(),
    arg("kube_config", "", Kind::BlockList(KUBE_CONFIG)).exported_secret(),
    arg("kube_admin_config_raw", "", Kind::Str).exported_secret(),
    arg("kube_admin_config", "", Kind::BlockList(KUBE_CONFIG)).exported_secret(),
    TAGS,
];
/// One kubeconfig's parts, as azurerm flattens them (the certificates
/// and key stay base64, as the kubeconfig holds them).
const KUBE_CONFIG: &[Arg] = &[
    arg("host", "", Kind::Str).read_only(),
    arg("username", "", Kind::Str).read_only(),
    arg("password", "", Kind::Str).read_only(),
    arg("client_certificate", "", Kind::Str).read_only(),
    arg("client_key", "", Kind::Str).read_only(),
    arg("cluster_ca_certificate", "", Kind::Str).read_only(),
];

pub(super) const NODE_POOL: &[Arg] = &{
    const EXTRA: [Arg; 15] = [
        NAME,
        arg("kubernetes_cluster_id", "", Kind::Str)
            .req()
            .force_new(),
        arg("mode", "properties.mode", Kind::Str).default("\"User\""),
        arg("zones", "properties.availabilityZones", Kind::StrList).force_new(),
        arg("max_pods", "properties.maxPods", Kind::Num)
            .computed()
            .force_new(),
        arg("os_disk_size_gb", "properties.osDiskSizeGB", Kind::Num)
            .computed()
            .force_new(),
        arg("os_type", "properties.osType", Kind::Str)
            .default("\"Linux\"")
            .force_new(),
        arg("os_sku", "properties.osSKU", Kind::Str)
            .computed()
            .force_new(),
        arg("priority", "properties.scaleSetPriority", Kind::Str)
            .default("\"Regular\"")
            .force_new(),
        arg(
            "eviction_policy",
            "properties.scaleSetEvictionPolicy",
            Kind::Str,
        )
        .force_new(),
        arg("spot_max_price", "properties.spotMaxPrice", Kind::Num).force_new(),
        arg("node_taints", "properties.nodeTaints", Kind::StrList),
        arg(
            "windows_profile",
            "properties.windowsProfile",
            Kind::Block(&[
                arg("outbound_nat_enabled", "outboundNATEnabled", Kind::Bool).force_new(),
            ]),
        )
        .force_new(),
        // Agent pools carry their tags in `properties` (ARM ignores a
        // top-level `tags` on a child resource).
        arg("tags", "properties.tags", Kind::StrMap),
        arg(
            "node_image_version",
            "properties.nodeImageVersion",
            Kind::Str,
        )
        .read_only(),
    ];
    concat_args::<44>(&POOL_PROPS, &EXTRA)
};

const CRITICAL_TAINT: &str = "CriticalAddonsOnly=true:NoSchedule";

/// What the cluster's table cannot place by path: the edge zone's type,
/// the critical-add-ons taint, Istio's ingress gateways, the maintenance
/// schedules' shapes.
pub(super) fn aks_to_body(a: &Attrs, body: &mut J) {
    if let Some(p) = body.pointer_mut("/properties/agentPoolProfiles/0") {
        start_at_min_count(p);
    }
    if attr_str(a, "edge_zone").is_some() {
        body["extendedLocation"]["type"] = json!("EdgeZone");
    }
    let critical = first_block(a, "default_node_pool")
        .and_then(|p| p.get("only_critical_addons_enabled").cloned())
        .map(|v| matches!(v.unmark().0, Value::Bool(true)));
    if let (Some(critical), Some(p)) = (
        critical,
        body.pointer_mut("/properties/agentPoolProfiles/0"),
    ) {
        let mut taints: Vec<J> = p["nodeTaints"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|t| t != CRITICAL_TAINT)
            .collect();
        if critical {
            taints.push(json!(CRITICAL_TAINT));
        }
        p["nodeTaints"] = J::Array(taints);
    }
    if let Some(mesh) = first_block(a, "service_mesh_profile") {
        let mut gateways = vec![];
        for (arg, mode) in [
            ("internal_ingress_gateway_enabled", "Internal"),
            ("external_ingress_gateway_enabled", "External"),
        ] {
            if let Some(Value::Bool(on)) = mesh.get(arg).map(|v| v.unmark().0) {
                gateways.push(json!({"mode": mode, "enabled": on}));
            }
        }
        if !gateways.is_empty() {
            body["properties"]["serviceMeshProfile"]["istio"]["components"]["ingressGateways"] =
                J::Array(gateways);
        }
    }
    for (name, child) in MAINTENANCE_CHILDREN {
        if name == "maintenance_window" {
            continue;
        }
        let Some(w) = first_block(a, name) else {
            continue;
        };
        let Some(target) = body.pointer_mut(&format!("/maintenance/{child}/properties")) else {
            continue;
        };
        let num = |k: &str| match w.get(k).map(|v| v.unmark().0) {
            Some(Value::Number(n)) => Some(json!(*n as i64)),
            _ => None,
        };
        let text = |k: &str| match w.get(k).map(|v| v.unmark().0) {
            Some(Value::String(s)) => Some(json!(s)),
            _ => None,
        };
        let interval = num("interval").unwrap_or(json!(1));
        let schedule = match attr_str(&w, "frequency").unwrap_or_default() {
            "Daily" => json!({"daily": {"intervalDays": interval}}),
            "Weekly" => {
                json!({"weekly": {"intervalWeeks": interval, "dayOfWeek": text("day_of_week")}})
            }
            "AbsoluteMonthly" => {
                json!({"absoluteMonthly": {"intervalMonths": interval, "dayOfMonth": num("day_of_month")}})
            }
            "RelativeMonthly" => {
                json!({"relativeMonthly": {"intervalMonths": interval, "weekIndex": text("week_index"), "dayOfWeek": text("day_of_week")}})
            }
            _ => continue,
        };
        target["maintenanceWindow"]["schedule"] = schedule;
    }
}

/// The cluster's attributes Azure keeps in another shape (see
/// [`aks_to_body`]).
pub(super) fn aks_from_body(body: &J, a: &mut Attrs) {
    // The critical-add-ons taint reads back as the flag.
    let critical = body
        .pointer("/properties/agentPoolProfiles/0/nodeTaints")
        .and_then(J::as_array)
        .is_some_and(|t| t.iter().any(|x| x == CRITICAL_TAINT));
    if let Some(Value::List(pools)) = a.get_mut("default_node_pool")
        && let Some(Value::Object(p)) = pools.first_mut()
    {
        p.insert("only_critical_addons_enabled".into(), Value::Bool(critical));
    }
    if let Some(Value::List(meshes)) = a.get_mut("service_mesh_profile")
        && let Some(Value::Object(m)) = meshes.first_mut()
    {
        let gateways = body
            .pointer("/properties/serviceMeshProfile/istio/components/ingressGateways")
            .and_then(J::as_array)
            .cloned()
            .unwrap_or_default();
        for (arg, mode) in [
            ("internal_ingress_gateway_enabled", "Internal"),
            ("external_ingress_gateway_enabled", "External"),
        ] {
            let on = gateways
                .iter()
                .find(|g| g["mode"].as_str() == Some(mode))
                .and_then(|g| g["enabled"].as_bool());
            m.insert(arg.into(), on.map(Value::Bool).unwrap_or(Value::Null));
        }
    }
    for (name, child) in MAINTENANCE_CHILDREN {
        if name == "maintenance_window" {
            continue;
        }
        let Some(s) = body.pointer(&format!(
            "/maintenance/{child}/properties/maintenanceWindow/schedule"
        )) else {
            continue;
        };
        let Some(Value::List(blocks)) = a.get_mut(name) else {
            continue;
        };
        let Some(Value::Object(w)) = blocks.first_mut() else {
            continue;
        };
        let (freq, inner) = match s
            .as_object()
            .and_then(|m| m.iter().find(|(_, v)| v.is_object()))
        {
            Some((k, v)) => (k.as_str(), v),
            None => continue,
        };
        let freq = match freq {
            "daily" => "Daily",
            "weekly" => "Weekly",
            "absoluteMonthly" => "AbsoluteMonthly",
            "relativeMonthly" => "RelativeMonthly",
            _ => continue,
        };
        w.insert("frequency".into(), Value::String(freq.into()));
        let interval = ["intervalDays", "intervalWeeks", "intervalMonths"]
            .iter()
            .find_map(|k| inner[*k].as_f64());
        w.insert(
            "interval".into(),
            interval.map(Value::Number).unwrap_or(Value::Null),
        );
        let get = |k: &str| inner.get(k).map(Value::from_json).unwrap_or(Value::Null);
        w.insert("day_of_week".into(), get("dayOfWeek"));
        w.insert("day_of_month".into(), get("dayOfMonth"));
        w.insert("week_index".into(), get("weekIndex"));
    }
}

fn first_block(a: &Attrs, name: &str) -> Option<Attrs> {
    a.get(name)?.as_seq()?.first()?.as_mapping().cloned()
}

/// A separate node pool's body: see [`start_at_min_count`].
pub(super) fn pool_to_body(_: &Attrs, body: &mut J) {
    if let Some(p) = body.get_mut("properties") {
        start_at_min_count(p);
    }
}

/// An autoscaled pool created without `node_count` starts at `min_count`,
/// as azurerm sends it (ARM would otherwise start it at one node, outside
/// the autoscaler's bounds).
fn start_at_min_count(pool: &mut J) {
    let unset = pool.get("count").is_none_or(J::is_null);
    let auto = pool.get("enableAutoScaling").and_then(J::as_bool) == Some(true);
    if let (true, true, Some(min)) = (unset, auto, pool.get("minCount").cloned()) {
        pool["count"] = min;
    }
}

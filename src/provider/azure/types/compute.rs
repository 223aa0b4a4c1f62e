//! Resource groups and AKS: clusters and node pools.

use super::common::{LOCATION, NAME, RG, TAGS};
use crate::provider::azure::convert::{Arg, Kind, arg};

// ---- resource group ----
pub(super) const RESOURCE_GROUP: &[Arg] = &[NAME, LOCATION, TAGS];

// ---- AKS ----
pub(super) const NODE_POOL_PROFILE: &[Arg] = &[
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
pub(super) const KUBERNETES_CLUSTER: &[Arg] = &[
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
pub(super) const NODE_POOL: &[Arg] = &[
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

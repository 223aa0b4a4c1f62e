//! What azurerm's data sources export that their resources' state lacks
//! (a cluster's `agent_pool_profile`, a network's `subnets`, ...), read
//! from the same ARM body; and the documented attributes drinfra does not
//! read, each with why, so a reference to one is refused rather than read
//! as null.

use serde_json::Value as J;

use super::typedef::Attrs;
use crate::lang::Value;

const CLUSTER: &str = "azurerm_kubernetes_cluster";
const SUBNET: &str = "azurerm_subnet";
const NETWORK: &str = "azurerm_virtual_network";
const DNS_ZONE: &str = "azurerm_dns_zone";
const TRAFFIC_MANAGER: &str = "azurerm_traffic_manager_profile";
const PRIVATE_DNS_ZONE: &str = "azurerm_private_dns_zone";

const CLUSTER_EXTRAS: &[&str] = &[
    "agent_pool_profile",
    "current_kubernetes_version",
    "private_fqdn",
    "oidc_issuer_url",
    "node_resource_group_id",
    "api_server_authorized_ip_ranges",
    "http_application_routing_zone_name",
];

/// The names data source `ty` exports beyond its resource's attributes.
pub(super) fn extra_names(ty: &str) -> Vec<String> {
    let fixed: &[&str] = match ty {
        CLUSTER => CLUSTER_EXTRAS,
        SUBNET => &["network_security_group_id", "route_table_id"],
        NETWORK => &["subnets", "vnet_peerings", "vnet_peerings_addresses"],
        DNS_ZONE | PRIVATE_DNS_ZONE => &["number_of_record_sets"],
        TRAFFIC_MANAGER => &["location"],
        _ => &[],
    };
    fixed.iter().map(|s| s.to_string()).collect()
}

fn text(v: Option<&J>) -> Value {
    Value::String(v.and_then(J::as_str).unwrap_or_default().to_string())
}

fn texts(v: Option<&J>) -> Value {
    Value::List(
        v.and_then(J::as_array)
            .map(|xs| {
                xs.iter()
                    .filter_map(J::as_str)
                    .map(|s| Value::String(s.to_string()))
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// A JSON object of strings (labels, tags) as a map.
fn string_map(v: &J) -> Value {
    Value::Object(
        v.as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), text(Some(v)))).collect())
            .unwrap_or_default(),
    )
}

/// Fills the extra attributes of data source `ty` (see [`extra_names`])
/// from its ARM `body`.
pub(super) fn fill(ty: &str, body: &J, subscription: &str, out: &mut Attrs) {
    let p = |path: &str| body.pointer(path);
    let mut set = |k: &str, v: Value| {
        out.insert(k.to_string(), v);
    };
    match ty {
        CLUSTER => {
            set(
                "agent_pool_profile",
                pools(p("/properties/agentPoolProfiles")),
            );
            set(
                "current_kubernetes_version",
                text(p("/properties/currentKubernetesVersion")),
            );
            set("private_fqdn", text(p("/properties/privateFQDN")));
            set(
                "oidc_issuer_url",
                text(p("/properties/oidcIssuerProfile/issuerURL")),
            );
            let group = p("/properties/nodeResourceGroup").and_then(J::as_str);
            set(
                "node_resource_group_id",
                Value::String(group.map_or_else(String::new, |g| {
                    format!("/subscriptions/{subscription}/resourceGroups/{g}")
                })),
            );
            set(
                "api_server_authorized_ip_ranges",
                texts(p("/properties/apiServerAccessProfile/authorizedIPRanges")),
            );
            set(
                "http_application_routing_zone_name",
                text(p(
                    "/properties/addonProfiles/httpApplicationRouting/config/HTTPApplicationRoutingZoneName",
                )),
            );
        }
        SUBNET => {
            set(
                "network_security_group_id",
                text(p("/properties/networkSecurityGroup/id")),
            );
            set("route_table_id", text(p("/properties/routeTable/id")));
        }
        NETWORK => {
            let subnets = p("/properties/subnets").and_then(J::as_array);
            set(
                "subnets",
                Value::List(
                    subnets
                        .into_iter()
                        .flatten()
                        .filter_map(|s| s["name"].as_str())
                        .map(|n| Value::String(n.to_string()))
                        .collect(),
                ),
            );
            let peerings = p("/properties/virtualNetworkPeerings")
                .and_then(J::as_array)
                .cloned()
                .unwrap_or_default();
            set(
                "vnet_peerings",
                Value::Object(
                    peerings
                        .iter()
                        .filter_map(|x| {
                            let remote = x.pointer("/properties/remoteVirtualNetwork/id")?;
                            Some((x["name"].as_str()?.to_string(), text(Some(remote))))
                        })
                        .collect(),
                ),
            );
            set(
                "vnet_peerings_addresses",
                Value::List(
                    peerings
                        .iter()
                        .filter_map(|x| {
                            // The remote network's own space, as azurerm
                            // reads it (not the peered part of it).
                            x.pointer(
                                "/properties/remoteVirtualNetworkAddressSpace/addressPrefixes",
                            )
                            .and_then(J::as_array)
                        })
                        .flatten()
                        .filter_map(J::as_str)
                        .filter(|s| !s.is_empty())
                        .map(|s| Value::String(s.to_string()))
                        .collect(),
                ),
            );
        }
        DNS_ZONE | PRIVATE_DNS_ZONE => {
            set(
                "number_of_record_sets",
                p("/properties/numberOfRecordSets")
                    .and_then(J::as_f64)
                    .map_or(Value::Null, Value::Number),
            );
        }
        TRAFFIC_MANAGER => set("location", text(body.get("location"))),
        _ => {}
    }
}

/// A cluster's node pools as azurerm's data source lists them
/// (`agent_pool_profile`, every pool; the resource has only the default).
fn pools(v: Option<&J>) -> Value {
    let num = |x: &J, k: &str| x[k].as_f64().map_or(Value::Null, Value::Number);
    let flag = |x: &J, k: &str| Value::Bool(x[k].as_bool().unwrap_or(false));
    Value::List(
        v.and_then(J::as_array)
            .into_iter()
            .flatten()
            .map(|x| {
                // azurerm lists the settings only when a surge is set.
                let settings = &x["upgradeSettings"];
                let upgrade = match settings["maxSurge"].as_str().filter(|s| !s.is_empty()) {
                    Some(s) => vec![Value::Object(
                        [
                            ("max_surge".to_string(), Value::String(s.to_string())),
                            (
                                "drain_timeout_in_minutes".to_string(),
                                num(settings, "drainTimeoutInMinutes"),
                            ),
                            (
                                "node_soak_duration_in_minutes".to_string(),
                                num(settings, "nodeSoakDurationInMinutes"),
                            ),
                        ]
                        .into(),
                    )],
                    None => vec![],
                };
                Value::Object(
                    [
                        ("name", text(x.get("name"))),
                        ("type", text(x.get("type"))),
                        ("count", num(x, "count")),
                        ("max_count", num(x, "maxCount")),
                        ("min_count", num(x, "minCount")),
                        ("auto_scaling_enabled", flag(x, "enableAutoScaling")),
                        ("vm_size", text(x.get("vmSize"))),
                        ("os_disk_size_gb", num(x, "osDiskSizeGB")),
                        ("vnet_subnet_id", text(x.get("vnetSubnetID"))),
                        ("os_type", text(x.get("osType"))),
                        ("orchestrator_version", text(x.get("orchestratorVersion"))),
                        ("max_pods", num(x, "maxPods")),
                        ("node_labels", string_map(&x["nodeLabels"])),
                        ("node_taints", texts(x.get("nodeTaints"))),
                        ("node_public_ip_enabled", flag(x, "enableNodePublicIP")),
                        (
                            "node_public_ip_prefix_id",
                            text(x.get("nodePublicIPPrefixID")),
                        ),
                        ("tags", string_map(&x["tags"])),
                        ("zones", texts(x.get("availabilityZones"))),
                        ("upgrade_settings", Value::List(upgrade)),
                    ]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
                )
            })
            .collect(),
    )
}

/// Documented attributes of azurerm's data sources that drinfra refuses:
/// (data source, attribute, why). An empty why means drinfra does not
/// read it yet; otherwise azurerm 4.x has no such attribute either.
const UNREAD: &[(&str, &str, &str)] = &[
    (
        "azurerm_redis_cache",
        "enable_non_ssl_port",
        "azurerm 4.x's data source exports non_ssl_port_enabled; its documentation still shows enable_non_ssl_port, the 3.x name removed in 4.0",
    ),
    (
        SUBNET,
        "service_endpoint",
        "azurerm's data source exports service_endpoints (a list of service names); its documentation misspells it service_endpoint",
    ),
];

/// Why a reference to attribute `attr` of data source `ty` is refused
/// though azurerm documents it (None: not one of those).
pub fn unread(ty: &str, attr: &str) -> Option<String> {
    UNREAD
        .iter()
        .find(|(t, a, _)| *t == ty && *a == attr)
        .map(|(_, a, why)| {
            if why.is_empty() {
                format!("azurerm's data source {ty} exports {a:?}; drinfra does not read it yet.")
            } else {
                format!("This object has no argument, nested block, or exported attribute named {a:?}: {why}.")
            }
        })
}

/// The documented attributes drinfra refuses for `ty` (tests list them).
pub fn unread_attributes(ty: &str) -> Vec<&'static str> {
    UNREAD
        .iter()
        .filter(|(t, _, _)| *t == ty)
        .map(|(_, a, _)| *a)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_network_lists_its_subnets_and_its_peerings_remote_networks_and_addresses() {
        let body = json!({"properties": {
            "subnets": [{"name": "a"}, {"name": "b"}],
            "virtualNetworkPeerings": [{"name": "to-x", "properties": {
                "remoteVirtualNetwork": {"id": "/x"},
                "remoteVirtualNetworkAddressSpace": {"addressPrefixes": ["10.9.0.0/16"]}
            }}]
        }});
        let mut out = Attrs::new();
        fill(NETWORK, &body, "s", &mut out);
        assert_eq!(
            out["subnets"],
            Value::List(vec![Value::String("a".into()), Value::String("b".into())])
        );
        assert_eq!(
            out["vnet_peerings"],
            Value::Object([("to-x".to_string(), Value::String("/x".into()))].into())
        );
        assert_eq!(
            out["vnet_peerings_addresses"],
            Value::List(vec![Value::String("10.9.0.0/16".into())])
        );
    }
}

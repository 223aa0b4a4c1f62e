//! Virtual networking: virtual networks, subnets, network security
//! groups, public IP addresses, private DNS zones and their virtual
//! network links.

use serde_json::{Value as J, json};

use super::common::{LOCATION, NAME, RG, TAGS};
use super::repeated::{self, Rep, rep};
use crate::lang::Value;
use crate::provider::ArgProblem;
use crate::provider::azure::convert::{Arg, Conv, Kind, arg};
use crate::provider::azure::typedef::{Attrs, IdRule, TypeDef, def};

const VNET: &[Arg] = &[
    NAME,
    RG,
    LOCATION,
    arg(
        "address_space",
        "properties.addressSpace.addressPrefixes",
        Kind::StrList,
    )
    .req(),
    arg(
        "dns_servers",
        "properties.dhcpOptions.dnsServers",
        Kind::StrList,
    )
    .computed(),
    arg(
        "bgp_community",
        "properties.bgpCommunities.virtualNetworkCommunity",
        Kind::Str,
    ),
    arg(
        "flow_timeout_in_minutes",
        "properties.flowTimeoutInMinutes",
        Kind::Num,
    ),
    arg(
        "private_endpoint_vnet_policies",
        "properties.privateEndpointVNetPolicies",
        Kind::Str,
    )
    .computed(),
    arg("guid", "properties.resourceGuid", Kind::Str).read_only(),
    // Refused in `check` with the reason.
    arg("subnet", "", Kind::Blocks),
    arg("ddos_protection_plan", "", Kind::Blocks),
    arg("encryption", "", Kind::Blocks),
    arg("edge_zone", "", Kind::Str),
    TAGS,
];

const SERVICE_DELEGATION: &[Arg] = &[
    arg("name", "serviceName", Kind::Str).req(),
    arg("actions", "actions", Kind::StrList).computed(),
];
const DELEGATION: &[Arg] = &[
    arg("name", "name", Kind::Str).req(),
    arg(
        "service_delegation",
        "properties",
        Kind::Block(SERVICE_DELEGATION),
    )
    .req(),
];
const DELEGATIONS: &[Rep] = &[rep("delegation", "properties.delegations", DELEGATION)];
const SUBNET: &[Arg] = &[
    NAME,
    RG,
    arg("virtual_network_name", "", Kind::Str).req().force_new(),
    arg(
        "address_prefixes",
        "properties.addressPrefixes",
        Kind::StrList,
    )
    .req(),
    arg("service_endpoints", "", Kind::StrList),
    arg("delegation", "", Kind::Blocks),
    arg(
        "private_endpoint_network_policies",
        "properties.privateEndpointNetworkPolicies",
        Kind::Str,
    )
    .computed(),
    arg(
        "private_link_service_network_policies_enabled",
        "properties.privateLinkServiceNetworkPolicies",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::Enabled),
    arg(
        "default_outbound_access_enabled",
        "properties.defaultOutboundAccess",
        Kind::Bool,
    )
    .computed(),
    arg("service_endpoint_policy_ids", "", Kind::StrList),
];

fn subnet_to_body(a: &Attrs, body: &mut J) {
    let endpoints: Vec<J> = a
        .get("service_endpoints")
        .and_then(Value::as_seq)
        .unwrap_or(&[])
        .iter()
        .map(|s| json!({"service": s.unmark().0.to_json()}))
        .collect();
    body["properties"]["serviceEndpoints"] = J::Array(endpoints);
    repeated::write(DELEGATIONS, a, body);
}

fn subnet_from_body(body: &J, a: &mut Attrs) {
    let endpoints = body["properties"]["serviceEndpoints"]
        .as_array()
        .map(|xs| {
            xs.iter()
                .filter_map(|x| x["service"].as_str().map(|s| Value::String(s.into())))
                .collect()
        })
        .unwrap_or_default();
    a.insert("service_endpoints".into(), Value::List(endpoints));
    repeated::read(DELEGATIONS, body, a);
}

const SECURITY_RULES: &[Rep] = &[rep(
    "security_rule",
    "properties.securityRules",
    super::security_rule::INLINE,
)];
const NSG: &[Arg] = &[
    NAME,
    RG,
    LOCATION,
    arg("security_rule", "", Kind::Blocks).computed(),
    TAGS,
];

fn nsg_to_body(a: &Attrs, body: &mut J) {
    repeated::write(SECURITY_RULES, a, body);
}
fn nsg_from_body(body: &J, a: &mut Attrs) {
    repeated::read(SECURITY_RULES, body, a);
}

const PUBLIC_IP: &[Arg] = &[
    NAME,
    RG,
    LOCATION,
    arg(
        "allocation_method",
        "properties.publicIPAllocationMethod",
        Kind::Str,
    )
    .req(),
    arg("sku", "sku.name", Kind::Str).computed().force_new(),
    arg("sku_tier", "sku.tier", Kind::Str)
        .computed()
        .force_new(),
    arg("zones", "zones", Kind::StrList).force_new(),
    arg("ip_version", "properties.publicIPAddressVersion", Kind::Str)
        .computed()
        .force_new(),
    arg(
        "idle_timeout_in_minutes",
        "properties.idleTimeoutInMinutes",
        Kind::Num,
    )
    .computed(),
    arg(
        "domain_name_label",
        "properties.dnsSettings.domainNameLabel",
        Kind::Str,
    ),
    arg(
        "reverse_fqdn",
        "properties.dnsSettings.reverseFqdn",
        Kind::Str,
    ),
    arg(
        "ddos_protection_mode",
        "properties.ddosSettings.protectionMode",
        Kind::Str,
    )
    .computed(),
    arg(
        "public_ip_prefix_id",
        "properties.publicIPPrefix.id",
        Kind::Str,
    )
    .force_new(),
    arg("ip_address", "properties.ipAddress", Kind::Str).read_only(),
    arg("fqdn", "properties.dnsSettings.fqdn", Kind::Str).read_only(),
    arg("ip_tags", "properties.ipTags", Kind::StrMap)
        .force_new()
        .conv(Conv::Pairs("ipTagType", "tag")),
    // Refused in `check` with the reason.
    arg("edge_zone", "", Kind::Str),
    arg("domain_name_label_scope", "", Kind::Str),
    arg("ddos_protection_plan_id", "", Kind::Str),
    TAGS,
];

const PRIVATE_ZONE: &[Arg] = &[
    NAME,
    RG,
    arg(
        "number_of_record_sets",
        "properties.numberOfRecordSets",
        Kind::Num,
    )
    .read_only(),
    arg(
        "max_number_of_record_sets",
        "properties.maxNumberOfRecordSets",
        Kind::Num,
    )
    .read_only(),
    arg(
        "max_number_of_virtual_network_links",
        "properties.maxNumberOfVirtualNetworkLinks",
        Kind::Num,
    )
    .read_only(),
    arg(
        "max_number_of_virtual_network_links_with_registration",
        "properties.maxNumberOfVirtualNetworkLinksWithRegistration",
        Kind::Num,
    )
    .read_only(),
    arg("soa_record", "", Kind::Blocks),
    TAGS,
];
const ZONE_LINK: &[Arg] = &[
    NAME,
    RG,
    arg("private_dns_zone_name", "", Kind::Str)
        .req()
        .force_new(),
    arg(
        "virtual_network_id",
        "properties.virtualNetwork.id",
        Kind::Str,
    )
    .req()
    .force_new(),
    arg(
        "registration_enabled",
        "properties.registrationEnabled",
        Kind::Bool,
    )
    .computed(),
    arg(
        "resolution_policy",
        "properties.resolutionPolicy",
        Kind::Str,
    )
    .computed(),
    TAGS,
];

const PEERING: &[Arg] = &[
    NAME,
    RG,
    arg("virtual_network_name", "", Kind::Str).req().force_new(),
    arg(
        "remote_virtual_network_id",
        "properties.remoteVirtualNetwork.id",
        Kind::Str,
    )
    .req()
    .force_new(),
    arg(
        "allow_virtual_network_access",
        "properties.allowVirtualNetworkAccess",
        Kind::Bool,
    )
    .computed(),
    arg(
        "allow_forwarded_traffic",
        "properties.allowForwardedTraffic",
        Kind::Bool,
    )
    .computed(),
    arg(
        "allow_gateway_transit",
        "properties.allowGatewayTransit",
        Kind::Bool,
    )
    .computed(),
    arg(
        "use_remote_gateways",
        "properties.useRemoteGateways",
        Kind::Bool,
    )
    .computed(),
    arg(
        "peer_complete_virtual_networks_enabled",
        "properties.peerCompleteVnets",
        Kind::Bool,
    )
    .computed()
    .force_new(),
    arg(
        "local_subnet_names",
        "properties.localSubnetNames",
        Kind::StrList,
    ),
    arg(
        "remote_subnet_names",
        "properties.remoteSubnetNames",
        Kind::StrList,
    ),
    arg(
        "only_ipv6_peering_enabled",
        "properties.enableOnlyIPv6Peering",
        Kind::Bool,
    )
    .computed()
    .force_new(),
    // Only drinfra's: a change re-sends the peering (azurerm's re-sync).
    arg("triggers", "", Kind::StrMap),
];

const NOT_MAPPED: &[(&str, &str, &str)] = &[
    (
        "azurerm_virtual_network",
        "subnet",
        "inline subnets are not mapped: declare each as an azurerm_subnet resource",
    ),
    (
        "azurerm_virtual_network",
        "ddos_protection_plan",
        "DDoS protection plans are not a type drinfra manages yet",
    ),
    (
        "azurerm_virtual_network",
        "encryption",
        "virtual network encryption is not mapped yet",
    ),
    (
        "azurerm_virtual_network",
        "edge_zone",
        "Azure Extended Zones are not modelled",
    ),
    (
        "azurerm_subnet",
        "service_endpoint_policy_ids",
        "service endpoint policies are not a type drinfra manages yet",
    ),
    (
        "azurerm_public_ip",
        "edge_zone",
        "Azure Extended Zones are not modelled",
    ),
    (
        "azurerm_public_ip",
        "domain_name_label_scope",
        "domain name label scopes are not mapped yet",
    ),
    (
        "azurerm_public_ip",
        "ddos_protection_plan_id",
        "DDoS protection plans are not a type drinfra manages yet",
    ),
    (
        "azurerm_private_dns_zone",
        "soa_record",
        "a private zone's SOA record is not mapped yet (Azure's defaults apply)",
    ),
];

/// The repeated blocks each type maps.
pub(super) fn reps(ty: &str) -> &'static [&'static [Rep]] {
    match ty {
        "azurerm_subnet" => &[DELEGATIONS],
        "azurerm_network_security_group" => &[SECURITY_RULES],
        _ => &[],
    }
}

pub(super) fn check(ty: &str, a: &Attrs, out: &mut Vec<ArgProblem>) {
    for (t, name, why) in NOT_MAPPED {
        if *t == ty {
            repeated::refuse(a, name, why, out);
        }
    }
    match ty {
        "azurerm_subnet" => repeated::check(DELEGATIONS, a, "", out),
        "azurerm_network_security_group" => repeated::check(SECURITY_RULES, a, "", out),
        _ => {}
    }
}

pub(super) fn defs() -> Vec<TypeDef> {
    vec![
        def(
            "azurerm_virtual_network",
            "Microsoft.Network/virtualNetworks",
            "2024-05-01",
            VNET,
            IdRule::InGroup,
        ),
        TypeDef {
            to_body: Some(subnet_to_body),
            from_body: Some(subnet_from_body),
            ..def(
                "azurerm_subnet",
                "Microsoft.Network/virtualNetworks/subnets",
                "2024-05-01",
                SUBNET,
                IdRule::InNamedParent {
                    parent_type: "Microsoft.Network/virtualNetworks",
                    parent_arg: "virtual_network_name",
                    segment: "subnets",
                },
            )
        },
        def(
            "azurerm_virtual_network_peering",
            "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
            "2024-05-01",
            PEERING,
            IdRule::InNamedParent {
                parent_type: "Microsoft.Network/virtualNetworks",
                parent_arg: "virtual_network_name",
                segment: "virtualNetworkPeerings",
            },
        ),
        TypeDef {
            to_body: Some(nsg_to_body),
            from_body: Some(nsg_from_body),
            ..def(
                "azurerm_network_security_group",
                "Microsoft.Network/networkSecurityGroups",
                "2024-05-01",
                NSG,
                IdRule::InGroup,
            )
        },
        def(
            "azurerm_public_ip",
            "Microsoft.Network/publicIPAddresses",
            "2024-05-01",
            PUBLIC_IP,
            IdRule::InGroup,
        ),
        TypeDef {
            fixed: &[("location", "\"global\"")],
            ..def(
                "azurerm_private_dns_zone",
                "Microsoft.Network/privateDnsZones",
                "2024-06-01",
                PRIVATE_ZONE,
                IdRule::InGroup,
            )
        },
        TypeDef {
            fixed: &[("location", "\"global\"")],
            ..def(
                "azurerm_private_dns_zone_virtual_network_link",
                "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
                "2024-06-01",
                ZONE_LINK,
                IdRule::InNamedParent {
                    parent_type: "Microsoft.Network/privateDnsZones",
                    parent_arg: "private_dns_zone_name",
                    segment: "virtualNetworkLinks",
                },
            )
        },
    ]
}

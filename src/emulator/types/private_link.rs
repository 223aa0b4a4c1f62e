//! What refers to a subnet: its network security group (which must exist,
//! and cannot be deleted while a subnet uses it), and private endpoints
//! (a subnet holding one cannot be deleted).
//!
//! Private endpoints: a network interface in the endpoint's subnet, made
//! and removed with it, holds its private IP address; the connection to
//! the target (which must exist, with a sub-resource its type offers) is
//! Approved when automatic and Pending when manual; a private DNS zone
//! group writes an A record for the target in each zone it names.

use serde_json::{Value as J, json};

use super::*;

const VERSIONS: &[&str] = NETWORK_VERSIONS;

/// A private DNS zone's A record set (the zone group writes them).
pub(super) const PRIVATE_A: &str = "Microsoft.Network/privateDnsZones/A";

pub const ENDPOINTS: &str = "Microsoft.Network/privateEndpoints";
pub const ZONE_GROUPS: &str = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups";
const NICS: &str = "Microsoft.Network/networkInterfaces";
const SUBNETS: &str = "Microsoft.Network/virtualNetworks/subnets";
const NSGS: &str = "Microsoft.Network/networkSecurityGroups";

fn not_found_reference(what: &str, by: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidResourceReference",
        format!(
            "Resource {what} referenced by resource {by} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region."
        ),
    )
}

/// A subnet's references: its network security group exists.
pub fn check_subnet_references(ctx: &Ctx, body: &J) -> Result<(), ArmError> {
    if let Some(nsg) = str_prop(body, &["networkSecurityGroup", "id"])
        && ctx
            .get(nsg)?
            .is_none_or(|r| !r.ty.eq_ignore_ascii_case(NSGS))
    {
        return Err(not_found_reference(nsg, &ctx.path.id()));
    }
    Ok(())
}

/// A network security group still associated with a subnet is not deleted.
pub fn nsg_in_use(ctx: &Ctx, row: &Row) -> Result<Vec<(String, String, Option<J>)>, ArmError> {
    let users: Vec<String> = ctx
        .store
        .of_type(SUBNETS, &ctx.path.subscription)
        .map_err(internal)?
        .into_iter()
        .filter(|s| {
            str_prop(&s.body, &["networkSecurityGroup", "id"])
                .is_some_and(|n| n.eq_ignore_ascii_case(&row.id))
        })
        .map(|s| s.id)
        .collect();
    if users.is_empty() {
        return Ok(vec![]);
    }
    Err(ArmError::bad_request(
        "InUseNetworkSecurityGroupCannotBeDeleted",
        format!(
            "Network security group {} cannot be deleted because it is in use by the following resources: {}. In order to delete the Network security group, remove the association with the resource(s).",
            row.id,
            users.join(", ")
        ),
    ))
}

/// A subnet that holds private endpoints is not deleted.
pub fn subnet_in_use(ctx: &Ctx, row: &Row) -> Result<Vec<(String, String, Option<J>)>, ArmError> {
    let users: Vec<String> = ctx
        .store
        .of_type(ENDPOINTS, &ctx.path.subscription)
        .map_err(internal)?
        .into_iter()
        .filter(|e| {
            str_prop(&e.body, &["subnet", "id"]).is_some_and(|s| s.eq_ignore_ascii_case(&row.id))
        })
        .map(|e| e.id)
        .collect();
    if users.is_empty() {
        return Ok(vec![]);
    }
    Err(ArmError::bad_request(
        "InUseSubnetCannotBeDeleted",
        format!(
            "Subnet {} is in use by {} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet.",
            row.id.rsplit('/').next().unwrap_or_default(),
            users.join(", ")
        ),
    ))
}

/// The sub-resources (group ids) each target type offers, and the private
/// DNS zone Azure documents for each.
const GROUPS: &[(&str, &str, &str)] = &[
    (
        "Microsoft.Storage/storageAccounts",
        "blob",
        "privatelink.blob.core.windows.net",
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "blob_secondary",
        "privatelink.blob.core.windows.net",
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "file",
        "privatelink.file.core.windows.net",
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "queue",
        "privatelink.queue.core.windows.net",
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "table",
        "privatelink.table.core.windows.net",
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "web",
        "privatelink.web.core.windows.net",
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "dfs",
        "privatelink.dfs.core.windows.net",
    ),
    (
        "Microsoft.KeyVault/vaults",
        "vault",
        "privatelink.vaultcore.azure.net",
    ),
    (
        "Microsoft.DBforPostgreSQL/flexibleServers",
        "postgresqlServer",
        "privatelink.postgres.database.azure.com",
    ),
    (
        "Microsoft.Cache/redis",
        "redisCache",
        "privatelink.redis.cache.windows.net",
    ),
    (
        "Microsoft.ContainerService/managedClusters",
        "management",
        "privatelink.{region}.azmk8s.io",
    ),
    (
        "Microsoft.OperationalInsights/workspaces",
        "azuremonitor",
        "privatelink.monitor.azure.com",
    ),
];

/// The host name of a target's sub-resource as clients resolve it.
fn public_host(target: &Row, group: &str) -> String {
    let name = target
        .id
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_lowercase();
    let zone = GROUPS
        .iter()
        .find(|(t, g, _)| t.eq_ignore_ascii_case(&target.ty) && g.eq_ignore_ascii_case(group))
        .map(|(_, _, z)| z.trim_start_matches("privatelink."))
        .unwrap_or("azure.net");
    let region = target
        .body
        .get("location")
        .and_then(J::as_str)
        .unwrap_or_default();
    format!("{name}.{}", zone.replace("{region}", region))
}

/// The first free address of a subnet (Azure keeps the first four).
fn free_address(ctx: &Ctx, subnet: &Row, me: &str) -> Option<String> {
    let prefix = prop(&subnet.body, &["addressPrefixes"])
        .and_then(J::as_array)
        .and_then(|a| a.first())
        .and_then(J::as_str)
        .or_else(|| str_prop(&subnet.body, &["addressPrefix"]))?
        .to_string();
    let (ip, len) = prefix.split_once('/')?;
    let base = u32::from(ip.parse::<std::net::Ipv4Addr>().ok()?);
    let len: u32 = len.parse().ok()?;
    let size = 1u64 << (32 - len.min(32));
    let used: Vec<String> = ctx
        .store
        .of_type(NICS, &ctx.path.subscription)
        .ok()?
        .into_iter()
        .filter(|n| {
            !n.id
                .to_lowercase()
                .contains(&format!("/{}.nic.", me.to_lowercase()))
        })
        .filter_map(|n| {
            let cfg = prop(&n.body, &["ipConfigurations"])?
                .as_array()?
                .first()?
                .clone();
            let in_subnet = cfg["properties"]["subnet"]["id"]
                .as_str()?
                .eq_ignore_ascii_case(&subnet.id);
            in_subnet.then(|| {
                cfg["properties"]["privateIPAddress"]
                    .as_str()
                    .map(str::to_string)
            })?
        })
        .collect();
    (4..size.saturating_sub(1))
        .map(|i| std::net::Ipv4Addr::from(base.wrapping_add(i as u32)).to_string())
        .find(|a| !used.contains(a))
}

fn check_endpoint(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let me = ctx.path.id();
    let name = ctx.path.name();
    let subnet_id = str_prop(body, &["subnet", "id"])
        .unwrap_or_default()
        .to_string();
    if subnet_id.is_empty() {
        return Err(ArmError::bad_request(
            "InvalidRequestFormat",
            "properties.subnet.id is required.",
        )
        .with_target("properties.subnet.id"));
    }
    let Some(subnet) = ctx
        .get(&subnet_id)?
        .filter(|r| r.ty.eq_ignore_ascii_case(SUBNETS))
    else {
        return Err(not_found_reference(&subnet_id, &me));
    };
    immutable(
        ctx,
        body,
        &["subnet", "id"],
        "PrivateEndpointSubnetCannotBeChanged",
    )?;
    let auto = prop(body, &["privateLinkServiceConnections"])
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default();
    let manual = prop(body, &["manualPrivateLinkServiceConnections"])
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default();
    if auto.len() + manual.len() != 1 {
        return Err(ArmError::bad_request(
            "PrivateEndpointBadRequest",
            "A private endpoint needs exactly one private link service connection (automatic or manual).",
        ));
    }
    let is_manual = !manual.is_empty();
    let mut conn = auto.into_iter().chain(manual).next().unwrap_or(json!({}));
    let target_id = conn["properties"]["privateLinkServiceId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let Some(target) = ctx.get(&target_id)? else {
        return Err(ArmError::bad_request(
            "PrivateLinkServiceNotFound",
            format!(
                "The private link service or resource '{target_id}' referenced by private endpoint {me} was not found."
            ),
        ));
    };
    let offered: Vec<&str> = GROUPS
        .iter()
        .filter(|(t, _, _)| t.eq_ignore_ascii_case(&target.ty))
        .map(|(_, g, _)| *g)
        .collect();
    let groups: Vec<String> = conn["properties"]["groupIds"]
        .as_array()
        .map(|xs| {
            xs.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if groups.len() != 1 || !offered.iter().any(|g| g.eq_ignore_ascii_case(&groups[0])) {
        return Err(ArmError::bad_request(
            "PrivateEndpointBadRequest",
            format!(
                "Call to {} failed. Error message: the group id '{}' is not valid; this resource offers {}.",
                target.ty,
                groups.join(","),
                if offered.is_empty() {
                    "none".to_string()
                } else {
                    offered.join(", ")
                }
            ),
        ));
    }
    let group = groups[0].clone();
    let status = if is_manual { "Pending" } else { "Approved" };
    let description = if is_manual {
        conn["properties"]["requestMessage"]
            .as_str()
            .unwrap_or("Please approve my connection.")
            .to_string()
    } else {
        "Auto-Approved".to_string()
    };
    conn["properties"]["privateLinkServiceConnectionState"] =
        json!({"status": status, "description": description, "actionsRequired": "None"});
    conn["id"] = json!(format!(
        "{me}/{}/{}",
        if is_manual {
            "manualPrivateLinkServiceConnections"
        } else {
            "privateLinkServiceConnections"
        },
        conn["name"].as_str().unwrap_or_default()
    ));
    conn["type"] = json!("Microsoft.Network/privateEndpoints/privateLinkServiceConnections");
    conn["properties"]["provisioningState"] = json!("Succeeded");
    // The network interface Azure makes (kept across updates).
    let old_nic = ctx.existing.and_then(|r| {
        prop(&r.body, &["networkInterfaces"])
            .and_then(J::as_array)
            .and_then(|a| a.first())
            .and_then(|n| n["id"].as_str())
            .map(str::to_string)
    });
    let nic_name = str_prop(body, &["customNetworkInterfaceName"])
        .map(str::to_string)
        .unwrap_or_else(|| format!("{name}.nic.{}", super::guid_from(&me.to_lowercase())));
    let nic_id = old_nic.unwrap_or_else(|| {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/{NICS}/{nic_name}",
            ctx.path.subscription,
            ctx.path.resource_group.clone().unwrap_or_default()
        )
    });
    let static_ip = prop(body, &["ipConfigurations"])
        .and_then(J::as_array)
        .and_then(|a| a.first())
        .and_then(|c| c["properties"]["privateIPAddress"].as_str())
        .map(str::to_string);
    let existing_ip = ctx.get(&nic_id)?.and_then(|n| {
        prop(&n.body, &["ipConfigurations"])
            .and_then(J::as_array)
            .and_then(|a| a.first())
            .and_then(|c| c["properties"]["privateIPAddress"].as_str())
            .map(str::to_string)
    });
    let ip = match static_ip.or(existing_ip) {
        Some(ip) => ip,
        None => free_address(ctx, &subnet, &name).ok_or_else(|| {
            ArmError::bad_request(
                "SubnetIsFull",
                format!("Subnet {subnet_id} has no free address for private endpoint {name}."),
            )
        })?,
    };
    let location = body.get("location").cloned().unwrap_or(J::Null);
    let ip_config = format!(
        "privateEndpointIpConfig.{}",
        super::guid_from(&format!("{me}/ip").to_lowercase())
    );
    // As Azure answers a private endpoint's interface: no machine, MAC
    // address or DNS servers of its own, and none of a machine's options.
    let nic = json!({
        "id": nic_id,
        "name": nic_id.rsplit('/').next().unwrap_or_default(),
        "type": NICS,
        "location": location,
        "properties": {
            "provisioningState": "Succeeded",
            "ipConfigurations": [{
                "name": ip_config,
                "id": format!("{nic_id}/ipConfigurations/{ip_config}"),
                "type": "Microsoft.Network/networkInterfaces/ipConfigurations",
                "properties": {
                    "provisioningState": "Succeeded",
                    "privateIPAddress": ip,
                    "privateIPAllocationMethod": "Dynamic",
                    "subnet": {"id": subnet_id},
                    "primary": true,
                    "privateIPAddressVersion": "IPv4",
                    "privateLinkConnectionProperties": {"groupId": group, "fqdns": [public_host(&target, &group)]},
                }
            }],
            "dnsSettings": {"dnsServers": [], "appliedDnsServers": []},
            "macAddress": "",
            "enableAcceleratedNetworking": false,
            "disableTcpStateTracking": false,
            "enableIPForwarding": false,
            "vnetEncryptionSupported": false,
            "privateEndpoint": {"id": me},
        }
    });
    let p = props(body);
    let key = if is_manual {
        "manualPrivateLinkServiceConnections"
    } else {
        "privateLinkServiceConnections"
    };
    p.insert(key.into(), json!([conn]));
    p.insert(
        if is_manual {
            "privateLinkServiceConnections"
        } else {
            "manualPrivateLinkServiceConnections"
        }
        .into(),
        json!([]),
    );
    p.insert("networkInterfaces".into(), json!([{"id": nic_id}]));
    p.insert(
        "customDnsConfigs".into(),
        json!([{"fqdn": public_host(&target, &group), "ipAddresses": [ip]}]),
    );
    p.entry("ipConfigurations").or_insert(json!([]));
    p.entry("applicationSecurityGroups").or_insert(json!([]));
    Ok(Write {
        effects: vec![(nic_id, NICS.to_string(), Some(nic))],
        ..Write::body(body.clone())
    })
}

/// The endpoint's network interface goes with it, and so do the records
/// its zone groups wrote.
fn delete_endpoint(ctx: &Ctx, row: &Row) -> Result<Vec<(String, String, Option<J>)>, ArmError> {
    let mut out = vec![];
    for n in prop(&row.body, &["networkInterfaces"])
        .and_then(J::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(id) = n["id"].as_str() {
            out.push((id.to_string(), NICS.to_string(), None));
        }
    }
    for g in ctx.store.children(ZONE_GROUPS, &row.id).map_err(internal)? {
        out.extend(delete_records(&g));
    }
    Ok(out)
}

/// The A records a zone group's configs hold (`recordSets`).
fn delete_records(group: &Row) -> Vec<(String, String, Option<J>)> {
    let mut out = vec![];
    for c in prop(&group.body, &["privateDnsZoneConfigs"])
        .and_then(J::as_array)
        .into_iter()
        .flatten()
    {
        let zone = c["properties"]["privateDnsZoneId"]
            .as_str()
            .unwrap_or_default();
        for r in c["properties"]["recordSets"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(n) = r["recordSetName"].as_str() {
                out.push((format!("{zone}/A/{n}"), PRIVATE_A.to_string(), None));
            }
        }
    }
    out
}

fn check_zone_group(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let endpoint_id = ctx.path.parent_id().unwrap_or_default();
    let Some(endpoint) = ctx.get(&endpoint_id)? else {
        return Err(not_found_reference(&endpoint_id, &ctx.path.id()));
    };
    let nic_ip = prop(&endpoint.body, &["customDnsConfigs"])
        .and_then(J::as_array)
        .and_then(|a| a.first())
        .cloned()
        .unwrap_or(json!({}));
    let fqdn = nic_ip["fqdn"].as_str().unwrap_or_default().to_string();
    let ips = nic_ip["ipAddresses"].clone();
    let record = fqdn.split('.').next().unwrap_or_default().to_string();
    let mut effects = ctx.existing.map(delete_records).unwrap_or_default();
    let configs = prop(body, &["privateDnsZoneConfigs"])
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default();
    if configs.is_empty() {
        return Err(ArmError::bad_request(
            "InvalidRequestFormat",
            "A private DNS zone group needs at least one privateDnsZoneConfigs entry.",
        ));
    }
    let mut filled = vec![];
    for mut c in configs {
        let zone_id = c["properties"]["privateDnsZoneId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let Some(zone) = ctx.get(&zone_id)?.filter(|z| {
            z.ty.eq_ignore_ascii_case("Microsoft.Network/privateDnsZones")
        }) else {
            return Err(not_found_reference(&zone_id, &ctx.path.id()));
        };
        let zone_name = zone.id.rsplit('/').next().unwrap_or_default().to_string();
        let rid = format!("{}/A/{record}", zone.id);
        effects.retain(|(id, _, _)| !id.eq_ignore_ascii_case(&rid));
        let a_records: Vec<J> = ips
            .as_array()
            .into_iter()
            .flatten()
            .map(|ip| json!({"ipv4Address": ip}))
            .collect();
        effects.push((
            rid.clone(),
            PRIVATE_A.to_string(),
            Some(json!({
                "id": rid,
                "name": record,
                "type": PRIVATE_A,
                "properties": {"ttl": 10, "fqdn": format!("{record}.{zone_name}."), "aRecords": a_records, "isAutoRegistered": false, "provisioningState": "Succeeded"},
            })),
        ));
        c["properties"]["recordSets"] = json!([{
            "recordType": "A",
            "recordSetName": record,
            "fqdn": format!("{record}.{zone_name}"),
            "ttl": 10,
            "ipAddresses": ips,
            "provisioningState": "Succeeded",
        }]);
        filled.push(c);
    }
    props(body).insert("privateDnsZoneConfigs".into(), J::Array(filled));
    Ok(Write {
        effects,
        ..Write::body(body.clone())
    })
}

fn delete_zone_group(_: &Ctx, row: &Row) -> Result<Vec<(String, String, Option<J>)>, ArmError> {
    Ok(delete_records(row))
}

pub fn specs() -> Vec<Spec> {
    let name = |n: &str| name_rule(n, 1, 80, "-_.", "a network resource");
    vec![
        Spec {
            lro_put: Lro::AsyncOperation,
            lro_delete: Lro::AsyncOperation,
            create_secs: 30.0,
            update_secs: 10.0,
            delete_secs: 20.0,
            located: true,
            etags: true,
            check_delete: delete_endpoint,
            ..Spec::plain(ENDPOINTS, VERSIONS, name, check_endpoint)
        },
        Spec {
            lro_put: Lro::AsyncOperation,
            lro_delete: Lro::AsyncOperation,
            create_secs: 5.0,
            update_secs: 5.0,
            delete_secs: 5.0,
            etags: true,
            check_delete: delete_zone_group,
            ..Spec::plain(ZONE_GROUPS, VERSIONS, name, check_zone_group)
        },
    ]
}

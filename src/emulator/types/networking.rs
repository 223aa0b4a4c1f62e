//! Microsoft.Network virtual networking: virtual networks and subnets (a
//! subnet's prefixes lie inside its network's address space and overlap
//! no sibling's), network security groups, public IP addresses, private
//! DNS zones, their virtual network links (one link per network and
//! zone; a network registers its hosts in one private zone at most) and
//! their A record sets.

use std::net::Ipv4Addr;

use serde_json::{Value as J, json};

use super::*;

const PRIVATE_DNS_VERSIONS: &[&str] = &["2024-06-01", "2020-06-01", "2018-09-01"];
use super::private_link::PRIVATE_A;

/// An address range: (first, last) address.
type Range = (u32, u32);

/// An IPv4 CIDR block as its range.
fn cidr(s: &str) -> Option<Range> {
    let (ip, len) = s.split_once('/')?;
    let ip: Ipv4Addr = ip.parse().ok()?;
    let len: u32 = len.parse().ok().filter(|l| *l <= 32)?;
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    let first = u32::from(ip) & mask;
    Some((first, first | !mask))
}

fn strings(body: &J, path: &[&str]) -> Vec<String> {
    prop(body, path)
        .and_then(J::as_array)
        .map(|xs| {
            xs.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Every prefix a valid IPv4 CIDR (IPv6 ones are passed through).
fn blocks(prefixes: &[String], target: &str) -> Result<Vec<(String, Range)>, ArmError> {
    let mut out = vec![];
    for p in prefixes {
        if p.contains(':') {
            continue;
        }
        match cidr(p) {
            Some(r) => out.push((p.clone(), r)),
            None => {
                return Err(ArmError::bad_request(
                    "InvalidAddressPrefixFormat",
                    format!("Address prefix {p} does not have a valid format."),
                )
                .with_target(target));
            }
        }
    }
    Ok(out)
}

fn overlaps(a: Range, b: Range) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

fn check_vnet(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let space = strings(body, &["addressSpace", "addressPrefixes"]);
    if space.is_empty() {
        return Err(ArmError::bad_request(
            "InvalidRequestFormat",
            "A virtual network needs at least one address prefix in properties.addressSpace.addressPrefixes.",
        )
        .with_target("properties.addressSpace.addressPrefixes"));
    }
    let ranges = blocks(&space, "properties.addressSpace.addressPrefixes")?;
    for (i, (p, a)) in ranges.iter().enumerate() {
        if let Some((q, _)) = ranges[i + 1..].iter().find(|(_, b)| overlaps(*a, *b)) {
            return Err(ArmError::bad_request(
                "VnetAddressSpacesOverlap",
                format!("Address prefixes {p} and {q} of the virtual network overlap."),
            ));
        }
    }
    // The space must still hold every subnet.
    for s in ctx
        .store
        .children("Microsoft.Network/virtualNetworks/subnets", &ctx.path.id())
        .map_err(internal)?
    {
        for (sp, sr) in blocks(
            &strings(&s.body, &["addressPrefixes"]),
            "properties.addressSpace",
        )? {
            if !ranges.iter().any(|(_, r)| r.0 <= sr.0 && sr.1 <= r.1) {
                return Err(ArmError::bad_request(
                    "NetcfgSubnetRangeOutsideVnet",
                    format!(
                        "Subnet '{}' with address prefix {sp} would lie outside the virtual network's address space.",
                        s.id.rsplit('/').next().unwrap_or_default()
                    ),
                ));
            }
        }
    }
    let guid = short_hash(&ctx.path.id());
    let p = props(body);
    p.entry("resourceGuid")
        .or_insert(json!(format!("{guid}-0000-4000-8000-{guid}0000")));
    p.entry("dhcpOptions").or_insert(json!({"dnsServers": []}));
    p.entry("privateEndpointVNetPolicies")
        .or_insert(json!("Disabled"));
    // Listed from the store when read (vnet_children).
    p.remove("subnets");
    p.remove("virtualNetworkPeerings");
    Ok(Write::body(body.clone()))
}

/// A network's subnets and peerings as Azure lists them inside it, each a
/// child resource's id, name, type, etag and properties.
fn vnet_children(store: &Store, body: &mut J) {
    let id = body["id"].as_str().unwrap_or_default().to_string();
    for (key, ty) in [
        ("subnets", "Microsoft.Network/virtualNetworks/subnets"),
        (
            "virtualNetworkPeerings",
            "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        ),
    ] {
        let rows = store.children(ty, &id).unwrap_or_default();
        let list: Vec<J> = rows
            .into_iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "name": r.id.rsplit('/').next().unwrap_or_default(),
                    "type": ty,
                    "etag": r.etag,
                    "properties": r.body.get("properties").cloned().unwrap_or(json!({})),
                })
            })
            .collect();
        props(body).insert(key.into(), J::Array(list));
    }
}

fn check_subnet(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let vnet_id = ctx.path.parent_id().unwrap_or_default();
    let name = ctx.path.name();
    let mine = blocks(
        &strings(body, &["addressPrefixes"]),
        "properties.addressPrefixes",
    )?;
    if strings(body, &["addressPrefixes"]).is_empty()
        && str_prop(body, &["addressPrefix"]).is_none()
    {
        return Err(ArmError::bad_request(
            "InvalidRequestFormat",
            "A subnet needs properties.addressPrefixes.",
        )
        .with_target("properties.addressPrefixes"));
    }
    super::private_link::check_subnet_references(ctx, body)?;
    let vnet = ctx.get(&vnet_id)?;
    let space = vnet
        .as_ref()
        .map(|v| strings(&v.body, &["addressSpace", "addressPrefixes"]))
        .unwrap_or_default();
    let space = blocks(&space, "properties.addressSpace")?;
    for (p, r) in &mine {
        if !space.iter().any(|(_, s)| s.0 <= r.0 && r.1 <= s.1) {
            return Err(ArmError::bad_request(
                "NetcfgSubnetRangeOutsideVnet",
                format!(
                    "Subnet '{name}' is not valid because its IP address range {p} is outside the IP address range of virtual network '{}'.",
                    vnet_id.rsplit('/').next().unwrap_or_default()
                ),
            ));
        }
        if r.1 - r.0 < 7 {
            return Err(ArmError::bad_request(
                "InvalidAddressPrefix",
                format!(
                    "Subnet '{name}': prefix {p} is too small; Azure subnets are /29 or larger."
                ),
            ));
        }
    }
    for sib in ctx
        .store
        .children("Microsoft.Network/virtualNetworks/subnets", &vnet_id)
        .map_err(internal)?
    {
        let sib_name = sib.id.rsplit('/').next().unwrap_or_default().to_string();
        if sib_name.eq_ignore_ascii_case(&name) {
            continue;
        }
        for (sp, sr) in blocks(
            &strings(&sib.body, &["addressPrefixes"]),
            "properties.addressPrefixes",
        )? {
            if let Some((p, _)) = mine.iter().find(|(_, r)| overlaps(*r, sr)) {
                return Err(ArmError::bad_request(
                    "NetcfgSubnetRangesOverlap",
                    format!(
                        "Subnet '{name}' is not valid because its IP address range {p} overlaps with that of an existing subnet '{sib_name}' ({sp}) in the virtual network."
                    ),
                ));
            }
        }
    }
    let p = props(body);
    p.entry("privateEndpointNetworkPolicies")
        .or_insert(json!("Disabled"));
    p.entry("privateLinkServiceNetworkPolicies")
        .or_insert(json!("Enabled"));
    p.entry("defaultOutboundAccess").or_insert(json!(true));
    p.entry("serviceEndpoints").or_insert(json!([]));
    p.entry("delegations").or_insert(json!([]));
    Ok(Write::body(body.clone()))
}

/// A peering needs a remote network that exists and whose address space
/// does not overlap the local one's; it is `Connected` once the remote
/// side peers back (both sides are updated), `Initiated` until then.
fn check_peering(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let local_id = ctx.path.parent_id().unwrap_or_default();
    let remote_id = str_prop(body, &["remoteVirtualNetwork", "id"])
        .unwrap_or_default()
        .to_string();
    let Some(remote) = ctx.get(&remote_id)? else {
        return Err(ArmError::bad_request(
            "InvalidRequestFormat",
            format!("The remote virtual network '{remote_id}' was not found."),
        )
        .with_target("properties.remoteVirtualNetwork.id"));
    };
    immutable(
        ctx,
        body,
        &["remoteVirtualNetwork", "id"],
        "InvalidRequestFormat",
    )?;
    let local = ctx.get(&local_id)?;
    let space = |b: Option<&J>| {
        b.map(|b| strings(b, &["addressSpace", "addressPrefixes"]))
            .unwrap_or_default()
    };
    let mine = blocks(
        &space(local.as_ref().map(|r| &r.body)),
        "properties.addressSpace",
    )?;
    let theirs = blocks(
        &space(Some(&remote.body)),
        "properties.remoteVirtualNetwork",
    )?;
    for (p, a) in &mine {
        if let Some((q, _)) = theirs.iter().find(|(_, b)| overlaps(*a, *b)) {
            return Err(ArmError::bad_request(
                "VnetAddressSpacesOverlap",
                format!(
                    "Cannot create or update peering: address space {p} of the local virtual network overlaps {q} of the remote one."
                ),
            ));
        }
    }
    let back = ctx
        .store
        .children(
            "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
            &remote.id,
        )
        .map_err(internal)?
        .into_iter()
        .find(|r| {
            str_prop(&r.body, &["remoteVirtualNetwork", "id"])
                .is_some_and(|id| id.eq_ignore_ascii_case(&local_id))
        });
    let mut effects = vec![];
    let state = if let Some(mut back) = back {
        props(&mut back.body).insert("peeringState".into(), json!("Connected"));
        props(&mut back.body).insert("peeringSyncLevel".into(), json!("FullyInSync"));
        effects.push((
            back.id.clone(),
            "Microsoft.Network/virtualNetworks/virtualNetworkPeerings".to_string(),
            Some(back.body),
        ));
        "Connected"
    } else {
        "Initiated"
    };
    let p = props(body);
    for k in [
        "allowForwardedTraffic",
        "allowGatewayTransit",
        "useRemoteGateways",
        "enableOnlyIPv6Peering",
    ] {
        p.entry(k).or_insert(json!(false));
    }
    p.entry("allowVirtualNetworkAccess").or_insert(json!(true));
    p.entry("peerCompleteVnets").or_insert(json!(true));
    p.insert("peeringState".into(), json!(state));
    p.insert("peeringSyncLevel".into(), json!("FullyInSync"));
    // Both names are in the schema: the remote space when peered, and as
    // the remote network declares it now.
    for k in ["remoteAddressSpace", "remoteVirtualNetworkAddressSpace"] {
        p.insert(
            k.into(),
            json!({"addressPrefixes": space(Some(&remote.body))}),
        );
    }
    Ok(Write {
        effects,
        ..Write::body(body.clone())
    })
}

/// Azure's six default rules of every group: (name, description, source,
/// destination, access, priority, direction).
const DEFAULT_RULES: &[(&str, &str, &str, &str, &str, i64, &str)] = &[
    (
        "AllowVnetInBound",
        "Allow inbound traffic from all VMs in VNET",
        "VirtualNetwork",
        "VirtualNetwork",
        "Allow",
        65000,
        "Inbound",
    ),
    (
        "AllowAzureLoadBalancerInBound",
        "Allow inbound traffic from azure load balancer",
        "AzureLoadBalancer",
        "*",
        "Allow",
        65001,
        "Inbound",
    ),
    (
        "DenyAllInBound",
        "Deny all inbound traffic",
        "*",
        "*",
        "Deny",
        65500,
        "Inbound",
    ),
    (
        "AllowVnetOutBound",
        "Allow outbound traffic from all VMs to all VMs in VNET",
        "VirtualNetwork",
        "VirtualNetwork",
        "Allow",
        65000,
        "Outbound",
    ),
    (
        "AllowInternetOutBound",
        "Allow outbound traffic from all VMs to Internet",
        "*",
        "Internet",
        "Allow",
        65001,
        "Outbound",
    ),
    (
        "DenyAllOutBound",
        "Deny all outbound traffic",
        "*",
        "*",
        "Deny",
        65500,
        "Outbound",
    ),
];

/// A rule inside a group as Azure answers it: its own id under the group
/// and its provisioning state.
fn rule_in_group(nsg: &str, kind: &str, mut rule: J) -> J {
    let name = rule["name"].as_str().unwrap_or_default().to_string();
    rule["id"] = json!(format!("{nsg}/{kind}/{name}"));
    rule["type"] = json!(format!("Microsoft.Network/networkSecurityGroups/{kind}"));
    props(&mut rule).insert("provisioningState".into(), json!("Succeeded"));
    rule
}

fn check_nsg(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    // Rules are children, listed when the group is read.
    let effects = super::nsg_rules::take_from_group(ctx, body)?;
    let nsg = ctx.path.id();
    let defaults = DEFAULT_RULES
        .iter()
        .map(
            |(name, description, src, dst, access, priority, direction)| {
                let rule = json!({"name": name, "properties": {
                    "description": description, "protocol": "*",
                    "sourcePortRange": "*", "destinationPortRange": "*",
                    "sourceAddressPrefix": src, "destinationAddressPrefix": dst,
                    "access": access, "priority": priority, "direction": direction,
                }});
                rule_in_group(&nsg, "defaultSecurityRules", rule)
            },
        )
        .collect();
    props(body).insert("defaultSecurityRules".into(), J::Array(defaults));
    Ok(Write {
        effects,
        ..Write::body(body.clone())
    })
}

/// The address Azure gives the static public IP `id` (drawn from its id,
/// so the same object always has the same address).
pub(super) fn static_address(id: &str) -> String {
    let h = crate::digest::digest(id.to_lowercase().as_bytes());
    let byte = |i: usize| u8::from_str_radix(h.get(i..i + 2).unwrap_or("01"), 16).unwrap_or(1);
    format!("20.{}.{}.{}", byte(0), byte(2), byte(4).max(1))
}

fn check_public_ip(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    if body.get("sku").is_none_or(J::is_null) {
        body["sku"] = json!({"name": "Standard", "tier": "Regional"});
    }
    if body["sku"].get("tier").is_none_or(J::is_null) {
        body["sku"]["tier"] = json!("Regional");
    }
    let sku = sku_name(body).unwrap_or("Standard").to_string();
    // Unset, the method is the one the sku allows: Standard addresses are
    // static only.
    let default_method = if sku.eq_ignore_ascii_case("Standard") {
        "Static"
    } else {
        "Dynamic"
    };
    let method = str_prop(body, &["publicIPAllocationMethod"])
        .unwrap_or(default_method)
        .to_string();
    if sku.eq_ignore_ascii_case("Standard") && !method.eq_ignore_ascii_case("Static") {
        return Err(ArmError::bad_request(
            "StandardSkuPublicIPAddressesMustBeStatic",
            "Standard sku publicIp addresses must have their allocation method set to Static.",
        )
        .with_target("properties.publicIPAllocationMethod"));
    }
    if let Some(old) = ctx.existing
        && sku_name(&old.body) != Some(sku.as_str())
    {
        return Err(ArmError::bad_request(
            "PublicIPSkuCannotBeChanged",
            "The sku of a public IP address cannot be changed.",
        ));
    }
    let location = body
        .get("location")
        .and_then(J::as_str)
        .unwrap_or_default()
        .to_string();
    let p = props(body);
    p.insert("publicIPAllocationMethod".into(), json!(method));
    p.entry("publicIPAddressVersion").or_insert(json!("IPv4"));
    p.entry("idleTimeoutInMinutes").or_insert(json!(4));
    p.entry("ddosSettings")
        .or_insert(json!({"protectionMode": "VirtualNetworkInherited"}));
    if method.eq_ignore_ascii_case("Static") {
        p.entry("ipAddress")
            .or_insert(json!(static_address(&ctx.path.id())));
    }
    if let Some(label) = p
        .get("dnsSettings")
        .and_then(|d| d.get("domainNameLabel"))
        .and_then(J::as_str)
        .map(str::to_string)
        && let Some(d) = p.get_mut("dnsSettings")
    {
        d["fqdn"] = json!(format!("{label}.{location}.cloudapp.azure.com"));
    }
    Ok(Write::body(body.clone()))
}

fn private_zone_name(n: &str) -> Result<(), InvalidName> {
    let labels: Vec<&str> = n.split('.').collect();
    if labels.len() < 2
        || n.len() > 253
        || labels.iter().any(|l| {
            l.is_empty()
                || l.len() > 63
                || !l
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
    {
        return Err(InvalidName(format!(
            "'{n}' is not a valid private DNS zone name."
        )));
    }
    Ok(())
}

fn check_private_zone(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    global_location(body);
    let internal_id = short_hash(&ctx.path.id());
    let p = props(body);
    p.entry("numberOfRecordSets").or_insert(json!(1));
    p.insert("maxNumberOfRecordSets".into(), json!(25000));
    p.insert("maxNumberOfVirtualNetworkLinks".into(), json!(1000));
    p.insert(
        "maxNumberOfVirtualNetworkLinksWithRegistration".into(),
        json!(100),
    );
    p.insert("internalId".into(), json!(internal_id));
    Ok(Write::body(body.clone()))
}

/// A zone's link counts, as Azure reports them on the zone.
fn count_links(store: &Store, body: &mut J) {
    let id = body["id"].as_str().unwrap_or_default().to_string();
    let links = store
        .children("Microsoft.Network/privateDnsZones/virtualNetworkLinks", &id)
        .unwrap_or_default();
    let registering = links
        .iter()
        .filter(|l| prop(&l.body, &["registrationEnabled"]).and_then(J::as_bool) == Some(true))
        .count();
    let p = props(body);
    p.insert("numberOfVirtualNetworkLinks".into(), json!(links.len()));
    p.insert(
        "numberOfVirtualNetworkLinksWithRegistration".into(),
        json!(registering),
    );
}

fn check_zone_link(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    global_location(body);
    let vnet = str_prop(body, &["virtualNetwork", "id"])
        .unwrap_or_default()
        .to_string();
    if vnet.is_empty() {
        return Err(ArmError::bad_request(
            "InvalidRequestFormat",
            "properties.virtualNetwork.id is required.",
        )
        .with_target("properties.virtualNetwork.id"));
    }
    if ctx.get(&vnet)?.is_none() {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("Virtual network '{vnet}' was not found."),
        )
        .with_target("properties.virtualNetwork.id"));
    }
    immutable(ctx, body, &["virtualNetwork", "id"], "BadRequest")?;
    let registration = prop(body, &["registrationEnabled"])
        .and_then(J::as_bool)
        .unwrap_or(false);
    let zone_id = ctx.path.parent_id().unwrap_or_default();
    let me = ctx.path.id().to_lowercase();
    let same_vnet = |l: &Row| {
        str_prop(&l.body, &["virtualNetwork", "id"]).is_some_and(|v| v.eq_ignore_ascii_case(&vnet))
            && l.id.to_lowercase() != me
    };
    if let Some(other) = ctx
        .store
        .children(
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            &zone_id,
        )
        .map_err(internal)?
        .into_iter()
        .find(same_vnet)
    {
        return Err(ArmError::conflict(
            "Conflict",
            format!(
                "A virtual network cannot be linked to the same private DNS zone more than once: '{}' already links it.",
                other.id.rsplit('/').next().unwrap_or_default()
            ),
        ));
    }
    if registration {
        let sub = ctx.path.subscription.clone();
        let clash = ctx
            .store
            .of_type(
                "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
                &sub,
            )
            .map_err(internal)?
            .into_iter()
            .find(|l| {
                same_vnet(l)
                    && prop(&l.body, &["registrationEnabled"]).and_then(J::as_bool) == Some(true)
            });
        if let Some(other) = clash {
            return Err(ArmError::conflict(
                "Conflict",
                format!(
                    "Virtual network '{}' already has auto-registration enabled in another private DNS zone (link '{}'): a network registers in one zone at most.",
                    vnet.rsplit('/').next().unwrap_or_default(),
                    other.id
                ),
            ));
        }
    }
    let p = props(body);
    p.insert("registrationEnabled".into(), json!(registration));
    p.entry("resolutionPolicy").or_insert(json!("Default"));
    p.insert("virtualNetworkLinkState".into(), json!("Completed"));
    Ok(Write::body(body.clone()))
}

/// An A record set in a private zone: at least one IPv4 address, and
/// what Azure fills in (its dot-terminated fqdn, and that it was written,
/// not registered by a linked network's hosts).
fn check_private_a(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    int_prop(body, &["ttl"], 0, 2_147_483_647)?;
    let bad =
        |msg: String| ArmError::bad_request("BadRequest", msg).with_target("properties.aRecords");
    let records = prop(body, &["aRecords"])
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default();
    if records.is_empty() {
        return Err(bad(
            "The record set needs at least one record in properties.aRecords.".into(),
        ));
    }
    for r in &records {
        let ip = r["ipv4Address"].as_str().unwrap_or_default();
        if ip.parse::<Ipv4Addr>().is_err() {
            return Err(bad(format!("'{ip}' is not a valid IPv4 address.")));
        }
    }
    let zone = ctx.path.parent_id().unwrap_or_default();
    let zone = zone.rsplit('/').next().unwrap_or_default();
    let name = ctx.path.name().to_lowercase();
    let p = props(body);
    p.entry("ttl").or_insert(json!(3600));
    p.insert("fqdn".into(), json!(format!("{name}.{zone}.")));
    p.insert("isAutoRegistered".into(), json!(false));
    Ok(Write::body(body.clone()))
}

/// Azure answers a private record set's name, and its id's last segment,
/// in lower case, whatever case it was written in.
fn lower_case_name(_: &Store, body: &mut J) {
    let Some(name) = body["name"].as_str().map(str::to_lowercase) else {
        return;
    };
    if let Some((parent, _)) = body["id"].as_str().and_then(|id| id.rsplit_once('/')) {
        body["id"] = json!(format!("{parent}/{name}"));
    }
    body["name"] = json!(name);
}

pub fn specs() -> Vec<Spec> {
    // Azure's network provider answers with Azure-AsyncOperation.
    let network = |ty, name_rule: NameRule, check, located| Spec {
        lro_put: Lro::AsyncOperation,
        lro_delete: Lro::AsyncOperation,
        create_secs: 5.0,
        update_secs: 5.0,
        delete_secs: 5.0,
        located,
        etags: true,
        ..Spec::plain(ty, NETWORK_VERSIONS, name_rule, check)
    };
    let name = |n: &str| name_rule(n, 1, 80, "-_.", "a network resource");
    let dns = |ty, name_rule: NameRule, check| Spec {
        lro_put: Lro::AsyncOperation,
        lro_delete: Lro::AsyncOperation,
        create_secs: 5.0,
        update_secs: 5.0,
        delete_secs: 5.0,
        etags: true,
        ..Spec::plain(ty, PRIVATE_DNS_VERSIONS, name_rule, check)
    };
    vec![
        Spec {
            decorate: vnet_children,
            ..network("Microsoft.Network/virtualNetworks", name, check_vnet, true)
        },
        Spec {
            check_delete: super::private_link::subnet_in_use,
            ..network(
                "Microsoft.Network/virtualNetworks/subnets",
                name,
                check_subnet,
                false,
            )
        },
        network(
            "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
            name,
            check_peering,
            false,
        ),
        Spec {
            check_delete: super::private_link::nsg_in_use,
            decorate: super::nsg_rules::list_in_group,
            ..network(
                "Microsoft.Network/networkSecurityGroups",
                name,
                check_nsg,
                true,
            )
        },
        network(
            super::nsg_rules::RULES,
            name,
            super::nsg_rules::check_rule,
            false,
        ),
        network(
            "Microsoft.Network/publicIPAddresses",
            name,
            check_public_ip,
            true,
        ),
        Spec {
            decorate: count_links,
            ..dns(
                "Microsoft.Network/privateDnsZones",
                private_zone_name,
                check_private_zone,
            )
        },
        dns(
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            name,
            check_zone_link,
        ),
        // Record sets are written at once (no long-running operation).
        Spec {
            etags: true,
            decorate: lower_case_name,
            ..Spec::plain(
                PRIVATE_A,
                PRIVATE_DNS_VERSIONS,
                super::dns::record_name,
                check_private_a,
            )
        },
    ]
}

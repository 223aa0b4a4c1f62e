//! The node resource group AKS makes beside a cluster (`MC_{group}_{name}_{location}`,
//! `managedBy` the cluster) and the managed outbound public IPs it holds: Azure
//! creates them with the cluster and deletes them with it, so what the cluster
//! reports in `effectiveOutboundIPs` can be read (azurerm's public-ip example reads
//! it with `data "azurerm_public_ip"`).

use serde_json::{Value as J, json};

use super::*;

const GROUPS: &str = "Microsoft.Resources/resourceGroups";
const PUBLIC_IPS: &str = "Microsoft.Network/publicIPAddresses";

/// The node group and each managed outbound IP of `body` (a cluster being
/// written at `cluster`) that lies in it, as objects to store.
pub(super) fn created(cluster: &str, node_rg: &str, body: &J) -> Vec<(String, String, Option<J>)> {
    let location = body["location"].as_str().unwrap_or_default().to_string();
    let group = node_rg.rsplit('/').next().unwrap_or_default();
    let mut out = vec![(
        node_rg.to_string(),
        GROUPS.to_string(),
        Some(json!({
            "id": node_rg,
            "name": group,
            "type": GROUPS,
            "location": location,
            "managedBy": cluster,
        })),
    )];
    let inside = format!("{node_rg}/providers/{PUBLIC_IPS}/").to_lowercase();
    let ips = body["properties"]["networkProfile"]["loadBalancerProfile"]["effectiveOutboundIPs"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for id in ips.iter().filter_map(|x| x["id"].as_str()) {
        if !id.to_lowercase().starts_with(&inside) {
            continue;
        }
        out.push((
            id.to_string(),
            PUBLIC_IPS.to_string(),
            Some(json!({
                "id": id,
                "name": id.rsplit('/').next().unwrap_or_default(),
                "type": PUBLIC_IPS,
                "location": location,
                "sku": {"name": "Standard", "tier": "Regional"},
                "tags": {"aks-managed-type": "aks-slb-managed-outbound-ip"},
                "properties": {
                    "publicIPAllocationMethod": "Static",
                    "publicIPAddressVersion": "IPv4",
                    "idleTimeoutInMinutes": 4,
                    "ipAddress": super::networking::static_address(id),
                },
            })),
        ));
    }
    out
}

/// Deleting a cluster deletes its node resource group and all it holds.
pub(super) fn on_cluster_delete(
    _: &Ctx,
    row: &Row,
) -> Result<Vec<(String, String, Option<J>)>, ArmError> {
    let Some(group) = row.body["properties"]["nodeResourceGroup"].as_str() else {
        return Ok(vec![]);
    };
    let sub = crate::emulator::arm::sub_of(&row.id);
    Ok(vec![(
        format!("/subscriptions/{sub}/resourceGroups/{group}"),
        GROUPS.to_string(),
        None,
    )])
}

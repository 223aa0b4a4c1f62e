//! Microsoft.ContainerService/managedClusters and agentPools.

use serde_json::{Value as J, json};

use super::*;

const VERSIONS: &[&str] = &[
    "2025-10-01",
    "2025-08-01",
    "2025-01-01",
    "2024-09-01",
    "2024-05-01",
];
/// Pool properties that cannot change in place: a new pool is needed.
const NOT_IN_PLACE: &[&str] = &[
    "vmSize",
    "availabilityZones",
    "osDiskSizeGB",
    "osDiskType",
    "maxPods",
    "vnetSubnetID",
    "osType",
    "scaleSetPriority",
    "osSKU",
];

/// A node pool's update: a base, and more for each node added or removed.
const POOL_SCALE_SECS: f64 = 60.0;
const POOL_SCALE_PER_NODE_SECS: f64 = 15.0;

fn cluster_name(n: &str) -> Result<(), InvalidName> {
    name_rule(n, 1, 63, "-_", "a managed cluster")
}

fn pool_name(n: &str) -> Result<(), InvalidName> {
    if !n.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        || !n
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        || n.len() > 12
    {
        return Err(InvalidName(format!(
            "Agent pool name '{n}' is invalid: it must start with a lowercase letter, contain only lowercase letters and digits, and be at most 12 characters."
        )));
    }
    Ok(())
}

/// Checks one pool's settings (count within autoscale bounds, mode).
fn check_pool(p: &J, name: &str) -> Result<(), ArmError> {
    let auto = p
        .get("enableAutoScaling")
        .and_then(J::as_bool)
        .unwrap_or(false);
    let count = int_field(p, "count", "properties.count", 0, 1000)?.unwrap_or(1.0);
    int_field(p, "minCount", "properties.minCount", 0, 1000)?;
    int_field(p, "maxCount", "properties.maxCount", 0, 1000)?;
    int_field(p, "maxPods", "properties.maxPods", 10, 250)?;
    if int_field(p, "osDiskSizeGB", "properties.osDiskSizeGB", 0, 2048)?
        .is_some_and(|gb| gb != 0.0 && gb < 30.0)
    {
        return Err(ArmError::bad_request(
            "InvalidParameterValue",
            format!(
                "Agent pool '{name}': osDiskSizeGB must be 0 (the default) or between 30 and 2048."
            ),
        )
        .with_target("properties.osDiskSizeGB"));
    }
    if p.get("vmSize").and_then(J::as_str).is_none() {
        return Err(ArmError::bad_request(
            "InvalidParameter",
            format!("Agent pool '{name}' needs a vmSize."),
        )
        .with_target("properties.vmSize"));
    }
    if auto {
        let (min, max) = (
            p.get("minCount").and_then(J::as_f64),
            p.get("maxCount").and_then(J::as_f64),
        );
        match (min, max) {
            (Some(a), Some(b)) if a <= b && count >= a && count <= b => {}
            (Some(a), Some(b)) if a <= b => {
                return Err(ArmError::bad_request(
                    "InvalidParameter",
                    format!(
                        "Agent pool '{name}': count {count} must be between minCount {a} and maxCount {b}."
                    ),
                ));
            }
            _ => {
                return Err(ArmError::bad_request(
                    "InvalidParameter",
                    format!("Agent pool '{name}': autoscaling needs minCount <= maxCount."),
                ));
            }
        }
    }
    if !(0.0..=1000.0).contains(&count) {
        return Err(ArmError::bad_request(
            "InvalidParameter",
            format!("Agent pool '{name}': count must be between 0 and 1000."),
        ));
    }
    let mode = p.get("mode").and_then(J::as_str).unwrap_or("User");
    if mode.eq_ignore_ascii_case("System") && count < 1.0 {
        return Err(ArmError::bad_request(
            "InvalidParameter",
            format!("System agent pool '{name}' needs at least one node."),
        ));
    }
    Ok(())
}

fn pool_defaults(p: &mut J, version: &str) {
    let m = p.as_object_mut().expect("pool object");
    m.entry("count").or_insert(json!(1));
    m.entry("mode").or_insert(json!("User"));
    m.entry("osType").or_insert(json!("Linux"));
    m.entry("type").or_insert(json!("VirtualMachineScaleSets"));
    m.entry("orchestratorVersion").or_insert(json!(version));
    // Read-only in the spec: what the nodes run.
    let running = m
        .get("orchestratorVersion")
        .cloned()
        .unwrap_or(json!(version));
    m.insert("currentOrchestratorVersion".into(), running);
    m.entry("maxPods").or_insert(json!(110));
    let os = m.get("osType").and_then(J::as_str).unwrap_or("Linux");
    let image = if os.eq_ignore_ascii_case("Windows") {
        "AKSWindows-2022-containerd:20348.2025.01.15"
    } else {
        "AKSUbuntu-2204gen2containerd-202501.12.0"
    };
    m.insert("nodeImageVersion".into(), json!(image));
    m.entry("enableAutoScaling").or_insert(json!(false));
    m.insert("powerState".into(), json!({"code": "Running"}));
}

/// What Azure fills in a cluster's network profile when it is left out:
/// kubenet with its pod range, the service range and DNS address, outbound
/// traffic through a standard load balancer (one managed public IP in the
/// node resource group `node_rg` unless IPs are given), and the IPs that
/// traffic leaves from (`effectiveOutboundIPs`).
fn network_defaults(p: &mut Map<String, J>, node_rg: &str, cluster: &str) {
    let net = p.entry("networkProfile").or_insert(json!({}));
    let Some(net) = net.as_object_mut() else {
        return;
    };
    let plugin = net.entry("networkPlugin").or_insert(json!("kubenet"));
    let overlay = plugin
        .as_str()
        .is_some_and(|x| x.eq_ignore_ascii_case("kubenet"))
        || net
            .get("networkPluginMode")
            .and_then(J::as_str)
            .is_some_and(|m| m.eq_ignore_ascii_case("overlay"));
    if overlay {
        let pod = net
            .entry("podCidr")
            .or_insert(json!("10.244.0.0/16"))
            .clone();
        net.entry("podCidrs").or_insert(json!([pod]));
    }
    let service = net
        .entry("serviceCidr")
        .or_insert(json!("10.0.0.0/16"))
        .clone();
    net.entry("serviceCidrs").or_insert(json!([service]));
    net.entry("dnsServiceIP").or_insert(json!("10.0.0.10"));
    net.entry("ipFamilies").or_insert(json!(["IPv4"]));
    let outbound = net.entry("outboundType").or_insert(json!("loadBalancer"));
    let through_lb = outbound
        .as_str()
        .is_some_and(|o| o.eq_ignore_ascii_case("loadBalancer"));
    let sku = net.entry("loadBalancerSku").or_insert(json!("standard"));
    if !through_lb
        || !sku
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("standard"))
    {
        return;
    }
    let lb = net.entry("loadBalancerProfile").or_insert(json!({}));
    if !lb.is_object() {
        return;
    }
    let given: Vec<J> = ["outboundIPs", "outboundIPPrefixes"]
        .iter()
        .zip(["publicIPs", "publicIPPrefixes"])
        .flat_map(|(k, list)| lb[k][list].as_array().cloned().unwrap_or_default())
        .filter_map(|x| x.get("id").map(|id| json!({"id": id})))
        .collect();
    let effective = if given.is_empty() {
        if !lb["managedOutboundIPs"].is_object() {
            lb["managedOutboundIPs"] = json!({"count": 1});
        }
        let count = lb["managedOutboundIPs"]["count"]
            .as_u64()
            .unwrap_or(1)
            .min(100);
        (0..count)
            .map(|i| {
                let ip = guid_from(&format!("{cluster}/outbound/{i}"));
                json!({"id": format!("{node_rg}/providers/Microsoft.Network/publicIPAddresses/{ip}")})
            })
            .collect()
    } else {
        given
    };
    lb["effectiveOutboundIPs"] = J::Array(effective);
    for (k, v) in [
        ("allocatedOutboundPorts", json!(0)),
        ("idleTimeoutInMinutes", json!(30)),
        ("backendPoolType", json!("NodeIPConfiguration")),
    ] {
        if lb.get(k).is_none() {
            lb[k] = v;
        }
    }
}

/// The identity a managed-identity cluster's kubelets use, which Azure
/// creates in the node resource group when none is given.
fn kubelet_identity(body: &mut J, node_rg: &str, cluster: &str) {
    let managed = body["identity"]["type"]
        .as_str()
        .is_some_and(|t| !t.eq_ignore_ascii_case("None"));
    let p = props(body);
    if !managed
        || p.get("identityProfile")
            .is_some_and(|i| i["kubeletidentity"].is_object())
    {
        return;
    }
    let id = format!(
        "{node_rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{cluster}-agentpool"
    );
    let profile = p.entry("identityProfile").or_insert(json!({}));
    if let Some(m) = profile.as_object_mut() {
        m.insert(
            "kubeletidentity".into(),
            json!({
                "resourceId": id,
                "clientId": guid_from(&format!("{id}/client")),
                "objectId": guid_from(&format!("{id}/principal")),
            }),
        );
    }
}

fn check_cluster(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let location = body
        .get("location")
        .and_then(J::as_str)
        .unwrap_or("eastus")
        .to_string();
    let name = ctx.path.name();
    let rg = ctx.path.resource_group.clone().unwrap_or_default();
    // Empty, as the spec's example sends it, is the default version too.
    let version = str_prop(body, &["kubernetesVersion"])
        .filter(|v| !v.is_empty())
        .unwrap_or("1.31")
        .to_string();
    let creating = ctx.existing.is_none();
    let profiles = prop(body, &["agentPoolProfiles"])
        .cloned()
        .unwrap_or(json!([]));
    let mut effects = Vec::new();
    if creating {
        let pools = profiles.as_array().cloned().unwrap_or_default();
        if !pools.iter().any(|p| {
            p.get("mode")
                .and_then(J::as_str)
                .is_some_and(|m| m.eq_ignore_ascii_case("System"))
        }) {
            return Err(ArmError::bad_request(
                "InvalidParameter",
                "A managed cluster needs at least one agent pool with mode System.",
            )
            .with_target("properties.agentPoolProfiles"));
        }
        require(body, &["dnsPrefix"], " on a managed cluster")?;
        for p in &pools {
            let pname = p
                .get("name")
                .and_then(J::as_str)
                .unwrap_or_default()
                .to_string();
            pool_name(&pname)
                .map_err(|m| ArmError::bad_request("InvalidParameter", m.to_string()))?;
            check_pool(p, &pname)?;
            let mut props = p.clone();
            props.as_object_mut().map(|m| m.remove("name"));
            pool_defaults(&mut props, &version);
            props["provisioningState"] = json!("Succeeded");
            let id = format!("{}/agentPools/{pname}", ctx.path.id());
            effects.push((id.clone(), "Microsoft.ContainerService/managedClusters/agentPools".to_string(), Some(json!({"id": id, "name": pname, "type": "Microsoft.ContainerService/managedClusters/agentPools", "properties": props}))));
        }
    } else if let Some(old) = ctx.existing {
        // Pools are managed through agentPools after creation.
        let names = |v: &J| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|p| p.get("name").and_then(J::as_str).map(str::to_lowercase))
                        .collect()
                })
                .unwrap_or_default()
        };
        let existing_pools: Vec<String> = ctx
            .store
            .children(
                "Microsoft.ContainerService/managedClusters/agentPools",
                &old.id,
            )
            .map_err(internal)?
            .iter()
            .map(|r| r.id.rsplit('/').next().unwrap_or_default().to_lowercase())
            .collect();
        let mut wanted = names(&profiles);
        wanted.sort();
        let mut have = existing_pools.clone();
        have.sort();
        if !wanted.is_empty() && wanted != have {
            return Err(ArmError::bad_request(
                "BadRequest",
                "Agent pools cannot be added or removed through the managed cluster after creation; use the agentPools resource.",
            ));
        }
        immutable(ctx, body, &["dnsPrefix"], "PropertyChangeNotAllowed")?;
    }
    let p = props(body);
    p.remove("agentPoolProfiles");
    p.insert("kubernetesVersion".into(), json!(version));
    let dns = p
        .get("dnsPrefix")
        .and_then(J::as_str)
        .unwrap_or(&name)
        .to_string();
    p.insert(
        "fqdn".into(),
        json!(format!(
            "{dns}-{}.hcp.{location}.azmk8s.io",
            short_hash(&ctx.path.id())
        )),
    );
    // Read-only in the spec: the issuer Azure publishes when the OIDC
    // issuer is enabled, and a private cluster's API server name.
    let hash = short_hash(&ctx.path.id());
    let flag = |p: &serde_json::Map<String, J>, a: &str, b: &str| {
        p.get(a).and_then(|o| o.get(b)).and_then(J::as_bool) == Some(true)
    };
    if flag(p, "oidcIssuerProfile", "enabled") {
        let issuer = format!(
            "https://{location}.oic.prod-aks.azure.com/{}/{}/",
            ctx.caller.creds.tenant_id,
            super::guid_from(&ctx.path.id())
        );
        if let Some(o) = p.get_mut("oidcIssuerProfile").and_then(J::as_object_mut) {
            o.insert("issuerURL".into(), json!(issuer));
        }
    } else if let Some(o) = p.get_mut("oidcIssuerProfile").and_then(J::as_object_mut) {
        o.remove("issuerURL");
    }
    if flag(p, "apiServerAccessProfile", "enablePrivateCluster") {
        p.insert(
            "privateFQDN".into(),
            json!(format!(
                "{dns}-{hash}.{hash}.privatelink.{location}.azmk8s.io"
            )),
        );
    } else {
        p.remove("privateFQDN");
    }
    let node_rg = format!("MC_{rg}_{name}_{location}");
    p.insert("nodeResourceGroup".into(), json!(node_rg));
    let node_rg = format!(
        "/subscriptions/{}/resourceGroups/{node_rg}",
        ctx.path.subscription
    );
    network_defaults(p, &node_rg, &ctx.path.id());
    p.insert("powerState".into(), json!({"code": "Running"}));
    p.insert("currentKubernetesVersion".into(), json!(version));
    p.entry("maxAgentPools").or_insert(json!(100));
    kubelet_identity(body, &node_rg, &name);
    effects.extend(super::aks_node_group::created(
        &ctx.path.id(),
        &node_rg,
        body,
    ));
    Ok(Write {
        body: body.clone(),
        secs: None,
        effects,
        data: None,
    })
}

fn check_pool_write(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let name = ctx.path.name();
    let cluster = ctx
        .get(&ctx.path.parent_id().unwrap_or_default())?
        .ok_or_else(|| {
            ArmError::not_found(
                "ParentResourceNotFound",
                "The managed cluster does not exist.",
            )
        })?;
    let version = str_prop(&cluster.body, &["kubernetesVersion"])
        .unwrap_or("1.31")
        .to_string();
    let mut p = body.get("properties").cloned().unwrap_or(json!({}));
    if let Some(old) = ctx.existing {
        let oldp = old.body.get("properties").cloned().unwrap_or(json!({}));
        for key in NOT_IN_PLACE {
            if let Some(v) = p.get(*key)
                && oldp.get(*key).is_some_and(|o| o != v)
            {
                return Err(ArmError::bad_request("PropertyChangeNotAllowed", format!("Changing property '{key}' is not allowed: create a new agent pool, move the workloads, and delete this one.")).with_target(&format!("properties.{key}")));
            }
        }
    }
    check_pool(&p, &name)?;
    pool_defaults(&mut p, &version);
    let old_count = ctx
        .existing
        .and_then(|o| num_prop(&o.body, &["count"]))
        .unwrap_or(0.0);
    let new_count = p.get("count").and_then(J::as_f64).unwrap_or(0.0);
    body["properties"] = p;
    // Scaling takes longer for more nodes.
    let secs = POOL_SCALE_SECS + POOL_SCALE_PER_NODE_SECS * (new_count - old_count).abs();
    Ok(Write {
        body: body.clone(),
        secs: Some(secs),
        effects: vec![],
        data: None,
    })
}

fn check_pool_delete(ctx: &Ctx, row: &Row) -> Result<Vec<(String, String, Option<J>)>, ArmError> {
    let is_system =
        str_prop(&row.body, &["mode"]).is_some_and(|m| m.eq_ignore_ascii_case("System"));
    if is_system {
        let siblings = ctx
            .store
            .children(
                "Microsoft.ContainerService/managedClusters/agentPools",
                &ctx.path.parent_id().unwrap_or_default(),
            )
            .map_err(internal)?;
        let systems = siblings
            .iter()
            .filter(|r| {
                str_prop(&r.body, &["mode"]).is_some_and(|m| m.eq_ignore_ascii_case("System"))
            })
            .count();
        if systems <= 1 {
            return Err(ArmError::bad_request(
                "OperationNotAllowed",
                "The last System agent pool of a cluster cannot be deleted.",
            ));
        }
    }
    Ok(vec![])
}

/// Clusters list their pools, as AKS does.
fn decorate(store: &Store, body: &mut J) {
    let Some(id) = body.get("id").and_then(J::as_str).map(str::to_string) else {
        return;
    };
    let pools: Vec<J> = store
        .children("Microsoft.ContainerService/managedClusters/agentPools", &id)
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let mut p = r.body.get("properties").cloned().unwrap_or(json!({}));
            p["name"] = r.body.get("name").cloned().unwrap_or(J::Null);
            p
        })
        .collect();
    props(body).insert("agentPoolProfiles".into(), J::Array(pools));
}

pub fn specs() -> Vec<Spec> {
    vec![
        Spec {
            lro_put: Lro::AsyncOperation,
            lro_delete: Lro::AsyncOperation,
            create_secs: 420.0,
            update_secs: 180.0,
            delete_secs: 300.0,
            located: true,
            etags: true,
            decorate,
            check_delete: super::aks_node_group::on_cluster_delete,
            ..Spec::plain(
                "Microsoft.ContainerService/managedClusters",
                VERSIONS,
                cluster_name,
                check_cluster,
            )
        },
        Spec {
            lro_put: Lro::AsyncOperation,
            lro_delete: Lro::AsyncOperation,
            create_secs: 240.0,
            update_secs: POOL_SCALE_SECS,
            delete_secs: 180.0,
            other_secs: &[("scale_per_node", POOL_SCALE_PER_NODE_SECS)],
            check_delete: check_pool_delete,
            etags: true,
            ..Spec::plain(
                "Microsoft.ContainerService/managedClusters/agentPools",
                VERSIONS,
                pool_name,
                check_pool_write,
            )
        },
        Spec::plain(
            "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
            VERSIONS,
            maintenance_name,
            check_maintenance,
        ),
    ]
}

/// A cluster's planned-maintenance configurations: `default` (a weekly
/// time-in-week window) and the two schedules AKS reserves names for.
fn maintenance_name(n: &str) -> Result<(), InvalidName> {
    match n {
        "default" | "aksManagedAutoUpgradeSchedule" | "aksManagedNodeOSUpgradeSchedule" => Ok(()),
        _ => Err(InvalidName(format!(
            "Maintenance configuration name '{n}' is invalid: it must be default, aksManagedAutoUpgradeSchedule or aksManagedNodeOSUpgradeSchedule."
        ))),
    }
}

fn check_maintenance(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let name = ctx.path.name();
    let p = body.get("properties").cloned().unwrap_or(json!({}));
    if name != "default" {
        let w = &p["maintenanceWindow"];
        let hours = w["durationHours"].as_f64().unwrap_or(0.0);
        if !(4.0..=24.0).contains(&hours) {
            return Err(ArmError::bad_request(
                "InvalidParameter",
                "maintenanceWindow.durationHours must be between 4 and 24.",
            )
            .with_target("properties.maintenanceWindow.durationHours"));
        }
        if !w["schedule"].is_object() {
            return Err(ArmError::bad_request(
                "InvalidParameter",
                "maintenanceWindow.schedule is required.",
            )
            .with_target("properties.maintenanceWindow.schedule"));
        }
        // Azure fills the start when it is not given.
        let mut p = p.clone();
        let mw = &mut p["maintenanceWindow"];
        if mw.get("startTime").is_none_or(J::is_null) {
            mw["startTime"] = json!("00:00");
        }
        if mw.get("utcOffset").is_none_or(J::is_null) {
            mw["utcOffset"] = json!("+00:00");
        }
        if mw.get("startDate").is_none_or(J::is_null) {
            mw["startDate"] = json!(
                crate::timefmt::rfc3339(ctx.now)
                    .split('T')
                    .next()
                    .unwrap_or_default()
            );
        }
        body["properties"] = p;
    }
    Ok(Write::body(body.clone()))
}

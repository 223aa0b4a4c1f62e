//! The sites' own services, as the emulator stands in for them
//! (`GET /services/HOST/PATH`), so a drill's health checks verify for
//! real and Front Door routes by the same health:
//!
//! - a site's service (`gateway.westeurope.example.com`): its region is
//!   the host's label that names a region holding an AKS cluster (Azure's
//!   own hosts put the region in a label, e.g. `hcp.eastus.azmk8s.io`).
//!   It answers 200 while that region is up, its clusters have nodes
//!   scaled up and it has not been made unhealthy
//!   (`PATCH /admin/faults {"unhealthy_services": ["HOST" or "HOST/PATH"]}`);
//!   503 with the reason otherwise.
//! - a Front Door endpoint's host (`api-x.z01.azurefd.net`): the request
//!   goes to the healthiest origin of the endpoint's routes, by priority,
//!   an origin being healthy when its service answers the origin group's
//!   probe path; the chosen origin is named in `x-drinfra-origin`.

use serde_json::{Value as J, json};

use super::http::{Resp, json_resp, with_header};
use super::simulation::advance;
use super::world::World;
use crate::emulator::store::Row;
use crate::emulator::types::{num_prop, str_prop};

const CLUSTERS: &str = "Microsoft.ContainerService/managedClusters";
const POOLS: &str = "Microsoft.ContainerService/managedClusters/agentPools";

/// Every resource of type `ty` in the served subscriptions.
fn all_of(w: &World, subs: &[String], ty: &str) -> Vec<Row> {
    w.store
        .all_in(subs)
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.ty.eq_ignore_ascii_case(ty))
        .collect()
}

/// `/services/{host}/{path...}`.
pub(super) fn serve(w: &World, subs: &[String], parts: &[&str]) -> Resp {
    advance(w, w.clock.now());
    let Some((host, rest)) = parts.split_first() else {
        return json_resp(404, &json!({"error": "no service host"}));
    };
    let host = host.to_lowercase();
    let path = format!("/{}", rest.join("/"));
    let endpoint = all_of(w, subs, "Microsoft.Cdn/profiles/afdEndpoints")
        .into_iter()
        .find(|e| str_prop(&e.body, &["hostName"]).is_some_and(|h| h.eq_ignore_ascii_case(&host)));
    match endpoint {
        Some(e) => front_door(w, subs, &e, &path),
        None => {
            let (status, body) = site_service(w, subs, &host, &path);
            json_resp(status, &body)
        }
    }
}

/// How a site's service answers: status and body.
fn site_service(w: &World, subs: &[String], host: &str, path: &str) -> (u16, J) {
    let clusters = all_of(w, subs, CLUSTERS);
    let region_of = |r: &Row| {
        r.body
            .get("location")
            .and_then(J::as_str)
            .map(|l| l.to_lowercase().replace(' ', ""))
    };
    let region = host
        .split('.')
        .find(|label| {
            clusters
                .iter()
                .any(|c| region_of(c).as_deref() == Some(*label))
        })
        .map(str::to_string);
    let Some(region) = region else {
        return (
            404,
            json!({"status": "unknown", "host": host, "reason": "no AKS cluster in a region named by the host"}),
        );
    };
    let unhealthy = |why: &str| {
        (
            503,
            json!({"status": "unhealthy", "host": host, "region": region, "path": path, "reason": why}),
        )
    };
    if w.faults
        .regions_down
        .iter()
        .any(|r| r.eq_ignore_ascii_case(&region))
    {
        return unhealthy("the region is down");
    }
    let made = format!("{host}{path}");
    if w.faults
        .unhealthy_services
        .iter()
        .any(|s| s.eq_ignore_ascii_case(host) || s.eq_ignore_ascii_case(&made))
    {
        return unhealthy("made unhealthy (admin faults)");
    }
    // Capacity: nodes in the region's clusters' user pools (all pools
    // when a cluster has only system ones).
    let ids: Vec<String> = clusters
        .iter()
        .filter(|c| region_of(c).as_deref() == Some(region.as_str()))
        .map(|c| c.id.to_lowercase())
        .collect();
    let pools: Vec<Row> = all_of(w, subs, POOLS)
        .into_iter()
        .filter(|p| {
            p.id.to_lowercase()
                .rsplit_once("/agentpools/")
                .is_some_and(|(c, _)| ids.contains(&c.to_string()))
        })
        .collect();
    let user: Vec<&Row> = pools
        .iter()
        .filter(|p| str_prop(&p.body, &["mode"]).is_some_and(|m| m.eq_ignore_ascii_case("User")))
        .collect();
    let counted: Vec<&Row> = if user.is_empty() {
        pools.iter().collect()
    } else {
        user
    };
    let nodes: f64 = counted
        .iter()
        .map(|p| num_prop(&p.body, &["count"]).unwrap_or(0.0))
        .sum();
    if nodes < 1.0 {
        return unhealthy("no capacity: the site's node pools are scaled to zero");
    }
    (
        200,
        json!({"status": "healthy", "host": host, "region": region, "path": path, "nodes": nodes}),
    )
}

/// Routes a request to `endpoint` to its healthiest origin.
fn front_door(w: &World, subs: &[String], endpoint: &Row, path: &str) -> Resp {
    let prefix = format!("{}/routes/", endpoint.id.to_lowercase());
    let groups: Vec<String> = all_of(w, subs, "Microsoft.Cdn/profiles/afdEndpoints/routes")
        .into_iter()
        .filter(|r| r.id.to_lowercase().starts_with(&prefix))
        .filter_map(|r| str_prop(&r.body, &["originGroup", "id"]).map(str::to_lowercase))
        .collect();
    let all_groups = all_of(w, subs, "Microsoft.Cdn/profiles/originGroups");
    let mut candidates: Vec<(f64, String, String)> = Vec::new();
    for og in &groups {
        let probe = all_groups
            .iter()
            .find(|g| g.id.eq_ignore_ascii_case(og))
            .and_then(|g| {
                str_prop(&g.body, &["healthProbeSettings", "probePath"]).map(str::to_string)
            })
            .unwrap_or_else(|| "/".into());
        let origin_prefix = format!("{og}/origins/");
        for o in all_of(w, subs, "Microsoft.Cdn/profiles/originGroups/origins") {
            if !o.id.to_lowercase().starts_with(&origin_prefix)
                || str_prop(&o.body, &["enabledState"])
                    .is_some_and(|s| s.eq_ignore_ascii_case("Disabled"))
            {
                continue;
            }
            if let Some(h) = str_prop(&o.body, &["hostName"]) {
                let priority = num_prop(&o.body, &["priority"]).unwrap_or(1.0);
                candidates.push((priority, h.to_lowercase(), probe.clone()));
            }
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (_, host, probe) in &candidates {
        if site_service(w, subs, host, probe).0 == 200 {
            let (status, body) = site_service(w, subs, host, path);
            return with_header(json_resp(status, &body), "x-drinfra-origin", host);
        }
    }
    json_resp(
        503,
        &json!({"status": "unhealthy", "reason": "Front Door has no healthy origin", "origins": candidates.iter().map(|c| c.1.clone()).collect::<Vec<_>>()}),
    )
}

//! The HTTP side of the emulated clusters' Kubernetes APIs
//! (`emulator::kube`): `/aks/{cluster}/...` requests, with the simulated
//! clock advanced first so node pools that finished scaling count, and
//! ARM's `listClusterUserCredential` / `listClusterAdminCredential`
//! actions, answered at once (200) as AKS answers them.

use hyper::Method;

use super::http::{Reply, Req, err_resp, json_resp};
use super::simulation::{advance, outage};
use super::world::{Shared, World};
use crate::emulator::arm::ArmError;
use crate::emulator::kube;
use crate::emulator::types;

/// A request to a cluster's Kubernetes API (None: not one).
pub(super) fn cluster_api(w: &World, req: &Req) -> Option<Reply> {
    if !req.path.starts_with("/aks/") {
        return None;
    }
    let now = w.clock.now();
    advance(w, now);
    let bearer = req
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let request = kube::api::Request {
        method: req.method.as_str(),
        path: &req.path,
        bearer,
        table: req
            .headers
            .get("accept")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("as=Table")),
        body: &req.body,
    };
    let a = kube::serve(&w.store, now, &w.faults.regions_down, &request)?;
    Some(json_resp(a.status, &a.body).into())
}

/// `POST .../managedClusters/{name}/listCluster{User,Admin}Credential`
/// (None: not one of these).
pub(super) fn credentials(shared: &Shared, w: &World, req: &Req) -> Option<Reply> {
    if req.method != Method::POST {
        return None;
    }
    let lower = req.path.to_ascii_lowercase();
    let admin = lower.ends_with("/listclusteradmincredential");
    if !admin && !lower.ends_with("/listclusterusercredential") {
        return None;
    }
    let id = &req.path[..req.path.rfind('/')?];
    if !lower.contains("/providers/microsoft.containerservice/managedclusters/") {
        return None;
    }
    let row = match w.store.get(id) {
        Ok(Some(r))
            if r.ty
                .eq_ignore_ascii_case("Microsoft.ContainerService/managedClusters") =>
        {
            r
        }
        Ok(_) => {
            let name = id.rsplit('/').next().unwrap_or_default();
            return Some(
                err_resp(&ArmError::not_found(
                    "ResourceNotFound",
                    format!(
                        "The Resource 'Microsoft.ContainerService/managedClusters/{name}' was not found."
                    ),
                ))
                .into(),
            );
        }
        Err(e) => return Some(err_resp(&types::internal(e)).into()),
    };
    if let Some(region) = row.body.get("location").and_then(|l| l.as_str())
        && w.faults
            .regions_down
            .iter()
            .any(|r| r.eq_ignore_ascii_case(region))
    {
        return Some(outage(w, region));
    }
    // AKS hands out no static (admin) credentials once local accounts
    // are off.
    if admin && row.body["properties"]["disableLocalAccounts"] == serde_json::json!(true) {
        return Some(
            err_resp(&ArmError::bad_request(
                "BadRequest",
                "Getting static credential is not allowed because this cluster is set to disable local accounts.",
            ))
            .into(),
        );
    }
    Some(
        match kube::credentials(
            &w.store,
            &row.body,
            &shared.base_url,
            shared.ca_pem.as_deref(),
            admin,
        ) {
            Ok(body) => json_resp(200, &body),
            Err(e) => err_resp(&types::internal(e)),
        }
        .into(),
    )
}

//! ARM requests on resources: operation status URLs, type and
//! api-version checks, region outages, then GET, PUT/PATCH, DELETE,
//! POST actions and lists.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::Method;
use serde_json::Value as J;

use super::action::action_post;
use super::delete::delete;
use super::http::{Resp, err_resp, with_header};
use super::lro::op_response;
use super::read::{get, list};
use super::simulation::{advance, affected_region};
use super::write::write;
use crate::emulator::Shared;
use crate::emulator::arm::{ArmError, ArmPath};
use crate::emulator::types::{self};

#[allow(clippy::too_many_arguments)]
pub(super) async fn arm(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    api: &str,
    query: &BTreeMap<String, String>,
    headers: &hyper::HeaderMap,
    body: &Bytes,
) -> Resp {
    let now = shared.clock.lock().map(|c| c.now()).unwrap_or(0.0);
    let base = shared
        .base_url
        .lock()
        .map(|b| b.clone())
        .unwrap_or_default();
    let settings = shared
        .settings
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    let faults = shared.faults.lock().map(|f| f.clone()).unwrap_or_default();

    // Operation status and result URLs.
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    if parts.len() == 8
        && parts[2].eq_ignore_ascii_case("providers")
        && parts[4].eq_ignore_ascii_case("locations")
    {
        let store = match shared.store.lock() {
            Ok(s) => s,
            Err(_) => return err_resp(&types::internal("store lock poisoned")),
        };
        advance(shared, &store, now);
        let Ok(Some(op)) = store.op(parts[7]) else {
            return err_resp(&ArmError::not_found(
                "OperationNotFound",
                format!("Operation '{}' was not found.", parts[7]),
            ));
        };
        return op_response(
            shared,
            &store,
            &op,
            parts[6].eq_ignore_ascii_case("operationStatuses"),
            now,
        );
    }

    let Some(path_p) = ArmPath::parse(path) else {
        return err_resp(&ArmError::bad_request(
            "InvalidResourceId",
            format!("'{path}' is not a valid resource id."),
        ));
    };
    // A POST to `.../{type}/{name}/{action}` names an action on the resource.
    let type_name = if *method == Method::POST && !path_p.is_resource() && path_p.segments.len() > 1
    {
        let mut t = path_p.clone();
        t.segments.pop();
        t.type_name()
    } else {
        path_p.type_name()
    };
    let Some(spec) = types::lookup(&type_name) else {
        return err_resp(&ArmError::bad_request(
            "InvalidResourceType",
            format!(
                "The resource type '{type_name}' could not be found in the namespace '{}' for api version '{api}'.",
                path_p.namespace.clone().unwrap_or_default()
            ),
        ));
    };
    if !spec
        .api_versions
        .iter()
        .any(|v| v.eq_ignore_ascii_case(api))
    {
        return err_resp(&ArmError::bad_request(
            "NoRegisteredProviderFound",
            format!(
                "No registered resource provider found for location and API version '{api}' and type '{}'. The supported api-versions are '{}'.",
                spec.ty,
                spec.api_versions.join(", ")
            ),
        ));
    }
    let request: J = if body.is_empty() {
        J::Null
    } else {
        match serde_json::from_slice(body) {
            Ok(j) => j,
            Err(e) => {
                return err_resp(&ArmError::bad_request(
                    "InvalidRequestContent",
                    format!("The request content was invalid and could not be deserialized: {e}."),
                ));
            }
        }
    };

    // Region outages (decided before any await, with no lock held across it).
    let outage: Option<String> = {
        let Ok(store) = shared.store.lock() else {
            return err_resp(&types::internal("store lock poisoned"));
        };
        advance(shared, &store, now);
        // Unlinking a geo-replicated cache can be forced from the secondary
        // side when the primary's region is down.
        let storage_failover = type_name.eq_ignore_ascii_case("Microsoft.Storage/storageAccounts")
            && (*method == Method::GET
                || (*method == Method::POST && path.to_lowercase().ends_with("/failover")));
        let region = if *method == Method::DELETE
            && type_name.to_lowercase().ends_with("redis/linkedservers")
        {
            store.get(&path_p.id()).ok().flatten().and_then(|l| {
                types::str_prop(&l.body, &["linkedRedisCacheLocation"]).map(|s| s.to_lowercase())
            })
        } else if storage_failover {
            // A geo-redundant account is read, and failed over, through its
            // secondary region when the primary's is down: that is what
            // account failover is for.
            let id = if *method == Method::POST {
                let mut t = path_p.clone();
                t.segments.pop();
                t.id()
            } else {
                path_p.id()
            };
            let account = store.get(&id).ok().flatten();
            let loc = |k: &str| {
                account
                    .as_ref()
                    .and_then(|a| types::str_prop(&a.body, &[k]).map(|s| s.to_lowercase()))
            };
            let down = |r: &String| {
                faults
                    .regions_down
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(r))
            };
            let (primary, secondary) = (loc("primaryLocation"), loc("secondaryLocation"));
            // A failover request, or a primary region that is down: the secondary serves.
            let serving = if *method == Method::POST || primary.as_ref().is_some_and(down) {
                secondary.or(primary)
            } else {
                primary
            };
            serving.or_else(|| affected_region(&store, &path_p, &request))
        } else {
            affected_region(&store, &path_p, &request)
        };
        region.filter(|region| {
            faults
                .regions_down
                .iter()
                .any(|r| r.eq_ignore_ascii_case(region))
        })
    };
    if let Some(region) = outage {
        if faults.region_mode == "timeout" {
            tokio::time::sleep(Duration::from_secs_f64(
                faults.region_timeout_secs.clamp(0.0, 3600.0),
            ))
            .await;
            return err_resp(&ArmError::new(
                504,
                "GatewayTimeout",
                format!(
                    "The gateway did not receive a response from the resource provider in region '{region}' within the specified time period."
                ),
            ));
        }
        return with_header(
            err_resp(&ArmError::new(
                503,
                "ServiceUnavailable",
                format!("The resource provider in region '{region}' is unavailable."),
            )),
            "retry-after",
            &settings.max_retry_after.min(10).to_string(),
        );
    }
    let Ok(store) = shared.store.lock() else {
        return err_resp(&types::internal("store lock poisoned"));
    };

    let result = if path_p.is_resource() {
        match *method {
            Method::GET => get(&store, &spec, &path_p),
            Method::PUT | Method::PATCH => write(
                shared,
                &store,
                &spec,
                &path_p,
                method == Method::PATCH,
                request,
                headers,
                now,
                &base,
                api,
                &settings,
                &faults,
            ),
            Method::DELETE => delete(
                shared, &store, &spec, &path_p, now, &base, api, &settings, &faults,
            ),
            _ => Err(ArmError::new(
                405,
                "MethodNotAllowed",
                format!("{method} is not supported on a resource."),
            )),
        }
    } else if *method == Method::POST {
        // An action: the last segment is the action name.
        let mut target = path_p.clone();
        let action = target.segments.pop().map(|(a, _)| a).unwrap_or_default();
        action_post(
            shared, &store, &target, &action, &request, query, now, &base, api, &settings,
        )
    } else if *method == Method::GET {
        list(&store, &spec, &path_p, query, &base, api, &settings)
    } else {
        Err(ArmError::new(
            405,
            "MethodNotAllowed",
            format!("{method} is not supported on a collection."),
        ))
    };
    match result {
        Ok(r) => r,
        Err(e) => err_resp(&e),
    }
}

//! ARM requests on resources: operation status URLs, type and
//! api-version checks, region outages, then GET, PUT/PATCH, DELETE,
//! POST actions and lists.

use hyper::Method;
use serde_json::Value as J;

use super::action::action_post;
use super::call::Call;
use super::delete::delete;
use super::http::{Reply, Req, err_resp};
use super::lro::op_response;
use super::read::{get, list};
use super::simulation::{advance, outage, outage_region};
use super::world::World;
use super::write::write;
use crate::emulator::arm::{ArmError, ArmPath};
use crate::emulator::types::{self, Caller};

/// An ARM request under a subscription (authenticated, within its
/// throttle): operation polling, or a verb on a resource or collection.
pub(super) fn arm(w: &mut World, base: &str, caller: Caller, req: &Req, api: &str) -> Reply {
    let (method, path, body) = (&req.method, req.path.as_str(), &req.body);
    let now = w.clock.now();

    // Operation status and result URLs (other resources under a region,
    // such as deleted key vaults, are resources).
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    if parts.len() == 8
        && parts[2].eq_ignore_ascii_case("providers")
        && parts[4].eq_ignore_ascii_case("locations")
        && ["operationStatuses", "operationResults"]
            .iter()
            .any(|k| parts[6].eq_ignore_ascii_case(k))
    {
        advance(w, now);
        let Ok(Some(op)) = w.store.op(parts[7]) else {
            return err_resp(&ArmError::not_found(
                "OperationNotFound",
                format!("Operation '{}' was not found.", parts[7]),
            ))
            .into();
        };
        return op_response(
            w,
            base,
            &op,
            parts[6].eq_ignore_ascii_case("operationStatuses"),
            now,
        )
        .into();
    }

    let Some(path_p) = ArmPath::parse(path) else {
        return err_resp(&ArmError::bad_request(
            "InvalidResourceId",
            format!("'{path}' is not a valid resource id."),
        ))
        .into();
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
    let Some(spec) = types::lookup_or_generic(&type_name) else {
        return err_resp(&ArmError::bad_request(
            "InvalidResourceType",
            format!(
                "The resource type '{type_name}' could not be found in the namespace '{}' for api version '{api}'.",
                path_p.namespace.clone().unwrap_or_default()
            ),
        ))
        .into();
    };
    // A generic type (no model) takes any api-version.
    if !spec.api_versions.is_empty()
        && !spec
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
        ))
        .into();
    }
    // Built-in role definitions exist at every scope without being written.
    if *method == Method::GET
        && spec.ty == types::authorization::DEFINITIONS
        && let Some(r) = types::authorization::serve_definitions(&path_p, &req.query)
    {
        return match r {
            Ok(j) => super::http::json_resp(200, &j),
            Err(e) => err_resp(&e),
        }
        .into();
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
                ))
                .into();
            }
        }
    };

    advance(w, now);
    if let Some(region) = outage_region(w, req, &path_p, &type_name, &request) {
        return outage(w, &region);
    }
    let call = Call {
        path: &path_p,
        api,
        query: &req.query,
        headers: &req.headers,
        request,
        now,
        base,
        caller,
    };
    let result = if path_p.is_resource() {
        match *method {
            Method::GET => get(&w.store, &spec, &path_p),
            Method::PUT | Method::PATCH => write(w, &spec, &call, method == Method::PATCH),
            Method::DELETE => delete(w, &spec, &call),
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
        action_post(w, &call, &target, &action)
    } else if *method == Method::GET {
        list(w, &spec, &call)
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
    .into()
}

//! The Kubernetes API requests the emulator answers for a cluster:
//! discovery (enough for kubectl), deployments and their `scale`
//! subresource. Errors are Kubernetes `Status` objects.

use serde_json::{Value as J, json};

use super::{Cluster, Deployment, cluster_of, cluster_region, deployment_json, scale_json};
use crate::emulator::store::Store;

/// A response: status code and JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: J,
}

fn status(code: u16, reason: &str, message: impl Into<String>) -> Answer {
    Answer {
        status: code,
        body: json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {},
            "status": "Failure", "message": message.into(), "reason": reason, "code": code,
        }),
    }
}

fn ok(body: J) -> Answer {
    Answer { status: 200, body }
}

fn not_found(name: &str) -> Answer {
    status(
        404,
        "NotFound",
        format!("deployments.apps \"{name}\" not found"),
    )
}

/// One request to a cluster's API.
pub struct Request<'a> {
    pub method: &'a str,
    /// The whole path, `/aks/{key}/...`.
    pub path: &'a str,
    /// The bearer token sent, if any.
    pub bearer: Option<&'a str>,
    /// Whether the client asked for a table (`Accept: ...;as=Table`, as
    /// kubectl's `get` does).
    pub table: bool,
    pub body: &'a [u8],
}

/// Answers `req` if its path is a cluster API's (None otherwise).
pub fn serve(store: &Store, now: f64, regions_down: &[String], req: &Request) -> Option<Answer> {
    let rest = req.path.strip_prefix("/aks/")?;
    let (key, rest) = rest.split_once('/').unwrap_or((rest, ""));
    Some(answer(store, now, regions_down, req, key, rest))
}

fn answer(
    store: &Store,
    now: f64,
    regions_down: &[String],
    req: &Request,
    key: &str,
    rest: &str,
) -> Answer {
    let Some((id, token)) = cluster_of(store, key) else {
        return status(404, "NotFound", "no such cluster API");
    };
    if req.bearer != Some(token.as_str()) {
        return status(401, "Unauthorized", "Unauthorized");
    }
    let Some(region) = cluster_region(store, &id) else {
        return status(404, "NotFound", "the managed cluster no longer exists");
    };
    let down = regions_down
        .iter()
        .any(|r| r.to_lowercase().replace(' ', "") == region);
    if down {
        return status(
            503,
            "ServiceUnavailable",
            format!("the API server of the cluster in region '{region}' is unavailable"),
        );
    }
    let parts: Vec<&str> = rest.trim_matches('/').split('/').collect();
    let method = req.method;
    match (method, parts.as_slice()) {
        ("GET", ["version"]) => ok(json!({
            "major": "1", "minor": "31", "gitVersion": "v1.31.0", "platform": "linux/amd64",
        })),
        ("GET", ["api"]) => ok(json!({
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": ""}],
        })),
        ("GET", ["api", "v1"]) => ok(json!({
            "kind": "APIResourceList", "groupVersion": "v1", "resources": [],
        })),
        ("GET", ["apis"]) => ok(json!({
            "kind": "APIGroupList", "apiVersion": "v1",
            "groups": [{
                "name": "apps",
                "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
                "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"},
            }],
        })),
        ("GET", ["apis", "apps", "v1"]) => ok(json!({
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "apps/v1",
            "resources": [
                {"name": "deployments", "singularName": "deployment", "namespaced": true,
                 "kind": "Deployment", "shortNames": ["deploy"],
                 "verbs": ["create", "delete", "get", "list", "patch", "update"]},
                {"name": "deployments/scale", "singularName": "", "namespaced": true,
                 "group": "autoscaling", "version": "v1", "kind": "Scale",
                 "verbs": ["get", "patch", "update"]},
            ],
        })),
        ("GET", ["apis", "apps", "v1", "deployments"]) => list(store, now, &id, None, req.table),
        ("GET", ["apis", "apps", "v1", "namespaces", ns, "deployments"]) => {
            list(store, now, &id, Some(ns), req.table)
        }
        ("POST", ["apis", "apps", "v1", "namespaces", ns, "deployments"]) => {
            create(store, now, &id, ns, req.body)
        }
        (_, ["apis", "apps", "v1", "namespaces", ns, "deployments", name]) => {
            one(store, now, &id, ns, name, method, req.body, false)
        }
        (
            _,
            [
                "apis",
                "apps",
                "v1",
                "namespaces",
                ns,
                "deployments",
                name,
                "scale",
            ],
        ) => one(store, now, &id, ns, name, method, req.body, true),
        _ => status(
            404,
            "NotFound",
            format!("the server could not find the requested resource ({method} /{rest})"),
        ),
    }
}

fn list(store: &Store, now: f64, id: &str, ns: Option<&str>, table: bool) -> Answer {
    let c = Cluster::load(store, id);
    let ready = c.ready(store, now);
    let shown = c
        .deployments
        .iter()
        .zip(ready)
        .filter(|(d, _)| ns.is_none_or(|n| d.namespace == n));
    if table {
        return ok(super::table(shown, now));
    }
    let items: Vec<J> = shown.map(|(d, r)| deployment_json(d, r)).collect();
    ok(json!({
        "apiVersion": "apps/v1", "kind": "DeploymentList",
        "metadata": {"resourceVersion": ""}, "items": items,
    }))
}

fn parse_body(body: &[u8]) -> Result<J, Answer> {
    serde_json::from_slice(body).map_err(|e| {
        status(
            400,
            "BadRequest",
            format!("the request body is not JSON: {e}"),
        )
    })
}

/// `spec.replicas` of a body (a Deployment, a Scale or a merge patch):
/// None when it does not set it, an error when it is not a count.
fn replicas_in(body: &J) -> Result<Option<u64>, Answer> {
    // A JSON patch (`[{"op": "replace", "path": "/spec/replicas", ...}]`).
    if let Some(ops) = body.as_array() {
        let found = ops.iter().find(|o| {
            o.get("path").and_then(J::as_str) == Some("/spec/replicas")
                && matches!(o.get("op").and_then(J::as_str), Some("replace" | "add"))
        });
        return match found.map(|o| o.get("value")) {
            None => Ok(None),
            Some(v) => count(v).map(Some),
        };
    }
    match body.pointer("/spec/replicas") {
        None | Some(J::Null) => Ok(None),
        Some(v) => count(Some(v)).map(Some),
    }
}

fn count(v: Option<&J>) -> Result<u64, Answer> {
    match v.and_then(J::as_i64) {
        Some(n) if n >= 0 => Ok(n as u64),
        _ => Err(status(
            422,
            "Invalid",
            "spec.replicas: Invalid value: must be greater than or equal to 0",
        )),
    }
}

fn create(store: &Store, now: f64, id: &str, ns: &str, body: &[u8]) -> Answer {
    let body = match parse_body(body) {
        Ok(b) => b,
        Err(a) => return a,
    };
    let Some(name) = body.pointer("/metadata/name").and_then(J::as_str) else {
        return status(422, "Invalid", "metadata.name: Required value");
    };
    let replicas = match replicas_in(&body) {
        Ok(r) => r.unwrap_or(1),
        Err(a) => return a,
    };
    let image = body
        .pointer("/spec/template/spec/containers/0/image")
        .and_then(J::as_str)
        .unwrap_or_default();
    if image.is_empty() {
        return status(
            422,
            "Invalid",
            "spec.template.spec.containers[0].image: Required value",
        );
    }
    let mut c = Cluster::load(store, id);
    if c.find(ns, name).is_some() {
        return status(
            409,
            "AlreadyExists",
            format!("deployments.apps \"{name}\" already exists"),
        );
    }
    let uid = match crate::random::uuid_v4() {
        Ok(u) => u,
        Err(e) => return status(500, "InternalError", e.to_string()),
    };
    c.deployments.push(Deployment {
        namespace: ns.to_string(),
        name: name.to_string(),
        uid,
        image: image.to_string(),
        replicas,
        generation: 1,
        created: now,
        scaled_at: now,
        ready_at_scale: 0,
    });
    c.deployments
        .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    if let Err(e) = c.save(store) {
        return status(500, "InternalError", e);
    }
    let i = c.find(ns, name).unwrap_or_default();
    Answer {
        status: 201,
        body: deployment_json(&c.deployments[i], 0),
    }
}

#[allow(clippy::too_many_arguments)]
fn one(
    store: &Store,
    now: f64,
    id: &str,
    ns: &str,
    name: &str,
    method: &str,
    body: &[u8],
    scale: bool,
) -> Answer {
    let mut c = Cluster::load(store, id);
    let Some(i) = c.find(ns, name) else {
        return not_found(name);
    };
    let show = |c: &Cluster| {
        let ready = c.ready(store, now)[i];
        let d = &c.deployments[i];
        ok(if scale {
            scale_json(d, ready)
        } else {
            deployment_json(d, ready)
        })
    };
    match method {
        "GET" => show(&c),
        "PATCH" | "PUT" => {
            let body = match parse_body(body) {
                Ok(b) => b,
                Err(a) => return a,
            };
            match replicas_in(&body) {
                Err(a) => a,
                Ok(None) => show(&c),
                Ok(Some(n)) => {
                    c.scale(store, i, n, now);
                    match c.save(store) {
                        Ok(()) => show(&c),
                        Err(e) => status(500, "InternalError", e),
                    }
                }
            }
        }
        "DELETE" if !scale => {
            c.deployments.remove(i);
            match c.save(store) {
                Ok(()) => status_success(name),
                Err(e) => status(500, "InternalError", e),
            }
        }
        _ => status(
            405,
            "MethodNotAllowed",
            format!("{method} is not supported here"),
        ),
    }
}

fn status_success(name: &str) -> Answer {
    ok(json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
        "details": {"name": name, "group": "apps", "kind": "deployments"},
    }))
}

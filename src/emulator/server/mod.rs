//! The HTTP(S) front: the listener and TLS, then for each request
//! authentication, api-version, faults and throttling before the ARM
//! semantics. One file per concern:
//!
//! - `world`: the state every request works on, behind one lock;
//! - `http`: requests and responses, query strings, bodies (4 MB limit);
//! - `identity`: the token endpoint, bearer tokens, subscriptions and RBAC;
//! - `verbs` dispatches ARM requests on resources to `read`, `write`,
//!   `delete` and `action`; `lro`: long-running operations; `queries`:
//!   a group's resources, metrics, Resource Graph;
//! - `simulation`: simulated time's effects, region outages, faults;
//!   `dataplane`: the data-plane stand-in for replicated data;
//!   `services`: the sites' services and Front Door's routing by their health;
//! - `admin`: the admin API;
//! - `kube_api`: each managed cluster's Kubernetes API and the
//!   `listCluster*Credential` actions that reach it;
//! - `keyvault`: the vaults' data plane (secrets), at their `vaultUri`.
//! - `keys`: the secret-listing actions (`listKeys`, `sharedKeys`) and
//!   their regenerations.

mod action;
mod admin;
mod call;
mod dataplane;
mod delete;
mod http;
mod identity;
mod keyvault;
mod keys;
mod kube_api;
mod lro;
mod queries;
mod read;
mod services;
mod simulation;
mod verbs;
mod world;
mod write;

use std::convert::Infallible;
use std::sync::Arc;

use hyper::{Method, Request};

use self::http::{Reply, Req, Resp, err_resp, query_map, read_body, with_header};
use self::queries::{group_of_resources_list, metrics, resource_graph, resources_in_group};
use self::world::World;
use crate::emulator::LogEntry;
use crate::emulator::arm::ArmError;
use crate::emulator::throttle::{Kind, Take};
use crate::emulator::types::Caller;
pub(crate) use world::Shared;

pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = &mut stop => return,
        };
        let Ok((stream, _)) = accepted else { continue };
        let shared = shared.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(handle(shared, req).await) }
            });
            let builder = hyper::server::conn::http1::Builder::new();
            match tls {
                Some(acceptor) => {
                    if let Ok(s) = acceptor.accept(stream).await {
                        let _ = builder
                            .serve_connection(hyper_util::rt::TokioIo::new(s), svc)
                            .await;
                    }
                }
                None => {
                    let _ = builder
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                        .await;
                }
            }
        });
    }
}

async fn handle(shared: Arc<Shared>, req: Request<hyper::body::Incoming>) -> Resp {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = query_map(req.uri().query());
    let headers = req.headers().clone();
    let reply = match read_body(req).await {
        Ok(body) => {
            let req = Req {
                method: method.clone(),
                path: path.clone(),
                query,
                headers,
                body,
            };
            match shared.world() {
                Ok(mut w) => route(&shared, &mut w, &req),
                Err(e) => err_resp(&e).into(),
            }
        }
        Err(refused) => refused.into(),
    };
    // The lock is released: a hanging region holds up no one else.
    let resp = reply.send().await;
    let Ok(mut w) = shared.world() else {
        return resp;
    };
    // The simulated time the response leaves at: logged, and sent as the
    // standard `Date` header, as real ARM sends its wall time, so clients
    // measure drills on the cloud's clock.
    let at = w.clock.now();
    if path.starts_with("/subscriptions")
        || path.starts_with("/providers")
        || path.starts_with("/aks/")
        || path.starts_with("/keyvault/")
    {
        let seq = w.log.len() as u64 + 1;
        w.log.push(LogEntry {
            seq,
            method: method.to_string(),
            path,
            status: resp.status().as_u16(),
            at,
        });
    }
    drop(w);
    with_header(resp, "date", &crate::timefmt::http_date(at))
}

fn route(shared: &Shared, w: &mut World, req: &Req) -> Reply {
    let (method, path, query) = (&req.method, req.path.as_str(), &req.query);
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    if path == "/metadata/endpoints" {
        return identity::metadata(&shared.base_url).into();
    }
    if parts.len() == 4
        && parts[1] == "oauth2"
        && parts[2] == "v2.0"
        && parts[3] == "token"
        && method == Method::POST
    {
        return identity::token(&shared.creds, &mut w.tokens, parts[0], &req.body).into();
    }
    if let Some(r) = kube_api::cluster_api(w, req) {
        return r;
    }
    if let Some(r) = keyvault::vault_api(shared, w, req) {
        return r;
    }
    if parts.first() == Some(&"admin") {
        return admin::admin(&shared.base_url, w, req, &parts[1..]).into();
    }
    if parts.first() == Some(&"services") && method == Method::GET {
        let mut subs = shared.creds.subscriptions.clone();
        subs.push(shared.creds.subscription_id.clone());
        subs.dedup();
        return services::serve(w, &subs, &parts[1..]).into();
    }
    if !(path.starts_with("/subscriptions/")
        || path == "/subscriptions"
        || path.eq_ignore_ascii_case("/providers/Microsoft.ResourceGraph/resources"))
    {
        return err_resp(&ArmError::not_found(
            "NotFound",
            format!("No route for {path}."),
        ))
        .into();
    }
    let client = match identity::authenticate(&w.tokens, &req.headers) {
        Ok(c) => c,
        Err((e, challenge)) => {
            return with_header(err_resp(&e), "www-authenticate", challenge).into();
        }
    };
    // A token for Key Vault's audience is not one for ARM.
    if let Some(aud) = w
        .tokens
        .audience(&req.headers)
        .filter(|a| a.eq_ignore_ascii_case(crate::emulator::types::key_vault_data::AUDIENCE))
    {
        return err_resp(&ArmError::new(
            401,
            "InvalidAuthenticationTokenAudience",
            format!("The access token has been obtained for wrong audience or resource '{aud}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'."),
        ))
        .into();
    }
    // Subscriptions: only those the emulator serves, and (RBAC) only
    // those the signed-in client is authorised on.
    if let Some(r) = identity::subscription_access(&shared.creds, method, path, &client) {
        return r.into();
    }
    let Some(api_version) = query.get("api-version") else {
        return err_resp(&ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ))
        .into();
    };
    // Transient faults, drawn from a seeded generator.
    if let Some(r) = simulation::transient(w) {
        return r.into();
    }
    let kind = match *method {
        Method::GET | Method::HEAD => Kind::Reads,
        Method::DELETE => Kind::Deletes,
        Method::POST if path.to_lowercase().contains("microsoft.resourcegraph") => Kind::Reads,
        _ => Kind::Writes,
    };
    let sub = parts.get(1).copied().unwrap_or("global").to_string();
    let remaining = match w.buckets.take(&sub, kind) {
        Take::Ok(n) => n,
        Take::Throttled(after) => {
            let r = err_resp(&ArmError::new(
                429,
                "TooManyRequests",
                format!(
                    "The request was throttled: too many {} for subscription '{sub}'. Retry after {after} seconds.",
                    format!("{kind:?}").to_lowercase()
                ),
            ));
            return with_header(
                with_header(r, "retry-after", &after.to_string()),
                kind.header(),
                "0",
            )
            .into();
        }
    };
    // ASCII lower-casing keeps byte offsets, so `at` indexes `path`.
    let metrics_at = path
        .to_ascii_lowercase()
        .find("/providers/microsoft.insights/metrics");
    let subscription_path = path
        .trim_end_matches('/')
        .strip_prefix("/subscriptions")
        .filter(|rest| rest.is_empty() || !rest[1..].contains('/'));
    let reply: Reply = if let (Some(rest), true) = (subscription_path, *method == Method::GET) {
        identity::subscriptions(&shared.creds, rest.trim_start_matches('/'), &client).into()
    } else if path.eq_ignore_ascii_case("/providers/Microsoft.ResourceGraph/resources") {
        resource_graph(&shared.creds, w, &req.body, &client).into()
    } else if let (Some(at), true) = (metrics_at, *method == Method::GET) {
        metrics(w, &path[..at], query).into()
    } else if let (Some(group), true) = (group_of_resources_list(path), *method == Method::GET) {
        resources_in_group(w, group).into()
    } else if let Some(r) = kube_api::credentials(shared, w, req) {
        r
    } else if let Some(r) = keys::keys(w, req) {
        r
    } else {
        let caller = Caller {
            client: &client,
            creds: &shared.creds,
        };
        verbs::arm(w, &shared.base_url, caller, req, api_version)
    };
    reply.map(|r| with_header(r, kind.header(), &remaining.to_string()))
}

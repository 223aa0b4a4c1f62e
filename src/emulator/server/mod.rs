//! The HTTP(S) front: the listener and TLS, then for each request
//! authentication, api-version, faults and throttling before the ARM
//! semantics. One file per concern:
//!
//! - `http`: responses, query strings, reading bodies (4 MB limit);
//! - `identity`: the token endpoint, bearer tokens, subscriptions and RBAC;
//! - `verbs`, `write`, `delete`, `action`, `lro`: ARM's verbs on resources
//!   and long-running operations; `queries`: lists, metrics, Resource Graph;
//! - `simulation`, `replication`: simulated time's effects, region outages,
//!   transient faults, replicated data;
//! - `admin`: the admin API.

mod action;
mod admin;
mod dataplane;
mod delete;
mod http;
mod identity;
mod lro;
mod queries;
mod read;
mod simulation;
mod verbs;
mod write;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use hyper::{Method, Request};

use self::admin::admin;
use self::http::{Resp, err_resp, query_map, read_body, with_header};
use self::identity::{metadata, subscription_access, subscriptions, token};
use self::queries::{group_of_resources_list, metrics, resource_graph, resources_in_group};
use self::simulation::transient;
use self::verbs::arm;
use crate::emulator::arm::ArmError;
use crate::emulator::throttle::{Kind, Take};
use crate::emulator::types::{self};
use crate::emulator::{LogEntry, Shared};
use std::convert::Infallible;

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
    let resp = match read_body(req).await {
        Ok(body) => route(&shared, &method, &path, &query, &headers, &body).await,
        Err(refused) => refused,
    };
    if path.starts_with("/subscriptions") || path.starts_with("/providers") {
        let at = shared.clock.lock().map(|c| c.now()).unwrap_or(0.0);
        if let Ok(mut log) = shared.log.lock() {
            let seq = log.len() as u64 + 1;
            log.push(LogEntry {
                seq,
                method: method.to_string(),
                path: path.clone(),
                status: resp.status().as_u16(),
                at,
            });
        }
    }
    resp
}

async fn route(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    query: &BTreeMap<String, String>,
    headers: &hyper::HeaderMap,
    body: &Bytes,
) -> Resp {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    if path == "/metadata/endpoints" {
        return metadata(shared);
    }
    if parts.len() == 4
        && parts[1] == "oauth2"
        && parts[2] == "v2.0"
        && parts[3] == "token"
        && method == Method::POST
    {
        return token(shared, parts[0], body);
    }
    if parts.first() == Some(&"admin") {
        return admin(shared, method, &parts[1..], query, body).await;
    }
    if !(path.starts_with("/subscriptions/")
        || path == "/subscriptions"
        || path.eq_ignore_ascii_case("/providers/Microsoft.ResourceGraph/resources"))
    {
        return err_resp(&ArmError::not_found(
            "NotFound",
            format!("No route for {path}."),
        ));
    }
    // Authentication.
    let client = match headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        None => {
            return with_header(
                err_resp(&ArmError::new(
                    401,
                    "AuthenticationFailed",
                    "Authentication failed. The 'Authorization' header is missing.",
                )),
                "www-authenticate",
                "Bearer authorization_uri=\"/\", error=\"invalid_token\"",
            );
        }
        Some(t) => {
            let client = shared.tokens.lock().ok().and_then(|m| {
                m.get(t)
                    .filter(|(exp, _)| *exp > Instant::now())
                    .map(|(_, c)| c.clone())
            });
            match client {
                Some(c) => c,
                None => {
                    return with_header(
                        err_resp(&ArmError::new(
                            401,
                            "InvalidAuthenticationToken",
                            "The access token is invalid or has expired.",
                        )),
                        "www-authenticate",
                        "Bearer error=\"invalid_token\"",
                    );
                }
            }
        }
    };
    // Subscriptions: only those the emulator serves, and (RBAC) only
    // those the signed-in client is authorised on.
    if let Some(r) = subscription_access(shared, method, path, &client) {
        return r;
    }
    let Some(api_version) = query.get("api-version").cloned() else {
        return err_resp(&ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    // Transient faults, drawn from a seeded generator.
    if let Some(r) = transient(shared) {
        return r;
    }
    let kind = match *method {
        Method::GET | Method::HEAD => Kind::Reads,
        Method::DELETE => Kind::Deletes,
        Method::POST if path.to_lowercase().contains("microsoft.resourcegraph") => Kind::Reads,
        _ => Kind::Writes,
    };
    let sub = parts.get(1).copied().unwrap_or("global").to_string();
    let remaining = match shared.buckets.lock().map(|mut b| b.take(&sub, kind)) {
        Ok(Take::Ok(n)) => n,
        Ok(Take::Throttled(after)) => {
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
            );
        }
        Err(_) => 0,
    };
    // ASCII lower-casing keeps byte offsets, so `at` indexes `path`.
    let metrics_at = path
        .to_ascii_lowercase()
        .find("/providers/microsoft.insights/metrics");
    let subscription_path = path
        .trim_end_matches('/')
        .strip_prefix("/subscriptions")
        .filter(|rest| rest.is_empty() || !rest[1..].contains('/'));
    let resp = if let (Some(rest), true) = (subscription_path, *method == Method::GET) {
        subscriptions(shared, rest.trim_start_matches('/'), &client)
    } else if path.eq_ignore_ascii_case("/providers/Microsoft.ResourceGraph/resources") {
        resource_graph(shared, body, &client)
    } else if let (Some(at), true) = (metrics_at, *method == Method::GET) {
        metrics(shared, &path[..at], query)
    } else if let (Some(group), true) = (group_of_resources_list(path), *method == Method::GET) {
        resources_in_group(shared, group)
    } else {
        let caller = types::Caller {
            client: client.clone(),
            creds: shared.creds.clone(),
        };
        types::CALLER
            .scope(
                caller,
                arm(shared, method, path, &api_version, query, headers, body),
            )
            .await
    };
    with_header(resp, kind.header(), &remaining.to_string())
}

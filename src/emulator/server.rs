//! The HTTP(S) front: authentication, api-version, faults, throttling,
//! then ARM semantics (PUT/PATCH/GET/DELETE/POST, lists with paging,
//! long-running operations), Resource Graph, the token endpoint and the
//! admin API.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value as J, json};

use super::arm::{ArmError, ArmPath};
use super::store::{Operation, Row, Store};
use super::throttle::{Kind, Take};
use super::types::{self, Ctx, DataChange, Lro, Spec};
use super::{FailRule, Faults, LogEntry, Settings, Shared};

type Resp = Response<Full<Bytes>>;

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

fn json_resp(status: u16, body: &J) -> Resp {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json; charset=utf-8")
        .header(
            "x-ms-request-id",
            crate::random::uuid_v4().unwrap_or_default(),
        )
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("valid response")
}

fn empty(status: u16) -> Resp {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
        .body(Full::new(Bytes::new()))
        .expect("valid response")
}

fn err_resp(e: &ArmError) -> Resp {
    json_resp(e.status, &e.body())
}

fn with_header(mut r: Resp, k: &str, v: &str) -> Resp {
    if let (Ok(name), Ok(value)) = (
        hyper::header::HeaderName::from_bytes(k.as_bytes()),
        hyper::header::HeaderValue::from_str(v),
    ) {
        r.headers_mut().insert(name, value);
    }
    r
}

fn query_map(q: Option<&str>) -> BTreeMap<String, String> {
    q.unwrap_or_default()
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k).to_lowercase(), decode(v))
        })
        .collect()
}

/// Percent-decodes one query-string or form component (`+` is a space),
/// byte by byte: a `%` not followed by two hex digits stays as it is, and
/// bytes that do not form UTF-8 become U+FFFD.
fn decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// ARM's limit on a request's content: 4 MB.
pub const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;

fn too_large() -> Resp {
    err_resp(&ArmError::new(
        413,
        "RequestContentTooLarge",
        "The request content size exceeds the maximum size of 4 MB.",
    ))
}

/// The request's body, read up to ARM's size limit (never buffering more).
async fn read_body(req: Request<hyper::body::Incoming>) -> Result<Bytes, Resp> {
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_REQUEST_BYTES as u64) {
        return Err(too_large());
    }
    match http_body_util::Limited::new(req.into_body(), MAX_REQUEST_BYTES)
        .collect()
        .await
    {
        Ok(b) => Ok(b.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(_) => Err(err_resp(&ArmError::bad_request(
            "InvalidRequestContent",
            "The request content could not be read.",
        ))),
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
        return super::server::admin(shared, method, &parts[1..], query, body).await;
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

/// Subscriptions - Get (`sub` given) and Subscriptions - List: those the
/// client is authorised on.
fn subscriptions(shared: &Shared, sub: &str, client: &str) -> Resp {
    let c = &shared.creds;
    let doc = |s: &str| json!({"id": format!("/subscriptions/{s}"), "subscriptionId": s, "tenantId": c.client(client).map(|(t, _)| t).unwrap_or(&c.tenant_id), "displayName": format!("drinfra emulator {s}"), "state": "Enabled", "authorizationSource": "RoleBased"});
    if !sub.is_empty() {
        return json_resp(200, &doc(sub));
    }
    let mut all: Vec<String> = std::iter::once(c.subscription_id.clone())
        .chain(c.subscriptions.iter().cloned())
        .collect();
    all.sort_by_key(|s| s.to_lowercase());
    all.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let value: Vec<J> = all
        .iter()
        .filter(|s| c.authorised(client, s))
        .map(|s| doc(s))
        .collect();
    json_resp(200, &json!({"value": value}))
}

/// 404 `SubscriptionNotFound` for a subscription the emulator does not
/// serve, 403 `AuthorizationFailed` for one `client` has no access to.
fn subscription_access(shared: &Shared, method: &Method, path: &str, client: &str) -> Option<Resp> {
    let rest = path.strip_prefix("/subscriptions/")?;
    let sub = rest.split('/').next().unwrap_or_default();
    if !shared.creds.serves(sub) {
        return Some(err_resp(&ArmError::not_found(
            "SubscriptionNotFound",
            format!("The subscription '{sub}' could not be found."),
        )));
    }
    if shared.creds.authorised(client, sub) {
        return None;
    }
    let verb = match *method {
        Method::GET | Method::HEAD => "read",
        Method::DELETE => "delete",
        Method::POST => "action",
        _ => "write",
    };
    // The resource provider operation: namespace and type names.
    let action = match rest.to_ascii_lowercase().rfind("/providers/") {
        Some(i) => {
            let parts: Vec<&str> = rest[i + "/providers/".len()..].split('/').collect();
            let types: Vec<&str> = parts.iter().skip(1).step_by(2).copied().collect();
            format!(
                "{}/{}/{verb}",
                parts.first().copied().unwrap_or_default(),
                types.join("/")
            )
        }
        None => format!("Microsoft.Resources/subscriptions/resourceGroups/{verb}"),
    };
    let scope = path.split("/providers/").next().unwrap_or(path);
    Some(err_resp(&ArmError::new(
        403,
        "AuthorizationFailed",
        format!(
            "The client '{client}' with object id '{client}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials."
        ),
    )))
}

/// `/subscriptions/S/resourceGroups/G/resources`: the group's id.
fn group_of_resources_list(path: &str) -> Option<&str> {
    let trimmed = path.trim_end_matches('/');
    let group = trimmed
        .strip_suffix("/resources")
        .or_else(|| trimmed.strip_suffix("/RESOURCES"))?;
    let parts: Vec<&str> = group.trim_start_matches('/').split('/').collect();
    (parts.len() == 4
        && parts[0].eq_ignore_ascii_case("subscriptions")
        && parts[2].eq_ignore_ascii_case("resourcegroups"))
    .then_some(group)
}

/// Resources - List By Resource Group: every resource below the group
/// (what azurerm checks before deleting a group).
fn resources_in_group(shared: &Arc<Shared>, group: &str) -> Resp {
    let Ok(store) = shared.store.lock() else {
        return err_resp(&types::internal("store lock poisoned"));
    };
    if !matches!(store.get(group), Ok(Some(_))) {
        let name = group.rsplit('/').next().unwrap_or(group);
        return err_resp(&ArmError::not_found(
            "ResourceGroupNotFound",
            format!("Resource group '{name}' could not be found."),
        ));
    }
    let rows = match store.descendants(group) {
        Ok(r) => r,
        Err(e) => return err_resp(&types::internal(e)),
    };
    // Top-level resources only (NAMESPACE/TYPE/NAME), as ARM lists them.
    let prefix = format!("{}/providers/", group.to_lowercase());
    let value: Vec<J> = rows
        .iter()
        .filter(|r| r.id.to_lowercase().strip_prefix(&prefix).is_some_and(|rest| rest.split('/').count() == 3))
        .map(|r| json!({"id": r.id, "name": r.id.rsplit('/').next().unwrap_or_default(), "type": r.ty, "location": r.body.get("location").cloned().unwrap_or(J::Null)}))
        .collect();
    json_resp(200, &json!({"value": value}))
}

/// Azure Monitor metrics of a resource, as far as the DR plan needs them:
/// `physical_replication_delay_in_seconds` of a PostgreSQL read replica
/// (the emulator's replication lag; no data points for a primary).
fn metrics(shared: &Arc<Shared>, resource: &str, query: &BTreeMap<String, String>) -> Resp {
    let Ok(store) = shared.store.lock() else {
        return err_resp(&types::internal("store lock poisoned"));
    };
    let Ok(Some(row)) = store.get(resource) else {
        return err_resp(&ArmError::not_found(
            "ResourceNotFound",
            format!("The resource '{resource}' was not found."),
        ));
    };
    let names = query.get("metricnames").cloned().unwrap_or_default();
    let lag = shared
        .settings
        .lock()
        .map(|s| s.replication_lag_secs)
        .unwrap_or(10.0);
    let replica = types::str_prop(&row.body, &["replicationRole"])
        .is_some_and(|r| r.to_lowercase().contains("replica"));
    let mut value = Vec::new();
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !row
            .ty
            .eq_ignore_ascii_case("Microsoft.DBforPostgreSQL/flexibleServers")
            || name != "physical_replication_delay_in_seconds"
        {
            return err_resp(&ArmError::bad_request(
                "BadRequest",
                format!(
                    "Failed to find metric configuration for provider: {}, resource Type: {}, metric: {name}. (The emulator serves physical_replication_delay_in_seconds only.)",
                    row.ty.split('/').next().unwrap_or_default(),
                    row.ty
                ),
            ));
        }
        let data: Vec<J> = if replica {
            vec![json!({"timeStamp": crate::timefmt::now(), "maximum": lag, "average": lag})]
        } else {
            vec![]
        };
        value.push(json!({
            "id": format!("{resource}/providers/Microsoft.Insights/metrics/{name}"),
            "type": "Microsoft.Insights/metrics",
            "name": {"value": name, "localizedValue": "Read Replica Lag"},
            "unit": "Seconds",
            "timeseries": [{"metadatavalues": [], "data": data}],
        }));
    }
    json_resp(
        200,
        &json!({"cost": 0, "interval": "PT1M", "value": value, "namespace": row.ty, "resourceregion": row.body.get("location").cloned().unwrap_or(J::Null)}),
    )
}

/// The current value with a PATCH body merged in, or None when the
/// result does not make a valid value.
fn patched<T: serde::Serialize + serde::de::DeserializeOwned + Default + Clone>(
    current: &std::sync::Mutex<T>,
    req: &J,
) -> Option<T> {
    let mut cur =
        serde_json::to_value(current.lock().map(|c| c.clone()).unwrap_or_default()).ok()?;
    merge(&mut cur, req);
    serde_json::from_value(cur).ok()
}

fn transient(shared: &Arc<Shared>) -> Option<Resp> {
    let rate = shared.faults.lock().ok()?.transient_rate;
    if rate <= 0.0 {
        return None;
    }
    let mut s = shared.rng.lock().ok()?;
    // xorshift64*
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    let r = s.wrapping_mul(0x2545F4914F6CDD1D);
    let x = (r >> 11) as f64 / (1u64 << 53) as f64;
    if x >= rate {
        return None;
    }
    Some(match r % 3 {
        0 => with_header(
            err_resp(&ArmError::new(
                429,
                "TooManyRequests",
                "Transient throttling (emulator fault).",
            )),
            "retry-after",
            "1",
        ),
        1 => err_resp(&ArmError::new(
            500,
            "InternalServerError",
            "Transient server error (emulator fault).",
        )),
        _ => with_header(
            err_resp(&ArmError::new(
                503,
                "ServiceUnavailable",
                "Transient unavailability (emulator fault).",
            )),
            "retry-after",
            "1",
        ),
    })
}

fn metadata(shared: &Arc<Shared>) -> Resp {
    let base = shared
        .base_url
        .lock()
        .map(|b| b.clone())
        .unwrap_or_default();
    json_resp(
        200,
        &json!({
            "name": "drinfra-emulator",
            "resourceManager": format!("{base}/"),
            "authentication": {"loginEndpoint": format!("{base}/"), "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"], "tenant": "common", "identityProvider": "AAD"},
            "suffixes": {"storage": "core.windows.net", "keyVaultDns": "vault.azure.net"},
        }),
    )
}

fn token(shared: &Arc<Shared>, tenant: &str, body: &Bytes) -> Resp {
    let form = query_map(Some(&String::from_utf8_lossy(body)));
    let fail =
        |code: &str, desc: &str| json_resp(401, &json!({"error": code, "error_description": desc}));
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return json_resp(
            400,
            &json!({"error": "unsupported_grant_type", "error_description": "Only the client_credentials grant is supported."}),
        );
    }
    let tenants = std::iter::once(shared.creds.tenant_id.as_str()).chain(
        shared
            .creds
            .principals
            .iter()
            .filter_map(|p| p.tenant_id.as_deref()),
    );
    if !tenants.into_iter().any(|t| t.eq_ignore_ascii_case(tenant)) {
        return json_resp(
            400,
            &json!({"error": "invalid_request", "error_description": format!("Tenant '{tenant}' not found.")}),
        );
    }
    // Workload identity federation sends a signed assertion instead of a
    // secret; with no OIDC issuer to trust here, the emulator accepts its
    // client secret as the federated token.
    let assertion = (form.get("client_assertion_type").map(String::as_str)
        == Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"))
    .then(|| form.get("client_assertion"))
    .flatten();
    let proof = form.get("client_secret").or(assertion);
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    let home = match shared.creds.client(&client_id) {
        Some((t, secret))
            if t.eq_ignore_ascii_case(tenant) && proof.map(String::as_str) == Some(secret) =>
        {
            t.to_string()
        }
        _ => return fail("invalid_client", "Invalid client secret or client id."),
    };
    let t = match jwt(
        &home,
        &client_id,
        form.get("scope").map(String::as_str).unwrap_or_default(),
    ) {
        Ok(t) => t,
        Err(e) => {
            return json_resp(
                500,
                &json!({"error": "temporarily_unavailable", "error_description": e.to_string()}),
            );
        }
    };
    if let Ok(mut m) = shared.tokens.lock() {
        m.insert(
            t.clone(),
            (Instant::now() + Duration::from_secs(3600), client_id),
        );
    }
    json_resp(
        200,
        &json!({"access_token": t, "token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599}),
    )
}

/// An access token shaped as Entra ID's (an unsigned JWT): services that
/// only decode tokens (Azurite's basic OAuth) accept it, and the emulator
/// itself knows it by value.
fn jwt(tenant: &str, client: &str, scope: &str) -> Result<String, crate::random::RandomError> {
    let jti = crate::random::uuid_v4()?;
    use base64::Engine as _;
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // The audience is the resource the scope names.
    let aud = scope
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_end_matches(".default")
        .trim_end_matches('/');
    let aud = if aud.contains("management") {
        format!("{aud}/")
    } else {
        aud.to_string()
    };
    let claims = json!({
        "aud": aud, "iss": format!("https://sts.windows.net/{tenant}/"), "iat": now, "nbf": now, "exp": now + 3600,
        "appid": client, "tid": tenant, "oid": client, "sub": client, "ver": "1.0", "jti": jti,
    });
    Ok(format!(
        "{}.{}.{}",
        b64(&json!({"alg": "RS256", "typ": "JWT"})),
        b64(&claims),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("drinfra-emulator")
    ))
}

/// Completes operations whose simulated time is up (unless their region is down).
fn advance(shared: &Shared, store: &Store, now: f64) {
    let down = shared
        .faults
        .lock()
        .map(|f| f.regions_down.clone())
        .unwrap_or_default();
    let lag = shared
        .settings
        .lock()
        .map(|s| s.replication_lag_secs)
        .unwrap_or(10.0);
    let Ok(ops) = store.running_ops() else { return };
    for mut op in ops {
        if op.finish > now {
            break;
        }
        if down.iter().any(|r| r.eq_ignore_ascii_case(&op.location)) {
            continue;
        }
        let tx = store.conn.unchecked_transaction();
        if let Some((code, msg)) = op.error.clone() {
            op.status = "Failed".into();
            if let Ok(Some(row)) = store.get(&op.resource) {
                let mut b = row.body.clone();
                types::props(&mut b).insert("provisioningState".into(), json!("Failed"));
                let _ = store.put(
                    &row.id,
                    &row.ty,
                    &parent_of(&row.id),
                    &sub_of(&row.id),
                    &rg_of(&row.id),
                    &b,
                );
            }
            let _ = (code, msg);
        } else {
            for (id, ty, body) in &op.effects {
                match body {
                    Some(b) => {
                        let mut b = b.clone();
                        if b.get("properties").is_some()
                            || !ty.eq_ignore_ascii_case("Microsoft.Resources/resourceGroups")
                        {
                            types::props(&mut b)
                                .insert("provisioningState".into(), json!("Succeeded"));
                        } else {
                            b["properties"] = json!({"provisioningState": "Succeeded"});
                        }
                        let _ = store.put(id, ty, &parent_of(id), &sub_of(id), &rg_of(id), &b);
                    }
                    None => {
                        let _ = store.delete_tree(id);
                    }
                }
            }
            if let Some(data) = op
                .result
                .as_ref()
                .and_then(|r| r.get("dataChange"))
                .and_then(|d| serde_json::from_value::<DataChange>(d.clone()).ok())
            {
                let lost = apply_data(store, &data, lag);
                if let Some(r) = op.result.as_mut() {
                    r["lostWrites"] = json!(lost);
                }
            }
            op.status = "Succeeded".into();
        }
        let _ = store.put_op(&op);
        let _ = store.set_meta("sim_time", &now.to_string());
        if let Ok(tx) = tx {
            let _ = tx.commit();
        }
    }
}

/// Copies replicated writes; returns how many of the source's were lost.
fn apply_data(store: &Store, d: &DataChange, _lag: f64) -> usize {
    let DataChange::CopyFrom {
        source,
        target,
        cutoff,
    } = d;
    let src = store.writes(source).unwrap_or_default();
    let mut mine = store.writes(target).unwrap_or_default();
    let copied: Vec<_> = src
        .iter()
        .filter(|(_, _, at)| *at <= *cutoff)
        .cloned()
        .collect();
    let lost = src.len() - copied.len();
    let mut all = copied;
    all.append(&mut mine);
    all.sort_by(|a, b| a.2.total_cmp(&b.2));
    let renumbered: Vec<_> = all
        .into_iter()
        .enumerate()
        .map(|(i, (_, v, at))| (i as i64 + 1, v, at))
        .collect();
    let _ = store.set_writes(target, &renumbered);
    lost
}

fn parent_of(id: &str) -> String {
    let p = ArmPath::parse(id);
    match p {
        Some(p) if p.is_resource_group() => format!("/subscriptions/{}", p.subscription),
        Some(p) => p
            .parent_id()
            .or_else(|| p.resource_group_id())
            .unwrap_or_default(),
        None => String::new(),
    }
}

fn sub_of(id: &str) -> String {
    id.split('/').nth(2).unwrap_or_default().to_string()
}

fn rg_of(id: &str) -> String {
    ArmPath::parse(id)
        .and_then(|p| p.resource_group)
        .unwrap_or_default()
}

/// A resource body as returned to clients.
fn present(store: &Store, spec: &Spec, row: &Row) -> J {
    let mut b = row.body.clone();
    match spec.ty {
        "Microsoft.DBforPostgreSQL/flexibleServers" => types::postgres_decorate(store, &mut b),
        "Microsoft.ContainerService/managedClusters" => types::aks_decorate(store, &mut b),
        "Microsoft.Cache/redis" => types::redis_decorate(store, &mut b),
        "Microsoft.Network/trafficmanagerprofiles" => {
            types::traffic_manager_decorate(store, &mut b)
        }
        _ => {}
    }
    (spec.hide)(&mut b);
    if spec.etags {
        b["etag"] = J::String(row.etag.clone());
    }
    b
}

fn region_of(body: &J) -> Option<String> {
    body.get("location")
        .and_then(J::as_str)
        .map(|l| l.to_lowercase().replace(' ', ""))
}

/// The region whose outage affects a request: the resource's, or for a
/// child, its top-level parent's.
fn affected_region(store: &Store, path: &ArmPath, body: &J) -> Option<String> {
    if let Some(r) = region_of(body) {
        return Some(r);
    }
    let mut p = path.clone();
    loop {
        if p.is_resource()
            && let Ok(Some(row)) = store.get(&p.id())
            && let Some(r) = region_of(&row.body)
        {
            return Some(r);
        }
        p.segments.pop()?;
    }
}

fn op_urls(
    base: &str,
    sub: &str,
    ns: &str,
    location: &str,
    id: &str,
    api: &str,
) -> (String, String) {
    let loc = if location.is_empty() {
        "global"
    } else {
        location
    };
    (
        format!(
            "{base}/subscriptions/{sub}/providers/{ns}/locations/{loc}/operationStatuses/{id}?api-version={api}"
        ),
        format!(
            "{base}/subscriptions/{sub}/providers/{ns}/locations/{loc}/operationResults/{id}?api-version={api}"
        ),
    )
}

fn retry_after(shared: &Shared, op: &Operation, now: f64) -> String {
    let (scale, max) = shared
        .settings
        .lock()
        .map(|s| (s.time_scale, s.max_retry_after))
        .unwrap_or((1.0, 10));
    let real = ((op.finish - now).max(0.0) / scale.max(1e-6)).round() as u64;
    real.min(max).to_string()
}

#[allow(clippy::too_many_arguments)]
async fn arm(
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

fn get(store: &Store, spec: &Spec, p: &ArmPath) -> Result<Resp, ArmError> {
    match store.get(&p.id()).map_err(types::internal)? {
        Some(row) => {
            let etag = row.etag.clone();
            let r = json_resp(200, &present(store, spec, &row));
            Ok(if spec.etags {
                with_header(r, "etag", &etag)
            } else {
                r
            })
        }
        None => {
            if p.is_resource_group() {
                return Err(ArmError::not_found(
                    "ResourceGroupNotFound",
                    format!("Resource group '{}' could not be found.", p.name()),
                ));
            }
            Err(ArmError::not_found(
                "ResourceNotFound",
                format!(
                    "The Resource '{}/{}' under resource group '{}' was not found.",
                    spec.ty,
                    p.name(),
                    p.resource_group.clone().unwrap_or_default()
                ),
            ))
        }
    }
}

fn check_parent(store: &Store, p: &ArmPath) -> Result<(), ArmError> {
    if let Some(rg) = p.resource_group_id()
        && !p.is_resource_group()
        && store.get(&rg).map_err(types::internal)?.is_none()
    {
        return Err(ArmError::not_found(
            "ResourceGroupNotFound",
            format!(
                "Resource group '{}' could not be found.",
                p.resource_group.clone().unwrap_or_default()
            ),
        ));
    }
    if let Some(parent) = p.parent_id()
        && store.get(&parent).map_err(types::internal)?.is_none()
    {
        return Err(ArmError::not_found(
            "ParentResourceNotFound",
            format!(
                "Can not perform requested operation on nested resource. Parent resource '{}' not found.",
                parent.rsplit('/').next().unwrap_or_default()
            ),
        ));
    }
    Ok(())
}

fn list(
    store: &Store,
    spec: &Spec,
    p: &ArmPath,
    query: &BTreeMap<String, String>,
    base: &str,
    api: &str,
    settings: &Settings,
) -> Result<Resp, ArmError> {
    let rows = if p.resource_group.is_none() {
        store
            .of_type(spec.ty, &p.subscription)
            .map_err(types::internal)?
    } else {
        check_parent(
            store,
            &ArmPath {
                segments: p.segments[..p.segments.len().saturating_sub(1)].to_vec(),
                ..p.clone()
            },
        )?;
        let parent = p.parent_id_of_collection();
        store.children(spec.ty, &parent).map_err(types::internal)?
    };
    let token = query.get("$skiptoken").cloned().unwrap_or_default();
    let size = settings.page_size.max(1);
    let link = |t: String| {
        format!(
            "{base}{}?api-version={api}&$skiptoken={t}",
            p.id_of_collection()
        )
    };
    if token.is_empty() && settings.empty_pages {
        return Ok(json_resp(
            200,
            &json!({"value": [], "nextLink": link("o0".into())}),
        ));
    }
    let offset: usize = token.trim_start_matches('o').parse().unwrap_or(0);
    let page: Vec<J> = rows
        .iter()
        .skip(offset)
        .take(size)
        .map(|r| present(store, spec, r))
        .collect();
    let mut doc = json!({"value": page});
    if offset.saturating_add(size) < rows.len() {
        doc["nextLink"] = J::String(link(format!("o{}", offset + size)));
    }
    Ok(json_resp(200, &doc))
}

impl ArmPath {
    /// For a collection path, the id of what holds it (group or resource).
    fn parent_id_of_collection(&self) -> String {
        let mut p = self.clone();
        p.segments.pop();
        if p.segments.is_empty() {
            p.resource_group_id().unwrap_or_default()
        } else {
            p.id()
        }
    }

    fn id_of_collection(&self) -> String {
        if self.is_resource_group()
            || (self.segments.len() == 1
                && self.segments[0].0.eq_ignore_ascii_case("resourceGroups"))
        {
            return format!("/subscriptions/{}/resourcegroups", self.subscription);
        }
        self.id()
    }
}

fn fail_rule(faults: &Faults, id: &str, ty: &str) -> Option<FailRule> {
    faults
        .fail_next
        .iter()
        .find(|r| {
            r.matches.is_empty()
                || id.to_lowercase().contains(&r.matches.to_lowercase())
                || ty.to_lowercase().contains(&r.matches.to_lowercase())
        })
        .cloned()
}

/// Merge-patch (RFC 7396), except that `tags` is replaced whole.
fn merge(into: &mut J, patch: &J) {
    match (into.as_object_mut(), patch.as_object()) {
        (Some(t), Some(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else if k == "tags" || !v.is_object() {
                    t.insert(k.clone(), v.clone());
                } else {
                    merge(t.entry(k.clone()).or_insert(json!({})), v);
                }
            }
        }
        _ => *into = patch.clone(),
    }
}

#[allow(clippy::too_many_arguments)]
fn write(
    shared: &Arc<Shared>,
    store: &Store,
    spec: &Spec,
    p: &ArmPath,
    patch: bool,
    request: J,
    headers: &hyper::HeaderMap,
    now: f64,
    base: &str,
    api: &str,
    settings: &Settings,
    faults: &Faults,
) -> Result<Resp, ArmError> {
    let id = p.id();
    let name = p.name();
    (spec.name_rule)(&name).map_err(|m| {
        ArmError::bad_request(
            if p.is_resource_group() {
                "InvalidResourceGroupName"
            } else {
                "InvalidResourceName"
            },
            m,
        )
    })?;
    if !request.is_object() {
        return Err(ArmError::bad_request(
            "InvalidRequestContent",
            "The request body must be a JSON object.",
        ));
    }
    check_parent(store, p)?;
    let existing = store.get(&id).map_err(types::internal)?;
    if patch && existing.is_none() {
        return Err(ArmError::not_found(
            "ResourceNotFound",
            format!("The Resource '{}/{name}' was not found.", spec.ty),
        ));
    }
    if store.running_on(&id).map_err(types::internal)?.is_some() {
        return Err(ArmError::conflict(
            "AnotherOperationInProgress",
            format!("Another operation is in progress on '{name}'. Retry when it has finished."),
        ));
    }
    if spec.etags {
        if let Some(want) = headers.get("if-match").and_then(|v| v.to_str().ok())
            && (want != "*" && existing.as_ref().is_none_or(|r| r.etag != want)
                || want == "*" && existing.is_none())
        {
            return Err(ArmError::new(
                412,
                "PreconditionFailed",
                "The If-Match condition was not met: the resource changed since it was read.",
            ));
        }
        if headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some("*")
            && existing.is_some()
        {
            return Err(ArmError::new(
                412,
                "PreconditionFailed",
                "The resource already exists (If-None-Match: *).",
            ));
        }
    }
    let mut body = match (&existing, patch) {
        (Some(old), true) => {
            let mut b = old.body.clone();
            if let Some(pr) = b.get_mut("properties").and_then(J::as_object_mut) {
                pr.remove("provisioningState");
            }
            merge(&mut b, &request);
            b
        }
        _ => request.clone(),
    };
    // The envelope's types and a known region, as ARM checks them.
    types::check_envelope(spec.ty, &body)?;
    // Location: required on create, immutable after.
    if let Some(loc) = body.get("location").and_then(J::as_str) {
        body["location"] = J::String(loc.to_lowercase().replace(' ', ""));
    }
    let old_loc = existing
        .as_ref()
        .and_then(|o| o.body.get("location"))
        .and_then(J::as_str)
        .map(str::to_string);
    match (&old_loc, body.get("location").and_then(J::as_str)) {
        (None, None) if spec.located && existing.is_none() => {
            return Err(ArmError::bad_request(
                "LocationRequired",
                "The location property is required for this definition.",
            )
            .with_target("location"));
        }
        (Some(old_loc), Some(new)) if !old_loc.eq_ignore_ascii_case(new) => {
            return Err(if p.is_resource_group() {
                ArmError::conflict("InvalidResourceGroupLocation", format!("Invalid resource group location '{new}'. The Resource group already exists in location '{old_loc}'."))
            } else {
                ArmError::conflict("InvalidResourceLocation", format!("The resource '{name}' already exists in location '{old_loc}' in resource group '{}'. A resource with the same name cannot be created in location '{new}'. Please select a new resource name.", p.resource_group.clone().unwrap_or_default()))
            }
            .with_target("location"));
        }
        (Some(old_loc), None) => body["location"] = J::String(old_loc.clone()),
        _ => {}
    }
    let regions_down = faults.regions_down.clone();
    let ctx = Ctx {
        store,
        now,
        path: p,
        existing: existing.as_ref(),
        settings,
        regions_down: &regions_down,
    };
    let mut checked = (spec.check)(&ctx, &mut body)?;
    // Canonical envelope.
    let stored_name = existing
        .as_ref()
        .and_then(|r| r.body.get("name").cloned())
        .unwrap_or(J::String(name.clone()));
    let canonical_id = existing
        .as_ref()
        .map(|r| r.id.clone())
        .unwrap_or(id.clone());
    if let Some(m) = checked.body.as_object_mut() {
        m.insert("id".into(), J::String(canonical_id.clone()));
        m.insert("name".into(), stored_name);
        m.insert("type".into(), J::String(spec.ty.to_string()));
        m.remove("etag");
        let created = existing
            .as_ref()
            .and_then(|r| r.body.get("systemData").cloned())
            .unwrap_or(json!({"createdAt": super::clock::rfc3339(now), "createdAtSeconds": now}));
        let mut sd = created;
        sd["lastModifiedAt"] = J::String(super::clock::rfc3339(now));
        m.insert("systemData".into(), sd);
    }
    let creating = existing.is_none();
    let secs = checked.secs.unwrap_or(if creating {
        spec.create_secs
    } else {
        spec.update_secs
    }) * settings.duration_factor;
    let parent = parent_of(&canonical_id);
    let (sub, rg) = (
        p.subscription.clone(),
        p.resource_group.clone().unwrap_or_default(),
    );
    let status_code = if creating { 201 } else { 200 };
    let lro = if spec.lro_put == Lro::Sync || secs <= 0.0 {
        Lro::Sync
    } else {
        spec.lro_put
    };
    let fail = fail_rule(faults, &canonical_id, spec.ty);
    if lro == Lro::Sync && fail.is_none() {
        let mut b = checked.body.clone();
        if !p.is_resource_group() {
            types::props(&mut b).insert("provisioningState".into(), json!("Succeeded"));
        } else {
            b["properties"] = json!({"provisioningState": "Succeeded"});
        }
        let tx = store
            .conn
            .unchecked_transaction()
            .map_err(types::internal)?;
        let etag = store
            .put(&canonical_id, spec.ty, &parent, &sub, &rg, &b)
            .map_err(types::internal)?;
        for (eid, ety, eb) in &checked.effects {
            match eb {
                Some(eb) => {
                    store
                        .put(eid, ety, &parent_of(eid), &sub_of(eid), &rg_of(eid), eb)
                        .map_err(types::internal)?;
                }
                None => {
                    store.delete_tree(eid).map_err(types::internal)?;
                }
            }
        }
        tx.commit().map_err(types::internal)?;
        let row = Row {
            id: canonical_id,
            ty: spec.ty.into(),
            body: b,
            etag: etag.clone(),
        };
        let r = json_resp(status_code, &present(store, spec, &row));
        return Ok(if spec.etags {
            with_header(r, "etag", &etag)
        } else {
            r
        });
    }
    // Long-running: store the in-progress body and an operation.
    let mut progress = checked.body.clone();
    types::props(&mut progress).insert(
        "provisioningState".into(),
        json!(if creating { "Creating" } else { "Updating" }),
    );
    let location = region_of(&checked.body)
        .or_else(|| affected_region(store, p, &J::Null))
        .unwrap_or_default();
    let mut effects = vec![(
        canonical_id.clone(),
        spec.ty.to_string(),
        Some(checked.body.clone()),
    )];
    effects.append(&mut checked.effects);
    let op = Operation {
        id: crate::random::uuid_v4().map_err(types::internal)?,
        resource: canonical_id.clone(),
        kind: if creating {
            "create".into()
        } else {
            "update".into()
        },
        status: "Running".into(),
        start: now,
        finish: now + secs,
        effects,
        error: fail.as_ref().map(|f| {
            (
                f.code.clone(),
                if f.message.is_empty() {
                    "The operation failed (emulator fault).".into()
                } else {
                    f.message.clone()
                },
            )
        }),
        result: checked.data.take().map(|d| json!({"dataChange": d})),
        namespace: p.namespace.clone().unwrap_or_default(),
        location: location.clone(),
        subscription: sub.clone(),
    };
    let tx = store
        .conn
        .unchecked_transaction()
        .map_err(types::internal)?;
    let etag = store
        .put(&canonical_id, spec.ty, &parent, &sub, &rg, &progress)
        .map_err(types::internal)?;
    store.put_op(&op).map_err(types::internal)?;
    tx.commit().map_err(types::internal)?;
    if fail.is_some() {
        consume_fail_rule(shared, &canonical_id, spec.ty);
    }
    let row = Row {
        id: canonical_id,
        ty: spec.ty.into(),
        body: progress,
        etag,
    };
    let shown = present(store, spec, &row);
    let (status_url, result_url) = op_urls(base, &sub, &op.namespace, &location, &op.id, api);
    let ra = retry_after(shared, &op, now);
    Ok(match (lro, patch) {
        (Lro::ProvisioningState, _) => json_resp(status_code, &shown),
        (Lro::Location, _) => with_header(
            with_header(empty(202), "location", &result_url),
            "retry-after",
            &ra,
        ),
        (Lro::AsyncOperation, true) => with_header(
            with_header(
                with_header(empty(202), "location", &result_url),
                "azure-asyncoperation",
                &status_url,
            ),
            "retry-after",
            &ra,
        ),
        (Lro::AsyncOperation, false) => with_header(
            with_header(
                json_resp(status_code, &shown),
                "azure-asyncoperation",
                &status_url,
            ),
            "retry-after",
            &ra,
        ),
        (Lro::Sync, _) => json_resp(status_code, &shown),
    })
}

fn consume_fail_rule(shared: &Arc<Shared>, id: &str, ty: &str) {
    if let Ok(mut f) = shared.faults.lock()
        && let Some(pos) = f.fail_next.iter().position(|r| {
            r.matches.is_empty()
                || id.to_lowercase().contains(&r.matches.to_lowercase())
                || ty.to_lowercase().contains(&r.matches.to_lowercase())
        })
    {
        f.fail_next.remove(pos);
    }
}

#[allow(clippy::too_many_arguments)]
fn delete(
    shared: &Arc<Shared>,
    store: &Store,
    spec: &Spec,
    p: &ArmPath,
    now: f64,
    base: &str,
    api: &str,
    settings: &Settings,
    faults: &Faults,
) -> Result<Resp, ArmError> {
    let Some(row) = store.get(&p.id()).map_err(types::internal)? else {
        return Ok(empty(204));
    };
    if store
        .running_on(&row.id)
        .map_err(types::internal)?
        .is_some()
    {
        return Err(ArmError::conflict(
            "AnotherOperationInProgress",
            "Another operation is in progress on this resource.",
        ));
    }
    let regions_down = faults.regions_down.clone();
    let ctx = Ctx {
        store,
        now,
        path: p,
        existing: Some(&row),
        settings,
        regions_down: &regions_down,
    };
    let mut effects = (spec.check_delete)(&ctx, &row)?;
    // Unlinking a cache keeps what had replicated to the secondary.
    let data = if spec.ty == "Microsoft.Cache/redis/linkedServers" {
        types::str_prop(&row.body, &["linkedRedisCacheId"]).map(|sec| DataChange::CopyFrom {
            source: p.parent_id().unwrap_or_default(),
            target: sec.to_string(),
            cutoff: now - settings.replication_lag_secs,
        })
    } else {
        None
    };
    let secs = spec.delete_secs * settings.duration_factor;
    if spec.lro_delete == Lro::Sync || secs <= 0.0 {
        let tx = store
            .conn
            .unchecked_transaction()
            .map_err(types::internal)?;
        store.delete_tree(&row.id).map_err(types::internal)?;
        for (eid, ety, eb) in &effects {
            if let Some(eb) = eb {
                store
                    .put(eid, ety, &parent_of(eid), &sub_of(eid), &rg_of(eid), eb)
                    .map_err(types::internal)?;
            }
        }
        if let Some(d) = &data {
            apply_data(store, d, settings.replication_lag_secs);
        }
        tx.commit().map_err(types::internal)?;
        return Ok(empty(200));
    }
    let mut progress = row.body.clone();
    if !p.is_resource_group() {
        types::props(&mut progress).insert("provisioningState".into(), json!("Deleting"));
    }
    // A cache link is removed on the secondary's side (it can be forced
    // there while the primary's region is down).
    let location = if spec.ty == "Microsoft.Cache/redis/linkedServers" {
        types::str_prop(&row.body, &["linkedRedisCacheLocation"])
            .map(|s| s.to_lowercase())
            .unwrap_or_default()
    } else {
        region_of(&row.body)
            .or_else(|| affected_region(store, p, &J::Null))
            .unwrap_or_default()
    };
    let mut all = vec![(row.id.clone(), spec.ty.to_string(), None)];
    all.append(&mut effects);
    let fail = fail_rule(faults, &row.id, spec.ty);
    let op = Operation {
        id: crate::random::uuid_v4().map_err(types::internal)?,
        resource: row.id.clone(),
        kind: "delete".into(),
        status: "Running".into(),
        start: now,
        finish: now + secs,
        effects: all,
        error: fail.as_ref().map(|f| {
            (
                f.code.clone(),
                if f.message.is_empty() {
                    "The delete failed (emulator fault).".into()
                } else {
                    f.message.clone()
                },
            )
        }),
        result: data.map(|d| json!({"dataChange": d})),
        namespace: p.namespace.clone().unwrap_or_default(),
        location: location.clone(),
        subscription: p.subscription.clone(),
    };
    let tx = store
        .conn
        .unchecked_transaction()
        .map_err(types::internal)?;
    store
        .put(
            &row.id,
            spec.ty,
            &parent_of(&row.id),
            &p.subscription,
            &rg_of(&row.id),
            &progress,
        )
        .map_err(types::internal)?;
    store.put_op(&op).map_err(types::internal)?;
    tx.commit().map_err(types::internal)?;
    if fail.is_some() {
        consume_fail_rule(shared, &row.id, spec.ty);
    }
    let (status_url, result_url) =
        op_urls(base, &p.subscription, &op.namespace, &location, &op.id, api);
    let ra = retry_after(shared, &op, now);
    let mut r = with_header(
        with_header(empty(202), "location", &result_url),
        "retry-after",
        &ra,
    );
    if spec.lro_delete == Lro::AsyncOperation {
        r = with_header(r, "azure-asyncoperation", &status_url);
    }
    Ok(r)
}

#[allow(clippy::too_many_arguments)]
fn action_post(
    shared: &Arc<Shared>,
    store: &Store,
    target: &ArmPath,
    action: &str,
    request: &J,
    query: &BTreeMap<String, String>,
    now: f64,
    base: &str,
    api: &str,
    settings: &Settings,
) -> Result<Resp, ArmError> {
    let spec = types::lookup(&target.type_name())
        .ok_or_else(|| ArmError::bad_request("InvalidResourceType", "Unknown resource type."))?;
    let Some(act) = spec.action else {
        return Err(ArmError::bad_request(
            "InvalidAction",
            format!("'{}' has no actions.", spec.ty),
        ));
    };
    let Some(row) = store.get(&target.id()).map_err(types::internal)? else {
        return Err(ArmError::not_found(
            "ResourceNotFound",
            format!(
                "The Resource '{}/{}' was not found.",
                spec.ty,
                target.name()
            ),
        ));
    };
    if store
        .running_on(&row.id)
        .map_err(types::internal)?
        .is_some()
    {
        return Err(ArmError::conflict(
            "AnotherOperationInProgress",
            "Another operation is in progress on this resource.",
        ));
    }
    let regions_down = shared
        .faults
        .lock()
        .map(|f| f.regions_down.clone())
        .unwrap_or_default();
    let ctx = Ctx {
        store,
        now,
        path: target,
        existing: Some(&row),
        settings,
        regions_down: &regions_down,
    };
    let outcome = act(&ctx, &row, action, request, query)?;
    let location = region_of(&row.body).unwrap_or_default();
    let op = Operation {
        id: crate::random::uuid_v4().map_err(types::internal)?,
        resource: row.id.clone(),
        kind: action.to_string(),
        status: "Running".into(),
        start: now,
        finish: now + outcome.secs * settings.duration_factor,
        effects: outcome.effects,
        error: None,
        result: outcome
            .data
            .map(|d| json!({"dataChange": d}))
            .or(outcome.result),
        namespace: target.namespace.clone().unwrap_or_default(),
        location: String::new(),
        subscription: target.subscription.clone(),
    };
    let _ = location;
    store.put_op(&op).map_err(types::internal)?;
    let (status_url, result_url) = op_urls(
        base,
        &target.subscription,
        &op.namespace,
        &op.location,
        &op.id,
        api,
    );
    let ra = retry_after(shared, &op, now);
    let mut r = with_header(
        with_header(empty(202), "location", &result_url),
        "retry-after",
        &ra,
    );
    if spec.lro_put == Lro::AsyncOperation {
        r = with_header(r, "azure-asyncoperation", &status_url);
    }
    Ok(r)
}

fn op_response(
    shared: &Arc<Shared>,
    store: &Store,
    op: &Operation,
    status_style: bool,
    now: f64,
) -> Resp {
    let status = match op.status.as_str() {
        "Running" => "InProgress",
        s => s,
    };
    if status_style {
        let mut doc = json!({
            "id": op.id, "name": op.id, "status": status,
            "startTime": super::clock::rfc3339(op.start),
            "percentComplete": if op.status == "Running" { ((now - op.start) / (op.finish - op.start).max(1e-9) * 100.0).clamp(0.0, 99.0).floor() } else { 100.0 },
        });
        if op.status != "Running" {
            doc["endTime"] = J::String(super::clock::rfc3339(op.finish));
        }
        if let Some((code, message)) = &op.error {
            doc["error"] = json!({"code": code, "message": message});
        }
        if let Some(r) = &op.result
            && let Some(lost) = r.get("lostWrites")
        {
            doc["properties"] = json!({"lostWrites": lost});
        }
        let resp = json_resp(200, &doc);
        return if op.status == "Running" {
            with_header(resp, "retry-after", &retry_after(shared, op, now))
        } else {
            resp
        };
    }
    // Location-style result.
    match op.status.as_str() {
        "Running" => {
            let base = shared
                .base_url
                .lock()
                .map(|b| b.clone())
                .unwrap_or_default();
            let (_, url) = op_urls(
                &base,
                &op.subscription,
                &op.namespace,
                &op.location,
                &op.id,
                "2021-04-01",
            );
            with_header(
                with_header(empty(202), "location", &url),
                "retry-after",
                &retry_after(shared, op, now),
            )
        }
        "Failed" => {
            let (code, message) = op.error.clone().unwrap_or_default();
            json_resp(
                if code == "Conflict" {
                    409
                } else if code.starts_with("Invalid") || code == "BadRequest" {
                    400
                } else {
                    500
                },
                &json!({"error": {"code": code, "message": message}}),
            )
        }
        _ => match op.kind.as_str() {
            "delete" => empty(204),
            "create" | "update" => match store.get(&op.resource) {
                Ok(Some(row)) => {
                    let spec = types::lookup(&row.ty);
                    match spec {
                        Some(spec) => json_resp(200, &present(store, &spec, &row)),
                        None => json_resp(200, &row.body),
                    }
                }
                _ => empty(204),
            },
            _ => match &op.result {
                Some(r) => json_resp(200, r),
                None => empty(204),
            },
        },
    }
}

fn resource_graph(shared: &Arc<Shared>, body: &Bytes, client: &str) -> Resp {
    let req: J = serde_json::from_slice(body).unwrap_or(J::Null);
    let Some(query) = req.get("query").and_then(J::as_str) else {
        return err_resp(&ArmError::bad_request(
            "BadRequest",
            "The request needs a query.",
        ));
    };
    // As Azure does, only subscriptions the caller may read are searched.
    let subs: Vec<String> = req
        .get("subscriptions")
        .and_then(J::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .filter(|s| shared.creds.authorised(client, s))
                .collect()
        })
        .unwrap_or_default();
    let store = match shared.store.lock() {
        Ok(s) => s,
        Err(_) => return err_resp(&types::internal("store lock poisoned")),
    };
    let now = shared.clock.lock().map(|c| c.now()).unwrap_or(0.0);
    advance(shared, &store, now);
    let rows: Vec<J> = store
        .all_in(&subs)
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let b = match types::lookup(&r.ty) {
                Some(spec) => present(&store, &spec, r),
                None => r.body.clone(),
            };
            super::graph::row(&r.id, &b)
        })
        .collect();
    let result = match super::graph::run(query, rows) {
        Ok(r) => r,
        Err(e) => return err_resp(&e),
    };
    let opts = req.get("options").cloned().unwrap_or(J::Null);
    let top = opts
        .get("$top")
        .and_then(J::as_u64)
        .unwrap_or(1000)
        .clamp(1, 1000) as usize;
    let skip = opts
        .get("$skipToken")
        .and_then(J::as_str)
        .and_then(|t| t.parse::<usize>().ok())
        .or_else(|| opts.get("$skip").and_then(J::as_u64).map(|s| s as usize))
        .unwrap_or(0);
    let total = result.len();
    let page: Vec<J> = result.into_iter().skip(skip).take(top).collect();
    let mut doc = json!({"totalRecords": total, "count": page.len(), "data": page, "resultTruncated": "false", "facets": []});
    if skip.saturating_add(top) < total {
        doc["$skipToken"] = J::String((skip + top).to_string());
    }
    json_resp(200, &doc)
}

pub(crate) async fn admin(
    shared: &Arc<Shared>,
    method: &Method,
    parts: &[&str],
    query: &BTreeMap<String, String>,
    body: &Bytes,
) -> Resp {
    let req: J = serde_json::from_slice(body).unwrap_or(J::Null);
    let bad = |m: &str| json_resp(400, &json!({"error": {"code": "BadRequest", "message": m}}));
    match (method.clone(), parts) {
        (Method::GET, ["health"]) => {
            let now = shared.clock.lock().map(|c| c.now()).unwrap_or(0.0);
            json_resp(
                200,
                &json!({"ok": true, "url": shared.base_url.lock().map(|b| b.clone()).unwrap_or_default(), "time": super::clock::rfc3339(now)}),
            )
        }
        (Method::GET, ["time"]) => {
            let c = shared.clock.lock().map(|c| c.clone());
            match c {
                Ok(c) => json_resp(
                    200,
                    &json!({"now": c.now(), "iso": super::clock::rfc3339(c.now()), "scale": c.scale}),
                ),
                Err(_) => bad("clock unavailable"),
            }
        }
        (Method::GET, ["settings"]) => json_resp(
            200,
            &serde_json::to_value(
                shared
                    .settings
                    .lock()
                    .map(|s| s.clone())
                    .unwrap_or_default(),
            )
            .unwrap_or(J::Null),
        ),
        (Method::PUT | Method::PATCH, ["settings"]) => {
            let Some(next) = patched(&shared.settings, &req) else {
                return bad("invalid settings");
            };
            if let Err(m) = check_settings(&next) {
                return bad(&m);
            }
            if let Ok(mut b) = shared.buckets.lock() {
                b.limits = next.throttle;
                b.reset();
            }
            if let Ok(mut c) = shared.clock.lock()
                && (c.scale - next.time_scale).abs() > f64::EPSILON
            {
                *c = super::clock::Clock::new(next.time_scale, Some(c.now()));
            }
            if let Ok(s) = shared.store.lock() {
                let _ = s.set_meta(
                    "settings",
                    &serde_json::to_string(&next).unwrap_or_default(),
                );
            }
            if let Ok(mut s) = shared.settings.lock() {
                *s = next.clone();
            }
            json_resp(200, &serde_json::to_value(next).unwrap_or(J::Null))
        }
        (Method::GET, ["faults"]) => json_resp(
            200,
            &serde_json::to_value(shared.faults.lock().map(|f| f.clone()).unwrap_or_default())
                .unwrap_or(J::Null),
        ),
        (Method::PUT | Method::PATCH, ["faults"]) => {
            let Some(next) = patched(&shared.faults, &req) else {
                return bad("invalid faults");
            };
            if let Err(m) = check_faults(&next) {
                return bad(&m);
            }
            if let Ok(mut r) = shared.rng.lock() {
                *r = next.transient_seed.wrapping_mul(0x9e3779b97f4a7c15) | 1;
            }
            if let Ok(mut f) = shared.faults.lock() {
                *f = next.clone();
            }
            json_resp(200, &serde_json::to_value(next).unwrap_or(J::Null))
        }
        (Method::DELETE, ["faults"]) => {
            if let Ok(mut f) = shared.faults.lock() {
                *f = Faults {
                    region_mode: "error".into(),
                    region_timeout_secs: 3.0,
                    ..Faults::default()
                };
            }
            empty(204)
        }
        (Method::POST, ["faults", "region-down"]) | (Method::POST, ["faults", "region-up"]) => {
            let Some(region) = req
                .get("region")
                .and_then(J::as_str)
                .map(|r| r.to_lowercase())
            else {
                return bad("region is required");
            };
            if let Ok(mut f) = shared.faults.lock() {
                f.regions_down.retain(|r| !r.eq_ignore_ascii_case(&region));
                if parts[1] == "region-down" {
                    f.regions_down.push(region);
                }
            }
            json_resp(
                200,
                &serde_json::to_value(shared.faults.lock().map(|f| f.clone()).unwrap_or_default())
                    .unwrap_or(J::Null),
            )
        }
        (Method::GET, ["requests"]) => json_resp(
            200,
            &serde_json::to_value(shared.log.lock().map(|l| l.clone()).unwrap_or_default())
                .unwrap_or(J::Null),
        ),
        // Drains the log and returns what it held, under one lock, so a
        // request logged between a read and a clear is never lost.
        (Method::DELETE, ["requests"]) => {
            let drained = shared
                .log
                .lock()
                .map(|mut l| std::mem::take(&mut *l))
                .unwrap_or_default();
            json_resp(200, &serde_json::to_value(drained).unwrap_or(J::Null))
        }
        (Method::POST, ["dataplane", "write"]) => dataplane_write(shared, &req),
        (Method::GET, ["dataplane"]) => dataplane_read(
            shared,
            query
                .get("resource")
                .map(String::as_str)
                .unwrap_or_default(),
        ),
        _ => json_resp(
            404,
            &json!({"error": {"code": "NotFound", "message": format!("No admin route {method} /admin/{}.", parts.join("/"))}}),
        ),
    }
}

/// Settings within what the emulator can honour (a huge or negative time
/// scale, or a retry wait of centuries, would break its clock and sleeps).
fn check_settings(s: &Settings) -> Result<(), String> {
    let within = |name: &str, v: f64, min: f64, max: f64| {
        if v.is_finite() && v >= min && v <= max {
            Ok(())
        } else {
            Err(format!("{name} must be between {min} and {max}, not {v}"))
        }
    };
    within("time_scale", s.time_scale, 1e-3, 1e9)?;
    within("duration_factor", s.duration_factor, 0.0, 1e12)?;
    within("replication_lag_secs", s.replication_lag_secs, 0.0, 1e9)?;
    within("page_size", s.page_size as f64, 1.0, 10_000.0)?;
    within("max_retry_after", s.max_retry_after as f64, 0.0, 3600.0)?;
    let t = &s.throttle;
    for (name, v) in [
        ("read_burst", t.read_burst),
        ("read_rate", t.read_rate),
        ("write_burst", t.write_burst),
        ("write_rate", t.write_rate),
        ("delete_burst", t.delete_burst),
        ("delete_rate", t.delete_rate),
    ] {
        within(&format!("throttle.{name}"), v, 0.0, 1e9)?;
    }
    Ok(())
}

fn check_faults(f: &Faults) -> Result<(), String> {
    if !(f.region_timeout_secs.is_finite() && (0.0..=3600.0).contains(&f.region_timeout_secs)) {
        return Err(format!(
            "region_timeout_secs must be between 0 and 3600, not {}",
            f.region_timeout_secs
        ));
    }
    if !(f.transient_rate.is_finite() && (0.0..=1.0).contains(&f.transient_rate)) {
        return Err(format!(
            "transient_rate must be between 0 and 1, not {}",
            f.transient_rate
        ));
    }
    if !f.region_mode.is_empty() && f.region_mode != "error" && f.region_mode != "timeout" {
        return Err(format!(
            "region_mode must be \"error\" or \"timeout\", not {:?}",
            types::quoted(&J::String(f.region_mode.clone()))
        ));
    }
    Ok(())
}

/// What a data-plane resource replicates from, if it is a replica now.
fn replica_source(store: &Store, row: &Row) -> Option<String> {
    if row
        .ty
        .eq_ignore_ascii_case("Microsoft.DBforPostgreSQL/flexibleServers")
    {
        // Restored servers keep sourceServerResourceId but are not replicas.
        let replica = types::str_prop(&row.body, &["replicationRole"])
            .is_some_and(|r| r.to_lowercase().contains("replica"));
        return if replica {
            types::str_prop(&row.body, &["sourceServerResourceId"]).map(str::to_string)
        } else {
            None
        };
    }
    if row.ty.eq_ignore_ascii_case("Microsoft.Cache/redis") {
        let sub = sub_of(&row.id);
        for l in store
            .of_type("Microsoft.Cache/redis/linkedServers", &sub)
            .unwrap_or_default()
        {
            if types::str_prop(&l.body, &["linkedRedisCacheId"])
                .is_some_and(|t| t.eq_ignore_ascii_case(&row.id))
            {
                return l
                    .id
                    .rsplit_once("/linkedServers/")
                    .map(|(p, _)| p.to_string());
            }
        }
    }
    None
}

fn dataplane_write(shared: &Arc<Shared>, req: &J) -> Resp {
    let (Some(resource), Some(value)) = (req.get("resource").and_then(J::as_str), req.get("value"))
    else {
        return json_resp(
            400,
            &json!({"error": {"code": "BadRequest", "message": "resource and value are required"}}),
        );
    };
    let Ok(store) = shared.store.lock() else {
        return err_resp(&types::internal("store lock poisoned"));
    };
    let now = shared.clock.lock().map(|c| c.now()).unwrap_or(0.0);
    advance(shared, &store, now);
    let Ok(Some(row)) = store.get(resource) else {
        return err_resp(&ArmError::not_found(
            "ResourceNotFound",
            "No such resource.",
        ));
    };
    let down = shared
        .faults
        .lock()
        .map(|f| f.regions_down.clone())
        .unwrap_or_default();
    if region_of(&row.body).is_some_and(|r| down.iter().any(|d| d.eq_ignore_ascii_case(&r))) {
        return err_resp(&ArmError::new(
            503,
            "ServiceUnavailable",
            "The resource's region is unavailable.",
        ));
    }
    if replica_source(&store, &row).is_some() {
        return err_resp(&ArmError::conflict(
            "ReadOnlyReplica",
            "This is a read-only replica: write to its primary.",
        ));
    }
    let v = if let J::String(s) = value {
        s.clone()
    } else {
        value.to_string()
    };
    match store.add_write(&row.id, &v, now) {
        Ok(seq) => json_resp(200, &json!({"resource": row.id, "seq": seq, "at": now})),
        Err(e) => err_resp(&types::internal(e)),
    }
}

fn dataplane_read(shared: &Arc<Shared>, resource: &str) -> Resp {
    let Ok(store) = shared.store.lock() else {
        return err_resp(&types::internal("store lock poisoned"));
    };
    let now = shared.clock.lock().map(|c| c.now()).unwrap_or(0.0);
    advance(shared, &store, now);
    let lag = shared
        .settings
        .lock()
        .map(|s| s.replication_lag_secs)
        .unwrap_or(10.0);
    let Ok(Some(row)) = store.get(resource) else {
        return err_resp(&ArmError::not_found(
            "ResourceNotFound",
            "No such resource.",
        ));
    };
    let mut writes: Vec<(i64, String, f64)> = store.writes(&row.id).unwrap_or_default();
    let source = replica_source(&store, &row);
    if let Some(src) = &source {
        writes.extend(
            store
                .writes(src)
                .unwrap_or_default()
                .into_iter()
                .filter(|(_, _, at)| *at <= now - lag),
        );
        writes.sort_by(|a, b| a.2.total_cmp(&b.2));
    }
    json_resp(
        200,
        &json!({
            "resource": row.id,
            "role": if source.is_some() { "replica" } else { "primary" },
            "replicatesFrom": source,
            "lagSeconds": lag,
            "values": writes.iter().map(|(_, v, _)| v.clone()).collect::<Vec<_>>(),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::{decode, query_map};

    #[test]
    fn percent_decoding_is_byte_wise_and_never_panics() {
        assert_eq!(decode("%a\u{e9}"), "%a\u{e9}");
        assert_eq!(decode("%41%zz%4"), "A%zz%4");
        assert_eq!(decode("a+b%2Bc"), "a b+c");
        assert_eq!(decode("%C3%A9"), "\u{e9}");
        assert_eq!(decode("%FF"), "\u{fffd}");
        assert_eq!(decode("%"), "%");
        assert_eq!(
            query_map(Some("API-Version=2024-01-01&x=%e\u{1F600}"))
                .get("api-version")
                .map(String::as_str),
            Some("2024-01-01")
        );
    }
}

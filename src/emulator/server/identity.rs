//! Identity: the cloud metadata document, the token endpoint (client
//! credentials, federated tokens), bearer-token checks, and which
//! subscriptions a client may see and act in (RBAC).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::Method;
use serde_json::{Value as J, json};

use super::http::{Resp, err_resp, json_resp, query_map};
use crate::emulator::Credentials;
use crate::emulator::arm::ArmError;

/// The access tokens issued: expiry, the client each was issued to, and
/// its audience (Resource Manager's, or a data plane's such as Key Vault's).
#[derive(Default)]
pub(crate) struct Tokens(HashMap<String, (Instant, String, String)>);

impl Tokens {
    fn issue(&mut self, token: String, client: String, audience: String) {
        self.0.insert(
            token,
            (Instant::now() + Duration::from_secs(3600), client, audience),
        );
    }

    /// The client a live token was issued to.
    fn client(&self, token: &str) -> Option<String> {
        self.0
            .get(token)
            .filter(|(exp, _, _)| *exp > Instant::now())
            .map(|(_, c, _)| c.clone())
    }

    /// The audience of a live token.
    pub(super) fn audience(&self, headers: &hyper::HeaderMap) -> Option<String> {
        let token = bearer(headers)?;
        self.0
            .get(token)
            .filter(|(exp, _, _)| *exp > Instant::now())
            .map(|(_, _, a)| a.clone())
    }
}

fn bearer(headers: &hyper::HeaderMap) -> Option<&str> {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

/// The audience a token for `scope` carries: the resource it names.
fn audience(scope: &str) -> String {
    let aud = scope
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_end_matches(".default")
        .trim_end_matches('/');
    if aud.contains("management") {
        format!("{aud}/")
    } else {
        aud.to_string()
    }
}

/// The client a request's bearer token was issued to, or the 401 error
/// with its `WWW-Authenticate` challenge.
pub(super) fn authenticate(
    tokens: &Tokens,
    headers: &hyper::HeaderMap,
) -> Result<String, (ArmError, &'static str)> {
    let Some(token) = bearer(headers) else {
        return Err((
            ArmError::new(
                401,
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
            ),
            "Bearer authorization_uri=\"/\", error=\"invalid_token\"",
        ));
    };
    tokens.client(token).ok_or((
        ArmError::new(
            401,
            "InvalidAuthenticationToken",
            "The access token is invalid or has expired.",
        ),
        "Bearer error=\"invalid_token\"",
    ))
}

/// Subscriptions - Get (`sub` given) and Subscriptions - List: those the
/// client is authorised on.
pub(super) fn subscriptions(c: &Credentials, sub: &str, client: &str) -> Resp {
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
pub(super) fn subscription_access(
    creds: &Credentials,
    method: &Method,
    path: &str,
    client: &str,
) -> Option<Resp> {
    let rest = path.strip_prefix("/subscriptions/")?;
    let sub = rest.split('/').next().unwrap_or_default();
    if !creds.serves(sub) {
        return Some(err_resp(&ArmError::not_found(
            "SubscriptionNotFound",
            format!("The subscription '{sub}' could not be found."),
        )));
    }
    if creds.authorised(client, sub) {
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

pub(super) fn metadata(base: &str) -> Resp {
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

pub(super) fn token(creds: &Credentials, tokens: &mut Tokens, tenant: &str, body: &Bytes) -> Resp {
    let form = query_map(Some(&String::from_utf8_lossy(body)));
    let fail =
        |code: &str, desc: &str| json_resp(401, &json!({"error": code, "error_description": desc}));
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return json_resp(
            400,
            &json!({"error": "unsupported_grant_type", "error_description": "Only the client_credentials grant is supported."}),
        );
    }
    let tenants = std::iter::once(creds.tenant_id.as_str()).chain(
        creds
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
    let home = match creds.client(&client_id) {
        Some((t, secret))
            if t.eq_ignore_ascii_case(tenant) && proof.map(String::as_str) == Some(secret) =>
        {
            t.to_string()
        }
        _ => return fail("invalid_client", "Invalid client secret or client id."),
    };
    let scope = form.get("scope").map(String::as_str).unwrap_or_default();
    let t = match jwt(&home, &client_id, scope) {
        Ok(t) => t,
        Err(e) => {
            return json_resp(
                500,
                &json!({"error": "temporarily_unavailable", "error_description": e.to_string()}),
            );
        }
    };
    tokens.issue(t.clone(), client_id, audience(scope));
    json_resp(
        200,
        &json!({"access_token": t, "token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599}),
    )
}

/// An access token shaped as Entra ID's (an unsigned JWT): services that
/// only decode tokens (Azurite's basic OAuth) accept it, and the emulator
/// itself knows it by value.
pub(super) fn jwt(
    tenant: &str,
    client: &str,
    scope: &str,
) -> Result<String, crate::random::RandomError> {
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
    let aud = audience(scope);
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

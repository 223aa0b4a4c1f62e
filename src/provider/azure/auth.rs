//! Access tokens for `https://management.azure.com/.default`, the ways
//! azurerm users expect to authenticate: client secret, workload identity
//! (federated token file, the CI/OIDC path), Azure CLI, managed identity;
//! and the emulator's own client credentials. Tokens are cached until
//! shortly before they expire and never appear in errors or logs.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::client::AzureError;
use crate::provider::BoxFut;

pub const SCOPE: &str = "https://management.azure.com/.default";

pub trait TokenSource: Send + Sync {
    fn token<'a>(&'a self, http: &'a reqwest::Client) -> BoxFut<'a, Result<String, AzureError>>;
    /// How the credential was chosen, for the start-of-run banner.
    fn describe(&self) -> String;
}

/// A cached token and when to refresh it.
#[derive(Default)]
struct Cache(Mutex<Option<(String, Instant)>>);

impl Cache {
    fn get(&self) -> Option<String> {
        self.0.lock().ok()?.as_ref().filter(|(_, exp)| *exp > Instant::now()).map(|(t, _)| t.clone())
    }
    fn put(&self, t: &str, expires_in: u64) {
        if let Ok(mut c) = self.0.lock() {
            // Refresh five minutes early (or at half-life for short tokens).
            let ttl = Duration::from_secs(expires_in.saturating_sub(300).max(expires_in / 2));
            *c = Some((t.to_string(), Instant::now() + ttl));
        }
    }
}

/// The OAuth 2.0 client-credentials grant against an Entra-style endpoint:
/// with a secret, or with a federated assertion read from a file.
pub struct ClientCredentials {
    pub authority: String,
    pub tenant: String,
    pub client_id: String,
    pub secret: Option<String>,
    /// Workload identity: a file holding the federated token.
    pub assertion_file: Option<std::path::PathBuf>,
    cache: Cache,
}

impl ClientCredentials {
    pub fn secret(authority: &str, tenant: &str, client_id: &str, secret: &str) -> ClientCredentials {
        ClientCredentials { authority: authority.trim_end_matches('/').to_string(), tenant: tenant.into(), client_id: client_id.into(), secret: Some(secret.into()), assertion_file: None, cache: Cache::default() }
    }
    pub fn workload_identity(authority: &str, tenant: &str, client_id: &str, file: std::path::PathBuf) -> ClientCredentials {
        ClientCredentials { authority: authority.trim_end_matches('/').to_string(), tenant: tenant.into(), client_id: client_id.into(), secret: None, assertion_file: Some(file), cache: Cache::default() }
    }
}

impl TokenSource for ClientCredentials {
    fn token<'a>(&'a self, http: &'a reqwest::Client) -> BoxFut<'a, Result<String, AzureError>> {
        Box::pin(async move {
            if let Some(t) = self.cache.get() {
                return Ok(t);
            }
            let mut form = vec![("grant_type", "client_credentials".to_string()), ("client_id", self.client_id.clone()), ("scope", SCOPE.to_string())];
            if let Some(s) = &self.secret {
                form.push(("client_secret", s.clone()));
            }
            if let Some(f) = &self.assertion_file {
                let assertion = std::fs::read_to_string(f).map_err(|e| AzureError::Auth(format!("cannot read the federated token file {}: {e}", f.display())))?;
                form.push(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into()));
                form.push(("client_assertion", assertion.trim().to_string()));
            }
            let url = format!("{}/{}/oauth2/v2.0/token", self.authority, self.tenant);
            let resp = http.post(&url).form(&form).send().await.map_err(|e| AzureError::Auth(format!("cannot reach {}: {}", self.authority, e.without_url())))?;
            let status = resp.status();
            let body: serde_json::Value = resp.json().await.unwrap_or_default();
            let Some(token) = body["access_token"].as_str() else {
                return Err(AzureError::Auth(format!(
                    "{} refused the client credentials ({status}): {} {}",
                    self.authority,
                    body["error"].as_str().unwrap_or("error"),
                    body["error_description"].as_str().unwrap_or_default()
                )));
            };
            self.cache.put(token, body["expires_in"].as_u64().unwrap_or(3599));
            Ok(token.to_string())
        })
    }

    fn describe(&self) -> String {
        if self.assertion_file.is_some() { format!("workload identity (client {})", self.client_id) } else { format!("client secret (client {})", self.client_id) }
    }
}

/// `az account get-access-token`, for people already signed in.
#[derive(Default)]
pub struct AzureCli {
    cache: Cache,
}

impl TokenSource for AzureCli {
    fn token<'a>(&'a self, _http: &'a reqwest::Client) -> BoxFut<'a, Result<String, AzureError>> {
        Box::pin(async move {
            if let Some(t) = self.cache.get() {
                return Ok(t);
            }
            let out = tokio::process::Command::new("az")
                .args(["account", "get-access-token", "--resource", "https://management.azure.com/", "--output", "json"])
                .output()
                .await
                .map_err(|e| AzureError::Auth(format!("cannot run the Azure CLI (az): {e}")))?;
            if !out.status.success() {
                return Err(AzureError::Auth(format!("az account get-access-token failed: {}", String::from_utf8_lossy(&out.stderr).trim())));
            }
            let body: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| AzureError::Auth(format!("unexpected output from az: {e}")))?;
            let token = body["accessToken"].as_str().ok_or_else(|| AzureError::Auth("az returned no accessToken".into()))?;
            let expires = body["expires_on"].as_u64().map(|e| e.saturating_sub(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0))).unwrap_or(1800);
            self.cache.put(token, expires);
            Ok(token.to_string())
        })
    }

    fn describe(&self) -> String {
        "Azure CLI".into()
    }
}

/// The instance metadata service of an Azure VM or container.
pub struct ManagedIdentity {
    pub client_id: Option<String>,
    /// IMDS endpoint; overridable for App Service style identity endpoints.
    pub endpoint: String,
    cache: Cache,
}

impl ManagedIdentity {
    pub fn new(client_id: Option<String>, endpoint: Option<String>) -> ManagedIdentity {
        ManagedIdentity { client_id, endpoint: endpoint.unwrap_or_else(|| "http://169.254.169.254/metadata/identity/oauth2/token".into()), cache: Cache::default() }
    }
}

impl TokenSource for ManagedIdentity {
    fn token<'a>(&'a self, http: &'a reqwest::Client) -> BoxFut<'a, Result<String, AzureError>> {
        Box::pin(async move {
            if let Some(t) = self.cache.get() {
                return Ok(t);
            }
            let mut url = format!("{}?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F", self.endpoint);
            if let Some(c) = &self.client_id {
                url.push_str(&format!("&client_id={c}"));
            }
            let resp = http.get(&url).header("Metadata", "true").send().await.map_err(|e| AzureError::Auth(format!("managed identity endpoint unreachable: {}", e.without_url())))?;
            let body: serde_json::Value = resp.json().await.unwrap_or_default();
            let token = body["access_token"].as_str().ok_or_else(|| AzureError::Auth("the managed identity endpoint returned no token".into()))?;
            let expires = body["expires_in"].as_str().and_then(|s| s.parse().ok()).or(body["expires_in"].as_u64()).unwrap_or(3599);
            self.cache.put(token, expires);
            Ok(token.to_string())
        })
    }

    fn describe(&self) -> String {
        "managed identity".into()
    }
}

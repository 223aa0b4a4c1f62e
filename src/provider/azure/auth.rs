//! Access tokens for `https://management.azure.com/.default` through
//! azure_identity 1.x, the ways azurerm users expect to authenticate:
//! client secret, workload identity (federated token file, the CI/OIDC
//! path), Azure CLI, managed identity. The emulator's own credential is a
//! client secret against its token endpoint, through the same code.
//!
//! azure_identity speaks HTTP through azure_core's transport trait; we
//! hand it our reqwest client (see `transport.rs`), so there is one HTTP
//! stack and the emulator's CA is trusted the same way everywhere. The
//! credentials cache tokens themselves. Tokens never appear in errors or
//! logs: only azure_identity's error text (which carries none) is shown.

use std::sync::Arc;

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::{ClientOptions, Transport};
use azure_identity::{
    AzureCliCredential, ClientAssertionCredentialOptions, ClientSecretCredential,
    ClientSecretCredentialOptions, ManagedIdentityCredential, ManagedIdentityCredentialOptions,
    UserAssignedId, WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};

use super::error::AzureError;
use super::transport::ReqwestTransport;
use crate::provider::BoxFut;

pub const SCOPE: &str = "https://management.azure.com/.default";

pub trait TokenSource: Send + Sync {
    fn token<'a>(&'a self, http: &'a reqwest::Client) -> BoxFut<'a, Result<String, AzureError>>;
    /// A token for another resource (a data plane such as Key Vault's),
    /// from the same credential.
    fn token_for<'a>(
        &'a self,
        _http: &'a reqwest::Client,
        scope: &'a str,
    ) -> BoxFut<'a, Result<String, AzureError>> {
        Box::pin(async move {
            Err(AzureError::Auth(format!(
                "this credential cannot get tokens for {scope}"
            )))
        })
    }
    /// How the credential was chosen, for the start-of-run banner.
    fn describe(&self) -> String;
}

/// How to authenticate, as provider settings and environment chose it.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    ClientSecret {
        tenant: String,
        client_id: String,
        secret: String,
    },
    /// Workload identity federation: a token file (Kubernetes, GitHub OIDC).
    WorkloadIdentity {
        tenant: String,
        client_id: String,
        token_file: std::path::PathBuf,
    },
    AzureCli {
        tenant: Option<String>,
    },
    ManagedIdentity {
        client_id: Option<String>,
    },
}

/// Tokens for Azure Storage's data plane (the azurerm state backend).
pub const STORAGE_SCOPE: &str = "https://storage.azure.com/.default";

/// One azure_identity credential behind the provider's token interface.
pub struct Identity {
    credential: Arc<dyn TokenCredential>,
    how: String,
    scope: &'static str,
}

impl Identity {
    /// `authority`: the Entra ID host (or the emulator's URL); `http`: the
    /// client every token request goes through. Tokens are for Resource
    /// Manager.
    pub fn new(
        method: &Method,
        authority: &str,
        http: reqwest::Client,
    ) -> Result<Identity, AzureError> {
        Identity::for_scope(method, authority, http, SCOPE)
    }

    /// The same, for another resource's scope.
    pub fn for_scope(
        method: &Method,
        authority: &str,
        http: reqwest::Client,
        scope: &'static str,
    ) -> Result<Identity, AzureError> {
        let client_options = || {
            let mut custom = CustomConfiguration::default();
            custom.authority_host = authority.trim_end_matches('/').to_string();
            ClientOptions {
                transport: Some(Transport::new(Arc::new(ReqwestTransport(http.clone())))),
                cloud: Some(Arc::new(CloudConfiguration::from(custom))),
                ..ClientOptions::default()
            }
        };
        let fail =
            |e: azure_core::Error| AzureError::Auth(format!("cannot set up the credential: {e}"));
        let (credential, how): (Arc<dyn TokenCredential>, String) = match method {
            Method::ClientSecret {
                tenant,
                client_id,
                secret,
            } => (
                ClientSecretCredential::new(
                    tenant,
                    client_id.clone(),
                    Secret::new(secret.clone()),
                    Some(ClientSecretCredentialOptions {
                        client_options: client_options(),
                    }),
                )
                .map_err(fail)?,
                format!("client secret (client {client_id})"),
            ),
            Method::WorkloadIdentity {
                tenant,
                client_id,
                token_file,
            } => (
                WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                    credential_options: ClientAssertionCredentialOptions {
                        client_options: client_options(),
                    },
                    client_id: Some(client_id.clone()),
                    tenant_id: Some(tenant.clone()),
                    token_file_path: Some(token_file.clone()),
                }))
                .map_err(fail)?,
                format!(
                    "workload identity (client {client_id}, token file {})",
                    token_file.display()
                ),
            ),
            Method::AzureCli { tenant } => {
                let options = azure_identity::AzureCliCredentialOptions {
                    tenant_id: tenant.clone(),
                    ..Default::default()
                };
                (
                    AzureCliCredential::new(Some(options)).map_err(fail)?,
                    "Azure CLI".into(),
                )
            }
            Method::ManagedIdentity { client_id } => {
                let options = ManagedIdentityCredentialOptions {
                    user_assigned_id: client_id.clone().map(UserAssignedId::ClientId),
                    client_options: client_options(),
                };
                (
                    ManagedIdentityCredential::new(Some(options)).map_err(fail)?,
                    match client_id {
                        Some(c) => format!("managed identity (client {c})"),
                        None => "managed identity".into(),
                    },
                )
            }
        };
        Ok(Identity {
            credential,
            how,
            scope,
        })
    }
}

impl TokenSource for Identity {
    fn token<'a>(&'a self, http: &'a reqwest::Client) -> BoxFut<'a, Result<String, AzureError>> {
        self.token_for(http, self.scope)
    }

    fn token_for<'a>(
        &'a self,
        _http: &'a reqwest::Client,
        scope: &'a str,
    ) -> BoxFut<'a, Result<String, AzureError>> {
        Box::pin(async move {
            match self.credential.get_token(&[scope], None).await {
                Ok(t) => Ok(t.token.secret().to_string()),
                Err(e) => Err(AzureError::Auth(format!(
                    "{} could not get a token: {}",
                    self.how,
                    chain(&e)
                ))),
            }
        })
    }

    fn describe(&self) -> String {
        format!("{} via azure_identity", self.how)
    }
}

/// The emulator's own credential over plain HTTP (`emulator serve
/// --insecure-http`, for debugging): azure_identity rightly refuses an
/// authority that is not HTTPS, so this asks the emulator's token endpoint
/// directly. Real clouds and the emulator over TLS use [`Identity`].
pub struct EmulatorSecret {
    url: String,
    tenant: String,
    client_id: String,
    secret: String,
    /// Tokens by scope, until they are near expiry.
    cached: std::sync::Mutex<std::collections::HashMap<String, (String, std::time::Instant)>>,
}

impl EmulatorSecret {
    pub fn new(url: &str, tenant: &str, client_id: &str, secret: &str) -> EmulatorSecret {
        EmulatorSecret {
            url: url.trim_end_matches('/').into(),
            tenant: tenant.into(),
            client_id: client_id.into(),
            secret: secret.into(),
            cached: Default::default(),
        }
    }
}

impl TokenSource for EmulatorSecret {
    fn token<'a>(&'a self, http: &'a reqwest::Client) -> BoxFut<'a, Result<String, AzureError>> {
        self.token_for(http, SCOPE)
    }

    fn token_for<'a>(
        &'a self,
        http: &'a reqwest::Client,
        scope: &'a str,
    ) -> BoxFut<'a, Result<String, AzureError>> {
        Box::pin(async move {
            if let Some((t, until)) = self.cached.lock().ok().and_then(|c| c.get(scope).cloned())
                && until > std::time::Instant::now()
            {
                return Ok(t);
            }
            let form = [
                ("grant_type", "client_credentials"),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.secret.as_str()),
                ("scope", scope),
            ];
            let resp = http
                .post(format!("{}/{}/oauth2/v2.0/token", self.url, self.tenant))
                .form(&form)
                .send()
                .await
                .map_err(|e| {
                    AzureError::Auth(format!(
                        "cannot reach the emulator's token endpoint: {}",
                        e.without_url()
                    ))
                })?;
            let body: serde_json::Value = resp.json().await.unwrap_or_default();
            let token = body["access_token"]
                .as_str()
                .ok_or_else(|| {
                    AzureError::Auth(format!(
                        "the emulator refused its credentials: {}",
                        body["error_description"].as_str().unwrap_or("no token")
                    ))
                })?
                .to_string();
            let ttl = body["expires_in"]
                .as_u64()
                .unwrap_or(3599)
                .saturating_sub(300);
            if let Ok(mut c) = self.cached.lock() {
                c.insert(
                    scope.to_string(),
                    (
                        token.clone(),
                        std::time::Instant::now() + std::time::Duration::from_secs(ttl),
                    ),
                );
            }
            Ok(token)
        })
    }

    fn describe(&self) -> String {
        "the emulator's client secret (plain HTTP)".into()
    }
}

/// An error and its causes on one line.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        src = s.source();
    }
    out
}

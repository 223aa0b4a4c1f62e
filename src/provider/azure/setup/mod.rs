//! Choosing the cloud: settings from `provider "azurerm" { ... }` and the
//! environment (azurerm's names), then real Azure with a credential, an
//! emulator by URL, or, with no subscription configured anywhere, the
//! embedded emulator. The provider does not start that emulator itself:
//! it says which ones the configurations want ([`embedded_requests`]) and
//! the caller (the CLI, a test) starts them and hands their [`Endpoint`]s
//! to [`providers`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::provider::ProviderConfigAddr;
use crate::provider::azure::auth::{Identity, Method, TokenSource};
use crate::provider::azure::client::ArmClient;
use crate::provider::azure::common::{AzureProvider, KeyVaultSettings, Principal, key_vault_scope};
use crate::provider::azure::http;

mod embedded;
mod error;
mod settings;

pub use embedded::{
    EmbeddedRequest, EmulatorCredentials, EmulatorPrincipal, Endpoint, Started, embedded_request,
    embedded_requests,
};
use embedded::{
    emulator_credential, emulator_dir, emulator_principal, read_credentials, same_dir, time_scale,
};
pub use error::SetupError;
pub use settings::{Settings, all_settings, check_block, settings, used};

/// (Resource Manager, Entra ID, Key Vault DNS suffix) of the chosen cloud.
pub(crate) async fn endpoints(
    s: &Settings,
    http: &reqwest::Client,
) -> Result<(String, String, String), SetupError> {
    if let Some(host) = &s.metadata_host {
        return cloud_metadata(host, http).await;
    }
    let (arm, login, vault) = match s
        .environment
        .as_deref()
        .unwrap_or("public")
        .to_lowercase()
        .as_str()
    {
        "public" => (
            "https://management.azure.com",
            "https://login.microsoftonline.com",
            "vault.azure.net",
        ),
        "usgovernment" => (
            "https://management.usgovcloudapi.net",
            "https://login.microsoftonline.us",
            "vault.usgovcloudapi.net",
        ),
        "china" => (
            "https://management.chinacloudapi.cn",
            "https://login.chinacloudapi.cn",
            "vault.azure.cn",
        ),
        other => {
            return Err(SetupError::Config(format!(
                "unknown environment {other:?}: use public, usgovernment or china (or metadata_host for a custom cloud)"
            )));
        }
    };
    Ok((arm.to_string(), login.to_string(), vault.to_string()))
}

/// A custom cloud's endpoints from its metadata host. The 2022-09-01
/// document is a list of clouds; older hosts answer with one object.
async fn cloud_metadata(
    host: &str,
    http: &reqwest::Client,
) -> Result<(String, String, String), SetupError> {
    let url = format!(
        "https://{}/metadata/endpoints?api-version=2022-09-01",
        host.trim_start_matches("https://").trim_end_matches('/')
    );
    let fail =
        |why: String| SetupError::Config(format!("cannot read the cloud metadata at {url}: {why}"));
    let resp = http
        .get(&url)
        .send()
        .await
        .map_err(|e| fail(e.without_url().to_string()))?;
    if !resp.status().is_success() {
        return Err(fail(format!("HTTP {}", resp.status())));
    }
    let doc: serde_json::Value = resp
        .json()
        .await
        .map_err(|e| fail(e.without_url().to_string()))?;
    let cloud = match &doc {
        serde_json::Value::Array(clouds) => clouds
            .iter()
            .find(|c| {
                c["resourceManager"]
                    .as_str()
                    .is_some_and(|r| r.contains(host))
            })
            .or(clouds.first())
            .cloned()
            .unwrap_or_default(),
        one => one.clone(),
    };
    match (
        cloud["resourceManager"].as_str(),
        cloud["authentication"]["loginEndpoint"].as_str(),
    ) {
        (Some(arm), Some(login)) => Ok((
            arm.trim_end_matches('/').to_string(),
            login.trim_end_matches('/').to_string(),
            cloud["suffixes"]["keyVaultDns"]
                .as_str()
                .unwrap_or("vault.azure.net")
                .trim_matches('.')
                .to_string(),
        )),
        _ => Err(fail(
            "no resourceManager and authentication.loginEndpoint in it".into(),
        )),
    }
}

/// The credential the settings ask for, the way azurerm chooses: OIDC,
/// then a client secret, then managed identity, then the Azure CLI.
pub(crate) fn method(s: &Settings) -> Result<Method, SetupError> {
    let need = |v: &Option<String>, what: &str, why: &str| {
        v.clone().ok_or_else(|| {
            SetupError::Config(format!(
                "{why} needs {what} (or ARM_{})",
                what.to_uppercase()
            ))
        })
    };
    if s.use_oidc {
        let token_file = s.oidc_token_file_path.clone().ok_or_else(|| SetupError::Config("use_oidc needs oidc_token_file_path (or ARM_OIDC_TOKEN_FILE_PATH / AZURE_FEDERATED_TOKEN_FILE)".into()))?;
        return Ok(Method::WorkloadIdentity {
            tenant: need(&s.tenant_id, "tenant_id", "use_oidc")?,
            client_id: need(&s.client_id, "client_id", "use_oidc")?,
            token_file: PathBuf::from(token_file),
        });
    }
    if let (Some(client_id), Some(secret)) = (&s.client_id, &s.client_secret) {
        return Ok(Method::ClientSecret {
            tenant: need(&s.tenant_id, "tenant_id", "a client secret")?,
            client_id: client_id.clone(),
            secret: secret.clone(),
        });
    }
    if s.use_msi {
        if s.msi_endpoint.is_some() {
            return Err(SetupError::Config("msi_endpoint is not supported: azure_identity finds the managed identity endpoint itself (IMDS, or IDENTITY_ENDPOINT on App Service)".into()));
        }
        return Ok(Method::ManagedIdentity {
            client_id: s.client_id.clone(),
        });
    }
    Ok(Method::AzureCli {
        tenant: s.tenant_id.clone(),
    })
}

/// Builds the provider for the chosen cloud. Must run inside a tokio
/// runtime. `started`: the embedded emulators the caller started for
/// [`embedded_requests`] (empty when none is wanted).
pub async fn provider(
    s: &Settings,
    stack_dir: &Path,
    env: &[(String, String)],
    started: &Started,
) -> Result<AzureProvider, SetupError> {
    let mut p = provider_for_cloud(s, stack_dir, env, started).await?;
    p.keep_nonempty_resource_groups = !s.delete_nonempty_resource_groups;
    p.key_vault.purge_soft_deleted_secrets_on_destroy = !s.keep_deleted_secrets;
    p.key_vault.recover_soft_deleted_secrets = !s.no_secret_recovery;
    p.key_vault.purge_soft_deleted_keys_on_destroy = !s.keep_deleted_keys;
    p.key_vault.recover_soft_deleted_keys = !s.no_key_recovery;
    Ok(p)
}

/// Builds one provider per configuration; configurations on the embedded
/// emulator with the same data directory share one emulator.
pub async fn providers(
    configs: &[(ProviderConfigAddr, Settings)],
    stack_dir: &Path,
    env: &[(String, String)],
    started: &Started,
) -> Result<Vec<(ProviderConfigAddr, AzureProvider)>, SetupError> {
    let mut out = Vec::new();
    for (addr, s) in configs {
        let p = provider(s, stack_dir, env, started)
            .await
            .map_err(|SetupError::Config(m)| match addr.alias {
                Some(_) => SetupError::Config(format!("provider {}: {m}", addr.short())),
                None => SetupError::Config(m),
            })?;
        out.push((addr.clone(), p));
    }
    Ok(out)
}

async fn provider_for_cloud(
    s: &Settings,
    stack_dir: &Path,
    env: &[(String, String)],
    started: &Started,
) -> Result<AzureProvider, SetupError> {
    if let Some(url) = &s.emulator_url {
        let dir = emulator_dir(s, stack_dir);
        let creds = read_credentials(&dir)?;
        let who = emulator_principal(s, &creds)?;
        let ca = std::fs::read_to_string(dir.join("ca.pem")).ok();
        let http = http::trusting(ca.as_deref()).map_err(|e| SetupError::Config(e.to_string()))?;
        let tokens = emulator_credential(&who, url, &http)?;
        // Polls wait in the emulator's simulated seconds (Retry-After).
        let client = ArmClient::new(http, url, tokens);
        let subscription = s.subscription_id.clone().unwrap_or(creds.subscription_id);
        return Ok(AzureProvider {
            client: Arc::new(client),
            cloud: format!(
                "drinfra emulator at {url}, subscription {subscription} (data {})",
                dir.display()
            ),
            subscription,
            promote_option: Default::default(),
            emulator: true,
            keep_nonempty_resource_groups: true,
            regions: Default::default(),
            backups: Default::default(),
            // The emulator's metadata names Azure's Key Vault DNS suffix.
            key_vault: Default::default(),
            principal: Principal {
                tenant_id: who.tenant_id.clone(),
                client_id: who.client_id.clone(),
            },
        });
    }
    if let (Some(sub), false) = (&s.subscription_id, s.use_emulator) {
        let http = http::real_azure().map_err(|e| SetupError::Config(e.to_string()))?;
        let (arm, login, vault_dns) = endpoints(s, &http).await?;
        let tokens: Arc<dyn TokenSource> = Arc::new(
            Identity::new(&method(s)?, &login, http.clone())
                .map_err(|e| SetupError::Config(e.to_string()))?,
        );
        let how = tokens.describe();
        let client = ArmClient::new(http, &arm, tokens);
        return Ok(AzureProvider {
            client: Arc::new(client),
            subscription: sub.clone(),
            cloud: format!("Azure subscription {sub} at {arm}, authenticating with {how}"),
            promote_option: Default::default(),
            emulator: false,
            keep_nonempty_resource_groups: true,
            regions: Default::default(),
            backups: Default::default(),
            key_vault: KeyVaultSettings {
                scope: key_vault_scope(&vault_dns),
                ..Default::default()
            },
            principal: Principal {
                tenant_id: s.tenant_id.clone().unwrap_or_default(),
                client_id: s.client_id.clone().unwrap_or_default(),
            },
        });
    }
    // Nothing configured (or use_emulator): the embedded emulator.
    let dir = emulator_dir(s, stack_dir);
    let scale = time_scale(env);
    let running = started
        .iter()
        .find(|(d, _)| same_dir(d, &dir))
        .map(|(_, e)| e)
        .ok_or_else(|| {
            SetupError::Config(format!(
                "no embedded emulator was started for {}",
                dir.display()
            ))
        })?;
    let http =
        http::trusting(running.ca_pem.as_deref()).map_err(|e| SetupError::Config(e.to_string()))?;
    let c = emulator_principal(s, &running.credentials)?;
    let tokens = emulator_credential(&c, &running.url, &http)?;
    let client = ArmClient::new(http, &running.url, tokens);
    let subscription = s
        .subscription_id
        .clone()
        .unwrap_or_else(|| c.subscription_id.clone());
    let why = if s.use_emulator {
        "use_emulator"
    } else {
        "no Azure subscription configured"
    };
    let cloud = format!(
        "embedded drinfra emulator ({why}), subscription {subscription}, data {}, time {scale}x",
        dir.display()
    );
    Ok(AzureProvider {
        client: Arc::new(client),
        subscription,
        cloud,
        principal: Principal {
            tenant_id: c.tenant_id.clone(),
            client_id: c.client_id.clone(),
        },
        promote_option: Default::default(),
        emulator: true,
        keep_nonempty_resource_groups: true,
        regions: Default::default(),
        backups: Default::default(),
        key_vault: Default::default(),
    })
}

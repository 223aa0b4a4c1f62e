//! Choosing the cloud: settings from `provider "azurerm" { ... }` and the
//! environment (azurerm's names), then real Azure with a credential, an
//! emulator by URL, or, with no subscription configured anywhere, the
//! embedded emulator. The provider does not start that emulator itself:
//! it says which ones the configurations want ([`embedded_requests`]) and
//! the caller (the CLI, a test) starts them and hands their [`Endpoint`]s
//! to [`providers`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::auth::{Identity, Method, TokenSource};
use super::client::ArmClient;
use super::common::AzureProvider;
use super::http;
use crate::config::Config;
use crate::config::evaluate::eval_in_root;
use crate::config::vars::Inputs;
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::lang::Value;
use crate::provider::ProviderConfigAddr;

/// azurerm's common settings plus drinfra's emulator switches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    pub subscription_id: Option<String>,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub use_oidc: bool,
    pub oidc_token_file_path: Option<String>,
    pub use_cli: bool,
    pub use_msi: bool,
    pub msi_endpoint: Option<String>,
    pub environment: Option<String>,
    /// A custom cloud's metadata host (Azure Stack, sovereign clouds, or an
    /// emulator posing as one): its endpoints come from
    /// `https://HOST/metadata/endpoints`.
    pub metadata_host: Option<String>,
    /// Target a running emulator by URL.
    pub emulator_url: Option<String>,
    /// The emulator's data directory (CA, credentials; embedded: its data).
    pub emulator_data_dir: Option<String>,
    /// Run against the emulator (embedded, or at `emulator_url`) even with
    /// a `subscription_id`, which then names one of the emulator's
    /// subscriptions: how a second configuration reaches another
    /// subscription of the same emulator.
    pub use_emulator: bool,
    /// azurerm's `features.resource_group.prevent_deletion_if_contains_resources = false`:
    /// delete a resource group with whatever it still holds (by default,
    /// as in azurerm, such a delete is refused).
    pub delete_nonempty_resource_groups: bool,
}

/// The `provider "azurerm"` arguments drinfra reads.
const KNOWN: &[&str] = &[
    "subscription_id",
    "tenant_id",
    "client_id",
    "client_secret",
    "use_oidc",
    "oidc_token_file_path",
    "use_cli",
    "use_msi",
    "msi_endpoint",
    "environment",
    "metadata_host",
    "emulator_url",
    "emulator_data_dir",
    "use_emulator",
    "alias",
    "skip_provider_registration",
    "resource_provider_registrations",
    "storage_use_azuread",
];

/// Arguments and blocks of a `provider "azurerm"` block drinfra does not
/// read: errors where they are written (the same check [`settings`] makes
/// when it reads the block, here for loading, which needs no cloud).
pub fn check_block(p: &crate::config::model::ProviderBlock) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let at = |x: &dyn hcl_edit::Span| x.span().map(|r| Span::new(p.body.file, r));
    for a in p.body.body.attributes() {
        let key = a.key.value().as_str();
        if !KNOWN.contains(&key) {
            diags.push(
                Diagnostic::error("Unsupported provider argument")
                    .with_detail(format!(
                        "drinfra does not support the azurerm provider argument {key:?}."
                    ))
                    .at(at(&a.key)),
            );
        }
    }
    for b in p.body.body.blocks() {
        if b.ident.value().as_str() != "features" {
            diags.push(
                Diagnostic::error("Unsupported block type")
                    .with_detail(format!(
                        "drinfra's azurerm provider takes a features block only, not {:?}.",
                        b.ident.value().as_str()
                    ))
                    .at(at(&b.ident)),
            );
        }
    }
    diags
}

/// Whether the configuration uses the Azure provider at all.
pub fn used(config: &Config) -> bool {
    config.modules.iter().any(|m| {
        m.providers.iter().any(|p| p.name == "azurerm")
            || m.resources.values().any(|r| r.ty.starts_with("azurerm_"))
    })
}

/// Reads the root module's default `provider "azurerm"` block and the
/// environment.
pub fn settings(
    config: &Config,
    inputs: &Inputs,
    cwd: &Path,
    env: &[(String, String)],
) -> Result<Settings, Diagnostics> {
    let block = config
        .root()
        .providers
        .iter()
        .find(|p| p.name == "azurerm" && p.alias.is_none());
    settings_of(block, config, inputs, cwd, env)
}

/// Every azurerm provider configuration of the root module, with its
/// settings: the default one (from its block, or the environment alone)
/// and one per `alias`. Each takes the `ARM_*` variables for what its
/// block does not set, as azurerm does.
pub fn all_settings(
    config: &Config,
    inputs: &Inputs,
    cwd: &Path,
    env: &[(String, String)],
) -> Result<Vec<(ProviderConfigAddr, Settings)>, Diagnostics> {
    let mut out = vec![(
        ProviderConfigAddr::default_for(super::typedef::PROVIDER_NAME),
        settings(config, inputs, cwd, env),
    )];
    for block in config
        .root()
        .providers
        .iter()
        .filter(|p| p.name == "azurerm" && p.alias.is_some())
    {
        out.push((
            ProviderConfigAddr {
                provider: super::typedef::PROVIDER_NAME.to_string(),
                alias: block.alias.clone(),
            },
            settings_of(Some(block), config, inputs, cwd, env),
        ));
    }
    let mut diags = Diagnostics::default();
    let mut ok = Vec::new();
    for (addr, r) in out {
        match r {
            Ok(s) => ok.push((addr, s)),
            Err(d) => diags.extend(d),
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(ok)
    }
}

fn settings_of(
    block: Option<&crate::config::model::ProviderBlock>,
    config: &Config,
    inputs: &Inputs,
    cwd: &Path,
    env: &[(String, String)],
) -> Result<Settings, Diagnostics> {
    let get_env = |k: &str| {
        env.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let truthy = |v: Option<String>| v.is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    let mut s = Settings {
        subscription_id: get_env("ARM_SUBSCRIPTION_ID"),
        tenant_id: get_env("ARM_TENANT_ID"),
        client_id: get_env("ARM_CLIENT_ID"),
        client_secret: get_env("ARM_CLIENT_SECRET"),
        use_oidc: truthy(get_env("ARM_USE_OIDC")),
        oidc_token_file_path: get_env("ARM_OIDC_TOKEN_FILE_PATH")
            .or_else(|| get_env("AZURE_FEDERATED_TOKEN_FILE")),
        use_cli: truthy(get_env("ARM_USE_CLI")),
        use_msi: truthy(get_env("ARM_USE_MSI")),
        msi_endpoint: get_env("ARM_MSI_ENDPOINT"),
        environment: get_env("ARM_ENVIRONMENT"),
        metadata_host: get_env("ARM_METADATA_HOSTNAME"),
        emulator_url: get_env("DRINFRA_EMULATOR_URL"),
        emulator_data_dir: get_env("DRINFRA_EMULATOR_DATA_DIR"),
        use_emulator: false,
        delete_nonempty_resource_groups: false,
    };
    let mut diags = Diagnostics::default();
    let Some(block) = block else { return Ok(s) };
    let mut values: BTreeMap<String, Value> = BTreeMap::new();
    for a in block.body.body.attributes() {
        let key = a.key.value().as_str().to_string();
        let span = hcl_edit::Span::span(&a.key).map(|r| Span::new(block.body.file, r));
        if !KNOWN.contains(&key.as_str()) {
            diags.push(
                Diagnostic::error("Unsupported provider argument")
                    .with_detail(format!(
                        "drinfra does not support the azurerm provider argument {key:?}."
                    ))
                    .at(span),
            );
            continue;
        }
        let (v, d) = eval_in_root(
            config,
            inputs,
            cwd,
            &crate::config::Expr {
                file: block.body.file,
                expr: a.value.clone(),
            },
        );
        diags.extend(d);
        if let Some(v) = v {
            values.insert(key, v);
        }
    }
    for b in block.body.body.blocks() {
        if b.ident.value().as_str() == "features" {
            s.delete_nonempty_resource_groups =
                features(&b.body, block.body.file, "features", &mut diags);
            continue;
        }
        diags.push(
            Diagnostic::error("Unsupported block type")
                .with_detail(format!(
                    "drinfra's azurerm provider takes a features block only, not {:?}.",
                    b.ident.value().as_str()
                ))
                .at(hcl_edit::Span::span(&b.ident).map(|r| Span::new(block.body.file, r))),
        );
    }
    if diags.has_errors() {
        return Err(diags);
    }
    let text = |k: &str| match values.get(k).map(|v| v.unmark().0) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    let flag = |k: &str| matches!(values.get(k).map(|v| v.unmark().0), Some(Value::Bool(true)));
    s.subscription_id = text("subscription_id").or(s.subscription_id);
    s.tenant_id = text("tenant_id").or(s.tenant_id);
    s.client_id = text("client_id").or(s.client_id);
    s.client_secret = text("client_secret").or(s.client_secret);
    s.use_oidc |= flag("use_oidc");
    s.oidc_token_file_path = text("oidc_token_file_path").or(s.oidc_token_file_path);
    s.use_cli |= flag("use_cli");
    s.use_msi |= flag("use_msi");
    s.msi_endpoint = text("msi_endpoint").or(s.msi_endpoint);
    s.environment = text("environment").or(s.environment);
    s.metadata_host = text("metadata_host").or(s.metadata_host);
    s.emulator_url = text("emulator_url").or(s.emulator_url);
    s.emulator_data_dir = text("emulator_data_dir").or(s.emulator_data_dir);
    s.use_emulator |= flag("use_emulator");
    Ok(s)
}

/// azurerm's `features` settings drinfra does not implement are refused,
/// never silently ignored. The one implemented is
/// `resource_group { prevent_deletion_if_contains_resources }` (a literal
/// true or false). Returns whether that setting is `false`, which turns
/// azurerm's (and drinfra's) check off.
fn features(
    body: &hcl_edit::structure::Body,
    file: crate::diag::FileId,
    path: &str,
    diags: &mut Diagnostics,
) -> bool {
    let mut keeps_no_resource_groups = false;
    for s in body.iter() {
        match s {
            hcl_edit::structure::Structure::Block(b) => {
                let name = format!("{path}.{}", b.ident.value().as_str());
                keeps_no_resource_groups |= features(&b.body, file, &name, diags);
            }
            hcl_edit::structure::Structure::Attribute(a) => {
                let name = format!("{path}.{}", a.key.value().as_str());
                let matches_drinfra = name
                    == "features.resource_group.prevent_deletion_if_contains_resources"
                    && matches!(a.value, hcl_edit::expr::Expression::Bool(ref b) if !*b.value());
                if matches_drinfra {
                    keeps_no_resource_groups = true;
                } else {
                    diags.push(
                        Diagnostic::error("Unsupported azurerm feature setting")
                            .with_detail(format!(
                                "drinfra does not implement azurerm's {name}; remove it rather than have it silently ignored. Of the features settings drinfra implements resource_group.prevent_deletion_if_contains_resources (a literal true or false) only; it does not purge or recover soft-deleted objects."
                            ))
                            .at(hcl_edit::Span::span(&a.key).map(|r| Span::new(file, r))),
                    );
                }
            }
        }
    }
    keeps_no_resource_groups
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{0}")]
    Config(String),
}

/// (Resource Manager, Entra ID) endpoints of the chosen cloud.
pub(crate) async fn endpoints(
    s: &Settings,
    http: &reqwest::Client,
) -> Result<(String, String), SetupError> {
    if let Some(host) = &s.metadata_host {
        return cloud_metadata(host, http).await;
    }
    let (arm, login) = match s
        .environment
        .as_deref()
        .unwrap_or("public")
        .to_lowercase()
        .as_str()
    {
        "public" => (
            "https://management.azure.com",
            "https://login.microsoftonline.com",
        ),
        "usgovernment" => (
            "https://management.usgovcloudapi.net",
            "https://login.microsoftonline.us",
        ),
        "china" => (
            "https://management.chinacloudapi.cn",
            "https://login.chinacloudapi.cn",
        ),
        other => {
            return Err(SetupError::Config(format!(
                "unknown environment {other:?}: use public, usgovernment or china (or metadata_host for a custom cloud)"
            )));
        }
    };
    Ok((arm.to_string(), login.to_string()))
}

/// A custom cloud's endpoints from its metadata host. The 2022-09-01
/// document is a list of clouds; older hosts answer with one object.
async fn cloud_metadata(
    host: &str,
    http: &reqwest::Client,
) -> Result<(String, String), SetupError> {
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

fn emulator_dir(s: &Settings, stack_dir: &Path) -> PathBuf {
    match &s.emulator_data_dir {
        Some(d) if Path::new(d).is_absolute() => PathBuf::from(d),
        Some(d) => stack_dir.join(d),
        None => stack_dir.join(".drinfra").join("emulator"),
    }
}

fn read_credentials(dir: &Path) -> Result<EmulatorCredentials, SetupError> {
    EmulatorCredentials::read(dir)
}

/// The emulator's `credentials.json`, as the provider reads it: a file
/// one program (the emulator) writes and another (drinfra's engine) reads,
/// so each side has its own type for it. Fields the provider does not use
/// are ignored.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct EmulatorCredentials {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    /// The default subscription.
    pub subscription_id: String,
    /// Further service principals (each authorised on some subscriptions).
    #[serde(default)]
    pub principals: Vec<EmulatorPrincipal>,
}

/// A further service principal of `credentials.json`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct EmulatorPrincipal {
    pub client_id: String,
    pub client_secret: String,
    /// Its tenant; the emulator's tenant when absent.
    #[serde(default)]
    pub tenant_id: Option<String>,
}

impl EmulatorCredentials {
    /// Reads `credentials.json` from an emulator's data directory.
    pub fn read(dir: &Path) -> Result<EmulatorCredentials, SetupError> {
        let path = dir.join("credentials.json");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            SetupError::Config(format!(
                "cannot read the emulator's credentials at {}: {e}",
                path.display()
            ))
        })?;
        serde_json::from_str(&text)
            .map_err(|e| SetupError::Config(format!("{}: {e}", path.display())))
    }
}

/// An embedded emulator a configuration wants running: started by the
/// caller (with TLS, on a loopback port), since the provider knows nothing
/// of the emulator's code.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddedRequest {
    /// Its data directory (state, CA, `credentials.json`).
    pub data_dir: PathBuf,
    /// Simulated seconds per real second (`DRINFRA_EMULATOR_TIME_SCALE`).
    pub time_scale: f64,
}

/// A running emulator as the provider reaches it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub url: String,
    /// PEM of the CA its TLS certificate chains to.
    pub ca_pem: Option<String>,
    pub credentials: EmulatorCredentials,
}

/// Embedded emulators the caller started, each with the data directory of
/// the request it answers.
pub type Started = [(PathBuf, Endpoint)];

/// The time scale of embedded emulators (`DRINFRA_EMULATOR_TIME_SCALE`,
/// by default an hour a second).
fn time_scale(env: &[(String, String)]) -> f64 {
    env.iter()
        .find(|(n, _)| n == "DRINFRA_EMULATOR_TIME_SCALE")
        .and_then(|(_, v)| v.parse::<f64>().ok())
        .unwrap_or(3600.0)
}

/// The embedded emulator configuration `s` runs on, if any: neither an
/// emulator URL nor (without `use_emulator`) a subscription is configured.
pub fn embedded_request(
    s: &Settings,
    stack_dir: &Path,
    env: &[(String, String)],
) -> Option<EmbeddedRequest> {
    let on_azure = s.subscription_id.is_some() && !s.use_emulator;
    (s.emulator_url.is_none() && !on_azure).then(|| EmbeddedRequest {
        data_dir: emulator_dir(s, stack_dir),
        time_scale: time_scale(env),
    })
}

/// The embedded emulators a run's configurations want, one per data
/// directory: configurations sharing a data directory share an emulator.
pub fn embedded_requests(
    configs: &[(ProviderConfigAddr, Settings)],
    stack_dir: &Path,
    env: &[(String, String)],
) -> Vec<EmbeddedRequest> {
    let mut out: Vec<EmbeddedRequest> = Vec::new();
    for (_, s) in configs {
        if let Some(r) = embedded_request(s, stack_dir, env)
            && !out.iter().any(|o| same_dir(&o.data_dir, &r.data_dir))
        {
            out.push(r);
        }
    }
    out
}

/// Whether two spellings name one directory, whether or not it exists yet
/// (the emulator creates its data directory when it starts).
fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || canonical(a) == canonical(b)
}

/// `dir` with its longest existing ancestor canonicalised.
fn canonical(dir: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut cur = dir;
    loop {
        if let Ok(c) = cur.canonicalize() {
            return rest.iter().rev().fold(c, |p: PathBuf, part| p.join(part));
        }
        match (cur.parent(), cur.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                cur = parent;
            }
            _ => return dir.to_path_buf(),
        }
    }
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

/// The credential a configuration uses on the emulator: the principal of
/// `credentials.json` whose client id it names, else the emulator's own.
/// Secrets never travel from the configuration to the emulator.
fn emulator_principal(
    s: &Settings,
    creds: &EmulatorCredentials,
) -> Result<EmulatorCredentials, SetupError> {
    let Some(id) = &s.client_id else {
        return Ok(creds.clone());
    };
    if *id == creds.client_id {
        return Ok(creds.clone());
    }
    creds
        .principals
        .iter()
        .find(|p| p.client_id == *id)
        .map(|p| EmulatorCredentials { tenant_id: p.tenant_id.clone().unwrap_or_else(|| creds.tenant_id.clone()), client_id: p.client_id.clone(), client_secret: p.client_secret.clone(), ..creds.clone() })
        .ok_or_else(|| SetupError::Config(format!("the emulator has no principal with client id {id:?} (its principals are listed in credentials.json)")))
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
        let mut client = ArmClient::new(http, url, tokens);
        client.default_poll = Duration::from_millis(200);
        let subscription = s.subscription_id.clone().unwrap_or(creds.subscription_id);
        return Ok(AzureProvider {
            client: Arc::new(client),
            cloud: format!(
                "drinfra emulator at {url}, subscription {subscription} (data {})",
                dir.display()
            ),
            subscription,
            promote_option: Default::default(),
            keep_nonempty_resource_groups: true,
            principal: super::common::Principal {
                tenant_id: who.tenant_id.clone(),
                client_id: who.client_id.clone(),
            },
        });
    }
    if let (Some(sub), false) = (&s.subscription_id, s.use_emulator) {
        let http = http::real_azure().map_err(|e| SetupError::Config(e.to_string()))?;
        let (arm, login) = endpoints(s, &http).await?;
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
            keep_nonempty_resource_groups: true,
            principal: super::common::Principal {
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
    let mut client = ArmClient::new(http, &running.url, tokens);
    client.default_poll = Duration::from_millis(100);
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
        principal: super::common::Principal {
            tenant_id: c.tenant_id.clone(),
            client_id: c.client_id.clone(),
        },
        promote_option: Default::default(),
        keep_nonempty_resource_groups: true,
    })
}

/// The emulator's own credential: a client secret against its token endpoint.
fn emulator_credential(
    c: &EmulatorCredentials,
    url: &str,
    http: &reqwest::Client,
) -> Result<Arc<dyn TokenSource>, SetupError> {
    if url.starts_with("http://") {
        return Ok(Arc::new(super::auth::EmulatorSecret::new(
            url,
            &c.tenant_id,
            &c.client_id,
            &c.client_secret,
        )));
    }
    let method = Method::ClientSecret {
        tenant: c.tenant_id.clone(),
        client_id: c.client_id.clone(),
        secret: c.client_secret.clone(),
    };
    Ok(Arc::new(
        Identity::new(&method, url, http.clone()).map_err(|e| SetupError::Config(e.to_string()))?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(alias: Option<&str>) -> ProviderConfigAddr {
        ProviderConfigAddr {
            provider: super::super::typedef::PROVIDER_NAME.to_string(),
            alias: alias.map(str::to_string),
        }
    }

    #[test]
    fn configurations_sharing_a_data_dir_want_one_embedded_emulator() {
        let stack = std::env::temp_dir().join("drinfra-setup-test-not-created");
        let env = vec![("DRINFRA_EMULATOR_TIME_SCALE".to_string(), "10".to_string())];
        let configs = vec![
            (addr(None), Settings::default()),
            (
                addr(Some("dr")),
                Settings {
                    use_emulator: true,
                    subscription_id: Some("s2".into()),
                    emulator_data_dir: Some("./.drinfra/emulator".into()),
                    ..Settings::default()
                },
            ),
            (
                addr(Some("azure")),
                Settings {
                    subscription_id: Some("s".into()),
                    ..Settings::default()
                },
            ),
            (
                addr(Some("remote")),
                Settings {
                    emulator_url: Some("https://127.0.0.1:1".into()),
                    ..Settings::default()
                },
            ),
            (
                addr(Some("other")),
                Settings {
                    emulator_data_dir: Some("/elsewhere".into()),
                    ..Settings::default()
                },
            ),
        ];
        let wanted = embedded_requests(&configs, &stack, &env);
        assert_eq!(
            wanted,
            vec![
                EmbeddedRequest {
                    data_dir: stack.join(".drinfra").join("emulator"),
                    time_scale: 10.0
                },
                EmbeddedRequest {
                    data_dir: PathBuf::from("/elsewhere"),
                    time_scale: 10.0
                },
            ]
        );
        assert!(embedded_request(&configs[2].1, &stack, &[]).is_none());
        assert_eq!(
            embedded_request(&configs[0].1, &stack, &[]).map(|r| r.time_scale),
            Some(3600.0)
        );
    }

    #[test]
    fn reads_the_emulators_credentials_file() {
        let dir = std::env::temp_dir().join(format!("drinfra-setup-creds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("credentials.json"),
            r#"{"tenant_id":"t","client_id":"c","client_secret":"s","subscription_id":"sub","subscriptions":["sub"],"principals":[{"client_id":"p","client_secret":"ps","subscriptions":["sub"]}]}"#,
        )
        .unwrap();
        let c = EmulatorCredentials::read(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            (c.tenant_id.as_str(), c.subscription_id.as_str()),
            ("t", "sub")
        );
        assert_eq!(c.principals[0].client_id, "p");
        assert!(EmulatorCredentials::read(&dir).is_err());
    }
}

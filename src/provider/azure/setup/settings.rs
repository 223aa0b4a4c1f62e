//! The Azure provider's settings: the `provider "azurerm"` blocks of the
//! root module and the `ARM_*` environment, as azurerm reads them.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::Config;
use crate::config::evaluate::eval_in_root;
use crate::config::vars::Inputs;
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::lang::Value;
use crate::provider::ProviderConfigAddr;
use crate::provider::azure::typedef::PROVIDER_NAME;

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
    /// azurerm's `features.key_vault.purge_soft_deleted_secrets_on_destroy
    /// = false`: a destroyed secret stays soft-deleted.
    pub keep_deleted_secrets: bool,
    /// azurerm's `features.key_vault.recover_soft_deleted_secrets = false`:
    /// a name a soft-deleted secret holds is not recovered on create.
    pub no_secret_recovery: bool,
    /// The same two for keys (`purge_soft_deleted_keys_on_destroy`,
    /// `recover_soft_deleted_keys`).
    pub keep_deleted_keys: bool,
    pub no_key_recovery: bool,
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
        m.providers
            .iter()
            .any(|p| p.name == "azurerm" || p.name == "azapi")
            || m.resources
                .values()
                .any(|r| r.ty.starts_with("azurerm_") || r.ty.starts_with("azapi_"))
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
        ProviderConfigAddr::default_for(PROVIDER_NAME),
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
                provider: PROVIDER_NAME.to_string(),
                alias: block.alias.clone(),
            },
            settings_of(Some(block), config, inputs, cwd, env),
        ));
    }
    let mut diags = missing_features(config);
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

/// azurerm's schema requires a `features` block in every configuration it
/// is given, the default one that resources use without a written block
/// included: Terraform refuses such a configuration with "Insufficient
/// features blocks". Only configurations an `azurerm_` resource or data
/// source uses are checked, as Terraform configures only those (azapi
/// needs no features block).
fn missing_features(config: &Config) -> Diagnostics {
    let mut diags = Diagnostics::default();
    if config.modules.is_empty() {
        return diags;
    }
    let (resolution, _) = crate::config::providers::resolve(config);
    let used: std::collections::BTreeSet<Option<String>> = config
        .modules
        .iter()
        .enumerate()
        .flat_map(|(i, m)| m.resources.values().map(move |r| (i, r)))
        .filter(|(_, r)| r.ty.starts_with("azurerm_"))
        .map(|(i, r)| resolution.of(i, r))
        .filter(|addr| addr.provider == PROVIDER_NAME)
        .map(|addr| addr.alias)
        .collect();
    for alias in used {
        let block = config
            .root()
            .providers
            .iter()
            .find(|p| p.name == "azurerm" && p.alias == alias);
        let has_features = block.is_some_and(|b| {
            b.body
                .body
                .blocks()
                .any(|f| f.ident.value().as_str() == "features")
        });
        if has_features {
            continue;
        }
        let name = match &alias {
            Some(a) => format!("azurerm.{a}"),
            None => "azurerm".to_string(),
        };
        let detail = match block {
            Some(_) => format!(
                "At least 1 \"features\" blocks are required. azurerm needs `features {{}}` in the {name} provider block, even when empty."
            ),
            None => "At least 1 \"features\" blocks are required. Resources here use the default azurerm configuration, which has no provider block: azurerm needs one with `features {}`, e.g. `provider \"azurerm\" { features {} }`.".to_string(),
        };
        diags.push(
            Diagnostic::error("Insufficient features blocks")
                .with_detail(detail)
                .at(block.map(|b| b.span.clone())),
        );
    }
    diags
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
        keep_deleted_secrets: false,
        no_secret_recovery: false,
        keep_deleted_keys: false,
        no_key_recovery: false,
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
            features(&b.body, block.body.file, "features", &mut s, &mut diags);
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
/// never silently ignored. Implemented (each a literal true or false):
/// `resource_group { prevent_deletion_if_contains_resources }` (only
/// `false` changes anything), and `key_vault {
/// purge_soft_deleted_secrets_on_destroy, recover_soft_deleted_secrets,
/// purge_soft_deleted_keys_on_destroy, recover_soft_deleted_keys }`.
fn features(
    body: &hcl_edit::structure::Body,
    file: crate::diag::FileId,
    path: &str,
    s: &mut Settings,
    diags: &mut Diagnostics,
) {
    for item in body.iter() {
        match item {
            hcl_edit::structure::Structure::Block(b) => {
                let name = format!("{path}.{}", b.ident.value().as_str());
                features(&b.body, file, &name, s, diags);
            }
            hcl_edit::structure::Structure::Attribute(a) => {
                let name = format!("{path}.{}", a.key.value().as_str());
                let literal = match a.value {
                    hcl_edit::expr::Expression::Bool(ref b) => Some(*b.value()),
                    _ => None,
                };
                match (name.as_str(), literal) {
                    ("features.resource_group.prevent_deletion_if_contains_resources", Some(false)) => {
                        s.delete_nonempty_resource_groups = true;
                    }
                    ("features.key_vault.purge_soft_deleted_secrets_on_destroy", Some(on)) => {
                        s.keep_deleted_secrets = !on;
                    }
                    ("features.key_vault.recover_soft_deleted_secrets", Some(on)) => {
                        s.no_secret_recovery = !on;
                    }
                    ("features.key_vault.purge_soft_deleted_keys_on_destroy", Some(on)) => {
                        s.keep_deleted_keys = !on;
                    }
                    ("features.key_vault.recover_soft_deleted_keys", Some(on)) => {
                        s.no_key_recovery = !on;
                    }
                    _ => diags.push(
                        Diagnostic::error("Unsupported azurerm feature setting")
                            .with_detail(format!(
                                "drinfra does not implement azurerm's {name}; remove it rather than have it silently ignored. Of the features settings drinfra implements resource_group.prevent_deletion_if_contains_resources = false and key_vault's purge_soft_deleted_secrets_on_destroy, recover_soft_deleted_secrets, purge_soft_deleted_keys_on_destroy and recover_soft_deleted_keys (literal true or false); it does not purge or recover other soft-deleted objects."
                            ))
                            .at(hcl_edit::Span::span(&a.key).map(|r| Span::new(file, r))),
                    ),
                }
            }
        }
    }
}

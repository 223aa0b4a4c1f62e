//! Choosing the backend a stack's `backend` block asks for.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Backend, LocalBackend};
use crate::config::Config;
use crate::diag::{Diagnostic, Span};
use crate::lang::{Evaluator, Scope, Value};

/// The file state lives in when no backend is configured.
pub const DEFAULT_STATE_FILE: &str = "drinfra.tfstate";

/// Terraform's file for the same case, adopted when drinfra has none.
pub const TERRAFORM_STATE_FILE: &str = "terraform.tfstate";

/// Arguments that are secrets: never remembered on disk, and read from the
/// environment again when a remembered backend is reopened.
pub const SECRET_ARGS: &[&str] = &[
    "access_key",
    "sas_token",
    "conn_str",
    "connection_string",
    "client_secret",
];

/// A backend as configured: its kind and its (string) arguments.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BackendSpec {
    pub kind: String,
    pub args: BTreeMap<String, String>,
}

impl BackendSpec {
    /// The spec without secrets, for remembering which backend was used.
    pub fn without_secrets(&self) -> BackendSpec {
        BackendSpec {
            kind: self.kind.clone(),
            args: self
                .args
                .iter()
                .filter(|(k, _)| !SECRET_ARGS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

const ARGS: &[(&str, &[&str])] = &[
    ("local", &["path", "workspace_dir"]),
    (
        "pg",
        &[
            "conn_str",
            "schema_name",
            "name",
            // Terraform's: create nothing, only check it is there.
            "skip_schema_creation",
            "skip_table_creation",
            "skip_index_creation",
        ],
    ),
    (
        "azurerm",
        &[
            "storage_account_name",
            "container_name",
            "key",
            "endpoint",
            "access_key",
            "sas_token",
            "connection_string",
            // Entra ID sign-in, as azurerm's backend takes it.
            "use_azuread_auth",
            "tenant_id",
            "client_id",
            "client_secret",
            "use_oidc",
            "oidc_token_file_path",
            "use_cli",
            "use_msi",
            "environment",
            "metadata_host",
        ],
    ),
];

/// The backend block of the stack, evaluated (None: the default local file).
pub fn spec_for(config: &Config, dir: &Path) -> Result<Option<BackendSpec>, Diagnostic> {
    let Some(b) = &config.root().settings.backend else {
        return Ok(None);
    };
    let Some((_, allowed)) = ARGS.iter().find(|(k, _)| *k == b.kind) else {
        return Err(Diagnostic::error("Unsupported backend")
            .with_detail(format!(
                "drinfra does not support the {:?} backend; use \"local\", \"pg\" or \"azurerm\".",
                b.kind
            ))
            .at(Some(b.span.clone())));
    };
    let ev = Evaluator::new(b.body.file, dir.to_path_buf());
    let mut args = BTreeMap::new();
    for a in b.body.body.attributes() {
        let key = a.key.value().as_str().to_string();
        let at = hcl_edit::Span::span(&a.key).map(|r| Span::new(b.body.file, r));
        if !allowed.contains(&key.as_str()) {
            return Err(Diagnostic::error("Unsupported backend argument")
                .with_detail(format!(
                    "The {} backend takes {}, not {key:?}.",
                    b.kind,
                    allowed
                        .iter()
                        .map(|a| format!("{a:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .at(at));
        }
        match ev
            .eval(&a.value, &Scope::default())
            .map_err(|e| e.into_diagnostic())?
        {
            Value::String(s) => {
                args.insert(key, s);
            }
            Value::Bool(b) => {
                args.insert(key, b.to_string());
            }
            _ => {
                return Err(Diagnostic::error("Invalid backend argument")
                    .with_detail(format!("{key} must be a string (or true/false)."))
                    .at(at));
            }
        }
    }
    // A partial configuration, completed at init by -backend-config
    // (`backend "azurerm" {}` in the file, the rest from the pipeline):
    // what the block leaves out comes from what init remembered.
    if let Some(extra) = init_backend_config(dir).filter(|c| c.kind == b.kind) {
        for (k, v) in extra.args {
            args.entry(k).or_insert(v);
        }
    }
    Ok(Some(BackendSpec {
        kind: b.kind.clone(),
        args,
    }))
}

/// Where init keeps the `-backend-config` values (secrets left out).
pub fn init_backend_config_path(dir: &Path) -> std::path::PathBuf {
    dir.join(".drinfra").join("backend-config.json")
}

/// The `-backend-config` values init remembered, if any.
pub fn init_backend_config(dir: &Path) -> Option<BackendSpec> {
    let text = std::fs::read_to_string(init_backend_config_path(dir)).ok()?;
    serde_json::from_str(&text).ok()
}

/// The arguments the `kind` backend takes (None: no such backend).
pub fn backend_args(kind: &str) -> Option<&'static [&'static str]> {
    ARGS.iter().find(|(k, _)| *k == kind).map(|(_, a)| *a)
}

/// The environment variable a secret argument is read from when it is not
/// in the configuration (so `-backend-config` secrets reach init through
/// its environment, never a file).
pub fn secret_env(arg: &str) -> Option<&'static str> {
    match arg {
        "access_key" => Some("ARM_ACCESS_KEY"),
        "sas_token" => Some("ARM_SAS_TOKEN"),
        "conn_str" => Some("PG_CONN_STR"),
        "connection_string" => Some("AZURE_STORAGE_CONNECTION_STRING"),
        "client_secret" => Some("ARM_CLIENT_SECRET"),
        _ => None,
    }
}

/// Where the local backend keeps workspace `ws` for the state file
/// `file` (Terraform: `terraform.tfstate.d/NAME/`).
pub fn workspace_dir(dir: &Path, file: &str, ws: &str) -> std::path::PathBuf {
    dir.join(format!("{file}.d")).join(ws)
}

/// The backend for the stack in `dir`.
pub fn backend_for(
    config: &Config,
    dir: &Path,
    env: &[(String, String)],
) -> Result<Box<dyn Backend>, Diagnostic> {
    let spec = spec_for(config, dir)?;
    let at = config
        .root()
        .settings
        .backend
        .as_ref()
        .map(|b| b.span.clone());
    open(spec.as_ref(), dir, env).map_err(|d| d.at(at))
}

/// Opens a backend from its spec; secrets missing from the spec come from
/// the environment (`ARM_ACCESS_KEY`, `ARM_SAS_TOKEN`, `PG_CONN_STR`).
pub fn open(
    spec: Option<&BackendSpec>,
    dir: &Path,
    env: &[(String, String)],
) -> Result<Box<dyn Backend>, Diagnostic> {
    let cipher = super::crypto::Cipher::from_env(env).map_err(|e| {
        Diagnostic::error("Invalid state encryption key").with_detail(e.to_string())
    })?;
    let ws = crate::config::workspace::current(dir, env);
    if !crate::config::workspace::valid_name(&ws) {
        return Err(Diagnostic::error("Invalid workspace name").with_detail(format!(
            "{ws:?} (TF_WORKSPACE or the selected workspace) is not a valid workspace name: use letters, digits, '-', '_', '.' and '~'."
        )));
    }
    let default_ws = ws == crate::config::workspace::DEFAULT;
    let Some(spec) = spec else {
        // A stack Terraform managed: its state is adopted, never ignored.
        // Other workspaces live where Terraform's local backend puts them.
        let (own, tf) = if default_ws {
            (dir.join(DEFAULT_STATE_FILE), dir.join(TERRAFORM_STATE_FILE))
        } else {
            (
                workspace_dir(dir, DEFAULT_STATE_FILE, &ws).join(DEFAULT_STATE_FILE),
                workspace_dir(dir, TERRAFORM_STATE_FILE, &ws).join(TERRAFORM_STATE_FILE),
            )
        };
        return Ok(Box::new(
            LocalBackend::new(own).with_cipher(cipher).adopting(tf),
        ));
    };
    match spec.kind.as_str() {
        "local" => {
            let text = |k: &str| spec.args.get(k).cloned();
            let path = dir.join(text("path").unwrap_or_else(|| DEFAULT_STATE_FILE.into()));
            let path = match (default_ws, path.file_name(), text("workspace_dir")) {
                // Terraform's `workspace_dir`: other workspaces' states
                // under it, relative to the stack's directory.
                (false, Some(f), Some(wd)) => dir.join(wd).join(&ws).join(f),
                (false, Some(f), None) => workspace_dir(dir, &f.to_string_lossy(), &ws).join(f),
                _ => path,
            };
            Ok(Box::new(LocalBackend::new(path).with_cipher(cipher)))
        }
        "pg" => Ok(Box::new(pg_backend(spec, dir, env, &ws, cipher)?)),
        "azurerm" => Ok(Box::new(blob_backend(spec, env, &ws, cipher)?)),
        other => Err(Diagnostic::error("Unsupported backend").with_detail(format!("drinfra does not support the {other:?} backend; use \"local\", \"pg\" or \"azurerm\"."))),
    }
}

fn env_value(env: &[(String, String)], k: &str) -> Option<String> {
    env.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

/// Terraform's pg backend keeps its state in `schema_name` (default
/// `terraform_remote_state`), table `states`, one row per workspace name.
pub const TERRAFORM_PG_SCHEMA: &str = "terraform_remote_state";

/// The pg backend's state for workspace `ws`: drinfra's row (`name`, or
/// `<name>env:<ws>`), adopting Terraform's row for the workspace.
fn pg_backend(
    spec: &BackendSpec,
    dir: &Path,
    env: &[(String, String)],
    ws: &str,
    cipher: super::crypto::Cipher,
) -> Result<super::pg::PgBackend, Diagnostic> {
    let text = |k: &str| spec.args.get(k).cloned();
    // As Terraform: without either, libpq's PG* variables and defaults.
    let conn = text("conn_str")
        .or_else(|| env_value(env, "PG_CONN_STR"))
        .unwrap_or_default();
    // Terraform's environment variables, for what the block leaves out.
    let schema_name = text("schema_name").or_else(|| env_value(env, "PG_SCHEMA_NAME"));
    let creation = super::pg::Creation {
        skip_schema: pg_flag(spec, env, "skip_schema_creation")?,
        skip_tables: pg_flag(spec, env, "skip_table_creation")?,
        skip_index: pg_flag(spec, env, "skip_index_creation")?,
    };
    let schema = schema_name
        .clone()
        .unwrap_or_else(|| "drinfra_state".into());
    let name = pg_base_name(spec, dir);
    // One row per workspace: the default one keeps the plain name.
    let name = if ws == crate::config::workspace::DEFAULT {
        name
    } else {
        format!("{name}env:{ws}")
    };
    let terraform = super::pg::TerraformRows {
        schema: schema_name.unwrap_or_else(|| TERRAFORM_PG_SCHEMA.into()),
        workspace: ws.to_string(),
    };
    super::pg::PgBackend::connect_with(&conn, env, &schema, &name, cipher, creation)
        .map(|b| b.adopting(terraform))
        .map_err(|e| {
            let unset = if conn.is_empty() {
                " (neither conn_str nor PG_CONN_STR is set: libpq's PGHOST, PGUSER, ... and defaults were used)"
            } else {
                ""
            };
            Diagnostic::error("Cannot use the pg backend").with_detail(format!("{e}{unset}"))
        })
}

/// A `skip_*_creation` option of the pg backend: the argument (a bool, or
/// "true"/"false"/"1"/"0" as Terraform converts a string), else its
/// `PG_*` environment variable (Go's strconv.ParseBool spellings, as
/// Terraform reads it), else false.
fn pg_flag(spec: &BackendSpec, env: &[(String, String)], arg: &str) -> Result<bool, Diagnostic> {
    if let Some(v) = spec.args.get(arg) {
        return match v.as_str() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(
                Diagnostic::error("Invalid backend argument").with_detail(format!(
                    "Inappropriate value for attribute {arg:?}: a bool is required, not {v:?}."
                )),
            ),
        };
    }
    let var = format!("PG_{}", arg.to_ascii_uppercase());
    match env_value(env, &var).as_deref() {
        None => Ok(false),
        Some("1" | "t" | "T" | "TRUE" | "true" | "True") => Ok(true),
        Some("0" | "f" | "F" | "FALSE" | "false" | "False") => Ok(false),
        Some(v) => Err(
            Diagnostic::error("Invalid backend argument").with_detail(format!(
                "invalid value for {arg:?}: {var}={v:?} is not a boolean (true, false, 1, 0, t, f)."
            )),
        ),
    }
}

/// The pg backend's row name for the default workspace: `name`, else the
/// stack directory's name.
fn pg_base_name(spec: &BackendSpec, dir: &Path) -> String {
    spec.args.get("name").cloned().unwrap_or_else(|| {
        dir.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "default".into())
    })
}

/// The azurerm backend's state for workspace `ws`: the blob `key`, or
/// `<key>env:<ws>` as Terraform's azurerm backend names it.
fn blob_backend(
    spec: &BackendSpec,
    env: &[(String, String)],
    ws: &str,
    cipher: super::crypto::Cipher,
) -> Result<super::azblob::BlobBackend, Diagnostic> {
    let text = |k: &str| spec.args.get(k).cloned();
    let from_env = |k: &str| env_value(env, k);
    let default_ws = ws == crate::config::workspace::DEFAULT;

    // A connection string supplies what the arguments leave out.
    let conn =
        match text("connection_string").or_else(|| from_env("AZURE_STORAGE_CONNECTION_STRING")) {
            Some(c) => super::azblob::ConnectionString::parse(&c).map_err(|e| {
                Diagnostic::error("Invalid storage connection string").with_detail(e.to_string())
            })?,
            None => Default::default(),
        };
    let account = text("storage_account_name").or(conn.account);
    let needed = [
        ("storage_account_name", account.is_some()),
        ("container_name", text("container_name").is_some()),
        ("key", text("key").is_some()),
    ];
    let missing: Vec<&str> = needed
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(k, _)| *k)
        .collect();
    if !missing.is_empty() {
        return Err(Diagnostic::error("Missing backend argument")
            .with_detail(format!("The azurerm backend needs {}.", missing.join(", "))));
    }
    let account = account.unwrap_or_default();
    let endpoint = text("endpoint")
        .or(conn.blob_endpoint)
        .unwrap_or_else(|| format!("https://{account}.blob.core.windows.net"));
    let truthy = |v: Option<String>| v.is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    let azuread =
        (truthy(text("use_azuread_auth")) || truthy(from_env("ARM_USE_AZUREAD"))).then(|| {
            crate::provider::azure::setup::Settings {
                tenant_id: text("tenant_id").or_else(|| from_env("ARM_TENANT_ID")),
                client_id: text("client_id").or_else(|| from_env("ARM_CLIENT_ID")),
                client_secret: text("client_secret").or_else(|| from_env("ARM_CLIENT_SECRET")),
                use_oidc: truthy(text("use_oidc")) || truthy(from_env("ARM_USE_OIDC")),
                oidc_token_file_path: text("oidc_token_file_path")
                    .or_else(|| from_env("ARM_OIDC_TOKEN_FILE_PATH"))
                    .or_else(|| from_env("AZURE_FEDERATED_TOKEN_FILE")),
                use_cli: truthy(text("use_cli")) || truthy(from_env("ARM_USE_CLI")),
                use_msi: truthy(text("use_msi")) || truthy(from_env("ARM_USE_MSI")),
                msi_endpoint: from_env("ARM_MSI_ENDPOINT"),
                environment: text("environment").or_else(|| from_env("ARM_ENVIRONMENT")),
                metadata_host: text("metadata_host").or_else(|| from_env("ARM_METADATA_HOSTNAME")),
                ..Default::default()
            }
        });
    let cfg = super::azblob::BlobConfig {
        azuread,
        endpoint: endpoint.trim_end_matches('/').to_string(),
        account,
        container: text("container_name").unwrap_or_default(),
        // Terraform's azurerm backend: a workspace's state is the
        // blob `<key>env:<workspace>`; the default one is `<key>`.
        key: match text("key") {
            Some(k) if !default_ws => format!("{k}env:{ws}"),
            k => k.unwrap_or_default(),
        },
        access_key: text("access_key")
            .or(conn.account_key)
            .or_else(|| from_env("ARM_ACCESS_KEY")),
        sas_token: text("sas_token")
            .or(conn.sas_token)
            .or_else(|| from_env("ARM_SAS_TOKEN")),
    };
    super::azblob::BlobBackend::connect(cfg, cipher)
        .map_err(|e| Diagnostic::error("Cannot use the azurerm backend").with_detail(e.to_string()))
}

/// The workspaces a remote (`pg`, `azurerm`) backend holds besides
/// `default`, found where Terraform's backends keep them.
pub fn remote_workspaces(
    spec: &BackendSpec,
    dir: &Path,
    env: &[(String, String)],
) -> Result<std::collections::BTreeSet<String>, Diagnostic> {
    let cipher = super::crypto::Cipher::default();
    let listed = match spec.kind.as_str() {
        "pg" => pg_backend(spec, dir, env, crate::config::workspace::DEFAULT, cipher)?
            .workspaces(&pg_base_name(spec, dir)),
        "azurerm" => {
            let key = spec.args.get("key").cloned().unwrap_or_default();
            blob_backend(spec, env, crate::config::workspace::DEFAULT, cipher)?.workspaces(&key)
        }
        other => {
            return Err(Diagnostic::error("Unsupported backend")
                .with_detail(format!("{other:?} is not a remote backend")));
        }
    };
    listed.map_err(|e| Diagnostic::error("Cannot list the workspaces").with_detail(e.to_string()))
}

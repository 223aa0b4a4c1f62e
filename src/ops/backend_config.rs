//! `init -backend-config=FILE|KEY=VALUE` and `-reconfigure`: Terraform's
//! partial backend configuration. The values complete the stack's
//! `backend` block; those that are not secrets are remembered in
//! `.drinfra/backend-config.json` for later commands, secrets are handed to
//! this init through its environment only (later commands read them from
//! the environment: `ARM_ACCESS_KEY`, `ARM_SAS_TOKEN`, `PG_CONN_STR`, ...).

use std::collections::BTreeMap;
use std::path::Path;

use crate::lang::{Evaluator, Scope, Value};
use crate::state::select::{self, BackendSpec, SECRET_ARGS};

use super::error::{Error, Result};

/// One `-backend-config` value as given: a file, or `KEY=VALUE`.
fn entries(dir: &Path, given: &str) -> Result<Vec<(String, String)>> {
    if let Some((k, v)) = given.split_once('=')
        && !k.contains(['/', '\\', '.'])
    {
        return Ok(vec![(k.trim().to_string(), v.to_string())]);
    }
    let path = dir.join(given);
    let text = std::fs::read_to_string(&path).map_err(|source| Error::File {
        what: format!("cannot read the backend configuration file {given}"),
        source,
    })?;
    let body =
        hcl_edit::parser::parse_body(&text).map_err(|e| Error::Refused(format!("{given}: {e}")))?;
    let ev = Evaluator::new(crate::diag::FileId(0), dir.to_path_buf());
    let mut out = Vec::new();
    for a in body.attributes() {
        let key = a.key.value().as_str().to_string();
        match ev.eval(&a.value, &Scope::default()) {
            Ok(Value::String(v)) => out.push((key, v)),
            Ok(Value::Bool(b)) => out.push((key, b.to_string())),
            _ => {
                return Err(Error::Refused(format!(
                    "{given}: {key} must be a string (or true/false)"
                )));
            }
        }
    }
    if body.blocks().next().is_some() {
        return Err(Error::Refused(format!(
            "{given}: a backend configuration file holds only arguments (key = \"value\")"
        )));
    }
    Ok(out)
}

/// Applies `-backend-config` values before init: checks them against the
/// stack's backend, remembers the non-secret ones, and returns the secret
/// ones as environment variables for this init. `reconfigure` forgets the
/// remembered backend first (no migration, as Terraform's -reconfigure).
pub fn prepare(dir: &Path, given: &[String], reconfigure: bool) -> Result<Vec<(String, String)>> {
    let memo_dir = dir.join(".drinfra");
    if reconfigure {
        for f in [
            super::memo::memo_path(dir),
            select::init_backend_config_path(dir),
        ] {
            match std::fs::remove_file(&f) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(Error::File {
                        what: format!("cannot remove {}", f.display()),
                        source,
                    });
                }
            }
        }
    }
    if given.is_empty() {
        return Ok(vec![]);
    }
    let (config, _) = crate::config::load(dir);
    let Some(block) = config
        .modules
        .first()
        .and_then(|m| m.settings.backend.as_ref())
    else {
        return Err(Error::Refused(
            "-backend-config was given, but the stack has no backend block to complete".into(),
        ));
    };
    let allowed = select::backend_args(&block.kind).ok_or_else(|| {
        Error::Refused(format!(
            "drinfra does not support the {:?} backend",
            block.kind
        ))
    })?;
    let mut args = BTreeMap::new();
    for g in given {
        for (k, v) in entries(dir, g)? {
            if !allowed.contains(&k.as_str()) {
                return Err(Error::Refused(format!(
                    "-backend-config: the {} backend takes {}, not {k:?}",
                    block.kind,
                    allowed.join(", ")
                )));
            }
            args.insert(k, v);
        }
    }
    let mut secrets = Vec::new();
    for k in SECRET_ARGS {
        if let Some(v) = args.remove(*k)
            && let Some(var) = select::secret_env(k)
        {
            secrets.push((var.to_string(), v));
        }
    }
    std::fs::create_dir_all(&memo_dir)?;
    let f = select::init_backend_config_path(dir);
    let spec = BackendSpec {
        kind: block.kind.clone(),
        args,
    };
    std::fs::write(&f, serde_json::to_vec_pretty(&spec)?).map_err(|source| Error::File {
        what: format!("cannot write {}", f.display()),
        source,
    })?;
    Ok(secrets)
}

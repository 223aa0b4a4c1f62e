//! Choosing the backend a stack's `backend` block asks for.

use std::path::Path;

use super::{Backend, LocalBackend};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::lang::{Evaluator, Scope, Value};

/// The file state lives in when no backend is configured.
pub const DEFAULT_STATE_FILE: &str = "drinfra.tfstate";

/// The backend for the stack in `dir`.
pub fn backend_for(config: &Config, dir: &Path, env: &[(String, String)]) -> Result<Box<dyn Backend>, Diagnostic> {
    let cipher = super::crypto::Cipher::from_env(env).map_err(|e| Diagnostic::error("Invalid state encryption key").with_detail(e.to_string()))?;
    let Some(b) = &config.root().settings.backend else {
        return Ok(Box::new(LocalBackend::new(dir.join(DEFAULT_STATE_FILE)).with_cipher(cipher)));
    };
    let ev = Evaluator::new(b.body.file, dir.to_path_buf());
    let mut args = std::collections::BTreeMap::new();
    for a in b.body.body.attributes() {
        let v = ev.eval(&a.value, &Scope::default()).map_err(|e| e.into_diagnostic())?;
        args.insert(a.key.value().as_str().to_string(), (v, hcl_edit::Span::span(&a.key)));
    }
    match b.kind.as_str() {
        "local" => {
            for (k, (_, span)) in &args {
                if k != "path" {
                    return Err(Diagnostic::error("Unsupported backend argument")
                        .with_detail(format!("The local backend takes only \"path\", not {k:?}."))
                        .at(span.clone().map(|r| crate::diag::Span::new(b.body.file, r))));
                }
            }
            let path = match args.get("path") {
                Some((Value::String(p), _)) => dir.join(p),
                Some((_, span)) => {
                    return Err(Diagnostic::error("Invalid backend path").with_detail("path must be a string.").at(span.clone().map(|r| crate::diag::Span::new(b.body.file, r))));
                }
                None => dir.join(DEFAULT_STATE_FILE),
            };
            Ok(Box::new(LocalBackend::new(path).with_cipher(cipher)))
        }
        "pg" => {
            let text = |k: &str| match args.get(k) {
                Some((Value::String(s), _)) => Some(s.clone()),
                _ => None,
            };
            let conn = text("conn_str").or_else(|| env.iter().find(|(k, _)| k == "PG_CONN_STR").map(|(_, v)| v.clone()));
            let Some(conn) = conn else {
                return Err(Diagnostic::error("Missing PostgreSQL connection").with_detail("The pg backend needs conn_str (or the PG_CONN_STR environment variable).").at(Some(b.span.clone())));
            };
            let schema = text("schema_name").unwrap_or_else(|| "drinfra_state".into());
            let name = dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "default".into());
            let name = text("name").unwrap_or(name);
            let backend = super::pg::PgBackend::connect(&conn, &schema, &name, cipher).map_err(|e| Diagnostic::error("Cannot use the pg backend").with_detail(e.to_string()).at(Some(b.span.clone())))?;
            Ok(Box::new(backend))
        }
        other => Err(Diagnostic::error("Unsupported backend").with_detail(format!("drinfra does not support the {other:?} backend yet; use \"local\" or \"pg\" (azurerm is planned).")).at(Some(b.span.clone()))),
    }
}

//! The backend a stack last used, remembered in `.drinfra/backend.json`
//! (without secrets), so a changed backend block is noticed.

use std::path::{Path, PathBuf};

use crate::state::Backend;
use crate::state::select::BackendSpec;

use super::error::{Error, Result};

/// Where the backend last used is remembered.
pub fn memo_path(dir: &Path) -> PathBuf {
    dir.join(".drinfra").join("backend.json")
}

/// Refuses to run against a backend other than the one last initialised.
pub fn check_unchanged(
    dir: &Path,
    backend: &dyn Backend,
    spec: Option<&BackendSpec>,
) -> Result<()> {
    let memo = memo_path(dir);
    match std::fs::read_to_string(&memo) {
        Ok(prev) => {
            let prev: serde_json::Value = serde_json::from_str(&prev).unwrap_or_default();
            if changed(&prev, backend, spec) {
                return Err(Error::Refused(format!(
                    "the backend changed (was {}, now {}): run `drinfra init --migrate-state` to move the state, so nothing is lost",
                    prev["describe"].as_str().unwrap_or("?"),
                    backend.describe()
                )));
            }
        }
        Err(_) => remember(dir, backend, spec)?,
    }
    Ok(())
}

/// Whether the backend differs from the one remembered. The configured
/// spec is compared when it was remembered, so moving or re-cloning the
/// stack to another path (a CI workspace) is not a change.
pub(super) fn changed(
    prev: &serde_json::Value,
    backend: &dyn Backend,
    spec: Option<&BackendSpec>,
) -> bool {
    match prev.get("spec") {
        Some(p) => {
            serde_json::from_value::<Option<BackendSpec>>(p.clone())
                .ok()
                .flatten()
                != spec.map(BackendSpec::without_secrets)
        }
        None => prev["describe"].as_str() != Some(backend.describe().as_str()),
    }
}

pub(super) fn remember(
    dir: &Path,
    backend: &dyn Backend,
    spec: Option<&BackendSpec>,
) -> Result<()> {
    let memo = memo_path(dir);
    std::fs::create_dir_all(dir.join(".drinfra"))?;
    let spec = spec.map(BackendSpec::without_secrets);
    // Written aside and renamed into place: runs starting together on a
    // new stack never read a half-written memo (and take it for a change).
    let tmp = memo.with_file_name(format!("backend.json.{}.tmp", std::process::id()));
    std::fs::write(
        &tmp,
        serde_json::to_vec_pretty(
            &serde_json::json!({"describe": backend.describe(), "spec": spec}),
        )?,
    )?;
    std::fs::rename(&tmp, &memo)?;
    Ok(())
}

/// The previous backend's spec; memos from older versions only named a
/// local path.
pub(super) fn previous_spec(prev: &serde_json::Value) -> Option<BackendSpec> {
    if let Some(spec) = prev.get("spec").filter(|s| !s.is_null()) {
        return serde_json::from_value(spec.clone()).ok();
    }
    prev["local_path"].as_str().map(|p| BackendSpec {
        kind: "local".into(),
        args: [("path".to_string(), p.to_string())].into(),
    })
}

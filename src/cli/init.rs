//! `drinfra init [--migrate-state]`: remembers which backend a stack uses,
//! and moves the state when the backend block changes.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::Args;

use super::Env;
use drinfra::state::{Backend, Change, LocalBackend, Record, select};

#[derive(Args)]
pub struct InitArgs {
    /// Copy the state from the previous backend to the new one.
    #[arg(long)]
    migrate_state: bool,
}

/// Where the backend last used is remembered.
pub fn memo_path(dir: &std::path::Path) -> PathBuf {
    dir.join(".drinfra").join("backend.json")
}

/// Refuses to run against a backend other than the one last initialised.
pub fn check_unchanged(dir: &std::path::Path, backend: &dyn Backend) -> anyhow::Result<()> {
    let memo = memo_path(dir);
    match std::fs::read_to_string(&memo) {
        Ok(prev) => {
            let prev: serde_json::Value = serde_json::from_str(&prev).unwrap_or_default();
            if prev["describe"].as_str() != Some(backend.describe().as_str()) {
                bail!("the backend changed (was {}, now {}): run `drinfra init --migrate-state` to move the state, so nothing is lost", prev["describe"].as_str().unwrap_or("?"), backend.describe());
            }
        }
        Err(_) => remember(dir, backend)?,
    }
    Ok(())
}

fn remember(dir: &std::path::Path, backend: &dyn Backend) -> anyhow::Result<()> {
    let memo = memo_path(dir);
    std::fs::create_dir_all(memo.parent().expect("memo dir"))?;
    let path = backend.describe().strip_prefix("local state at ").map(str::to_string);
    std::fs::write(&memo, serde_json::to_vec_pretty(&serde_json::json!({"describe": backend.describe(), "local_path": path}))?)?;
    Ok(())
}

pub fn run(env: &Env, a: InitArgs) -> anyhow::Result<ExitCode> {
    let (config, diags) = drinfra::config::load(&env.dir);
    if diags.has_errors() {
        super::engine::show_diags(env, &config.sources, &diags);
        return Ok(ExitCode::from(1));
    }
    let backend = select::backend_for(&config, &env.dir, &env.vars).map_err(|d| anyhow::anyhow!("{}: {}", d.summary, d.detail.unwrap_or_default()))?;
    let memo = memo_path(&env.dir);
    let prev: Option<serde_json::Value> = std::fs::read_to_string(&memo).ok().and_then(|t| serde_json::from_str(&t).ok());
    let changed = prev.as_ref().is_some_and(|p| p["describe"].as_str() != Some(backend.describe().as_str()));
    if !changed {
        remember(&env.dir, backend.as_ref())?;
        println!("Initialised: {}.", backend.describe());
        return Ok(ExitCode::SUCCESS);
    }
    let prev = prev.expect("changed implies a previous backend");
    if !a.migrate_state {
        bail!("the backend changed from {} to {}; run `drinfra init --migrate-state` to copy the state", prev["describe"].as_str().unwrap_or("?"), backend.describe());
    }
    let old_path = prev["local_path"].as_str().map(PathBuf::from).context("only state from a local backend can be migrated by this version")?;
    let cipher = drinfra::state::crypto::Cipher::from_env(&env.vars)?;
    let old = LocalBackend::new(&old_path).with_cipher(cipher);
    let Some(mut state) = old.load()? else {
        remember(&env.dir, backend.as_ref())?;
        println!("No state in the old backend; now using {}.", backend.describe());
        return Ok(ExitCode::SUCCESS);
    };
    if let Some(existing) = backend.load()? {
        if existing.lineage != state.lineage || existing.serial > state.serial {
            bail!("{} already holds a different state (lineage {}, serial {}); move it aside first", backend.describe(), existing.lineage, existing.serial);
        }
    }
    // Keep the old state as a backup beside it.
    let mut backup = old_path.as_os_str().to_owned();
    backup.push(".pre-migration.backup");
    std::fs::copy(&old_path, PathBuf::from(&backup)).with_context(|| format!("cannot back up {}", old_path.display()))?;
    state.serial += 1;
    backend.append(&[Record { serial: state.serial, change: Change::Replace(Box::new(state.clone())) }])?;
    backend.compact(&state)?;
    remember(&env.dir, backend.as_ref())?;
    println!("Migrated {} resource(s) from {} to {} (backup: {}).", state.resources.len(), old_path.display(), backend.describe(), PathBuf::from(backup).display());
    Ok(ExitCode::SUCCESS)
}

//! `drinfra init [--migrate-state]`: remembers which backend a stack uses,
//! and moves the state when the backend block changes.

use std::path::PathBuf;

use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::Args;

use super::Env;
use drinfra::state::lock::LockInfo;
use drinfra::state::select::BackendSpec;
use drinfra::state::{Backend, Change, Record, select};

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
pub fn check_unchanged(
    dir: &std::path::Path,
    backend: &dyn Backend,
    spec: Option<&BackendSpec>,
) -> anyhow::Result<()> {
    let memo = memo_path(dir);
    match std::fs::read_to_string(&memo) {
        Ok(prev) => {
            let prev: serde_json::Value = serde_json::from_str(&prev).unwrap_or_default();
            if changed(&prev, backend, spec) {
                bail!(
                    "the backend changed (was {}, now {}): run `drinfra init --migrate-state` to move the state, so nothing is lost",
                    prev["describe"].as_str().unwrap_or("?"),
                    backend.describe()
                );
            }
        }
        Err(_) => remember(dir, backend, spec)?,
    }
    Ok(())
}

/// Whether the backend differs from the one remembered. The configured
/// spec is compared when it was remembered, so moving or re-cloning the
/// stack to another path (a CI workspace) is not a change.
fn changed(prev: &serde_json::Value, backend: &dyn Backend, spec: Option<&BackendSpec>) -> bool {
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

fn remember(
    dir: &std::path::Path,
    backend: &dyn Backend,
    spec: Option<&BackendSpec>,
) -> anyhow::Result<()> {
    let memo = memo_path(dir);
    std::fs::create_dir_all(memo.parent().expect("memo dir"))?;
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
fn previous_spec(prev: &serde_json::Value) -> Option<BackendSpec> {
    if let Some(spec) = prev.get("spec").filter(|s| !s.is_null()) {
        return serde_json::from_value(spec.clone()).ok();
    }
    prev["local_path"].as_str().map(|p| BackendSpec {
        kind: "local".into(),
        args: [("path".to_string(), p.to_string())].into(),
    })
}

pub fn run(env: &Env, a: InitArgs) -> anyhow::Result<ExitCode> {
    let (config, diags) = drinfra::config::load(&env.dir);
    if diags.has_errors() {
        super::engine::show_diags(env, &config.sources, &diags);
        return Ok(ExitCode::from(1));
    }
    let fail = |d: drinfra::diag::Diagnostic| {
        anyhow::anyhow!("{}: {}", d.summary, d.detail.unwrap_or_default())
    };
    let spec = select::spec_for(&config, &env.dir).map_err(fail)?;
    let backend = select::open(spec.as_ref(), &env.dir, &env.vars).map_err(fail)?;
    let memo = memo_path(&env.dir);
    let prev: Option<serde_json::Value> = std::fs::read_to_string(&memo)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    if !prev
        .as_ref()
        .is_some_and(|p| changed(p, backend.as_ref(), spec.as_ref()))
    {
        remember(&env.dir, backend.as_ref(), spec.as_ref())?;
        println!("Initialised: {}.", backend.describe());
        return Ok(ExitCode::SUCCESS);
    }
    let prev = prev.expect("changed implies a previous backend");
    if !a.migrate_state {
        bail!(
            "the backend changed from {} to {}; run `drinfra init --migrate-state` to copy the state",
            prev["describe"].as_str().unwrap_or("?"),
            backend.describe()
        );
    }
    // Secrets of the old backend come from the environment (ARM_ACCESS_KEY,
    // ARM_SAS_TOKEN, PG_CONN_STR): they are never remembered on disk.
    let old_spec = previous_spec(&prev);
    let old = select::open(old_spec.as_ref(), &env.dir, &env.vars).map_err(|d| {
        anyhow::anyhow!(
            "cannot open the previous backend ({}): {}: {}",
            prev["describe"].as_str().unwrap_or("?"),
            d.summary,
            d.detail.unwrap_or_default()
        )
    })?;
    // Both sides stay locked while the state moves.
    let info = LockInfo::for_operation("init -migrate-state", &old.describe(), &env.vars)?;
    old.lock(&info)
        .with_context(|| format!("cannot lock {}", old.describe()))?;
    let result = (|| -> anyhow::Result<Option<usize>> {
        let info_new =
            LockInfo::for_operation("init -migrate-state", &backend.describe(), &env.vars)?;
        backend
            .lock(&info_new)
            .with_context(|| format!("cannot lock {}", backend.describe()))?;
        let moved = (|| -> anyhow::Result<Option<usize>> {
            let Some(mut state) = old.load()? else {
                return Ok(None);
            };
            if let Some(existing) = backend.load()?
                && (existing.lineage != state.lineage || existing.serial > state.serial)
            {
                bail!(
                    "{} already holds a different state (lineage {}, serial {}); move it aside first",
                    backend.describe(),
                    existing.lineage,
                    existing.serial
                );
            }
            // A local backup of what is being moved, sealed like the state.
            let backup = memo_path(&env.dir).with_file_name(format!(
                "pre-migration-{}-{}.tfstate",
                &state.lineage[..8.min(state.lineage.len())],
                state.serial
            ));
            let cipher = drinfra::state::crypto::Cipher::from_env(&env.vars)?;
            std::fs::write(&backup, cipher.seal(&serde_json::to_vec_pretty(&state)?)?)
                .with_context(|| format!("cannot write the backup {}", backup.display()))?;
            state.serial = state.next_serial()?;
            backend.append(&[Record {
                serial: state.serial,
                change: Change::Replace(Box::new(state.clone())),
            }])?;
            backend.compact(&state)?;
            let backup_notice = (!cipher.enabled() && state.holds_secrets()).then(|| {
                drinfra::state::UnencryptedSecrets {
                    what: format!("The backup {}", backup.display()),
                }
            });
            super::engine::notify_unencrypted(
                env,
                drinfra::state::unencrypted_notice(&state, backend.as_ref())
                    .or(backup_notice)
                    .as_ref(),
            );
            Ok(Some(state.resources.len()))
        })();
        let _ = backend.unlock(&info_new.id);
        moved
    })();
    let _ = old.unlock(&info.id);
    match result? {
        None => println!(
            "No state in the old backend; now using {}.",
            backend.describe()
        ),
        Some(n) => println!(
            "Migrated {n} resource(s) from {} to {}; the old copy is left in place and a backup is in {}.",
            old.describe(),
            backend.describe(),
            memo_path(&env.dir)
                .with_file_name("pre-migration-*")
                .display()
        ),
    }
    remember(&env.dir, backend.as_ref(), spec.as_ref())?;
    Ok(ExitCode::SUCCESS)
}

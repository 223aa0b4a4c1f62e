//! `init`: remembers which backend a stack uses, and moves the state when
//! the backend block changes (`--migrate-state`).

use std::path::PathBuf;

use super::memo::{changed, memo_path, previous_spec, remember};
use crate::state::lock::LockInfo;
use crate::state::select;
use crate::state::{Backend, Change, Record};

use super::error::{Error, Result, Stop};
use super::event::{Event, Events};

#[derive(Debug, Clone)]
pub struct InitOptions {
    pub dir: PathBuf,
    pub env: Vec<(String, String)>,
    /// Copy the state from the previous backend to the new one.
    pub migrate_state: bool,
    /// Fetch modules again even where the installed ones still match.
    pub upgrade: bool,
}

/// What `init` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitOutcome {
    /// The backend is remembered (it had not changed).
    Initialised { backend: String },
    /// The backend changed; the old one held no state.
    NothingToMigrate { backend: String },
    /// `resources` instances moved from `from` to `to`; a backup of what
    /// moved was written next to the memo (`backups`, a glob).
    Migrated {
        resources: usize,
        from: String,
        to: String,
        backups: PathBuf,
    },
}

/// Remembers the stack's backend; with `migrate_state`, moves the state
/// from the previous backend when it changed.
pub fn init(opts: &InitOptions, events: Events<'_>) -> Result<InitOutcome> {
    // Modules first: loading needs them installed.
    for m in super::modules::install(&opts.dir, opts.upgrade)? {
        events(Event::ModuleInstalled(&m));
    }
    let (config, diags) = crate::config::load(&opts.dir);
    if diags.has_errors() {
        events(Event::Diagnostics {
            diags: &diags,
            sources: &config.sources,
        });
        return Err(Error::Stopped(Stop::LoadFailed));
    }
    let fail = |d: crate::diag::Diagnostic| {
        Error::Refused(format!("{}: {}", d.summary, d.detail.unwrap_or_default()))
    };
    let spec = select::spec_for(&config, &opts.dir).map_err(fail)?;
    let backend = select::open(spec.as_ref(), &opts.dir, &opts.env).map_err(fail)?;
    let prev: Option<serde_json::Value> = std::fs::read_to_string(memo_path(&opts.dir))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let prev = match prev {
        Some(p) if changed(&p, backend.as_ref(), spec.as_ref()) => p,
        _ => {
            remember(&opts.dir, backend.as_ref(), spec.as_ref())?;
            return Ok(InitOutcome::Initialised {
                backend: backend.describe(),
            });
        }
    };
    if !opts.migrate_state {
        return Err(Error::Refused(format!(
            "the backend changed from {} to {}; run `drinfra init --migrate-state` to copy the state",
            prev["describe"].as_str().unwrap_or("?"),
            backend.describe()
        )));
    }
    // Secrets of the old backend come from the environment (ARM_ACCESS_KEY,
    // ARM_SAS_TOKEN, PG_CONN_STR): they are never remembered on disk.
    let old_spec = previous_spec(&prev);
    let old = select::open(old_spec.as_ref(), &opts.dir, &opts.env).map_err(|d| {
        Error::Refused(format!(
            "cannot open the previous backend ({}): {}: {}",
            prev["describe"].as_str().unwrap_or("?"),
            d.summary,
            d.detail.unwrap_or_default()
        ))
    })?;
    // Both sides stay locked while the state moves.
    let info = LockInfo::for_operation("init -migrate-state", &old.describe(), &opts.env)?;
    old.lock(&info)
        .map_err(|e| Error::from(e).context(format!("cannot lock {}", old.describe())))?;
    let result = (|| -> Result<Option<usize>> {
        let info_new =
            LockInfo::for_operation("init -migrate-state", &backend.describe(), &opts.env)?;
        backend
            .lock(&info_new)
            .map_err(|e| Error::from(e).context(format!("cannot lock {}", backend.describe())))?;
        let moved = migrate(opts, old.as_ref(), backend.as_ref(), events);
        let _ = backend.unlock(&info_new.id);
        moved
    })();
    let _ = old.unlock(&info.id);
    let outcome = match result? {
        None => InitOutcome::NothingToMigrate {
            backend: backend.describe(),
        },
        Some(resources) => InitOutcome::Migrated {
            resources,
            from: old.describe(),
            to: backend.describe(),
            backups: memo_path(&opts.dir).with_file_name("pre-migration-*"),
        },
    };
    remember(&opts.dir, backend.as_ref(), spec.as_ref())?;
    Ok(outcome)
}

/// Copies the state from `old` to `new` (both locked), with a local
/// backup; the number of resources moved, or None when `old` is empty.
fn migrate(
    opts: &InitOptions,
    old: &dyn Backend,
    new: &dyn Backend,
    events: Events<'_>,
) -> Result<Option<usize>> {
    let Some(mut state) = old.load()? else {
        return Ok(None);
    };
    if let Some(existing) = new.load()?
        && (existing.lineage != state.lineage || existing.serial > state.serial)
    {
        return Err(Error::Refused(format!(
            "{} already holds a different state (lineage {}, serial {}); move it aside first",
            new.describe(),
            existing.lineage,
            existing.serial
        )));
    }
    // A local backup of what is being moved, sealed like the state.
    let backup = memo_path(&opts.dir).with_file_name(format!(
        "pre-migration-{}-{}.tfstate",
        state.lineage.get(..8).unwrap_or(&state.lineage),
        state.serial
    ));
    let cipher = crate::state::crypto::Cipher::from_env(&opts.env)?;
    std::fs::write(&backup, cipher.seal(&serde_json::to_vec_pretty(&state)?)?).map_err(|e| {
        Error::File {
            what: format!("cannot write the backup {}", backup.display()),
            source: e,
        }
    })?;
    state.serial = state.next_serial()?;
    new.append(&[Record {
        serial: state.serial,
        change: Change::Replace(Box::new(state.clone())),
    }])?;
    new.compact(&state)?;
    let backup_notice =
        (!cipher.enabled() && state.holds_secrets()).then(|| crate::state::UnencryptedSecrets {
            what: format!("The backup {}", backup.display()),
        });
    if let Some(n) = crate::state::unencrypted_notice(&state, new).or(backup_notice) {
        events(Event::Unencrypted(&n));
    }
    Ok(Some(state.resources.len()))
}

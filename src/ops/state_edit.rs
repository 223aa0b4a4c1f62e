//! The `state` subcommands that change the state (`rm`, `mv`, `push`),
//! each under the state lock, and opening a stack's backend for those
//! that only read it.

use std::path::Path;
use std::time::Duration;

use crate::state::lock::{self, LockInfo};
use crate::state::{Backend, Change, Record, State, select};

use super::error::{Error, Result, Stop};
use super::event::{Event, Events};

/// The backend the stack in `dir` configures (no lock taken).
pub fn open_backend(
    dir: &Path,
    env: &[(String, String)],
    events: Events<'_>,
) -> Result<Box<dyn Backend>> {
    let (config, diags) = crate::config::load(dir);
    if diags.has_errors() {
        events(Event::Diagnostics {
            diags: &diags,
            sources: &config.sources,
        });
        return Err(Error::Stopped(Stop::LoadFailed));
    }
    select::backend_for(&config, dir, env).map_err(|d| {
        let mut ds = crate::diag::Diagnostics::default();
        ds.push(d);
        events(Event::Diagnostics {
            diags: &ds,
            sources: &config.sources,
        });
        Error::Stopped(Stop::Unusable)
    })
}

/// The recorded state, or a new empty one.
pub fn load(b: &dyn Backend) -> Result<State> {
    Ok(State::or_new(b.load()?)?)
}

/// How to take the lock for an edit.
#[derive(Debug, Clone)]
pub struct EditOptions {
    pub env: Vec<(String, String)>,
    pub lock_timeout: Duration,
}

/// Runs `f` under the state lock, released whatever happens.
fn locked<T>(
    b: &dyn Backend,
    opts: &EditOptions,
    op: &str,
    f: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let info = LockInfo::for_operation(op, &b.describe(), &opts.env)?;
    lock::acquire(b, &info, opts.lock_timeout, &mut |_| {}, &mut |_| {})?;
    let result = f();
    b.unlock(&info.id)?;
    result
}

/// Writes the state as `edit` leaves it, as a new serial under the lock.
fn rewrite(
    b: &dyn Backend,
    opts: &EditOptions,
    op: &str,
    events: Events<'_>,
    edit: impl FnOnce(&mut State) -> Result<()>,
) -> Result<()> {
    locked(b, opts, op, || {
        let mut state = load(b)?;
        edit(&mut state)?;
        state.serial = state.next_serial()?;
        b.append(&[Record {
            serial: state.serial,
            change: Change::Replace(Box::new(state.clone())),
        }])?;
        b.compact(&state)?;
        if let Some(n) = crate::state::unencrypted_notice(&state, b) {
            events(Event::Unencrypted(&n));
        }
        Ok(())
    })
}

/// Whether `key` is `addr`, one of its instances, or under it.
fn under(key: &str, addr: &str) -> bool {
    key == addr || key.starts_with(&format!("{addr}[")) || key.starts_with(&format!("{addr}."))
}

/// `state rm`: forgets instances (the real objects are left alone);
/// the number removed. Each address must match something.
pub fn rm(
    b: &dyn Backend,
    addresses: &[String],
    opts: &EditOptions,
    events: Events<'_>,
) -> Result<usize> {
    let mut removed = 0;
    rewrite(b, opts, "state rm", events, |s| {
        for a in addresses {
            let before = s.resources.len();
            s.resources.retain(|k, _| !under(k, a));
            if s.resources.len() == before {
                return Err(Error::Refused(format!(
                    "no instance matches {a:?}; nothing was changed"
                )));
            }
            removed += before - s.resources.len();
        }
        Ok(())
    })?;
    Ok(removed)
}

/// `state mv`: renames an instance, or every instance under a prefix; the
/// number moved.
pub fn mv(
    b: &dyn Backend,
    source: &str,
    destination: &str,
    opts: &EditOptions,
    events: Events<'_>,
) -> Result<usize> {
    let mut moved = 0;
    rewrite(b, opts, "state mv", events, |s| {
        let matching: Vec<String> = s
            .resources
            .keys()
            .filter(|k| under(k, source))
            .cloned()
            .collect();
        if matching.is_empty() {
            return Err(Error::Refused(format!(
                "no instance matches {source:?}; nothing was changed"
            )));
        }
        for old in matching {
            let new = format!(
                "{destination}{}",
                old.get(source.len()..).unwrap_or_default()
            );
            if s.resources.contains_key(&new) {
                return Err(Error::Refused(format!(
                    "{new} already exists in the state; nothing was changed"
                )));
            }
            let Some(mut rs) = s.resources.remove(&old) else {
                continue;
            };
            rs.address = new.clone();
            if let Ok(a) = new.parse::<crate::addrs::AbsResourceInstance>() {
                rs.module = a.module.to_string();
                rs.name = a.resource.name;
            }
            s.resources.insert(new, rs);
            moved += 1;
        }
        Ok(())
    })?;
    Ok(moved)
}

/// `state push`: replaces the state with `pushed` (same lineage, not
/// older, unless `force`); the serial it was written as.
pub fn push(
    b: &dyn Backend,
    pushed: &State,
    force: bool,
    opts: &EditOptions,
    events: Events<'_>,
) -> Result<u64> {
    locked(b, opts, "state push", || {
        let current = b.load()?;
        if let Some(cur) = &current {
            if cur.lineage != pushed.lineage && !force {
                return Err(Error::Refused(format!(
                    "refusing to push: lineage {} differs from the current state's {} (a different stack's state?); use --force to replace it anyway",
                    pushed.lineage, cur.lineage
                )));
            }
            if pushed.serial < cur.serial && !force {
                return Err(Error::Refused(format!(
                    "refusing to push: serial {} is older than the current state's {}; use --force to go back",
                    pushed.serial, cur.serial
                )));
            }
        }
        let mut next = pushed.clone();
        // A forced push of another lineage starts that lineage's own count.
        next.serial = match &current {
            Some(c) if c.lineage == pushed.lineage => c.next_serial()?.max(pushed.serial),
            _ => pushed.serial,
        };
        b.append(&[Record {
            serial: next.serial,
            change: Change::Replace(Box::new(next.clone())),
        }])?;
        b.compact(&next)?;
        if let Some(n) = crate::state::unencrypted_notice(&next, b) {
            events(Event::Unencrypted(&n));
        }
        Ok(next.serial)
    })
}

/// Reads a state file for `push` (sealed ones decrypted with `env`'s key).
pub fn read_state_file(path: &Path, env: &[(String, String)]) -> Result<State> {
    let raw = std::fs::read(path).map_err(|source| Error::File {
        what: format!("cannot read {}", path.display()),
        source,
    })?;
    let cipher = crate::state::crypto::Cipher::from_env(env)?;
    Ok(crate::state::decode_snapshot(
        &raw,
        &cipher,
        &path.display().to_string(),
    )?)
}

/// `taint` (`mark`) or `untaint`: marks an instance for replacement at the
/// next plan, or clears the mark. `Ok(false)`: no such instance and
/// `allow_missing` (nothing written).
pub fn set_tainted(
    b: &dyn Backend,
    address: &str,
    mark: bool,
    allow_missing: bool,
    opts: &EditOptions,
    events: Events<'_>,
) -> Result<bool> {
    if allow_missing && !load(b)?.resources.contains_key(address) {
        return Ok(false);
    }
    let op = if mark { "taint" } else { "untaint" };
    rewrite(b, opts, op, events, |s| {
        if !s.resources.contains_key(address) {
            return Err(Error::Refused(format!(
                "no resource instance {address:?} in the state; nothing was changed"
            )));
        }
        if !mark && !s.tainted.contains(address) {
            return Err(Error::Refused(format!(
                "resource instance {address} is not tainted; nothing was changed"
            )));
        }
        if mark {
            s.tainted.insert(address.to_string());
        } else {
            s.tainted.remove(address);
        }
        Ok(())
    })?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::LocalBackend;

    fn resource(address: &str) -> crate::state::ResourceState {
        serde_json::from_value(serde_json::json!({
            "address": address, "mode": "managed", "type": "terraform_data",
            "name": address.rsplit('.').next().unwrap().split('[').next().unwrap(),
            "provider": "p", "attributes": {}
        }))
        .unwrap()
    }

    fn backend(dir: &Path, addresses: &[&str]) -> LocalBackend {
        let b = LocalBackend::new(dir.join("s.tfstate"));
        let mut state = State::or_new(None).unwrap();
        for a in addresses {
            state.resources.insert(a.to_string(), resource(a));
        }
        state.serial = 1;
        b.append(&[Record {
            serial: 1,
            change: Change::Replace(Box::new(state.clone())),
        }])
        .unwrap();
        b.compact(&state).unwrap();
        b
    }

    fn opts() -> EditOptions {
        EditOptions {
            env: vec![],
            lock_timeout: Duration::ZERO,
        }
    }

    #[test]
    fn rm_forgets_instances_under_an_address_and_refuses_unknown_ones() {
        let dir = tempfile::tempdir().unwrap();
        let b = backend(
            dir.path(),
            &[
                "terraform_data.a[0]",
                "terraform_data.a[1]",
                "terraform_data.b",
            ],
        );
        let removed = rm(&b, &["terraform_data.a".into()], &opts(), &mut |_| {}).unwrap();
        assert_eq!(removed, 2);
        let state = load(&b).unwrap();
        assert_eq!(
            state.resources.keys().collect::<Vec<_>>(),
            vec!["terraform_data.b"]
        );
        assert_eq!(state.serial, 2);
        let e = rm(&b, &["terraform_data.zz".into()], &opts(), &mut |_| {}).unwrap_err();
        assert!(matches!(e, Error::Refused(_)), "{e}");
        assert!(b.lock_holder().unwrap().is_none(), "the lock is released");
    }

    #[test]
    fn mv_renames_instances_and_their_module_and_name() {
        let dir = tempfile::tempdir().unwrap();
        let b = backend(dir.path(), &["terraform_data.a", "terraform_data.b"]);
        let moved = mv(
            &b,
            "terraform_data.a",
            "module.m.terraform_data.c",
            &opts(),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(moved, 1);
        let state = load(&b).unwrap();
        let rs = &state.resources["module.m.terraform_data.c"];
        assert_eq!((rs.module.as_str(), rs.name.as_str()), ("module.m", "c"));
        let e = mv(
            &b,
            "terraform_data.b",
            "module.m.terraform_data.c",
            &opts(),
            &mut |_| {},
        )
        .unwrap_err();
        assert!(e.to_string().contains("already exists"), "{e}");
    }

    #[test]
    fn push_refuses_another_lineage_or_an_older_serial_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let b = backend(dir.path(), &["terraform_data.a"]);
        let mut older = load(&b).unwrap();
        older.serial = 0;
        let e = push(&b, &older, false, &opts(), &mut |_| {}).unwrap_err();
        assert!(e.to_string().contains("older"), "{e}");
        let mut other = State::or_new(None).unwrap();
        other.serial = 5;
        let e = push(&b, &other, false, &opts(), &mut |_| {}).unwrap_err();
        assert!(e.to_string().contains("lineage"), "{e}");
        assert_eq!(push(&b, &other, true, &opts(), &mut |_| {}).unwrap(), 5);
        assert_eq!(load(&b).unwrap().lineage, other.lineage);
    }
}

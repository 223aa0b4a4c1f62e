//! `workspace new/select/list/show/delete`, as Terraform's. The selection
//! is written to `.drinfra/environment`; `TF_WORKSPACE` overrides it (and
//! then `select` is refused, as Terraform refuses it).

use std::path::Path;

use crate::config::workspace::{self, DEFAULT};
use crate::state::Backend;
use crate::state::select::{self, BackendSpec, DEFAULT_STATE_FILE, TERRAFORM_STATE_FILE};

use super::error::{Error, Result};

/// The stack's backend spec (None: the default local file).
fn spec(dir: &Path) -> Result<Option<BackendSpec>> {
    let (config, diags) = crate::config::load(dir);
    if let Some(d) = diags.errors().next() {
        return Err(Error::Refused(format!(
            "the configuration cannot be loaded: {}",
            d.summary
        )));
    }
    select::spec_for(&config, dir)
        .map_err(|d| Error::Refused(format!("{}: {}", d.summary, d.detail.unwrap_or_default())))
}

/// The backend as it stands for workspace `name`.
fn backend(dir: &Path, env: &[(String, String)], name: &str) -> Result<Box<dyn Backend>> {
    let mut env: Vec<(String, String)> = env
        .iter()
        .filter(|(k, _)| k != "TF_WORKSPACE")
        .cloned()
        .collect();
    env.push(("TF_WORKSPACE".into(), name.into()));
    select::open(spec(dir)?.as_ref(), dir, &env)
        .map_err(|d| Error::Refused(format!("{}: {}", d.summary, d.detail.unwrap_or_default())))
}

fn check_name(name: &str) -> Result<()> {
    if workspace::valid_name(name) {
        Ok(())
    } else {
        Err(Error::Refused(format!(
            "{name:?} is not a valid workspace name: use letters, digits, '-', '_', '.' and '~'"
        )))
    }
}

/// The local state files' directories that hold workspaces.
fn local_files(spec: Option<&BackendSpec>) -> Option<Vec<String>> {
    match spec {
        None => Some(vec![DEFAULT_STATE_FILE.into(), TERRAFORM_STATE_FILE.into()]),
        Some(s) if s.kind == "local" => {
            let path = s
                .args
                .get("path")
                .map(String::as_str)
                .unwrap_or(DEFAULT_STATE_FILE);
            Some(vec![
                Path::new(path)
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_else(|| DEFAULT_STATE_FILE.into()),
            ])
        }
        Some(_) => None,
    }
}

/// Every workspace, `default` first, then by name.
pub fn list(dir: &Path, env: &[(String, String)]) -> Result<Vec<String>> {
    let spec = spec(dir)?;
    let Some(files) = local_files(spec.as_ref()) else {
        return Err(Error::Refused(format!(
            "workspace list is not supported for the {} backend yet: `workspace select NAME` and `workspace show` work, and each workspace's state is kept where Terraform keeps it",
            spec.map(|s| s.kind).unwrap_or_default()
        )));
    };
    let mut names = std::collections::BTreeSet::new();
    for f in files {
        if let Ok(entries) = std::fs::read_dir(dir.join(format!("{f}.d"))) {
            for e in entries.flatten() {
                if e.path().is_dir() {
                    names.insert(e.file_name().to_string_lossy().into_owned());
                }
            }
        }
    }
    let current = workspace::current(dir, env);
    names.insert(current);
    names.remove(DEFAULT);
    Ok(std::iter::once(DEFAULT.to_string()).chain(names).collect())
}

/// Whether workspace `name` exists: it is `default`, has a directory
/// (local), or holds a state.
fn exists(dir: &Path, env: &[(String, String)], name: &str) -> Result<bool> {
    if name == DEFAULT {
        return Ok(true);
    }
    let spec = spec(dir)?;
    if let Some(files) = local_files(spec.as_ref())
        && files
            .iter()
            .any(|f| select::workspace_dir(dir, f, name).is_dir())
    {
        return Ok(true);
    }
    Ok(backend(dir, env, name)?.load()?.is_some())
}

fn refuse_override(env: &[(String, String)]) -> Result<()> {
    match workspace::from_env(env) {
        Some(w) => Err(Error::Refused(format!(
            "the selected workspace is currently overridden by the TF_WORKSPACE environment variable ({w}); unset it to select another"
        ))),
        None => Ok(()),
    }
}

fn write_selection(dir: &Path, name: &str) -> Result<()> {
    let f = workspace::selection_file(dir);
    std::fs::create_dir_all(dir.join(".drinfra"))?;
    std::fs::write(&f, name).map_err(|source| Error::File {
        what: format!("cannot write {}", f.display()),
        source,
    })
}

/// `workspace new NAME`: creates it (empty) and selects it.
pub fn new(dir: &Path, env: &[(String, String)], name: &str) -> Result<()> {
    check_name(name)?;
    if exists(dir, env, name)? {
        return Err(Error::Refused(format!("workspace {name:?} already exists")));
    }
    if let Some(files) = local_files(spec(dir)?.as_ref())
        && let Some(f) = files.first()
    {
        let d = select::workspace_dir(dir, f, name);
        std::fs::create_dir_all(&d).map_err(|source| Error::File {
            what: format!("cannot create {}", d.display()),
            source,
        })?;
    }
    if workspace::from_env(env).is_none() {
        write_selection(dir, name)?;
    }
    Ok(())
}

/// `workspace select NAME` (`or_create`: `-or-create`).
pub fn select(dir: &Path, env: &[(String, String)], name: &str, or_create: bool) -> Result<()> {
    refuse_override(env)?;
    check_name(name)?;
    if !exists(dir, env, name)? {
        if or_create {
            return new(dir, env, name);
        }
        return Err(Error::Refused(format!(
            "workspace {name:?} doesn't exist; create it with `drinfra workspace new {name}`"
        )));
    }
    write_selection(dir, name)
}

/// `workspace delete NAME`: refused for `default`, the selected one, and
/// (without `force`) one whose state still records resources.
pub fn delete(dir: &Path, env: &[(String, String)], name: &str, force: bool) -> Result<()> {
    check_name(name)?;
    if name == DEFAULT {
        return Err(Error::Refused(
            "the default workspace cannot be deleted".into(),
        ));
    }
    if workspace::current(dir, env) == name {
        return Err(Error::Refused(format!(
            "workspace {name:?} is your active workspace: select another one first"
        )));
    }
    if !exists(dir, env, name)? {
        return Err(Error::Refused(format!("workspace {name:?} doesn't exist")));
    }
    let spec = spec(dir)?;
    let Some(files) = local_files(spec.as_ref()) else {
        return Err(Error::Refused(format!(
            "workspace delete is not supported for the {} backend yet; nothing was deleted",
            spec.map(|s| s.kind).unwrap_or_default()
        )));
    };
    let b = backend(dir, env, name)?;
    if let Some(st) = b.load()?
        && !st.resources.is_empty()
        && !force
    {
        return Err(Error::Refused(format!(
            "workspace {name:?} is not empty: its state records {} resource instance(s). Destroy them first, or delete with -force to forget them (the real objects are left)",
            st.resources.len()
        )));
    }
    if let Some(holder) = b.lock_holder()? {
        return Err(Error::Refused(format!(
            "workspace {name:?} is locked by {} ({})",
            holder.who, holder.operation
        )));
    }
    for f in files {
        let d = select::workspace_dir(dir, &f, name);
        if d.is_dir() {
            std::fs::remove_dir_all(&d).map_err(|source| Error::File {
                what: format!("cannot remove {}", d.display()),
                source,
            })?;
        }
    }
    Ok(())
}

//! `workspace new/select/list/show/delete`, as Terraform's. The selection
//! is written to `.drinfra/environment`; `TF_WORKSPACE` overrides it (and
//! then `select` is refused, as Terraform refuses it).

use std::path::Path;

use crate::config::workspace::{self, DEFAULT};
use crate::state::select::{self, BackendSpec, DEFAULT_STATE_FILE, TERRAFORM_STATE_FILE};
use crate::state::{Backend, LockInfo, State};

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
            "The workspace name {name:?} is not allowed. The name must contain only URL safe\ncharacters, contain no path separators, and not be an empty string."
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

/// Every workspace, `default` first, then by name (as Terraform lists
/// them): the local backends' workspace directories, the azurerm
/// backend's `<key>env:NAME` blobs, the pg backend's rows (drinfra's and
/// Terraform's).
pub fn list(dir: &Path, env: &[(String, String)]) -> Result<Vec<String>> {
    let spec = spec(dir)?;
    let mut names = std::collections::BTreeSet::new();
    match local_files(spec.as_ref()) {
        Some(files) => {
            for f in files {
                if let Ok(entries) = std::fs::read_dir(dir.join(format!("{f}.d"))) {
                    for e in entries.flatten() {
                        if e.path().is_dir() {
                            names.insert(e.file_name().to_string_lossy().into_owned());
                        }
                    }
                }
            }
        }
        None => {
            if let Some(spec) = &spec {
                names = select::remote_workspaces(spec, dir, env).map_err(refused)?;
            }
        }
    }
    let current = workspace::current(dir, env);
    names.insert(current);
    names.remove(DEFAULT);
    Ok(std::iter::once(DEFAULT.to_string()).chain(names).collect())
}

fn refused(d: crate::diag::Diagnostic) -> Error {
    Error::Refused(format!("{}: {}", d.summary, d.detail.unwrap_or_default()))
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
    if let Some(spec) = spec.as_ref().filter(|s| s.kind != "local")
        && select::remote_workspaces(spec, dir, env)
            .map_err(refused)?
            .contains(name)
    {
        return Ok(true);
    }
    Ok(backend(dir, env, name)?.load()?.is_some())
}

/// Terraform's message for a workspace that is not there.
fn missing(name: &str) -> Error {
    Error::Refused(format!(
        "Workspace {name:?} doesn't exist.\n\nYou can create this workspace with the \"new\" subcommand\nor include the \"-or-create\" flag with the \"select\" subcommand."
    ))
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
        return Err(Error::Refused(format!("Workspace {name:?} already exists")));
    }
    match local_files(spec(dir)?.as_ref()) {
        Some(files) => {
            if let Some(f) = files.first() {
                let d = select::workspace_dir(dir, f, name);
                std::fs::create_dir_all(&d).map_err(|source| Error::File {
                    what: format!("cannot create {}", d.display()),
                    source,
                })?;
            }
        }
        // As Terraform's remote backends: an empty state marks the
        // workspace as existing.
        None => {
            let b = backend(dir, env, name)?;
            let info = LockInfo::for_operation("workspace new", &b.describe(), env)?;
            b.lock(&info).map_err(Error::Locked)?;
            let written = State::new()
                .map_err(Error::from)
                .and_then(|s| b.compact(&s).map_err(Error::from));
            b.unlock(&info.id)?;
            written?;
        }
    }
    if workspace::from_env(env).is_none() {
        write_selection(dir, name)?;
    }
    Ok(())
}

/// `workspace select NAME` (`or_create`: `-or-create`).
/// Returns whether it created the workspace.
pub fn select(dir: &Path, env: &[(String, String)], name: &str, or_create: bool) -> Result<bool> {
    refuse_override(env)?;
    check_name(name)?;
    if !exists(dir, env, name)? {
        if or_create {
            return new(dir, env, name).map(|()| true);
        }
        return Err(missing(name));
    }
    write_selection(dir, name).map(|()| false)
}

/// `workspace delete NAME`, in Terraform's order: it must exist, not be
/// the selected one, not be `default`, and (without `force`) its state
/// must record no resources. Returns whether it recorded some.
pub fn delete(dir: &Path, env: &[(String, String)], name: &str, force: bool) -> Result<bool> {
    check_name(name)?;
    if !exists(dir, env, name)? {
        return Err(missing(name));
    }
    if workspace::current(dir, env) == name {
        return Err(Error::Refused(format!(
            "Workspace {name:?} is your active workspace.\n\nYou cannot delete the currently active workspace. Please switch\nto another workspace and try again."
        )));
    }
    if name == DEFAULT {
        return Err(Error::Refused("can't delete default state".into()));
    }
    let spec = spec(dir)?;
    let b = backend(dir, env, name)?;
    let tracked: Vec<String> = b
        .load()?
        .map(|st| st.resources.into_keys().collect())
        .unwrap_or_default();
    if !tracked.is_empty() && !force {
        return Err(Error::Refused(format!(
            "Workspace is not empty\n\nWorkspace {name:?} is currently tracking the following resource instances:\n{}\n\nDeleting this workspace would cause drinfra to lose track of any associated\nremote objects, which would then require you to delete them manually outside\nof drinfra. You should destroy these objects with drinfra before deleting\nthe workspace.\n\nIf you want to delete this workspace anyway, and have drinfra forget about\nthese managed objects, use the -force option to disable this safety check.",
            tracked
                .iter()
                .map(|a| format!("  - {a}"))
                .collect::<Vec<_>>()
                .join("\n")
        )));
    }
    if let Some(holder) = b.lock_holder()? {
        return Err(Error::Refused(format!(
            "workspace {name:?} is locked by {} ({})",
            holder.who, holder.operation
        )));
    }
    let Some(files) = local_files(spec.as_ref()) else {
        b.forget()?;
        return Ok(!tracked.is_empty());
    };
    for f in files {
        let d = select::workspace_dir(dir, &f, name);
        if d.is_dir() {
            std::fs::remove_dir_all(&d).map_err(|source| Error::File {
                what: format!("cannot remove {}", d.display()),
                source,
            })?;
        }
    }
    Ok(!tracked.is_empty())
}

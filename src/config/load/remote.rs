//! Where a module call's code is: a local call's directory beside its
//! caller, any other source's in the manifest `drinfra init` wrote (the
//! loader never fetches). A call whose installed module is missing or was
//! installed for another source or version says to run `drinfra init`.

use std::path::{Path, PathBuf};

use super::super::model::ModuleCall;
use super::{Loader, err};
use crate::config::modsource::{self, Manifest};

impl Loader {
    /// The directory of `call` (module key `key`) made in `dir`; None when
    /// it cannot be found (reported).
    pub(super) fn child_dir(
        &mut self,
        dir: &Path,
        key: &str,
        call: &ModuleCall,
    ) -> Option<PathBuf> {
        let Ok(source) = modsource::parse(&call.source) else {
            return None;
        };
        if source.is_local() {
            return Some(dir.join(&call.source));
        }
        let root = self.root.clone();
        let manifest = self
            .manifest
            .get_or_insert_with(|| Manifest::read(&root))
            .clone();
        let installed = manifest.as_ref().and_then(|m| m.get(key));
        let Some(installed) = installed else {
            self.diags.push(err(
                "Module not installed",
                format!("This module ({:?}) is not yet installed. Run \"drinfra init\" to install all modules required by this configuration.", call.source),
                call.source_span.clone(),
            ));
            return None;
        };
        if installed.source != call.source {
            self.diags.push(err(
                "Module source has changed",
                format!("The source address was changed since this module was installed ({:?} then). Run \"drinfra init\" to install all modules required by this configuration.", installed.source),
                call.source_span.clone(),
            ));
            return None;
        }
        if let Some((constraint, at)) = &call.version {
            let ok = installed
                .version
                .as_deref()
                .map(|v| crate::config::version::satisfies(v, constraint));
            match ok {
                Some(Ok(true)) => {}
                Some(Err(e)) => {
                    self.diags
                        .push(err("Invalid version constraint", e.to_string(), at.clone()));
                    return None;
                }
                _ => {
                    self.diags.push(err(
                        "Module version requirements have changed",
                        format!("The version requirement has changed since this module was installed ({} installed). Run \"drinfra init\" to install all modules required by this configuration.", installed.version.as_deref().unwrap_or("no version")),
                        at.clone(),
                    ));
                    return None;
                }
            }
        }
        Some(root.join(&installed.dir))
    }
}

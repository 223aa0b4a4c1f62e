//! `drinfra init`'s module installation: every module call whose source
//! is not a local path is fetched into `.drinfra/modules/KEY` (registry
//! modules through the module registry protocol, `git::` sources with the
//! `git` command as Terraform does, archives over HTTPS), and the
//! manifest `.drinfra/modules/modules.json` records what was installed.
//! Plans read only the manifest, so they run offline; a later `init`
//! reuses what is installed while the call's source and version
//! constraint still match (`upgrade` fetches again).

use std::path::{Path, PathBuf};

use crate::config::modsource::{self, CallSource, Installed, MODULES_DIR, Manifest, Source};

use super::error::{Error, Result};

mod archive;
mod git;
mod registry;

/// What one installation did, for the caller to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleInstall {
    pub key: String,
    pub source: String,
    pub version: Option<String>,
    /// Fetched now (false: reused from an earlier init).
    pub fetched: bool,
}

/// Module calls nest at most this deep (a cycle through remote modules
/// would otherwise never end).
const MAX_DEPTH: usize = 32;

struct Installer<'a> {
    root: PathBuf,
    old: Manifest,
    new: Manifest,
    upgrade: bool,
    rt: &'a tokio::runtime::Runtime,
    client: Option<reqwest::Client>,
    done: Vec<ModuleInstall>,
}

/// Installs the modules of the stack in `root`; writes the manifest.
pub fn install(root: &Path, upgrade: bool) -> Result<Vec<ModuleInstall>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // The root module's entry first, as Terraform's modules.json has it.
    let root_entry = Installed {
        key: String::new(),
        source: String::new(),
        version: None,
        dir: ".".into(),
        resolved: None,
    };
    let mut inst = Installer {
        root: root.to_path_buf(),
        old: Manifest::read(root).unwrap_or_default(),
        new: Manifest {
            modules: vec![root_entry],
        },
        upgrade,
        rt: &rt,
        client: None,
        done: Vec::new(),
    };
    inst.walk(root, "", 0)?;
    if inst.new.modules.len() == 1 && !root.join(modsource::MANIFEST).exists() {
        return Ok(inst.done);
    }
    // Modules no call installs any more are removed with the manifest's
    // entry for them.
    for gone in inst
        .old
        .modules
        .iter()
        .filter(|m| inst.new.get(&m.key).is_none())
    {
        let _ = std::fs::remove_dir_all(inst.module_dir(&gone.key));
    }
    std::fs::create_dir_all(root.join(MODULES_DIR))?;
    let text =
        serde_json::to_string_pretty(&inst.new).map_err(|e| Error::Refused(e.to_string()))?;
    let path = root.join(modsource::MANIFEST);
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text + "\n")?;
    std::fs::rename(&tmp, &path)?;
    Ok(inst.done)
}

impl Installer<'_> {
    fn module_dir(&self, key: &str) -> PathBuf {
        self.root.join(MODULES_DIR).join(key)
    }

    fn client(&mut self) -> Result<reqwest::Client> {
        if let Some(c) = &self.client {
            return Ok(c.clone());
        }
        let c = http_client()?;
        self.client = Some(c.clone());
        Ok(c)
    }

    fn walk(&mut self, dir: &Path, prefix: &str, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(Error::Refused(format!(
                "module calls nest more than {MAX_DEPTH} deep at {}: is there a cycle?",
                dir.display()
            )));
        }
        let calls = crate::config::load::calls_in(dir).map_err(|e| Error::File {
            what: format!("cannot read module directory {}", dir.display()),
            source: e,
        })?;
        for call in calls {
            let key = if prefix.is_empty() {
                call.name.clone()
            } else {
                format!("{prefix}.{}", call.name)
            };
            // A bad source is reported by loading, where it is written.
            let Ok(source) = modsource::parse(&call.source) else {
                continue;
            };
            if let Source::Local(rel) = &source {
                let child = dir.join(rel);
                if child.is_dir() {
                    self.walk(&child, &key, depth + 1)?;
                }
                continue;
            }
            let entry = self.install_one(&key, &call, &source).map_err(|e| {
                e.context(format!("installing module {key:?} from {:?}", call.source))
            })?;
            let child = self.root.join(&entry.dir);
            self.new.modules.push(entry);
            self.walk(&child, &key, depth + 1)?;
        }
        Ok(())
    }

    fn install_one(&mut self, key: &str, call: &CallSource, source: &Source) -> Result<Installed> {
        // Reuse what an earlier init installed for the same source and a
        // version the constraint still accepts.
        if !self.upgrade
            && let Some(prev) = self.old.get(key)
            && prev.source == call.source
            && self.root.join(&prev.dir).is_dir()
            && match (&call.version, &prev.version) {
                (Some(c), Some(v)) => crate::config::version::satisfies(v, c).unwrap_or(false),
                (Some(_), None) => false,
                (None, _) => true,
            }
        {
            self.done.push(ModuleInstall {
                key: key.into(),
                source: call.source.clone(),
                version: prev.version.clone(),
                fetched: false,
            });
            return Ok(prev.clone());
        }
        let dest = self.module_dir(key);
        if dest.exists() {
            std::fs::remove_dir_all(&dest)?;
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let (version, resolved, subdir) = match source {
            Source::Registry { .. } => {
                let client = self.client()?;
                let got = self.rt.block_on(registry::resolve(
                    &client,
                    source,
                    call.version.as_deref(),
                ))?;
                let inner = modsource::parse(&got.location).map_err(|e| {
                    Error::Refused(format!(
                        "the registry answered with a download location drinfra cannot fetch: {e}"
                    ))
                })?;
                let resolved = self.fetch(&inner, &dest)?;
                let sub = join_subdirs(inner.subdir(), source.subdir());
                (Some(got.version), Some(resolved), sub)
            }
            other => {
                let resolved = self.fetch(other, &dest)?;
                (None, Some(resolved), other.subdir().map(str::to_string))
            }
        };
        let rel = Path::new(MODULES_DIR).join(key);
        let dir = match &subdir {
            Some(s) => rel.join(s),
            None => rel,
        };
        if !self.root.join(&dir).is_dir() {
            return Err(Error::Refused(format!(
                "the fetched module has no directory {:?}",
                subdir.unwrap_or_default()
            )));
        }
        self.done.push(ModuleInstall {
            key: key.into(),
            source: call.source.clone(),
            version: version.clone(),
            fetched: true,
        });
        Ok(Installed {
            key: key.into(),
            source: call.source.clone(),
            version,
            dir: dir.to_string_lossy().replace('\\', "/"),
            resolved,
        })
    }

    /// Fetches a git or archive source into `dest`; what was fetched.
    fn fetch(&mut self, source: &Source, dest: &Path) -> Result<String> {
        match source {
            Source::Git {
                url,
                reference,
                depth,
                ..
            } => git::clone(url, reference.as_deref(), *depth, dest),
            Source::Archive { url, .. } => {
                let client = self.client()?;
                self.rt.block_on(archive::fetch(&client, url, dest))
            }
            Source::Registry { .. } => Err(Error::Refused(
                "a registry's download location names another registry module".into(),
            )),
            Source::Local(p) => Err(Error::Refused(format!(
                "a registry's download location is a local path ({p:?})"
            ))),
        }
    }
}

fn join_subdirs(a: Option<&str>, b: Option<&str>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a}/{b}")),
        (Some(x), None) | (None, Some(x)) => Some(x.to_string()),
        (None, None) => None,
    }
}

/// An HTTPS client trusting the platform's certificates (which honour
/// `SSL_CERT_FILE`, as Terraform's do on Linux).
fn http_client() -> Result<reqwest::Client> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_platform_verifier())
        .map_err(|e| Error::Refused(format!("TLS setup: {e}")))?
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .map_err(|e| Error::Refused(format!("HTTP client: {e}")))
}

/// An error's message with its causes.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(x) = src {
        s.push_str(": ");
        s.push_str(&x.to_string());
        src = x.source();
    }
    s
}

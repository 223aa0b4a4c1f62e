//! Module source addresses (`./local`, `NS/NAME/SYSTEM` from a registry,
//! `git::URL?ref=..`, `https://.../x.tar.gz`, each with an optional
//! `//subdir`) and the manifest of installed modules that `drinfra init`
//! writes to `.drinfra/modules/modules.json` (Terraform's
//! `.terraform/modules/modules.json` shape, plus what was resolved). The
//! loader reads only the manifest; fetching lives in `ops::modules`.

use std::path::{Path, PathBuf};

/// Where installed modules and their manifest live, under the stack.
pub const MODULES_DIR: &str = ".drinfra/modules";
pub const MANIFEST: &str = ".drinfra/modules/modules.json";

/// The public registry's host, when a registry source names none.
pub const DEFAULT_REGISTRY: &str = "registry.terraform.io";

/// A parsed module source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Local(String),
    Registry {
        host: String,
        namespace: String,
        name: String,
        system: String,
        subdir: Option<String>,
    },
    Git {
        /// The URL git clones (without `git::`, `ref` or `depth`).
        url: String,
        reference: Option<String>,
        depth: Option<u32>,
        subdir: Option<String>,
    },
    /// An archive over HTTP(S).
    Archive {
        url: String,
        subdir: Option<String>,
    },
}

impl Source {
    pub fn is_local(&self) -> bool {
        matches!(self, Source::Local(_))
    }

    pub fn is_registry(&self) -> bool {
        matches!(self, Source::Registry { .. })
    }

    /// The registry address without subdirectory (`HOST/NS/NAME/SYSTEM`).
    pub fn registry_address(&self) -> Option<String> {
        match self {
            Source::Registry {
                host,
                namespace,
                name,
                system,
                ..
            } => Some(format!("{host}/{namespace}/{name}/{system}")),
            _ => None,
        }
    }

    pub fn subdir(&self) -> Option<&str> {
        match self {
            Source::Local(_) => None,
            Source::Registry { subdir, .. }
            | Source::Git { subdir, .. }
            | Source::Archive { subdir, .. } => subdir.as_deref(),
        }
    }
}

/// `path//sub` into (`path`, `sub`); a `//` right after a URL scheme
/// (`https://`) is not a subdirectory separator.
fn split_subdir(s: &str) -> (String, Option<String>) {
    let (scheme_end, rest) = match s.find("://") {
        Some(i) => (i + 3, &s[i + 3..]),
        None => (0, s),
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    match path.find("//") {
        Some(i) => {
            let base = format!("{}{}", &s[..scheme_end], &path[..i]);
            let sub = path[i + 2..].trim_matches('/').to_string();
            let base = match query {
                Some(q) => format!("{base}?{q}"),
                None => base,
            };
            (base, (!sub.is_empty()).then_some(sub))
        }
        None => (s.to_string(), None),
    }
}

fn valid_part(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 64
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Parses a module source as Terraform reads it.
pub fn parse(source: &str) -> Result<Source, String> {
    let s = source.trim();
    if s.starts_with("./") || s.starts_with("../") || s == "." || s == ".." {
        return Ok(Source::Local(s.to_string()));
    }
    if s.starts_with('/') {
        return Err(format!(
            "{s:?}: a module source that is an absolute path is not allowed; Terraform takes local modules as relative paths starting with ./ or ../, or an address (registry, git::, https://)."
        ));
    }
    if let Some((forced, rest)) = s.split_once("::")
        && !forced.contains('/')
    {
        return match forced {
            "git" => git(rest),
            other => Err(format!(
                "{s:?}: the {other}:: module source is not supported by drinfra (it fetches registry, git:: and https archive sources)"
            )),
        };
    }
    for (prefix, host) in [("github.com/", "github.com"), ("gitlab.com/", "gitlab.com")] {
        if let Some(rest) = s.strip_prefix(prefix) {
            let (path, sub) = split_subdir(rest);
            let (path, query) = match path.split_once('?') {
                Some((p, q)) => (p.to_string(), format!("?{q}")),
                None => (path, String::new()),
            };
            let path = path.trim_end_matches(".git");
            let sub = sub.map(|x| format!("//{x}")).unwrap_or_default();
            return git(&format!("https://{host}/{path}.git{sub}{query}"));
        }
    }
    if s.starts_with("https://") || s.starts_with("http://") {
        let (url, subdir) = split_subdir(s);
        let plain = url.split('?').next().unwrap_or(&url).to_lowercase();
        let archive = [".zip", ".tar.gz", ".tgz"]
            .iter()
            .any(|e| plain.ends_with(e))
            || url.contains("archive=");
        if !archive {
            return Err(format!(
                "{s:?}: drinfra fetches https module sources that are archives (.tar.gz, .tgz, .zip); for a git repository write git::{s}"
            ));
        }
        return Ok(Source::Archive { url, subdir });
    }
    // A registry address: [HOST/]NAMESPACE/NAME/SYSTEM[//SUBDIR].
    let (addr, subdir) = split_subdir(s);
    let parts: Vec<&str> = addr.split('/').collect();
    let (host, rest) = match parts.len() {
        3 => (DEFAULT_REGISTRY.to_string(), &parts[..]),
        4 => (parts[0].to_lowercase(), &parts[1..]),
        _ => {
            return Err(format!(
                "{s:?} is not a module source: write a relative path (./ or ../), a registry address NAMESPACE/NAME/SYSTEM, git::URL or an https archive URL."
            ));
        }
    };
    if host.is_empty() || !host.contains(['.', ':']) && parts.len() == 4 {
        return Err(format!("{s:?}: {host:?} is not a registry host name"));
    }
    if !rest.iter().all(|p| valid_part(p)) {
        return Err(format!(
            "{s:?} is not a module registry address: its namespace, name and provider may hold letters, digits, '-' and '_' only."
        ));
    }
    Ok(Source::Registry {
        host,
        namespace: rest[0].to_string(),
        name: rest[1].to_string(),
        system: rest[2].to_lowercase(),
        subdir,
    })
}

/// `git::URL[//SUBDIR][?ref=R&depth=N]`.
fn git(rest: &str) -> Result<Source, String> {
    let (url, subdir) = split_subdir(rest);
    let (url, query) = match url.split_once('?') {
        Some((u, q)) => (u.to_string(), Some(q.to_string())),
        None => (url, None),
    };
    let mut reference = None;
    let mut depth = None;
    for pair in query
        .iter()
        .flat_map(|q| q.split('&'))
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "ref" if !v.is_empty() => reference = Some(v.to_string()),
            "depth" => {
                depth = Some(v.parse().ok().filter(|d| *d > 0).ok_or_else(|| {
                    format!("git::{rest}: depth must be a whole number at least 1, got {v:?}")
                })?)
            }
            "sshkey" => {
                return Err(format!(
                    "git::{rest}: the sshkey argument is not supported by drinfra; use an SSH agent"
                ));
            }
            other => {
                return Err(format!(
                    "git::{rest}: {other:?} is not an argument of a git source (ref, depth)"
                ));
            }
        }
    }
    if url.is_empty() {
        return Err("git:: needs a repository URL".into());
    }
    Ok(Source::Git {
        url,
        reference,
        depth,
        subdir,
    })
}

/// One installed module.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Installed {
    /// `a` or `a.b` (module call names from the root).
    #[serde(rename = "Key")]
    pub key: String,
    /// The source as the call writes it.
    #[serde(rename = "Source")]
    pub source: String,
    /// The registry version chosen.
    #[serde(rename = "Version", default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Its directory, relative to the stack (with any `//subdir`).
    #[serde(rename = "Dir")]
    pub dir: String,
    /// What was fetched: a git commit, or an archive's URL and SHA-256.
    #[serde(rename = "Resolved", default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    #[serde(rename = "Modules")]
    pub modules: Vec<Installed>,
}

impl Manifest {
    /// The manifest of the stack in `root`, if `init` wrote one.
    pub fn read(root: &Path) -> Option<Manifest> {
        let text = std::fs::read_to_string(root.join(MANIFEST)).ok()?;
        serde_json::from_str(&text).ok()
    }

    pub fn get(&self, key: &str) -> Option<&Installed> {
        self.modules.iter().find(|m| m.key == key)
    }

    /// The directory of installed module `key` under `root`.
    pub fn dir_of(&self, root: &Path, key: &str) -> Option<PathBuf> {
        self.get(key).map(|m| root.join(&m.dir))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse_as_terraform_reads_them() {
        assert_eq!(parse("./a").unwrap(), Source::Local("./a".into()));
        match parse("Azure/naming/azurerm").unwrap() {
            Source::Registry { host, system, .. } => {
                assert_eq!(host, "registry.terraform.io");
                assert_eq!(system, "azurerm");
            }
            other => panic!("{other:?}"),
        }
        match parse("localhost:8443/acme/net/azurerm//modules/vnet").unwrap() {
            Source::Registry { host, subdir, .. } => {
                assert_eq!(host, "localhost:8443");
                assert_eq!(subdir.as_deref(), Some("modules/vnet"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse("git::https://example.com/r.git//sub/dir?ref=v1.2.0&depth=1").unwrap(),
            Source::Git {
                url: "https://example.com/r.git".into(),
                reference: Some("v1.2.0".into()),
                depth: Some(1),
                subdir: Some("sub/dir".into()),
            }
        );
        match parse("github.com/acme/mods//x?ref=v1").unwrap() {
            Source::Git {
                url,
                reference,
                subdir,
                ..
            } => {
                assert_eq!(url, "https://github.com/acme/mods.git");
                assert_eq!(reference.as_deref(), Some("v1"));
                assert_eq!(subdir.as_deref(), Some("x"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse("git::file:///tmp/r").unwrap(),
            Source::Git { .. }
        ));
        assert!(matches!(
            parse("https://x.com/m.tar.gz//sub").unwrap(),
            Source::Archive {
                subdir: Some(_),
                ..
            }
        ));
        for bad in [
            "s3::https://b/x.zip",
            "/abs",
            "a/b",
            "https://x.com/page",
            "git::https://x/r?depth=0",
            "git::https://x/r?branch=a",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}

/// One `module` block as `init` needs it: name, source, version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSource {
    pub name: String,
    pub source: String,
    pub version: Option<String>,
}

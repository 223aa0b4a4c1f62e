//! Workspaces, as Terraform keeps them: the selected one is `TF_WORKSPACE`
//! when set, else the one `workspace select` wrote (`.drinfra/environment`,
//! or Terraform's `.terraform/environment` in a directory Terraform
//! initialised), else `default`. Configuration sees it as
//! `terraform.workspace`; each backend keeps workspaces apart the way
//! Terraform's does (`state::select`).

use std::path::{Path, PathBuf};

/// The workspace every stack has, which cannot be deleted.
pub const DEFAULT: &str = "default";

/// Where `workspace select` records the selection.
pub fn selection_file(dir: &Path) -> PathBuf {
    dir.join(".drinfra").join("environment")
}

/// `TF_WORKSPACE`, when set and not empty.
pub fn from_env(env: &[(String, String)]) -> Option<String> {
    env.iter()
        .find(|(k, _)| k == "TF_WORKSPACE")
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The selected workspace of the stack in `dir`.
pub fn current(dir: &Path, env: &[(String, String)]) -> String {
    if let Some(w) = from_env(env) {
        return w;
    }
    for f in [
        selection_file(dir),
        dir.join(".terraform").join("environment"),
    ] {
        if let Ok(t) = std::fs::read_to_string(&f) {
            let t = t.trim();
            if !t.is_empty() {
                return t.to_string();
            }
        }
    }
    DEFAULT.to_string()
}

/// Terraform's rule: a name that needs no escaping in a URL path (it
/// becomes part of a state file's path or a blob's name).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tf_workspace_wins_over_the_selection() {
        let dir = tempfile_dir();
        assert_eq!(current(&dir, &[]), "default");
        std::fs::create_dir_all(dir.join(".drinfra")).unwrap();
        std::fs::write(selection_file(&dir), "staging\n").unwrap();
        assert_eq!(current(&dir, &[]), "staging");
        let env = [("TF_WORKSPACE".to_string(), "prod".to_string())];
        assert_eq!(current(&dir, &env), "prod");
        assert!(valid_name("eu-west_1.x") && !valid_name("a/b") && !valid_name(""));
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn tempfile_dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "drinfra-ws-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}

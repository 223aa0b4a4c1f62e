//! `git::` sources through the `git` command, as Terraform fetches them:
//! a clone (shallow with `depth`), then a checkout of `ref`.

use std::path::Path;
use std::process::Command;

use super::super::error::{Error, Result};

fn run(args: &[&str], dir: Option<&Path>) -> Result<String> {
    let mut cmd = Command::new("git");
    cmd.args(args).env("GIT_TERMINAL_PROMPT", "0");
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let out = cmd.output().map_err(|e| Error::File {
        what: "cannot run git (drinfra fetches git:: module sources with the git command)".into(),
        source: e,
    })?;
    if !out.status.success() {
        return Err(Error::Refused(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Clones `url` at `reference` into `dest`; the commit checked out.
pub fn clone(
    url: &str,
    reference: Option<&str>,
    depth: Option<u32>,
    dest: &Path,
) -> Result<String> {
    let dest_text = dest.to_string_lossy().to_string();
    let depth_text = depth.map(|d| d.to_string());
    let mut args = vec!["clone", "--quiet"];
    if let Some(d) = &depth_text {
        // A shallow clone fetches the ref directly (a branch or tag).
        args.extend(["--depth", d]);
        if let Some(r) = reference {
            args.extend(["--branch", r]);
        }
    }
    args.extend(["--", url, &dest_text]);
    run(&args, None)?;
    if let (Some(r), None) = (reference, depth) {
        run(&["checkout", "--quiet", r], Some(dest))?;
    }
    run(&["rev-parse", "HEAD"], Some(dest))
}

//! `drinfra fmt`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::args::Env;
use drinfra::config::fmt::format_source;

#[derive(Args)]
pub struct FmtArgs {
    /// Do not write; exit 3 if any file is not in canonical layout.
    #[arg(long)]
    check: bool,
    /// Also format files in subdirectories.
    #[arg(long)]
    recursive: bool,
    /// Print a unified diff of each change.
    #[arg(long)]
    diff: bool,
    /// `-list=false`: do not print the names of the files changed.
    #[arg(long, action = clap::ArgAction::Set, require_equals = true, num_args = 0..=1, default_value = "true",
          default_missing_value = "true", value_parser = super::flags::bool_value,
          value_name = "BOOL")]
    list: bool,
    /// `-write=false`: do not rewrite the files.
    #[arg(long, action = clap::ArgAction::Set, require_equals = true, num_args = 0..=1, default_value = "true",
          default_missing_value = "true", value_parser = super::flags::bool_value,
          value_name = "BOOL")]
    write: bool,
    /// Files or directories (default: the current directory); `-` formats
    /// standard input to standard output.
    paths: Vec<PathBuf>,
}

/// `diff -u` of one file, with Terraform's `old/` and `new/` labels.
fn unified(shown: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("old/{shown}"), &format!("new/{shown}"))
        .to_string()
}

/// `fmt -`: standard input formatted to standard output.
fn run_stdin(a: &FmtArgs) -> anyhow::Result<ExitCode> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
    match format_source(&text) {
        Ok(out) => {
            if a.diff {
                print!("{}", unified("<stdin>", &text, &out));
            } else if !a.check {
                print!("{out}");
            }
            Ok(if a.check && out != text {
                ExitCode::from(3)
            } else {
                ExitCode::SUCCESS
            })
        }
        Err(e) => {
            eprintln!("<stdin>:{e}");
            Ok(ExitCode::from(2))
        }
    }
}

fn is_config(p: &Path) -> bool {
    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        n.ends_with(".tf")
            || n.ends_with(".tfvars")
            || (n.ends_with(".hcl") && !n.ends_with(".lock.hcl"))
    })
}

fn collect(p: &Path, recursive: bool, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if p.is_file() {
        out.push(p.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(p)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for e in entries {
        let hidden = e
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if e.is_dir() && recursive && !hidden {
            collect(&e, recursive, out)?;
        } else if e.is_file() && is_config(&e) {
            out.push(e);
        }
    }
    Ok(())
}

pub fn run(env: &Env, a: FmtArgs) -> anyhow::Result<ExitCode> {
    if a.paths.len() == 1 && a.paths[0] == Path::new("-") {
        return run_stdin(&a);
    }
    let roots = if a.paths.is_empty() {
        vec![env.dir.clone()]
    } else {
        a.paths.clone()
    };
    let mut files = Vec::new();
    for r in &roots {
        collect(r, a.recursive, &mut files)?;
    }
    let mut unformatted = 0;
    let mut errors = 0;
    for f in files {
        let text = std::fs::read_to_string(&f)?;
        let shown = f.strip_prefix(&env.dir).unwrap_or(&f).display().to_string();
        match format_source(&text) {
            Ok(out) if out != text => {
                unformatted += 1;
                if a.list {
                    println!("{shown}");
                }
                if a.diff {
                    print!("{}", unified(&shown, &text, &out));
                }
                if a.write && !a.check {
                    std::fs::write(&f, out)?;
                }
            }
            Ok(_) => {}
            Err(e) => {
                errors += 1;
                eprintln!("{shown}:{e}");
            }
        }
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else if a.check && unformatted > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

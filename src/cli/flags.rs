//! Terraform's flag spellings, turned into clap's before clap parses.
//!
//! Terraform parses flags with Go's `flag` package: `-name`, `--name`,
//! `-name=value` and `-name value` are all the same flag, and a boolean
//! takes its value only after `=` (`-lock=false`). drinfra's flags are
//! clap's `--name`. So before clap sees the command line, every argument
//! that looks like a flag with a name of two or more letters, with one dash
//! or two, is looked up among the long flags of the (sub)command it
//! follows and rewritten to clap's spelling; one of Terraform's flags that
//! drinfra deliberately lacks is refused with the reason, and any other is
//! an error in Terraform's words ("flag provided but not defined").
//!
//! clap's own short options stay as they are: a single dash followed by
//! one letter (`-C DIR`) is a short option; a single dash followed by two
//! or more letters is always a long flag (Terraform's reading), so short
//! options cannot be bundled or glued to their value (`-CDIR`).
//!
//! The rewritten command line is kept ([`args`]) for the flags whose
//! order matters (`-var` and `-var-file`).

use std::ffi::OsString;
use std::sync::OnceLock;

use clap::{Arg, ArgAction, Command};

/// A command line drinfra will not run, in Terraform's words.
#[derive(Debug, PartialEq, Eq)]
pub struct FlagError {
    /// The command the flag was given to (`plan`, `state rm`, ...).
    pub command: String,
    pub message: String,
}

impl FlagError {
    /// Terraform's diagnostic box, followed by its help pointer.
    pub fn render(&self) -> String {
        let help = if self.command.is_empty() {
            "drinfra -help".to_string()
        } else {
            format!("drinfra {} -help", self.command)
        };
        format!(
            "╷\n│ Error: Failed to parse command-line flags\n│ \n│ {}\n╵\n\nFor more help on using this command, run:\n  {help}\n",
            self.message.replace('\n', "\n│ ")
        )
    }
}

/// Terraform's flags that drinfra deliberately does not take, with why.
const REFUSED: &[(&str, &str)] = &[
    (
        "state",
        "drinfra keeps state only in the stack's backend (the `backend` block, or drinfra.tfstate in the stack); the legacy -state path is not supported",
    ),
    (
        "state-out",
        "drinfra writes state only to the stack's backend; the legacy -state-out path is not supported",
    ),
    (
        "backup",
        "drinfra's local backend keeps its own backup (drinfra.tfstate.backup); the legacy -backup path is not supported",
    ),
    (
        "generate-config-out",
        "drinfra does not generate configuration for import blocks; write the resource block yourself",
    ),
    (
        "plugin-dir",
        "drinfra's providers are built in; there are no plugins to find",
    ),
    (
        "from-module",
        "drinfra does not copy a module into an empty directory at init",
    ),
];

static ARGS: OnceLock<Vec<String>> = OnceLock::new();

/// The command line as clap parsed it (after [`normalize`]); the process's
/// own arguments when it was not normalised (unit tests).
pub fn args() -> Vec<String> {
    match ARGS.get() {
        Some(a) => a.clone(),
        None => std::env::args().collect(),
    }
}

/// Normalises `raw` for `cmd`, keeping the result for [`args`].
pub fn normalize_and_keep(cmd: Command, raw: Vec<OsString>) -> Result<Vec<OsString>, FlagError> {
    let out = normalize(cmd, raw)?;
    let _ = ARGS.set(
        out.iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
    );
    Ok(out)
}

/// Rewrites Terraform's flag spellings in `raw` (program name first) to
/// the ones clap parses for `cmd`.
pub fn normalize(mut cmd: Command, raw: Vec<OsString>) -> Result<Vec<OsString>, FlagError> {
    cmd.build();
    let mut out = Vec::with_capacity(raw.len());
    let mut it = raw.into_iter();
    if let Some(program) = it.next() {
        out.push(program);
    }
    // The (sub)command whose flags come next, and its path for messages.
    let mut path: Vec<String> = Vec::new();
    let mut cur = &cmd;
    let mut rest_positional = false;
    while let Some(a) = it.next() {
        let Some(text) = a.to_str().map(str::to_string) else {
            out.push(a);
            continue;
        };
        if rest_positional {
            out.push(a);
            continue;
        }
        if text == "--" {
            rest_positional = true;
            out.push(a);
            continue;
        }
        let body = text
            .strip_prefix("--")
            .or_else(|| text.strip_prefix('-'))
            .filter(|b| !b.is_empty());
        let Some(body) = body else {
            // A positional (or "-", standard input): maybe a subcommand.
            if let Some(sub) = cur.find_subcommand(&text) {
                path.push(sub.get_name().to_string());
                cur = sub;
            }
            out.push(a);
            continue;
        };
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        let single_letter = !text.starts_with("--") && name.chars().count() == 1;
        if single_letter {
            // clap's short option, or a negative number as a positional.
            out.push(a);
            if let Some(arg) = cur.get_arguments().find(|x| {
                x.get_short()
                    .is_some_and(|s| name.starts_with(s) && name.len() == s.len_utf8())
            }) && takes_separate_value(arg)
                && value.is_none()
                && let Some(v) = it.next()
            {
                out.push(v);
            }
            continue;
        }
        let error = |message: String| FlagError {
            command: path.join(" "),
            message,
        };
        let Some(arg) = find_long(cur, name) else {
            if let Some((_, why)) = REFUSED.iter().find(|(n, _)| *n == name) {
                return Err(error(format!("-{name} is not supported by drinfra: {why}")));
            }
            return Err(error(format!("flag provided but not defined: -{name}")));
        };
        let long = arg.get_long().unwrap_or(name);
        match arg.get_action() {
            ArgAction::SetTrue | ArgAction::SetFalse => match value {
                None => out.push(format!("--{long}").into()),
                Some(v) => match parse_bool(v) {
                    Some(b) if b == matches!(arg.get_action(), ArgAction::SetTrue) => {
                        out.push(format!("--{long}").into())
                    }
                    Some(_) => {}
                    None => {
                        return Err(error(format!(
                            "invalid boolean value {v:?} for -{name}: parse error"
                        )));
                    }
                },
            },
            ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong | ArgAction::Version => {
                out.push(format!("--{long}").into())
            }
            _ => match value {
                Some(v) => out.push(format!("--{long}={v}").into()),
                None if takes_separate_value(arg) => match it.next() {
                    Some(v) => {
                        let mut joined = OsString::from(format!("--{long}="));
                        joined.push(v);
                        out.push(joined);
                    }
                    None => return Err(error(format!("flag needs an argument: -{name}"))),
                },
                None => out.push(format!("--{long}").into()),
            },
        }
    }
    Ok(out)
}

/// A long flag of `cmd` (its own or a global one) named `name`, or one of
/// its visible aliases.
fn find_long<'a>(cmd: &'a Command, name: &str) -> Option<&'a Arg> {
    cmd.get_arguments().find(|a| {
        a.get_long() == Some(name) || a.get_all_aliases().is_some_and(|al| al.contains(&name))
    })
}

/// Whether the flag's value may follow as the next argument (clap flags
/// declared `require_equals` are Terraform's booleans: `-lock=false`).
fn takes_separate_value(arg: &Arg) -> bool {
    arg.get_action().takes_values()
        && !arg.is_require_equals_set()
        && arg.get_num_args().is_none_or(|n| n.min_values() > 0)
}

/// Go's `strconv.ParseBool`, which Terraform's boolean flags use.
pub fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// A clap value parser for Terraform's boolean flags (`-lock=false`).
pub fn bool_value(v: &str) -> Result<bool, String> {
    parse_bool(v).ok_or_else(|| format!("invalid boolean value {v:?}: parse error"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Args, Parser, Subcommand};

    #[derive(Parser)]
    struct T {
        #[arg(short = 'C', long = "chdir", global = true)]
        chdir: Option<String>,
        #[arg(long, global = true)]
        no_color: bool,
        #[command(subcommand)]
        cmd: Sub,
    }
    #[derive(Subcommand)]
    enum Sub {
        Plan(P),
        #[command(subcommand)]
        State(S),
    }
    #[derive(Args)]
    struct P {
        #[arg(long = "var")]
        vars: Vec<String>,
        #[arg(long)]
        auto_approve: bool,
        #[arg(long, action = clap::ArgAction::Set, require_equals = true, num_args = 0..=1, default_value = "true",
              default_missing_value = "true", value_parser = bool_value)]
        lock: bool,
        file: Option<String>,
    }
    #[derive(Subcommand)]
    enum S {
        Rm { addr: Vec<String> },
    }

    fn norm(a: &[&str]) -> Result<Vec<String>, FlagError> {
        use clap::CommandFactory;
        let raw = std::iter::once("drinfra")
            .chain(a.iter().copied())
            .map(OsString::from)
            .collect();
        normalize(T::command(), raw)
            .map(|v| v.into_iter().map(|s| s.into_string().unwrap()).collect())
    }

    #[test]
    fn single_dash_long_flags_become_double_dash() {
        assert_eq!(
            norm(&[
                "-chdir=x",
                "plan",
                "-auto-approve",
                "-var",
                "a=-1",
                "-var=b=2"
            ])
            .unwrap(),
            [
                "drinfra",
                "--chdir=x",
                "plan",
                "--auto-approve",
                "--var=a=-1",
                "--var=b=2"
            ]
        );
    }

    #[test]
    fn booleans_take_values_only_after_equals() {
        assert_eq!(
            norm(&[
                "plan",
                "-lock=false",
                "-auto-approve=false",
                "-no-color=true",
                "f"
            ])
            .unwrap(),
            ["drinfra", "plan", "--lock=false", "--no-color", "f"]
        );
        assert!(norm(&["plan", "-auto-approve=maybe"]).is_err());
    }

    #[test]
    fn short_options_and_positionals_are_kept() {
        assert_eq!(
            norm(&["-C", "-dir", "state", "rm", "--", "-x"]).unwrap(),
            ["drinfra", "-C", "-dir", "state", "rm", "--", "-x"]
        );
    }

    #[test]
    fn unknown_and_refused_flags_are_errors_in_terraforms_words() {
        let e = norm(&["plan", "-foo"]).unwrap_err();
        assert_eq!(e.message, "flag provided but not defined: -foo");
        assert_eq!(e.command, "plan");
        assert!(e.render().contains("drinfra plan -help"));
        let e = norm(&["state", "rm", "-state=x", "a"]).unwrap_err();
        assert!(
            e.message.contains("-state is not supported"),
            "{}",
            e.message
        );
        let e = norm(&["plan", "-var"]).unwrap_err();
        assert_eq!(e.message, "flag needs an argument: -var");
    }
}

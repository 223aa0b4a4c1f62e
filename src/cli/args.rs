//! What the commands share: the global environment, shared flag groups,
//! and turning flags into operation options. A leaf of `cli`: it imports
//! no command module.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use drinfra::config::CliInput;
use drinfra::ops::apply::ApplyOptions;
use drinfra::ops::plan::PlanOptions;
use drinfra::ops::{Error, SessionOptions};
use drinfra::render::style::Style;
use drinfra::render::view::{PlanFormat, View};

/// What every command needs from the global flags.
pub struct Env {
    pub dir: PathBuf,
    pub style: Style,
    pub vars: Vec<(String, String)>,
}

impl Env {
    /// A view for this command's output.
    pub fn view(&self) -> View {
        View::new(self.style, self.dir.clone())
    }

    /// `user@host`, for records and reports.
    pub fn who(&self) -> String {
        drinfra::ops::record::who(&self.vars)
    }
}

/// `--var` and `--var-file`, kept in command-line order (later wins).
#[derive(Args, Debug, Default)]
pub struct VarArgs {
    /// Set a root variable: NAME=VALUE (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Read root variables from a .tfvars or .tfvars.json file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
}

impl VarArgs {
    /// The options in the order they appeared on the command line.
    pub fn ordered(&self) -> Vec<CliInput> {
        let args = super::flags::args();
        let mut vars = self.vars.iter();
        let mut files = self.var_files.iter();
        let mut out = Vec::new();
        for a in &args {
            if a == "--var" || a.starts_with("--var=") {
                if let Some(v) = vars.next() {
                    out.push(CliInput::Var(v.clone()));
                }
            } else if (a == "--var-file" || a.starts_with("--var-file="))
                && let Some(f) = files.next()
            {
                out.push(CliInput::File(f.clone()));
            }
        }
        out.extend(vars.map(|v| CliInput::Var(v.clone())));
        out.extend(files.map(|f| CliInput::File(f.clone())));
        out
    }
}

/// The flags of every command that plans or applies.
#[derive(Args, Debug, Default)]
pub struct CommonArgs {
    #[command(flatten)]
    pub vars: VarArgs,
    /// Limit to this resource or module address and what it depends on (repeatable).
    #[arg(long = "target", value_name = "ADDR")]
    pub targets: Vec<String>,
    /// Only bring the state in line with the real objects; change nothing.
    #[arg(long)]
    pub refresh_only: bool,
    /// Do not read the real objects first; trust the state.
    #[arg(long)]
    pub no_refresh: bool,
    /// How many operations may run at once.
    #[arg(long, default_value_t = 32, value_name = "N")]
    pub parallelism: usize,
    /// How long to wait for the state lock (e.g. 30s, 5m).
    #[arg(long, default_value = "0s", value_name = "DURATION")]
    pub lock_timeout: String,
    /// After Ctrl-C or SIGTERM: how long to keep following operations
    /// already running in the cloud before recording them in state for the
    /// next apply to resume (e.g. 30s, 5m).
    #[arg(long, default_value = "60s", value_name = "DURATION")]
    pub interrupt_grace: String,
    /// Also report the requests made to the cloud.
    #[arg(long)]
    pub verbose: bool,
    #[command(flatten)]
    pub terraform: TerraformArgs,
}

/// Terraform's flags of the commands that plan or apply, with its
/// defaults; `-lock=false` and `-refresh=false` as in Terraform.
#[derive(Args, Debug)]
pub struct TerraformArgs {
    /// Plan to replace this resource instance even if it has no changes
    /// (repeatable).
    #[arg(long = "replace", value_name = "ADDR")]
    pub replace: Vec<String>,
    /// `-lock=false`: do not take the state lock (plan only: a command that
    /// writes state always holds it).
    #[arg(long, action = clap::ArgAction::Set, require_equals = true, num_args = 0..=1, default_value = "true",
          default_missing_value = "true", value_parser = super::flags::bool_value,
          value_name = "BOOL")]
    pub lock: bool,
    /// `-input=false`: accepted; drinfra never asks for variable values (a
    /// missing one is an error, as Terraform's with -input=false).
    #[arg(long, action = clap::ArgAction::Set, require_equals = true, num_args = 0..=1, default_value = "true",
          default_missing_value = "true", value_parser = super::flags::bool_value,
          value_name = "BOOL")]
    pub input: bool,
    /// `-refresh=false`: the same as --no-refresh.
    #[arg(long, action = clap::ArgAction::Set, require_equals = true, num_args = 0..=1, default_value = "true",
          default_missing_value = "true", value_parser = super::flags::bool_value,
          value_name = "BOOL")]
    pub refresh: bool,
    /// Show warnings as one summary line each.
    #[arg(long)]
    pub compact_warnings: bool,
}

impl Default for TerraformArgs {
    fn default() -> Self {
        TerraformArgs {
            replace: vec![],
            lock: true,
            input: true,
            refresh: true,
            compact_warnings: false,
        }
    }
}

impl CommonArgs {
    /// Options for opening the stack for `operation`.
    pub fn session(
        &self,
        env: &Env,
        operation: &str,
        validate_all: bool,
    ) -> anyhow::Result<SessionOptions> {
        Ok(SessionOptions {
            dir: env.dir.clone(),
            inputs: self.vars.ordered(),
            env: env.vars.clone(),
            operation: operation.to_string(),
            validate_all,
            lock_timeout: parse_duration(&self.lock_timeout)?,
            lock: self.terraform.lock,
            emulators: Some(super::embedded::starter()),
        })
    }

    pub fn plan(&self, destroy: bool) -> PlanOptions {
        PlanOptions {
            destroy,
            refresh_only: self.refresh_only,
            refresh: !self.no_refresh && self.terraform.refresh,
            targets: self.targets.clone(),
            parallelism: self.parallelism,
            replace: self.terraform.replace.clone(),
        }
    }

    pub fn apply(&self, env: &Env) -> anyhow::Result<ApplyOptions> {
        Ok(ApplyOptions {
            parallelism: self.parallelism,
            grace: parse_duration(&self.interrupt_grace)?,
            interrupt: interrupted,
            by: env.who(),
        })
    }

    /// A view for a command with these flags.
    pub fn view(&self, env: &Env) -> View {
        let mut view = env.view();
        view.verbose = self.verbose;
        view.compact_warnings = self.terraform.compact_warnings;
        view.lock_timeout = self.lock_timeout.clone();
        view.tty = std::io::stdout().is_terminal();
        view
    }
}

/// How to show a plan.
#[derive(Args, Debug, Default, Clone, Copy)]
pub struct OutputArgs {
    /// Machine-readable events, one JSON object per line.
    #[arg(long, conflicts_with_all = ["markdown", "compact"])]
    pub json: bool,
    /// Markdown for a pull-request comment.
    #[arg(long, conflicts_with = "compact")]
    pub markdown: bool,
    /// One line per resource.
    #[arg(long)]
    pub compact: bool,
}

impl OutputArgs {
    pub fn format(self) -> PlanFormat {
        if self.json {
            PlanFormat::Json
        } else if self.markdown {
            PlanFormat::Markdown
        } else if self.compact {
            PlanFormat::Compact
        } else {
            PlanFormat::Human
        }
    }
}

/// A flag's duration: `30s`, `5m`, `1h30m`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> anyhow::Result<Duration> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>()
        && secs >= 0.0
        && secs.is_finite()
    {
        return Ok(Duration::from_secs_f64(secs));
    }
    drinfra::timefmt::parse_duration(s)
        .ok_or_else(|| anyhow::anyhow!("invalid duration {s:?}: use a number with s, m or h"))
}

/// Resolves on Ctrl-C or SIGTERM.
fn interrupted() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
    Box::pin(async {
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(t) => t,
                    Err(_) => return std::future::pending().await,
                };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    })
}

/// The exit code for an operation's error: a stop already reported as
/// diagnostics is shown by the view (exit 1); anything else is an error.
pub fn failed(view: &View, e: Error) -> anyhow::Result<ExitCode> {
    view.compact_warnings_end();
    match e {
        Error::Stopped(stop) => {
            view.stopped(stop);
            Ok(ExitCode::from(1))
        }
        e => Err(e.into()),
    }
}

/// Exit 0 or 1.
pub fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// What failover and failback both take: why, a drill report, and the
/// confirmation.
#[derive(Args)]
pub struct RunbookArgs {
    /// Why, for the record.
    #[arg(long, default_value = "")]
    pub reason: String,
    /// Write a drill report (Markdown: metrics against the group's targets,
    /// timeline, problems, follow-ups) to this file, whether or not it
    /// completes.
    #[arg(long)]
    pub report: Option<std::path::PathBuf>,
    /// Skip the typed confirmation (for runbooks run by a pipeline).
    #[arg(long)]
    pub auto_approve: bool,
}

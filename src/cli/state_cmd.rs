//! `drinfra state ...`, `output`, `show`, `force-unlock`, `graph`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, Subcommand};

use super::args::{Env, OutputArgs as PlanOutputArgs, failed, parse_duration};
use drinfra::ops::state_edit::{self, EditOptions};
use drinfra::render::view::View;
use drinfra::render::view::state::{OutputFormat, ShowFormat};
use drinfra::state::Backend;

#[derive(Subcommand)]
pub enum StateCommand {
    /// List recorded resource instances.
    List,
    /// Show one recorded instance's attributes.
    Show { address: String },
    /// Forget instances (the real objects are left alone).
    Rm {
        #[arg(required = true)]
        addresses: Vec<String>,
        #[arg(long, default_value = "0s")]
        lock_timeout: String,
        /// `-lock=false` is refused: the state is edited under its lock.
        #[arg(long, action = clap::ArgAction::Set, require_equals = true, num_args = 0..=1,
              default_value = "true", default_missing_value = "true",
              value_parser = super::flags::bool_value, value_name = "BOOL")]
        lock: bool,
    },
    /// Print the whole state as JSON (decrypted).
    Pull {
        /// In Terraform's state format (version 4), to hand the stack back
        /// to Terraform: `drinfra state pull -terraform > terraform.tfstate`.
        #[arg(long)]
        terraform: bool,
    },
    /// Replace the state with a file's (same lineage, not older).
    Push {
        file: PathBuf,
        /// Push even with a different lineage or an older serial.
        #[arg(long)]
        force: bool,
        #[arg(long, default_value = "0s")]
        lock_timeout: String,
        /// `-lock=false` is refused: the state is edited under its lock.
        #[arg(long, action = clap::ArgAction::Set, require_equals = true, num_args = 0..=1,
              default_value = "true", default_missing_value = "true",
              value_parser = super::flags::bool_value, value_name = "BOOL")]
        lock: bool,
    },
    /// Rename an instance, or every instance under a prefix.
    Mv {
        source: String,
        destination: String,
        #[arg(long, default_value = "0s")]
        lock_timeout: String,
        /// `-lock=false` is refused: the state is edited under its lock.
        #[arg(long, action = clap::ArgAction::Set, require_equals = true, num_args = 0..=1,
              default_value = "true", default_missing_value = "true",
              value_parser = super::flags::bool_value, value_name = "BOOL")]
        lock: bool,
    },
}

#[derive(Args)]
pub struct OutputArgs {
    name: Option<String>,
    #[arg(long)]
    json: bool,
    /// Print a string output without quotes.
    #[arg(long)]
    raw: bool,
}

#[derive(Args)]
pub struct ShowArgs {
    /// A saved plan file; without it, the current state.
    plan_file: Option<PathBuf>,
    /// Terraform's JSON (plan format 1.2, or state format 1.0).
    #[arg(long, conflicts_with_all = ["markdown", "compact"])]
    json: bool,
    /// Markdown for a pull-request comment (plans only).
    #[arg(long, conflicts_with = "compact")]
    markdown: bool,
    /// One line per resource (plans only).
    #[arg(long)]
    compact: bool,
}

#[derive(Args)]
pub struct ForceUnlockArgs {
    /// The lock ID printed by the run that could not take the lock.
    id: String,
    /// Do not ask for confirmation (Terraform's -force).
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
pub struct GraphArgs {
    #[arg(long, default_value = "dot", value_parser = ["dot", "mermaid"])]
    format: String,
}

/// The stack's backend, or the exit code after its problems were shown.
fn backend(env: &Env, view: &mut View) -> anyhow::Result<Result<Box<dyn Backend>, ExitCode>> {
    match state_edit::open_backend(&env.dir, &env.vars, &mut |e| view.event(e)) {
        Ok(b) => Ok(Ok(b)),
        Err(e) => failed(view, e).map(Err),
    }
}

fn edit_options(env: &Env, lock_timeout: &str, lock: bool) -> anyhow::Result<EditOptions> {
    if !lock {
        bail!("-lock=false is refused: drinfra edits the state only under its lock");
    }
    Ok(EditOptions {
        env: env.vars.clone(),
        lock_timeout: parse_duration(lock_timeout)?,
    })
}

pub fn run_state(env: &Env, c: StateCommand) -> anyhow::Result<ExitCode> {
    let mut view = env.view();
    let b = match backend(env, &mut view)? {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    let b = b.as_ref();
    match c {
        StateCommand::List => {
            for addr in state_edit::load(b)?.resources.keys() {
                println!("{addr}");
            }
        }
        StateCommand::Show { address } => {
            let state = state_edit::load(b)?;
            let Some(rs) = state.resources.get(&address) else {
                bail!("no instance {address:?} in the state")
            };
            view.instance(rs);
        }
        StateCommand::Pull { terraform: false } => {
            println!("{}", serde_json::to_string_pretty(&state_edit::load(b)?)?);
        }
        StateCommand::Pull { terraform: true } => {
            let state = state_edit::load(b)?;
            if !state.failover_groups.is_empty() || !state.operations.is_empty() {
                eprintln!(
                    "{}: Terraform's format has no place for failover records or operations an interrupted apply left running; they are left out",
                    env.style.bold("note")
                );
            }
            let doc = drinfra::state::tfstate::encode(&state);
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        StateCommand::Push {
            file,
            force,
            lock_timeout,
            lock,
        } => {
            let pushed = state_edit::read_state_file(&file, &env.vars)?;
            let opts = edit_options(env, &lock_timeout, lock)?;
            let serial = state_edit::push(b, &pushed, force, &opts, &mut |e| view.event(e))?;
            println!("Pushed {} as serial {serial}.", file.display());
        }
        StateCommand::Rm {
            addresses,
            lock_timeout,
            lock,
        } => {
            let opts = edit_options(env, &lock_timeout, lock)?;
            let removed = state_edit::rm(b, &addresses, &opts, &mut |e| view.event(e))?;
            println!(
                "Removed {removed} instance(s) from the state. The real objects were not touched."
            );
        }
        StateCommand::Mv {
            source,
            destination,
            lock_timeout,
            lock,
        } => {
            let opts = edit_options(env, &lock_timeout, lock)?;
            let moved = state_edit::mv(b, &source, &destination, &opts, &mut |e| view.event(e))?;
            println!("Moved {moved} instance(s).");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_output(env: &Env, a: OutputArgs) -> anyhow::Result<ExitCode> {
    let mut view = env.view();
    let b = match backend(env, &mut view)? {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    let state = state_edit::load(b.as_ref())?;
    match &a.name {
        Some(n) => {
            let Some(o) = state.outputs.get(n) else {
                bail!("no output named {n:?} in the state")
            };
            let format = if a.json {
                OutputFormat::Json
            } else if a.raw {
                OutputFormat::Raw
            } else {
                OutputFormat::Human
            };
            view.output(o, format)?;
        }
        None => view.outputs(&state, a.json)?,
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_show(env: &Env, a: ShowArgs) -> anyhow::Result<ExitCode> {
    let mut view = env.view();
    if let Some(f) = a.plan_file {
        let plan = drinfra::ops::plan::read(&f, &env.vars)?;
        // Terraform's JSON describes the configuration too, when there is one.
        let config = a.json.then(|| drinfra::config::load(&env.dir).0);
        let format = if let Some(config) = &config {
            let cfg =
                (!config.modules.is_empty() && !config.root().files.is_empty()).then_some(config);
            ShowFormat::Terraform(cfg)
        } else {
            ShowFormat::Plan(
                PlanOutputArgs {
                    json: false,
                    markdown: a.markdown,
                    compact: a.compact,
                }
                .format(),
            )
        };
        view.show_plan(&plan, format)?;
        return Ok(ExitCode::SUCCESS);
    }
    let b = match backend(env, &mut view)? {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    view.show_state(&state_edit::load(b.as_ref())?, a.json)?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_force_unlock(env: &Env, a: ForceUnlockArgs) -> anyhow::Result<ExitCode> {
    let mut view = env.view();
    let b = match backend(env, &mut view)? {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    if !a.force {
        use drinfra::ops::Confirm;
        let mut confirm = drinfra::render::view::prompt::TerminalConfirm {
            style: env.style,
            auto_approve: false,
        };
        let question = drinfra::ops::Question::Proceed {
            action: format!("force-unlock the state (lock {})", a.id),
        };
        if !confirm.confirm(&question)? {
            println!("force-unlock cancelled.");
            return Ok(ExitCode::from(1));
        }
    }
    b.unlock(&a.id)?;
    println!("The state lock {} was removed.", a.id);
    Ok(ExitCode::SUCCESS)
}

pub fn run_graph(env: &Env, a: GraphArgs) -> anyhow::Result<ExitCode> {
    let stack = drinfra::ops::validate::open(&env.dir, &[], &env.vars);
    if stack.diags.has_errors() {
        env.view().event(drinfra::ops::Event::Diagnostics {
            diags: &stack.diags,
            sources: &stack.config.sources,
        });
        return Ok(ExitCode::from(1));
    }
    let deps = drinfra::plan::deps::build(&stack.config);
    if let Err(cycles) = deps.graph.order() {
        for c in cycles {
            eprintln!(
                "error: cycle: {}",
                c.iter()
                    .map(|n| format!("{}{n}", deps.module_names[n.module]))
                    .collect::<Vec<_>>()
                    .join(" <-> ")
            );
        }
        return Ok(ExitCode::from(1));
    }
    let g = deps.resource_graph();
    print!(
        "{}",
        if a.format == "dot" {
            g.to_dot()
        } else {
            g.to_mermaid()
        }
    );
    Ok(ExitCode::SUCCESS)
}

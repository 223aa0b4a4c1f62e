//! `drinfra workspace new|select|list|show|delete`, as Terraform's.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::args::Env;
use drinfra::ops::workspace;

#[derive(Subcommand)]
pub enum WorkspaceCommand {
    /// Create a workspace and select it.
    New(NameArgs),
    /// Select a workspace.
    Select {
        name: String,
        /// Create it when it does not exist.
        #[arg(long)]
        or_create: bool,
    },
    /// List the workspaces (the selected one marked `*`).
    List,
    /// Print the selected workspace.
    Show,
    /// Delete a workspace.
    Delete {
        name: String,
        /// Delete even when its state still records resources (they are
        /// forgotten, not destroyed).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        lock: LockArgs,
    },
}

#[derive(Args)]
pub struct NameArgs {
    name: String,
    #[command(flatten)]
    lock: LockArgs,
}

/// Terraform's -lock and -lock-timeout, accepted.
#[derive(Args)]
pub struct LockArgs {
    /// `-lock=false` is refused: the state is checked under its lock.
    #[arg(long, action = clap::ArgAction::Set, require_equals = true, num_args = 0..=1,
          default_value = "true", default_missing_value = "true",
          value_parser = super::flags::bool_value, value_name = "BOOL")]
    lock: bool,
    #[arg(long, default_value = "0s", value_name = "DURATION")]
    lock_timeout: String,
}

impl LockArgs {
    fn check(&self) -> anyhow::Result<()> {
        super::args::parse_duration(&self.lock_timeout)?;
        if !self.lock {
            anyhow::bail!("-lock=false is refused for workspace commands");
        }
        Ok(())
    }
}

/// Terraform's words for a workspace just created.
fn created(name: &str) {
    println!(
        "Created and switched to workspace \"{name}\"!\n\nYou're now on a new, empty workspace. Workspaces isolate their state,\nso if you run \"drinfra plan\" drinfra will not see any existing state\nfor this configuration."
    );
}

pub fn run(env: &Env, c: WorkspaceCommand) -> anyhow::Result<ExitCode> {
    let (dir, vars) = (&env.dir, &env.vars);
    match c {
        WorkspaceCommand::New(a) => {
            a.lock.check()?;
            workspace::new(dir, vars, &a.name)?;
            created(&a.name);
        }
        WorkspaceCommand::Select { name, or_create } => {
            if workspace::select(dir, vars, &name, or_create)? {
                created(&name);
            } else {
                println!("Switched to workspace \"{name}\".");
            }
        }
        WorkspaceCommand::List => {
            let current = drinfra::config::workspace::current(dir, vars);
            for w in workspace::list(dir, vars)? {
                let mark = if w == current { "*" } else { " " };
                println!("{mark} {w}");
            }
            println!();
        }
        WorkspaceCommand::Show => {
            println!("{}", drinfra::config::workspace::current(dir, vars));
        }
        WorkspaceCommand::Delete { name, force, lock } => {
            lock.check()?;
            let had_resources = workspace::delete(dir, vars, &name, force)?;
            println!("Deleted workspace \"{name}\"!");
            if had_resources {
                println!(
                    "WARNING: \"{name}\" was non-empty.\nThe resources managed by the deleted workspace may still exist,\nbut are no longer manageable by drinfra since the state has\nbeen deleted.\n"
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

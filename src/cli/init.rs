//! `drinfra init [--migrate-state]`.

use std::process::ExitCode;

use clap::Args;

use super::args::{Env, failed};
use drinfra::ops::init::{InitOptions, init};

#[derive(Args)]
pub struct InitArgs {
    /// Copy the state from the previous backend to the new one.
    #[arg(long)]
    migrate_state: bool,
    /// Terraform's -force-copy: migrate without asking (drinfra never asks).
    #[arg(long)]
    force_copy: bool,
    /// `-input=false`: accepted; init never asks.
    #[arg(long, action = clap::ArgAction::Set, require_equals = true, num_args = 0..=1, default_value = "true",
          default_missing_value = "true", value_parser = super::flags::bool_value,
          value_name = "BOOL")]
    input: bool,
    /// `-upgrade`: accepted; drinfra's providers are built in.
    #[arg(long)]
    upgrade: bool,
    /// `-get=false`: accepted.
    #[arg(long, action = clap::ArgAction::Set, require_equals = true, num_args = 0..=1, default_value = "true",
          default_missing_value = "true", value_parser = super::flags::bool_value,
          value_name = "BOOL")]
    get: bool,
    /// `-lock=false` is refused: init takes the lock while it moves state.
    #[arg(long, action = clap::ArgAction::Set, require_equals = true, num_args = 0..=1, default_value = "true",
          default_missing_value = "true", value_parser = super::flags::bool_value,
          value_name = "BOOL")]
    lock: bool,
    /// How long to wait for the state lock (accepted; init takes it only
    /// while it moves state, without waiting).
    #[arg(long, default_value = "0s", value_name = "DURATION")]
    lock_timeout: String,
}

pub fn run(env: &Env, a: InitArgs) -> anyhow::Result<ExitCode> {
    let mut view = env.view();
    if !a.lock {
        anyhow::bail!(
            "-lock=false is refused for init: drinfra holds the state lock whenever it moves state"
        );
    }
    super::args::parse_duration(&a.lock_timeout)?;
    let _ = (a.input, a.upgrade, a.get);
    let opts = InitOptions {
        dir: env.dir.clone(),
        env: env.vars.clone(),
        migrate_state: a.migrate_state || a.force_copy,
    };
    match init(&opts, &mut |e| view.event(e)) {
        Ok(outcome) => {
            view.initialised(&outcome);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => failed(&view, e),
    }
}

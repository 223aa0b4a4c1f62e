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
    /// Fetch modules again, choosing the newest versions the constraints
    /// accept, even where the installed ones still match.
    #[arg(long)]
    upgrade: bool,
}

pub fn run(env: &Env, a: InitArgs) -> anyhow::Result<ExitCode> {
    let mut view = env.view();
    let opts = InitOptions {
        dir: env.dir.clone(),
        env: env.vars.clone(),
        migrate_state: a.migrate_state,
        upgrade: a.upgrade,
    };
    match init(&opts, &mut |e| view.event(e)) {
        Ok(outcome) => {
            view.initialised(&outcome);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => failed(&view, e),
    }
}

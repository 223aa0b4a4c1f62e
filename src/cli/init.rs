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
    /// Complete the backend block: a file of `key = "value"` lines, or
    /// KEY=VALUE (repeatable). Secrets (access_key, sas_token, conn_str,
    /// connection_string, client_secret) are used for this init only and
    /// never written; later commands read them from the environment.
    #[arg(long = "backend-config", value_name = "FILE|KEY=VALUE")]
    backend_config: Vec<String>,
    /// Forget the remembered backend: use the configured one without
    /// migrating any state (Terraform's -reconfigure).
    #[arg(long, conflicts_with = "migrate_state")]
    reconfigure: bool,
    /// Terraform's -force-copy: migrate without asking (drinfra never asks).
    #[arg(long)]
    force_copy: bool,
    /// `-input=false`: accepted; init never asks.
    #[arg(long, action = clap::ArgAction::Set, require_equals = true, num_args = 0..=1, default_value = "true",
          default_missing_value = "true", value_parser = super::flags::bool_value,
          value_name = "BOOL")]
    input: bool,
    /// Fetch modules again, choosing the newest versions the constraints
    /// accept, even where the installed ones still match.
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
    let secrets =
        match drinfra::ops::backend_config::prepare(&env.dir, &a.backend_config, a.reconfigure) {
            Ok(s) => s,
            Err(e) => return failed(&view, e),
        };
    let mut vars = env.vars.clone();
    vars.extend(secrets);
    let opts = InitOptions {
        dir: env.dir.clone(),
        env: vars,
        migrate_state: a.migrate_state || a.force_copy,
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

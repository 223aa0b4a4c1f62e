//! `drinfra taint ADDRESS` and `drinfra untaint ADDRESS`, as Terraform's.

use std::process::ExitCode;

use clap::Args;

use super::args::{Env, failed, parse_duration};
use drinfra::ops::state_edit::{self, EditOptions};

#[derive(Args)]
pub struct TaintArgs {
    /// The resource instance to mark (or clear).
    address: String,
    /// Succeed without change when the instance is not in the state.
    #[arg(long)]
    allow_missing: bool,
    /// How long to wait for the state lock (e.g. 30s, 5m).
    #[arg(long, default_value = "0s", value_name = "DURATION")]
    lock_timeout: String,
    /// `-lock=false` is refused: taint writes state.
    #[arg(long, action = clap::ArgAction::Set, require_equals = true, num_args = 0..=1, default_value = "true",
          default_missing_value = "true", value_parser = super::flags::bool_value,
          value_name = "BOOL")]
    lock: bool,
}

pub fn run(env: &Env, a: TaintArgs, mark: bool) -> anyhow::Result<ExitCode> {
    let mut view = env.view();
    let op = if mark { "taint" } else { "untaint" };
    if !a.lock {
        anyhow::bail!(
            "-lock=false is refused for {op}: drinfra holds the state lock whenever it writes state"
        );
    }
    let b = match state_edit::open_backend(&env.dir, &env.vars, &mut |e| view.event(e)) {
        Ok(b) => b,
        Err(e) => return failed(&view, e),
    };
    let opts = EditOptions {
        env: env.vars.clone(),
        lock_timeout: parse_duration(&a.lock_timeout)?,
    };
    let changed = state_edit::set_tainted(
        b.as_ref(),
        &a.address,
        mark,
        a.allow_missing,
        &opts,
        &mut |e| view.event(e),
    )?;
    match (changed, mark) {
        (false, _) => println!(
            "The resource {} is not in the state; nothing was changed (-allow-missing).",
            a.address
        ),
        (true, true) => println!(
            "Resource instance {} has been marked as tainted.",
            a.address
        ),
        (true, false) => println!(
            "Resource instance {} has been successfully untainted.",
            a.address
        ),
    }
    Ok(ExitCode::SUCCESS)
}

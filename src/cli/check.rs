//! `drinfra check`: the DR objectives against what the configuration delivers.

use std::process::ExitCode;

use clap::Args;

use super::args::{Env, VarArgs, exit};

#[derive(Args)]
pub struct CheckArgs {
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
    /// Minutes between detection and the decision to fail over, counted in
    /// the estimate (the DR plan's RTO example gives 10).
    #[arg(long, value_name = "MINUTES", default_value_t = 10)]
    decision_minutes: u64,
    #[command(flatten)]
    vars: VarArgs,
}

pub fn run(env: &Env, a: CheckArgs) -> anyhow::Result<ExitCode> {
    let opts = drinfra::ops::check::CheckOptions {
        decision_seconds: a.decision_minutes.saturating_mul(60),
    };
    let out = drinfra::ops::check::check(&env.dir, &a.vars.ordered(), &env.vars, &opts);
    let ok = env.view().checked(&out, a.json)?;
    Ok(exit(ok))
}

//! `drinfra validate`.

use std::process::ExitCode;

use clap::Args;

use super::args::{Env, VarArgs, exit};

#[derive(Args)]
pub struct ValidateArgs {
    /// Print Terraform's `validate -json` document instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    vars: VarArgs,
}

pub fn run(env: &Env, a: ValidateArgs) -> anyhow::Result<ExitCode> {
    // Everything plan checks before it needs the cloud (types, arguments,
    // cycles), without credentials or network.
    let (mut stack, eval) = drinfra::ops::validate::validate_with(
        &env.dir,
        &a.vars.ordered(),
        &env.vars,
        &env.dir,
        false,
        Some(&drinfra::provider::Providers::builtin()),
    );
    stack
        .diags
        .extend(drinfra::failover::rules::check(&stack.config, &eval));
    let ok = env
        .view()
        .validated(&stack.diags, &stack.config.sources, a.json)?;
    Ok(exit(ok))
}

//! `drinfra validate`.

use std::process::ExitCode;

use clap::Args;

use super::args::{Env, VarArgs};
use drinfra::render::diagnostics;

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
    let (mut stack, eval) = drinfra::config::validate_with(
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
    let diags = &stack.diags;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&diagnostics::to_json(
                diags,
                &stack.config.sources,
                &env.dir
            ))?
        );
    } else {
        if !diags.is_empty() {
            eprint!(
                "{}",
                diagnostics::render_all(diags, &stack.config.sources, &env.dir, env.style)
            );
        }
        if !diags.has_errors() {
            println!("Success! The configuration is valid.");
        } else {
            let n = diags.errors().count();
            eprintln!(
                "\n{n} error{} found; nothing was changed.",
                if n == 1 { "" } else { "s" }
            );
        }
    }
    Ok(if diags.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

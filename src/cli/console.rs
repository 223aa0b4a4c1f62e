//! `drinfra console`: evaluate expressions from standard input.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::args::{Env, VarArgs};
use drinfra::config::Expr;
use drinfra::config::evaluate::eval_in_root;
use drinfra::render::{diagnostics, value};

#[derive(Args)]
pub struct ConsoleArgs {
    #[command(flatten)]
    vars: VarArgs,
}

pub fn run(env: &Env, a: ConsoleArgs) -> anyhow::Result<ExitCode> {
    let mut stack = drinfra::config::open(&env.dir, &a.vars.ordered(), &env.vars);
    if stack.diags.has_errors() {
        eprint!(
            "{}",
            diagnostics::render_all(&stack.diags, &stack.config.sources, &env.dir, env.style)
        );
        return Ok(ExitCode::from(1));
    }
    let mut failed = false;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let file = stack
            .config
            .sources
            .add(PathBuf::from("<console>"), line.clone());
        let expr = match hcl_edit::parser::parse_expr(&line) {
            Ok(e) => e,
            Err(e) => {
                eprintln!(
                    "<console>:{}:{}: error: {}",
                    e.location().line(),
                    e.location().column(),
                    e.message()
                );
                failed = true;
                continue;
            }
        };
        let expr = Expr { file, expr };
        let ephemeral = drinfra::config::ephemeral::in_root(&stack.config, &expr);
        let (v, diags) = eval_in_root(&stack.config, &stack.inputs, &env.dir, &expr);
        match v {
            // As Terraform's console: an ephemeral value is not shown.
            Some(v) if !diags.has_errors() && ephemeral => println!(
                "{}",
                if v.is_sensitive_anywhere() {
                    "(ephemeral sensitive value)"
                } else {
                    "(ephemeral value)"
                }
            ),
            Some(v) if !diags.has_errors() => println!("{}", value::render(&v)),
            _ => {
                eprint!(
                    "{}",
                    diagnostics::render_all(&diags, &stack.config.sources, &env.dir, env.style)
                );
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

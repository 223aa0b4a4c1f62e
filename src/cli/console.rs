//! `drinfra console`: evaluate expressions from standard input.

use std::io::BufRead;
use std::process::ExitCode;

use clap::Args;

use super::args::{Env, VarArgs, exit, failed};
use drinfra::ops::console;

#[derive(Args)]
pub struct ConsoleArgs {
    #[command(flatten)]
    vars: VarArgs,
}

pub fn run(env: &Env, a: ConsoleArgs) -> anyhow::Result<ExitCode> {
    let mut view = env.view();
    let mut stack = match console::open(&env.dir, &a.vars.ordered(), &env.vars, &mut |e| {
        view.event(e)
    }) {
        Ok(s) => s,
        Err(e) => return failed(&view, e),
    };
    let mut ok = true;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = console::evaluate(&mut stack, &env.dir, &line);
        ok &= view.console_answer(&answer, &stack.config.sources);
    }
    Ok(exit(ok))
}

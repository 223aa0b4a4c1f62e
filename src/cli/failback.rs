//! `drinfra failback GROUP`: the way back from whatever a failover moved.

use std::process::ExitCode;

use clap::Args;

use super::args::{CommonArgs, Env, RunbookArgs, exit, failed};
use drinfra::ops::failback::{FailbackOptions, failback};
use drinfra::ops::{self, Engine};
use drinfra::render::view::Runbook;
use drinfra::render::view::prompt::TerminalConfirm;

#[derive(Args)]
pub struct FailbackArgs {
    /// The failover group to bring home.
    group: String,
    /// Stream the run as JSON events, one object per line (phases, steps,
    /// health checks, notifications, the outcome with the drill report),
    /// for chat-ops bots and pipelines.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    run: RunbookArgs,
    #[command(flatten)]
    common: CommonArgs,
}

pub fn run_failback(env: &Env, a: FailbackArgs) -> anyhow::Result<ExitCode> {
    let mut view = a.common.view(env);
    view.runbook = Runbook::Failback;
    view.json = a.json;
    let session = a.common.session(env, "failback", true)?;
    let opts = FailbackOptions {
        group: a.group,
        reason: a.run.reason.clone(),
        refresh: !a.common.no_refresh,
        targets: a.common.targets.clone(),
        apply: a.common.apply(env)?,
    };
    let mut confirm = TerminalConfirm {
        style: env.style,
        auto_approve: a.run.auto_approve,
    };
    let mut events = |e: ops::Event<'_>| view.event(e);
    let result = Engine::start(&session, &mut events)
        .and_then(|mut engine| failback(&mut engine, &opts, &mut confirm, &mut events));
    match result {
        Ok(outcome) => {
            let ok = view.failback_outcome(&outcome, a.run.report.as_deref())?;
            Ok(if outcome.unhealthy() {
                ExitCode::from(super::failover::UNHEALTHY)
            } else {
                exit(ok)
            })
        }
        Err(e) => failed(&view, e),
    }
}

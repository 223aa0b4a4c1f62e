//! `drinfra failover GROUP --to SITE`.

use std::process::ExitCode;

use clap::Args;

use super::args::{CommonArgs, Env, RunbookArgs, exit, failed};
use drinfra::ops::failover::{FailoverOptions, failover};
use drinfra::ops::{self, Engine};
use drinfra::render::view::Runbook;
use drinfra::render::view::prompt::TerminalConfirm;

/// The exit code of a failover or failback that completed with failed
/// health checks ("completed, unhealthy"): the move is recorded, but the
/// new site does not answer as it should.
pub const UNHEALTHY: u8 = 3;

#[derive(Args)]
pub struct FailoverArgs {
    /// The failover group, as named in its failover_group block.
    group: String,
    /// The site to make active.
    #[arg(long)]
    to: String,
    /// Wait for replicas to catch up before promoting (no data loss; the
    /// old primary must be reachable). The default.
    #[arg(long, conflicts_with = "forced")]
    planned: bool,
    /// Promote now, even with the old primary unreachable: writes not yet
    /// replicated are lost.
    #[arg(long)]
    forced: bool,
    /// Move only part of the platform: `traffic` flips Front Door, Traffic
    /// Manager and DNS and leaves data and capacity where they are; `data`
    /// moves the databases, caches, storage and the capacity that serves
    /// them, and leaves traffic where it is (flip it later with
    /// `--only traffic`, or with a full failover); or a comma-separated
    /// list of the group's `components` (and `storage`), e.g. `database`
    /// for a database switch while everything else stays.
    #[arg(long, value_name = "traffic|data|COMPONENT,...")]
    only: Option<String>,
    /// Show the failover (phases, steps, what it means for RPO) and stop:
    /// for review or a rehearsal; nothing changes and nothing is recorded.
    #[arg(long)]
    plan_only: bool,
    /// With --plan-only: the failover plan as Markdown, for a change
    /// request or a pull-request comment.
    #[arg(long, requires = "plan_only")]
    markdown: bool,
    /// Stream the run as JSON events, one object per line (the plan's
    /// phases, steps, health checks, notifications, the outcome with the
    /// drill report), for chat-ops bots and pipelines.
    #[arg(long, conflicts_with = "markdown")]
    json: bool,
    /// When the incident was detected (RFC 3339, UTC, e.g.
    /// 2026-11-26T10:05:00Z): the drill report's RTO counts detection up
    /// to here and decision from here. Without it, detection runs from the
    /// cloud's own record of the outage, when it has one, to this command.
    #[arg(long, value_name = "RFC3339", value_parser = detected_at)]
    detected_at: Option<i64>,
    #[command(flatten)]
    run: RunbookArgs,
    #[command(flatten)]
    common: CommonArgs,
}

pub fn run_failover(env: &Env, a: FailoverArgs) -> anyhow::Result<ExitCode> {
    let mut view = a.common.view(env);
    view.runbook = Runbook::Failover {
        markdown: a.markdown,
    };
    view.json = a.json;
    let session = a.common.session(env, "failover", true)?;
    let opts = FailoverOptions {
        group: a.group,
        to: a.to,
        forced: a.forced,
        only: a.only,
        plan_only: a.plan_only,
        reason: a.run.reason.clone(),
        refresh: !a.common.no_refresh,
        targets: a.common.targets.clone(),
        apply: a.common.apply(env)?,
        detected_at: a.detected_at.map(|t| t as f64),
    };
    let mut confirm = TerminalConfirm {
        style: env.style,
        auto_approve: a.run.auto_approve,
    };
    let mut events = |e: ops::Event<'_>| view.event(e);
    let result = Engine::start(&session, &mut events)
        .and_then(|mut engine| failover(&mut engine, &opts, &mut confirm, &mut events));
    match result {
        Ok(outcome) => {
            let ok = view.failover_outcome(&outcome, a.run.report.as_deref())?;
            Ok(if outcome.unhealthy() {
                ExitCode::from(UNHEALTHY)
            } else {
                exit(ok)
            })
        }
        Err(e) => failed(&view, e),
    }
}

fn detected_at(s: &str) -> Result<i64, String> {
    drinfra::timefmt::parse_rfc3339(s)
        .ok_or_else(|| format!("{s:?} is not an RFC 3339 UTC time like 2026-11-26T10:05:00Z"))
}

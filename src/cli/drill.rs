//! `drinfra drill KIND GROUP`: the DR plan's drills (database switch,
//! region failover with failback, surprise outage, data corruption),
//! judged against their
//! success criteria; exit 1 when one is missed.

use std::process::ExitCode;

use anyhow::bail;
use clap::Args;

use super::args::{CommonArgs, Env, exit, failed};
use drinfra::ops::drill::{DrillKind, DrillOptions, drill};
use drinfra::ops::{self, Engine};
use drinfra::render::view::Runbook;

#[derive(Args)]
pub struct DrillArgs {
    /// database-switch (half-yearly: the database alone, RTO < 5 min, RPO
    /// < 1 min, no data loss, applications reconnect), region (yearly: the
    /// whole group and back, the group's RTO and RPO, failback succeeds),
    /// or surprise (an outage of the active site the drill injects, a
    /// forced failover, failback once the region is back), or
    /// data-corruption (the point-in-time restore the configuration asks
    /// for, e.g. --var restore_database_to=TIME on stacks/platform).
    kind: String,
    /// The failover group to drill.
    group: String,
    /// The site to move to (default: the group's other site).
    #[arg(long)]
    to: Option<String>,
    /// The component a database switch moves.
    #[arg(long, default_value = "database")]
    component: String,
    /// Also write the drill report here (JSON for *.json, else Markdown).
    #[arg(long)]
    report: Option<std::path::PathBuf>,
    /// Print the verdict as JSON instead of Markdown.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    common: CommonArgs,
}

pub fn run(env: &Env, a: DrillArgs) -> anyhow::Result<ExitCode> {
    let Some(kind) = DrillKind::parse(&a.kind) else {
        bail!(
            "unknown drill {:?}: use database-switch, region, surprise or data-corruption",
            a.kind
        );
    };
    let mut view = a.common.view(env);
    view.runbook = Runbook::Failover { markdown: false };
    let session = a.common.session(env, "drill", true)?;
    let opts = DrillOptions {
        kind,
        group: a.group,
        to: a.to,
        component: a.component,
        refresh: !a.common.no_refresh,
        apply: a.common.apply(env)?,
    };
    let mut events = |e: ops::Event<'_>| view.event(e);
    let result = Engine::start(&session, &mut events)
        .and_then(|mut engine| drill(&mut engine, &opts, &mut events));
    match result {
        Ok(outcome) => {
            if let Some(path) = &a.report {
                drinfra::render::drill::write_drill(path, &outcome)?;
            }
            if a.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&drinfra::render::drill::drill_json(&outcome))?
                );
            } else {
                print!("{}", drinfra::render::drill::render_drill(&outcome));
            }
            Ok(exit(outcome.passed()))
        }
        Err(e) => failed(&view, e),
    }
}

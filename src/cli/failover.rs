//! `drinfra failover GROUP --to SITE`, and the helpers failback shares.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::bail;
use clap::Args;

use super::Env;
use super::engine::{
    CommonArgs, OutputArgs, Session, apply_plan, print_plan, report_requests, show_diags, start,
};
use drinfra::apply;
use drinfra::config::evaluate::GroupView;
use drinfra::config::model::FailoverGroup;
use drinfra::failover::scope::{self, Scope};
use drinfra::plan::planner::{self, PlanOptions};
use drinfra::plan::{Plan, phases};
use drinfra::provider::Providers;
use drinfra::render::drill::{DataLoss, DrillReport, TimelineEntry};
use drinfra::render::progress::Progress;
use drinfra::state::{Change, Record, State};

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
    #[command(flatten)]
    run: RunbookArgs,
    #[command(flatten)]
    common: CommonArgs,
}

/// What failover and failback both take: why, a drill report, and the
/// confirmation.
#[derive(Args)]
pub(super) struct RunbookArgs {
    /// Why, for the record.
    #[arg(long, default_value = "")]
    pub reason: String,
    /// Write a drill report (Markdown: metrics against the group's targets,
    /// timeline, problems, follow-ups) to this file, whether or not it
    /// completes.
    #[arg(long)]
    pub report: Option<std::path::PathBuf>,
    /// Skip the typed confirmation (for runbooks run by a pipeline).
    #[arg(long)]
    pub auto_approve: bool,
}

/// "eastus active, traffic on eastus, database on westeurope".
pub(super) fn how_it_stands(v: &GroupView) -> String {
    let apart: String = v
        .components
        .iter()
        .map(|(k, c)| {
            if k == scope::STORAGE {
                ", storage failed over to its secondary region".to_string()
            } else {
                format!(", {k} on {}", c.active)
            }
        })
        .collect();
    format!("{} active, traffic on {}{apart}", v.active, v.traffic)
}

pub(super) fn who(env: &Env) -> String {
    let var = |k: &str| {
        env.vars
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let user = var("USER")
        .or_else(|| var("LOGNAME"))
        .or_else(|| var("USERNAME"))
        .unwrap_or_else(|| "unknown".into());
    format!("{user}@{}", drinfra::state::lock::hostname())
}

/// Where the group stands now (config, then any recorded failover).
/// `to`: the site a failover is heading for. Finishing a staged failover
/// toward the recorded active site (traffic after `--only data`) needs no
/// configuration change first; anything else does.
fn current(
    s: &Session,
    state: Option<&State>,
    group: &str,
    to: Option<&str>,
) -> anyhow::Result<(GroupView, FailoverGroup)> {
    let Some(g) = s.stack.config.root().failover_groups.get(group) else {
        bail!(
            "no failover_group {group:?} in this stack (groups: {})",
            s.stack
                .config
                .root()
                .failover_groups
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    let view =
        drinfra::failover::standing(&s.stack.config, state, group).expect("the group exists");
    // Failing over to the site the configuration already names is the
    // way to make that edit take effect (an apply refuses it).
    if view.active != g.active && to != Some(view.active.as_str()) && to != Some(g.active.as_str())
    {
        bail!(
            "the configuration names {:?} as active, but {:?} is (recorded by a failover); update the configuration first, or run `drinfra failback {group}`",
            g.active,
            view.active
        );
    }
    Ok((view, g.clone()))
}

pub(super) fn confirm(env: &Env, phrase: &str, auto: bool) -> anyhow::Result<bool> {
    if auto {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "refusing to fail over without --auto-approve: standard input is not a terminal, so nobody can confirm"
        );
    }
    print!(
        "\n{}\n  Type {phrase:?} to confirm: ",
        env.style.bold("This moves production.")
    );
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim() == phrase)
}

pub(super) fn save_record(
    s: &Session,
    group: &str,
    record: drinfra::state::FailoverRecord,
) -> anyhow::Result<()> {
    let mut state = State::or_new(s.backend.load()?)?;
    state.failover_groups.insert(group.to_string(), record);
    state.serial = state.next_serial()?;
    s.backend.append(&[Record {
        serial: state.serial,
        change: Change::Replace(Box::new(state.clone())),
    }])?;
    s.backend.compact(&state)?;
    Ok(())
}

/// Plans the stack with `view` for `group`, in failover phases.
pub(super) fn plan_with(
    env: &Env,
    s: &Session,
    providers: &Providers,
    rt: &tokio::runtime::Runtime,
    group: &str,
    view: &GroupView,
    common: &CommonArgs,
) -> anyhow::Result<Result<(Plan, Option<State>), ExitCode>> {
    let prior = s.backend.load()?;
    let mut failover = std::collections::BTreeMap::new();
    for name in s.stack.config.root().failover_groups.keys() {
        failover.insert(
            name.clone(),
            drinfra::failover::standing(&s.stack.config, prior.as_ref(), name)
                .expect("the group exists"),
        );
    }
    failover.insert(group.to_string(), view.clone());
    let opts = PlanOptions {
        refresh: !common.no_refresh,
        targets: common.targets.clone(),
        parallelism: common.parallelism,
        failover,
        phased: true,
        ..PlanOptions::default()
    };
    let (plan, diags) = rt.block_on(planner::plan(
        &s.stack.config,
        &s.stack.inputs,
        &env.dir,
        prior.as_ref(),
        providers,
        &opts,
    ));
    show_diags(env, &s.stack.config.sources, &diags);
    match plan {
        Some(p) if !diags.has_errors() => Ok(Ok((p, prior))),
        _ => {
            eprintln!("\nPlanning the failover failed; nothing was changed.");
            Ok(Err(ExitCode::from(1)))
        }
    }
}

pub(super) fn show_phases(env: &Env, plan: &Plan) {
    let phases = phases::summary(plan);
    if phases.is_empty() {
        println!("Nothing to change: the group already stands as asked.");
        return;
    }
    println!("{}", env.style.bold("Phases (each starts when the one before it is done; steps within a phase run in parallel):"));
    let mut total = 0;
    for (i, (name, changes, secs)) in phases.iter().enumerate() {
        total += secs;
        println!(
            "  {}. {name:<13} {} change(s), about {} min",
            i + 1,
            changes.len(),
            secs.div_ceil(60)
        );
        for c in changes {
            println!(
                "       {} {}{}",
                match c.action {
                    drinfra::plan::Action::Create => "+",
                    drinfra::plan::Action::Delete => "-",
                    a if a.is_replace() => "-/+",
                    _ => "~",
                },
                c.address,
                if c.notes.is_empty() {
                    String::new()
                } else {
                    format!("  ({})", c.notes.join("; "))
                }
            );
        }
    }
    println!(
        "  Expected duration: about {} min (Azure's typical times; the emulator's are simulated).\n",
        total.div_ceil(60)
    );
}

pub(super) fn write_report(
    path: Option<&std::path::Path>,
    drill: &DrillReport,
) -> anyhow::Result<()> {
    if let Some(p) = path {
        std::fs::write(p, drinfra::render::drill::render(drill))
            .map_err(|e| anyhow::anyhow!("cannot write the drill report {}: {e}", p.display()))?;
        println!("Drill report: {}", p.display());
    }
    Ok(())
}

/// The storage accounts a group lists for `site` that the state knows.
pub(super) fn storage_accounts(
    s: &Session,
    state: Option<&State>,
    group: &str,
    site: &str,
) -> Vec<String> {
    let listed = s
        .stack
        .config
        .root()
        .failover_groups
        .get(group)
        .and_then(|g| g.storage_accounts.get(site))
        .cloned()
        .unwrap_or_default();
    listed
        .into_iter()
        .filter(|a| state.is_some_and(|st| st.resources.contains_key(a)))
        .collect()
}

/// What a storage failover did: accounts failed over, and those deferred
/// (account, why).
type StorageOutcome = (Vec<String>, Vec<(String, String)>);

/// Fails `site`'s storage accounts over to their secondary region (`away`)
/// or back home, all at once. Unreachable ones are deferred; the rest must
/// succeed. Idempotent: an account already standing as asked is skipped.
pub(super) fn storage_failover(
    s: &Session,
    providers: &Providers,
    rt: &tokio::runtime::Runtime,
    accounts: &[String],
    away: bool,
    planned: bool,
    timeline: &mut Vec<TimelineEntry>,
) -> anyhow::Result<StorageOutcome> {
    let state = s.backend.load()?;
    let mut jobs = Vec::new();
    for addr in accounts {
        let Some(r) = state.as_ref().and_then(|st| st.resources.get(addr)) else {
            continue;
        };
        jobs.push((
            addr.clone(),
            r.ty.clone(),
            r.value(),
            providers.for_recorded(&r.provider, &r.ty)?,
        ));
    }
    // One after another: a site holds a handful of accounts, and each
    // failover is one ARM action the client follows to its end.
    let results: Vec<_> = rt.block_on(async {
        let mut out = Vec::new();
        for (_, ty, v, p) in &jobs {
            out.push(p.site_failover(ty, v, away, planned).await);
        }
        out
    });
    let (mut deferred, mut failed) = (Vec::new(), Vec::new());
    for ((addr, ..), res) in jobs.iter().zip(results) {
        let status = match &res {
            Ok(Some(what)) => format!("done: {what}"),
            Ok(None) => "already done".to_string(),
            Err(e) if drinfra::failover::unreachable(e) => format!("deferred: {e}"),
            Err(e) => format!("failed: {e}"),
        };
        timeline.push(TimelineEntry {
            at: drinfra::timefmt::now(),
            event: format!("storage account failover {addr}"),
            status,
        });
        match res {
            Ok(Some(what)) => println!("  {addr}: storage account {what}"),
            Ok(None) => println!(
                "  {addr}: storage account already {}",
                if away { "failed over" } else { "home" }
            ),
            Err(e) if drinfra::failover::unreachable(&e) => {
                println!("  {addr}: storage account failover deferred (unreachable): {e}");
                deferred.push(addr.clone());
            }
            Err(e) => failed.push((addr.clone(), e.to_string())),
        }
    }
    Ok((deferred, failed))
}

/// Applies a phased plan; unreachable objects are deferred.
#[allow(clippy::too_many_arguments)] // the command's whole context; slated for the ops layer (#13)
pub(super) fn run_phased(
    env: &Env,
    s: &Session,
    plan: &Plan,
    prior: Option<State>,
    providers: &Providers,
    rt: &tokio::runtime::Runtime,
    common: &CommonArgs,
    timeline: &mut Vec<TimelineEntry>,
) -> anyhow::Result<apply::ApplyReport> {
    let mut progress = Progress::new(false, apply::steps(plan).len());
    let mut note = |e: &apply::Event| {
        let (event, status) = match e {
            apply::Event::Finished { step, elapsed } => (
                step.to_string(),
                format!("done in {:.1} s", elapsed.as_secs_f64()),
            ),
            // apply marks the failures it deferred.
            apply::Event::Failed { step, error, .. } if error.starts_with("deferred: ") => (
                step.to_string(),
                format!("deferred: {}", error.trim_start_matches("deferred: ")),
            ),
            apply::Event::Failed { step, error, .. } => {
                (step.to_string(), format!("failed: {error}"))
            }
            apply::Event::Skipped { step, because } => {
                (step.to_string(), format!("skipped: {because}"))
            }
            _ => return,
        };
        timeline.push(TimelineEntry {
            at: drinfra::timefmt::now(),
            event,
            status,
        });
    };
    let report = apply_plan(
        env,
        s,
        plan,
        prior,
        providers,
        rt,
        common,
        Some(drinfra::failover::unreachable),
        &mut |e| {
            note(&e);
            progress.event(&e)
        },
    )?;
    report_requests(env, providers, common.verbose);
    show_diags(env, &s.stack.config.sources, &report.diags);
    Ok(report)
}

pub fn run_failover(env: &Env, a: FailoverArgs) -> anyhow::Result<ExitCode> {
    let (mut s, rt, providers) = match start(env, &a.common, "failover", true)? {
        Ok(started) => started,
        Err(code) => return Ok(code),
    };
    // A state from before placements were recorded says where its
    // resources were placed (so an edited configuration can fail over).
    let prior = s
        .backend
        .load()?
        .map(|st| drinfra::failover::with_inferred(&s.stack.config, &s.stack.inputs, &env.dir, st));
    let record = prior
        .as_ref()
        .and_then(|p| p.failover_groups.get(&a.group))
        .cloned();
    let resuming = record
        .as_ref()
        .is_some_and(|r| r.status == "in_progress" && r.target == a.to);
    let (now, group) = if resuming {
        let g = s
            .stack
            .config
            .root()
            .failover_groups
            .get(&a.group)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("no failover_group {:?} in this stack", a.group))?;
        (
            drinfra::failover::recorded_view(record.as_ref().expect("record")),
            g,
        )
    } else {
        current(&s, prior.as_ref(), &a.group, Some(&a.to))?
    };
    if !group.sites.contains(&a.to) {
        bail!(
            "{:?} is not a site of group {:?} ({})",
            a.to,
            a.group,
            group.sites.join(", ")
        );
    }
    let scope = Scope::parse(a.only.as_deref(), &group).map_err(anyhow::Error::msg)?;
    if matches!(scope, Scope::Full | Scope::Data)
        && now.active == a.to
        && !now.components.is_empty()
    {
        bail!(
            "group {:?} is already active on {:?}, but these components stand apart on another site: {}. Bring them home with `drinfra failback {}` (it re-seeds before it swaps) rather than promoting stale copies",
            a.group,
            a.to,
            now.components
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            a.group
        );
    }
    let traffic_only = scope == Scope::Traffic;
    let data_only = scope == Scope::Data;
    let scoped = matches!(scope, Scope::Components(_));
    let target = scope.target(&now, &a.to);
    if !resuming && target == now {
        println!(
            "Group {:?} already stands as asked ({} active, traffic to {}{}). Nothing to do.",
            a.group,
            now.active,
            now.traffic,
            now.components
                .iter()
                .map(|(k, c)| format!(", {k} on {}", c.active))
                .collect::<String>()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let forced = a.forced;
    for p in providers.all() {
        p.set_promotion(if forced {
            drinfra::provider::Promotion::Forced
        } else {
            drinfra::provider::Promotion::Planned
        });
    }
    let (plan, prior) = match plan_with(env, &s, &providers, &rt, &a.group, &target, &a.common)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let title = format!(
        "{} of group {:?}: {} -> {}{}",
        if resuming {
            "Resuming the failover".to_string()
        } else if traffic_only {
            "Traffic-only failover".into()
        } else if data_only {
            "Data-only failover".into()
        } else if let Scope::Components(cs) = &scope {
            format!("Failover ({} only)", cs.join(", "))
        } else {
            "Failover".into()
        },
        a.group,
        if traffic_only {
            &now.traffic
        } else {
            &now.active
        },
        a.to,
        if traffic_only {
            String::new()
        } else if forced {
            " (forced)".into()
        } else {
            " (planned)".into()
        }
    );
    // What the failover means, said plainly (the forced warning in red).
    let mut notes: Vec<(String, bool)> = Vec::new();
    if traffic_only {
        notes.push((format!("Only Front Door and DNS move. Data and capacity stay on {}: the application in {} reaches the database across regions (higher latency); RPO is unchanged, since nothing is promoted.", now.active, a.to), false));
    } else if data_only && target.traffic != target.active {
        notes.push((format!("Traffic stays on {}: Front Door, Traffic Manager and DNS keep sending users there, and its application reaches the data in {} across regions (higher latency) until `drinfra failover {} --to {} --only traffic`.", target.traffic, a.to, a.group, a.to), false));
    }
    if let Scope::Components(cs) = &scope {
        notes.push((
            scoped_consequences(&a.group, &group, &scope, cs, &now.active, &a.to, forced),
            false,
        ));
    }
    if !traffic_only {
        if forced {
            notes.push((format!("Forced: replicas are promoted now. Writes on {} not yet replicated are lost (up to the replication lag, which the DR plan keeps under 30 s).", now.active), true));
        } else {
            notes.push(("Planned: replicas are promoted only once they have caught up: no data loss. The old primary must be reachable; if its region is down, use --forced.".into(), false));
        }
    }
    // Accounts move only when the storage's site changes (never when
    // "failing over" to where it already is).
    let storage_moves = scope.moves_storage()
        && now.component(scope::STORAGE).active != target.component(scope::STORAGE).active;
    let accounts = if storage_moves {
        storage_accounts(&s, prior.as_ref(), &a.group, &now.active)
    } else {
        vec![]
    };
    let storage_note = (!accounts.is_empty()).then(|| format!("Storage account failover (with the data phase): {} to their secondary region, {}.", accounts.join(", "), if forced { "unplanned: writes not yet replicated are lost and the accounts become locally redundant until GRS is re-enabled" } else { "planned: no data loss, geo-redundancy kept" }));
    if a.markdown {
        let all: Vec<String> = notes
            .iter()
            .map(|(n, _)| n.clone())
            .chain(storage_note.clone())
            .collect();
        print!(
            "{}",
            drinfra::render::failover_plan::markdown(&title, &all, &plan)
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", env.style.bold(&title));
    for (n, red) in &notes {
        println!(
            "{}",
            if *red {
                env.style.red_bold(n)
            } else {
                n.clone()
            }
        );
    }
    println!();
    show_phases(env, &plan);
    if let Some(n) = &storage_note {
        println!("{n}");
    }
    print_plan(
        env,
        &plan,
        OutputArgs {
            compact: true,
            ..OutputArgs::default()
        },
    );
    if a.plan_only {
        println!(
            "\nPlan only: nothing was changed and nothing was recorded. Run without --plan-only to fail over."
        );
        return Ok(ExitCode::SUCCESS);
    }
    if !plan.has_changes() && !resuming && accounts.is_empty() {
        save_record(
            &s,
            &a.group,
            drinfra::failover::record(
                record.as_ref(),
                &now.active,
                &target,
                "complete",
                &who(env),
                &a.run.reason,
                vec![],
            ),
        )?;
        println!("Recorded {} as active.", target.active);
        return Ok(ExitCode::SUCCESS);
    }
    if !confirm(env, &format!("{} -> {}", a.group, a.to), a.run.auto_approve)? {
        println!("\nFailover cancelled; nothing was changed.");
        return Ok(ExitCode::from(1));
    }
    save_record(
        &s,
        &a.group,
        drinfra::failover::record(
            record.as_ref(),
            &now.active,
            &target,
            "in_progress",
            &who(env),
            &a.run.reason,
            vec![],
        ),
    )?;
    let prior = s.backend.load()?.or(prior);
    let started = std::time::Instant::now();
    let mut drill = DrillReport {
        group: a.group.clone(),
        from: if traffic_only {
            now.traffic.clone()
        } else {
            now.active.clone()
        },
        to: a.to.clone(),
        mode: match &scope {
            Scope::Traffic => "traffic only".to_string(),
            Scope::Data => "data only".into(),
            Scope::Components(cs) => format!(
                "{} only ({})",
                cs.join(", "),
                if forced { "forced" } else { "planned" }
            ),
            Scope::Full => if forced { "forced" } else { "planned" }.into(),
        },
        by: who(env),
        reason: a.run.reason.clone(),
        started: drinfra::timefmt::now(),
        expected_secs: phases::summary(&plan)
            .iter()
            .map(|(_, _, secs)| *secs)
            .sum(),
        rto_target: group.rto,
        rpo_target: group.rpo,
        data_loss: if traffic_only {
            DataLoss::NothingPromoted
        } else if forced {
            DataLoss::UpToLag
        } else {
            DataLoss::None
        },
        ..DrillReport::default()
    };
    drill.timeline.push(TimelineEntry {
        at: drill.started.clone(),
        event: format!("failover {} -> {} confirmed", drill.from, a.to),
        status: "started".into(),
    });
    // What a promotion can lose: the lag of each replica about to be promoted.
    if let Some((addr, lag)) = replica_lag(&plan, &providers, &rt) {
        println!(
            "Replica lag just before promotion: {lag:.0} s ({addr}){}",
            if forced {
                ": writes in that window may be lost"
            } else {
                ": planned promotion waits for it"
            }
        );
        drill.replica_lag_secs = Some(lag);
        drill.timeline.push(TimelineEntry {
            at: drinfra::timefmt::now(),
            event: format!("replica lag of {addr} measured"),
            status: format!("{lag:.0} s"),
        });
    }
    let (storage_deferred, storage_failed) = storage_failover(
        &s,
        &providers,
        &rt,
        &accounts,
        true,
        !forced,
        &mut drill.timeline,
    )?;
    for (addr, e) in &storage_failed {
        eprintln!("  failed: {addr}: storage account failover: {e}");
    }
    let report = run_phased(
        env,
        &s,
        &plan,
        prior,
        &providers,
        &rt,
        &a.common,
        &mut drill.timeline,
    )?;
    let mut deferred: Vec<String> = report
        .deferred
        .iter()
        .map(|(st, _)| st.address.clone())
        .collect();
    deferred.extend(storage_deferred);
    drill.actual_secs = started.elapsed().as_secs_f64();
    drill.deferred = deferred.clone();
    drill.problems = storage_failed
        .iter()
        .map(|(addr, e)| format!("storage account failover {addr}: {e}"))
        .chain(report.failed.iter().map(|(st, e)| format!("{st}: {e}")))
        .collect();
    if !storage_failed.is_empty()
        || !report.failed.is_empty()
        || !report.skipped.is_empty()
        || report.interrupted
    {
        drill.follow_ups.push(format!(
            "fix the failures above and rerun `drinfra failover {} --to {}` to resume",
            a.group, a.to
        ));
        if report.interrupted {
            drill.problems.push(format!("interrupted: {} step(s) still running in Azure were recorded to be followed on resume", report.left_running.len()));
        }
        write_report(a.run.report.as_deref(), &drill)?;
        eprintln!(
            "\n{} {} step(s) failed, {} skipped{}; the failover is recorded as in progress. Fix the cause and run the same command again: it continues where it stopped.",
            env.style.red_bold("Failover incomplete:"),
            report.failed.len(),
            report.skipped.len(),
            if report.interrupted {
                format!(
                    ", interrupted with {} still running in Azure (recorded; the rerun follows them instead of repeating them)",
                    report.left_running.len()
                )
            } else {
                String::new()
            }
        );
        for (st, e) in &report.failed {
            eprintln!("  failed: {st}: {e}");
        }
        return Ok(ExitCode::from(1));
    }
    save_record(
        &s,
        &a.group,
        drinfra::failover::record(
            record.as_ref(),
            &now.active,
            &target,
            "complete",
            &who(env),
            &a.run.reason,
            deferred.clone(),
        ),
    )?;
    s.release();
    drill.completed = true;
    drill.timeline.push(TimelineEntry {
        at: drinfra::timefmt::now(),
        event: how_it_stands(&target),
        status: "recorded".into(),
    });
    if !deferred.is_empty() {
        drill.follow_ups.push(
            "once the region is back, run `drinfra plan` and apply what is left to reconcile"
                .into(),
        );
    }
    if target.active != now.active {
        drill.follow_ups.push(format!(
            "set active = {:?} in the failover_group block",
            target.active
        ));
    }
    if data_only {
        drill.follow_ups.push(format!(
            "move traffic: `drinfra failover {} --to {} --only traffic`",
            a.group, a.to
        ));
    }
    if let Scope::Components(cs) = &scope {
        drill.follow_ups.push(format!(
            "bring {} home when the drill is over: `drinfra failback {}` (re-seeds {} first)",
            cs.join(", "),
            a.group,
            now.active
        ));
    }
    write_report(a.run.report.as_deref(), &drill)?;
    println!(
        "\n{}",
        env.style.paint(
            "1;32",
            &format!(
                "Failover complete in {:.1}s: group {:?} stands {}.",
                started.elapsed().as_secs_f64(),
                a.group,
                how_it_stands(&target)
            )
        )
    );
    if !deferred.is_empty() {
        println!(
            "Deferred (unreachable, not failed): {}. Once the region is back, `drinfra plan` shows what is left to reconcile.",
            deferred.join(", ")
        );
    }
    if scoped {
        println!(
            "The rest of group {:?} stays on {}. `drinfra failover {} --to {}` moves the rest; `drinfra failback {}` brings these components home in order.",
            a.group, target.active, a.group, a.to, a.group
        );
    } else if !traffic_only {
        println!(
            "Next: set active = {:?} in the failover_group block so pipelines agree; `drinfra failback {}` returns in order.",
            target.active, a.group
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The largest lag among the replicas this plan promotes, as the cloud
/// reports it (unreadable lags, e.g. in a region that is down, are left out).
fn replica_lag(
    plan: &Plan,
    providers: &Providers,
    rt: &tokio::runtime::Runtime,
) -> Option<(String, f64)> {
    let mut worst: Option<(String, f64)> = None;
    for c in plan.actions().filter(|c| {
        drinfra::provider::type_facts(&c.ty).promotes(&c.ty, c.before.as_ref(), c.after.as_ref())
    }) {
        let (Ok(p), Some(before)) = (
            providers.for_recorded(&c.provider, &c.ty),
            c.before.as_ref(),
        ) else {
            continue;
        };
        if let Ok(Some(lag)) = rt.block_on(p.replication_lag(&c.ty, before))
            && worst.as_ref().is_none_or(|(_, w)| lag > *w)
        {
            worst = Some((c.address.clone(), lag));
        }
    }
    worst
}

/// What a failover scoped to components leaves behind, and what that means
/// for the recovery point, said plainly.
fn scoped_consequences(
    name: &str,
    group: &FailoverGroup,
    scope: &Scope,
    moving: &[String],
    from: &str,
    to: &str,
    forced: bool,
) -> String {
    let staying = scope.staying(group);
    let mut out = format!(
        "Moves to {to}: {}.\nStays on {from}: {}.\n",
        moving.join(", "),
        if staying.is_empty() {
            "nothing".into()
        } else {
            staying.join(", ")
        }
    );
    out.push_str(&format!(
        "What this means: what stays on {from} keeps serving from there and reaches the moved components in {to} across regions (higher latency). \
         RPO: the moved components lose {} when promoted; what stays keeps its current protection (its replication to {to}), so losing {from} now would lose what it had not yet replicated. \
         The moved components have no replica on {from} until `drinfra failback {name}` re-seeds it.",
        if forced { "writes not yet replicated (up to their replication lag)" } else { "nothing (planned: they catch up first)" }
    ));
    out
}

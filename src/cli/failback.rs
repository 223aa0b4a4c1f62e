//! `drinfra failback GROUP`: the way back from whatever a failover moved,
//! in three planned stages (re-seed home, swap back, re-seed away).

use std::process::ExitCode;

use anyhow::bail;
use clap::Args;

use super::Env;
use super::engine::{CommonArgs, start};
use super::failover::{
    RunbookArgs, confirm, how_it_stands, plan_with, run_phased, save_record, show_phases,
    storage_accounts, storage_failover, who, write_report,
};
use drinfra::failover::scope;
use drinfra::plan::phases;
use drinfra::render::drill::{DataLoss, DrillReport, TimelineEntry};

#[derive(Args)]
pub struct FailbackArgs {
    /// The failover group to bring home.
    group: String,
    #[command(flatten)]
    run: RunbookArgs,
    #[command(flatten)]
    common: CommonArgs,
}

pub fn run_failback(env: &Env, a: FailbackArgs) -> anyhow::Result<ExitCode> {
    let (mut s, rt, providers) = match start(env, &a.common, "failback", true)? {
        Ok(started) => started,
        Err(code) => return Ok(code),
    };
    let prior = s.backend.load()?;
    let Some(g) = s.stack.config.root().failover_groups.get(&a.group).cloned() else {
        bail!("no failover_group {:?} in this stack", a.group)
    };
    let Some(record) = prior
        .as_ref()
        .and_then(|p| p.failover_groups.get(&a.group))
        .filter(|r| r.status != drinfra::failover::APPLIED)
        .cloned()
    else {
        bail!(
            "group {:?} has no recorded failover to fail back from",
            a.group
        )
    };
    if record.status != "complete" {
        bail!(
            "a failover of {:?} is in progress; finish it first",
            a.group
        );
    }
    let now = drinfra::failover::recorded_view(&record);
    let Some((home, stages)) = scope::failback(&g, &now) else {
        bail!("group {:?} has no other site to fail back to", a.group)
    };
    for p in providers.all() {
        p.set_promotion(drinfra::provider::Promotion::Planned);
    }
    println!(
        "{}",
        env.style
            .bold(&format!("Failback of group {:?} to {home}", a.group))
    );
    println!(
        "Stage 1 replaces the stale copies on {home} with replicas of what is active now and re-links the caches the other way (destructive for {home}'s stale data); stage 2 promotes {home} once it has caught up and moves traffic; stage 3 re-establishes replication from {home}.\n"
    );
    if !confirm(env, &format!("{} -> {home}", a.group), a.run.auto_approve)? {
        println!("\nFailback cancelled; nothing was changed.");
        return Ok(ExitCode::from(1));
    }
    let away = if now.active != home {
        now.active.clone()
    } else {
        now.components
            .values()
            .map(|c| c.active.clone())
            .chain([now.traffic.clone()])
            .find(|site| *site != home)
            .unwrap_or_default()
    };
    let started = std::time::Instant::now();
    let mut drill = DrillReport {
        group: a.group.clone(),
        from: away,
        to: home.clone(),
        mode: "failback".into(),
        by: who(env),
        reason: a.run.reason.clone(),
        started: drinfra::timefmt::now(),
        rto_target: g.rto,
        rpo_target: g.rpo,
        data_loss: DataLoss::None,
        ..DrillReport::default()
    };
    drill.timeline.push(TimelineEntry {
        at: drill.started.clone(),
        event: format!("failback to {home} confirmed"),
        status: "started".into(),
    });
    let stop =
        |drill: &mut DrillReport, problem: String, title: &str| -> anyhow::Result<ExitCode> {
            drill.actual_secs = started.elapsed().as_secs_f64();
            drill.problems.push(problem);
            drill.follow_ups.push(format!(
                "fix the cause and rerun `drinfra failback {}`: stage {title} starts again",
                a.group
            ));
            write_report(a.run.report.as_deref(), drill)?;
            Ok(ExitCode::from(1))
        };
    let mut previous = now;
    for stage in stages {
        let title = &stage.title;
        println!("{}", env.style.bold(&format!("Stage {title}")));
        if stage.view == previous {
            println!("Nothing to do in this stage.\n");
            drill.timeline.push(TimelineEntry {
                at: drinfra::timefmt::now(),
                event: format!("stage {title}"),
                status: "nothing to do".into(),
            });
            continue;
        }
        let (plan, prior) =
            match plan_with(env, &s, &providers, &rt, &a.group, &stage.view, &a.common)? {
                Ok(p) => p,
                Err(code) => return Ok(code),
            };
        show_phases(env, &plan);
        drill.expected_secs += phases::summary(&plan)
            .iter()
            .map(|(_, _, secs)| *secs)
            .sum::<u64>();
        drill.timeline.push(TimelineEntry {
            at: drinfra::timefmt::now(),
            event: format!("stage {title}"),
            status: "started".into(),
        });
        if stage.storage_home {
            // Home's storage accounts return with the swap (planned).
            let accounts = storage_accounts(&s, prior.as_ref(), &a.group, &home);
            let (deferred, failed) = storage_failover(
                &s,
                &providers,
                &rt,
                &accounts,
                false,
                true,
                &mut drill.timeline,
            )?;
            if let Some((addr, e)) = failed
                .first()
                .cloned()
                .or_else(|| deferred.first().map(|d| (d.clone(), "unreachable".into())))
            {
                eprintln!(
                    "{} storage account {addr} did not fail back: {e}; fix the cause and run failback again.",
                    env.style.red_bold("Failback stopped:")
                );
                return stop(
                    &mut drill,
                    format!("storage account {addr} did not fail back: {e}"),
                    title,
                );
            }
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
        if !report.ok() {
            eprintln!(
                "{} stage {title} did not complete; fix the cause and run failback again.",
                env.style.red_bold("Failback stopped:")
            );
            for (st, e) in report.failed.iter().chain(report.deferred.iter()) {
                eprintln!("  {st}: {e}");
            }
            let problems = report
                .failed
                .iter()
                .chain(report.deferred.iter())
                .map(|(st, e)| format!("{st}: {e}"))
                .collect::<Vec<_>>()
                .join("; ");
            return stop(&mut drill, format!("stage {title}: {problems}"), title);
        }
        let latest = s.backend.load()?;
        save_record(
            &s,
            &a.group,
            drinfra::failover::record(
                latest
                    .as_ref()
                    .and_then(|l| l.failover_groups.get(&a.group)),
                &previous.active,
                &stage.view,
                "complete",
                &who(env),
                &a.run.reason,
                vec![],
            ),
        )?;
        drill.timeline.push(TimelineEntry {
            at: drinfra::timefmt::now(),
            event: how_it_stands(&stage.view),
            status: "recorded".into(),
        });
        previous = stage.view;
    }
    s.release();
    drill.completed = true;
    drill.actual_secs = started.elapsed().as_secs_f64();
    if g.active != home {
        drill
            .follow_ups
            .push(format!("set active = {home:?} in the failover_group block"));
    }
    write_report(a.run.report.as_deref(), &drill)?;
    println!("\n{}", env.style.paint("1;32", &format!("Failback complete: {home} is active again and replicates to the other site. Set active = {home:?} in the failover_group block if it is not already.")));
    Ok(ExitCode::SUCCESS)
}

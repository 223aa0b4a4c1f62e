//! The drill report a failover can leave behind (`--report FILE`): what
//! the DR plan's drills end with: a timeline table (time, event, owner,
//! status), metrics against expectations, problems found and follow-ups,
//! as Markdown for a ticket or a PR.

use crate::ops::report::{DataLoss, DrillReport};

/// The drill report could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the drill report {path}: {error}")]
pub struct WriteError {
    path: String,
    error: std::io::Error,
}

/// Writes the report as Markdown to `path`.
pub fn write(path: &std::path::Path, r: &DrillReport) -> Result<(), WriteError> {
    std::fs::write(path, render(r)).map_err(|error| WriteError {
        path: path.display().to_string(),
        error,
    })
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn minutes(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s.is_multiple_of(60) {
        format!("{} min", s / 60)
    } else {
        format!("{s} s")
    }
}

pub fn render(r: &DrillReport) -> String {
    let mut out = format!(
        "# Failover drill: group `{}`, {} -> {} ({})\n\n",
        r.group, r.from, r.to, r.mode
    );
    out.push_str(&format!(
        "- Started: {} by {}{}\n",
        r.started,
        r.by,
        if r.reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.reason)
        }
    ));
    out.push_str(&format!(
        "- Outcome: {}\n\n",
        if r.completed {
            "**complete**"
        } else {
            "**incomplete**: recorded as in progress; rerun the same command to resume"
        }
    ));
    out.push_str("## Metrics\n\n| metric | expected | actual |\n| --- | --- | --- |\n");
    out.push_str(&format!(
        "| recovery time (all phases) | {} min (Azure's typical durations) | {:.1} s |\n",
        r.expected_secs.div_ceil(60),
        r.actual_secs
    ));
    if let Some(rto) = r.rto_target {
        let verdict = if !r.completed {
            "not met: incomplete"
        } else if r.actual_secs <= rto.as_secs_f64() {
            "met"
        } else {
            "missed"
        };
        out.push_str(&format!("| RTO (recovery phase only; detection and decision are not timed here) | {} | {:.1} s ({verdict}) |\n", minutes(rto), r.actual_secs));
    }
    let rpo = r.rpo_target.map(minutes).unwrap_or_else(|| "-".into());
    let actual = match r.data_loss {
        DataLoss::NothingPromoted => "0: nothing was promoted".to_string(),
        DataLoss::None => format!("0: replicas caught up before promotion{}", if r.rpo_target.is_some() { " (met)" } else { "" }),
        DataLoss::UpToLag => match r.replica_lag_secs {
            Some(lag) => {
                let verdict = r.rpo_target.map(|t| if lag <= t.as_secs_f64() { " (met)" } else { " (missed)" }).unwrap_or_default();
                format!("up to {lag:.0} s: the replica lag Azure Monitor reported just before promotion{verdict}")
            }
            None => "up to the replication lag at promotion: not measured (no lag reported); check it against the target".to_string(),
        },
    };
    out.push_str(&format!("| RPO (data loss) | {rpo} | {actual} |\n"));
    for s in &r.rpo {
        out.push_str(&format!(
            "| RPO of {} | {rpo} | {} |\n",
            cell(&s.address),
            cell(&s.rpo.to_string())
        ));
    }
    out.push_str(&format!(
        "| steps deferred (unreachable) | 0 | {} |\n",
        r.deferred.len()
    ));
    out.push_str(&format!("| steps failed | 0 | {} |\n\n", r.problems.len()));
    out.push_str(
        "## Timeline\n\n| time (UTC) | event | owner | status |\n| --- | --- | --- | --- |\n",
    );
    for e in &r.timeline {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            cell(&e.at),
            cell(&e.event),
            cell(&r.by),
            cell(&e.status.to_string())
        ));
    }
    out.push_str("\n## Problems found\n\n");
    if r.problems.is_empty() && r.deferred.is_empty() {
        out.push_str("None.\n");
    }
    for p in &r.problems {
        out.push_str(&format!("- failed: {}\n", cell(p)));
    }
    for d in &r.deferred {
        out.push_str(&format!("- deferred (unreachable): {}\n", cell(d)));
    }
    out.push_str("\n## Follow-up actions\n\n");
    for f in &r.follow_ups {
        out.push_str(&format!("- [ ] {}\n", cell(f)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::report::{Mode, StepStatus, TimelineEntry};

    #[test]
    fn the_report_has_metrics_a_timeline_problems_and_follow_ups() {
        let r = DrillReport {
            group: "platform".into(),
            from: "eastus".into(),
            to: "westeurope".into(),
            mode: Mode::Forced,
            by: "oncall@host".into(),
            started: "2026-11-26T12:00:00Z".into(),
            actual_secs: 12.5,
            expected_secs: 2_580,
            timeline: vec![TimelineEntry {
                at: "2026-11-26T12:00:01Z".into(),
                event: "update a|b".into(),
                status: StepStatus::DoneIn(std::time::Duration::from_secs(1)),
            }],
            deferred: vec!["module.eastus.x".into()],
            follow_ups: vec!["set active".into()],
            ..Default::default()
        };
        let md = render(&r);
        assert!(
            md.contains(
                "| recovery time (all phases) | 43 min (Azure's typical durations) | 12.5 s |"
            ),
            "{md}"
        );
        assert!(
            md.contains("| 2026-11-26T12:00:01Z | update a\\|b | oncall@host | done in 1.0 s |"),
            "pipes are escaped: {md}"
        );
        assert!(
            md.contains("- deferred (unreachable): module.eastus.x")
                && md.contains("- [ ] set active")
                && md.contains("**incomplete**")
        );
        assert!(
            md.contains("| RPO (data loss) | - | 0: nothing was promoted |"),
            "{md}"
        );
    }

    #[test]
    fn targets_are_judged_against_what_happened() {
        let base = DrillReport {
            completed: true,
            actual_secs: 300.0,
            rto_target: Some(std::time::Duration::from_secs(90 * 60)),
            rpo_target: Some(std::time::Duration::from_secs(60)),
            data_loss: DataLoss::None,
            ..Default::default()
        };
        let md = render(&base);
        assert!(md.contains("| 90 min | 300.0 s (met) |"), "{md}");
        assert!(
            md.contains(
                "| RPO (data loss) | 1 min | 0: replicas caught up before promotion (met) |"
            ),
            "{md}"
        );
        let slow = render(&DrillReport {
            actual_secs: 6000.0,
            data_loss: DataLoss::UpToLag,
            ..base.clone()
        });
        assert!(
            slow.contains("6000.0 s (missed)")
                && slow.contains("up to the replication lag at promotion: not measured"),
            "{slow}"
        );
        let measured = render(&DrillReport {
            data_loss: DataLoss::UpToLag,
            replica_lag_secs: Some(10.0),
            ..base.clone()
        });
        assert!(measured.contains("| RPO (data loss) | 1 min | up to 10 s: the replica lag Azure Monitor reported just before promotion (met) |"), "{measured}");
        let lagging = render(&DrillReport {
            data_loss: DataLoss::UpToLag,
            replica_lag_secs: Some(300.0),
            ..base.clone()
        });
        assert!(
            lagging.contains("up to 300 s") && lagging.contains("(missed)"),
            "{lagging}"
        );
        let unfinished = render(&DrillReport {
            completed: false,
            ..base
        });
        assert!(unfinished.contains("(not met: incomplete)"), "{unfinished}");
    }
}

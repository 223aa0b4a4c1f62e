//! The drill report a failover can leave behind (`--report FILE`): the
//! DR plan's shape: a timeline (cloud time, event, owner, status),
//! metrics target vs actual (RTO in its four parts, RPO per data store,
//! per component), problems found and follow-ups; Markdown with a Mermaid
//! Gantt chart of the phases for a ticket or a PR, or JSON when FILE ends
//! in `.json`. Every time is the cloud's (see `ops::cloud_time`).

use serde_json::{Value as J, json};

use crate::ops::report::{DataLoss, DrillReport, IncidentStart, Rpo, Rto, phase_spans};
use crate::timefmt::rfc3339;

/// The drill report could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the drill report {path}: {error}")]
pub struct WriteError {
    path: String,
    error: std::io::Error,
}

/// Writes the report to `path`: JSON for `*.json`, else Markdown.
pub fn write(path: &std::path::Path, r: &DrillReport) -> Result<(), WriteError> {
    let text = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        serde_json::to_string_pretty(&to_json(r)).unwrap_or_default() + "\n"
    } else {
        render(r)
    };
    std::fs::write(path, text).map_err(|error| WriteError {
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

/// Whole cloud seconds (the `Date` header's resolution) as people read
/// them: `42 s`, `50 min`, `50 min 12 s`.
pub fn span(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    match (s / 60, s % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

/// Who owns a step: drinfra's steps belong to whoever ran it.
fn owner(r: &DrillReport, owner: &str) -> String {
    if owner == crate::ops::report::DRINFRA && !r.by.is_empty() {
        format!("{} (drinfra)", r.by)
    } else {
        owner.to_string()
    }
}

/// Mermaid's `dateFormat` below.
fn gantt_time(secs: f64) -> String {
    rfc3339(secs).trim_end_matches('Z').replace('T', " ")
}

/// The verdict on the RTO.
fn rto_verdict(r: &DrillReport, total: Option<f64>) -> &'static str {
    match (r.completed, total, r.rto_target) {
        (false, ..) => "not met: incomplete",
        (true, None, _) => "traffic did not move",
        (true, Some(_), None) => "no target",
        (true, Some(t), Some(target)) if t <= target.as_secs_f64() => "met",
        _ => "missed",
    }
}

fn detection_label(rto: &Rto) -> String {
    match &rto.incident {
        IncidentStart::None => "detection (planned: no incident)".into(),
        IncidentStart::Outage { region } => {
            format!("detection (the cloud's outage of {region} -> failover started)")
        }
        IncidentStart::Given => "detection (--detected-at)".into(),
    }
}

/// The RPO line: what a promotion lost or could lose.
fn rpo_actual(r: &DrillReport) -> String {
    match r.data_loss {
        DataLoss::NothingPromoted => "0: nothing was promoted".to_string(),
        DataLoss::None => format!(
            "0: replicas caught up before promotion{}",
            if r.rpo_target.is_some() { " (met)" } else { "" }
        ),
        DataLoss::UpToLag => match r.replica_lag_secs {
            Some(lag) => {
                let verdict = r
                    .rpo_target
                    .map(|t| {
                        if lag <= t.as_secs_f64() {
                            " (met)"
                        } else {
                            " (missed)"
                        }
                    })
                    .unwrap_or_default();
                format!(
                    "up to {lag:.0} s: the replica lag Azure Monitor reported just before promotion{verdict}"
                )
            }
            None => "up to the replication lag at promotion: not measured (no lag reported); check it against the target".to_string(),
        },
    }
}

pub fn render(r: &DrillReport) -> String {
    let mut out = format!(
        "# Failover drill: group `{}`, {} -> {} ({})\n\n",
        r.group, r.from, r.to, r.mode
    );
    out.push_str(&format!(
        "- Started: {} by {}{}\n",
        rfc3339(r.started),
        r.by,
        if r.reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.reason)
        }
    ));
    out.push_str(&format!(
        "- Clock: {}\n",
        if r.rto.wall_clock {
            "this machine's (no cloud answered)"
        } else {
            "the cloud's (its responses' `Date`: the emulator's simulated time, or Azure's)"
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
    out.push_str("## Metrics\n\n| metric | target | actual |\n| --- | --- | --- |\n");
    let rto = &r.rto;
    let total = rto.total();
    let target = r.rto_target.map(minutes).unwrap_or_else(|| "-".into());
    out.push_str(&format!(
        "| RTO (detection + decision + recovery + verification) | {target} | {} ({}) |\n",
        total.map(span).unwrap_or_else(|| "-".into()),
        rto_verdict(r, total)
    ));
    let part = |v: Option<f64>| v.map(span).unwrap_or_else(|| "-".into());
    out.push_str(&format!(
        "| - {} | | {} |\n",
        detection_label(rto),
        span(rto.detection())
    ));
    out.push_str(&format!(
        "| - decision (-> confirmed) | | {} |\n",
        span(rto.decision())
    ));
    out.push_str(&format!(
        "| - recovery (-> traffic switched) | | {} |\n",
        part(rto.recovery())
    ));
    out.push_str(&format!(
        "| - verification (-> {}) | | {} |\n",
        if r.health.is_empty() {
            "traffic phase done"
        } else {
            "health checks passed"
        },
        part(rto.verification())
    ));
    out.push_str(&format!(
        "| run time (confirmed -> recorded) | {} (Azure's typical durations) | {} |\n",
        span(r.expected_secs as f64),
        span(r.actual_secs)
    ));
    let rpo = r.rpo_target.map(minutes).unwrap_or_else(|| "-".into());
    out.push_str(&format!(
        "| RPO (data loss) | {rpo} | {} |\n",
        rpo_actual(r)
    ));
    for s in &r.rpo {
        out.push_str(&format!(
            "| RPO of `{}` | {rpo} | {} |\n",
            cell(&s.address),
            cell(&s.rpo.to_string())
        ));
    }
    for c in &r.components {
        let verdict = match (c.rto_actual, c.rto_target) {
            (Some(a), Some(t)) if a <= t.as_secs_f64() => " (met)",
            (Some(_), Some(_)) => " (missed)",
            _ => "",
        };
        out.push_str(&format!(
            "| {}: RTO | {} | {}{verdict} |\n",
            cell(&c.component),
            c.rto_target.map(minutes).unwrap_or_else(|| "-".into()),
            part(c.rto_actual)
        ));
        if let Some(t) = c.rpo_target {
            out.push_str(&format!(
                "| {}: RPO | {} | see RPO above |\n",
                cell(&c.component),
                minutes(t)
            ));
        }
    }
    out.push_str(&format!(
        "| steps deferred (unreachable) | 0 | {} |\n",
        r.deferred.len()
    ));
    out.push_str(&format!("| steps failed | 0 | {} |\n\n", r.problems.len()));
    out.push_str(
        "## Timeline\n\n| time (UTC, cloud) | event | owner | status |\n| --- | --- | --- | --- |\n",
    );
    for e in &r.timeline {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            rfc3339(e.at),
            cell(&e.event),
            cell(&owner(r, &e.owner)),
            cell(&e.status.to_string())
        ));
    }
    out.push_str(&gantt(r));
    out.push_str(&super::runbook_report::markdown(r));
    out.push_str("\n## Problems found\n\n");
    if r.problems.is_empty() && r.deferred.is_empty() {
        out.push_str("None.\n");
    }
    for p in &r.problems {
        // A problem's text is its cause chain, outermost first.
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

/// The phases as a Mermaid Gantt chart, in cloud time; empty without
/// phases.
pub fn gantt(r: &DrillReport) -> String {
    let spans = phase_spans(&r.timeline);
    if spans.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n## Phases\n\n```mermaid\ngantt\n    title Failover phases (UTC, cloud time)\n    dateFormat YYYY-MM-DD HH:mm:ss\n    axisFormat %H:%M\n    section phases\n",
    );
    for (i, p) in spans.iter().enumerate() {
        out.push_str(&format!(
            "    {} :p{i}, {}, {}\n",
            p.name.replace([':', '#', ';'], " -"),
            gantt_time(p.start),
            gantt_time(p.end.max(p.start))
        ));
    }
    out.push_str("```\n");
    out
}

/// The report as JSON (`--report FILE.json`): times as RFC 3339 cloud
/// times, durations in seconds.
pub fn to_json(r: &DrillReport) -> J {
    let rto = &r.rto;
    json!({
        "group": r.group,
        "from": r.from,
        "to": r.to,
        "mode": r.mode.to_string(),
        "by": r.by,
        "reason": r.reason,
        "started": rfc3339(r.started),
        "clock": if rto.wall_clock { "wall" } else { "cloud" },
        "completed": r.completed,
        "rto": {
            "target_secs": r.rto_target.map(|d| d.as_secs()),
            "total_secs": rto.total(),
            "detection_secs": rto.detection(),
            "decision_secs": rto.decision(),
            "recovery_secs": rto.recovery(),
            "verification_secs": rto.verification(),
            "incident_began": rto.began.map(rfc3339),
            "detected": rfc3339(rto.detected),
            "confirmed": rfc3339(rto.confirmed),
            "traffic_switched": rto.switched.map(rfc3339),
            "traffic_done": phase_spans(&r.timeline)
                .iter()
                .find(|p| p.name == crate::plan::phases::Phase::Traffic.name())
                .map(|p| p.end)
                .or(rto.verified)
                .map(rfc3339),
            "verified": rto.verified.map(rfc3339),
            "verdict": rto_verdict(r, rto.total()),
        },
        "run_secs": r.actual_secs,
        "expected_secs": r.expected_secs,
        "rpo": {
            "target_secs": r.rpo_target.map(|d| d.as_secs()),
            "summary": rpo_actual(r),
            "replica_lag_secs": r.replica_lag_secs,
            "stores": r.rpo.iter().map(|e| match &e.rpo {
                Rpo::Lost(l) => json!({
                    "store": e.address,
                    "lost_writes": l.count,
                    "window": l.window.as_ref().map(|(from, to)| json!([from, to])),
                }),
                Rpo::LagBound(lag) => json!({
                    "store": e.address,
                    "lag_bound_secs": lag,
                }),
            }).collect::<Vec<_>>(),
        },
        "components": r.components.iter().map(|c| json!({
            "component": c.component,
            "rto_target_secs": c.rto_target.map(|d| d.as_secs()),
            "rpo_target_secs": c.rpo_target.map(|d| d.as_secs()),
            "rto_actual_secs": c.rto_actual,
        })).collect::<Vec<_>>(),
        "phases": phase_spans(&r.timeline).iter().map(|p| json!({
            "phase": p.name, "start": rfc3339(p.start), "end": rfc3339(p.end),
            "secs": p.end - p.start,
        })).collect::<Vec<_>>(),
        "timeline": r.timeline.iter().map(|e| json!({
            "at": rfc3339(e.at),
            "event": e.event,
            "owner": owner(r, &e.owner),
            "phase": e.phase,
            "status": e.status.to_string(),
        })).collect::<Vec<_>>(),
        "deferred": r.deferred,
        "problems": r.problems,
        "follow_ups": r.follow_ups,
        "health_checks": super::runbook_report::json(r).0,
        "notifications": super::runbook_report::json(r).1,
    })
}

/// A drill's verdict (`drinfra drill KIND`): the success criteria, target
/// against actual, problems with their cause chains and follow-ups, then
/// the failover's and the failback's reports.
pub fn render_drill(o: &crate::ops::drill::DrillOutcome) -> String {
    let mut out = format!(
        "# Drill `{}`: {} ({} -> {} and back)\n\n**Result: {}**\n\n## Success criteria\n\n| criterion | target | actual | met |\n|---|---|---|---|\n",
        o.kind.name(),
        o.group,
        o.from,
        o.to,
        if o.passed() { "PASSED" } else { "FAILED" }
    );
    for c in &o.criteria {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            cell(&c.name),
            cell(&c.target),
            cell(&c.actual),
            if c.met { "yes" } else { "**no**" }
        ));
    }
    out.push_str("\n## Problems found\n\n");
    if o.problems.is_empty() {
        out.push_str("None.\n");
    }
    for p in &o.problems {
        out.push_str(&format!("- {}\n", cell(&p.chain.join(" <- "))));
    }
    out.push_str("\n## Follow-up actions\n\n");
    if o.problems.is_empty() {
        out.push_str("None.\n");
    }
    for p in &o.problems {
        out.push_str(&format!("- [ ] {}\n", cell(&p.follow_up)));
    }
    for r in &o.reports {
        out.push('\n');
        out.push_str(&render(r).replacen("# ", "## ", 1));
    }
    out
}

/// The drill's verdict as JSON.
pub fn drill_json(o: &crate::ops::drill::DrillOutcome) -> J {
    json!({
        "drill": o.kind.name(),
        "group": o.group,
        "from": o.from,
        "to": o.to,
        "passed": o.passed(),
        "criteria": o.criteria.iter().map(|c| json!({
            "criterion": c.name, "target": c.target, "actual": c.actual, "met": c.met,
        })).collect::<Vec<_>>(),
        "problems": o.problems.iter().map(|p| json!({
            "cause_chain": p.chain, "follow_up": p.follow_up,
        })).collect::<Vec<_>>(),
        "reports": o.reports.iter().map(to_json).collect::<Vec<_>>(),
    })
}

/// Writes the drill's verdict to `path`: JSON for `*.json`, else Markdown.
pub fn write_drill(
    path: &std::path::Path,
    o: &crate::ops::drill::DrillOutcome,
) -> Result<(), WriteError> {
    let text = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        serde_json::to_string_pretty(&drill_json(o)).unwrap_or_default() + "\n"
    } else {
        render_drill(o)
    };
    std::fs::write(path, text).map_err(|error| WriteError {
        path: path.display().to_string(),
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::report::{Mode, StepStatus, TimelineEntry};

    #[test]
    fn phases_become_a_gantt_chart_in_cloud_time() {
        let step = |at: f64, since: f64, phase: &str| TimelineEntry {
            since: Some(since),
            phase: Some(phase.into()),
            ..TimelineEntry::at(at, "x", StepStatus::Recorded)
        };
        let r = DrillReport {
            timeline: vec![
                step(1_795_694_460.0, 1_795_694_400.0, "data: unlink"),
                step(1_795_697_400.0, 1_795_694_460.0, "traffic"),
            ],
            ..Default::default()
        };
        let g = gantt(&r);
        assert!(g.contains("```mermaid\ngantt\n"), "{g}");
        assert!(
            g.contains("    data - unlink :p0, 2026-11-26 12:00:00, 2026-11-26 12:01:00\n"),
            "{g}"
        );
        assert!(
            g.contains("    traffic :p1, 2026-11-26 12:01:00, 2026-11-26 12:50:00\n"),
            "{g}"
        );
        assert_eq!(to_json(&r)["phases"][1]["secs"], 2940.0);
    }

    #[test]
    fn the_report_has_metrics_a_timeline_problems_and_follow_ups() {
        let r = DrillReport {
            group: "platform".into(),
            from: "eastus".into(),
            to: "westeurope".into(),
            mode: Mode::Forced,
            by: "oncall@host".into(),
            started: 1_795_694_400.0,
            actual_secs: 12.5,
            expected_secs: 2_580,
            timeline: vec![TimelineEntry {
                owner: "oncall@host".into(),
                ..TimelineEntry::at(
                    1_795_694_401.0,
                    "update a|b",
                    StepStatus::DoneIn(std::time::Duration::from_secs(1)),
                )
            }],
            deferred: vec!["module.eastus.x".into()],
            follow_ups: vec!["set active".into()],
            ..Default::default()
        };
        let md = render(&r);
        assert!(
            md.contains(
                "| run time (confirmed -> recorded) | 43 min (Azure's typical durations) | 13 s |"
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
            rto: Rto {
                switched: Some(200.0),
                verified: Some(300.0),
                ..Rto::default()
            },
            rto_target: Some(std::time::Duration::from_secs(90 * 60)),
            rpo_target: Some(std::time::Duration::from_secs(60)),
            data_loss: DataLoss::None,
            ..Default::default()
        };
        let md = render(&base);
        assert!(md.contains("| 90 min | 5 min (met) |"), "{md}");
        assert!(
            md.contains("| - recovery (-> traffic switched) | | 3 min 20 s |")
                && md.contains("| - verification (-> traffic phase done) | | 1 min 40 s |"),
            "{md}"
        );
        assert!(
            md.contains(
                "| RPO (data loss) | 1 min | 0: replicas caught up before promotion (met) |"
            ),
            "{md}"
        );
        let slow = render(&DrillReport {
            rto: Rto {
                switched: Some(200.0),
                verified: Some(6000.0),
                ..Rto::default()
            },
            data_loss: DataLoss::UpToLag,
            ..base.clone()
        });
        assert!(
            slow.contains("| 100 min (missed) |")
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

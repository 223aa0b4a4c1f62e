//! The live failover view's non-terminal and JSON forms, pinned by
//! snapshots: phase markers, each step with its phase, what a waiting
//! step waits for, cloud time against the RTO budget and estimate, health
//! checks turning green and notifications (sent or not).

use std::path::{Path, PathBuf};
use std::time::Duration;

use drinfra::apply::{Event as Apply, StepId, StepKind};
use drinfra::ops::checked::{CheckResult, Delivery, Moment};
use drinfra::ops::event::{RunKind, RunbookEvent};
use drinfra::plan::phases::Phase;
use drinfra::render::live::{self, Live};

fn snapshot(name: &str, text: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("snapshot {name} is missing (UPDATE_SNAPSHOTS=1 to write it)"));
    assert_eq!(
        text, want,
        "snapshot {name} differs (UPDATE_SNAPSHOTS=1 to accept)"
    );
}

/// Three dependent steps: two in the data phase, one in traffic.
fn plan() -> drinfra::plan::Plan {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        r#"resource "terraform_data" "db" {
  input = "x"
}
resource "terraform_data" "pool" {
  input = terraform_data.db.output
}
resource "terraform_data" "dns" {
  input = terraform_data.pool.output
}
"#,
    )
    .unwrap();
    let stack = drinfra::config::open(dir.path(), &[], &[]);
    assert!(!stack.diags.has_errors(), "{:?}", stack.diags);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (plan, diags) = rt.block_on(drinfra::plan::planner::plan(
        &stack.config,
        &stack.inputs,
        Path::new("."),
        None,
        &drinfra::provider::Providers::builtin(),
        &Default::default(),
    ));
    assert!(!diags.has_errors(), "{diags:?}");
    let mut plan = plan.unwrap();
    plan.phases = [
        ("terraform_data.db", Phase::Data),
        ("terraform_data.pool", Phase::Data),
        ("terraform_data.dns", Phase::Traffic),
    ]
    .into_iter()
    .map(|(a, p)| (a.to_string(), p))
    .collect();
    plan
}

fn step(addr: &str) -> StepId {
    StepId {
        address: addr.into(),
        kind: StepKind::Create,
    }
}

/// A run's events, in order, fed to `each` (a runbook event, an apply
/// event, or `true`: show the panel now).
fn run(mut each: impl FnMut(Option<RunbookEvent<'_>>, Option<&Apply>, bool)) {
    let plan = plan();
    let t0 = 1_795_694_400.0;
    let check = |name: &str, passed: bool, detail: &str, attempts: u32, at: f64| CheckResult {
        name: name.into(),
        site: "westeurope".into(),
        what: format!("GET https://gateway.westeurope.example.com/{name}"),
        passed,
        attempts,
        detail: detail.into(),
        at,
    };
    let gateway = check("gateway", true, "HTTP 200", 1, t0 + 1900.0);
    let auth = check("auth", false, "HTTP 503, expected 200", 6, t0 + 1960.0);
    let sent = Delivery {
        target: "incident_channel".into(),
        moment: Moment::Start,
        title: "Failover of platform started: eastus -> westeurope".into(),
        attempts: 1,
        error: None,
    };
    let lost = Delivery {
        target: "platform_team".into(),
        moment: Moment::Start,
        title: "Failover of platform started: eastus -> westeurope".into(),
        attempts: 3,
        error: Some("cannot connect".into()),
    };
    let names = vec!["gateway".to_string(), "auth".to_string()];
    each(
        Some(RunbookEvent::Running {
            kind: RunKind::Failover,
            group: "platform",
            from: "eastus",
            to: "westeurope",
            at: t0,
            estimate_secs: 2700,
            budget_secs: Some(5400),
        }),
        None,
        false,
    );
    each(Some(RunbookEvent::Following(&plan)), None, false);
    each(
        Some(RunbookEvent::PhaseStarted {
            phase: "data",
            at: t0 + 5.0,
        }),
        None,
        false,
    );
    each(
        None,
        Some(&Apply::Started {
            step: step("terraform_data.db"),
        }),
        false,
    );
    each(None, None, true);
    each(
        Some(RunbookEvent::CloudTime { at: t0 + 600.0 }),
        None,
        false,
    );
    each(
        None,
        Some(&Apply::Finished {
            step: step("terraform_data.db"),
            elapsed: Duration::from_secs(1),
        }),
        false,
    );
    each(
        None,
        Some(&Apply::Started {
            step: step("terraform_data.pool"),
        }),
        false,
    );
    each(
        None,
        Some(&Apply::Finished {
            step: step("terraform_data.pool"),
            elapsed: Duration::from_secs(1),
        }),
        false,
    );
    each(
        Some(RunbookEvent::PhaseDone {
            phase: "data",
            at: t0 + 1200.0,
            failed: 0,
        }),
        None,
        false,
    );
    each(
        Some(RunbookEvent::PhaseStarted {
            phase: "traffic",
            at: t0 + 1200.0,
        }),
        None,
        false,
    );
    each(
        None,
        Some(&Apply::Started {
            step: step("terraform_data.dns"),
        }),
        false,
    );
    each(None, None, true);
    each(
        None,
        Some(&Apply::Finished {
            step: step("terraform_data.dns"),
            elapsed: Duration::from_secs(1),
        }),
        false,
    );
    each(
        Some(RunbookEvent::PhaseDone {
            phase: "traffic",
            at: t0 + 1800.0,
            failed: 0,
        }),
        None,
        false,
    );
    each(
        Some(RunbookEvent::Verifying { checks: &names }),
        None,
        false,
    );
    each(
        Some(RunbookEvent::Checked { result: &gateway }),
        None,
        false,
    );
    each(Some(RunbookEvent::Checked { result: &auth }), None, false);
    each(
        Some(RunbookEvent::Notified { delivery: &sent }),
        None,
        false,
    );
    each(
        Some(RunbookEvent::Notified { delivery: &lost }),
        None,
        false,
    );
}

#[test]
fn the_live_view_without_a_terminal_is_lines_with_phase_markers() {
    let mut live = Live::new();
    let mut out = String::new();
    run(|r, a, panel| {
        let lines = match (r, a) {
            (Some(r), _) => live.on(&r),
            (_, Some(a)) => live.on_apply(a),
            _ => vec![],
        };
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
        if panel {
            out.push_str("--- panel ---\n");
            out.push_str(&live.header());
            out.push('\n');
            for l in live.panel() {
                out.push_str(&l);
                out.push('\n');
            }
            out.push_str("---\n");
        }
    });
    snapshot("live_failover_lines.txt", &out);
}

#[test]
fn the_live_view_as_json_events_for_chat_ops() {
    let mut out = String::new();
    run(|r, _, _| {
        if let Some(j) = r.as_ref().and_then(live::json) {
            out.push_str(&j.to_string());
            out.push('\n');
        }
    });
    snapshot("live_failover_events.jsonl", &out);
    for line in out.lines() {
        let j: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(j["type"].is_string());
    }
}

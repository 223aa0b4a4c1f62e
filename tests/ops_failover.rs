//! Failover and failback driven through the library (`drinfra::ops`), not
//! the binary: a scripted confirmation, typed outcomes and events, and the
//! records the operations leave in state.

use std::path::PathBuf;
use std::time::Duration;

use drinfra::ops::apply::{ApplyOptions, ApplyOutcome, plan_and_apply};
use drinfra::ops::event::RunbookEvent;
use drinfra::ops::failback::{FailbackOptions, FailbackOutcome, failback};
use drinfra::ops::failover::{FailoverOptions, FailoverOutcome, failover};
use drinfra::ops::plan::PlanOptions;
use drinfra::ops::prompt::{AutoApprove, Scripted};
use drinfra::ops::report::{DataLoss, Mode, StepStatus};
use drinfra::ops::{Engine, Event, Question, SessionOptions};
use drinfra::state::{FailoverStatus, State};

use crate::common::copy_dir;

struct Stack {
    root: tempfile::TempDir,
    url: String,
}

impl Stack {
    fn dir(&self) -> PathBuf {
        self.root.path().join("stacks/platform")
    }

    fn session(&self, operation: &str) -> SessionOptions {
        SessionOptions {
            dir: self.dir(),
            inputs: vec![],
            env: vec![
                ("DRINFRA_EMULATOR_URL".into(), self.url.clone()),
                ("USER".into(), "oncall".into()),
            ],
            operation: operation.into(),
            validate_all: true,
            lock_timeout: Duration::ZERO,
            lock: true,
            emulators: None,
        }
    }

    fn start(&self, operation: &str) -> Engine {
        match Engine::start(&self.session(operation), &mut |_| {}) {
            Ok(e) => e,
            Err(e) => panic!("{operation}: {e}"),
        }
    }

    fn state(&self, engine: &Engine) -> State {
        engine.session.backend.load().unwrap().expect("a state")
    }
}

fn apply_options() -> ApplyOptions {
    ApplyOptions {
        parallelism: 32,
        grace: Duration::from_secs(60),
        interrupt: drinfra::ops::session::never,
        by: "oncall@test".into(),
    }
}

#[test]
fn a_failover_and_its_failback_run_through_the_library() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = tempfile::tempdir().unwrap();
    copy_dir(&repo.join("stacks"), &root.path().join("stacks"));
    copy_dir(&repo.join("modules"), &root.path().join("modules"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = crate::common::start_emulator(&rt, root.path().join("state/emulator"), 1.0e6);
    let stack = Stack {
        url: emu.url.clone(),
        root,
    };

    // The platform, applied through the library too.
    let mut engine = stack.start("apply");
    let outcome = plan_and_apply(
        &mut engine,
        &PlanOptions::default(),
        &apply_options(),
        Question::Proceed {
            action: "perform these actions".into(),
        },
        &mut AutoApprove,
        &mut |_| {},
    )
    .unwrap();
    let ApplyOutcome::Applied(report) = outcome else {
        panic!("nothing applied: {outcome:?}")
    };
    assert!(report.ok(), "{:?}", report.failed);
    let placed = stack.state(&engine).failover_groups["platform"].clone();
    assert_eq!(
        (placed.status, placed.active.as_str()),
        (FailoverStatus::Applied, "eastus")
    );
    drop(engine);

    let opts = FailoverOptions {
        group: "platform".into(),
        to: "westeurope".into(),
        forced: false,
        only: None,
        plan_only: false,
        reason: "library drill".into(),
        refresh: true,
        targets: vec![],
        apply: apply_options(),
        detected_at: None,
    };

    // Refused at the confirmation: nothing changes, nothing is recorded.
    let mut engine = stack.start("failover");
    let mut no = Scripted::new([false]);
    let outcome = failover(&mut engine, &opts, &mut no, &mut |_| {}).unwrap();
    assert!(matches!(outcome, FailoverOutcome::Cancelled), "{outcome:?}");
    assert!(!outcome.ok());
    assert_eq!(
        no.asked,
        vec![Question::MoveProduction {
            phrase: "platform -> westeurope".into()
        }]
    );
    assert_eq!(
        stack.state(&engine).failover_groups["platform"].status,
        FailoverStatus::Applied
    );
    drop(engine);

    // Confirmed: phases run, the new standing is recorded.
    let mut engine = stack.start("failover");
    let mut yes = Scripted::new([true]);
    let (mut planned, mut finished) = (None, 0);
    let outcome = failover(&mut engine, &opts, &mut yes, &mut |e| match e {
        Event::Runbook(RunbookEvent::FailoverPlanned { intent, plan }) => {
            planned = Some((intent.from().to_string(), plan.has_changes()))
        }
        Event::Apply(drinfra::apply::Event::Finished { .. }) => finished += 1,
        _ => {}
    })
    .unwrap();
    assert_eq!(planned, Some(("eastus".to_string(), true)));
    assert!(finished > 0, "apply progress reaches the caller");
    let FailoverOutcome::Complete {
        drill,
        intent,
        deferred,
        ..
    } = &outcome
    else {
        panic!("{outcome:?}")
    };
    assert!(outcome.ok());
    assert!(drill.completed && deferred.is_empty());
    assert_eq!(
        (drill.mode.clone(), drill.data_loss),
        (Mode::Planned, DataLoss::None)
    );
    assert_eq!(intent.target.active, "westeurope");
    assert_eq!(drill.timeline[0].status, StepStatus::Started);
    assert!(
        drill
            .timeline
            .iter()
            .any(|e| matches!(e.status, StepStatus::DoneIn(_))),
        "{:?}",
        drill.timeline
    );
    assert_eq!(
        drill.timeline.last().map(|e| &e.status),
        Some(&StepStatus::Recorded)
    );
    let record = stack.state(&engine).failover_groups["platform"].clone();
    assert_eq!(record.status, FailoverStatus::Complete);
    assert_eq!(
        (record.active.as_str(), record.traffic.as_str()),
        ("westeurope", "westeurope")
    );
    assert_eq!(
        (record.by.as_str(), record.reason.as_str()),
        ("oncall@test", "library drill")
    );
    drop(engine);

    // And back home, in three stages.
    let mut engine = stack.start("failback");
    let mut yes = Scripted::new([true]);
    let mut stages = Vec::new();
    let outcome = failback(
        &mut engine,
        &FailbackOptions {
            group: "platform".into(),
            reason: "region restored".into(),
            refresh: true,
            targets: vec![],
            apply: apply_options(),
        },
        &mut yes,
        &mut |e| {
            if let Event::Runbook(RunbookEvent::Stage { title }) = e {
                stages.push(title.to_string())
            }
        },
    )
    .unwrap();
    assert_eq!(
        yes.asked,
        vec![Question::MoveProduction {
            phrase: "platform -> eastus".into()
        }]
    );
    assert_eq!(stages.len(), 3, "{stages:?}");
    let FailbackOutcome::Complete { drill, home, .. } = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(home, "eastus");
    assert_eq!(
        (drill.mode.clone(), drill.completed),
        (Mode::Failback, true)
    );
    // The swap home was a planned switchover: the emulator lost nothing.
    assert!(
        drill.rpo.iter().any(|s| s
            .address
            .ends_with("eastus.azurerm_postgresql_flexible_server.db")),
        "{:?}",
        drill.rpo
    );
    assert!(
        drill.rpo.iter().all(|s| matches!(
            &s.rpo,
            drinfra::ops::report::Rpo::Lost(l) if l.count == 0
        )),
        "{:?}",
        drill.rpo
    );
    let record = stack.state(&engine).failover_groups["platform"].clone();
    assert_eq!(
        (record.status, record.active.as_str(), record.replicating),
        (FailoverStatus::Complete, "eastus", true)
    );
    assert!(record.history.len() >= 2, "{:?}", record.history);
}

//! What operations report while they run. Views turn these into text; an
//! operation never prints.

use crate::diag::{Diagnostics, SourceMap};
use crate::plan::Plan;
use crate::state::UnencryptedSecrets;
use crate::state::lock::LockInfo;

use super::error::Error;
use super::intent::FailoverIntent;

/// One thing an operation reports, in the order it happens.
#[derive(Debug)]
pub enum Event<'a> {
    /// Problems or warnings, located in `sources`.
    Diagnostics {
        diags: &'a Diagnostics,
        sources: &'a SourceMap,
    },
    /// The state lock is held by `holder`; waiting up to the lock timeout.
    LockWaiting(&'a LockInfo),
    /// A lock left by a process that is gone was broken.
    LockBroken(&'a LockInfo),
    /// What the operation talks to: each provider configuration's cloud
    /// (empty: built-in resources only) and the state backend.
    Connected { clouds: Vec<String>, state: String },
    /// A provider's request counts so far (for `--verbose`).
    Requests {
        provider: String,
        requests: u64,
        throttled: u64,
    },
    /// Sensitive values were written unencrypted.
    Unencrypted(&'a UnencryptedSecrets),
    /// The plan an apply or destroy is about to ask about.
    Planned(&'a crate::plan::Plan),
    /// An apply of this many steps starts.
    Applying { steps: usize },
    /// An apply's progress.
    Apply(&'a crate::apply::Event),
    /// The apply finished (successfully or not); what follows is its outcome.
    Applied,
    /// Recording where an apply placed a failover group failed; the apply
    /// itself stands.
    PlacementNotRecorded { group: &'a str, error: &'a Error },
    /// A failover's or failback's narrative.
    Runbook(RunbookEvent<'a>),
    /// `init` installed (or reused) a module.
    ModuleInstalled(&'a super::modules::ModuleInstall),
}

/// The callback operations report through.
pub type Events<'e> = &'e mut dyn FnMut(Event<'_>);

/// What the runbooks tell as they go (beside apply progress).
#[derive(Debug)]
pub enum RunbookEvent<'a> {
    /// A failover is planned: what it moves and how (the plan follows in
    /// phases); nothing has changed yet.
    FailoverPlanned {
        intent: &'a FailoverIntent,
        plan: &'a Plan,
    },
    /// A failback starts: `home` is where the group returns.
    FailbackPlanned { group: &'a str, home: &'a str },
    /// A failback stage starts (`title`: "1/3: re-seed ...").
    Stage { title: &'a str },
    /// The stage finds the group already standing as it asks.
    StageNothingToDo,
    /// A stage's plan, in phases.
    Phases(&'a Plan),
    /// The largest lag among the replicas about to be promoted.
    ReplicaLag {
        address: &'a str,
        secs: f64,
        forced: bool,
    },
    /// A confirmed run starts: the cloud time it started, the plan's
    /// estimate and the group's RTO target (seconds), for the live view.
    Running {
        kind: RunKind,
        group: &'a str,
        from: &'a str,
        to: &'a str,
        at: f64,
        estimate_secs: u64,
        budget_secs: Option<u64>,
    },
    /// The run's own steps beside the plan's phases: who is notified (at
    /// the start, each phase's end and the end) and the verify phase's
    /// checks, in the order they run.
    OwnSteps {
        notify: &'a [String],
        checks: &'a [String],
        /// Targets declared but switched off (their URL is null).
        off: &'a [String],
        plan: &'a Plan,
    },
    /// The plan a live view follows (each step's phase and dependencies).
    Following(&'a Plan),
    /// The first step of a phase started (cloud time).
    PhaseStarted { phase: &'a str, at: f64 },
    /// A phase's last step ended (cloud time); `failed` steps in it.
    PhaseDone {
        phase: &'a str,
        at: f64,
        failed: usize,
    },
    /// The cloud's clock moved on (at most about once a second).
    CloudTime { at: f64 },
    /// The verify phase starts with these checks.
    Verifying { checks: &'a [String] },
    /// One health check settled.
    Checked {
        result: &'a super::checked::CheckResult,
    },
    /// A notification was delivered, or could not be.
    Notified {
        delivery: &'a super::checked::Delivery,
    },
    /// One storage account's failover (or failback, `away` false).
    StorageAccount {
        address: &'a str,
        away: bool,
        result: &'a StorageResult,
    },
}

/// Which runbook a live view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    Failover,
    Failback,
}

/// How one storage account's failover went.
#[derive(Debug, Clone, PartialEq)]
pub enum StorageResult {
    /// Done: what the cloud did.
    Done(String),
    /// It already stood as asked.
    AlreadyDone,
    /// Unreachable now (a region outage): left for later.
    Deferred(String),
    Failed(String),
}

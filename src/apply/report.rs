//! What an apply takes and gives: options, progress events, the report.

use std::time::Duration;

use super::steps::StepId;
use crate::diag::Diagnostics;
use crate::provider::ProviderError;
use crate::state::{State, StateError};

/// Progress of an apply, for renderers.
#[derive(Debug, Clone)]
pub enum Event {
    Started {
        step: StepId,
    },
    Finished {
        step: StepId,
        elapsed: Duration,
    },
    Failed {
        step: StepId,
        elapsed: Duration,
        error: String,
        /// The failure was one `ApplyOptions::defer` accepts: reported,
        /// not recorded, and not holding back what depends on it.
        deferred: bool,
    },
    Skipped {
        step: StepId,
        because: String,
    },
    /// `grace`: how long running steps may still take.
    Interrupted {
        running: usize,
        grace: Option<Duration>,
    },
    /// The grace period ended with this step's cloud operation still
    /// running; `operation` is what state records for the next run.
    LeftRunning {
        step: StepId,
        operation: Option<String>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    State(#[from] StateError),
}

#[derive(Debug)]
pub struct ApplyReport {
    pub done: Vec<StepId>,
    pub failed: Vec<(StepId, String)>,
    pub skipped: Vec<StepId>,
    pub deferred: Vec<(StepId, String)>,
    /// Steps whose cloud operation was still running when the grace
    /// period after an interrupt ended (recorded in state to resume).
    pub left_running: Vec<StepId>,
    pub interrupted: bool,
    pub state: State,
    pub diags: Diagnostics,
    /// Set when the state written holds sensitive values unencrypted.
    pub unencrypted: Option<crate::state::UnencryptedSecrets>,
}

impl ApplyReport {
    pub(super) fn new(state: State) -> ApplyReport {
        ApplyReport {
            done: vec![],
            failed: vec![],
            skipped: vec![],
            deferred: vec![],
            left_running: vec![],
            interrupted: false,
            state,
            diags: Diagnostics::default(),
            unencrypted: None,
        }
    }

    pub fn ok(&self) -> bool {
        self.failed.is_empty()
            && self.skipped.is_empty()
            && !self.interrupted
            && !self.diags.has_errors()
    }
}

pub struct ApplyOptions {
    pub parallelism: usize,
    /// Failures this accepts (an unreachable region during a failover) are
    /// deferred: reported, not recorded, and they do not hold back what
    /// depends on them.
    pub defer: Option<fn(&ProviderError) -> bool>,
    /// After an interrupt, how long running steps may still take before
    /// their operations are recorded in state and left running; None
    /// waits for them.
    pub grace: Option<Duration>,
}

//! What operations report while they run. Views turn these into text; an
//! operation never prints.

use crate::diag::{Diagnostics, SourceMap};
use crate::state::UnencryptedSecrets;
use crate::state::lock::LockInfo;

use super::runbook::RunbookEvent;

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
    PlacementNotRecorded {
        group: &'a str,
        error: &'a super::Error,
    },
    /// A failover's or failback's narrative.
    Runbook(RunbookEvent<'a>),
}

/// The callback operations report through.
pub type Events<'e> = &'e mut dyn FnMut(Event<'_>);

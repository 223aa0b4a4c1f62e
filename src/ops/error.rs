//! What an operation returns when it does not finish: a typed error, or a
//! stop whose reasons were already reported as diagnostics events.

use crate::state::LockError;

/// Why an operation stopped after reporting diagnostics (the caller says
/// what it means; nothing was changed in any of these cases but the last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The configuration has errors.
    InvalidConfig,
    /// The configuration could not be loaded (commands that only need its
    /// backend block).
    LoadFailed,
    /// The backend or provider settings could not be used.
    Unusable,
    /// Planning failed.
    PlanFailed,
    /// Planning a failover (or a failback's first stage) failed.
    FailoverPlanFailed,
    /// Planning a failback stage failed after earlier stages were applied
    /// and recorded: rerunning the failback resumes there.
    FailbackStagePlanFailed,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stop::InvalidConfig => "the configuration has errors",
            Stop::LoadFailed => "the configuration cannot be loaded",
            Stop::Unusable => "the backend or provider settings cannot be used",
            Stop::PlanFailed => "planning failed",
            Stop::FailoverPlanFailed => "planning the failover failed",
            Stop::FailbackStagePlanFailed => {
                "planning a failback stage failed after the stages before it were applied"
            }
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Diagnostics were reported through the events; nothing was changed.
    #[error("{0}")]
    Stopped(Stop),
    /// The operation refuses what it was asked (the message says why and
    /// what to do instead).
    #[error("{0}")]
    Refused(String),
    /// A saved plan no longer describes the state or configuration.
    #[error("the saved plan is stale: {0}")]
    Stale(crate::apply::Staleness),
    /// A file the operation reads or writes.
    #[error("{what}")]
    File {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// `source`, with what the operation was doing.
    #[error("{what}")]
    Context {
        what: String,
        #[source]
        source: Box<Error>,
    },
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    State(#[from] crate::state::StateError),
    /// The state lock could not be taken (with how to clear a stale one).
    #[error("{}", locked(.0))]
    Locked(LockError),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Crypto(#[from] crate::state::crypto::CryptoError),
    #[error(transparent)]
    Random(#[from] crate::random::RandomError),
    #[error(transparent)]
    PlanFile(#[from] crate::plan::PlanFileError),
    #[error(transparent)]
    Apply(#[from] crate::apply::ApplyError),
    #[error(transparent)]
    Import(#[from] crate::apply::ImportError),
    #[error(transparent)]
    Provider(#[from] crate::provider::ProviderError),
    /// Connecting a provider to its cloud failed.
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

impl Error {
    /// This error, with what the operation was doing when it happened.
    pub fn context(self, what: impl Into<String>) -> Error {
        Error::Context {
            what: what.into(),
            source: Box::new(self),
        }
    }
}

fn locked(e: &LockError) -> String {
    match e {
        LockError::Held(h) if !h.id.is_empty() => format!(
            "{e}. If that run is gone for good, remove the lock with `drinfra force-unlock {}`.",
            h.id
        ),
        LockError::Held(h) => format!(
            "{e}. The lock records no ID (at {}); if that run is gone for good, remove it by hand.",
            h.path
        ),
        _ => e.to_string(),
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

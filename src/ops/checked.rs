//! What the runbook's own steps report: each health check's result and
//! each notification's delivery (the drill report and the events carry
//! them; `verify` and `notify` make them).

/// How one check settled.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    pub name: String,
    pub site: String,
    /// What was asked (redacted where secret).
    pub what: String,
    pub passed: bool,
    pub attempts: u32,
    /// The last observation ("HTTP 200", "HTTP 503", "got true", ...).
    pub detail: String,
    /// Cloud time it settled (Unix seconds).
    pub at: f64,
}

/// When in a run a message is posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Start,
    PhaseDone,
    Complete,
    /// Completed, but health checks failed.
    Unhealthy,
    Failure,
}

impl Moment {
    pub fn name(self) -> &'static str {
        match self {
            Moment::Start => "start",
            Moment::PhaseDone => "phase",
            Moment::Complete => "complete",
            Moment::Unhealthy => "unhealthy",
            Moment::Failure => "failure",
        }
    }
    pub fn colour(self) -> &'static str {
        match self {
            Moment::Start | Moment::PhaseDone => "0076D7",
            Moment::Complete => "2DC72D",
            Moment::Unhealthy => "FFA500",
            Moment::Failure => "8C1A1A",
        }
    }
}

/// What became of one message to one target.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub target: String,
    pub moment: Moment,
    pub title: String,
    pub attempts: u32,
    /// None: delivered; else why not (never with the URL in it).
    pub error: Option<String>,
}

//! What a failover or failback reports when it ends: the drill report
//! (`--report FILE` renders it as Markdown), with typed modes and step
//! statuses.

use std::time::Duration;

/// How a failover moved a group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    /// Everything, replicas promoted once caught up.
    #[default]
    Planned,
    /// Everything, replicas promoted at once.
    Forced,
    /// `--only traffic`.
    Traffic,
    /// `--only data`.
    Data,
    /// `--only COMPONENT,...`.
    Components { names: Vec<String>, forced: bool },
    /// The way back.
    Failback,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = |forced: bool| if forced { "forced" } else { "planned" };
        match self {
            Mode::Planned => f.write_str("planned"),
            Mode::Forced => f.write_str("forced"),
            Mode::Traffic => f.write_str("traffic only"),
            Mode::Data => f.write_str("data only"),
            Mode::Components { names, forced } => {
                write!(f, "{} only ({})", names.join(", "), how(*forced))
            }
            Mode::Failback => f.write_str("failback"),
        }
    }
}

/// What happened to one timeline entry's subject.
#[derive(Debug, Clone, PartialEq)]
pub enum StepStatus {
    /// The failover, failback or stage started.
    Started,
    /// The new standing was recorded in state.
    Recorded,
    /// A failback stage found the group already standing as it asks.
    NothingToDo,
    /// An apply step finished after this long.
    DoneIn(Duration),
    /// A storage account failover finished (what it did).
    Done(String),
    /// A storage account already stood as asked.
    AlreadyDone,
    /// Unreachable now; left for when the region is back.
    Deferred(String),
    Failed(String),
    Skipped(String),
    /// A replica's lag, in seconds, measured before promotion.
    Lag(f64),
}

impl std::fmt::Display for StepStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepStatus::Started => f.write_str("started"),
            StepStatus::Recorded => f.write_str("recorded"),
            StepStatus::NothingToDo => f.write_str("nothing to do"),
            StepStatus::DoneIn(d) => write!(f, "done in {:.1} s", d.as_secs_f64()),
            StepStatus::Done(what) => write!(f, "done: {what}"),
            StepStatus::AlreadyDone => f.write_str("already done"),
            StepStatus::Deferred(why) => write!(f, "deferred: {why}"),
            StepStatus::Failed(why) => write!(f, "failed: {why}"),
            StepStatus::Skipped(why) => write!(f, "skipped: {why}"),
            StepStatus::Lag(secs) => write!(f, "{secs:.0} s"),
        }
    }
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    /// UTC, RFC 3339.
    pub at: String,
    pub event: String,
    pub status: StepStatus,
}

impl TimelineEntry {
    /// An entry stamped now.
    pub fn now(event: impl Into<String>, status: StepStatus) -> TimelineEntry {
        TimelineEntry {
            at: crate::timefmt::now(),
            event: event.into(),
            status,
        }
    }
}

/// Everything a drill report says, gathered from the run.
#[derive(Debug, Clone, Default)]
pub struct DrillReport {
    pub group: String,
    pub from: String,
    pub to: String,
    pub mode: Mode,
    pub by: String,
    pub reason: String,
    pub started: String,
    pub completed: bool,
    pub actual_secs: f64,
    /// The plan's estimate from Azure's typical durations.
    pub expected_secs: u64,
    /// The group's targets (`rto`, `rpo` in its failover_group block).
    pub rto_target: Option<Duration>,
    pub rpo_target: Option<Duration>,
    /// What the promotions risked.
    pub data_loss: DataLoss,
    /// The largest replica lag the cloud reported just before promotion.
    pub replica_lag_secs: Option<f64>,
    /// RPO per promoted data store: lost writes where the cloud counts
    /// them, else the replica-lag bound.
    pub rpo: Vec<StoreRpo>,
    pub timeline: Vec<TimelineEntry>,
    pub deferred: Vec<String>,
    pub problems: Vec<String>,
    pub follow_ups: Vec<String>,
}

/// How much data a failover could lose, by how it promoted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DataLoss {
    /// Nothing was promoted (traffic only).
    #[default]
    NothingPromoted,
    /// Planned: replicas caught up before promotion.
    None,
    /// Forced: writes within the replication lag may be lost.
    UpToLag,
}

/// One data store's RPO in a failover.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreRpo {
    /// The promoted object's address.
    pub address: String,
    pub rpo: Rpo,
}

/// What a promotion lost, as far as the cloud can say.
#[derive(Debug, Clone, PartialEq)]
pub enum Rpo {
    /// Counted by the cloud (the emulator's data plane).
    Lost(crate::provider::LostWrites),
    /// Not countable (Azure): at most the replica lag measured before
    /// promotion, in seconds (None: not measured); a bound, not a count.
    LagBound(Option<f64>),
}

impl std::fmt::Display for Rpo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rpo::Lost(l) => match &l.window {
                Some((from, to)) => write!(f, "{} write(s) lost ({from} to {to})", l.count),
                None => write!(f, "{} write(s) lost", l.count),
            },
            Rpo::LagBound(Some(lag)) => {
                write!(f, "at most {lag:.0} s of writes (replica-lag bound)")
            }
            Rpo::LagBound(None) => f.write_str("bounded by the replica lag (not measured)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_modes_read_as_the_reports_always_said() {
        let cases = [
            (StepStatus::Started, "started"),
            (StepStatus::Recorded, "recorded"),
            (StepStatus::NothingToDo, "nothing to do"),
            (
                StepStatus::DoneIn(Duration::from_millis(1049)),
                "done in 1.0 s",
            ),
            (StepStatus::Done("failed over".into()), "done: failed over"),
            (StepStatus::AlreadyDone, "already done"),
            (StepStatus::Deferred("x".into()), "deferred: x"),
            (StepStatus::Failed("y".into()), "failed: y"),
            (StepStatus::Skipped("z".into()), "skipped: z"),
            (StepStatus::Lag(12.4), "12 s"),
        ];
        for (status, text) in cases {
            assert_eq!(status.to_string(), text);
        }
        assert_eq!(Mode::Planned.to_string(), "planned");
        assert_eq!(Mode::Forced.to_string(), "forced");
        assert_eq!(
            Mode::Components {
                names: vec!["database".into(), "cache".into()],
                forced: true
            }
            .to_string(),
            "database, cache only (forced)"
        );
    }
}

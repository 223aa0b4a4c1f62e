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
    /// The incident began (the start of detection).
    Detected,
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
            StepStatus::Detected => f.write_str("incident"),
        }
    }
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    /// Cloud time (Unix seconds): the emulator's simulated clock, or
    /// Azure's wall time, as the cloud's responses gave it.
    pub at: f64,
    /// When the step began, for steps that run a while (cloud time).
    pub since: Option<f64>,
    pub event: String,
    /// Who acts: the operator for the confirmation, drinfra for steps.
    pub owner: String,
    /// The failover phase of an apply step (`data`, `traffic`, ...).
    pub phase: Option<String>,
    pub status: StepStatus,
}

/// drinfra's automated steps, as owner in the timeline.
pub const DRINFRA: &str = "drinfra";

impl TimelineEntry {
    /// An entry of drinfra's, at cloud time `at`.
    pub fn at(at: f64, event: impl Into<String>, status: StepStatus) -> TimelineEntry {
        TimelineEntry {
            at,
            since: None,
            event: event.into(),
            owner: DRINFRA.into(),
            phase: None,
            status,
        }
    }
}

/// A failover phase as it ran: from its first step's start to its last
/// step's end, in cloud time.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseSpan {
    pub name: String,
    pub start: f64,
    pub end: f64,
}

/// The phases of a timeline, in the order they started.
pub fn phase_spans(timeline: &[TimelineEntry]) -> Vec<PhaseSpan> {
    let mut out: Vec<PhaseSpan> = Vec::new();
    for e in timeline {
        let Some(name) = &e.phase else { continue };
        let start = e.since.unwrap_or(e.at).min(e.at);
        match out.iter_mut().find(|p| &p.name == name) {
            Some(p) => {
                p.start = p.start.min(start);
                p.end = p.end.max(e.at);
            }
            None => out.push(PhaseSpan {
                name: name.clone(),
                start,
                end: e.at,
            }),
        }
    }
    out.sort_by(|a, b| a.start.total_cmp(&b.start));
    out
}

/// Where the incident's start came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum IncidentStart {
    /// No incident: a planned move; detection is not part of its RTO.
    #[default]
    None,
    /// The cloud's record of a region outage (the emulator's fault).
    Outage { region: String },
    /// The operator's `--detected-at`.
    Given,
}

/// RTO as the DR plan defines it: detection + decision + recovery +
/// verification, each on the cloud's clock (Unix seconds).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rto {
    pub incident: IncidentStart,
    /// When the incident began (outage start or `--detected-at`).
    pub began: Option<f64>,
    /// When it was detected: `--detected-at`, else when the command ran.
    pub detected: f64,
    /// The operator's confirmation.
    pub confirmed: f64,
    /// The first traffic step done: users reach the new site.
    pub switched: Option<f64>,
    /// Verified: the health checks passed (without checks, the traffic
    /// phase done).
    pub verified: Option<f64>,
    /// `true` when the times are wall time (no cloud answered).
    pub wall_clock: bool,
}

impl Rto {
    pub fn detection(&self) -> f64 {
        self.began.map_or(0.0, |b| (self.detected - b).max(0.0))
    }
    pub fn decision(&self) -> f64 {
        (self.confirmed - self.detected).max(0.0)
    }
    pub fn recovery(&self) -> Option<f64> {
        self.switched.map(|s| (s - self.confirmed).max(0.0))
    }
    pub fn verification(&self) -> Option<f64> {
        match (self.switched, self.verified) {
            (Some(s), Some(v)) => Some((v - s).max(0.0)),
            _ => None,
        }
    }
    /// The four parts' sum: from the incident (or the command) until the
    /// traffic phase completed; None when traffic never moved.
    pub fn total(&self) -> Option<f64> {
        Some(self.detection() + self.decision() + self.recovery()? + self.verification()?)
    }
}

/// A component's targets against what the drill achieved.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ComponentMetric {
    pub component: String,
    pub rto_target: Option<Duration>,
    pub rpo_target: Option<Duration>,
    /// Seconds from the incident (or command) until the component's last
    /// step was done.
    pub rto_actual: Option<f64>,
}

/// Each configured objective against the run: a component named by its
/// resources is back when the last of their steps is done; one without
/// resources when the failover's traffic is verified. Measured from the
/// incident (or the detection, for a planned move).
pub fn component_metrics(
    objectives: &[crate::config::model::Objective],
    rto: &Rto,
    timeline: &[TimelineEntry],
) -> Vec<ComponentMetric> {
    let from = rto.began.unwrap_or(rto.detected);
    objectives
        .iter()
        .map(|o| {
            let back = if o.resources.is_empty() {
                rto.verified
            } else {
                timeline
                    .iter()
                    .filter(|e| e.phase.is_some() && matches!(e.status, StepStatus::DoneIn(_)))
                    .filter(|e| o.resources.iter().any(|r| e.event.contains(r.as_str())))
                    .map(|e| e.at)
                    .reduce(f64::max)
            };
            ComponentMetric {
                component: o.component.clone(),
                rto_target: o.rto,
                rpo_target: o.rpo,
                rto_actual: back.map(|t| (t - from).max(0.0)),
            }
        })
        .collect()
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
    /// Cloud time the failover (or failback) was confirmed.
    pub started: f64,
    pub completed: bool,
    /// Confirmation to the record of the new standing, cloud seconds.
    pub actual_secs: f64,
    /// The plan's estimate from Azure's typical durations.
    pub expected_secs: u64,
    /// The group's targets (`rto`, `rpo` in its failover_group block).
    pub rto_target: Option<Duration>,
    pub rpo_target: Option<Duration>,
    /// The RTO parts.
    pub rto: Rto,
    /// What the promotions risked.
    pub data_loss: DataLoss,
    /// The largest replica lag the cloud reported just before promotion.
    pub replica_lag_secs: Option<f64>,
    /// RPO per promoted data store: lost writes where the cloud counts
    /// them, else the replica-lag bound.
    pub rpo: Vec<StoreRpo>,
    /// Per component (targets from configuration where given).
    pub components: Vec<ComponentMetric>,
    pub timeline: Vec<TimelineEntry>,
    pub deferred: Vec<String>,
    pub problems: Vec<String>,
    pub follow_ups: Vec<String>,
    /// The verify phase's health checks, each as it settled.
    pub health: Vec<super::checked::CheckResult>,
    /// Every notification posted (or not), per target in order.
    pub notifications: Vec<super::checked::Delivery>,
}

impl DrillReport {
    /// Completed, but a health check failed ("completed, unhealthy").
    pub fn unhealthy(&self) -> bool {
        self.health.iter().any(|c| !c.passed)
    }
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

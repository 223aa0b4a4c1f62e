//! `check`: the configured DR objectives (each failover group's `rto` and
//! `rpo`) against what the configuration can deliver, before an incident.
//! The providers say what their objects cannot deliver
//! (`TypeFacts::dr_gaps`, the service rules of `failover::rules`) and how
//! long their steps take; this module locates each gap at the argument at
//! fault and adds the failover estimate against RTO.

use std::path::Path;

use crate::config::evaluate::{Evaluation, ResourceInstance};
use crate::config::{CliInput, Stack};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::provider::facts::{FailoverRole, Gap, Objective, Objectives, StepKind};
use crate::provider::{Providers, all_type_facts, offline, type_facts};

/// What `check` needs besides the stack.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Time allowed between detection and the decision to fail over, in
    /// seconds (the DR plan's RTO example gives 10 minutes).
    pub decision_seconds: u64,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            decision_seconds: 600,
        }
    }
}

/// One gap, located.
#[derive(Debug, Clone)]
pub struct Finding {
    pub group: String,
    pub objective: Objective,
    /// Whether the objective cannot be met.
    pub blocking: bool,
    /// The object at fault.
    pub address: String,
    pub argument: Option<String>,
    pub diagnostic: Diagnostic,
}

/// A failover of one group estimated from the configuration, seconds,
/// in the DR plan's parts of RTO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    pub group: String,
    pub rto: Option<u64>,
    pub rpo: Option<u64>,
    /// Health probes calling the old site down.
    pub detection: u64,
    pub decision: u64,
    /// Data (storage account failovers alongside), capacity, traffic.
    pub data: u64,
    pub capacity: u64,
    pub traffic: u64,
    /// Clients' DNS caches.
    pub propagation: u64,
}

impl Estimate {
    pub fn total(&self) -> u64 {
        self.detection + self.decision + self.data + self.capacity + self.traffic + self.propagation
    }
    pub fn meets_rto(&self) -> bool {
        self.rto.is_none_or(|r| self.total() <= r)
    }
}

/// What `check` found.
pub struct CheckOutcome {
    pub stack: Stack,
    /// Configuration problems found on the way (check cannot judge a
    /// configuration that does not evaluate).
    pub config_diags: Diagnostics,
    pub findings: Vec<Finding>,
    pub estimates: Vec<Estimate>,
}

impl CheckOutcome {
    /// Every objective can be met and the configuration is valid.
    pub fn ok(&self) -> bool {
        !self.config_diags.has_errors()
            && self.findings.iter().all(|f| !f.blocking)
            && self.estimates.iter().all(Estimate::meets_rto)
    }
    /// Every problem as a diagnostic, configuration first.
    pub fn diagnostics(&self) -> Diagnostics {
        let mut d = self.config_diags.clone();
        for f in &self.findings {
            d.push(f.diagnostic.clone());
        }
        d
    }
}

/// Checks the stack in `dir` against its failover groups' objectives.
pub fn check(
    dir: &Path,
    cli: &[CliInput],
    env: &[(String, String)],
    opts: &CheckOptions,
) -> CheckOutcome {
    let (stack, eval) =
        super::validate::validate_with(dir, cli, env, dir, false, Some(&Providers::builtin()));
    let mut config_diags = stack.diags.clone();
    let mut findings = Vec::new();
    let mut estimates = Vec::new();
    // The services' rules (Redis persistence on a linked cache): the cloud
    // would refuse them, so no objective is met.
    for d in crate::failover::rules::check(&stack.config, &eval).items {
        findings.push(Finding {
            group: String::new(),
            objective: Objective::Rpo,
            blocking: d.is_error(),
            address: String::new(),
            argument: None,
            diagnostic: d,
        });
    }
    if config_diags.has_errors() {
        return CheckOutcome {
            stack,
            config_diags,
            findings,
            estimates,
        };
    }
    let groups: Vec<_> = stack
        .config
        .modules
        .first()
        .map(|m| m.failover_groups.values().cloned().collect())
        .unwrap_or_default();
    if groups.is_empty() {
        config_diags.push(
            Diagnostic::warning("No DR objectives configured").with_detail(
                "The stack declares no failover_group, so there is no rto or rpo to check against.",
            ),
        );
    }
    for g in &groups {
        let objectives = Objectives {
            rto: g.rto.map(|d| d.as_secs()),
            rpo: g.rpo.map(|d| d.as_secs()),
            active: g.active.clone(),
            standby: g
                .sites
                .iter()
                .filter(|s| **s != g.active)
                .cloned()
                .collect(),
        };
        for f in all_type_facts() {
            for gap in f.dr_gaps(&eval.resources, &objectives) {
                if let Some(finding) = locate(&stack, &eval, &g.name, gap)
                    && !findings.iter().any(|x| x.diagnostic == finding.diagnostic)
                {
                    findings.push(finding);
                }
            }
        }
        let est = estimate(&g.name, &objectives, &eval, opts);
        if !est.meets_rto() {
            findings.push(Finding {
                group: g.name.clone(),
                objective: Objective::Rto,
                blocking: true,
                address: format!("failover_group.{}", g.name),
                argument: Some("rto".into()),
                diagnostic: Diagnostic::error("The failover estimate exceeds the RTO")
                    .with_detail(format!(
                        "A failover of {} is estimated at {} s (detection {} + decision {} + data {} + capacity {} + traffic {} + DNS {}), beyond its RTO of {} s.",
                        g.name,
                        est.total(),
                        est.detection,
                        est.decision,
                        est.data,
                        est.capacity,
                        est.traffic,
                        est.propagation,
                        est.rto.unwrap_or_default()
                    ))
                    .at(Some(g.span.clone())),
            });
        }
        estimates.push(est);
    }
    CheckOutcome {
        stack,
        config_diags,
        findings,
        estimates,
    }
}

/// The gap as a diagnostic at the argument at fault (or the resource's
/// type label when the argument is not written).
fn locate(stack: &Stack, eval: &Evaluation, group: &str, gap: Gap) -> Option<Finding> {
    let r = eval.resources.get(gap.instance)?;
    let span = span_of(stack, r, gap.argument.as_deref());
    let summary = format!("{}: {}", gap.objective.as_str(), gap.summary);
    let diagnostic = if gap.blocking {
        Diagnostic::error(summary)
    } else {
        Diagnostic::warning(summary)
    }
    .with_detail(gap.detail)
    .at(span);
    Some(Finding {
        group: group.to_string(),
        objective: gap.objective,
        blocking: gap.blocking,
        address: r.address(),
        argument: gap.argument,
        diagnostic,
    })
}

fn span_of(stack: &Stack, r: &ResourceInstance, argument: Option<&str>) -> Option<Span> {
    let res = stack
        .config
        .modules
        .get(r.module_index)?
        .resources
        .get(&r.resource)?;
    argument
        .and_then(|a| offline::argument_span(&res.body.body, a))
        .map(|range| Span::new(res.body.file, range))
        .or_else(|| Some(res.type_span.clone()))
}

/// A failover estimated from the types present: phases run one after
/// another, the steps of a phase in parallel (the slowest counts); storage
/// account failovers run alongside the data phase.
fn estimate(group: &str, o: &Objectives, eval: &Evaluation, opts: &CheckOptions) -> Estimate {
    let mut e = Estimate {
        group: group.to_string(),
        rto: o.rto,
        rpo: o.rpo,
        detection: 0,
        decision: opts.decision_seconds,
        data: 0,
        capacity: 0,
        traffic: 0,
        propagation: 0,
    };
    for r in eval
        .resources
        .iter()
        .filter(|r| !r.resource.starts_with("data."))
    {
        let ty = r.resource.split('.').next().unwrap_or_default();
        let f = type_facts(ty);
        // A failover updates each object in place (a promotion, a scale,
        // a priority); an account failover is counted with the data phase,
        // conservatively, as Azure's unplanned failover.
        let secs = f
            .typical_seconds(ty, StepKind::Update, None, Some(&r.config))
            .max(f.site_failover_seconds(ty, false));
        match f.failover_role(ty) {
            FailoverRole::Data => e.data = e.data.max(secs),
            FailoverRole::Capacity => e.capacity = e.capacity.max(secs),
            FailoverRole::Traffic => e.traffic = e.traffic.max(secs),
            FailoverRole::Other => {}
        }
        if let Some(d) = f.detection_seconds(ty, &r.config) {
            e.detection = e.detection.max(d);
        }
        if let Some(p) = f.propagation_seconds(ty, &r.config) {
            e.propagation = e.propagation.max(p);
        }
    }
    e
}

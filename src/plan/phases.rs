//! Failover phases: data first (replicas promoted, caches unlinked), then
//! capacity (node pools scaled), then traffic (Front Door, DNS, Traffic
//! Manager), then clean-up (the old primary scaled down). Never traffic
//! before data and capacity are ready. Within the data phase, unlinks and
//! deletes go before creations. Which part a resource plays is the
//! provider's answer (`TypeFacts::failover_role`); the order is the
//! runbook's.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Action, Plan, ResourceChange};
use crate::provider::{FailoverRole, StepKind, type_facts};

/// One failover phase, in the order they run. Plan files record the
/// phase's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Phase {
    /// Links and replicas removed before anything is promoted.
    DataUnlink = 0,
    Data = 1,
    Capacity = 2,
    Traffic = 3,
    /// The old primary scaled down.
    CleanUp = 4,
}

impl Phase {
    pub const ALL: [Phase; 5] = [
        Phase::DataUnlink,
        Phase::Data,
        Phase::Capacity,
        Phase::Traffic,
        Phase::CleanUp,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Phase::DataUnlink => "data: unlink",
            Phase::Data => "data",
            Phase::Capacity => "capacity",
            Phase::Traffic => "traffic",
            Phase::CleanUp => "clean-up",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl From<Phase> for u8 {
    fn from(p: Phase) -> u8 {
        p as u8
    }
}

/// A phase number no drinfra version writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown failover phase {0}")]
pub struct UnknownPhase(pub u8);

impl TryFrom<u8> for Phase {
    type Error = UnknownPhase;
    fn try_from(n: u8) -> Result<Phase, UnknownPhase> {
        Phase::ALL
            .get(usize::from(n))
            .copied()
            .ok_or(UnknownPhase(n))
    }
}

impl std::str::FromStr for Phase {
    type Err = String;
    fn from_str(s: &str) -> Result<Phase, String> {
        Phase::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| format!("unknown failover phase {s:?}"))
    }
}

/// Typical simulated duration of one step, by resource type, for the plan's
/// per-phase estimate (the provider's answer).
pub fn typical_seconds(c: &ResourceChange) -> u64 {
    let f = type_facts(&c.ty);
    let (before, after) = (c.before.as_ref(), c.after.as_ref());
    match (c.action.deletes(), c.action.creates()) {
        (true, true) => {
            f.typical_seconds(&c.ty, StepKind::Delete, before, None)
                + f.typical_seconds(&c.ty, StepKind::Create, None, after)
        }
        (true, false) => f.typical_seconds(&c.ty, StepKind::Delete, before, None),
        (false, true) => f.typical_seconds(&c.ty, StepKind::Create, None, after),
        _ if c.action == Action::NoOp => 0,
        _ => f.typical_seconds(&c.ty, StepKind::Update, before, after),
    }
}

fn phase_of(c: &ResourceChange) -> Phase {
    let f = type_facts(&c.ty);
    // An object that fails over by a provider action (a storage account)
    // is being failed over alongside the phases; the cloud holds updates
    // to it until that ends (tens of minutes), so its configuration change
    // (tags, role) comes after traffic instead of holding the data phase.
    if f.has_site_failover(&c.ty) && c.action == Action::Update {
        return Phase::CleanUp;
    }
    match f.failover_role(&c.ty) {
        FailoverRole::Data if c.action.deletes() && !c.action.creates() => Phase::DataUnlink,
        FailoverRole::Data | FailoverRole::Other => Phase::Data,
        // Capacity changes that shrink (the old primary scaled down) move
        // to clean-up.
        FailoverRole::Capacity if f.scales_down(&c.ty, c.before.as_ref(), c.after.as_ref()) => {
            Phase::CleanUp
        }
        FailoverRole::Capacity => Phase::Capacity,
        FailoverRole::Traffic => Phase::Traffic,
    }
}

/// Where the changes of a failover plan run, and why some run later than
/// their type's phase.
#[derive(Debug, Default)]
pub struct Placement {
    pub phases: BTreeMap<String, Phase>,
    /// Address and note for each change moved to a later phase.
    pub moved: Vec<(String, String)>,
}

/// Whether a change has a write step (create, update, read) in apply.
fn writes(c: &ResourceChange) -> bool {
    matches!(
        c.action,
        Action::Create
            | Action::DeleteThenCreate
            | Action::CreateThenDelete
            | Action::Update
            | Action::Read
    )
}

/// Phase per changed address. A dependency wins over a phase edge in the
/// apply graph (steps.rs), so a change that must wait for something in a
/// later phase runs in that phase; it is placed there, with a note, rather
/// than shown where it does not run. Writes wait for the writes they depend
/// on; deletes wait for the deletes of what depends on them.
pub fn assign(plan: &Plan) -> Placement {
    let changes: Vec<&ResourceChange> = plan.actions().collect();
    let mut phase: Vec<Phase> = changes.iter().map(|c| phase_of(c)).collect();
    let index: BTreeMap<&str, usize> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.address.as_str(), i))
        .collect();
    // (waiter, waited-for) pairs whose order apply keeps.
    let mut waits: Vec<(usize, usize)> = Vec::new();
    for (i, c) in changes.iter().enumerate() {
        for d in c.depends_on.iter().filter_map(|d| index.get(d.as_str())) {
            let dc = changes[*d];
            if writes(c) && writes(dc) {
                waits.push((i, *d));
            }
            if c.action.deletes() && dc.action.deletes() {
                waits.push((*d, i));
            }
        }
    }
    let mut because: BTreeMap<usize, usize> = BTreeMap::new();
    // Phases only rise, and there are five: this ends.
    let mut changed = true;
    while changed {
        changed = false;
        for &(waiter, waited) in &waits {
            if phase[waited] > phase[waiter] {
                phase[waiter] = phase[waited];
                because.insert(waiter, waited);
                changed = true;
            }
        }
    }
    let mut moved = Vec::new();
    for (&i, &d) in &because {
        let (c, dc) = (changes[i], changes[d]);
        let note = if writes(c) && c.depends_on.contains(&dc.address) {
            format!(
                "runs in the {} phase instead of {}: it depends on {}, which changes in the {} phase",
                phase[i],
                phase_of(c),
                dc.address,
                phase[d]
            )
        } else {
            format!(
                "is deleted in the {} phase instead of {}: {} depends on it and is deleted in the {} phase first",
                phase[i],
                phase_of(c),
                dc.address,
                phase[d]
            )
        };
        moved.push((c.address.clone(), note));
    }
    let phases = changes
        .iter()
        .zip(phase)
        .map(|(c, p)| (c.address.clone(), p))
        .collect();
    Placement { phases, moved }
}

/// How long a phase's changes take: steps run in parallel, but a step
/// waits for those it depends on, so the phase takes as long as its
/// longest chain of dependent steps.
fn critical_path(changes: &[&ResourceChange]) -> u64 {
    let index: BTreeMap<&str, usize> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.address.as_str(), i))
        .collect();
    let deps: Vec<Vec<usize>> = changes
        .iter()
        .map(|c| {
            c.depends_on
                .iter()
                .filter_map(|d| index.get(d.as_str()).copied())
                .collect()
        })
        .collect();
    // Kahn's order over the phase's own edges (a cycle, which a plan does
    // not have, would leave its steps out rather than loop).
    let mut waiting: Vec<usize> = deps.iter().map(Vec::len).collect();
    let mut dependents = vec![Vec::new(); changes.len()];
    for (i, ds) in deps.iter().enumerate() {
        for &d in ds {
            dependents[d].push(i);
        }
    }
    let mut ready: Vec<usize> = (0..changes.len()).filter(|&i| waiting[i] == 0).collect();
    let mut done_at = vec![0u64; changes.len()];
    while let Some(i) = ready.pop() {
        let start = deps[i].iter().map(|&d| done_at[d]).max().unwrap_or(0);
        done_at[i] = start + typical_seconds(changes[i]);
        for &j in &dependents[i] {
            waiting[j] -= 1;
            if waiting[j] == 0 {
                ready.push(j);
            }
        }
    }
    done_at.into_iter().max().unwrap_or(0)
}

/// Phases present in a plan, in order, with their changes and estimate.
pub fn summary(plan: &Plan) -> Vec<(Phase, Vec<&ResourceChange>, u64)> {
    let mut out = Vec::new();
    for phase in Phase::ALL {
        let changes: Vec<&ResourceChange> = plan
            .actions()
            .filter(|c| plan.phases.get(&c.address) == Some(&phase))
            .collect();
        if !changes.is_empty() {
            let secs = critical_path(&changes);
            out.push((phase, changes, secs));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(address: &str, ty: &str, action: Action, depends_on: &[&str]) -> ResourceChange {
        ResourceChange {
            address: address.into(),
            previous_address: None,
            module_path: Default::default(),
            resource: address.into(),
            key: Default::default(),
            mode: "managed".into(),
            ty: ty.into(),
            name: address.into(),
            provider: String::new(),
            action,
            reason: None,
            before: None,
            after: None,
            replace_paths: vec![],
            depends_on: depends_on.iter().map(|d| d.to_string()).collect(),
            create_before_destroy: false,
            notes: vec![],
        }
    }

    fn plan_of(changes: Vec<ResourceChange>) -> Plan {
        Plan {
            format: String::new(),
            version: 0,
            drinfra_version: String::new(),
            created: String::new(),
            lineage: None,
            serial: 0,
            config_digest: String::new(),
            variables: BTreeMap::new(),
            changes,
            drift: vec![],
            relevant_attributes: vec![],
            outputs: vec![],
            observed: BTreeMap::new(),
            destroy: false,
            refresh_only: false,
            imports: vec![],
            forgets: Default::default(),
            phases: BTreeMap::new(),
            data: BTreeMap::new(),
            failover: BTreeMap::new(),
            prior_state: None,
            refreshed: None,
        }
    }

    // Regression: a data-phase change depending on a traffic-phase one ran
    // after it (the dependency beat the phase edge) while the plan still
    // listed it under data.
    #[test]
    fn a_change_waiting_for_a_later_phase_is_placed_there_with_a_note() {
        let plan = plan_of(vec![
            change(
                "azurerm_dns_cname_record.www",
                "azurerm_dns_cname_record",
                Action::Update,
                &[],
            ),
            change(
                "azurerm_redis_cache.cache",
                "azurerm_redis_cache",
                Action::Update,
                &["azurerm_dns_cname_record.www"],
            ),
            change(
                "azurerm_redis_cache.other",
                "azurerm_redis_cache",
                Action::Update,
                &[],
            ),
        ]);
        let placed = assign(&plan);
        assert_eq!(placed.phases["azurerm_redis_cache.cache"], Phase::Traffic);
        assert_eq!(placed.phases["azurerm_redis_cache.other"], Phase::Data);
        assert_eq!(placed.moved.len(), 1);
        let (address, note) = &placed.moved[0];
        assert_eq!(address, "azurerm_redis_cache.cache");
        assert!(
            note.contains("runs in the traffic phase instead of data"),
            "{note}"
        );
        assert!(note.contains("azurerm_dns_cname_record.www"), "{note}");
    }

    #[test]
    fn a_delete_waits_for_the_later_deletes_of_what_depends_on_it() {
        let plan = plan_of(vec![
            change(
                "azurerm_redis_linked_server.link",
                "azurerm_redis_linked_server",
                Action::Delete,
                &[],
            ),
            change(
                "azurerm_dns_cname_record.www",
                "azurerm_dns_cname_record",
                Action::Delete,
                &["azurerm_redis_linked_server.link"],
            ),
        ]);
        let placed = assign(&plan);
        assert_eq!(
            placed.phases["azurerm_redis_linked_server.link"],
            Phase::Traffic
        );
        assert!(
            placed.moved[0]
                .1
                .contains("is deleted in the traffic phase instead of data: unlink")
        );
    }

    #[test]
    fn phases_round_trip_through_names_and_numbers() {
        for p in Phase::ALL {
            assert_eq!(p.name().parse::<Phase>(), Ok(p));
            assert_eq!(Phase::try_from(u8::from(p)), Ok(p));
            assert_eq!(serde_json::to_string(&p).unwrap(), u8::from(p).to_string());
        }
        assert_eq!(Phase::try_from(5), Err(UnknownPhase(5)));
        assert!("later".parse::<Phase>().is_err());
        assert!(Phase::DataUnlink < Phase::CleanUp);
    }
}

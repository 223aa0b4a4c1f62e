//! What the engine asks a provider about its resource types without a
//! cloud client: the part a resource plays in a failover, whether it holds
//! data, how long its operations typically take, which attributes it
//! computes and which are sensitive. Plans, renderers and checks ask these
//! with only a plan or a configuration in hand, so every provider answers
//! them from a static value, found by resource type through
//! `provider::type_facts`.

use crate::config::Config;
use crate::config::evaluate::{Evaluation, ResourceInstance};
use crate::diag::Diagnostics;
use crate::lang::Value;
use std::collections::BTreeMap;

/// The part a resource plays in a failover, which decides its phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailoverRole {
    /// Holds replicated data (databases, caches, storage): promoted or
    /// relinked before anything depends on the new primary.
    Data,
    /// Compute that serves the application (node pools).
    Capacity,
    /// Routes users (Front Door, DNS, Traffic Manager): moved last.
    Traffic,
    /// Anything else: moved with the data.
    Other,
}

/// What a step does to one object, for its estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    Create,
    Update,
    Delete,
}

/// How a replica is promoted during a failover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Promotion {
    /// Only once it has caught up (no data loss; the old primary must answer).
    Planned,
    /// Now, losing what it has not yet received.
    Forced,
}

impl Promotion {
    /// The name the cloud's APIs use.
    pub fn as_str(self) -> &'static str {
        match self {
            Promotion::Planned => "Planned",
            Promotion::Forced => "Forced",
        }
    }
}

/// The objective a DR weakness threatens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Objective {
    /// Data that may be lost (recovery point).
    Rpo,
    /// Time until service is back (recovery time).
    Rto,
    /// Surviving a zone failure without a failover.
    Availability,
}

impl Objective {
    pub fn as_str(self) -> &'static str {
        match self {
            Objective::Rpo => "RPO",
            Objective::Rto => "RTO",
            Objective::Availability => "availability",
        }
    }
}

/// The DR objectives of one failover group, as a provider judges a
/// configuration against them.
#[derive(Debug, Clone, Default)]
pub struct Objectives {
    /// Recovery time objective, seconds.
    pub rto: Option<u64>,
    /// Recovery point objective, seconds.
    pub rpo: Option<u64>,
    /// The site (region) that serves now.
    pub active: String,
    /// The sites that take over.
    pub standby: Vec<String>,
}

/// What an object's configuration cannot deliver toward an objective.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// Index of the object in the evaluation's resource instances.
    pub instance: usize,
    /// The argument at fault (`a` or `block.a`), when one is.
    pub argument: Option<String>,
    pub objective: Objective,
    /// Whether the objective cannot be met (otherwise a warning).
    pub blocking: bool,
    pub summary: String,
    pub detail: String,
}

/// How a planned change weakens the DR posture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weakening {
    pub objective: Objective,
    pub why: String,
}

/// Questions about a provider's resource types that need no cloud client.
/// Every answer has a default that suits a type with no special behaviour.
pub trait TypeFacts: Send + Sync {
    /// The part objects of `ty` play in a failover.
    fn failover_role(&self, _ty: &str) -> FailoverRole {
        FailoverRole::Other
    }
    /// Whether objects of `ty` hold data that a replacement or delete loses.
    fn holds_data(&self, _ty: &str) -> bool {
        false
    }
    /// Typical duration of one step on `ty` that changes `before` into
    /// `after`, in seconds (for a plan's estimate).
    fn typical_seconds(
        &self,
        _ty: &str,
        _step: StepKind,
        _before: Option<&Value>,
        _after: Option<&Value>,
    ) -> u64 {
        5
    }
    /// Typical duration of the site failover (`has_site_failover`) of one
    /// object of `ty`, in seconds.
    fn site_failover_seconds(&self, _ty: &str, _planned: bool) -> u64 {
        0
    }
    /// Whether the change from `before` to `after` scales capacity down
    /// (the old primary shrunk after a failover: clean-up, not capacity).
    fn scales_down(&self, _ty: &str, _before: Option<&Value>, _after: Option<&Value>) -> bool {
        false
    }
    /// Whether the change from `before` to `after` promotes a replica to a
    /// primary (what a forced promotion can lose is its replication lag).
    fn promotes(&self, _ty: &str, _before: Option<&Value>, _after: Option<&Value>) -> bool {
        false
    }
    /// Whether objects of `ty` fail over their own data to another region
    /// by a provider action (`Provider::site_failover`).
    fn has_site_failover(&self, _ty: &str) -> bool {
        false
    }
    /// The attributes the provider computes for `ty` (None: not its type).
    fn computed_attributes(&self, _ty: &str) -> Option<Vec<String>> {
        None
    }
    /// Every name a `ty` object has: arguments, nested blocks, exported
    /// attributes (None: not its type).
    fn attribute_names(&self, _ty: &str) -> Option<Vec<String>> {
        None
    }
    /// Every name data source `ty` has: its arguments and exported
    /// attributes (None: not its data source, or not checked).
    fn data_attribute_names(&self, _ty: &str) -> Option<Vec<String>> {
        None
    }
    /// Why a reference to documented attribute `attr` of data source `ty`
    /// is refused (drinfra does not read it).
    fn unread_data_attribute(&self, _ty: &str, _attr: &str) -> Option<String> {
        None
    }
    /// Gives the nested blocks of `attrs` (a `ty` object as configured) the
    /// computed attributes they leave out, unknown.
    fn complete_blocks(&self, _ty: &str, _attrs: &mut BTreeMap<String, Value>) {}
    /// What nested block `path` of `ty` holds (None: no block known there).
    fn block_names(
        &self,
        _ty: &str,
        _path: &[&str],
    ) -> Option<crate::config::evaluate::BlockNames> {
        None
    }
    /// `value` (the attributes of a `ty` object) with what the provider
    /// knows to be sensitive marked.
    fn mark_sensitive(&self, _ty: &str, value: Value) -> Value {
        value
    }
    /// Attributes of `ty` the provider reads with a request of their own
    /// (azurerm's exported keys): refresh asks for them
    /// (`Provider::read_secrets`) only where the configuration uses them.
    fn secret_attributes(&self, _ty: &str) -> &'static [&'static str] {
        &[]
    }
    /// The provider's rules for its services on the evaluated
    /// configuration (combinations the cloud would refuse).
    fn check_configuration(&self, _config: &Config, _eval: &Evaluation) -> Diagnostics {
        Diagnostics::default()
    }
    /// What the configuration of `resources` (every evaluated instance)
    /// cannot deliver toward `objectives`: the provider's own types only.
    fn dr_gaps(&self, _resources: &[ResourceInstance], _objectives: &Objectives) -> Vec<Gap> {
        Vec::new()
    }
    /// Seconds until health checks of a `ty` object configured as `value`
    /// call a failed origin down (detection, part of RTO).
    fn detection_seconds(&self, _ty: &str, _value: &Value) -> Option<u64> {
        None
    }
    /// Seconds clients may keep an old answer after a `ty` object
    /// configured as `value` changes (a DNS TTL, part of RTO).
    fn propagation_seconds(&self, _ty: &str, _value: &Value) -> Option<u64> {
        None
    }
    /// How changing a `ty` object from `before` to `after` weakens the
    /// DR posture (None: created or deleted).
    fn weakens(
        &self,
        _ty: &str,
        _before: Option<&Value>,
        _after: Option<&Value>,
    ) -> Vec<Weakening> {
        Vec::new()
    }
    /// Why the cloud would refuse the planned (switchover) promotion that
    /// changes a `ty` object from `before` to `after`, given every object
    /// the plan leaves (`objects`: type and planned value); None when it
    /// can run, or the change promotes nothing.
    fn switchover_refusal(
        &self,
        _ty: &str,
        _before: Option<&Value>,
        _after: Option<&Value>,
        _objects: &[(String, Value)],
    ) -> Option<String> {
        None
    }
    /// The point in time (RFC 3339) a `ty` object created as `after`
    /// restores its source to, if it is a point-in-time restore.
    fn restore_point(&self, _ty: &str, _after: &Value) -> Option<String> {
        None
    }
}

/// The type of resource address `addr` (`module.a.TYPE.NAME[KEY]`).
pub fn type_of_address(addr: &str) -> Option<String> {
    let parts: Vec<&str> = addr
        .split('.')
        .map(|p| p.split('[').next().unwrap_or_default())
        .collect();
    parts.iter().rev().nth(1).map(|t| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotions_and_addresses() {
        assert_eq!(Promotion::Forced.as_str(), "Forced");
        assert_eq!(
            type_of_address("module.a[\"x\"].azurerm_storage_account.data[0]").as_deref(),
            Some("azurerm_storage_account")
        );
        assert_eq!(type_of_address("x"), None);
    }
}

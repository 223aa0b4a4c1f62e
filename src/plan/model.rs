//! The plan as data: saved to plan files, rendered, and executed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::addrs::{InstanceKey, ModulePath};
use crate::lang::Value;

pub const FORMAT: &str = "drinfra-plan";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    NoOp,
    Create,
    Update,
    DeleteThenCreate,
    CreateThenDelete,
    Delete,
    /// A data source read during apply: its arguments are known only then.
    Read,
}

impl Action {
    pub fn is_replace(self) -> bool {
        matches!(self, Action::DeleteThenCreate | Action::CreateThenDelete)
    }
    pub fn deletes(self) -> bool {
        matches!(self, Action::Delete) || self.is_replace()
    }
    pub fn creates(self) -> bool {
        matches!(self, Action::Create) || self.is_replace()
    }
    /// Terraform's `change.actions` list.
    pub fn terraform_actions(self) -> Vec<&'static str> {
        match self {
            Action::NoOp => vec!["no-op"],
            Action::Create => vec!["create"],
            Action::Update => vec!["update"],
            Action::DeleteThenCreate => vec!["delete", "create"],
            Action::CreateThenDelete => vec!["create", "delete"],
            Action::Delete => vec!["delete"],
            Action::Read => vec!["read"],
        }
    }
}

/// Why an action was chosen, with Terraform's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    ReplaceBecauseCannotUpdate,
    ReplaceByTriggers,
    /// Terraform's `-replace=ADDR`.
    ReplaceByRequest,
    /// The object was marked tainted (`drinfra taint`).
    ReplaceBecauseTainted,
    /// drinfra's own: the object is deleted with a parent that is replaced.
    ReplaceBecauseParentReplaced,
    DeleteBecauseNoResourceConfig,
    DeleteBecauseCountIndex,
    DeleteBecauseEachKey,
    DeleteBecauseNoModule,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    pub address: String,
    /// Set when a `moved` block renamed the instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_address: Option<String>,
    /// Module instance path and keys, to find the configuration again.
    pub module_path: ModulePath,
    /// `type.name` or `data.type.name`.
    pub resource: String,
    pub key: InstanceKey,
    pub mode: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub name: String,
    pub provider: String,
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replace_paths: Vec<Vec<String>>,
    /// Addresses of instances that must be applied first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    #[serde(default)]
    pub create_before_destroy: bool,
    /// Provider notes for reviewers (e.g. a node pool rotation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A difference between state and the real object found while refreshing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    pub address: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub before: Value,
    /// None: the object was deleted outside drinfra.
    pub after: Option<Value>,
    /// The changed attributes a plan names (those its configuration sets
    /// or its changes read); empty: every changed attribute.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shown: Vec<String>,
}

/// A resource attribute a change of the plan rests on (Terraform's
/// `relevant_attributes`): drift there is shown.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RelevantAttribute {
    /// Configuration address of the resource (no instance keys).
    pub resource: String,
    /// Attribute path; empty when the whole object is referenced.
    pub attribute: Vec<String>,
}

impl Drift {
    /// The top-level attributes that differ (none when deleted), sorted.
    pub fn changed_attributes(&self) -> Vec<String> {
        let Some(after) = &self.after else {
            return vec![];
        };
        let (b, a) = (
            self.before.as_mapping().cloned().unwrap_or_default(),
            after.as_mapping().cloned().unwrap_or_default(),
        );
        let mut changed: Vec<String> = b
            .keys()
            .chain(a.keys())
            .filter(|k| {
                !crate::provider::terraform_data::same(
                    b.get(*k).unwrap_or(&Value::Null),
                    a.get(*k).unwrap_or(&Value::Null),
                )
            })
            .cloned()
            .collect();
        changed.sort();
        changed.dedup();
        changed
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputChange {
    pub name: String,
    pub action: Action,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub sensitive: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format: String,
    pub version: u32,
    pub drinfra_version: String,
    pub created: String,
    /// Lineage and serial of the state the plan was made against (None and
    /// 0 when there was no state).
    pub lineage: Option<String>,
    pub serial: u64,
    /// Digest of the configuration files and input values.
    pub config_digest: String,
    pub variables: BTreeMap<String, Value>,
    pub changes: Vec<ResourceChange>,
    pub drift: Vec<Drift>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relevant_attributes: Vec<RelevantAttribute>,
    pub outputs: Vec<OutputChange>,
    /// Digest of what refresh saw for each instance the plan touches.
    pub observed: BTreeMap<String, String>,
    pub destroy: bool,
    pub refresh_only: bool,
    /// Objects `import` blocks bring under management (recorded by apply).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imports: Vec<crate::state::ResourceState>,
    /// Objects `removed` blocks with `destroy = false` drop from state
    /// without destroying them (recorded by apply, like imports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forgets: Vec<crate::state::ResourceState>,
    /// Failover phase of each change (data, capacity, traffic, clean-up):
    /// a phase starts only when the one before it is done.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub phases: BTreeMap<String, super::phases::Phase>,
    /// Data sources read while planning, by address: apply evaluates
    /// with these values, as the plan did.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<String, Value>,
    /// How the failover groups stood for this plan.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub failover: BTreeMap<String, crate::config::evaluate::GroupPlacement>,
    /// The state the plan was made against (for `prior_state` in JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior_state: Option<crate::state::State>,
    /// The refreshed state, written as is by a refresh-only apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refreshed: Option<crate::state::State>,
}

/// Why a plan file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error(transparent)]
    Crypto(#[from] crate::state::crypto::CryptoError),
    #[error("{origin} is not a drinfra plan file{}", if .message.is_empty() { String::new() } else { format!(": {}", .message) })]
    NotAPlan { origin: String, message: String },
    #[error("{origin} has plan format version {found}; this drinfra reads version {VERSION}")]
    UnsupportedVersion { origin: String, found: u64 },
}

impl Plan {
    /// Decodes a saved plan (possibly sealed by `cipher`): a typed error
    /// for anything that is not a plan of this format version.
    pub fn decode(
        raw: &[u8],
        cipher: &crate::state::crypto::Cipher,
        origin: &str,
    ) -> Result<Plan, PlanFileError> {
        let text = cipher.open(raw, origin)?;
        let not_a_plan = |message: String| PlanFileError::NotAPlan {
            origin: origin.to_string(),
            message,
        };
        let probe: serde_json::Value =
            serde_json::from_slice(&text).map_err(|e| not_a_plan(e.to_string()))?;
        if probe.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(not_a_plan(String::new()));
        }
        let found = probe.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
        if found != u64::from(VERSION) {
            return Err(PlanFileError::UnsupportedVersion {
                origin: origin.to_string(),
                found,
            });
        }
        serde_json::from_value(probe).map_err(|e| not_a_plan(e.to_string()))
    }

    /// Changes that do something (not no-ops).
    pub fn actions(&self) -> impl Iterator<Item = &ResourceChange> {
        self.changes.iter().filter(|c| c.action != Action::NoOp)
    }

    pub fn has_resource_changes(&self) -> bool {
        self.actions().next().is_some()
    }

    /// Whether applying would change anything at all (resources, outputs,
    /// moves, or the state after a refresh).
    pub fn has_changes(&self) -> bool {
        self.has_resource_changes()
            || self.outputs.iter().any(|o| o.action != Action::NoOp)
            || self.changes.iter().any(|c| c.previous_address.is_some())
            || (self.refresh_only && !self.drift.is_empty())
            || !self.imports.is_empty()
            || !self.forgets.is_empty()
    }

    /// Whether saving this plan writes a sensitive value: input variables,
    /// planned and prior values, outputs, data read, or the states it carries.
    pub fn holds_secrets(&self) -> bool {
        use crate::state::has_secret;
        self.variables.values().any(has_secret)
            || self.changes.iter().any(|c| {
                c.before.as_ref().is_some_and(has_secret)
                    || c.after.as_ref().is_some_and(has_secret)
            })
            || self
                .drift
                .iter()
                .any(|d| has_secret(&d.before) || d.after.as_ref().is_some_and(has_secret))
            || self.outputs.iter().any(|o| {
                [&o.before, &o.after]
                    .into_iter()
                    .flatten()
                    .any(|v| has_secret(v) || (o.sensitive && !v.is_null() && !v.is_unknown()))
            })
            || self.data.values().any(has_secret)
            || self.imports.iter().any(|rs| has_secret(&rs.value()))
            || self.forgets.iter().any(|rs| has_secret(&rs.value()))
            || self
                .prior_state
                .as_ref()
                .is_some_and(crate::state::State::holds_secrets)
            || self
                .refreshed
                .as_ref()
                .is_some_and(crate::state::State::holds_secrets)
    }

    /// Recorded objects the refresh found deleted outside drinfra: apply
    /// forgets them (a 404 is as good as a delete).
    pub fn vanished(&self) -> impl Iterator<Item = &str> {
        self.drift
            .iter()
            .filter(|d| d.after.is_none())
            .map(|d| d.address.as_str())
    }

    /// Counts as `Plan: X to add, Y to change, Z to destroy.`
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut add = 0;
        let mut change = 0;
        let mut destroy = 0;
        for c in self.actions() {
            if c.action.creates() {
                add += 1;
            }
            if c.action == Action::Update {
                change += 1;
            }
            if c.action.deletes() {
                destroy += 1;
            }
        }
        (add, change, destroy)
    }
}

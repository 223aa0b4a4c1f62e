//! State: what drinfra manages, as last recorded. Versioned, with lineage
//! and serial, per-instance attributes, dependencies and sensitive marks.
//!
//! Backends persist a snapshot plus an append-only journal of step
//! records, so recording one completed step costs the same whatever the
//! size of the state; the journal is folded into a new snapshot at the end
//! of a run (and on load after a killed run).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::lang::Value;

pub mod azblob;
pub mod crypto;
pub mod local;
pub mod lock;
pub use crate::provider::marks;
/// Recorded in state so an interrupted apply can be followed up.
pub use crate::provider::operation::PendingOperation;
pub mod pg;
pub mod remote_state;
pub mod select;
pub mod tfstate;

pub use local::LocalBackend;
pub use lock::{LockError, LockInfo};

pub const FORMAT: &str = "drinfra-state";
pub const VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: String,
        source: std::io::Error,
    },
    #[error("state file {path} is not valid: {message}")]
    Corrupt { path: String, message: String },
    #[error("state file {path} has format version {found}; this drinfra reads version {VERSION}")]
    UnsupportedVersion { path: String, found: u32 },
    /// A remote backend's service refused or could not be reached.
    #[error("{backend} backend: {message}")]
    Remote {
        backend: &'static str,
        message: String,
    },
    #[error(transparent)]
    Lock(#[from] LockError),
    /// Two copies of one state went different ways (an adopted Terraform
    /// state changed again by Terraform).
    #[error("{0}")]
    Diverged(String),
    #[error(transparent)]
    Crypto(#[from] crypto::CryptoError),
    #[error(transparent)]
    Random(#[from] crate::random::RandomError),
    /// The serial cannot grow: wrapping to 0 (or staying put) would give
    /// two different states the same place in the order, and a stale plan
    /// or journal record could then pass for current.
    #[error(
        "the state's serial is {serial}, the largest there is, so no further change can be recorded. Start a new lineage: `drinfra state pull > state.json`, give it a new \"lineage\" and \"serial\": 1, and `drinfra state push --force state.json`"
    )]
    SerialExhausted { serial: u64 },
}

/// One resource instance as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceState {
    pub address: String,
    /// `module.a["x"].module.b`, empty for the root module.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub module: String,
    pub mode: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub name: String,
    /// `count` index (number) or `for_each` key (string), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<serde_json::Value>,
    pub provider: String,
    pub attributes: serde_json::Value,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive_paths: Vec<Vec<String>>,
    /// Addresses of resources this one depended on when last applied
    /// (deletes run in reverse of these).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub create_before_destroy: bool,
}

impl ResourceState {
    /// Attributes as a value, with sensitive marks restored: the recorded
    /// paths, and what the provider's schema says is sensitive (so a state
    /// written before a mark was recorded still shows it masked).
    pub fn value(&self) -> Value {
        crate::provider::mark_sensitive(
            &self.ty,
            marks::apply(Value::from_json(&self.attributes), &self.sensitive_paths),
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputState {
    pub value: serde_json::Value,
    #[serde(default)]
    pub sensitive: bool,
    /// The value's type in Terraform's JSON type syntax (`"string"`,
    /// `["tuple", [...]]`), as `output -json` and Terraform's state show it.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub format: String,
    pub version: u32,
    pub drinfra_version: String,
    pub lineage: String,
    pub serial: u64,
    /// Keyed by address.
    pub resources: BTreeMap<String, ResourceState>,
    #[serde(default)]
    pub outputs: BTreeMap<String, OutputState>,
    /// Failover groups whose active site a failover recorded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub failover_groups: BTreeMap<String, FailoverRecord>,
    /// Cloud operations an interrupted apply left running: the next apply
    /// follows them instead of sending the same request again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<PendingOperation>,
    /// Instances marked for replacement (`drinfra taint`): the next plan
    /// replaces them; recording a new object clears the mark.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tainted: BTreeSet<String>,
    /// Resources adopted from a Terraform state that drinfra does not
    /// manage (other types, data sources), kept as Terraform recorded them
    /// so that writing the state back for Terraform loses nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign: Vec<serde_json::Value>,
    /// What Terraform's state recorded per instance that drinfra does not
    /// use (`schema_version`, `private`), by address, written back as it
    /// was.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub terraform_meta: BTreeMap<String, serde_json::Value>,
}

/// Who moved a failover group where, when and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailoverRecord {
    pub active: String,
    /// Where traffic goes (differs from `active` after `--only traffic`).
    pub traffic: String,
    pub replicating: bool,
    /// Components standing apart from the group after a failover scoped
    /// to them: component -> (active site, replicating).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub components: BTreeMap<String, ComponentRecord>,
    pub status: FailoverStatus,
    pub target: String,
    pub since: String,
    pub by: String,
    #[serde(default)]
    pub reason: String,
    /// Objects a region outage kept from being changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deferred: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<String>,
}

/// How far the change a [`FailoverRecord`] records has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailoverStatus {
    /// Where an ordinary apply placed the group (no failover wrote it).
    Applied,
    /// A failover is running (or stopped part-way; a re-run resumes).
    InProgress,
    /// The failover (or failback stage) finished.
    Complete,
}

impl FailoverStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FailoverStatus::Applied => "applied",
            FailoverStatus::InProgress => "in_progress",
            FailoverStatus::Complete => "complete",
        }
    }
}

impl std::fmt::Display for FailoverStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for FailoverStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            FailoverStatus::Applied,
            FailoverStatus::InProgress,
            FailoverStatus::Complete,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
        .ok_or_else(|| format!("unknown failover status {s:?}"))
    }
}

/// Where one component of a failover group is active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentRecord {
    pub active: String,
    pub replicating: bool,
}

/// Decodes a snapshot as stored (possibly sealed by `cipher`): the format
/// and version are checked before anything else is read, so a file from a
/// newer (or an unknown) drinfra is refused rather than half-understood.
pub fn decode_snapshot(
    raw: &[u8],
    cipher: &crypto::Cipher,
    origin: &str,
) -> Result<State, StateError> {
    let text = cipher.open(raw, origin)?;
    let corrupt = |message: String| StateError::Corrupt {
        path: origin.to_string(),
        message,
    };
    let probe: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| corrupt(e.to_string()))?;
    if tfstate::is_terraform(&probe) {
        return tfstate::decode(&probe, origin);
    }
    if probe.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(corrupt(format!(
            "it is not a drinfra state (no \"format\": \"{FORMAT}\")"
        )));
    }
    let found = probe.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
    if found != u64::from(VERSION) {
        return Err(StateError::UnsupportedVersion {
            path: origin.to_string(),
            found: u32::try_from(found).unwrap_or(u32::MAX),
        });
    }
    serde_json::from_value(probe).map_err(|e| corrupt(e.to_string()))
}

/// Decodes one journal record as stored (possibly sealed by `cipher`).
pub fn decode_record(
    raw: &[u8],
    cipher: &crypto::Cipher,
    origin: &str,
) -> Result<Record, StateError> {
    let plain = cipher.open(raw, origin)?;
    serde_json::from_slice(&plain).map_err(|e| StateError::Corrupt {
        path: origin.to_string(),
        message: e.to_string(),
    })
}

/// Folds journal records into a snapshot: records at or below the
/// snapshot's serial are already in it.
pub(crate) fn replay(
    mut state: Option<State>,
    records: impl IntoIterator<Item = Record>,
) -> Option<State> {
    let base = state.as_ref().map(|s| s.serial).unwrap_or(0);
    for rec in records {
        if rec.serial > base {
            state.get_or_insert_with(State::blank).apply_record(&rec);
        }
    }
    state
}

impl State {
    /// An empty state with a new lineage.
    pub fn new() -> Result<State, crate::random::RandomError> {
        let mut s = State::blank();
        s.lineage = crate::random::uuid_v4()?;
        Ok(s)
    }

    /// An empty state without a lineage yet (a placeholder, or a journal
    /// replayed without its snapshot); [`State::ensure_lineage`] gives it
    /// one before it is written.
    pub fn blank() -> State {
        State {
            format: FORMAT.into(),
            version: VERSION,
            drinfra_version: env!("CARGO_PKG_VERSION").into(),
            lineage: String::new(),
            serial: 0,
            resources: BTreeMap::new(),
            outputs: BTreeMap::new(),
            failover_groups: BTreeMap::new(),
            operations: Vec::new(),
            tainted: BTreeSet::new(),
            foreign: Vec::new(),
            terraform_meta: BTreeMap::new(),
        }
    }

    /// The serial the next write records: one more than now, or an error
    /// at the end of the range (never a wrap to 0).
    pub fn next_serial(&self) -> Result<u64, StateError> {
        self.serial
            .checked_add(1)
            .ok_or(StateError::SerialExhausted {
                serial: self.serial,
            })
    }

    pub fn apply_record(&mut self, r: &Record) {
        match &r.change {
            Change::Put(rs) => {
                // A tainted instance is only ever planned as a replacement,
                // so a new record of it is its new object.
                self.tainted.remove(&rs.address);
                self.resources.insert(rs.address.clone(), (**rs).clone());
            }
            Change::Remove(addr) => {
                self.tainted.remove(addr);
                self.terraform_meta.remove(addr);
                self.resources.remove(addr);
            }
            Change::Outputs(o) => self.outputs = o.clone(),
            Change::Replace(s) => *self = (**s).clone(),
            Change::Operations(ops) => self.operations = ops.clone(),
        }
        self.serial = self.serial.max(r.serial);
    }
}

impl State {
    /// `loaded`, or a new empty state when there is none; either way with
    /// a lineage.
    pub fn or_new(loaded: Option<State>) -> Result<State, crate::random::RandomError> {
        let mut s = match loaded {
            Some(s) => s,
            None => State::new()?,
        };
        s.ensure_lineage()?;
        Ok(s)
    }

    /// Gives a state without a lineage a new one.
    pub fn ensure_lineage(&mut self) -> Result<(), crate::random::RandomError> {
        if self.lineage.is_empty() {
            self.lineage = crate::random::uuid_v4()?;
        }
        Ok(())
    }
}

/// One journal entry: a change to the state made by the run writing `serial`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub serial: u64,
    #[serde(flatten)]
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Put(Box<ResourceState>),
    Remove(String),
    Outputs(BTreeMap<String, OutputState>),
    /// A whole new state (state push, state mv/rm).
    Replace(Box<State>),
    /// The operations left running (replaces the list).
    Operations(Vec<PendingOperation>),
}

/// Where state lives. Every backend passes the same conformance tests.
pub trait Backend: Send + Sync {
    /// A description for messages ("local state at state/x.tfstate").
    fn describe(&self) -> String;
    /// The current state (snapshot plus journal), if any was written.
    fn load(&self) -> Result<Option<State>, StateError>;
    /// Appends records durably: when this returns they survive a crash.
    fn append(&self, records: &[Record]) -> Result<(), StateError>;
    /// Replaces snapshot and journal with `state`, keeping the previous
    /// snapshot as a backup.
    fn compact(&self, state: &State) -> Result<(), StateError>;
    fn lock(&self, info: &LockInfo) -> Result<(), LockError>;
    fn unlock(&self, id: &str) -> Result<(), LockError>;
    /// The current lock holder, if any.
    fn lock_holder(&self) -> Result<Option<LockInfo>, LockError>;
    /// Whether what it writes is encrypted (`DRINFRA_STATE_KEY` or
    /// `DRINFRA_STATE_PASSPHRASE`).
    fn encrypted(&self) -> bool;
    /// Deletes the state and everything kept beside it (`workspace
    /// delete`), refused while it is locked. The local backend's
    /// workspaces are directories, which `workspace delete` removes.
    fn forget(&self) -> Result<(), StateError> {
        Err(StateError::Remote {
            backend: "this",
            message: format!("{} cannot be deleted by drinfra", self.describe()),
        })
    }
}

/// Sensitive values were written where they are not encrypted: the state
/// (`what` describes where) or a saved plan. Returned by the engine; the
/// CLI prints it once per command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnencryptedSecrets {
    pub what: String,
}

impl std::fmt::Display for UnencryptedSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} holds sensitive values unencrypted; to encrypt state and plan files, set DRINFRA_STATE_KEY (32 random bytes, base64) or DRINFRA_STATE_PASSPHRASE",
            self.what
        )
    }
}

/// Whether `v` has a sensitive part that is not null.
pub fn has_secret(v: &Value) -> bool {
    match v {
        Value::Sensitive(x) => !matches!(x.unmark().0, Value::Null | Value::Unknown(_)),
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => xs.iter().any(has_secret),
        Value::Map(m) | Value::Object(m) => m.values().any(has_secret),
        _ => false,
    }
}

impl State {
    /// Whether any recorded attribute or output is a sensitive value.
    pub fn holds_secrets(&self) -> bool {
        self.resources.values().any(|rs| has_secret(&rs.value()))
            || self
                .outputs
                .values()
                .any(|o| o.sensitive && !o.value.is_null())
    }
}

/// The notice due after `state` was written to `backend`, if any.
pub fn unencrypted_notice(state: &State, backend: &dyn Backend) -> Option<UnencryptedSecrets> {
    (!backend.encrypted() && state.holds_secrets()).then(|| UnencryptedSecrets {
        what: format!("The {}", backend.describe()),
    })
}

#[cfg(test)]
mod snapshot_tests {
    use super::*;

    #[test]
    fn snapshots_of_unknown_versions_or_formats_are_refused_by_every_backend_decoder() {
        let st = State::new().unwrap();
        let mut j = serde_json::to_value(&st).unwrap();
        assert!(
            decode_snapshot(
                &serde_json::to_vec(&j).unwrap(),
                &crypto::Cipher::default(),
                "s"
            )
            .is_ok()
        );
        j["version"] = serde_json::json!(0);
        assert!(matches!(
            decode_snapshot(
                &serde_json::to_vec(&j).unwrap(),
                &crypto::Cipher::default(),
                "s"
            ),
            Err(StateError::UnsupportedVersion { found: 0, .. })
        ));
        j["version"] = serde_json::json!(2);
        assert!(matches!(
            decode_snapshot(
                &serde_json::to_vec(&j).unwrap(),
                &crypto::Cipher::default(),
                "s"
            ),
            Err(StateError::UnsupportedVersion { found: 2, .. })
        ));
        j["version"] = serde_json::json!(1);
        j["format"] = serde_json::json!("something-else");
        assert!(matches!(
            decode_snapshot(
                &serde_json::to_vec(&j).unwrap(),
                &crypto::Cipher::default(),
                "s"
            ),
            Err(StateError::Corrupt { .. })
        ));
    }

    #[test]
    fn a_journal_replayed_without_snapshot_gets_a_lineage_before_it_is_written() {
        let mut s = replay(
            None,
            [Record {
                serial: 1,
                change: Change::Remove("x".into()),
            }],
        )
        .unwrap();
        assert!(s.lineage.is_empty());
        s.ensure_lineage().unwrap();
        assert_eq!(s.lineage.len(), 36);
        assert_ne!(State::new().unwrap().lineage, State::new().unwrap().lineage);
    }
}

#[cfg(test)]
mod failover_status_tests {
    use super::FailoverStatus;

    #[test]
    fn statuses_are_stored_as_they_always_were() {
        for (status, text) in [
            (FailoverStatus::Applied, "applied"),
            (FailoverStatus::InProgress, "in_progress"),
            (FailoverStatus::Complete, "complete"),
        ] {
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{text}\"")
            );
            assert_eq!(
                serde_json::from_str::<FailoverStatus>(&format!("\"{text}\"")).unwrap(),
                status
            );
            assert_eq!(text.parse::<FailoverStatus>(), Ok(status));
            assert_eq!(status.to_string(), text);
        }
        assert!("done".parse::<FailoverStatus>().is_err());
    }
}

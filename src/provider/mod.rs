//! The provider boundary: what the engine asks of anything that manages
//! resources (schemas, validation, planning, CRUD). `terraform_data` is the
//! built-in implementation; the Azure ARM client implements it later.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use crate::lang::Value;
pub use facts::{FailoverRole, Promotion, StepKind, TypeFacts};
pub use loss::LostWrites;
pub use operation::PendingOperation;
pub use registry::{Providers, SHIPPED, all_type_facts, mark_sensitive, type_facts};

pub mod azapi;
pub mod azure;
pub mod builtin;
pub mod catalog;
pub mod ephemeral;
pub mod facts;
pub mod kubernetes;
pub mod loss;
pub mod marks;
pub mod offline;
pub mod operation;
mod registry;
pub mod terraform_data;

pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ProviderError {
    #[error("resource type {0:?} is not supported by any provider")]
    UnknownType(String),
    /// No provider configuration with this address is available.
    #[error("provider configuration {0} is not available")]
    NoConfiguration(String),
    #[error("{0}")]
    Invalid(String),
    /// An error from the remote API, with its code.
    #[error("{code}: {message}")]
    Api {
        code: String,
        message: String,
        retryable: bool,
        /// What the failure means, as the provider judges its API's answer.
        kind: ErrorKind,
    },
    /// A create found an object at its id that state does not record:
    /// refused, as azurerm refuses it, rather than overwritten.
    #[error("{}", already_exists(ty, id, "ADDRESS", "ADDRESS"))]
    AlreadyExists { ty: String, id: String },
}

/// azurerm's words for a create that found an object at its id, with
/// drinfra's two ways to import it.
fn already_exists(ty: &str, id: &str, shell_address: &str, address: &str) -> String {
    format!(
        "A resource with the ID {id:?} already exists - to be managed via drinfra this resource needs to be imported into the State. Import it with `drinfra import {shell_address} {id:?}` or an `import` block (to = {address}, id = {id:?}). Please see the resource documentation for {ty:?} for more information."
    )
}

/// What a provider failure means, whatever its provider's words for it:
/// callers decide by this (a failover defers what is unreachable) rather
/// than by the text of the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The cloud (or its region) cannot be reached now: an outage.
    Unreachable,
    /// Too many requests; the cloud asked to slow down.
    Throttled,
    /// Another operation on the object is in the way.
    Conflict,
    /// The object does not exist.
    NotFound,
    /// An object already exists where one was to be created.
    AlreadyExists,
    /// The request (configuration, arguments) is wrong.
    Invalid,
    /// No provider (configuration) handles it.
    Unsupported,
    /// Anything else the cloud refused or failed.
    Failed,
}

impl ProviderError {
    /// An API error that is not retried.
    pub fn api(kind: ErrorKind, code: &str, message: impl Into<String>) -> ProviderError {
        ProviderError::Api {
            code: code.to_string(),
            message: message.into(),
            retryable: false,
            kind,
        }
    }

    /// What the failure means.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ProviderError::UnknownType(_) | ProviderError::NoConfiguration(_) => {
                ErrorKind::Unsupported
            }
            ProviderError::Invalid(_) => ErrorKind::Invalid,
            ProviderError::Api { kind, .. } => *kind,
            ProviderError::AlreadyExists { .. } => ErrorKind::AlreadyExists,
        }
    }

    /// The message for the step of resource `address`.
    ///
    /// ```
    /// use drinfra::provider::ProviderError;
    /// let e = ProviderError::AlreadyExists { ty: "azurerm_resource_group".into(), id: "/subscriptions/s/resourceGroups/a".into() };
    /// let m = e.for_address("azurerm_resource_group.rg[\"a\"]");
    /// assert!(m.contains("drinfra import 'azurerm_resource_group.rg[\"a\"]' \"/subscriptions/s/resourceGroups/a\""), "{m}");
    /// assert!(m.contains("(to = azurerm_resource_group.rg[\"a\"], id = "), "{m}");
    /// ```
    pub fn for_address(&self, address: &str) -> String {
        match self {
            ProviderError::AlreadyExists { ty, id } => {
                // Quoted for the shell when it holds an instance key.
                let shell = if address.contains(['[', '"', ' ']) {
                    format!("'{}'", address.replace('\'', "'\\''"))
                } else {
                    address.to_string()
                };
                already_exists(ty, id, &shell, address)
            }
            other => other.to_string(),
        }
    }
}

/// How one argument or attribute behaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct AttrSchema {
    pub required: bool,
    pub optional: bool,
    /// Set by the provider (alone, or as a default when `optional`).
    pub computed: bool,
    /// A change to it replaces the resource.
    pub force_new: bool,
    pub sensitive: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ResourceSchema {
    pub attrs: BTreeMap<&'static str, AttrSchema>,
}

/// A problem with one argument of a resource's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ArgProblem {
    /// The argument at fault, when there is one.
    pub argument: Option<String>,
    pub summary: String,
    pub detail: String,
}

/// The state a change will produce, with unknowns where the provider
/// decides during apply.
#[derive(Debug, Clone)]
pub struct Planned {
    pub value: Value,
    /// Attribute paths whose change forces replacement; empty for updates.
    pub replace_paths: Vec<Vec<String>>,
    /// What the provider will do beyond a plain update, for reviewers
    /// ("node pool rotation: new pool, drain, delete old").
    pub notes: Vec<String>,
}

pub trait Provider: Send + Sync {
    /// Name as in `provider_name` of plan JSON (`terraform.io/builtin/terraform`).
    fn name(&self) -> &'static str;
    fn handles(&self, ty: &str) -> bool;
    /// What this provider knows of its types without a client: failover
    /// roles, data, typical durations (the same answers
    /// [`type_facts`] gives by type, for callers holding a plan only).
    fn facts(&self) -> &'static dyn TypeFacts {
        type_facts("")
    }
    fn schema(&self, ty: &str) -> Option<ResourceSchema>;
    fn validate(&self, ty: &str, config: &Value) -> Vec<ArgProblem>;
    /// Plans the change from `prior` (None: create) to `config`.
    fn plan(
        &self,
        ty: &str,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<Planned, ProviderError>;
    /// Reads the current remote object; `None` if it no longer exists.
    fn read<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Option<Value>, ProviderError>>;
    fn create<'a>(
        &'a self,
        ty: &'a str,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>>;
    fn update<'a>(
        &'a self,
        ty: &'a str,
        prior: &'a Value,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>>;
    fn delete<'a>(&'a self, ty: &'a str, prior: &'a Value)
    -> BoxFut<'a, Result<(), ProviderError>>;
    /// `current` (an object as read) with its secret attributes
    /// (`TypeFacts::secret_attributes`) read from the cloud.
    fn read_secrets<'a>(
        &'a self,
        _ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move { Ok(current.clone()) })
    }
    /// Reads many objects at once (bulk refresh); the default reads one by one.
    fn read_many<'a>(
        &'a self,
        items: &'a [(String, Value)],
    ) -> BoxFut<'a, Vec<Result<Option<Value>, ProviderError>>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(items.len());
            for (ty, v) in items {
                out.push(self.read(ty, v).await);
            }
            out
        })
    }
    /// A failover action beyond configuration (a storage account's
    /// failover to its secondary region): `away` moves the primary away
    /// from the object's home `location`, otherwise back home. Returns what
    /// was done, or None when it already stands as asked (so a resumed
    /// failover never repeats it).
    fn site_failover<'a>(
        &'a self,
        ty: &'a str,
        _current: &'a Value,
        _away: bool,
        _planned: bool,
    ) -> BoxFut<'a, Result<Option<String>, ProviderError>> {
        Box::pin(async move {
            Err(ProviderError::Invalid(format!(
                "{ty} has no failover action"
            )))
        })
    }
    /// How replicas are promoted from now on in this run (`Forced`
    /// during a forced failover).
    fn set_promotion(&self, _promotion: Promotion) {}
    /// From now on in this run, answer requests into a region that has
    /// already proved unreachable at once (`ErrorKind::Unreachable`)
    /// instead of retrying each: a failover defers that work anyway.
    fn defer_unreachable_regions(&self) {}
    /// What an import by `id` starts from: the attributes the id
    /// determines (then read with `read`).
    fn import_stub(&self, _ty: &str, id: &str) -> Value {
        Value::Object([("id".to_string(), Value::String(id.to_string()))].into())
    }
    /// Whether deleting `parent` deletes `child` too (an ARM child
    /// resource under its parent), so a replaced parent replaces it.
    fn nested_under(&self, _child: &Value, _parent: &Value) -> bool {
        false
    }
    /// A one-line description of where this provider's objects live.
    fn describe(&self) -> String {
        self.name().to_string()
    }
    /// The cloud's time as of the latest response (Unix seconds), without
    /// a request; None when this provider talks to no cloud, or has not
    /// heard from it yet (callers use wall time then).
    fn cloud_seen(&self) -> Option<f64> {
        None
    }
    /// Asks the cloud what time it is now (one cheap request): the
    /// emulator's simulated clock, or Azure's wall time. None as above.
    fn cloud_now(&self) -> BoxFut<'_, Option<f64>> {
        Box::pin(async move { self.cloud_seen() })
    }
    /// When the cloud says an outage of `region` began (Unix seconds), if
    /// it says: the emulator's injected region outage; Azure: None (the
    /// operator gives `--detected-at`).
    fn outage_began<'a>(&'a self, _region: &'a str) -> BoxFut<'a, Option<f64>> {
        Box::pin(async move { None })
    }
    /// Where this cloud stands in for the stack's own services: the
    /// emulator serves each site's at `BASE/services/HOST/PATH` (its base
    /// URL, and a client that trusts it). None: the services answer at
    /// their own URLs (Azure).
    fn emulated_services(&self) -> Option<(String, reqwest::Client)> {
        None
    }
    /// Starts (`down`) or ends an outage of `region` for a drill, where
    /// the cloud takes injected faults (the emulator); an error where it
    /// does not (Azure: use Azure Chaos Studio, outside drinfra).
    fn region_fault<'a>(
        &'a self,
        _region: &'a str,
        _down: bool,
    ) -> BoxFut<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            Err(ProviderError::Invalid(format!(
                "{} takes no injected faults",
                self.name()
            )))
        })
    }
    /// Requests made so far (for `--verbose`), if the provider counts them.
    fn request_counts(&self) -> Option<(u64, u64)> {
        None
    }
    /// How far a replica trails its source, in seconds, as the cloud
    /// measures it (None: not a replica, or no measurement).
    fn replication_lag<'a>(
        &'a self,
        _ty: &'a str,
        _current: &'a Value,
    ) -> BoxFut<'a, Result<Option<f64>, ProviderError>> {
        Box::pin(async move { Ok(None) })
    }
    /// The writes promoting this object lost, where the cloud can count
    /// them (None: it cannot, e.g. real Azure; the replica lag is then the
    /// bound).
    fn lost_writes<'a>(
        &'a self,
        _ty: &'a str,
        _current: &'a Value,
    ) -> BoxFut<'a, Result<Option<LostWrites>, ProviderError>> {
        Box::pin(async move { Ok(None) })
    }
    /// Reads data source `ty` for its evaluated configuration (while
    /// planning); the result is what `data.TYPE.NAME` evaluates to.
    fn read_data<'a>(
        &'a self,
        ty: &'a str,
        _config: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            Err(ProviderError::Invalid(format!(
                "{} has no data source {ty:?}",
                self.name()
            )))
        })
    }
    /// Opens ephemeral resource `ty` for its evaluated configuration (in
    /// plan and again in apply); the result is what `ephemeral.TYPE.NAME`
    /// evaluates to, and is never recorded.
    fn open_ephemeral<'a>(
        &'a self,
        ty: &'a str,
        _config: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move { Err(no_ephemeral(self.name(), ty)) })
    }
    /// What to record in state before creating `planned`, so that a run
    /// killed after the create reached the cloud but before its result was
    /// recorded lets the next run adopt the object instead of refusing it
    /// as someone else's (see `AlreadyExists`). None: nothing to record.
    fn create_intent(&self, _ty: &str, _planned: &Value) -> Option<PendingOperation> {
        None
    }
    /// Operations started and not yet seen to finish, for an interrupted
    /// apply to record in state.
    fn in_flight(&self) -> Vec<PendingOperation> {
        Vec::new()
    }
    /// Operations an earlier, interrupted apply left running: the provider
    /// follows one of these instead of sending its request again.
    fn resume(&self, _operations: Vec<PendingOperation>) {}
    /// The resumable operations no step has taken up yet.
    fn unresumed(&self) -> Vec<PendingOperation> {
        Vec::new()
    }
}

pub use crate::config::providers::ProviderConfigAddr;

/// The error for an ephemeral resource type `provider` does not open.
pub fn no_ephemeral(provider: &str, ty: &str) -> ProviderError {
    ProviderError::Invalid(format!(
        "{provider} has no ephemeral resource type {ty:?} that drinfra opens"
    ))
}

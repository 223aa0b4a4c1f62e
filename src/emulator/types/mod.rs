//! The resource types the emulator serves, each with Azure's rules.
//!
//! A type is a [`Spec`]: api-versions, how its long-running operations
//! look, how long they take in simulated time, name rules, and functions
//! that check a write (returning the body to store) or a delete.

use serde_json::{Map, Value as J, json};

use super::arm::{ArmError, ArmPath};
use super::store::{Row, Store};

mod aks;
mod cdn;
mod dns;
mod frontdoor_classic;
mod postgres;
mod redis;
mod resource_group;
mod storage;
mod traffic_manager;

/// How a write's completion is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lro {
    /// Done when the response is sent (200/201).
    Sync,
    /// 201/200 with a non-terminal `provisioningState`; poll the resource.
    ProvisioningState,
    /// 202 with `Location`; poll it.
    Location,
    /// 201/202 with `Azure-AsyncOperation` (and `Location`); poll the former.
    AsyncOperation,
}

/// Everything a rule may look at.
pub struct Ctx<'a> {
    pub store: &'a Store,
    /// Simulated now.
    pub now: f64,
    pub path: &'a ArmPath,
    pub existing: Option<&'a Row>,
    pub settings: &'a super::Settings,
    pub regions_down: &'a [String],
}

/// Who is calling (for RBAC on linked resources), set by the server
/// around each ARM request.
pub(crate) struct Caller {
    pub client: String,
    pub creds: super::Credentials,
}

tokio::task_local! {
    pub(crate) static CALLER: Caller;
}

impl Ctx<'_> {
    /// Another resource a request refers to (a replica's source, a linked
    /// cache): 403 `LinkedAuthorizationFailed` when it lives in a
    /// subscription the caller is not authorised on.
    pub fn get(&self, id: &str) -> Result<Option<Row>, ArmError> {
        let mut parts = id.trim_start_matches('/').split('/');
        let sub = match (parts.next(), parts.next()) {
            (Some(s), Some(sub)) if s.eq_ignore_ascii_case("subscriptions") => sub,
            _ => "",
        };
        // Only objects that exist can be denied; the rest stay not found.
        let denied = CALLER.try_with(|c| (c.creds.serves(sub) && !c.creds.authorised(&c.client, sub)).then(|| c.client.clone())).ok().flatten();
        if let Some(client) = denied {
            return Err(ArmError::new(
                403,
                "LinkedAuthorizationFailed",
                format!("The client '{client}' with object id '{client}' has permission to perform this action on scope '{}'; however, it does not have permission to read the linked scope '{id}' or the linked scope is invalid.", self.path.id()),
            ));
        }
        self.store.get(id).map_err(internal)
    }
    pub fn region_down(&self, location: &str) -> bool {
        self.regions_down.iter().any(|r| r.eq_ignore_ascii_case(location))
    }
}

pub fn internal(e: impl std::fmt::Display) -> ArmError {
    ArmError::new(500, "InternalServerError", e.to_string())
}

/// The result of a checked write.
pub struct Write {
    /// The body to store once the operation completes (without
    /// `provisioningState`; the server adds it).
    pub body: J,
    /// Simulated seconds the operation takes (overrides the spec's).
    pub secs: Option<f64>,
    /// Other resources to set or remove when the operation succeeds.
    pub effects: Vec<(String, String, Option<J>)>,
    /// Data-plane changes when it succeeds.
    pub data: Option<DataChange>,
}

impl Write {
    pub fn body(body: J) -> Write {
        Write { body, secs: None, effects: vec![], data: None }
    }
}

/// How a completed operation changes replicated data.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum DataChange {
    /// Copy the source's writes up to `cutoff` (simulated time) into `target`.
    CopyFrom { source: String, target: String, cutoff: f64 },
}

/// A POST action's outcome.
pub struct Action {
    pub effects: Vec<(String, String, Option<J>)>,
    pub secs: f64,
    pub result: Option<J>,
    pub data: Option<DataChange>,
}

type CheckWrite = fn(&Ctx, &mut J) -> Result<Write, ArmError>;
type CheckDelete = fn(&Ctx, &Row) -> Result<Vec<(String, String, Option<J>)>, ArmError>;
type DoAction = fn(&Ctx, &Row, &str, &J, &std::collections::BTreeMap<String, String>) -> Result<Action, ArmError>;

pub struct Spec {
    pub ty: &'static str,
    pub api_versions: &'static [&'static str],
    pub lro_put: Lro,
    pub lro_delete: Lro,
    pub create_secs: f64,
    pub update_secs: f64,
    pub delete_secs: f64,
    /// Whether `location` is required on create (and immutable after).
    pub located: bool,
    pub name_rule: fn(&str) -> Result<(), String>,
    pub check: CheckWrite,
    pub check_delete: CheckDelete,
    pub action: Option<DoAction>,
    /// Removes write-only secrets before a body is returned.
    pub hide: fn(&mut J),
    /// Whether `If-Match` / `If-None-Match` are honoured.
    pub etags: bool,
}

impl Spec {
    /// A synchronous type with no location, delete rule, action, hidden
    /// secrets or ETags; types override what differs with `..`.
    pub fn plain(ty: &'static str, api_versions: &'static [&'static str], name_rule: fn(&str) -> Result<(), String>, check: CheckWrite) -> Spec {
        Spec {
            ty,
            api_versions,
            lro_put: Lro::Sync,
            lro_delete: Lro::Sync,
            create_secs: 0.0,
            update_secs: 0.0,
            delete_secs: 0.0,
            located: false,
            name_rule,
            check,
            check_delete: no_delete_rule,
            action: None,
            hide: hide_nothing,
            etags: false,
        }
    }
}

pub fn no_delete_rule(_: &Ctx, _: &Row) -> Result<Vec<(String, String, Option<J>)>, ArmError> {
    Ok(vec![])
}
pub fn hide_nothing(_: &mut J) {}

pub fn aks_decorate(store: &Store, body: &mut J) {
    aks::decorate(store, body)
}
pub fn postgres_decorate(store: &Store, body: &mut J) {
    postgres::decorate(store, body)
}
pub fn redis_decorate(store: &Store, body: &mut J) {
    redis::decorate(store, body)
}
pub fn traffic_manager_decorate(store: &Store, body: &mut J) {
    traffic_manager::decorate(store, body)
}

/// Every type, for lookup and the reference page.
pub fn all() -> Vec<Spec> {
    let mut v = vec![resource_group::spec()];
    v.extend(aks::specs());
    v.extend(postgres::specs());
    v.extend(redis::specs());
    v.extend(cdn::specs());
    v.push(frontdoor_classic::spec());
    v.extend(traffic_manager::specs());
    v.extend(dns::specs());
    v.push(storage::spec());
    v.push(storage::blob_service_spec());
    v
}

pub fn lookup(ty: &str) -> Option<Spec> {
    all().into_iter().find(|s| s.ty.eq_ignore_ascii_case(ty))
}

// ---- helpers shared by the type modules ----

pub fn props(body: &mut J) -> &mut Map<String, J> {
    if !body.get("properties").is_some_and(J::is_object) {
        body["properties"] = json!({});
    }
    body["properties"].as_object_mut().expect("properties object")
}

pub fn prop<'a>(body: &'a J, path: &[&str]) -> Option<&'a J> {
    let mut cur = body.get("properties")?;
    for p in path {
        cur = cur.get(*p).or_else(|| cur.as_object().and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(p)).map(|(_, v)| v)))?;
    }
    Some(cur)
}

pub fn str_prop<'a>(body: &'a J, path: &[&str]) -> Option<&'a str> {
    prop(body, path).and_then(J::as_str)
}

pub fn num_prop(body: &J, path: &[&str]) -> Option<f64> {
    prop(body, path).and_then(J::as_f64)
}

/// The stored body of the resource being written, if it exists.
pub fn old(ctx: &Ctx) -> Option<J> {
    ctx.existing.map(|r| r.body.clone())
}

/// Names: letters, digits and the given punctuation, within a length range.
pub fn name_rule(name: &str, min: usize, max: usize, extra: &str, what: &str) -> Result<(), String> {
    let n = name.chars().count();
    if n < min || n > max || !name.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(c)) {
        return Err(format!("The name '{name}' is not valid for {what}: use {min}-{max} characters: letters, digits{}.", if extra.is_empty() { String::new() } else { format!(" and '{extra}'") }));
    }
    Ok(())
}

pub fn require(body: &J, path: &[&str], what: &str) -> Result<(), ArmError> {
    if prop(body, path).is_none_or(J::is_null) {
        return Err(ArmError::bad_request("InvalidRequestContent", format!("The property '{}' is required{what}.", path.join("."))).with_target(&format!("properties.{}", path.join("."))));
    }
    Ok(())
}

/// Rejects a change to an immutable property of an existing resource.
pub fn immutable(ctx: &Ctx, body: &J, path: &[&str], code: &str) -> Result<(), ArmError> {
    if let Some(old) = ctx.existing {
        let a = prop(&old.body, path);
        let b = prop(body, path);
        if b.is_some() && a != b {
            return Err(ArmError::bad_request(code, format!("Changing property 'properties.{}' is not allowed.", path.join("."))).with_target(&format!("properties.{}", path.join("."))));
        }
    }
    Ok(())
}

pub fn sku_name(body: &J) -> Option<&str> {
    body.get("sku").and_then(|s| s.get("name")).and_then(J::as_str)
}

/// A short stable hash for generated host names.
pub fn short_hash(s: &str) -> String {
    crate::plan::digest(s.to_lowercase().as_bytes())[..8].to_string()
}

pub fn global_location(body: &mut J) {
    if body.get("location").is_none() {
        body["location"] = J::String("global".into());
    }
}

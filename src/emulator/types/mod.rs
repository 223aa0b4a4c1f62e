//! The resource types the emulator serves, each with Azure's rules.
//!
//! A type is a [`Spec`]: api-versions, how its long-running operations
//! look, how long they take in simulated time, name rules, and functions
//! that check a write (returning the body to store) or a delete.

use serde_json::{Map, Value as J, json};

use super::arm::{ArmError, ArmPath};
use super::store::{Row, Store};

mod aks;
mod aks_node_group;
pub mod authorization;
mod cdn;
mod database_children;
mod diagnostics;
mod dns;
mod dns_records;
mod frontdoor_classic;
mod frontdoor_rest;
mod frontdoor_rules;
pub mod key_vault_data;
pub mod key_vault_keys;
pub mod key_vault_rotation;
pub mod monitor;
mod networking;
mod nsg_rules;
pub mod object_replication;
mod operations_management;
mod postgres;
pub mod postgres_endpoints;
pub mod private_link;
pub mod redis;
mod resource_group;
mod security;
mod ssh_public_keys;
pub mod storage;
mod storage_children;
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
    pub caller: Caller<'a>,
}

/// Who is calling, for RBAC on linked resources.
#[derive(Clone, Copy)]
pub struct Caller<'a> {
    pub client: &'a str,
    pub creds: &'a super::Credentials,
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
        let c = self.caller;
        if c.creds.serves(sub) && !c.creds.authorised(c.client, sub) {
            let client = c.client;
            return Err(ArmError::new(
                403,
                "LinkedAuthorizationFailed",
                format!(
                    "The client '{client}' with object id '{client}' has permission to perform this action on scope '{}'; however, it does not have permission to read the linked scope '{id}' or the linked scope is invalid.",
                    self.path.id()
                ),
            ));
        }
        self.store.get(id).map_err(internal)
    }
    pub fn region_down(&self, location: &str) -> bool {
        self.regions_down
            .iter()
            .any(|r| r.eq_ignore_ascii_case(location))
    }

    /// When the outage of a region that is down began (simulated time).
    pub fn outage_since(&self, location: &str) -> Option<f64> {
        if !self.region_down(location) {
            return None;
        }
        outage_since(self.store, location)
    }
}

/// The store key of a region outage's start.
pub fn outage_key(region: &str) -> String {
    format!("outage_since:{}", region.to_lowercase().replace(' ', ""))
}

/// When the recorded outage of `region` began (simulated time), if any.
pub fn outage_since(store: &Store, region: &str) -> Option<f64> {
    store
        .meta(&outage_key(region))
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
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
        Write {
            body,
            secs: None,
            effects: vec![],
            data: None,
        }
    }
}

/// How a completed operation changes replicated data.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum DataChange {
    /// Copy the source's writes up to `cutoff` (simulated time) into `target`.
    CopyFrom {
        source: String,
        target: String,
        cutoff: f64,
        /// A planned switchover: the source refuses writes from the moment
        /// the operation starts (the fence that keeps RPO at 0).
        #[serde(default)]
        fence: bool,
        /// A forced promotion: when the source stopped replicating (the
        /// region outage's start, or the promotion). The source's writes
        /// after `cutoff` are lost, and recorded as such.
        #[serde(default)]
        cut_at: Option<f64>,
    },
}

/// A POST action's outcome.
pub struct Action {
    pub effects: Vec<(String, String, Option<J>)>,
    pub secs: f64,
    pub result: Option<J>,
    pub data: Option<DataChange>,
}

/// A name a type refuses, with the reason ARM gives (the server picks
/// the error code: a group's or a resource's invalid name).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidName(pub String);

/// A type's rule for the names of its resources.
pub type NameRule = fn(&str) -> Result<(), InvalidName>;

type CheckWrite = fn(&Ctx, &mut J) -> Result<Write, ArmError>;
type CheckDelete = fn(&Ctx, &Row) -> Result<Vec<(String, String, Option<J>)>, ArmError>;
type DoAction = fn(
    &Ctx,
    &Row,
    &str,
    &J,
    &std::collections::BTreeMap<String, String>,
) -> Result<Action, ArmError>;

pub struct Spec {
    pub ty: &'static str,
    pub api_versions: &'static [&'static str],
    pub lro_put: Lro,
    pub lro_delete: Lro,
    pub create_secs: f64,
    pub update_secs: f64,
    pub delete_secs: f64,
    /// Durations of the type's other operations (a replica's seeding, a
    /// promotion, an account failover), by name: with the three above, the
    /// duration model `GET /admin/durations` shows clients.
    pub other_secs: &'static [(&'static str, f64)],
    /// Whether `location` is required on create (and immutable after).
    pub located: bool,
    pub name_rule: NameRule,
    pub check: CheckWrite,
    pub check_delete: CheckDelete,
    pub action: Option<DoAction>,
    /// Removes write-only secrets before a body is returned.
    pub hide: fn(&mut J),
    /// Adds what the service computes when a body is read (replicas,
    /// node pools, endpoints).
    pub decorate: fn(&Store, &mut J),
    /// Whether `If-Match` / `If-None-Match` are honoured.
    pub etags: bool,
    /// Whether the type's actions finish within the request (200 and the
    /// result, as `generateKeyPair` answers) rather than as an operation.
    pub sync_actions: bool,
}

impl Spec {
    /// A stored resource's body as returned to clients.
    pub fn present(&self, store: &Store, row: &Row) -> J {
        let mut b = row.body.clone();
        (self.decorate)(store, &mut b);
        (self.hide)(&mut b);
        // The emulator's own clock reading is no part of Azure's answer.
        if let Some(sd) = b.get_mut("systemData").and_then(J::as_object_mut) {
            sd.remove("createdAtSeconds");
        }
        if self.etags {
            b["etag"] = J::String(row.etag.clone());
        }
        b
    }

    /// A synchronous type with no location, delete rule, action, hidden
    /// secrets or ETags; types override what differs with `..`.
    pub fn plain(
        ty: &'static str,
        api_versions: &'static [&'static str],
        name_rule: NameRule,
        check: CheckWrite,
    ) -> Spec {
        Spec {
            ty,
            api_versions,
            lro_put: Lro::Sync,
            lro_delete: Lro::Sync,
            create_secs: 0.0,
            update_secs: 0.0,
            delete_secs: 0.0,
            other_secs: &[],
            located: false,
            name_rule,
            check,
            check_delete: no_delete_rule,
            action: None,
            hide: hide_nothing,
            decorate: decorate_nothing,
            etags: false,
            sync_actions: false,
        }
    }
}

pub fn no_delete_rule(_: &Ctx, _: &Row) -> Result<Vec<(String, String, Option<J>)>, ArmError> {
    Ok(vec![])
}
pub fn hide_nothing(_: &mut J) {}
pub fn decorate_nothing(_: &Store, _: &mut J) {}

/// The stored body of the resource a child belongs to.
pub fn parent_body(store: &Store, body: &J) -> Option<J> {
    let id = body.get("id")?.as_str()?;
    let parent = crate::emulator::arm::parent_of(id);
    store.get(&parent).ok().flatten().map(|r| r.body)
}

/// A child Azure names `{parent}/{name}` when it answers (a cache's
/// firewall rules and patch schedules).
pub fn name_under_parent(_: &Store, body: &mut J) {
    let id = body["id"].as_str().unwrap_or_default().to_string();
    let mut parts = id.rsplit('/');
    if let (Some(name), Some(_), Some(parent)) = (parts.next(), parts.next(), parts.next()) {
        body["name"] = json!(format!("{parent}/{name}"));
    }
}

/// Microsoft.Network's stable api-versions since 2022-07-01 (every type of
/// the provider is served at each; azure-rest-api-specs; shared by the
/// networking and private endpoint models): configurations
/// written against older ones, such as azapi's examples, still run.
pub(super) const NETWORK_VERSIONS: &[&str] = &[
    "2024-07-01",
    "2024-05-01",
    "2024-03-01",
    "2024-01-01",
    "2023-11-01",
    "2023-09-01",
    "2023-06-01",
    "2023-05-01",
    "2023-02-01",
    "2022-11-01",
    "2022-09-01",
    "2022-07-01",
];
/// Every type, for lookup and the reference page.
pub fn all() -> Vec<Spec> {
    let mut v = vec![resource_group::spec()];
    v.extend(aks::specs());
    v.extend(postgres::specs());
    v.extend(postgres_endpoints::specs());
    v.extend(redis::specs());
    v.extend(cdn::specs());
    v.push(frontdoor_classic::spec());
    v.extend(traffic_manager::specs());
    v.extend(dns::specs());
    v.push(storage::spec());
    v.push(storage::blob_service_spec());
    v.extend(monitor::specs());
    v.extend(storage_children::specs());
    v.extend(database_children::specs());
    v.extend(networking::specs());
    v.extend(security::specs());
    v.extend(dns_records::specs());
    v.extend(frontdoor_rest::specs());
    v.push(storage::file_service_spec());
    v.extend(authorization::specs());
    v.extend(object_replication::specs());
    v.extend(private_link::specs());
    v.extend(diagnostics::specs());
    v.extend(frontdoor_rules::specs());
    v.push(operations_management::spec());
    v.push(ssh_public_keys::spec());
    v
}

/// A parent that exists without being written: a storage account's blob
/// service, or a region of a resource provider (`.../locations/{region}`,
/// where deleted key vaults are kept).
pub fn implicit_parent(store: &Store, id: &str) -> bool {
    let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
    let region_scope = parts.len() == 6
        && parts[2].eq_ignore_ascii_case("providers")
        && parts[4].eq_ignore_ascii_case("locations");
    region_scope || storage_children::implicit(store, id)
}

pub fn lookup(ty: &str) -> Option<Spec> {
    all().into_iter().find(|s| s.ty.eq_ignore_ascii_case(ty))
}

/// The model for `ty`, or, for a `Microsoft.*` type the emulator has no
/// model of, a generic one: any api-version, the body stored as sent and
/// served back (with `provisioningState`), listed and deleted. What azapi
/// resources of the long tail meet; Azure's own rules for them are not
/// modelled, nor their actions (refused: see [`generic_action`]).
pub fn lookup_or_generic(ty: &str) -> Option<Spec> {
    lookup(ty).or_else(|| generic(ty))
}

fn generic(ty: &str) -> Option<Spec> {
    let mut parts = ty.split('/');
    let namespace = parts.next()?;
    if !namespace.to_ascii_lowercase().starts_with("microsoft.")
        || parts.next().is_none_or(str::is_empty)
    {
        return None;
    }
    Some(Spec {
        action: Some(generic_action),
        ..Spec::plain(intern(ty), &[], generic_name, generic_write)
    })
}

/// Type names of generic resources, kept for the emulator's lifetime (a
/// few per stack; each distinct name is stored once).
fn intern(ty: &str) -> &'static str {
    static NAMES: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(n) = names.iter().find(|n| n.eq_ignore_ascii_case(ty)) {
        return n;
    }
    let leaked: &'static str = Box::leak(ty.to_string().into_boxed_str());
    names.push(leaked);
    leaked
}

fn generic_name(n: &str) -> Result<(), InvalidName> {
    if n.is_empty() || n.len() > 260 || n.chars().any(|c| "<>%&:\\?/".contains(c)) {
        return Err(InvalidName(format!("'{n}' is not a valid resource name.")));
    }
    Ok(())
}

fn generic_write(_: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    if body
        .get("properties")
        .is_some_and(|p| !p.is_null() && !p.is_object())
    {
        return Err(ArmError::bad_request(
            "InvalidRequestContent",
            "'properties' must be an object.",
        ));
    }
    Ok(Write::body(body.clone()))
}

/// An action on a generic resource: refused, naming the emulator. A
/// generic resource is a stored body and nothing behind it, so no action
/// (`listKeys`, `restart`, `failover`, ...) can be performed or answered
/// truthfully; an empty success would report as done what nothing did.
fn generic_action(
    ctx: &Ctx,
    _: &Row,
    action: &str,
    _: &J,
    _: &std::collections::BTreeMap<String, String>,
) -> Result<Action, ArmError> {
    Err(ArmError::bad_request(
        "InvalidAction",
        format!(
            "The emulator has no model of action '{action}' for resource type '{}': it stores this type's resources as written and performs none of their actions. Azure may support it; the emulator does not.",
            ctx.path.type_name()
        ),
    ))
}

// ---- helpers shared by the type modules ----

pub fn props(body: &mut J) -> &mut Map<String, J> {
    if !body.get("properties").is_some_and(J::is_object) {
        body["properties"] = json!({});
    }
    body["properties"]
        .as_object_mut()
        .expect("properties object")
}

pub fn prop<'a>(body: &'a J, path: &[&str]) -> Option<&'a J> {
    let mut cur = body.get("properties")?;
    for p in path {
        cur = cur.get(*p).or_else(|| {
            cur.as_object().and_then(|m| {
                m.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(p))
                    .map(|(_, v)| v)
            })
        })?;
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
pub fn name_rule(
    name: &str,
    min: usize,
    max: usize,
    extra: &str,
    what: &str,
) -> Result<(), InvalidName> {
    let n = name.chars().count();
    if n < min
        || n > max
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
    {
        return Err(InvalidName(format!(
            "The name '{name}' is not valid for {what}: use {min}-{max} characters: letters, digits{}.",
            if extra.is_empty() {
                String::new()
            } else {
                format!(" and '{extra}'")
            }
        )));
    }
    Ok(())
}

pub fn require(body: &J, path: &[&str], what: &str) -> Result<(), ArmError> {
    if prop(body, path).is_none_or(J::is_null) {
        return Err(ArmError::bad_request(
            "InvalidRequestContent",
            format!("The property '{}' is required{what}.", path.join(".")),
        )
        .with_target(&format!("properties.{}", path.join("."))));
    }
    Ok(())
}

/// Rejects a change to an immutable property of an existing resource.
pub fn immutable(ctx: &Ctx, body: &J, path: &[&str], code: &str) -> Result<(), ArmError> {
    if let Some(old) = ctx.existing {
        let a = prop(&old.body, path);
        let b = prop(body, path);
        if b.is_some() && a != b {
            return Err(ArmError::bad_request(
                code,
                format!(
                    "Changing property 'properties.{}' is not allowed.",
                    path.join(".")
                ),
            )
            .with_target(&format!("properties.{}", path.join("."))));
        }
    }
    Ok(())
}

pub fn sku_name(body: &J) -> Option<&str> {
    body.get("sku")
        .and_then(|s| s.get("name"))
        .and_then(J::as_str)
}

/// A short stable hash for generated host names.
pub fn short_hash(s: &str) -> String {
    crate::digest::digest(s.to_lowercase().as_bytes())[..8].to_string()
}

pub fn global_location(body: &mut J) {
    if body.get("location").is_none() {
        body["location"] = J::String("global".into());
    }
}

/// Azure's public regions a resource can be placed in, for the location
/// check ARM makes on every write (ARM's own list is longer, and grows).
pub const REGIONS: &[&str] = &[
    "australiacentral",
    "australiacentral2",
    "australiaeast",
    "australiasoutheast",
    "austriaeast",
    "belgiumcentral",
    "brazilsouth",
    "brazilsoutheast",
    "canadacentral",
    "canadaeast",
    "centralindia",
    "centralus",
    "centraluseuap",
    "chilecentral",
    "denmarkeast",
    "eastasia",
    "eastus",
    "eastus2",
    "eastus2euap",
    "francecentral",
    "francesouth",
    "germanynorth",
    "germanywestcentral",
    "indonesiacentral",
    "israelcentral",
    "italynorth",
    "japaneast",
    "japanwest",
    "jioindiacentral",
    "jioindiawest",
    "koreacentral",
    "koreasouth",
    "malaysiawest",
    "mexicocentral",
    "newzealandnorth",
    "northcentralus",
    "northeurope",
    "norwayeast",
    "norwaywest",
    "polandcentral",
    "qatarcentral",
    "southafricanorth",
    "southafricawest",
    "southcentralus",
    "southeastasia",
    "southindia",
    "spaincentral",
    "swedencentral",
    "switzerlandnorth",
    "switzerlandwest",
    "uaecentral",
    "uaenorth",
    "uksouth",
    "ukwest",
    "westcentralus",
    "westeurope",
    "westindia",
    "westus",
    "westus2",
    "westus3",
];

/// Types that live in one region (everything else the emulator serves
/// is global or takes its parent's place).
const REGIONAL: &[&str] = &[
    "Microsoft.Resources/resourceGroups",
    "Microsoft.ContainerService/managedClusters",
    "Microsoft.DBforPostgreSQL/flexibleServers",
    "Microsoft.Cache/redis",
    "Microsoft.Storage/storageAccounts",
];

/// A value quoted in an error message, cut short when long.
pub fn quoted(v: &J) -> String {
    let s = match v {
        J::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > 64 {
        format!("{}...", s.chars().take(64).collect::<String>())
    } else {
        s
    }
}

/// The checks ARM itself makes on the envelope of every write, before a
/// resource provider sees it: `properties`, `sku` and `tags` have the
/// right JSON types, and `location` is a string naming a region the type
/// can be placed in (or `global` for global types).
pub fn check_envelope(ty: &str, body: &J) -> Result<(), ArmError> {
    let content = |what: &str, target: &str| {
        ArmError::bad_request(
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: {what}."),
        )
        .with_target(target)
    };
    for key in ["properties", "sku", "identity"] {
        if body
            .get(key)
            .is_some_and(|v| !v.is_null() && !v.is_object())
        {
            return Err(content(&format!("'{key}' must be an object"), key));
        }
    }
    if let Some(tags) = body.get("tags").filter(|t| !t.is_null()) {
        let Some(m) = tags.as_object() else {
            return Err(content("'tags' must be an object of strings", "tags"));
        };
        if let Some((k, _)) = m.iter().find(|(_, v)| !v.is_string()) {
            return Err(content(
                &format!(
                    "the value of tag '{}' must be a string",
                    quoted(&J::String(k.clone()))
                ),
                "tags",
            ));
        }
    }
    let Some(loc) = body.get("location").filter(|l| !l.is_null()) else {
        return Ok(());
    };
    let Some(name) = loc.as_str() else {
        return Err(content(
            &format!("'location' must be a string, not {}", quoted(loc)),
            "location",
        ));
    };
    let norm = name.to_lowercase().replace(' ', "");
    let regional = REGIONAL.iter().any(|t| t.eq_ignore_ascii_case(ty));
    let ok = if norm == "global" {
        !regional
    } else {
        REGIONS.contains(&norm.as_str())
    };
    if ok {
        return Ok(());
    }
    let list = REGIONS;
    Err(if ty.eq_ignore_ascii_case("Microsoft.Resources/resourceGroups") {
        ArmError::bad_request("LocationNotAvailableForResourceGroup", format!("The provided location '{}' is not available for resource group. List of available regions is '{}'.", quoted(loc), list.join(",")))
    } else {
        ArmError::bad_request("LocationNotAvailableForResourceType", format!("The provided location '{}' is not available for resource type '{ty}'. List of available regions for the resource type is '{}'.", quoted(loc), if regional { list.join(",") } else { format!("global,{}", list.join(",")) }))
    }
    .with_target("location"))
}

/// A whole-number field of a JSON object, type-checked: None when absent
/// or null; a string, a fraction or a number out of `min..=max` is 400
/// `InvalidParameterValue` naming `target`.
pub fn int_field(
    obj: &J,
    key: &str,
    target: &str,
    min: i64,
    max: i64,
) -> Result<Option<f64>, ArmError> {
    let v = obj.get(key).or_else(|| {
        obj.as_object().and_then(|m| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
    });
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && n >= min as f64 && n <= max as f64 => Ok(Some(n)),
        _ => Err(ArmError::bad_request("InvalidParameterValue", format!("Invalid value given for parameter {target}: '{}' is not a whole number between {min} and {max}.", quoted(v))).with_target(target)),
    }
}

/// [`int_field`] for `properties.<path>`.
pub fn int_prop(body: &J, path: &[&str], min: i64, max: i64) -> Result<Option<f64>, ArmError> {
    let (last, parents) = path.split_last().expect("a property path");
    let parent = if parents.is_empty() {
        body.get("properties")
    } else {
        prop(body, parents)
    };
    match parent {
        Some(p) if p.is_object() => {
            int_field(p, last, &format!("properties.{}", path.join(".")), min, max)
        }
        _ => Ok(None),
    }
}

/// What Azure fills in a managed identity: a system-assigned identity's
/// principal and tenant (kept across updates), and each user-assigned
/// identity's principal and client ids.
pub fn fill_identity(body: &mut J, existing: Option<&J>, id: &str, tenant: &str) {
    let Some(identity) = body.get_mut("identity").filter(|i| i.is_object()) else {
        return;
    };
    let kind = identity["type"].as_str().unwrap_or_default().to_lowercase();
    let old = existing.and_then(|e| e.get("identity"));
    if kind.contains("systemassigned") {
        let principal = old
            .and_then(|o| o["principalId"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| guid_from(&format!("{id}/identity")));
        identity["principalId"] = json!(principal);
        identity["tenantId"] = json!(tenant);
    } else if let Some(m) = identity.as_object_mut() {
        m.remove("principalId");
        m.remove("tenantId");
    }
    if let Some(users) = identity
        .get_mut("userAssignedIdentities")
        .and_then(J::as_object_mut)
    {
        for (uid, v) in users.iter_mut() {
            if !v.is_object() {
                *v = json!({});
            }
            v["principalId"] = json!(guid_from(&format!("{uid}/principal")));
            v["clientId"] = json!(guid_from(&format!("{uid}/client")));
        }
    }
}

/// A stable GUID-shaped id derived from `seed`.
pub(super) fn guid_from(seed: &str) -> String {
    let h = format!(
        "{}{}",
        crate::digest::digest(seed.as_bytes()),
        crate::digest::digest(format!("{seed}#").as_bytes())
    );
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

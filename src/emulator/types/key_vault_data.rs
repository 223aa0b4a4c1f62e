//! Key Vault's data plane for secrets and keys, as the vaults' `vaultUri`
//! reaches it (`{emulator}/keyvault/{vault}/...`, since loopback cannot
//! answer `{vault}.vault.azure.net`): versions, soft delete, recover and
//! purge, and access by the vault's access policies or, with
//! `enableRbacAuthorization`, by Key Vault role assignments. A key's
//! material comes from `key_vault_keys.rs`.
//!
//! A vault's secrets are one JSON document in the store's metadata
//! (`keyvault:{vault name}`), its keys another (`keyvault-keys:{vault
//! name}`), each written in one statement per request; a purged vault's
//! documents go with it.

use serde_json::{Value as J, json};

use super::authorization::ASSIGNMENTS;
use super::{prop, str_prop};
use crate::emulator::store::Store;

pub const VAULTS: &str = "Microsoft.KeyVault/vaults";
/// The audience a data-plane token must carry (Azure's).
pub const AUDIENCE: &str = "https://vault.azure.net";
/// Where the emulator's own URL is kept, for the vaults' `vaultUri`.
pub const BASE_URL_META: &str = "emulator_base_url";
/// api-versions of the secrets API the emulator answers.
const VERSIONS: &[&str] = &["7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6"];
/// Roles that grant every secret operation, and the read-only one.
const SECRETS_ALL: &[&str] = &[
    "00482a5a-887f-4fb3-b363-3b7fe8e74483", // Key Vault Administrator
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", // Key Vault Secrets Officer
];
const SECRETS_READ: &str = "4633458b-17de-408a-b874-0445c86b69e6"; // Key Vault Secrets User
/// The same for keys.
const KEYS_ALL: &[&str] = &[
    "00482a5a-887f-4fb3-b363-3b7fe8e74483", // Key Vault Administrator
    "14b46e9e-c2b7-41b4-b07b-48a6ebf60603", // Key Vault Crypto Officer
];
const KEYS_READ: &str = "12338af0-0e69-4776-bea7-57ae8d297424"; // Key Vault Crypto User

/// What a request addresses: a vault's secrets or its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Secret,
    Key,
}

impl Kind {
    /// The path segment of live objects (also the access policy's
    /// permission list and the RBAC data action's segment).
    fn live(self) -> &'static str {
        match self {
            Kind::Secret => "secrets",
            Kind::Key => "keys",
        }
    }

    fn deleted(self) -> &'static str {
        match self {
            Kind::Secret => "deletedsecrets",
            Kind::Key => "deletedkeys",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Secret => "Secret",
            Kind::Key => "Key",
        }
    }

    fn not_found(self) -> &'static str {
        match self {
            Kind::Secret => "SecretNotFound",
            Kind::Key => "KeyNotFound",
        }
    }

    /// Whether RBAC role `role` (a definition's GUID) grants `perm`.
    fn role_grants(self, role: &str, perm: Perm) -> bool {
        let (all, read) = match self {
            Kind::Secret => (SECRETS_ALL, SECRETS_READ),
            Kind::Key => (KEYS_ALL, KEYS_READ),
        };
        all.contains(&role) || (role == read && perm.read_only())
    }
}

/// A Key Vault error: its status, code and inner code (Key Vault's
/// envelope, `{"error": {"code", "message", "innererror": {"code"}}}`).
#[derive(Debug, Clone, PartialEq)]
pub struct KvError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub inner: Option<&'static str>,
}

impl KvError {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> KvError {
        KvError {
            status,
            code,
            message: message.into(),
            inner: None,
        }
    }

    fn inner(mut self, code: &'static str) -> KvError {
        self.inner = Some(code);
        self
    }

    pub fn body(&self) -> J {
        let mut e = json!({"code": self.code, "message": self.message});
        if let Some(i) = self.inner {
            e["innererror"] = json!({"code": i});
        }
        json!({"error": e})
    }
}

fn internal(e: impl std::fmt::Display) -> KvError {
    KvError::new(500, "InternalError", e.to_string())
}

impl From<super::key_vault_keys::KeyError> for KvError {
    fn from(e: super::key_vault_keys::KeyError) -> KvError {
        match e {
            super::key_vault_keys::KeyError::Bad(m) => KvError::new(400, "BadParameter", m),
            super::key_vault_keys::KeyError::Random(m) => internal(m),
        }
    }
}

/// The permission (an access policy's name) an operation needs, and the
/// RBAC data action Azure names in its refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Perm {
    Get,
    List,
    Set,
    Create,
    Update,
    Delete,
    Recover,
    Purge,
    GetRotationPolicy,
    SetRotationPolicy,
}

impl Perm {
    fn name(self) -> &'static str {
        match self {
            Perm::Get => "get",
            Perm::List => "list",
            Perm::Set => "set",
            Perm::Create => "create",
            Perm::Update => "update",
            Perm::Delete => "delete",
            Perm::Recover => "recover",
            Perm::Purge => "purge",
            Perm::GetRotationPolicy => "getrotationpolicy",
            Perm::SetRotationPolicy => "setrotationpolicy",
        }
    }

    fn read_only(self) -> bool {
        matches!(self, Perm::Get | Perm::List)
    }
}

/// Who calls: the token's object id and tenant.
pub struct Caller<'a> {
    pub object_id: &'a str,
    pub tenant_id: &'a str,
}

/// One data-plane request on vault `vault`: `rest` is the path after
/// `/keyvault/{vault}/`. Returns the status and body.
pub struct Request<'a> {
    pub method: &'a str,
    pub rest: &'a [&'a str],
    pub api_version: Option<&'a str>,
    pub body: &'a J,
    /// Simulated now (seconds since the epoch).
    pub now: f64,
}

/// The vault's URI as the emulator serves it.
pub fn vault_uri(store: &Store, name: &str) -> Option<String> {
    let base = store.meta(BASE_URL_META).ok().flatten()?;
    Some(format!(
        "{}/keyvault/{}/",
        base.trim_end_matches('/'),
        name.to_lowercase()
    ))
}

/// Forgets a purged vault's secrets and keys.
pub fn forget(store: &Store, vault: &str) -> Result<(), crate::emulator::store::StoreError> {
    store.set_meta(&doc_key(vault, Kind::Secret), "{}")?;
    store.set_meta(&doc_key(vault, Kind::Key), "{}")
}

fn doc_key(vault: &str, kind: Kind) -> String {
    match kind {
        Kind::Secret => format!("keyvault:{}", vault.to_lowercase()),
        Kind::Key => format!("keyvault-keys:{}", vault.to_lowercase()),
    }
}

pub fn serve(
    store: &Store,
    vault_name: &str,
    caller: &Caller,
    req: &Request,
) -> Result<(u16, J), KvError> {
    match req.api_version {
        None => {
            return Err(KvError::new(
                400,
                "BadParameter",
                "The request URI contains an invalid or missing api-version.",
            ));
        }
        Some(v) if !VERSIONS.contains(&v) => {
            return Err(KvError::new(
                400,
                "BadParameter",
                format!(
                    "The specified version ({v}) is not recognized. Consider using the latest supported version ({}).",
                    VERSIONS[VERSIONS.len() - 1]
                ),
            ));
        }
        _ => {}
    }
    let vault = store
        .of_type_everywhere(VAULTS)
        .map_err(internal)?
        .into_iter()
        .find(|r| {
            r.id.rsplit('/')
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case(vault_name))
        })
        .ok_or_else(|| {
            KvError::new(
                404,
                "VaultNotFound",
                format!("No vault named '{vault_name}' exists."),
            )
        })?;
    let uri = vault_uri(store, vault_name).unwrap_or_default();
    let (kind, op, perm) = route(req.method, req.rest)?;
    if let (Some(since), Some(v)) = (op.since(), req.api_version)
        && v < since
    {
        return Err(KvError::new(
            400,
            "BadParameter",
            format!("This operation needs api-version {since} or later, not {v}."),
        ));
    }
    authorize(store, &vault, caller, kind, perm)?;
    let key = doc_key(vault_name, kind);
    let mut doc: J = store
        .meta(&key)
        .map_err(internal)?
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(json!({}));
    let days = prop(&vault.body, &["softDeleteRetentionInDays"])
        .and_then(J::as_f64)
        .unwrap_or(90.0);
    let protected = prop(&vault.body, &["enablePurgeProtection"]) == Some(&json!(true));
    let ctx = Ctx {
        kind,
        sku: str_prop(&vault.body, &["sku", "name"]).unwrap_or("standard"),
        uri: &uri,
        now: req.now.floor() as i64,
        days: days as i64,
        protected,
    };
    let (status, out, changed) = op.run(&ctx, &mut doc, req.body)?;
    if changed {
        store.set_meta(&key, &doc.to_string()).map_err(internal)?;
    }
    Ok((status, out))
}

struct Ctx<'a> {
    kind: Kind,
    sku: &'a str,
    uri: &'a str,
    now: i64,
    days: i64,
    protected: bool,
}

enum Op<'a> {
    Set(&'a str),
    Create(&'a str),
    Get(&'a str, &'a str),
    Versions(&'a str),
    List,
    Update(&'a str, &'a str),
    Delete(&'a str),
    GetDeleted(&'a str),
    ListDeleted,
    Recover(&'a str),
    Purge(&'a str),
    GetRotation(&'a str),
    SetRotation(&'a str),
}

fn route<'a>(method: &str, rest: &[&'a str]) -> Result<(Kind, Op<'a>, Perm), KvError> {
    let not_found = || KvError::new(404, "NotFound", "No such data-plane operation.");
    let (kind, live, rest) = match rest.split_first() {
        Some((&"secrets", r)) => (Kind::Secret, true, r),
        Some((&"deletedsecrets", r)) => (Kind::Secret, false, r),
        Some((&"keys", r)) => (Kind::Key, true, r),
        Some((&"deletedkeys", r)) => (Kind::Key, false, r),
        _ => return Err(not_found()),
    };
    // Secrets are written with `set`; keys created with `create` and
    // changed with `update`.
    let write = match kind {
        Kind::Secret => Perm::Set,
        Kind::Key => Perm::Update,
    };
    let r = match (method, live, kind, rest) {
        ("PUT", true, Kind::Secret, [n]) => (Op::Set(n), Perm::Set),
        ("POST", true, Kind::Key, [n, "create"]) => (Op::Create(n), Perm::Create),
        ("GET", true, Kind::Key, [n, "rotationpolicy"]) => {
            (Op::GetRotation(n), Perm::GetRotationPolicy)
        }
        ("PUT", true, Kind::Key, [n, "rotationpolicy"]) => {
            (Op::SetRotation(n), Perm::SetRotationPolicy)
        }
        ("GET", true, _, []) => (Op::List, Perm::List),
        ("GET", true, _, [n]) => (Op::Get(n, ""), Perm::Get),
        ("GET", true, _, [n, "versions"]) => (Op::Versions(n), Perm::List),
        ("GET", true, _, [n, v]) => (Op::Get(n, v), Perm::Get),
        ("PATCH", true, _, [n]) => (Op::Update(n, ""), write),
        ("PATCH", true, _, [n, v]) => (Op::Update(n, v), write),
        ("DELETE", true, _, [n]) => (Op::Delete(n), Perm::Delete),
        ("GET", false, _, []) => (Op::ListDeleted, Perm::List),
        // Azure: Get Deleted Secret (and Key) needs the list permission.
        ("GET", false, _, [n]) => (Op::GetDeleted(n), Perm::List),
        ("POST", false, _, [n, "recover"]) => (Op::Recover(n), Perm::Recover),
        ("DELETE", false, _, [n]) => (Op::Purge(n), Perm::Purge),
        _ => return Err(not_found()),
    };
    if let Some(n) = match r.0 {
        Op::Set(n)
        | Op::Create(n)
        | Op::Get(n, _)
        | Op::Versions(n)
        | Op::Update(n, _)
        | Op::Delete(n)
        | Op::GetDeleted(n)
        | Op::Recover(n)
        | Op::Purge(n)
        | Op::GetRotation(n)
        | Op::SetRotation(n) => Some(n),
        Op::List | Op::ListDeleted => None,
    } && !valid_name(n)
    {
        return Err(KvError::new(
            400,
            "BadParameter",
            format!("The request URI contains an invalid name: {n}"),
        ));
    }
    Ok((kind, r.0, r.1))
}

/// 1-127 letters, digits and hyphens.
fn valid_name(n: &str) -> bool {
    (1..=127).contains(&n.len()) && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A vault without RBAC authorization answers by its access policies;
/// with it, by role assignments at the vault or above.
fn authorize(
    store: &Store,
    vault: &crate::emulator::store::Row,
    caller: &Caller,
    kind: Kind,
    perm: Perm,
) -> Result<(), KvError> {
    let name = vault.id.rsplit('/').next().unwrap_or_default();
    let location = str_prop(&vault.body, &["location"])
        .or_else(|| vault.body.get("location").and_then(J::as_str))
        .unwrap_or_default();
    if prop(&vault.body, &["enableRbacAuthorization"]) == Some(&json!(true)) {
        let lower = vault.id.to_lowercase();
        let granted = store
            .of_type_everywhere(ASSIGNMENTS)
            .map_err(internal)?
            .iter()
            .any(|a| {
                let at = str_prop(&a.body, &["scope"])
                    .unwrap_or_default()
                    .trim_end_matches('/')
                    .to_lowercase();
                let covers = lower == at || lower.starts_with(&format!("{at}/"));
                let role = str_prop(&a.body, &["roleDefinitionId"])
                    .unwrap_or_default()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_lowercase();
                let grants = kind.role_grants(&role, perm);
                covers
                    && grants
                    && str_prop(&a.body, &["principalId"])
                        .is_some_and(|p| p.eq_ignore_ascii_case(caller.object_id))
            });
        return if granted {
            Ok(())
        } else {
            Err(KvError::new(
                403,
                "Forbidden",
                format!(
                    "Caller is not authorized to perform action on resource.\r\nCaller: oid={}\r\nAction: 'Microsoft.KeyVault/vaults/{}/{}'\r\nResource: '{}'\r\nAssignment: (not found)\r\nVault: {name};location={location}",
                    caller.object_id,
                    kind.live(),
                    perm.name(),
                    vault.id.to_lowercase()
                ),
            )
            .inner("ForbiddenByRbac"))
        };
    }
    let policies = prop(&vault.body, &["accessPolicies"])
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default();
    let granted = policies.iter().any(|p| {
        let is = |k: &str, v: &str| p[k].as_str().is_some_and(|x| x.eq_ignore_ascii_case(v));
        is("objectId", caller.object_id)
            && is("tenantId", caller.tenant_id)
            && p["permissions"][kind.live()].as_array().is_some_and(|xs| {
                xs.iter()
                    .filter_map(J::as_str)
                    .any(|x| x.eq_ignore_ascii_case(perm.name()) || x.eq_ignore_ascii_case("all"))
            })
    });
    if granted {
        Ok(())
    } else {
        Err(KvError::new(
            403,
            "Forbidden",
            format!(
                "The user, group or application 'oid={};tid={}' does not have {} {} permission on key vault '{name};location={location}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287",
                caller.object_id,
                caller.tenant_id,
                kind.live(),
                perm.name()
            ),
        )
        .inner("AccessDenied"))
    }
}

fn not_found(kind: Kind, name: &str) -> KvError {
    let noun = kind.noun().to_lowercase();
    KvError::new(
        404,
        kind.not_found(),
        format!(
            "A {noun} with (name/id) {name} was not found in this key vault. If you recently deleted this {noun} you may be able to recover it using the correct recovery command."
        ),
    )
}

fn deleted_not_found(kind: Kind, name: &str) -> KvError {
    KvError::new(
        404,
        kind.not_found(),
        format!("Deleted {} not found: {name}", kind.noun()),
    )
}

impl Op<'_> {
    /// The first api-version that has the operation (rotation policies
    /// came with 7.3), when a later one.
    fn since(&self) -> Option<&'static str> {
        matches!(self, Op::GetRotation(_) | Op::SetRotation(_)).then_some("7.3")
    }

    /// Runs the operation on the vault's document: status, body and
    /// whether the document changed.
    fn run(&self, c: &Ctx, doc: &mut J, body: &J) -> Result<(u16, J, bool), KvError> {
        if !doc.is_object() {
            *doc = json!({});
        }
        let entry = |doc: &J, n: &str| doc.get(n.to_lowercase()).cloned();
        match *self {
            Op::Create(n) => {
                let e = entry(doc, n);
                refuse_deleted(c, e.as_ref(), n)?;
                let key = super::key_vault_keys::new_key(body, c.sku)?;
                let release = super::key_vault_keys::release_policy(body)?;
                super::key_vault_keys::check_exportable(body, release.as_ref())?;
                let mut attrs = attributes(body, c.now, None)?;
                attrs["created"] = json!(c.now);
                if body["attributes"]["exportable"] == json!(true) {
                    attrs["exportable"] = json!(true);
                }
                let v = json!({
                    "version": new_version()?,
                    "key": key,
                    "tags": body.get("tags").cloned().unwrap_or(J::Null),
                    "attributes": attrs,
                    "release_policy": release.unwrap_or(J::Null),
                });
                let name = push_version(doc, e, n, &v);
                Ok((200, bundle(c, &name, &v, true), true))
            }
            Op::Set(n) => {
                let e = entry(doc, n);
                refuse_deleted(c, e.as_ref(), n)?;
                let Some(value) = body.get("value").and_then(J::as_str) else {
                    return Err(KvError::new(
                        400,
                        "BadParameter",
                        "Property 'value' is required and must be a string.",
                    ));
                };
                if value.len() > 25 * 1024 {
                    return Err(KvError::new(
                        400,
                        "BadParameter",
                        "The secret value exceeds the maximum of 25 KB.",
                    ));
                }
                let mut attrs = attributes(body, c.now, None)?;
                attrs["created"] = json!(c.now);
                let v = json!({
                    "version": new_version()?,
                    "value": value,
                    "contentType": body.get("contentType").cloned().unwrap_or(J::Null),
                    "tags": body.get("tags").cloned().unwrap_or(J::Null),
                    "attributes": attrs,
                });
                let name = push_version(doc, e, n, &v);
                Ok((200, bundle(c, &name, &v, true), true))
            }
            Op::Get(n, ver) => {
                let (name, v) = version_of(c.kind, doc, n, ver)?;
                Ok((200, bundle(c, &name, &v, true), false))
            }
            Op::Versions(n) => {
                let e = live(c.kind, doc, n)?;
                let name = e["name"].as_str().unwrap_or(n).to_string();
                let items: Vec<J> = e["versions"]
                    .as_array()
                    .map(|vs| vs.iter().map(|v| item(c, &name, v, true)).collect())
                    .unwrap_or_default();
                Ok((200, json!({"value": items, "nextLink": null}), false))
            }
            Op::List | Op::ListDeleted => {
                let deleted = matches!(self, Op::ListDeleted);
                let items: Vec<J> = doc
                    .as_object()
                    .map(|m| {
                        m.values()
                            .filter(|e| e["deleted"].is_null() != deleted)
                            .filter_map(|e| {
                                let name = e["name"].as_str()?;
                                let last = e["versions"].as_array()?.last()?;
                                let mut it = item(c, name, last, false);
                                if deleted {
                                    merge_deleted(c, &mut it, name, &e["deleted"]);
                                }
                                Some(it)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Ok((200, json!({"value": items, "nextLink": null}), false))
            }
            Op::Update(n, ver) => {
                let (name, _) = version_of(c.kind, doc, n, ver)?;
                let key = n.to_lowercase();
                let versions = doc[&key]["versions"]
                    .as_array_mut()
                    .ok_or_else(|| not_found(c.kind, n))?;
                let at = if ver.is_empty() {
                    versions.len().saturating_sub(1)
                } else {
                    versions
                        .iter()
                        .position(|v| {
                            v["version"]
                                .as_str()
                                .is_some_and(|x| x.eq_ignore_ascii_case(ver))
                        })
                        .ok_or_else(|| not_found(c.kind, n))?
                };
                let v = &mut versions[at];
                let attrs = attributes(body, c.now, Some(&v["attributes"]))?;
                v["attributes"] = attrs;
                if c.kind == Kind::Key {
                    if let Some(ops) = super::key_vault_keys::updated_ops(body)? {
                        v["key"]["key_ops"] = ops;
                    }
                    if let Some(p) = super::key_vault_keys::release_policy(body)? {
                        if v["release_policy"]["immutable"] == json!(true) {
                            return Err(KvError::new(
                                400,
                                "BadParameter",
                                "The key's release policy is immutable and cannot be changed.",
                            ));
                        }
                        v["release_policy"] = p;
                    }
                }
                if let Some(ct) = body.get("contentType") {
                    v["contentType"] = ct.clone();
                }
                if let Some(t) = body.get("tags") {
                    v["tags"] = t.clone();
                }
                // Key Vault answers a key's update with the key.
                let out = bundle(c, &name, v, c.kind == Kind::Key);
                Ok((200, out, true))
            }
            Op::Delete(n) => {
                let e = live(c.kind, doc, n)?;
                let (name, last) = latest(&e, n);
                let deleted =
                    json!({"deletedDate": c.now, "scheduledPurgeDate": c.now + c.days * 86400});
                doc[n.to_lowercase()]["deleted"] = deleted.clone();
                let mut out = bundle(c, &name, &last, c.kind == Kind::Key);
                merge_deleted(c, &mut out, &name, &deleted);
                Ok((200, out, true))
            }
            Op::GetDeleted(n) => {
                let e = deleted(c.kind, doc, n)?;
                let (name, last) = latest(&e, n);
                let mut out = bundle(c, &name, &last, c.kind == Kind::Key);
                merge_deleted(c, &mut out, &name, &e["deleted"]);
                Ok((200, out, false))
            }
            Op::Recover(n) => {
                let e = deleted(c.kind, doc, n)?;
                let (name, last) = latest(&e, n);
                doc[n.to_lowercase()]["deleted"] = J::Null;
                Ok((200, bundle(c, &name, &last, c.kind == Kind::Key), true))
            }
            Op::GetRotation(n) => {
                let e = live(c.kind, doc, n)?;
                let url = format!("{}keys/{}", c.uri, e["name"].as_str().unwrap_or(n));
                let kept = e.get("rotationPolicy");
                Ok((200, super::key_vault_rotation::answer(kept, &url), false))
            }
            Op::SetRotation(n) => {
                let e = live(c.kind, doc, n)?;
                let url = format!("{}keys/{}", c.uri, e["name"].as_str().unwrap_or(n));
                let kept = e.get("rotationPolicy").filter(|p| p.is_object());
                let policy = super::key_vault_rotation::checked(body, kept, c.now)?;
                doc[n.to_lowercase()]["rotationPolicy"] = policy.clone();
                Ok((
                    200,
                    super::key_vault_rotation::answer(Some(&policy), &url),
                    true,
                ))
            }
            Op::Purge(n) => {
                deleted(c.kind, doc, n)?;
                if c.protected {
                    return Err(KvError::new(
                        403,
                        "Forbidden",
                        format!("Operation \"purge\" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed. {}: {n}", c.kind.noun()),
                    )
                    .inner("ForbiddenByPolicy"));
                }
                if let Some(m) = doc.as_object_mut() {
                    m.remove(&n.to_lowercase());
                }
                Ok((204, J::Null, true))
            }
        }
    }
}

/// Key Vault's refusal of a name a soft-deleted object holds.
fn refuse_deleted(c: &Ctx, e: Option<&J>, n: &str) -> Result<(), KvError> {
    if e.is_some_and(|e| !e["deleted"].is_null()) {
        let noun = c.kind.noun();
        return Err(KvError::new(
            409,
            "Conflict",
            format!("{noun} {n} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the {} can only be recovered or purged.", noun.to_lowercase()),
        )
        .inner("ObjectIsDeletedButRecoverable"));
    }
    Ok(())
}

/// A new version's id: 32 hex digits, as Key Vault's.
fn new_version() -> Result<String, KvError> {
    Ok(crate::random::uuid_v4().map_err(internal)?.replace('-', ""))
}

/// Adds version `v` to object `n` (made when new): its name as first
/// written.
fn push_version(doc: &mut J, e: Option<J>, n: &str, v: &J) -> String {
    let mut e = e.unwrap_or_else(|| json!({"name": n, "versions": []}));
    if let Some(vs) = e["versions"].as_array_mut() {
        vs.push(v.clone());
    }
    e["deleted"] = J::Null;
    let name = e["name"].as_str().unwrap_or(n).to_string();
    doc[n.to_lowercase()] = e;
    name
}

/// An object's name as first written, and its latest version.
fn latest(e: &J, n: &str) -> (String, J) {
    let name = e["name"].as_str().unwrap_or(n).to_string();
    let last = e["versions"]
        .as_array()
        .and_then(|v| v.last())
        .cloned()
        .unwrap_or_default();
    (name, last)
}

fn live(kind: Kind, doc: &J, n: &str) -> Result<J, KvError> {
    doc.get(n.to_lowercase())
        .filter(|e| e["deleted"].is_null())
        .cloned()
        .ok_or_else(|| not_found(kind, n))
}

fn deleted(kind: Kind, doc: &J, n: &str) -> Result<J, KvError> {
    doc.get(n.to_lowercase())
        .filter(|e| !e["deleted"].is_null())
        .cloned()
        .ok_or_else(|| deleted_not_found(kind, n))
}

/// A live secret's version (`""`: the latest), with the secret's name.
fn version_of(kind: Kind, doc: &J, n: &str, ver: &str) -> Result<(String, J), KvError> {
    let e = live(kind, doc, n)?;
    let name = e["name"].as_str().unwrap_or(n).to_string();
    let vs = e["versions"].as_array().cloned().unwrap_or_default();
    let v = if ver.is_empty() {
        vs.last().cloned()
    } else {
        vs.into_iter().find(|v| {
            v["version"]
                .as_str()
                .is_some_and(|x| x.eq_ignore_ascii_case(ver))
        })
    };
    v.map(|v| (name, v)).ok_or_else(|| not_found(kind, n))
}

/// The attributes a write sets over `old`: `enabled`, `nbf`, `exp`
/// (whole seconds since the epoch), `updated` now.
fn attributes(body: &J, now: i64, old: Option<&J>) -> Result<J, KvError> {
    let mut a = old.cloned().unwrap_or_else(|| json!({"enabled": true}));
    if let Some(given) = body.get("attributes").and_then(J::as_object) {
        for k in ["nbf", "exp"] {
            match given.get(k) {
                Some(J::Null) => {
                    a[k] = J::Null;
                }
                Some(v) if v.as_i64().is_some() => a[k] = v.clone(),
                Some(_) => {
                    return Err(KvError::new(
                        400,
                        "BadParameter",
                        format!("attributes.{k} must be whole seconds since 1970-01-01T00:00:00Z."),
                    ));
                }
                None => {}
            }
        }
        if let Some(e) = given.get("enabled").and_then(J::as_bool) {
            a["enabled"] = json!(e);
        }
    }
    if let (Some(nbf), Some(exp)) = (a["nbf"].as_i64(), a["exp"].as_i64())
        && exp <= nbf
    {
        return Err(KvError::new(
            400,
            "BadParameter",
            "The expiration (exp) must be after the not-before time (nbf).",
        ));
    }
    a["updated"] = json!(now);
    Ok(a)
}

fn full_attributes(c: &Ctx, v: &J) -> J {
    let mut a = v["attributes"].clone();
    if let Some(m) = a.as_object_mut() {
        m.retain(|_, x| !x.is_null());
        m.insert(
            "recoveryLevel".into(),
            json!(if c.protected {
                "Recoverable"
            } else {
                "Recoverable+Purgeable"
            }),
        );
        m.insert("recoverableDays".into(), json!(c.days));
    }
    a
}

/// A SecretBundle (with the value when `full`), or a KeyBundle (its
/// JSON Web Key when `full`, else a KeyItem's `kid`).
fn bundle(c: &Ctx, name: &str, v: &J, full: bool) -> J {
    let id = format!(
        "{}{}/{name}/{}",
        c.uri,
        c.kind.live(),
        v["version"].as_str().unwrap_or_default()
    );
    let mut b = json!({"attributes": full_attributes(c, v)});
    match (c.kind, full) {
        (Kind::Secret, _) => b["id"] = json!(id),
        (Kind::Key, true) => {
            b["key"] = v["key"].clone();
            b["key"]["kid"] = json!(id);
            if v["release_policy"].is_object() {
                b["release_policy"] = v["release_policy"].clone();
            }
        }
        (Kind::Key, false) => b["kid"] = json!(id),
    }
    if full && c.kind == Kind::Secret {
        b["value"] = v["value"].clone();
    }
    for k in ["contentType", "tags"] {
        if !v[k].is_null() {
            b[k] = v[k].clone();
        }
    }
    b
}

/// A SecretItem or KeyItem in a list: the versionless id for the list,
/// the versioned one for an object's versions.
fn item(c: &Ctx, name: &str, v: &J, versioned: bool) -> J {
    let mut b = bundle(c, name, v, false);
    if !versioned {
        let field = match c.kind {
            Kind::Secret => "id",
            Kind::Key => "kid",
        };
        b[field] = json!(format!("{}{}/{name}", c.uri, c.kind.live()));
    }
    b
}

fn merge_deleted(c: &Ctx, out: &mut J, name: &str, d: &J) {
    out["recoveryId"] = json!(format!("{}{}/{name}", c.uri, c.kind.deleted()));
    out["deletedDate"] = d["deletedDate"].clone();
    out["scheduledPurgeDate"] = d["scheduledPurgeDate"].clone();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_refuse_bad_names_and_unknown_operations() {
        assert!(route("PUT", &["secrets", "ok-name-1"]).is_ok());
        assert!(matches!(
            route("POST", &["keys", "k", "create"]),
            Ok((Kind::Key, Op::Create("k"), Perm::Create))
        ));
        assert_eq!(
            route("PUT", &["keys", "k"]).err().map(|e| e.status),
            Some(404)
        );
        assert_eq!(
            route("PUT", &["secrets", "no_underscores"])
                .err()
                .map(|e| e.status),
            Some(400)
        );
        assert_eq!(
            route("POST", &["secrets", "x"]).err().map(|e| e.status),
            Some(404)
        );
        let policy = route("PUT", &["keys", "k", "rotationpolicy"]).map(|r| (r.1.since(), r.2));
        assert!(matches!(policy, Ok((Some("7.3"), Perm::SetRotationPolicy))));
        assert_eq!(
            route("GET", &["keys", "k"]).map(|r| r.1.since()).ok(),
            Some(None)
        );
    }

    #[test]
    fn attributes_keep_what_an_update_leaves_out_and_check_order() {
        let old = json!({"enabled": true, "exp": 2000, "created": 1});
        let a = attributes(&json!({"attributes": {"nbf": 1000}}), 5, Some(&old)).unwrap();
        assert_eq!(
            (a["nbf"].as_i64(), a["exp"].as_i64()),
            (Some(1000), Some(2000))
        );
        assert!(attributes(&json!({"attributes": {"nbf": 3000}}), 5, Some(&old)).is_err());
    }
}

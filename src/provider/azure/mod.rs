//! The Azure provider: azurerm's resource types over a real ARM REST
//! client, against Azure or the drinfra emulator (remote or embedded).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use reqwest::Method;
use serde_json::{Value as J, json};

use super::{
    ArgProblem, AttrSchema, BoxFut, ErrorKind, Planned, Provider, ProviderError, ResourceSchema,
};
use crate::lang::{Type, Value};

pub mod auth;
pub mod client;
pub mod convert;
pub mod facts;
mod frontdoor_classic;
pub mod http;
pub mod lro;
pub mod setup;
pub mod timeouts;
pub mod transport;
pub mod types;

use client::{ArmClient, AzureError};
use convert::{Arg, Kind};
use types::{Attrs, TypeDef};

pub const PROVIDER_NAME: &str = "registry.terraform.io/hashicorp/azurerm";

pub struct AzureProvider {
    pub client: Arc<ArmClient>,
    pub subscription: String,
    /// "Azure subscription ..." or "drinfra emulator at ...".
    pub cloud: String,
    /// How replicas are promoted (`Planned`: wait for replication;
    /// `Forced`: promote now); None until a failover sets it.
    pub promote_option: std::sync::Mutex<Option<super::Promotion>>,
    /// Who drinfra signs in as, for `data "azurerm_client_config"`.
    pub principal: Principal,
    /// Refuse to delete a resource group that still holds resources
    /// (azurerm's `prevent_deletion_if_contains_resources`, default true).
    pub keep_nonempty_resource_groups: bool,
}

/// The signed-in identity, as far as the configuration names it.
#[derive(Debug, Clone, Default)]
pub struct Principal {
    pub tenant_id: String,
    pub client_id: String,
}

fn err(e: AzureError) -> ProviderError {
    let kind = kind_of(&e);
    match e {
        AzureError::Api {
            code,
            message,
            status,
        } => ProviderError::Api {
            code,
            message,
            retryable: status == 429 || status >= 500,
            kind,
        },
        AzureError::OperationFailed { code, message } => ProviderError::Api {
            code,
            message,
            retryable: false,
            kind,
        },
        other => ProviderError::Api {
            code: other.code().to_string(),
            message: other.to_string(),
            retryable: false,
            kind,
        },
    }
}

/// What an ARM failure means. A region that does not answer (ARM's
/// ServiceUnavailable, GatewayTimeout, RegionUnavailable, or no connection
/// at all) is unreachable: a failover defers it.
fn kind_of(e: &AzureError) -> ErrorKind {
    let code = e.code();
    if [
        "ServiceUnavailable",
        "GatewayTimeout",
        "RegionUnavailable",
        "Transport",
    ]
    .contains(&code)
    {
        return ErrorKind::Unreachable;
    }
    match e {
        AzureError::Api { status: 429, .. } => ErrorKind::Throttled,
        AzureError::Api { status: 409, .. } => ErrorKind::Conflict,
        AzureError::Api { status: 404, .. } => ErrorKind::NotFound,
        AzureError::Api { status: 400, .. } | AzureError::ForeignPollingUrl { .. } => {
            ErrorKind::Invalid
        }
        _ => ErrorKind::Failed,
    }
}

fn attrs(v: &Value) -> Attrs {
    v.unmark().0.as_mapping().cloned().unwrap_or_default()
}

fn lookup(ty: &str) -> Result<TypeDef, ProviderError> {
    types::lookup(ty).ok_or_else(|| ProviderError::UnknownType(ty.to_string()))
}

fn str_of(a: &Attrs, k: &str) -> Option<String> {
    match a.get(k).map(|v| v.unmark().0) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Checks arguments (and nested block arguments) against the table.
fn check_args(args: &[Arg], cfg: &Attrs, prefix: &str, out: &mut Vec<ArgProblem>) {
    for k in cfg.keys() {
        if !args.iter().any(|a| a.name == k) {
            out.push(ArgProblem {
                argument: Some(format!("{prefix}{k}")),
                summary: "Unsupported argument".into(),
                detail: format!("drinfra does not support the argument {:?} here (yet); it is not silently ignored. Remove it, or manage it outside drinfra.", format!("{prefix}{k}")),
            });
        }
    }
    for a in args {
        let v = cfg.get(a.name);
        if a.read_only && v.is_some_and(|v| !v.is_null()) {
            out.push(ArgProblem {
                argument: Some(format!("{prefix}{}", a.name)),
                summary: "Value for unconfigurable attribute".into(),
                detail: format!("{:?} is computed by Azure and cannot be set.", a.name),
            });
        }
        if a.required
            && v.is_none_or(|v| {
                v.is_null()
                    || v.as_seq().is_some_and(|s| s.is_empty())
                        && matches!(a.kind, Kind::Block(_) | Kind::Blocks)
            })
        {
            out.push(ArgProblem {
                argument: None,
                summary: "Missing required argument".into(),
                detail: format!(
                    "The argument {:?} is required, but no definition was found.",
                    format!("{prefix}{}", a.name)
                ),
            });
        }
        if let Some(v) = v.filter(|v| !v.is_null()) {
            let name = format!("{prefix}{}", a.name);
            let (inner, _) = v.unmark();
            match a.kind {
                // Written as `name = {...}` where azurerm takes a block.
                Kind::Block(_) | Kind::Blocks if matches!(inner, Value::Object(_) | Value::Map(_)) => out.push(ArgProblem {
                    argument: Some(name.clone()),
                    summary: "Unsupported argument".into(),
                    detail: format!("An argument named {:?} is not expected here. Did you mean to define a block of type {:?}?", a.name, a.name),
                }),
                Kind::Block(_) | Kind::Blocks => {}
                _ => {
                    if let Err(e) = crate::lang::convert::convert(v, &convert::type_of(a)) {
                        out.push(ArgProblem { argument: Some(name.clone()), summary: "Incorrect attribute value type".into(), detail: format!("Inappropriate value for attribute {:?}: {}.", a.name, e.0.trim_end_matches('.')) });
                    }
                }
            }
        }
        if let (Kind::Block(sub), Some(v)) = (a.kind, v) {
            let blocks = v.as_seq().unwrap_or(&[]);
            if blocks.len() > 1 {
                out.push(ArgProblem {
                    argument: Some(a.name.into()),
                    summary: "Too many blocks".into(),
                    detail: format!("At most one {:?} block is allowed.", a.name),
                });
            }
            if let Some(first) = blocks.first().and_then(|b| b.as_mapping()) {
                check_args(sub, first, &format!("{prefix}{}.", a.name), out);
            }
        }
    }
}

/// Checks a resource's evaluated arguments against its table: what
/// `validate` does, without a client (for `drinfra validate`).
pub fn validate_resource(ty: &str, config: &Value) -> Vec<ArgProblem> {
    let Some(t) = types::lookup(ty) else {
        return vec![];
    };
    let mut cfg = attrs(config);
    let mut out = timeouts::check(&cfg);
    cfg.remove(timeouts::BLOCK);
    check_args(t.args, &cfg, "", &mut out);
    out
}

/// Whether drinfra can read data source `ty`.
pub fn has_data_source(ty: &str) -> bool {
    ty == "azurerm_client_config" || types::lookup(ty).is_some()
}

/// Checks a data source's evaluated arguments: the ones that identify the
/// object (what `read_data` refuses, found without a client).
pub fn validate_data(ty: &str, config: &Value) -> Vec<ArgProblem> {
    let cfg = attrs(config);
    let set = |_: &String, v: &Value| !v.is_null();
    if ty == "azurerm_client_config" {
        return cfg
            .iter()
            .filter(|(k, v)| set(k, v))
            .map(|(k, _)| ArgProblem {
                argument: Some(k.clone()),
                summary: "Unsupported argument".into(),
                detail: format!("data \"azurerm_client_config\" takes no arguments, not {k:?}."),
            })
            .collect();
    }
    let Some(t) = types::lookup(ty) else {
        return vec![];
    };
    let identity = types::id_args(&t);
    let mut out: Vec<ArgProblem> = cfg
        .iter()
        .filter(|(k, v)| set(k, v) && !identity.contains(&k.as_str()))
        .map(|(k, _)| ArgProblem { argument: Some(k.clone()), summary: "Unsupported argument".into(), detail: format!("data {ty:?} is found by {}; {k:?} is not one of its arguments (it is read, not set).", identity.join(", ")) })
        .collect();
    for k in identity {
        if cfg.get(k).is_none_or(Value::is_null) {
            out.push(ArgProblem {
                argument: None,
                summary: "Missing required argument".into(),
                detail: format!("The argument {k:?} is required, but no definition was found."),
            });
        }
    }
    out
}

impl AzureProvider {
    /// azurerm's guard against deleting what nobody declared: a resource
    /// group that still holds resources (made by hand, or by an ARM
    /// deployment) is not deleted with them.
    async fn refuse_nonempty_resource_group(&self, id: &str) -> Result<(), ProviderError> {
        let listed = self
            .client
            .get(&format!("{id}/resources"), "2021-04-01")
            .await
            .map_err(err)?;
        let left: Vec<String> = listed
            .as_ref()
            .and_then(|l| l.get("value"))
            .and_then(|v| v.as_array())
            .map(|v| {
                v.iter()
                    .filter_map(|r| r.get("id").and_then(|i| i.as_str()).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if left.is_empty() {
            return Ok(());
        }
        let name = id.rsplit('/').next().unwrap_or(id);
        Err(ProviderError::Api {
            kind: ErrorKind::Conflict,
            code: "ResourceGroupNotEmpty".into(),
            message: format!(
                "deleting Resource Group {name:?}: the Resource Group still contains Resources.\n\ndrinfra checks for Resources within a Resource Group before deleting it, as azurerm does, and refuses while nested Resources still exist, to avoid unintentionally deleting them. These still exist:\n\n{}\n\nRemove them, or turn this check off with `prevent_deletion_if_contains_resources = false` in the provider's `features {{ resource_group {{ ... }} }}` block.",
                left.iter()
                    .map(|r| format!("* `{r}`"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            retryable: false,
        })
    }

    /// The state value for an ARM body, carrying forward what Azure does
    /// not return (write-only secrets, config-only arguments).
    /// Settings that live on child resources are written after the
    /// parent: a storage account's blob service (`blobServices/default`).
    /// Takes them out of `body` and returns them.
    fn split_children(t: &TypeDef, body: &mut J) -> Option<J> {
        if t.name != "azurerm_storage_account" {
            return None;
        }
        body.as_object_mut()?.remove("blobServices")
    }

    async fn write_children(
        &self,
        t: &TypeDef,
        id: &str,
        children: Option<J>,
        got: &mut J,
    ) -> Result<(), ProviderError> {
        if let Some(blob) = children {
            let written = self
                .client
                .write(
                    Method::PUT,
                    &format!("{id}/blobServices/default"),
                    t.api,
                    &blob,
                )
                .await
                .map_err(err)?;
            got["blobServices"] = written;
        }
        Ok(())
    }

    /// Reads the child settings the recorded object manages (a bulk
    /// refresh stays bulk for accounts without `blob_properties`).
    fn has_children(t: &TypeDef, known: &Attrs) -> bool {
        t.name == "azurerm_storage_account"
            && known
                .get("blob_properties")
                .and_then(|v| v.as_seq())
                .is_some_and(|s| !s.is_empty())
    }

    async fn read_children(
        &self,
        t: &TypeDef,
        id: &str,
        known: &Attrs,
        body: &mut J,
    ) -> Result<(), ProviderError> {
        if Self::has_children(t, known) {
            match self
                .client
                .get(&format!("{id}/blobServices/default"), t.api)
                .await
            {
                Ok(Some(blob)) => body["blobServices"] = blob,
                Ok(None) => {}
                // The account is readable from anywhere (Resource Graph),
                // its blob service only from its region: while that region
                // is out, keep what was recorded rather than fail the plan.
                Err(
                    AzureError::Api {
                        status: 503 | 504, ..
                    }
                    | AzureError::Transport { .. }
                    | AzureError::Timeout(_),
                ) => {
                    let mut recorded = json!({});
                    convert::write_args(
                        t.args
                            .iter()
                            .filter(|a| a.name == "blob_properties")
                            .cloned()
                            .collect::<Vec<_>>()
                            .as_slice(),
                        known,
                        &mut recorded,
                        true,
                    );
                    if let Some(to_body) = t.to_body {
                        to_body(known, &mut recorded);
                    }
                    body["blobServices"] = recorded["blobServices"].take();
                }
                Err(e) => return Err(err(e)),
            }
        }
        Ok(())
    }

    fn state_from(&self, t: &TypeDef, body: &J, known: &Attrs) -> Value {
        let mut out = BTreeMap::new();
        convert::read_args(t.args, body, &mut out);
        if let Some(f) = t.from_body {
            f(body, &mut out);
        }
        for a in t.args {
            let carried = known.get(a.name).cloned();
            if a.path.is_empty() || a.write_only || a.create_only {
                // What the type's own mapping read from Azure (a storage
                // account's tier from its sku) wins; otherwise the value
                // is carried, since ARM does not return it.
                let read = a.path.is_empty() && out.get(a.name).is_some_and(|v| !v.is_null());
                if !read {
                    out.insert(a.name.to_string(), carried.clone().unwrap_or(Value::Null));
                }
            }
            // Write-only values inside a nested block.
            if let (Kind::Block(sub), Some(prior)) = (a.kind, carried.as_ref()) {
                let prior_block = prior
                    .as_seq()
                    .and_then(|s| s.first())
                    .and_then(|b| b.as_mapping())
                    .cloned()
                    .unwrap_or_default();
                if let Some(Value::List(blocks)) = out.get_mut(a.name)
                    && let Some(Value::Object(m)) = blocks.first_mut()
                {
                    for s in sub.iter().filter(|s| s.write_only) {
                        m.insert(
                            s.name.to_string(),
                            prior_block.get(s.name).cloned().unwrap_or(Value::Null),
                        );
                    }
                }
            }
            // Keep the configured spelling of case-insensitive values.
            if a.conv == convert::Conv::CaseInsensitive
                && let (Some(c), Some(r)) = (carried.as_ref(), out.get(a.name))
                && convert::same(a, c, r)
            {
                out.insert(a.name.to_string(), c.clone());
            }
            if a.sensitive
                && let Some(v) = out.remove(a.name)
            {
                out.insert(
                    a.name.to_string(),
                    if v.is_null() { v } else { v.sensitive() },
                );
            }
        }
        if out.get("name").is_none_or(Value::is_null)
            && let Some(n) = body["name"].as_str()
        {
            out.insert("name".into(), Value::String(n.into()));
        }
        out.insert(
            "id".into(),
            body["id"]
                .as_str()
                .map(|s| Value::String(s.into()))
                .unwrap_or(Value::Null),
        );
        if let Some(limits) = known.get(timeouts::BLOCK) {
            out.insert(timeouts::BLOCK.into(), limits.clone());
        }
        Value::Object(out)
    }

    /// The ARM body for the planned arguments, over `base` (the current
    /// body on update, so unmanaged fields are kept).
    fn body_for(
        &self,
        t: &TypeDef,
        planned: &Attrs,
        base: J,
        creating: bool,
    ) -> Result<(String, J), ProviderError> {
        let id = match str_of(planned, "id") {
            Some(id) => id,
            None => types::build_id(t, planned, &self.subscription)
                .map_err(|e| ProviderError::Invalid(e.to_string()))?,
        };
        let mut body = base;
        if !body.is_object() {
            body = json!({});
        }
        for (path, lit) in t.fixed {
            if let Ok(v) = serde_json::from_str::<J>(lit) {
                convert::set_path(&mut body, path, v);
            }
        }
        body["id"] = J::String(id.clone());
        convert::write_args(t.args, planned, &mut body, creating);
        if let Some(f) = t.to_body {
            f(planned, &mut body);
        }
        // Never send provisioning state back.
        if let Some(p) = body.get_mut("properties").and_then(J::as_object_mut) {
            p.remove("provisioningState");
        }
        Ok((id, body))
    }

    /// Replaces a pool whose size changes: a temporary pool takes the
    /// load, the old pool is drained and deleted, the pool comes back with
    /// the new settings, and the temporary one goes.
    async fn rotate_pool(
        &self,
        cluster_id: &str,
        name: &str,
        temp: &str,
        new_pool: &J,
        api: &str,
    ) -> Result<(), AzureError> {
        let pools = format!("{cluster_id}/agentPools");
        let mut temp_body = new_pool.clone();
        convert::set_path(&mut temp_body, "properties.mode", json!("System"));
        self.client
            .write(Method::PUT, &format!("{pools}/{temp}"), api, &temp_body)
            .await?;
        self.client.delete(&format!("{pools}/{name}"), api).await?;
        self.client
            .write(Method::PUT, &format!("{pools}/{name}"), api, new_pool)
            .await?;
        self.client.delete(&format!("{pools}/{temp}"), api).await?;
        Ok(())
    }
}

fn w_str(v: Option<&Value>) -> Option<&str> {
    match v.map(|v| v.unmark().0) {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    }
}

fn pool_temp_name(a: &Attrs, name: &str) -> String {
    str_of(a, "temporary_name_for_rotation")
        .unwrap_or_else(|| format!("{}rot", name.chars().take(9).collect::<String>()))
}

impl Provider for AzureProvider {
    fn name(&self) -> &'static str {
        PROVIDER_NAME
    }

    fn handles(&self, ty: &str) -> bool {
        types::lookup(ty).is_some() || ty == "azurerm_client_config"
    }

    fn schema(&self, ty: &str) -> Option<ResourceSchema> {
        let t = types::lookup(ty)?;
        let mut attrs = BTreeMap::new();
        attrs.insert(
            "id",
            AttrSchema {
                computed: true,
                ..AttrSchema::default()
            },
        );
        for a in t.args {
            attrs.insert(
                a.name,
                AttrSchema {
                    required: a.required,
                    optional: !a.required && !a.read_only,
                    computed: a.computed,
                    force_new: a.force_new,
                    sensitive: a.sensitive,
                },
            );
        }
        Some(ResourceSchema { attrs })
    }

    fn validate(&self, ty: &str, config: &Value) -> Vec<ArgProblem> {
        validate_resource(ty, config)
    }

    fn plan(
        &self,
        ty: &str,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<Planned, ProviderError> {
        let t = lookup(ty)?;
        let cfg = attrs(config);
        let mut notes = Vec::new();
        let Some(prior) = prior else {
            let mut out = BTreeMap::new();
            for a in t.args {
                let v = cfg.get(a.name).filter(|v| !v.is_null());
                let planned = match v {
                    Some(v) if !a.read_only => convert::normalize(a, v),
                    _ if a.computed => Value::Unknown(convert::type_of(a)),
                    _ if matches!(a.kind, Kind::Block(_) | Kind::Blocks) => Value::List(vec![]),
                    _ => Value::Null,
                };
                out.insert(a.name.to_string(), planned);
            }
            let id = types::build_id(&t, &cfg, &self.subscription)
                .map(Value::String)
                .unwrap_or(Value::Unknown(Type::String));
            out.insert("id".into(), id);
            if let Some(limits) = cfg.get(timeouts::BLOCK) {
                out.insert(timeouts::BLOCK.into(), limits.clone());
            }
            return Ok(Planned {
                value: Value::Object(out),
                replace_paths: vec![],
                notes,
            });
        };
        let old = attrs(prior);
        let mut out = old.clone();
        let mut replace = Vec::new();
        for a in t.args {
            if a.read_only || a.create_only {
                continue;
            }
            let want = cfg.get(a.name).filter(|v| !v.is_null());
            let have = old.get(a.name).cloned().unwrap_or(Value::Null);
            // A primary that has replicas reports role Primary: to "None"
            // (not a replica) it is already what the configuration asks.
            let primary_already = a.name == "replication_role"
                && matches!(
                    (w_str(want), w_str(Some(&have))),
                    (Some("None"), Some("Primary"))
                );
            match want {
                Some(_) if primary_already => {}
                Some(w) => {
                    if !convert::same(a, w, &have) {
                        out.insert(a.name.to_string(), convert::normalize(a, w));
                        if a.force_new {
                            replace.push(vec![a.name.to_string()]);
                        }
                    }
                }
                None if a.computed => {}
                None => {
                    let empty = have.is_null()
                        || have.as_seq().is_some_and(|s| s.is_empty())
                        || have.as_mapping().is_some_and(|m| m.is_empty());
                    if !empty {
                        out.insert(
                            a.name.to_string(),
                            if matches!(a.kind, Kind::Block(_) | Kind::Blocks) {
                                Value::List(vec![])
                            } else {
                                Value::Null
                            },
                        );
                        if a.force_new {
                            replace.push(vec![a.name.to_string()]);
                        }
                    }
                }
            }
        }
        // A standalone server the configuration now wants as a replica must
        // be re-seeded from its source: a replacement (failback does this).
        if ty == "azurerm_postgresql_flexible_server" {
            // (replication_role = "None" in the configuration means "keep it
            // standalone": create_mode is then only history.)
            let wants_replica = w_str(cfg.get("create_mode")) == Some("Replica")
                && w_str(cfg.get("source_server_id")).is_some()
                && w_str(cfg.get("replication_role")) != Some("None");
            let standalone = matches!(
                w_str(old.get("replication_role")),
                Some("None") | Some("Primary") | None
            );
            if wants_replica && standalone {
                let fresh = self.plan(ty, None, config)?;
                return Ok(Planned { value: fresh.value, replace_paths: vec![vec!["create_mode".into()]], notes: vec!["re-seeds this standalone server as a replica of its source: its current data is replaced by the source's".into()] });
            }
        }
        // Changes that azurerm turns into rebuilds, done in place here.
        let pool_size = |v: &Value| -> Option<String> {
            match v.unmark().0 {
                Value::Object(m) => match m.get("vm_size").map(|x| x.unmark().0) {
                    Some(Value::String(s)) => Some(s.clone()),
                    _ => None,
                },
                Value::List(xs) | Value::Tuple(xs) => xs
                    .first()
                    .and_then(|b| b.as_mapping())
                    .and_then(|m| m.get("vm_size"))
                    .and_then(|x| match x.unmark().0 {
                        Value::String(s) => Some(s.clone()),
                        _ => None,
                    }),
                _ => None,
            }
        };
        match ty {
            "azurerm_kubernetes_cluster_node_pool"
                if pool_size(&Value::Object(old.clone()))
                    != pool_size(&Value::Object(out.clone())) =>
            {
                notes.push("vm_size changes by node pool rotation: a temporary pool is added, this pool is drained and deleted, then recreated with the new size; the cluster is not rebuilt".into());
            }
            "azurerm_kubernetes_cluster"
                if pool_size(old.get("default_node_pool").unwrap_or(&Value::Null))
                    != pool_size(out.get("default_node_pool").unwrap_or(&Value::Null)) =>
            {
                notes.push("default_node_pool.vm_size changes by node pool rotation (temporary pool, drain, delete, recreate); the cluster is not rebuilt".into());
            }
            "azurerm_postgresql_flexible_server" => {
                let was = str_of(&old, "replication_role").unwrap_or_default();
                if was.to_lowercase().contains("replica")
                    && str_of(&out, "replication_role").as_deref() == Some("None")
                {
                    notes.push("promotes the read replica to a standalone primary (planned: waits for replication to catch up); create_mode and source_server_id are kept as history, not a replacement".into());
                }
            }
            _ => {}
        }
        if !replace.is_empty() {
            // The replacement is a new object: planned as a create.
            let fresh = self.plan(ty, None, config)?;
            return Ok(Planned {
                value: fresh.value,
                replace_paths: replace,
                notes: vec![],
            });
        }
        match cfg.get(timeouts::BLOCK) {
            Some(limits) => out.insert(timeouts::BLOCK.into(), limits.clone()),
            None => out.remove(timeouts::BLOCK),
        };
        Ok(Planned {
            value: Value::Object(out),
            replace_paths: replace,
            notes,
        })
    }

    fn read<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(timeouts::within(
            timeouts::of(current, "read"),
            "read",
            async move {
                let t = lookup(ty)?;
                let known = attrs(current);
                let Some(id) = str_of(&known, "id") else {
                    return Ok(None);
                };
                match self.client.get(&id, t.api).await.map_err(err)? {
                    Some(mut body) => {
                        self.read_children(&t, &id, &known, &mut body).await?;
                        Ok(Some(self.state_from(&t, &body, &known)))
                    }
                    None => Ok(None),
                }
            },
        ))
    }

    fn read_many<'a>(
        &'a self,
        items: &'a [(String, Value)],
    ) -> BoxFut<'a, Vec<Result<Option<Value>, ProviderError>>> {
        Box::pin(async move {
            // One Resource Graph query per 200 ids; a direct GET only for
            // what the graph did not return (not indexed, or deleted).
            let ids: Vec<Option<String>> =
                items.iter().map(|(_, v)| str_of(&attrs(v), "id")).collect();
            let mut found: BTreeMap<String, J> = BTreeMap::new();
            let wanted: Vec<&String> = ids.iter().flatten().collect();
            for chunk in wanted.chunks(200) {
                let list = chunk
                    .iter()
                    .map(|id| format!("'{}'", id.replace('\'', "")))
                    .collect::<Vec<_>>()
                    .join(", ");
                let query = format!(
                    "Resources | where id in~ ({list}) | project id, name, type, location, tags, sku, kind, zones, identity, properties"
                );
                match self
                    .client
                    .graph(std::slice::from_ref(&self.subscription), &query)
                    .await
                {
                    Ok(rows) => {
                        for r in rows {
                            if let Some(id) = r["id"].as_str() {
                                found.insert(id.to_lowercase(), r);
                            }
                        }
                    }
                    Err(_) => break, // fall back to GETs below
                }
            }
            let mut out = Vec::with_capacity(items.len());
            for ((ty, current), id) in items.iter().zip(&ids) {
                let res = match (lookup(ty), id) {
                    (Err(e), _) => Err(e),
                    (Ok(_), None) => Ok(None),
                    (Ok(t), Some(id)) => match found.get(&id.to_lowercase()) {
                        Some(row) => {
                            let known = attrs(current);
                            // Only an object with child settings needs its own copy.
                            if Self::has_children(&t, &known) {
                                let mut row = row.clone();
                                self.read_children(&t, id, &known, &mut row)
                                    .await
                                    .map(|()| Some(self.state_from(&t, &row, &known)))
                            } else {
                                Ok(Some(self.state_from(&t, row, &known)))
                            }
                        }
                        None => self.read(ty, current).await,
                    },
                };
                out.push(res);
            }
            out
        })
    }

    fn create_intent(
        &self,
        ty: &str,
        planned: &Value,
    ) -> Option<crate::provider::PendingOperation> {
        let t = types::lookup(ty)?;
        let a = attrs(planned);
        let id = str_of(&a, "id").or_else(|| types::build_id(&t, &a, &self.subscription).ok())?;
        Some(crate::provider::PendingOperation {
            provider: PROVIDER_NAME.into(),
            address: None,
            id,
            method: "PUT".into(),
            style: lro::CREATE_INTENT.into(),
            url: String::new(),
            api_version: t.api.into(),
            started: crate::timefmt::now(),
        })
    }

    fn create<'a>(
        &'a self,
        ty: &'a str,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(timeouts::within(
            timeouts::of(planned, "create"),
            "create",
            async move {
                let t = lookup(ty)?;
                let a = attrs(planned);
                let (id, mut body) = self.body_for(&t, &a, json!({}), true)?;
                // As azurerm: never create over an object state does not
                // record, unless an interrupted run of this stack was creating it.
                if !self.client.operations.take_intent(&id)
                    && self.client.get(&id, t.api).await.map_err(err)?.is_some()
                {
                    return Err(ProviderError::AlreadyExists {
                        ty: ty.to_string(),
                        id,
                    });
                }
                let children = Self::split_children(&t, &mut body);
                let mut got = self
                    .client
                    .write(Method::PUT, &id, t.api, &body)
                    .await
                    .map_err(err)?;
                self.write_children(&t, &id, children, &mut got).await?;
                Ok(self.state_from(&t, &got, &a))
            },
        ))
    }

    fn site_failover<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
        away: bool,
        planned: bool,
    ) -> BoxFut<'a, Result<Option<String>, ProviderError>> {
        Box::pin(async move {
            if ty != "azurerm_storage_account" {
                return Err(ProviderError::Invalid(format!(
                    "{ty} has no failover action; only azurerm_storage_account does"
                )));
            }
            let t = lookup(ty)?;
            let id = str_of(&attrs(current), "id")
                .ok_or_else(|| ProviderError::Invalid("the recorded object has no id".into()))?;
            let now = self
                .client
                .get(&id, t.api)
                .await
                .map_err(err)?
                .ok_or_else(|| {
                    ProviderError::api(
                        ErrorKind::NotFound,
                        "ResourceNotFound",
                        format!("{id} no longer exists"),
                    )
                })?;
            let home = now
                .get("location")
                .and_then(J::as_str)
                .unwrap_or_default()
                .to_lowercase();
            let primary = now
                .pointer("/properties/primaryLocation")
                .and_then(J::as_str)
                .unwrap_or(&home)
                .to_lowercase();
            let secondary = now
                .pointer("/properties/secondaryLocation")
                .and_then(J::as_str)
                .map(str::to_lowercase);
            if (primary != home) == away {
                return Ok(None);
            }
            let Some(secondary) = secondary else {
                return Err(ProviderError::Api {
                    kind: ErrorKind::Invalid,
                    code: "FailoverNotSupported".into(),
                    message: format!(
                        "{id} has no secondary region (not geo-redundant now); re-enable GRS with an apply first"
                    ),
                    retryable: false,
                });
            };
            // Unplanned is Azure's default; planned keeps geo-redundancy.
            let query = if planned { "failoverType=Planned" } else { "" };
            self.client
                .action(&id, "failover", t.api, query, &json!({}))
                .await
                .map_err(err)?;
            Ok(Some(format!(
                "{} failover {primary} -> {secondary}",
                if planned { "planned" } else { "unplanned" }
            )))
        })
    }

    fn update<'a>(
        &'a self,
        ty: &'a str,
        prior: &'a Value,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(timeouts::within(
            timeouts::of(planned, "update"),
            "update",
            async move {
                let t = lookup(ty)?;
                let old = attrs(prior);
                let a = attrs(planned);
                let id = str_of(&old, "id").ok_or_else(|| {
                    ProviderError::Invalid("the recorded object has no id".into())
                })?;
                // PostgreSQL replica promotion is a PATCH, never a rebuild.
                if ty == "azurerm_postgresql_flexible_server" {
                    let was = str_of(&old, "replication_role")
                        .unwrap_or_default()
                        .to_lowercase();
                    if was.contains("replica")
                        && str_of(&a, "replication_role").as_deref() == Some("None")
                    {
                        // Never set: no option (Azure's default).
                        let option = self
                            .promote_option
                            .lock()
                            .map(|o| o.map_or("", super::Promotion::as_str))
                            .unwrap_or("Planned");
                        let patch = json!({"properties": {"replica": {"promoteMode": "Standalone", "promoteOption": option}}});
                        self.client
                            .write(Method::PATCH, &id, t.api, &patch)
                            .await
                            .map_err(err)?;
                    }
                }
                let current = self
                    .client
                    .get(&id, t.api)
                    .await
                    .map_err(err)?
                    .ok_or_else(|| {
                        ProviderError::api(
                            ErrorKind::NotFound,
                            "ResourceNotFound",
                            format!("{id} no longer exists"),
                        )
                    })?;
                let mut merged = a.clone();
                merged.insert("id".into(), Value::String(id.clone()));
                // Do not re-send a promotion as a role the server no longer has.
                if ty == "azurerm_postgresql_flexible_server" {
                    merged.remove("replication_role");
                }
                let (_, mut body) = self.body_for(&t, &merged, current.clone(), false)?;
                let children = Self::split_children(&t, &mut body);
                // Arguments the configuration removed are cleared, not kept.
                for arg in t.args.iter().filter(|x| {
                    !x.path.is_empty()
                        && !x.read_only
                        && !x.create_only
                        && !matches!(x.kind, Kind::Block(_) | Kind::Blocks)
                }) {
                    let now_null = a.get(arg.name).is_none_or(Value::is_null);
                    let was_set = old.get(arg.name).is_some_and(|v| !v.is_null());
                    if now_null && was_set && !arg.computed {
                        convert::set_path(&mut body, arg.path, J::Null);
                    }
                }
                match ty {
                    "azurerm_kubernetes_cluster" => {
                        let old_pool = old
                            .get("default_node_pool")
                            .and_then(|v| v.as_seq())
                            .and_then(|s| s.first())
                            .and_then(|b| b.as_mapping())
                            .cloned()
                            .unwrap_or_default();
                        let new_pool = a
                            .get("default_node_pool")
                            .and_then(|v| v.as_seq())
                            .and_then(|s| s.first())
                            .and_then(|b| b.as_mapping())
                            .cloned()
                            .unwrap_or_default();
                        let mut cluster_body = body.clone();
                        // Keep the pool list as it is; pools change through agentPools.
                        convert::set_path(
                            &mut cluster_body,
                            "properties.agentPoolProfiles",
                            current["properties"]["agentPoolProfiles"].clone(),
                        );
                        if cluster_body["properties"]["agentPoolProfiles"].is_null() {
                            cluster_body["properties"]
                                .as_object_mut()
                                .map(|p| p.remove("agentPoolProfiles"));
                        }
                        self.client
                            .write(Method::PUT, &id, t.api, &cluster_body)
                            .await
                            .map_err(err)?;
                        if old_pool != new_pool {
                            let name = str_of(&new_pool, "name").unwrap_or_else(|| "system".into());
                            let mut pool_body = json!({"properties": body["properties"]["agentPoolProfiles"][0].clone()});
                            pool_body["properties"]
                                .as_object_mut()
                                .map(|p| p.remove("name"));
                            if str_of(&old_pool, "vm_size") != str_of(&new_pool, "vm_size") {
                                self.rotate_pool(
                                    &id,
                                    &name,
                                    &pool_temp_name(&new_pool, &name),
                                    &pool_body,
                                    t.api,
                                )
                                .await
                                .map_err(err)?;
                            } else {
                                self.client
                                    .write(
                                        Method::PUT,
                                        &format!("{id}/agentPools/{name}"),
                                        t.api,
                                        &pool_body,
                                    )
                                    .await
                                    .map_err(err)?;
                            }
                        }
                    }
                    "azurerm_kubernetes_cluster_node_pool"
                        if str_of(&old, "vm_size") != str_of(&a, "vm_size") =>
                    {
                        let cluster = str_of(&a, "kubernetes_cluster_id").unwrap_or_default();
                        let name = str_of(&a, "name").unwrap_or_default();
                        let mut pool_body = body.clone();
                        pool_body.as_object_mut().map(|m| m.remove("id"));
                        self.rotate_pool(
                            &cluster,
                            &name,
                            &pool_temp_name(&a, &name),
                            &pool_body,
                            t.api,
                        )
                        .await
                        .map_err(err)?;
                    }
                    _ => {
                        self.client
                            .write(Method::PUT, &id, t.api, &body)
                            .await
                            .map_err(err)?;
                    }
                }
                let mut got = self
                    .client
                    .get(&id, t.api)
                    .await
                    .map_err(err)?
                    .ok_or_else(|| {
                        ProviderError::Invalid(format!("{id} disappeared after the update"))
                    })?;
                self.write_children(&t, &id, children, &mut got).await?;
                Ok(self.state_from(&t, &got, &a))
            },
        ))
    }

    fn delete<'a>(
        &'a self,
        ty: &'a str,
        prior: &'a Value,
    ) -> BoxFut<'a, Result<(), ProviderError>> {
        Box::pin(timeouts::within(
            timeouts::of(prior, "delete"),
            "delete",
            async move {
                let t = lookup(ty)?;
                let Some(id) = str_of(&attrs(prior), "id") else {
                    return Ok(());
                };
                if ty == "azurerm_resource_group" && self.keep_nonempty_resource_groups {
                    self.refuse_nonempty_resource_group(&id).await?;
                }
                self.client.delete(&id, t.api).await.map_err(err)
            },
        ))
    }

    fn set_promotion(&self, promotion: super::Promotion) {
        if let Ok(mut o) = self.promote_option.lock() {
            *o = Some(promotion);
        }
    }

    fn import_stub(&self, ty: &str, id: &str) -> Value {
        match types::lookup(ty) {
            Some(t) => Value::Object(types::attrs_from_id(&t, id)),
            None => Value::Object([("id".to_string(), Value::String(id.to_string()))].into()),
        }
    }

    fn nested_under(&self, child: &Value, parent: &Value) -> bool {
        match (str_of(&attrs(child), "id"), str_of(&attrs(parent), "id")) {
            (Some(c), Some(p)) => c
                .to_lowercase()
                .starts_with(&format!("{}/", p.to_lowercase())),
            _ => false,
        }
    }

    fn describe(&self) -> String {
        self.cloud.clone()
    }

    fn request_counts(&self) -> Option<(u64, u64)> {
        Some((
            self.client.stats.requests.load(Ordering::Relaxed),
            self.client.stats.throttled.load(Ordering::Relaxed),
        ))
    }

    fn read_data<'a>(
        &'a self,
        ty: &'a str,
        config: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            let cfg = attrs(config);
            if ty == "azurerm_client_config" {
                if let Some(k) = cfg.keys().next() {
                    return Err(ProviderError::Invalid(format!(
                        "data \"azurerm_client_config\" takes no arguments, not {k:?}"
                    )));
                }
                let s = |v: &str| Value::String(v.to_string());
                return Ok(Value::Object(BTreeMap::from([
                    (
                        "id".to_string(),
                        s(&format!(
                            "clientConfigs/clientId={};objectId=;subscriptionId={};tenantId={}",
                            self.principal.client_id, self.subscription, self.principal.tenant_id
                        )),
                    ),
                    ("subscription_id".to_string(), s(&self.subscription)),
                    ("tenant_id".to_string(), s(&self.principal.tenant_id)),
                    ("client_id".to_string(), s(&self.principal.client_id)),
                    // Needs Microsoft Graph, which drinfra does not call.
                    ("object_id".to_string(), s("")),
                ])));
            }
            let t = types::lookup(ty).ok_or_else(|| ProviderError::UnknownType(ty.to_string()))?;
            let identity = types::id_args(&t);
            if let Some(k) = cfg
                .iter()
                .find(|(k, v)| !identity.contains(&k.as_str()) && !v.is_null())
                .map(|(k, _)| k)
            {
                return Err(ProviderError::Invalid(format!(
                    "data {ty:?} is found by {}; {k:?} is not one of its arguments (it is read, not set)",
                    identity.join(", ")
                )));
            }
            let id = types::build_id(&t, &cfg, &self.subscription)
                .map_err(|e| ProviderError::Invalid(e.to_string()))?;
            match self.client.get(&id, t.api).await.map_err(err)? {
                Some(body) => Ok(self.state_from(&t, &body, &cfg)),
                None => Err(ProviderError::api(
                    ErrorKind::NotFound,
                    "ResourceNotFound",
                    format!("{id} does not exist"),
                )),
            }
        })
    }

    fn replication_lag<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Option<f64>, ProviderError>> {
        Box::pin(async move {
            let a = attrs(current);
            let replica = str_of(&a, "replication_role")
                .is_some_and(|r| r.to_lowercase().contains("replica"));
            let (Some(id), true) = (
                str_of(&a, "id"),
                ty == "azurerm_postgresql_flexible_server" && replica,
            ) else {
                return Ok(None);
            };
            // Azure Monitor's "Read Replica Lag", the last minute's maximum.
            let path = format!(
                "{id}/providers/Microsoft.Insights/metrics?metricnames=physical_replication_delay_in_seconds&aggregation=Maximum&interval=PT1M&timespan=PT5M"
            );
            let body = self.client.get(&path, "2023-10-01").await.map_err(err)?;
            Ok(body.and_then(|b| {
                b.pointer("/value/0/timeseries/0/data")
                    .and_then(J::as_array)
                    .and_then(|points| points.iter().rev().find_map(|p| p["maximum"].as_f64()))
            }))
        })
    }

    fn in_flight(&self) -> Vec<crate::provider::PendingOperation> {
        self.client.operations.running()
    }

    fn resume(&self, operations: Vec<crate::provider::PendingOperation>) {
        self.client.operations.load(operations);
    }

    fn unresumed(&self) -> Vec<crate::provider::PendingOperation> {
        self.client.operations.unresumed()
    }
}

#[cfg(test)]
mod error_kinds {
    use super::*;

    #[test]
    fn arm_failures_map_to_kinds() {
        let api = |status: u16, code: &str| AzureError::Api {
            status,
            code: code.into(),
            message: "m".into(),
        };
        let kind = |e: AzureError| err(e).kind();
        assert_eq!(kind(api(503, "ServiceUnavailable")), ErrorKind::Unreachable);
        assert_eq!(kind(api(504, "GatewayTimeout")), ErrorKind::Unreachable);
        assert_eq!(
            kind(AzureError::OperationFailed {
                code: "RegionUnavailable".into(),
                message: "m".into()
            }),
            ErrorKind::Unreachable
        );
        assert_eq!(
            kind(AzureError::Transport {
                url: "u".into(),
                message: "refused".into()
            }),
            ErrorKind::Unreachable
        );
        assert_eq!(kind(api(429, "TooManyRequests")), ErrorKind::Throttled);
        assert_eq!(kind(api(409, "Conflict")), ErrorKind::Conflict);
        assert_eq!(kind(api(404, "ResourceNotFound")), ErrorKind::NotFound);
        assert_eq!(kind(api(400, "InvalidParameter")), ErrorKind::Invalid);
        assert_eq!(kind(api(500, "InternalServerError")), ErrorKind::Failed);
        assert!(matches!(
            err(api(500, "InternalServerError")),
            ProviderError::Api {
                retryable: true,
                ..
            }
        ));
        assert_eq!(
            ProviderError::UnknownType("x".into()).kind(),
            ErrorKind::Unsupported
        );
    }
}

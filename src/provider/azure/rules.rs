//! Validation and plan rules: arguments against the type table, what a
//! change replaces, rotations and promotions planned.

use std::collections::BTreeMap;

use super::common::{AzureProvider, attrs, lookup, str_of, w_str};
use super::convert::{self, Arg, Kind};
use super::typedef::{self, Attrs};
use super::{renames, timeouts, types};
use crate::lang::{Type, Value};
use crate::provider::{ArgProblem, AttrSchema, Planned, Provider, ProviderError, ResourceSchema};

/// Checks arguments (and nested block arguments) against the table.
pub(super) fn check_args(args: &[Arg], cfg: &Attrs, prefix: &str, out: &mut Vec<ArgProblem>) {
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
                v.is_null() || v.as_seq().is_some_and(|s| s.is_empty()) && a.kind.is_block()
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
                k if k.is_block() && matches!(inner, Value::Object(_) | Value::Map(_)) => out.push(ArgProblem {
                    argument: Some(name.clone()),
                    summary: "Unsupported argument".into(),
                    detail: format!("An argument named {:?} is not expected here. Did you mean to define a block of type {:?}?", a.name, a.name),
                }),
                k if k.is_block() => {}
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
        if let (Kind::BlockList(sub), Some(v)) = (a.kind, v) {
            for b in v
                .as_seq()
                .unwrap_or(&[])
                .iter()
                .filter_map(|b| b.as_mapping())
            {
                check_args(sub, b, &format!("{prefix}{}.", a.name), out);
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
    let found = renames::apply(ty, &mut cfg);
    let mut out = timeouts::check(&cfg);
    out.extend(renames::conflicts(&found));
    cfg.remove(timeouts::BLOCK);
    check_args(t.args, &cfg, "", &mut out);
    super::removed::explain(ty, &mut out);
    out.extend(types::check_extra(ty, &cfg));
    out
}

impl AzureProvider {
    pub(super) fn schema_of(&self, ty: &str) -> Option<ResourceSchema> {
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

    pub(super) fn plan_change(
        &self,
        ty: &str,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<Planned, ProviderError> {
        let t = lookup(ty)?;
        let mut cfg = attrs(config);
        renames::apply(ty, &mut cfg);
        with_defaults(&t, &mut cfg);
        let mut notes = Vec::new();
        let Some(prior) = prior else {
            let mut out = BTreeMap::new();
            for a in t.args {
                let v = cfg.get(a.name).filter(|v| !v.is_null());
                let planned = match v {
                    Some(v) if !a.read_only => convert::planned(a, v),
                    _ if a.computed => Value::Unknown(convert::type_of(a)),
                    _ if a.kind.is_block() => Value::List(vec![]),
                    _ => Value::Null,
                };
                out.insert(a.name.to_string(), planned);
            }
            let id = typedef::build_id(&t, &cfg, &self.subscription)
                .map(Value::String)
                .unwrap_or(Value::Unknown(Type::String));
            out.insert("id".into(), id);
            if let Some(limits) = cfg.get(timeouts::BLOCK) {
                out.insert(timeouts::BLOCK.into(), limits.clone());
            }
            types::private_endpoint::settle_plan(ty, None, &mut out);
            if ty == "azurerm_postgresql_flexible_server"
                && w_str(cfg.get("create_mode")) == Some("PointInTimeRestore")
            {
                notes.push(point_in_time_restore(&cfg)?);
                // The source's restore window, on the cloud's clock, when
                // this run has read the source (it is in the state).
                if let (Some(source), Some(at)) = (
                    w_str(cfg.get("source_server_id")),
                    w_str(cfg.get("point_in_time_restore_time_in_utc"))
                        .and_then(crate::timefmt::parse_rfc3339),
                ) && let Some(why) = self.backups.refusal(source, at as f64, self.seen_time())
                {
                    return Err(ProviderError::Invalid(format!(
                        "point_in_time_restore_time_in_utc: {why}"
                    )));
                }
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
            // A write-only value is sent again only when its version
            // argument changes (state never holds it).
            if !a.wo_version.is_empty() {
                let resend = cfg
                    .get(a.wo_version)
                    .is_some_and(|c| !c.is_null() && old.get(a.wo_version) != Some(c));
                let v = cfg.get(a.name).filter(|_| resend).cloned();
                out.insert(a.name.to_string(), v.unwrap_or(Value::Null));
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
                        out.insert(a.name.to_string(), convert::planned(a, w));
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
                            if a.kind.is_block() {
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
        // A force-new argument inside a block replaces the object too.
        replace.extend(super::nested_replace::paths(ty, t.args, &old, &cfg));
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
        // A virtual endpoint whose pair swapped: what a planned switchover
        // does in the cloud (it moves the endpoint), not a new endpoint.
        if ty == super::virtual_endpoint::TYPE && super::virtual_endpoint::swapped(&old, &out) {
            replace.retain(|p| p.first().map(String::as_str) != Some("source_server_id"));
            notes.push("follows the switchover: Azure moves the endpoint to the new primary (its writer host name then reaches it) when the replica is promoted with a planned switchover; drinfra checks the move and sends nothing more".into());
        }
        if ty == super::types::key_vault_secret::TYPE {
            super::key_vault_secret::plan_update(&old, &mut out);
        }
        if ty == super::types::key_vault_key::TYPE {
            super::key_vault_key_policies::settle_plan(&cfg, &old, &mut out, &mut replace);
        }
        types::private_endpoint::settle_plan(ty, Some(&old), &mut out);
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
}

/// azurerm's defaults for the optional arguments the configuration leaves
/// out: planned, sent and held against drift as if written.
fn with_defaults(t: &typedef::TypeDef, cfg: &mut Attrs) {
    args_with_defaults(t.args, cfg);
}

/// Fills `args`' defaults in `cfg`, and inside every block the
/// configuration writes (an empty `delete_retention_policy {}` gets
/// azurerm's 7 days); blocks left out stay out.
fn args_with_defaults(args: &[crate::provider::azure::convert::Arg], cfg: &mut Attrs) {
    use crate::provider::azure::convert::Kind;
    for a in args {
        match a.kind {
            Kind::Block(sub) | Kind::BlockList(sub) => {
                if let Some(Value::List(blocks)) = cfg.get_mut(a.name) {
                    for b in blocks.iter_mut() {
                        if let Value::Object(inner) = b {
                            args_with_defaults(sub, inner);
                        }
                    }
                }
            }
            _ if !a.default.is_empty() => {
                if cfg.get(a.name).is_none_or(Value::is_null)
                    && let Ok(j) = serde_json::from_str::<serde_json::Value>(a.default)
                {
                    cfg.insert(a.name.to_string(), Value::from_json(&j));
                }
            }
            _ => {}
        }
    }
}

/// What a point-in-time restore will do, for the plan's reviewers; a time
/// that is not RFC 3339 UTC is refused here (the cloud checks the backup
/// window when it creates the server).
fn point_in_time_restore(
    cfg: &crate::provider::azure::typedef::Attrs,
) -> Result<String, ProviderError> {
    let source = w_str(cfg.get("source_server_id"));
    let at = w_str(cfg.get("point_in_time_restore_time_in_utc"));
    if let Some(at) = at
        && crate::timefmt::parse_rfc3339(at).is_none()
    {
        return Err(ProviderError::Invalid(format!(
            "point_in_time_restore_time_in_utc {at:?} is not an RFC 3339 UTC time (e.g. 2026-11-30T16:00:00Z)"
        )));
    }
    Ok(format!(
        "restores {} as of {} (UTC) into this new server; the source is not changed (the time must lie within its backup retention)",
        source.unwrap_or("the source server (known after apply)"),
        at.unwrap_or("the given time (known after apply)")
    ))
}

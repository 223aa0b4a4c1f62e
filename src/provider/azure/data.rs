//! Data sources: what identifies one, and reading it.

use std::collections::BTreeMap;

use super::claims;
use super::common::{AzureProvider, attrs};
use super::error::err;
use super::typedef::{self, Attrs, IdRule, TypeDef};
use super::types;
use crate::lang::Value;
use crate::provider::{ArgProblem, BoxFut, ErrorKind, ProviderError};

/// Managed types azurerm has no data source for (its documentation lists
/// none), so neither has drinfra.
const NO_DATA_SOURCE: &[&str] = &[
    "azurerm_network_security_rule",
    "azurerm_log_analytics_solution",
];

/// How azurerm finds a data source whose arguments are not its
/// resource's: Front Door children by their profile's name and group (the
/// resource takes the profile's id), a node pool by its cluster's name and
/// group, a peering by its network's id (the resource takes its name).
fn data_id_rule(t: &TypeDef) -> IdRule {
    match (t.name, t.id) {
        (
            _,
            IdRule::Child {
                parent_arg: "cdn_frontdoor_profile_id",
                segment,
            },
        ) => IdRule::InNamedParent {
            parent_type: "Microsoft.Cdn/profiles",
            parent_arg: "profile_name",
            segment,
        },
        ("azurerm_kubernetes_cluster_node_pool", IdRule::Child { segment, .. }) => {
            IdRule::InNamedParent {
                parent_type: "Microsoft.ContainerService/managedClusters",
                parent_arg: "kubernetes_cluster_name",
                segment,
            }
        }
        ("azurerm_virtual_network_peering", IdRule::InNamedParent { segment, .. }) => {
            IdRule::Child {
                parent_arg: "virtual_network_id",
                segment,
            }
        }
        (_, rule) => rule,
    }
}

/// The type as its data source finds it (see [`data_id_rule`]).
fn as_data_source(t: TypeDef) -> TypeDef {
    TypeDef {
        id: data_id_rule(&t),
        ..t
    }
}

/// The first argument set in `cfg` that is not one of `allowed`.
fn unexpected_argument<'a>(cfg: &'a Attrs, allowed: &[&str]) -> Option<&'a String> {
    cfg.iter()
        .find(|(k, v)| !allowed.contains(&k.as_str()) && !v.is_null())
        .map(|(k, _)| k)
}

/// The resource's parent argument and its value for the object `id`,
/// where its data source finds the parent another way: the parent's id,
/// or its name where the resource names it.
fn resource_parent(ty: &str, id: &str) -> Option<(&'static str, String)> {
    let arg = resource_parent_arg(ty)?;
    let (parent, _) = id.rsplit_once('/')?.0.rsplit_once('/')?;
    Some(match types::lookup(ty)?.id {
        IdRule::InNamedParent { .. } => (arg, parent.rsplit('/').next()?.to_string()),
        _ => (arg, parent.to_string()),
    })
}

/// The resource's own argument naming its parent, where its data source
/// finds the parent another way (a node pool's `kubernetes_cluster_id`).
fn resource_parent_arg(ty: &str) -> Option<&'static str> {
    match types::lookup(ty)?.id {
        IdRule::Child { parent_arg, .. } | IdRule::InNamedParent { parent_arg, .. } => {
            Some(parent_arg)
        }
        _ => None,
    }
}

/// What `data "azurerm_client_config"` exports.
const CLIENT_CONFIG: &[&str] = &[
    "id",
    "subscription_id",
    "tenant_id",
    "client_id",
    "object_id",
];

/// Every name data source `ty` has (the arguments it is found by and the
/// attributes its read gives), or None when drinfra reads no such data
/// source. A reference to any other name is refused while validating.
pub fn attribute_names(ty: &str) -> Option<Vec<String>> {
    if !has_data_source(ty) {
        return None;
    }
    let fixed = match ty {
        "azurerm_client_config" => Some(CLIENT_CONFIG.to_vec()),
        super::subscription::TYPE => Some(super::subscription::NAMES.to_vec()),
        _ => super::data_only::names(ty),
    };
    if let Some(names) = fixed {
        return Some(names.into_iter().map(str::to_string).collect());
    }
    let t = types::lookup(ty).map(as_data_source)?;
    // What the key's and the secret's own reads leave out
    // (key_vault_key.rs, key_vault_secret.rs).
    let dropped: &[&str] = match ty {
        super::types::key_vault_key::TYPE => &[
            "not_before_date",
            "expiration_date",
            "release_policy",
            "rotation_policy",
        ],
        super::types::key_vault_secret::TYPE => &["value_wo", "value_wo_version"],
        _ => &[],
    };
    let mut names: Vec<String> = std::iter::once("id")
        .chain(typedef::id_args(&t))
        .chain(resource_parent_arg(ty))
        .chain(
            super::key_vault_secret::DATA_ARGS
                .iter()
                .copied()
                .filter(|_| ty == super::types::key_vault_secret::TYPE),
        )
        .chain(t.args.iter().map(|a| a.name))
        .filter(|n| !n.is_empty() && !dropped.contains(n))
        .map(str::to_string)
        .chain(super::data_attributes::extra_names(ty))
        .collect();
    names.sort();
    names.dedup();
    Some(names)
}

/// `state` (data source `ty`'s read) left with the names the data source
/// has (a reference to any other is refused while validating, so none
/// may be read either).
fn narrow(ty: &str, state: &mut Value) {
    if let (Some(names), Value::Object(o)) = (attribute_names(ty), state) {
        o.retain(|k, _| names.contains(k));
    }
}

/// Whether drinfra can read data source `ty`.
pub fn has_data_source(ty: &str) -> bool {
    // azurerm has no association data source (it is no ARM object).
    ty == "azurerm_client_config"
        || ty == super::subscription::TYPE
        || super::data_only::handles(ty)
        || (types::lookup(ty).is_some()
            && ty != super::frontdoor_association::TYPE
            && !NO_DATA_SOURCE.contains(&ty))
}

/// Checks a data source's evaluated arguments: the ones that identify the
/// object (what `read_data` refuses, found without a client).
pub fn validate_data(ty: &str, config: &Value) -> Vec<ArgProblem> {
    let cfg = attrs(config);
    if super::data_only::handles(ty) {
        return super::data_only::validate(ty, &cfg);
    }
    let set = |_: &String, v: &Value| !v.is_null();
    if ty == super::subscription::TYPE {
        return super::subscription::validate(&cfg);
    }
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
    let Some(t) = types::lookup(ty).map(as_data_source) else {
        return vec![];
    };
    let mut identity = typedef::id_args(&t);
    let optional: &[&str] = if ty == super::types::key_vault_secret::TYPE {
        &["version"]
    } else {
        &[]
    };
    identity.extend(optional);
    let mut out: Vec<ArgProblem> = cfg
        .iter()
        .filter(|(k, v)| set(k, v) && !identity.contains(&k.as_str()))
        .map(|(k, _)| ArgProblem { argument: Some(k.clone()), summary: "Unsupported argument".into(), detail: format!("data {ty:?} is found by {}; {k:?} is not one of its arguments (it is read, not set).", identity.join(", ")) })
        .collect();
    for k in identity.into_iter().filter(|k| !optional.contains(k)) {
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
    pub(super) fn read_data_source<'a>(
        &'a self,
        ty: &'a str,
        config: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            let cfg = attrs(config);
            if ty == super::subscription::TYPE {
                return self.read_subscription(&cfg).await;
            }
            if ty == "azurerm_client_config" {
                if let Some(k) = cfg.keys().next() {
                    return Err(ProviderError::Invalid(format!(
                        "data \"azurerm_client_config\" takes no arguments, not {k:?}"
                    )));
                }
                let s = |v: &str| Value::String(v.to_string());
                // Who drinfra signed in as, from the token's claims (as
                // azurerm does; no Microsoft Graph call).
                let claims = self.client.token_claims().await.map_err(err)?;
                let claim = |k: &str| claims.as_ref().and_then(|c| claims::string(c, k));
                let object_id = claim("oid").unwrap_or_default();
                let tenant_id = claim("tid").unwrap_or_else(|| self.principal.tenant_id.clone());
                let client_id = claim("appid")
                    .or_else(|| claim("azp"))
                    .unwrap_or_else(|| self.principal.client_id.clone());
                return Ok(Value::Object(BTreeMap::from([
                    (
                        "id".to_string(),
                        s(&format!(
                            "clientConfigs/clientId={client_id};objectId={object_id};subscriptionId={};tenantId={tenant_id}",
                            self.subscription
                        )),
                    ),
                    ("subscription_id".to_string(), s(&self.subscription)),
                    ("tenant_id".to_string(), s(&tenant_id)),
                    ("client_id".to_string(), s(&client_id)),
                    ("object_id".to_string(), s(&object_id)),
                ])));
            }
            if super::data_only::handles(ty) {
                return self.read_data_only(ty, &cfg).await;
            }
            let t = types::lookup(ty)
                .map(as_data_source)
                .ok_or_else(|| ProviderError::UnknownType(ty.to_string()))?;
            if ty == super::types::key_vault_secret::TYPE {
                if let Some(k) = unexpected_argument(&cfg, super::key_vault_secret::DATA_ARGS) {
                    return Err(ProviderError::Invalid(format!(
                        "data {ty:?} takes name, key_vault_id and version; {k:?} is not one of its arguments"
                    )));
                }
                return self.read_secret_data(&cfg).await;
            }
            if ty == super::types::key_vault_key::TYPE {
                if let Some(k) = unexpected_argument(&cfg, super::key_vault_key::DATA_ARGS) {
                    return Err(ProviderError::Invalid(format!(
                        "data {ty:?} takes name and key_vault_id; {k:?} is not one of its arguments"
                    )));
                }
                return self.read_key_data(&cfg).await;
            }
            let identity = typedef::id_args(&t);
            if let Some(k) = unexpected_argument(&cfg, &identity) {
                return Err(ProviderError::Invalid(format!(
                    "data {ty:?} is found by {}; {k:?} is not one of its arguments (it is read, not set)",
                    identity.join(", ")
                )));
            }
            let id = typedef::build_id(&t, &cfg, &self.subscription)
                .map_err(|e| ProviderError::Invalid(e.to_string()))?;
            match self
                .client
                .get(&typedef::arm_path(&t, &id), t.api)
                .await
                .map_err(err)?
            {
                Some(mut body) => {
                    // What the type reads besides its body (a private
                    // endpoint's zone groups and address).
                    self.read_children(&t, &id, &cfg, &mut body).await?;
                    let mut state = self.state_from(&t, &body, &cfg);
                    if let Value::Object(o) = &mut state {
                        // What the data source exports beyond the
                        // resource's attributes.
                        super::data_attributes::fill(ty, &body, &self.subscription, o);
                        // The arguments it was found by, as given, and the
                        // resource's own way of naming its parent.
                        for (k, v) in &cfg {
                            o.insert(k.clone(), v.clone());
                        }
                        if let Some((arg, parent)) = resource_parent(ty, &id) {
                            let slot = o.entry(arg.to_string()).or_insert(Value::Null);
                            if slot.is_null() {
                                *slot = Value::String(parent);
                            }
                        }
                    }
                    // azurerm's data sources list keys on every read too.
                    let mut state = self.with_secrets(ty, state).await?;
                    narrow(ty, &mut state);
                    Ok(state)
                }
                None => Err(ProviderError::api(
                    ErrorKind::NotFound,
                    "ResourceNotFound",
                    format!("{id} does not exist"),
                )),
            }
        })
    }
}

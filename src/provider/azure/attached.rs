//! Read, create, update and delete of the types that are not one ARM
//! object of their own (tables in `types/attached.rs`):
//!
//! - a subnet's network security group association is the subnet's
//!   `networkSecurityGroup`: created by setting it on the subnet (refused
//!   when the subnet already has one, as azurerm asks for an import),
//!   gone when the subnet has none, deleted by clearing it; the subnet is
//!   read and written whole, so nothing else on it changes;
//! - a role assignment is named by a GUID made at create when the
//!   configuration gives none, and a `role_definition_name` is looked up
//!   at the scope (`roleDefinitions?$filter=roleName eq '...'`), as
//!   azurerm does; reading it names the role again;
//! - storage object replication is written to the destination account
//!   first (policy `default`, Azure answers with the policy and rule ids),
//!   then to the source with those ids; its id is azurerm's
//!   `{source policy id};{destination policy id}`;
//! - a Key Vault secret lives in the vault's data plane
//!   (`key_vault_secret.rs`), a Key Vault key too (`key_vault_key.rs`).

use reqwest::Method;
use serde_json::{Value as J, json};

use super::common::{AzureProvider, str_of};
use super::convert;
use super::error::err;
use super::typedef::{Attrs, TypeDef};
use super::types::attached::{self, NSG_ASSOCIATION, OBJECT_REPLICATION, ROLE_ASSIGNMENT};
use super::types::key_vault_key::TYPE as KEY_VAULT_KEY;
use super::types::key_vault_secret::TYPE as KEY_VAULT_SECRET;
use crate::lang::Value;
use crate::provider::{ErrorKind, ProviderError};

/// The api-version role definitions are read with (azurerm's).
const ROLE_DEFINITIONS_API: &str = "2022-05-01-preview";

/// Whether `ty` is written by hand here rather than by `crud.rs`.
pub(super) fn is_attached(ty: &str) -> bool {
    matches!(
        ty,
        NSG_ASSOCIATION | ROLE_ASSIGNMENT | OBJECT_REPLICATION | KEY_VAULT_SECRET | KEY_VAULT_KEY
    )
}

fn gone(what: &str) -> ProviderError {
    ProviderError::api(
        ErrorKind::NotFound,
        "ResourceNotFound",
        format!("{what} does not exist"),
    )
}

/// A body read from ARM, made ready to be written back.
fn writable(mut body: J) -> J {
    if let Some(m) = body.as_object_mut() {
        m.remove("etag");
        if let Some(p) = m.get_mut("properties").and_then(J::as_object_mut) {
            p.remove("provisioningState");
        }
    }
    body
}

/// The `$filter` that lists the role definitions named `role`, encoded
/// for a query string.
pub(super) fn role_name_filter(role: &str) -> String {
    format!("roleName eq '{role}'")
        .replace('%', "%25")
        .replace(' ', "%20")
        .replace('\'', "%27")
        .replace('&', "%26")
        .replace('#', "%23")
}

/// The last segment of an id (a role definition's GUID).
fn last(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

impl AzureProvider {
    pub(super) async fn read_attached(
        &self,
        t: &TypeDef,
        known: &Attrs,
    ) -> Result<Option<Value>, ProviderError> {
        if t.name == KEY_VAULT_SECRET {
            return self.read_secret(known).await;
        }
        if t.name == KEY_VAULT_KEY {
            return self.read_key(known).await;
        }
        let Some(id) = str_of(known, "id") else {
            return Ok(None);
        };
        match t.name {
            NSG_ASSOCIATION => {
                let Some(subnet) = self.client.get(&id, t.api).await.map_err(err)? else {
                    return Ok(None);
                };
                if convert::get_path(&subnet, "properties.networkSecurityGroup.id").is_none() {
                    return Ok(None);
                }
                Ok(Some(self.association_state(t, &subnet, known)))
            }
            ROLE_ASSIGNMENT => match self.client.get(&id, t.api).await.map_err(err)? {
                Some(body) => Ok(Some(self.assignment_state(t, &body, known).await?)),
                None => Ok(None),
            },
            _ => {
                let (src, dst) = id.split_once(';').unwrap_or((&id, ""));
                let source = self.client.get(src, t.api).await.map_err(err)?;
                let dest = if dst.is_empty() {
                    None
                } else {
                    self.client.get(dst, t.api).await.map_err(err)?
                };
                match (source, dest) {
                    (Some(s), Some(_)) => Ok(Some(self.replication_state(t, s, &id, known))),
                    _ => Ok(None),
                }
            }
        }
    }

    pub(super) async fn create_attached(
        &self,
        t: &TypeDef,
        a: &Attrs,
    ) -> Result<Value, ProviderError> {
        match t.name {
            KEY_VAULT_SECRET => self.create_secret(a).await,
            KEY_VAULT_KEY => self.create_key(a).await,
            NSG_ASSOCIATION => self.associate_nsg(t, a, true).await,
            ROLE_ASSIGNMENT => self.assign(t, a).await,
            _ => self.replicate(t, a, None).await,
        }
    }

    pub(super) async fn update_attached(
        &self,
        t: &TypeDef,
        old: &Attrs,
        a: &Attrs,
    ) -> Result<Value, ProviderError> {
        if t.name == KEY_VAULT_SECRET {
            return self.update_secret(old, a).await;
        }
        if t.name == KEY_VAULT_KEY {
            return self.update_key(old, a).await;
        }
        let id = str_of(old, "id")
            .ok_or_else(|| ProviderError::Invalid("the recorded object has no id".into()))?;
        match t.name {
            NSG_ASSOCIATION => self.associate_nsg(t, a, false).await,
            ROLE_ASSIGNMENT => {
                // Only the condition and description change in place.
                let current = self.get_existing(&id, t.api).await?;
                let mut merged = old.clone();
                for k in ["condition", "condition_version", "description"] {
                    merged.insert(k.into(), a.get(k).cloned().unwrap_or(Value::Null));
                }
                let (_, mut body) = self.body_for(t, &merged, writable(current), false)?;
                for (k, path) in [
                    ("condition", "properties.condition"),
                    ("condition_version", "properties.conditionVersion"),
                    ("description", "properties.description"),
                ] {
                    if a.get(k).is_none_or(Value::is_null) && k != "condition_version" {
                        convert::set_path(&mut body, path, J::Null);
                    }
                }
                if a.get("condition").is_none_or(Value::is_null) {
                    convert::set_path(&mut body, "properties.conditionVersion", J::Null);
                }
                strip_read_only_assignment(&mut body);
                let got = self
                    .client
                    .write(Method::PUT, &id, t.api, &body)
                    .await
                    .map_err(err)?;
                self.assignment_state(t, &got, &merged).await
            }
            _ => self.replicate(t, a, Some(&id)).await,
        }
    }

    pub(super) async fn delete_attached(
        &self,
        t: &TypeDef,
        old: &Attrs,
    ) -> Result<(), ProviderError> {
        if t.name == KEY_VAULT_SECRET {
            return self.delete_secret(old).await;
        }
        if t.name == KEY_VAULT_KEY {
            return self.delete_key(old).await;
        }
        let Some(id) = str_of(old, "id") else {
            return Ok(());
        };
        match t.name {
            NSG_ASSOCIATION => {
                let Some(subnet) = self.client.get(&id, t.api).await.map_err(err)? else {
                    return Ok(());
                };
                let mut body = writable(subnet);
                if let Some(p) = body.get_mut("properties").and_then(J::as_object_mut) {
                    p.remove("networkSecurityGroup");
                }
                self.client
                    .write(Method::PUT, &id, t.api, &body)
                    .await
                    .map_err(err)?;
                Ok(())
            }
            ROLE_ASSIGNMENT => self.client.delete(&id, t.api).await.map_err(err),
            _ => {
                for half in id.split(';').filter(|h| !h.is_empty()) {
                    self.client.delete(half, t.api).await.map_err(err)?;
                }
                Ok(())
            }
        }
    }

    // ---- network security group association ----

    async fn associate_nsg(
        &self,
        t: &TypeDef,
        a: &Attrs,
        creating: bool,
    ) -> Result<Value, ProviderError> {
        let id = str_of(a, "subnet_id")
            .ok_or_else(|| ProviderError::Invalid("subnet_id must be known".into()))?;
        let nsg = str_of(a, "network_security_group_id").ok_or_else(|| {
            ProviderError::Invalid("network_security_group_id must be known".into())
        })?;
        let subnet = self
            .client
            .get(&id, t.api)
            .await
            .map_err(err)?
            .ok_or_else(|| gone(&id))?;
        // As azurerm: a subnet that already has a group is associated
        // outside this state; it is imported, not taken over.
        let intent = self.client.operations.take_intent(&id);
        if creating
            && !intent
            && convert::get_path(&subnet, "properties.networkSecurityGroup.id").is_some()
        {
            return Err(ProviderError::AlreadyExists {
                ty: t.name.to_string(),
                id,
            });
        }
        let mut body = writable(subnet);
        convert::set_path(
            &mut body,
            "properties.networkSecurityGroup",
            json!({ "id": nsg }),
        );
        let got = self
            .client
            .write(Method::PUT, &id, t.api, &body)
            .await
            .map_err(err)?;
        Ok(self.association_state(t, &got, a))
    }

    fn association_state(&self, t: &TypeDef, subnet: &J, known: &Attrs) -> Value {
        let mut known = known.clone();
        if let Some(id) = subnet["id"].as_str() {
            known.insert("subnet_id".into(), Value::String(id.to_string()));
        }
        let mut v = self.state_from(t, subnet, &known);
        if let Value::Object(m) = &mut v {
            m.remove("name");
        }
        v
    }

    // ---- role assignment ----

    async fn assign(&self, t: &TypeDef, a: &Attrs) -> Result<Value, ProviderError> {
        let mut a = a.clone();
        let name = match str_of(&a, "name") {
            Some(n) => n,
            None => crate::random::uuid_v4().map_err(|e| ProviderError::Invalid(e.to_string()))?,
        };
        a.insert("name".into(), Value::String(name));
        let scope = str_of(&a, "scope")
            .ok_or_else(|| ProviderError::Invalid("scope must be known".into()))?;
        let resolved = str_of(&a, "role_definition_id").is_none();
        if resolved {
            let role = str_of(&a, "role_definition_name").ok_or_else(|| {
                ProviderError::Invalid(
                    "one of role_definition_id and role_definition_name must be known".into(),
                )
            })?;
            let found = self.role_definition_named(&scope, &role).await?;
            a.insert("role_definition_id".into(), Value::String(found));
        }
        if matches!(
            a.get("skip_service_principal_aad_check")
                .map(|v| v.unmark().0),
            Some(Value::Bool(true))
        ) && str_of(&a, "principal_type").is_none()
        {
            a.insert(
                "principal_type".into(),
                Value::String("ServicePrincipal".into()),
            );
        }
        a.remove("id");
        let (id, mut body) = self.body_for(t, &a, json!({}), true)?;
        strip_read_only_assignment(&mut body);
        if !self.client.operations.take_intent(&id)
            && self.client.get(&id, t.api).await.map_err(err)?.is_some()
        {
            return Err(ProviderError::AlreadyExists {
                ty: t.name.to_string(),
                id,
            });
        }
        let got = self
            .client
            .write(Method::PUT, &id, t.api, &body)
            .await
            .map_err(err)?;
        // A role found by name is recorded in the form Azure reports it.
        if resolved {
            a.remove("role_definition_id");
        }
        self.assignment_state(t, &got, &a).await
    }

    /// The id of the role named `role` at `scope`.
    async fn role_definition_named(
        &self,
        scope: &str,
        role: &str,
    ) -> Result<String, ProviderError> {
        let filter = role_name_filter(role);
        let list = self
            .client
            .get(
                &format!(
                    "{}/providers/Microsoft.Authorization/roleDefinitions?$filter={filter}",
                    scope.trim_end_matches('/')
                ),
                ROLE_DEFINITIONS_API,
            )
            .await
            .map_err(err)?;
        list.as_ref()
            .and_then(|l| l["value"].as_array())
            .and_then(|v| {
                v.iter().find(|d| {
                    d["properties"]["roleName"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(role))
                })
            })
            .and_then(|d| d["id"].as_str())
            .map(str::to_string)
            .ok_or_else(|| {
                ProviderError::Invalid(format!(
                    "role_definition_name: no role definition named {role:?} at scope {scope}"
                ))
            })
    }

    async fn assignment_state(
        &self,
        t: &TypeDef,
        body: &J,
        known: &Attrs,
    ) -> Result<Value, ProviderError> {
        let mut known = known.clone();
        if let Some(n) = body["name"].as_str() {
            known.insert("name".into(), Value::String(n.to_string()));
        }
        let role_id = convert::get_path(body, "properties.roleDefinitionId")
            .and_then(J::as_str)
            .unwrap_or_default()
            .to_string();
        // The role's name, as azurerm reads it back.
        if !role_id.is_empty()
            && let Some(def) = self
                .client
                .get(&role_id, ROLE_DEFINITIONS_API)
                .await
                .map_err(err)?
            && let Some(n) = def["properties"]["roleName"].as_str()
        {
            known.insert("role_definition_name".into(), Value::String(n.to_string()));
        }
        let mut v = self.state_from(t, body, &known);
        if let Value::Object(m) = &mut v {
            // The configuration's form of the role's id (scoped to a
            // subscription or a resource) names the same role.
            if let Some(given) = str_of(&known, "role_definition_id")
                && last(&given).eq_ignore_ascii_case(last(&role_id))
            {
                m.insert("role_definition_id".into(), Value::String(given));
            }
            if m.get("skip_service_principal_aad_check")
                .is_none_or(Value::is_null)
            {
                m.insert(
                    "skip_service_principal_aad_check".into(),
                    Value::Bool(false),
                );
            }
        }
        Ok(v)
    }

    // ---- storage object replication ----

    async fn replicate(
        &self,
        t: &TypeDef,
        a: &Attrs,
        existing: Option<&str>,
    ) -> Result<Value, ProviderError> {
        let need = |k: &str| {
            str_of(a, k).ok_or_else(|| ProviderError::Invalid(format!("{k} must be known")))
        };
        let (src, dst) = (
            need("source_storage_account_id")?,
            need("destination_storage_account_id")?,
        );
        let mut policy = json!({});
        convert::write_args(t.args, a, &mut policy, true);
        if let Some(f) = t.to_body {
            f(a, &mut policy);
        }
        policy.as_object_mut().map(|m| m.remove("id"));
        // The destination first: Azure names the policy there (`default`
        // on create) and gives each rule its id.
        let (dst_url, ids) = match existing {
            Some(id) => {
                let dst_half = id.split_once(';').map(|(_, d)| d).unwrap_or_default();
                let current = self
                    .client
                    .get(dst_half, t.api)
                    .await
                    .map_err(err)?
                    .ok_or_else(|| gone(dst_half))?;
                (dst_half.to_string(), attached::rule_ids(&current))
            }
            None => (
                format!(
                    "{}/objectReplicationPolicies/default",
                    dst.trim_end_matches('/')
                ),
                vec![],
            ),
        };
        let mut dst_body = policy.clone();
        attached::with_rule_ids(&mut dst_body, &ids);
        let got_dst = self
            .client
            .write(Method::PUT, &dst_url, t.api, &dst_body)
            .await
            .map_err(err)?;
        let policy_id = got_dst["properties"]["policyId"]
            .as_str()
            .or_else(|| got_dst["name"].as_str())
            .unwrap_or("default")
            .to_string();
        let mut src_body = policy;
        attached::with_rule_ids(&mut src_body, &attached::rule_ids(&got_dst));
        src_body["properties"]["policyId"] = json!(policy_id);
        let src_url = format!(
            "{}/objectReplicationPolicies/{policy_id}",
            src.trim_end_matches('/')
        );
        let got_src = self
            .client
            .write(Method::PUT, &src_url, t.api, &src_body)
            .await
            .map_err(err)?;
        // Filed under its policy id (a create names it `default`).
        let dst_id = match existing {
            Some(_) => dst_url,
            None => format!(
                "{}/objectReplicationPolicies/{policy_id}",
                dst.trim_end_matches('/')
            ),
        };
        let src_id = got_src["id"]
            .as_str()
            .map(str::to_string)
            .unwrap_or(src_url);
        Ok(self.replication_state(t, got_src, &format!("{src_id};{dst_id}"), a))
    }

    fn replication_state(&self, t: &TypeDef, mut source: J, id: &str, known: &Attrs) -> Value {
        source["id"] = json!(id);
        let mut v = self.state_from(t, &source, known);
        let (src, dst) = id.split_once(';').unwrap_or((id, ""));
        if let Value::Object(m) = &mut v {
            m.remove("name");
            m.insert(
                "source_object_replication_id".into(),
                Value::String(src.to_string()),
            );
            m.insert(
                "destination_object_replication_id".into(),
                Value::String(dst.to_string()),
            );
        }
        v
    }
}

/// What Azure reports on an assignment but takes no value for.
fn strip_read_only_assignment(body: &mut J) {
    if let Some(p) = body.get_mut("properties").and_then(J::as_object_mut) {
        for k in ["scope", "createdOn", "updatedOn", "createdBy", "updatedBy"] {
            p.remove(k);
        }
    }
    if let Some(m) = body.as_object_mut() {
        for k in ["id", "name", "type", "systemData"] {
            m.remove(k);
        }
    }
}

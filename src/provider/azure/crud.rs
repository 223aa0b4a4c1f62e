//! Read, create, update and delete of one object, with the ARM body
//! built from its arguments and the state read back from ARM.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value as J, json};

use super::common::{AzureProvider, attrs, lookup, pool_temp_name, str_of};
use super::convert::{self, Kind};
use super::error::{AzureError, err};
use super::typedef::PROVIDER_NAME;
use super::typedef::{self, Attrs, TypeDef};
use super::{lro, timeouts, types};
use crate::lang::Value;
use crate::provider::{BoxFut, ErrorKind, ProviderError};

impl AzureProvider {
    /// The object at `id` as the cloud has it; a typed not-found when it
    /// is gone.
    pub(super) async fn get_existing(&self, id: &str, api: &str) -> Result<J, ProviderError> {
        self.client.get(id, api).await.map_err(err)?.ok_or_else(|| {
            ProviderError::api(
                ErrorKind::NotFound,
                "ResourceNotFound",
                format!("{id} no longer exists"),
            )
        })
    }

    /// azurerm's guard against deleting what nobody declared: a resource
    /// group that still holds resources (made by hand, or by an ARM
    /// deployment) is not deleted with them.
    pub(super) async fn refuse_nonempty_resource_group(
        &self,
        id: &str,
    ) -> Result<(), ProviderError> {
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

    pub(super) fn state_from(&self, t: &TypeDef, body: &J, known: &Attrs) -> Value {
        let mut out = BTreeMap::new();
        convert::read_args(t.args, body, &mut out);
        if let Some(f) = t.from_body {
            f(body, &mut out);
        }
        if t.name == "azurerm_postgresql_flexible_server" {
            self.backups.learn(body);
        }
        if t.name == super::virtual_endpoint::TYPE {
            super::virtual_endpoint::settle(&mut out, body, known);
        }
        for a in t.args {
            if !a.wo_version.is_empty() {
                out.insert(a.name.to_string(), Value::Null);
                continue;
            }
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
                .map(|s| Value::String(typedef::state_id(t, s)))
                .unwrap_or(Value::Null),
        );
        if let Some(limits) = known.get(timeouts::BLOCK) {
            out.insert(timeouts::BLOCK.into(), limits.clone());
        }
        Value::Object(out)
    }

    /// The ARM body for the planned arguments, over `base` (the current
    /// body on update, so unmanaged fields are kept).
    pub(super) fn body_for(
        &self,
        t: &TypeDef,
        planned: &Attrs,
        base: J,
        creating: bool,
    ) -> Result<(String, J), ProviderError> {
        let id = match str_of(planned, "id") {
            Some(id) => id,
            None => typedef::build_id(t, planned, &self.subscription)
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
        body["id"] = J::String(typedef::arm_path(t, &id));
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
    pub(super) async fn rotate_pool(
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

    pub(super) fn read_object<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(timeouts::within(
            timeouts::of(current, "read"),
            "read",
            async move {
                let t = lookup(ty)?;
                if ty == super::frontdoor_association::TYPE {
                    return self.read_association(current).await;
                }
                let known = attrs(current);
                if super::attached::is_attached(ty) {
                    return self.read_attached(&t, &known).await;
                }
                let Some(id) = str_of(&known, "id") else {
                    return Ok(None);
                };
                match self
                    .client
                    .get(&typedef::arm_path(&t, &id), t.api)
                    .await
                    .map_err(err)?
                {
                    Some(mut body) => {
                        self.read_children(&t, &id, &known, &mut body).await?;
                        Ok(Some(self.state_from(&t, &body, &known)))
                    }
                    // A switchover moved the endpoint to its replica.
                    None if ty == super::virtual_endpoint::TYPE => Ok(self
                        .read_moved_endpoint(&known)
                        .await?
                        .map(|body| self.state_from(&t, &body, &known))),
                    None => Ok(None),
                }
            },
        ))
    }

    pub(super) fn intent_for(
        &self,
        ty: &str,
        planned: &Value,
    ) -> Option<crate::provider::PendingOperation> {
        let t = types::lookup(ty)?;
        let a = attrs(planned);
        let id = str_of(&a, "id")
            .or_else(|| typedef::build_id(&t, &a, &self.subscription).ok())
            .or_else(|| super::key_vault_secret::intent_id(ty, &a))
            .or_else(|| super::key_vault_key::intent_id(ty, &a))?;
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

    pub(super) fn create_object<'a>(
        &'a self,
        ty: &'a str,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(timeouts::within(
            timeouts::of(planned, "create"),
            "create",
            async move {
                let t = lookup(ty)?;
                if ty == super::frontdoor_association::TYPE {
                    return self.associate(&t, None, planned).await;
                }
                let mut a = attrs(planned);
                convert::strip_unknown_computed(t.args, &mut a);
                if super::attached::is_attached(ty) {
                    return self.create_attached(&t, &a).await;
                }
                let (id, mut body) = self.body_for(&t, &a, json!({}), true)?;
                let url = typedef::arm_path(&t, &id);
                // As azurerm: never create over an object state does not
                // record, unless an interrupted run of this stack was creating it.
                if !self.client.operations.take_intent(&id)
                    && self.client.get(&url, t.api).await.map_err(err)?.is_some()
                {
                    return Err(ProviderError::AlreadyExists {
                        ty: ty.to_string(),
                        id,
                    });
                }
                let children = Self::split_children(&t, &mut body);
                let mut got = self
                    .client
                    .write(Method::PUT, &url, t.api, &body)
                    .await
                    .map_err(err)?;
                self.write_children(&t, &id, children, &mut got).await?;
                if ty == super::private_endpoint::TYPE {
                    self.sync_zone_group(&id, &a).await?;
                    self.read_endpoint_extras(&id, &mut got).await?;
                }
                // Read once here, as azurerm's create ends with a read.
                self.with_secrets(ty, self.state_from(&t, &got, &a)).await
            },
        ))
    }

    pub(super) fn update_object<'a>(
        &'a self,
        ty: &'a str,
        prior: &'a Value,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(timeouts::within(
            timeouts::of(planned, "update"),
            "update",
            async move {
                if ty == super::virtual_endpoint::TYPE {
                    return self.update_endpoint(prior, planned).await;
                }
                let t = lookup(ty)?;
                if ty == super::frontdoor_association::TYPE {
                    return self.associate(&t, Some(prior), planned).await;
                }
                let old = attrs(prior);
                let mut a = attrs(planned);
                convert::strip_unknown_computed(t.args, &mut a);
                if super::attached::is_attached(ty) {
                    return self.update_attached(&t, &old, &a).await;
                }
                let id = str_of(&old, "id").ok_or_else(|| {
                    ProviderError::Invalid("the recorded object has no id".into())
                })?;
                // PostgreSQL replica promotion is a PATCH, never a rebuild;
                // the plan's other changes ride on it (one write, not a
                // promotion and then a second update).
                let promotion = (ty == "azurerm_postgresql_flexible_server"
                    && str_of(&old, "replication_role")
                        .is_some_and(|r| r.to_lowercase().contains("replica"))
                    && str_of(&a, "replication_role").as_deref() == Some("None"))
                .then(|| {
                    // Never set: no option (Azure's default). A planned
                    // failover switches roles over: the old primary stops
                    // taking writes before the replica is promoted and
                    // becomes its replica (no split brain, RPO 0); a forced
                    // one promotes the replica standalone, now.
                    match self.promote_option.lock().map(|o| *o).ok().flatten() {
                        Some(crate::provider::Promotion::Planned) => ("Switchover", "Planned"),
                        Some(p) => ("Standalone", p.as_str()),
                        None => ("Standalone", ""),
                    }
                });
                let url = typedef::arm_path(&t, &id);
                let current = self.get_existing(&url, t.api).await?;
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
                    !x.path.is_empty() && !x.read_only && !x.create_only && !x.kind.is_block()
                }) {
                    let now_null = a.get(arg.name).is_none_or(Value::is_null);
                    let was_set = old.get(arg.name).is_some_and(|v| !v.is_null());
                    if now_null && was_set && !arg.computed {
                        convert::set_path(&mut body, arg.path, J::Null);
                    }
                }
                match ty {
                    _ if promotion.is_some() => {
                        let mut patch = changed_parts(&current, &body);
                        let (mode, option) = promotion.unwrap_or(("Standalone", ""));
                        patch["properties"]["replica"] =
                            json!({"promoteMode": mode, "promoteOption": option});
                        self.client
                            .write(Method::PATCH, &id, t.api, &patch)
                            .await
                            .map_err(err)?;
                    }
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
                            .write(Method::PUT, &url, t.api, &body)
                            .await
                            .map_err(err)?;
                    }
                }
                let mut got = self
                    .client
                    .get(&url, t.api)
                    .await
                    .map_err(err)?
                    .ok_or_else(|| {
                        ProviderError::Invalid(format!("{id} disappeared after the update"))
                    })?;
                self.remove_children(&t, &id, &old, &a).await?;
                self.write_children(&t, &id, children, &mut got).await?;
                if ty == super::private_endpoint::TYPE {
                    self.sync_zone_group(&id, &a).await?;
                    self.read_endpoint_extras(&id, &mut got).await?;
                }
                Ok(self.state_from(&t, &got, &a))
            },
        ))
    }

    pub(super) fn delete_object<'a>(
        &'a self,
        ty: &'a str,
        prior: &'a Value,
    ) -> BoxFut<'a, Result<(), ProviderError>> {
        Box::pin(timeouts::within(
            timeouts::of(prior, "delete"),
            "delete",
            async move {
                let t = lookup(ty)?;
                if super::attached::is_attached(ty) {
                    return self.delete_attached(&t, &attrs(prior)).await;
                }
                if ty == super::frontdoor_association::TYPE {
                    return self.dissociate(prior).await;
                }
                let Some(id) = str_of(&attrs(prior), "id") else {
                    return Ok(());
                };
                if ty == "azurerm_resource_group" && self.keep_nonempty_resource_groups {
                    self.refuse_nonempty_resource_group(&id).await?;
                }
                if ty == super::private_endpoint::TYPE {
                    self.delete_zone_groups(&id).await?;
                }
                self.client
                    .delete(&typedef::arm_path(&t, &id), t.api)
                    .await
                    .map_err(err)?;
                if ty == "azurerm_key_vault" {
                    self.purge_deleted_vault(prior, t.api).await?;
                }
                Ok(())
            },
        ))
    }
}

impl AzureProvider {
    /// A deleted key vault stays soft-deleted, holding its name; azurerm
    /// purges it on destroy by default (`purge_soft_delete_on_destroy`),
    /// and so does drinfra, unless purge protection forbids it.
    async fn purge_deleted_vault(&self, prior: &Value, api: &str) -> Result<(), ProviderError> {
        let a = attrs(prior);
        if matches!(
            a.get("purge_protection_enabled").map(|v| v.unmark().0),
            Some(Value::Bool(true))
        ) {
            return Ok(());
        }
        let (Some(location), Some(name)) = (str_of(&a, "location"), str_of(&a, "name")) else {
            return Ok(());
        };
        let deleted = format!(
            "/subscriptions/{}/providers/Microsoft.KeyVault/locations/{}/deletedVaults/{name}",
            self.subscription,
            location.to_lowercase().replace(' ', "")
        );
        self.client
            .action(&deleted, "purge", api, "", &json!({}))
            .await
            .map_err(err)?;
        Ok(())
    }
}

/// What a PATCH must carry to turn `current` into `desired`: the
/// top-level fields and the properties that differ (replication settings
/// excepted: a promotion sets those).
fn changed_parts(current: &J, desired: &J) -> J {
    let mut patch = json!({});
    if let (Some(cur), Some(want)) = (current.as_object(), desired.as_object()) {
        for (k, v) in want {
            if k != "properties" && k != "id" && cur.get(k) != Some(v) {
                patch[k] = v.clone();
            }
        }
    }
    let mut props = serde_json::Map::new();
    if let Some(want) = desired.get("properties").and_then(J::as_object) {
        let cur = current.get("properties");
        for (k, v) in want {
            let replication = [
                "replicationRole",
                "replica",
                "sourceServerResourceId",
                "createMode",
            ]
            .contains(&k.as_str());
            if !replication && cur.and_then(|c| c.get(k)) != Some(v) {
                props.insert(k.clone(), v.clone());
            }
        }
    }
    patch["properties"] = J::Object(props);
    patch
}

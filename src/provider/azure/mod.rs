//! The Azure provider: azurerm's resource types over a real ARM REST
//! client, against Azure or the drinfra emulator (remote or embedded).
//! This file answers the `Provider` trait by handing each question to the
//! file that knows it: `rules.rs` (validation and plan rules),
//! `crud.rs` (read, create, update, delete), `children.rs` (child
//! resources written and read with their parent), `refresh.rs` (bulk
//! refresh through Resource Graph), `data.rs` (data sources), `site.rs`
//! (failover actions and replication lag); `common.rs` holds the provider
//! value they share.

use super::{ArgProblem, BoxFut, Planned, Provider, ProviderError, ResourceSchema};
use crate::lang::Value;
use common::{attrs, str_of};
use std::sync::atomic::Ordering;

mod aks_credentials;
mod attached;
pub mod auth;
pub mod breaker;
mod children;
pub mod claims;
pub mod client;
mod clock;
mod cloud_pace;
mod common;
pub mod convert;
mod crud;
mod data;
pub mod data_attributes;
mod data_only;
pub mod error;
pub mod facts;
mod frontdoor_association;
mod frontdoor_classic;
pub mod http;
mod key_vault;
mod key_vault_key;
mod key_vault_key_policies;
mod key_vault_secret;
pub mod lro;
mod nested_replace;
mod objectives;
mod pacing;
mod private_endpoint;
mod public_key;
mod refresh;
mod removed;
pub mod renames;
mod response;
pub mod restore;
mod rules;
mod secrets;
pub mod setup;
mod site;
mod subscription;
mod switchover;
pub mod timeouts;
pub mod transport;
pub mod typedef;
pub mod types;
mod virtual_endpoint;

pub use common::{AzureProvider, KeyVaultSettings, Principal};
pub use data::{attribute_names as data_attribute_names, has_data_source, validate_data};
pub use rules::validate_resource;
pub use typedef::PROVIDER_NAME;

impl Provider for AzureProvider {
    fn name(&self) -> &'static str {
        PROVIDER_NAME
    }

    fn facts(&self) -> &'static dyn crate::provider::TypeFacts {
        &facts::AZURE
    }

    fn handles(&self, ty: &str) -> bool {
        types::lookup(ty).is_some()
            || ty == "azurerm_client_config"
            || ty == subscription::TYPE
            || data_only::handles(ty)
    }

    fn schema(&self, ty: &str) -> Option<ResourceSchema> {
        self.schema_of(ty)
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
        if let Some(p) = prior {
            self.regions.learn(ty, p);
        }
        let planned = self.plan_change(ty, prior, config)?;
        // Said while planning, not left to fail at apply.
        if ty == "azurerm_frontdoor" && (prior.is_none() || !planned.replace_paths.is_empty()) {
            return Err(frontdoor_classic::refuse_new(prior.is_some()));
        }
        Ok(planned)
    }

    fn read<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(
            self.regions
                .guard(ty, current, self.read_object(ty, current)),
        )
    }

    fn read_secrets<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(
            self.regions
                .guard(ty, current, self.with_secrets(ty, current.clone())),
        )
    }

    fn read_many<'a>(
        &'a self,
        items: &'a [(String, Value)],
    ) -> BoxFut<'a, Vec<Result<Option<Value>, ProviderError>>> {
        Box::pin(async move {
            for (ty, v) in items {
                self.regions.learn(ty, v);
            }
            let out = self.read_objects(items).await;
            for ((ty, v), r) in items.iter().zip(&out) {
                self.regions.note(ty, v, r);
            }
            out
        })
    }

    fn create_intent(
        &self,
        ty: &str,
        planned: &Value,
    ) -> Option<crate::provider::PendingOperation> {
        self.intent_for(ty, planned)
    }

    fn create<'a>(
        &'a self,
        ty: &'a str,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(
            self.regions
                .guard(ty, planned, self.create_object(ty, planned)),
        )
    }

    fn site_failover<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
        away: bool,
        planned: bool,
    ) -> BoxFut<'a, Result<Option<String>, ProviderError>> {
        self.fail_over_site(ty, current, away, planned)
    }

    fn update<'a>(
        &'a self,
        ty: &'a str,
        prior: &'a Value,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(
            self.regions
                .guard(ty, prior, self.update_object(ty, prior, planned)),
        )
    }

    fn delete<'a>(
        &'a self,
        ty: &'a str,
        prior: &'a Value,
    ) -> BoxFut<'a, Result<(), ProviderError>> {
        Box::pin(self.regions.guard(ty, prior, self.delete_object(ty, prior)))
    }

    fn set_promotion(&self, promotion: super::Promotion) {
        if let Ok(mut o) = self.promote_option.lock() {
            *o = Some(promotion);
        }
    }

    fn defer_unreachable_regions(&self) {
        self.regions.arm();
    }

    fn import_stub(&self, ty: &str, id: &str) -> Value {
        match types::lookup(ty) {
            Some(t) => Value::Object(typedef::attrs_from_id(&t, id)),
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

    fn cloud_seen(&self) -> Option<f64> {
        self.seen_time()
    }

    fn cloud_now(&self) -> BoxFut<'_, Option<f64>> {
        Box::pin(self.ask_time())
    }

    fn region_fault<'a>(
        &'a self,
        region: &'a str,
        down: bool,
    ) -> BoxFut<'a, Result<(), ProviderError>> {
        self.inject_region_fault(region, down)
    }

    fn outage_began<'a>(&'a self, region: &'a str) -> BoxFut<'a, Option<f64>> {
        Box::pin(self.emulated_outage(region))
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
        self.read_data_source(ty, config)
    }

    fn open_ephemeral<'a>(
        &'a self,
        ty: &'a str,
        config: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            if ty != "azurerm_key_vault_secret" {
                return Err(crate::provider::no_ephemeral(self.name(), ty));
            }
            self.open_secret(&attrs(config)).await
        })
    }

    fn replication_lag<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Option<f64>, ProviderError>> {
        self.lag_of(ty, current)
    }

    fn lost_writes<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Option<crate::provider::LostWrites>, ProviderError>> {
        self.lost_writes_of(ty, current)
    }

    fn emulated_services(&self) -> Option<(String, reqwest::Client)> {
        // Setup knows whether this is the emulator, embedded or running
        // apart (the cloud's description differs between them).
        self.emulator
            .then(|| (self.client.base.clone(), self.client.http().clone()))
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

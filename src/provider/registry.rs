//! The providers drinfra has, found by configuration or resource type: the
//! instances a run set up ([`Providers`]), and what every provider knows
//! without a client ([`type_facts`], the schema and sensitivity fallbacks).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{
    Provider, ProviderConfigAddr, ProviderError, TypeFacts, azure, builtin, kubernetes,
    terraform_data,
};
use crate::lang::Value;

/// The providers available to a run: one instance per provider
/// configuration (`provider["..."]` or `provider["..."].ALIAS`), found by
/// configuration address, or by resource type for the defaults.
#[derive(Clone, Default)]
pub struct Providers {
    list: Vec<Arc<dyn Provider>>,
    configs: BTreeMap<ProviderConfigAddr, Arc<dyn Provider>>,
    /// What the providers' endpoints need kept alive as long as they are
    /// used (an embedded emulator the caller started).
    held: Vec<Arc<dyn std::any::Any + Send + Sync>>,
    /// The clock the built-in `time_sleep` waits on.
    clock: Arc<builtin::CloudClock>,
    /// What `terraform_remote_state` reads states with.
    remote: Arc<builtin::terraform::RemoteSlot>,
}

impl Providers {
    pub fn builtin() -> Providers {
        let mut p = Providers::default();
        p.add(Arc::new(builtin::terraform::BuiltinTerraform {
            remote: p.remote.clone(),
        }));
        for b in builtin::all(&p.clock) {
            p.add(b);
        }
        p
    }

    /// Adds `alias` configurations of the built-in providers the root
    /// module's `provider` blocks declare (`provider "random" { alias =
    /// "x" }`): the same provider, since they take no settings.
    pub fn add_builtin_aliases(&mut self, config: &crate::config::Config) {
        let Some(root) = config.modules.first() else {
            return;
        };
        for p in &root.providers {
            let source = crate::config::providers::source_of(root, &p.name);
            let (Some(alias), Some(_)) = (&p.alias, builtin::family_of_source(&source)) else {
                continue;
            };
            let Some(provider) = self.list.iter().find(|x| x.name() == source).cloned() else {
                continue;
            };
            self.add_config(
                ProviderConfigAddr {
                    provider: source,
                    alias: Some(alias.clone()),
                },
                provider,
            );
        }
    }

    /// `terraform_remote_state` reads states through `reader`.
    pub fn read_remote_states_with(&self, reader: Arc<dyn builtin::terraform::RemoteStateReader>) {
        self.remote.set(reader);
    }

    /// From now on `time_sleep` waits on `cloud`'s clock (see
    /// `builtin/clock.rs`).
    pub fn follow_cloud_clock(&self, cloud: Arc<dyn Provider>) {
        self.clock.follow(cloud);
    }

    /// Adds a provider as its default configuration.
    pub fn add(&mut self, p: Arc<dyn Provider>) {
        self.add_config(ProviderConfigAddr::default_for(p.name()), p);
    }

    /// Adds a provider as the configuration `addr`.
    pub fn add_config(&mut self, addr: ProviderConfigAddr, p: Arc<dyn Provider>) {
        if !self.list.iter().any(|q| Arc::ptr_eq(q, &p)) {
            self.list.push(p.clone());
        }
        self.configs.insert(addr, p);
    }

    /// Keeps `handle` (an embedded emulator) alive as long as these
    /// providers live.
    pub fn hold(&mut self, handle: impl std::any::Any + Send + Sync) {
        self.held.push(Arc::new(handle));
    }

    /// Every provider instance, once.
    pub fn all(&self) -> &[Arc<dyn Provider>] {
        &self.list
    }

    /// Every configuration with its provider.
    pub fn configs(&self) -> impl Iterator<Item = (&ProviderConfigAddr, &Arc<dyn Provider>)> {
        self.configs.iter()
    }

    /// The default configuration of the provider that handles `ty`.
    pub fn for_type(&self, ty: &str) -> Result<Arc<dyn Provider>, ProviderError> {
        self.configs
            .iter()
            .filter(|(a, _)| a.alias.is_none())
            .map(|(_, p)| p)
            .chain(self.list.iter())
            .find(|p| p.handles(ty))
            .cloned()
            .ok_or_else(|| ProviderError::UnknownType(ty.to_string()))
    }

    /// The provider of configuration `addr`, for a resource of type `ty`.
    pub fn for_config(
        &self,
        addr: &ProviderConfigAddr,
        ty: &str,
    ) -> Result<Arc<dyn Provider>, ProviderError> {
        match self.configs.get(addr) {
            Some(p) if p.handles(ty) => Ok(p.clone()),
            Some(_) => Err(ProviderError::UnknownType(ty.to_string())),
            // Default configurations are implicit: the provider that
            // handles the type (and a type no provider knows says so).
            None if addr.alias.is_none() => self.for_type(ty),
            None if self.for_type(ty).is_err() => Err(ProviderError::UnknownType(ty.to_string())),
            None => Err(ProviderError::NoConfiguration(addr.to_string())),
        }
    }

    /// The provider of a recorded configuration address (`provider[...]`,
    /// or a bare provider name from before aliases: its default).
    pub fn for_recorded(
        &self,
        recorded: &str,
        ty: &str,
    ) -> Result<Arc<dyn Provider>, ProviderError> {
        match ProviderConfigAddr::parse(recorded) {
            Some(addr) => self.for_config(&addr, ty),
            None => self.for_type(ty),
        }
    }
}

impl crate::config::evaluate::Schemas for Providers {
    fn computed_attributes(&self, ty: &str) -> Vec<String> {
        if let Some(s) = self.for_type(ty).ok().and_then(|p| p.schema(ty)) {
            return s
                .attrs
                .iter()
                .filter(|(_, a)| a.computed)
                .map(|(n, _)| n.to_string())
                .collect();
        }
        // A provider's types are known even when no client is set up.
        type_facts(ty).computed_attributes(ty).unwrap_or_default()
    }

    fn attribute_names(&self, ty: &str) -> Option<Vec<String>> {
        if let Some(s) = self.for_type(ty).ok().and_then(|p| p.schema(ty)) {
            return Some(s.attrs.keys().map(|k| k.to_string()).collect());
        }
        // As above: `validate` knows a provider's types without a client.
        type_facts(ty).attribute_names(ty)
    }

    fn data_attribute_names(&self, ty: &str) -> Option<Vec<String>> {
        type_facts(ty).data_attribute_names(ty)
    }

    fn unread_data_attribute(&self, ty: &str, attr: &str) -> Option<String> {
        type_facts(ty).unread_data_attribute(ty, attr)
    }

    fn complete_blocks(&self, ty: &str, attrs: &mut BTreeMap<String, Value>) {
        type_facts(ty).complete_blocks(ty, attrs);
    }

    fn block_names(&self, ty: &str, path: &[&str]) -> Option<crate::config::evaluate::BlockNames> {
        type_facts(ty).block_names(ty, path)
    }
}

/// The providers drinfra ships besides the built-in one: (local name,
/// source address).
pub const SHIPPED: &[(&str, &str)] = &[
    ("azurerm", azure::PROVIDER_NAME),
    ("drinfra", kubernetes::PROVIDER_NAME),
];

/// `value` (the attributes of a `ty` object) with what the provider's
/// schema says is sensitive marked, at any depth, and with values a
/// provider derives from sensitive inputs marked as their inputs are
/// (`terraform_data`'s `output` echoes `input`). Needs no cloud client, so
/// state and plan renderers can use it on recorded values.
pub fn mark_sensitive(ty: &str, value: Value) -> Value {
    type_facts(ty).mark_sensitive(ty, value)
}

/// The answers for a type no provider knows: the defaults.
struct NoFacts;

impl TypeFacts for NoFacts {}

/// Every provider's facts.
pub fn all_type_facts() -> [&'static dyn TypeFacts; 4] {
    [
        &terraform_data::TerraformData,
        &azure::facts::AZURE,
        &kubernetes::FACTS,
        &builtin::FACTS,
    ]
}

/// The facts of the provider that manages resource type `ty`.
pub fn type_facts(ty: &str) -> &'static dyn TypeFacts {
    if ty == "terraform_data" {
        &terraform_data::TerraformData
    } else if ty.starts_with("azurerm_") {
        &azure::facts::AZURE
    } else if kubernetes::handles(ty) {
        &kubernetes::FACTS
    } else if builtin::has(false, ty) || builtin::has(true, ty) {
        &builtin::FACTS
    } else {
        &NoFacts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::FailoverRole;

    #[test]
    fn types_find_their_providers_facts() {
        let holds = |ty: &str| type_facts(ty).holds_data(ty);
        assert!(holds("azurerm_storage_account"));
        assert!(!holds("terraform_data"));
        assert_eq!(
            type_facts("random_id").typical_seconds(
                "random_id",
                crate::provider::StepKind::Update,
                None,
                None
            ),
            5
        );
        assert_eq!(
            type_facts("azurerm_dns_zone").failover_role("azurerm_dns_zone"),
            FailoverRole::Traffic
        );
        let role = |r: &str| {
            Value::Object([("replication_role".to_string(), Value::String(r.into()))].into())
        };
        let pg = "azurerm_postgresql_flexible_server";
        let promotes = |ty: &str, before: &str, after: &str| {
            type_facts(ty).promotes(ty, Some(&role(before)), Some(&role(after)))
        };
        assert!(promotes(pg, "AsyncReplica", "None"));
        assert!(!promotes(pg, "Primary", "None"));
        assert!(!promotes("terraform_data", "AsyncReplica", "None"));
        let builtin = Providers::builtin();
        let td = builtin.for_type("terraform_data").unwrap();
        assert!(!td.facts().holds_data("terraform_data"));
        assert_eq!(
            td.facts().mark_sensitive("terraform_data", Value::Null),
            Value::Null
        );
    }
}

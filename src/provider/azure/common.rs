//! The Azure provider's value (client, subscription, sign-in) and the
//! small helpers every part of it uses.

use std::sync::Arc;

use super::client::ArmClient;
use super::typedef::{Attrs, TypeDef};
use super::types;
use crate::lang::Value;
use crate::provider::ProviderError;

pub struct AzureProvider {
    pub client: Arc<ArmClient>,
    pub subscription: String,
    /// "Azure subscription ..." or "drinfra emulator at ...".
    pub cloud: String,
    /// How replicas are promoted (`Planned`: wait for replication;
    /// `Forced`: promote now); None until a failover sets it.
    pub promote_option: std::sync::Mutex<Option<crate::provider::Promotion>>,
    /// Talking to drinfra's emulator (known from setup): its admin API
    /// can say what a promotion lost, which Azure cannot.
    pub emulator: bool,
    /// Who drinfra signs in as, for `data "azurerm_client_config"`.
    pub principal: Principal,
    /// Refuse to delete a resource group that still holds resources
    /// (azurerm's `prevent_deletion_if_contains_resources`, default true).
    pub keep_nonempty_resource_groups: bool,
    /// Regions that did not answer in this run: not asked again.
    pub regions: super::breaker::RegionBreaker,
    /// PostgreSQL servers' restore windows, as read.
    pub backups: super::restore::BackupWindows,
    /// Key Vault secrets and keys: azurerm's `features { key_vault }` and the
    /// cloud's Key Vault token scope.
    pub key_vault: KeyVaultSettings,
}

/// azurerm's `features { key_vault { ... } }` for secrets and keys, and the cloud's
/// Key Vault token scope.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyVaultSettings {
    pub purge_soft_deleted_secrets_on_destroy: bool,
    pub recover_soft_deleted_secrets: bool,
    pub purge_soft_deleted_keys_on_destroy: bool,
    pub recover_soft_deleted_keys: bool,
    /// `https://vault.azure.net/.default` in Azure's public cloud.
    pub scope: String,
}

impl Default for KeyVaultSettings {
    fn default() -> KeyVaultSettings {
        KeyVaultSettings {
            purge_soft_deleted_secrets_on_destroy: true,
            recover_soft_deleted_secrets: true,
            purge_soft_deleted_keys_on_destroy: true,
            recover_soft_deleted_keys: true,
            scope: key_vault_scope("vault.azure.net"),
        }
    }
}

/// The token scope for a cloud's Key Vault DNS suffix.
pub fn key_vault_scope(dns_suffix: &str) -> String {
    format!("https://{}/.default", dns_suffix.trim_matches('.'))
}

/// The signed-in identity, as far as the configuration names it.
#[derive(Debug, Clone, Default)]
pub struct Principal {
    pub tenant_id: String,
    pub client_id: String,
}

pub(super) fn attrs(v: &Value) -> Attrs {
    v.unmark().0.as_mapping().cloned().unwrap_or_default()
}

pub(super) fn lookup(ty: &str) -> Result<TypeDef, ProviderError> {
    types::lookup(ty).ok_or_else(|| ProviderError::UnknownType(ty.to_string()))
}

pub(super) fn str_of(a: &Attrs, k: &str) -> Option<String> {
    match a.get(k).map(|v| v.unmark().0) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

pub(super) fn w_str(v: Option<&Value>) -> Option<&str> {
    match v.map(|v| v.unmark().0) {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    }
}

pub(super) fn pool_temp_name(a: &Attrs, name: &str) -> String {
    str_of(a, "temporary_name_for_rotation")
        .unwrap_or_else(|| format!("{}rot", name.chars().take(9).collect::<String>()))
}

//! Refresh: reading every recorded object from its provider, and the
//! drift found.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::plan::model::*;
use crate::provider::terraform_data::same;
use crate::provider::{Provider, Providers};
use crate::state::{ResourceState, State};

use super::secrets::SecretUses;

/// Reads every recorded object; returns the refreshed state and the drift.
/// Secrets that cost a request of their own are read only for the objects
/// in `secrets` (what the configuration uses); the others keep what state
/// recorded of them.
pub async fn refresh(
    prior: &State,
    providers: &Providers,
    parallelism: usize,
    secrets: &SecretUses,
) -> (State, Vec<Drift>, Diagnostics) {
    let mut refreshed = prior.clone();
    let mut drift = Vec::new();
    let mut diags = Diagnostics::default();
    let _ = parallelism;
    // One bulk read per provider configuration (Resource Graph for Azure),
    // through the configuration that manages each object.
    let mut groups: BTreeMap<String, (Arc<dyn Provider>, Vec<ResourceState>)> = BTreeMap::new();
    for rs in prior.resources.values() {
        match providers.for_recorded(&rs.provider, &rs.ty) {
            Ok(p) => groups
                .entry(recorded_config(rs))
                .or_insert_with(|| (p.clone(), Vec::new()))
                .1
                .push(rs.clone()),
            Err(e) => diags.push(missing_configuration(rs, e)),
        }
    }
    let mut set = tokio::task::JoinSet::new();
    for (_, (provider, states)) in groups {
        let wanted: Vec<bool> = states.iter().map(|rs| secrets.wants(rs)).collect();
        set.spawn(async move {
            let items: Vec<(String, Value)> = states
                .iter()
                .map(|rs| (rs.ty.clone(), rs.value()))
                .collect();
            let mut results = provider.read_many(&items).await;
            for ((rs, got), want) in states.iter().zip(results.iter_mut()).zip(wanted) {
                if let (true, Ok(Some(v))) = (want, &*got) {
                    *got = provider.read_secrets(&rs.ty, v).await.map(Some);
                }
            }
            states.into_iter().zip(results).collect::<Vec<_>>()
        });
    }
    while let Some(joined) = set.join_next().await {
        let Ok(pairs) = joined else { continue };
        for (rs, got) in pairs {
            match got {
                Ok(None) => {
                    drift.push(Drift {
                        address: rs.address.clone(),
                        ty: rs.ty.clone(),
                        before: rs.value(),
                        after: None,
                        shown: vec![],
                    });
                    refreshed.resources.remove(&rs.address);
                }
                Ok(Some(v)) => {
                    // What was sensitive stays so (a mark that came from the
                    // configuration is not in what the cloud returns).
                    let v = crate::provider::mark_sensitive(
                        &rs.ty,
                        crate::state::marks::apply(v, &rs.sensitive_paths),
                    );
                    let before = rs.value();
                    if !same(&before, &v) {
                        drift.push(Drift {
                            address: rs.address.clone(),
                            ty: rs.ty.clone(),
                            before,
                            after: Some(v.clone()),
                            shown: vec![],
                        });
                        let entry = refreshed
                            .resources
                            .get_mut(&rs.address)
                            .expect("refreshed entry");
                        entry.attributes = v.unmark().0.to_json();
                        let mut paths = crate::state::marks::paths(&v);
                        for p in &rs.sensitive_paths {
                            if !paths.contains(p) {
                                paths.push(p.clone());
                            }
                        }
                        entry.sensitive_paths = paths;
                    }
                }
                Err(e) => diags.push(
                    Diagnostic::error(format!("Failed to refresh {}", rs.address))
                        .with_detail(crate::lang::redact::redact(e.to_string(), &[&rs.value()])),
                ),
            }
        }
    }
    drift.sort_by(|a, b| a.address.cmp(&b.address));
    (refreshed, drift, diags)
}

/// The configuration address a state entry records (a bare provider name,
/// from before aliases, is its default configuration).
pub(super) fn recorded_config(rs: &ResourceState) -> String {
    crate::provider::ProviderConfigAddr::parse(&rs.provider)
        .map(|a| a.to_string())
        .unwrap_or_else(|| rs.provider.clone())
}

/// A recorded object whose provider configuration is gone.
pub(super) fn missing_configuration(
    rs: &ResourceState,
    e: crate::provider::ProviderError,
) -> Diagnostic {
    match e {
        crate::provider::ProviderError::NoConfiguration(cfg) => Diagnostic::error("Provider configuration not present").with_detail(format!(
            "To work with {addr} its original provider configuration at {cfg} is required, but it has been removed. This occurs when a provider configuration is removed while objects created by that provider still exist in the state. Re-add the provider configuration to destroy {addr}, after which you can remove the provider configuration again.",
            addr = rs.address
        )),
        other => Diagnostic::error(format!("Cannot refresh {}", rs.address)).with_detail(other.to_string()),
    }
}

//! Bringing existing objects under management: `drinfra import` and
//! `import` blocks read the object through its provider and record it.

use crate::config::evaluate::InstanceKey;
use crate::lang::Value;
use crate::plan::planner::parse_instance;
use crate::provider::{Provider, ProviderError};
use crate::state::{ResourceState, marks};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0:?} is not a resource instance address")]
    Address(String),
    #[error("no object with id {id:?} exists (for {address})")]
    Missing { address: String, id: String },
    #[error(transparent)]
    Provider(#[from] ProviderError),
}

/// Reads the object `id` as `address` (of type `ty`) and returns its record.
pub async fn import(
    provider: &dyn Provider,
    address: &str,
    ty: &str,
    id: &str,
) -> Result<ResourceState, ImportError> {
    let (module, resource, key) =
        parse_instance(address).ok_or_else(|| ImportError::Address(address.to_string()))?;
    let name = resource.rsplit('.').next().unwrap_or_default().to_string();
    let stub = provider.import_stub(ty, id);
    let value: Value = provider
        .read(ty, &stub)
        .await?
        .ok_or_else(|| ImportError::Missing {
            address: address.to_string(),
            id: id.to_string(),
        })?;
    let value = crate::provider::mark_sensitive(ty, value);
    Ok(ResourceState {
        address: address.to_string(),
        module: crate::config::evaluate::module_prefix(&module)
            .trim_end_matches('.')
            .to_string(),
        mode: "managed".into(),
        ty: ty.to_string(),
        name,
        index: match key {
            InstanceKey::None => None,
            InstanceKey::Int(i) => Some(serde_json::Value::from(i)),
            InstanceKey::Str(s) => Some(serde_json::Value::String(s)),
        },
        provider: crate::provider::ProviderConfigAddr::default_for(provider.name()).to_string(),
        attributes: value.unmark().0.to_json(),
        sensitive_paths: marks::paths(&value),
        dependencies: vec![],
        create_before_destroy: false,
    })
}

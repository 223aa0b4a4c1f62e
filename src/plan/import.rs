//! Bringing existing objects under management: `drinfra import` and
//! `import` blocks read the object through its provider and record it.

use crate::addrs::AbsResourceInstance;
use crate::lang::Value;
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
    let target: AbsResourceInstance = address
        .parse()
        .map_err(|_| ImportError::Address(address.to_string()))?;
    let stub = provider.import_stub(ty, id);
    let value: Value = provider
        .read(ty, &stub)
        .await?
        .ok_or_else(|| ImportError::Missing {
            address: address.to_string(),
            id: id.to_string(),
        })?;
    // Secrets read by requests of their own come in once, as at create.
    let value = provider.read_secrets(ty, &value).await?;
    let value = crate::provider::mark_sensitive(ty, value);
    Ok(ResourceState {
        address: address.to_string(),
        module: target.module.to_string(),
        mode: "managed".into(),
        ty: ty.to_string(),
        name: target.resource.name,
        index: target.key.to_json(),
        provider: crate::provider::ProviderConfigAddr::default_for(provider.name()).to_string(),
        attributes: value.unmark().0.to_json(),
        sensitive_paths: marks::paths(&value),
        dependencies: vec![],
        create_before_destroy: false,
    })
}

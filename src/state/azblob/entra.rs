//! Entra ID bearer tokens for the state blob, through the Azure
//! provider's credentials.

use std::sync::Mutex;

use crate::provider::azure::auth;
use crate::provider::azure::error::AzureError;
use crate::provider::azure::setup::{self, SetupError};

/// Entra ID tokens for the data plane, set up on first use (finding the
/// sign-in host may need the cloud's metadata) on the backend's thread.
pub(super) struct Entra {
    pub(super) settings: crate::provider::azure::setup::Settings,
    pub(super) identity: Mutex<Option<std::sync::Arc<crate::provider::azure::auth::Identity>>>,
}

/// Why no token could be had.
#[derive(Debug, thiserror::Error)]
pub(super) enum SignInError {
    #[error("{0}")]
    Setup(#[from] SetupError),
    #[error("{0}")]
    Azure(#[from] AzureError),
    /// A thread panicked while it held the cached identity.
    #[error("poisoned lock: another task failed inside")]
    Poisoned,
}

impl Entra {
    pub(super) async fn token(&self, http: &reqwest::Client) -> Result<String, SignInError> {
        let known = self
            .identity
            .lock()
            .map_err(|_| SignInError::Poisoned)?
            .clone();
        let identity = match known {
            Some(i) => i,
            None => {
                let (_, login, _) = setup::endpoints(&self.settings, http).await?;
                let method = setup::method(&self.settings)?;
                let i = std::sync::Arc::new(auth::Identity::for_scope(
                    &method,
                    &login,
                    http.clone(),
                    auth::STORAGE_SCOPE,
                )?);
                *self.identity.lock().map_err(|_| SignInError::Poisoned)? = Some(i.clone());
                i
            }
        };
        Ok(auth::TokenSource::token(identity.as_ref(), http).await?)
    }
}

//! Entra ID bearer tokens for the state blob, through the Azure
//! provider's credentials.

use std::sync::Mutex;

/// Entra ID tokens for the data plane, set up on first use (finding the
/// sign-in host may need the cloud's metadata) on the backend's thread.
pub(super) struct Entra {
    pub(super) settings: crate::provider::azure::setup::Settings,
    pub(super) identity: Mutex<Option<std::sync::Arc<crate::provider::azure::auth::Identity>>>,
}

impl Entra {
    pub(super) async fn token(&self, http: &reqwest::Client) -> Result<String, String> {
        use crate::provider::azure::{auth, setup};
        let known = self.identity.lock().map_err(|e| e.to_string())?.clone();
        let identity = match known {
            Some(i) => i,
            None => {
                let (_, login) = setup::endpoints(&self.settings, http)
                    .await
                    .map_err(|e| e.to_string())?;
                let method = setup::method(&self.settings).map_err(|e| e.to_string())?;
                let i = std::sync::Arc::new(
                    auth::Identity::for_scope(&method, &login, http.clone(), auth::STORAGE_SCOPE)
                        .map_err(|e| e.to_string())?,
                );
                *self.identity.lock().map_err(|e| e.to_string())? = Some(i.clone());
                i
            }
        };
        auth::TokenSource::token(identity.as_ref(), http)
            .await
            .map_err(|e| e.to_string())
    }
}

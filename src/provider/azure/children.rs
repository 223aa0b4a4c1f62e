//! Child resources written and read with their parent (a storage
//! account's blob service properties).

use reqwest::Method;
use serde_json::{Value as J, json};

use super::common::{AzureProvider, str_of};
use super::convert::{self};
use super::error::{AzureError, err};
use super::typedef::{Attrs, TypeDef};
use crate::provider::ProviderError;

impl AzureProvider {
    /// The state value for an ARM body, carrying forward what Azure does
    /// not return (write-only secrets, config-only arguments).
    /// Settings that live on child resources are written after the
    /// parent: a storage account's blob service (`blobServices/default`).
    /// Takes them out of `body` and returns them.
    pub(super) fn split_children(t: &TypeDef, body: &mut J) -> Option<J> {
        if t.name != "azurerm_storage_account" {
            return None;
        }
        body.as_object_mut()?.remove("blobServices")
    }

    pub(super) async fn write_children(
        &self,
        t: &TypeDef,
        id: &str,
        children: Option<J>,
        got: &mut J,
    ) -> Result<(), ProviderError> {
        if let Some(blob) = children {
            let written = self
                .client
                .write(
                    Method::PUT,
                    &format!("{id}/blobServices/default"),
                    t.api,
                    &blob,
                )
                .await
                .map_err(err)?;
            got["blobServices"] = written;
        }
        Ok(())
    }

    /// Reads the child settings the recorded object manages (a bulk
    /// refresh stays bulk for accounts without `blob_properties`).
    pub(super) fn has_children(t: &TypeDef, known: &Attrs) -> bool {
        t.name == "azurerm_storage_account"
            && known
                .get("blob_properties")
                .and_then(|v| v.as_seq())
                .is_some_and(|s| !s.is_empty())
    }

    pub(super) async fn read_children(
        &self,
        t: &TypeDef,
        id: &str,
        known: &Attrs,
        body: &mut J,
    ) -> Result<(), ProviderError> {
        if Self::has_children(t, known) {
            match self
                .client
                .get(&format!("{id}/blobServices/default"), t.api)
                .await
            {
                Ok(Some(blob)) => body["blobServices"] = blob,
                Ok(None) => {}
                // The account is readable from anywhere (Resource Graph),
                // its blob service only from its region: while that region
                // is out, keep what was recorded rather than fail the plan.
                Err(
                    e @ (AzureError::Api {
                        status: 503 | 504, ..
                    }
                    | AzureError::Transport { .. }
                    | AzureError::Timeout(_)),
                ) => {
                    if let AzureError::Api { code, message, .. } = &e
                        && let Some(region) = str_of(known, "location")
                    {
                        self.regions.down(&region, code, message);
                    }
                    let mut recorded = json!({});
                    convert::write_args(
                        t.args
                            .iter()
                            .filter(|a| a.name == "blob_properties")
                            .cloned()
                            .collect::<Vec<_>>()
                            .as_slice(),
                        known,
                        &mut recorded,
                        true,
                    );
                    if let Some(to_body) = t.to_body {
                        to_body(known, &mut recorded);
                    }
                    body["blobServices"] = recorded["blobServices"].take();
                }
                Err(e) => return Err(err(e)),
            }
        }
        Ok(())
    }
}

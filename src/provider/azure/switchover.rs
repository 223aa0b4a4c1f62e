//! The cloud side of a PostgreSQL switchover's virtual endpoint: read
//! where a switchover moved it, and an update that checks the move (see
//! `virtual_endpoint.rs` for the type).

use reqwest::Method;
use serde_json::{Value as J, json};

use super::common::{AzureProvider, attrs, str_of};
use super::error::err;
use super::typedef::Attrs;
use super::virtual_endpoint::{API, TYPE, last_segment, server_of};
use crate::lang::Value;
use crate::provider::{ErrorKind, ProviderError};

impl AzureProvider {
    /// After a switchover the endpoint lives on what was its replica.
    pub(super) async fn read_moved_endpoint(
        &self,
        known: &Attrs,
    ) -> Result<Option<J>, ProviderError> {
        let (Some(replica), Some(name)) =
            (str_of(known, "replica_server_id"), str_of(known, "name"))
        else {
            return Ok(None);
        };
        let id = format!("{replica}/virtualEndpoints/{name}");
        self.client.get(&id, API).await.map_err(err)
    }

    /// An update: the member changed, or the pair swapped (a switchover
    /// moved the endpoint, which is checked, not redone).
    pub(super) async fn update_endpoint(
        &self,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let t = super::common::lookup(TYPE)?;
        let (old, a) = (attrs(prior), attrs(planned));
        let need = |k: &str| {
            str_of(&a, k).ok_or_else(|| ProviderError::Invalid(format!("{k} must be known")))
        };
        let (source, replica, name) = (
            need("source_server_id")?,
            need("replica_server_id")?,
            need("name")?,
        );
        let id = format!("{source}/virtualEndpoints/{name}");
        let Some(now) = self.client.get(&id, API).await.map_err(err)? else {
            // Not where the configuration wants it: still on the old
            // primary (a standalone promotion leaves it there), or gone.
            let old_id = str_of(&old, "id").unwrap_or_default();
            let still = self.client.get(&old_id, API).await.map_err(err)?;
            return Err(match still {
                Some(_) => ProviderError::api(
                    ErrorKind::Invalid,
                    "VirtualEndpointNotMoved",
                    format!(
                        "the virtual endpoint {name:?} is still on {} (its writer points there): Azure moves it to the new primary only in a planned switchover, not when a replica is promoted standalone. Delete it and create it on {} once {} replicates from it.",
                        last_segment(&server_of(&old_id)),
                        last_segment(&source),
                        last_segment(&replica)
                    ),
                ),
                None => ProviderError::api(
                    ErrorKind::NotFound,
                    "ResourceNotFound",
                    format!("the virtual endpoint {name:?} no longer exists"),
                ),
            });
        };
        let member = now
            .pointer("/properties/members/0")
            .and_then(J::as_str)
            .unwrap_or_default();
        let got = if member.eq_ignore_ascii_case(last_segment(&replica)) {
            now
        } else {
            let patch = json!({"properties": {"endpointType": str_of(&a, "type").unwrap_or_else(|| "ReadWrite".into()), "members": [last_segment(&replica)]}});
            self.client
                .write(Method::PATCH, &id, API, &patch)
                .await
                .map_err(err)?;
            self.get_existing(&id, API).await?
        };
        Ok(self.state_from(&t, &got, &a))
    }
}

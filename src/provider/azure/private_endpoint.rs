//! What `azurerm_private_endpoint` reads and writes beyond the endpoint's
//! own body, as azurerm does: the private DNS zone group (a child
//! resource, written after the endpoint, removed before it) and the
//! address of the network interface Azure made for it. The table and the
//! body mapping are `types/private_endpoint.rs`.

use reqwest::Method;
use serde_json::Value as J;

use super::common::AzureProvider;
use super::error::err;
use super::typedef::Attrs;
use super::types::private_endpoint::{
    NIC_IP_KEY, ZONE_GROUPS_KEY, wanted_zone_group, zone_group_body,
};
use crate::lang::Value;
use crate::provider::{ErrorKind, ProviderError};

pub(super) use super::types::private_endpoint::TYPE;

const API: &str = "2024-05-01";

/// `query` without its `api-version` (the client adds its own).
fn without_api_version(path: &str) -> String {
    match path.split_once('?') {
        Some((p, q)) => {
            let kept: Vec<&str> = q
                .split('&')
                .filter(|kv| !kv.to_ascii_lowercase().starts_with("api-version="))
                .collect();
            if kept.is_empty() {
                p.to_string()
            } else {
                format!("{p}?{}", kept.join("&"))
            }
        }
        None => path.to_string(),
    }
}

/// The zone ids of a zone group as ARM reports it.
fn zone_ids(group: &J) -> Vec<String> {
    group["properties"]["privateDnsZoneConfigs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["properties"]["privateDnsZoneId"].as_str())
        .map(str::to_string)
        .collect()
}

impl AzureProvider {
    /// Every zone group of endpoint `id`.
    async fn zone_groups(&self, id: &str) -> Result<Vec<J>, ProviderError> {
        self.list_all(&format!("{id}/privateDnsZoneGroups"), API)
            .await
    }

    /// Every element of the ARM list at `path`, following its pages (on
    /// the ARM endpoint only); none when the list's parent is gone.
    pub(super) async fn list_all(&self, path: &str, api: &str) -> Result<Vec<J>, ProviderError> {
        let mut out = vec![];
        let mut next = Some(path.to_string());
        let mut pages = 0;
        while let Some(path) = next.take() {
            pages += 1;
            let Some(page) = self.client.get(&path, api).await.map_err(err)? else {
                break;
            };
            out.extend(page["value"].as_array().cloned().unwrap_or_default());
            if let Some(link) = page["nextLink"].as_str() {
                let rel = self.client.relative(link);
                if rel.starts_with('/') && pages < 1000 {
                    next = Some(without_api_version(&rel));
                }
            }
        }
        Ok(out)
    }

    /// Puts into `body` what the endpoint's state reads besides it: its
    /// zone groups and its network interface's address.
    pub(super) async fn read_endpoint_extras(
        &self,
        id: &str,
        body: &mut J,
    ) -> Result<(), ProviderError> {
        body[ZONE_GROUPS_KEY] = J::Array(self.zone_groups(id).await?);
        body[NIC_IP_KEY] = self
            .endpoint_address(body)
            .await?
            .map_or(J::Null, J::String);
        Ok(())
    }

    /// [`Self::read_endpoint_extras`], or what state recorded while the
    /// endpoint's region does not answer (as for other child settings:
    /// the endpoint itself came from Resource Graph).
    pub(super) async fn read_endpoint_extras_or_recorded(
        &self,
        id: &str,
        known: &Attrs,
        body: &mut J,
    ) -> Result<(), ProviderError> {
        match self.read_endpoint_extras(id, body).await {
            Err(e) if e.kind() == ErrorKind::Unreachable => {
                keep_recorded(known, body);
                Ok(())
            }
            other => other,
        }
    }

    /// The private address of the network interface Azure made for the
    /// endpoint `body` describes (azurerm reads it there).
    pub(super) async fn endpoint_address(&self, body: &J) -> Result<Option<String>, ProviderError> {
        let Some(nic) = body["properties"]["networkInterfaces"][0]["id"].as_str() else {
            return Ok(None);
        };
        let n = self.client.get(nic, API).await.map_err(err)?;
        Ok(n.and_then(|n| {
            n["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]
                .as_str()
                .map(str::to_string)
        }))
    }

    /// Makes the endpoint's zone groups what `a` asks for, as azurerm
    /// does: a group no longer wanted, renamed, or whose zones were
    /// swapped one for one is deleted first; the wanted one is then
    /// written unless it is already there as asked.
    pub(super) async fn sync_zone_group(&self, id: &str, a: &Attrs) -> Result<(), ProviderError> {
        let existing = self.zone_groups(id).await?;
        let wanted = wanted_zone_group(a);
        let mut keep = false;
        for g in &existing {
            let name = g["name"].as_str().unwrap_or_default();
            let same = wanted.as_ref().is_some_and(|(n, zones)| {
                n == name && {
                    let mut have = zone_ids(g);
                    let mut want = zones.clone();
                    have.sort();
                    want.sort();
                    have.len() == want.len()
                        && have
                            .iter()
                            .zip(&want)
                            .all(|(x, y)| x.eq_ignore_ascii_case(y))
                }
            });
            // Same name, as many zones but others: Azure does not update a
            // config in place, so the group is made again.
            let swapped = wanted
                .as_ref()
                .is_some_and(|(n, zones)| n == name && !same && zone_ids(g).len() == zones.len());
            let renamed = wanted.as_ref().is_none_or(|(n, _)| n != name);
            if same {
                keep = true;
            } else if swapped || renamed {
                let gid = g["id"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{id}/privateDnsZoneGroups/{name}"));
                self.client.delete(&gid, API).await.map_err(err)?;
            }
        }
        if let (Some((name, zones)), false) = (wanted, keep) {
            self.client
                .write(
                    Method::PUT,
                    &format!("{id}/privateDnsZoneGroups/{name}"),
                    API,
                    &zone_group_body(&zones),
                )
                .await
                .map_err(err)?;
        }
        Ok(())
    }

    /// azurerm deletes an endpoint's zone groups before the endpoint.
    pub(super) async fn delete_zone_groups(&self, id: &str) -> Result<(), ProviderError> {
        for g in self.zone_groups(id).await? {
            if let Some(gid) = g["id"].as_str() {
                self.client.delete(gid, API).await.map_err(err)?;
            }
        }
        Ok(())
    }
}

/// The recorded address in `body`, and no zone groups (so state keeps the
/// recorded ones).
pub(super) fn keep_recorded(known: &Attrs, body: &mut J) {
    if let Some(m) = body.as_object_mut() {
        m.remove(ZONE_GROUPS_KEY);
    }
    let ip = known
        .get("private_service_connection")
        .and_then(Value::as_seq)
        .and_then(|s| s.first())
        .and_then(Value::as_mapping)
        .and_then(|b| b.get("private_ip_address"))
        .map(|v| v.unmark().0.to_json())
        .unwrap_or(J::Null);
    body[NIC_IP_KEY] = ip;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// While the region is down the endpoint keeps its
    /// recorded address (and zone groups), never a null that reads as drift.
    #[test]
    fn an_unreachable_region_keeps_the_recorded_address() {
        let known: Attrs = [(
            "private_service_connection".to_string(),
            Value::List(vec![Value::Object(
                [(
                    "private_ip_address".to_string(),
                    Value::String("10.1.2.4".into()),
                )]
                .into(),
            )]),
        )]
        .into();
        let mut body = serde_json::json!({"privateDnsZoneGroups": []});
        keep_recorded(&known, &mut body);
        assert_eq!(body[NIC_IP_KEY], "10.1.2.4");
        assert!(body.get(ZONE_GROUPS_KEY).is_none());
    }

    #[test]
    fn a_next_link_keeps_its_token_but_not_its_api_version() {
        assert_eq!(
            without_api_version("/x/privateDnsZoneGroups?api-version=2024-05-01&$skiptoken=o1"),
            "/x/privateDnsZoneGroups?$skiptoken=o1"
        );
        assert_eq!(without_api_version("/x?api-version=1"), "/x");
        assert_eq!(without_api_version("/x"), "/x");
    }
}

//! Failover actions beyond configuration (a storage account's failover
//! to its secondary region) and replication lag as Azure measures it.

use serde_json::{Value as J, json};

use super::common::{AzureProvider, attrs, lookup, str_of};
use super::error::err;
use crate::lang::Value;
use crate::provider::{BoxFut, ErrorKind, LostWrites, ProviderError};

impl AzureProvider {
    pub(super) fn fail_over_site<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
        away: bool,
        planned: bool,
    ) -> BoxFut<'a, Result<Option<String>, ProviderError>> {
        Box::pin(async move {
            if ty != "azurerm_storage_account" {
                return Err(ProviderError::Invalid(format!(
                    "{ty} has no failover action; only azurerm_storage_account does"
                )));
            }
            let t = lookup(ty)?;
            let id = str_of(&attrs(current), "id")
                .ok_or_else(|| ProviderError::Invalid("the recorded object has no id".into()))?;
            let now = self.get_existing(&id, t.api).await?;
            let home = now
                .get("location")
                .and_then(J::as_str)
                .unwrap_or_default()
                .to_lowercase();
            let primary = now
                .pointer("/properties/primaryLocation")
                .and_then(J::as_str)
                .unwrap_or(&home)
                .to_lowercase();
            let secondary = now
                .pointer("/properties/secondaryLocation")
                .and_then(J::as_str)
                .map(str::to_lowercase);
            if (primary != home) == away {
                return Ok(None);
            }
            let Some(secondary) = secondary else {
                return Err(ProviderError::Api {
                    kind: ErrorKind::Invalid,
                    code: "FailoverNotSupported".into(),
                    message: format!(
                        "{id} has no secondary region (not geo-redundant now); re-enable GRS with an apply first"
                    ),
                    retryable: false,
                });
            };
            // Unplanned is Azure's default; planned keeps geo-redundancy.
            let query = if planned { "failoverType=Planned" } else { "" };
            self.client
                .action(&id, "failover", t.api, query, &json!({}))
                .await
                .map_err(err)?;
            Ok(Some(format!(
                "{} failover {primary} -> {secondary}",
                if planned { "planned" } else { "unplanned" }
            )))
        })
    }

    pub(super) fn lag_of<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Option<f64>, ProviderError>> {
        Box::pin(async move {
            let a = attrs(current);
            let replica = str_of(&a, "replication_role")
                .is_some_and(|r| r.to_lowercase().contains("replica"));
            let (Some(id), true) = (
                str_of(&a, "id"),
                ty == "azurerm_postgresql_flexible_server" && replica,
            ) else {
                return Ok(None);
            };
            // Azure Monitor's "Read Replica Lag", the last minute's maximum.
            let path = format!(
                "{id}/providers/Microsoft.Insights/metrics?metricnames=physical_replication_delay_in_seconds&aggregation=Maximum&interval=PT1M&timespan=PT5M"
            );
            let body = self.client.get(&path, "2023-10-01").await.map_err(err)?;
            Ok(body.and_then(|b| {
                b.pointer("/value/0/timeseries/0/data")
                    .and_then(J::as_array)
                    .and_then(|points| points.iter().rev().find_map(|p| p["maximum"].as_f64()))
            }))
        })
    }
}

impl AzureProvider {
    /// What promoting a PostgreSQL server or unlinking a Redis cache lost,
    /// from the emulator's data plane (`/admin/dataplane/lost-writes`).
    /// Against Azure: None, the replica lag is the bound.
    pub(super) fn lost_writes_of<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Option<LostWrites>, ProviderError>> {
        Box::pin(async move {
            // The copy that became the primary: the server itself, or for a
            // removed geo-link, its secondary cache.
            let a = attrs(current);
            let copy = match ty {
                "azurerm_postgresql_flexible_server" | "azurerm_redis_cache" => str_of(&a, "id"),
                "azurerm_redis_linked_server" => str_of(&a, "linked_redis_cache_id"),
                _ => None,
            };
            let Some(id) = copy.filter(|_| self.emulator) else {
                return Ok(None);
            };
            let body = self
                .client
                .get("/admin/dataplane/lost-writes", "admin")
                .await
                .map_err(err)?
                .unwrap_or(J::Null);
            let entry = body["servers"].as_array().and_then(|all| {
                all.iter().find(|e| {
                    e["resource"]
                        .as_str()
                        .is_some_and(|r| r.eq_ignore_ascii_case(&id))
                })
            });
            Ok(Some(match entry {
                Some(e) => LostWrites {
                    count: e["count"].as_u64().unwrap_or(0),
                    window: match (e["windowStartIso"].as_str(), e["windowEndIso"].as_str()) {
                        (Some(a), Some(b)) => Some((a.to_string(), b.to_string())),
                        _ => None,
                    },
                },
                // Nothing was cut: the emulator lost nothing.
                None => LostWrites {
                    count: 0,
                    window: None,
                },
            }))
        })
    }
}

impl AzureProvider {
    /// A drill's injected region outage: the emulator's admin API; Azure
    /// takes none from drinfra (Azure Chaos Studio does that).
    pub(super) fn inject_region_fault<'a>(
        &'a self,
        region: &'a str,
        down: bool,
    ) -> BoxFut<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            if !self.emulator {
                return Err(ProviderError::Invalid(format!(
                    "drills with an injected fault run against the drinfra emulator; {} is Azure, where faults are injected with Azure Chaos Studio",
                    self.cloud
                )));
            }
            let path = if down {
                "/admin/faults/region-down"
            } else {
                "/admin/faults/region-up"
            };
            let r = self
                .client
                .send(
                    reqwest::Method::POST,
                    path,
                    "admin",
                    Some(&json!({ "region": region })),
                    &[],
                )
                .await
                .map_err(err)?;
            if r.status >= 300 {
                return Err(ProviderError::Invalid(format!(
                    "the emulator refused the fault: {}",
                    r.body
                )));
            }
            if !down {
                self.regions.up(region);
            }
            Ok(())
        })
    }
}

//! A per-region circuit breaker: once a request into a region has come
//! back unreachable (after the client's retries), later requests into it
//! in the same run are answered at once with the same kind of error, so a
//! failover defers work in a region known to be down without spending
//! another round of retries on each step.
//!
//! ARM ids do not name a region, so the breaker learns each object's
//! region from the values it handles (`location`, or a top-level parent's
//! for a child). A storage account's failover action is not guarded: it is
//! served through the secondary region, which is what it is for.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::lang::Value;
use crate::provider::{ErrorKind, ProviderError};

#[derive(Default)]
pub struct RegionBreaker {
    /// Off until a failover asks for it: an ordinary apply reports each
    /// outage with the cloud's own answer.
    armed: std::sync::atomic::AtomicBool,
    /// Regions that did not answer, with the error that said so.
    down: Mutex<BTreeMap<String, (String, String)>>,
    /// Object id (lower case) -> region, as learned.
    places: Mutex<BTreeMap<String, String>>,
}

fn normalize(region: &str) -> String {
    region.to_lowercase().replace(' ', "")
}

/// A string attribute of an object's value.
fn text(value: &Value, key: &str) -> Option<String> {
    match value
        .unmark()
        .0
        .as_mapping()?
        .get(key)
        .map(|v| v.unmark().0)
    {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// The region an object's requests go to, from its own attributes.
fn own_region(ty: &str, a: &Value) -> Option<String> {
    // Unlinking a geo-replicated cache is served by the linked cache's
    // region (forced from the secondary side when the primary is down).
    let key = if ty == "azurerm_redis_linked_server" {
        "linked_redis_cache_location"
    } else {
        "location"
    };
    text(a, key)
        .filter(|l| !l.is_empty() && l != "global")
        .map(|l| normalize(&l))
}

impl RegionBreaker {
    /// Refuses requests into regions known to be down from now on.
    pub fn arm(&self) {
        self.armed.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Remembers where the object `value` of type `ty` lives.
    pub fn learn(&self, ty: &str, value: &Value) {
        if let (Some(id), Some(region)) = (text(value, "id"), own_region(ty, value)) {
            self.learn_id(&id, &region);
        }
    }

    /// Remembers that the object `id` lives in `region`.
    pub fn learn_id(&self, id: &str, region: &str) {
        if let Ok(mut p) = self.places.lock() {
            p.insert(id.to_lowercase(), normalize(region));
        }
    }

    /// The region of object `value`: its own, or its nearest learned parent's.
    fn region(&self, ty: &str, value: &Value) -> Option<String> {
        if let Some(r) = own_region(ty, value) {
            return Some(r);
        }
        let id = text(value, "id")?.to_lowercase();
        let places = self.places.lock().ok()?;
        let mut prefix = id.as_str();
        loop {
            if let Some(r) = places.get(prefix) {
                return Some(r.clone());
            }
            prefix = &prefix[..prefix.rfind('/')?];
        }
    }

    /// Refuses at once a request into a region known to be down.
    pub fn check(&self, ty: &str, value: &Value) -> Result<(), ProviderError> {
        if !self.armed.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(());
        }
        let Some(region) = self.region(ty, value) else {
            return Ok(());
        };
        let down = self
            .down
            .lock()
            .map_err(|_| ProviderError::Invalid("the region breaker's lock is poisoned".into()))?;
        match down.get(&region) {
            Some((code, message)) => Err(ProviderError::Api {
                code: code.clone(),
                message: format!(
                    "region {region:?} did not answer earlier in this run ({message}); not sent again"
                ),
                retryable: false,
                kind: ErrorKind::Unreachable,
            }),
            None => Ok(()),
        }
    }

    /// Notes the outcome of a request about `value`: a region that did not
    /// answer (not a connection failure, which says nothing about regions)
    /// is down for the rest of the run.
    pub fn note<T>(&self, ty: &str, value: &Value, result: &Result<T, ProviderError>) {
        let Err(ProviderError::Api {
            code,
            message,
            kind: ErrorKind::Unreachable,
            ..
        }) = result
        else {
            return;
        };
        if code == "Transport" {
            return;
        }
        if let Some(region) = self.region(ty, value) {
            self.down(&region, code, message);
        }
    }

    /// Notes that `region` did not answer (`code`: `message`).
    pub fn down(&self, region: &str, code: &str, message: &str) {
        if let Ok(mut down) = self.down.lock() {
            down.entry(normalize(region))
                .or_insert_with(|| (code.to_string(), message.to_string()));
        }
    }

    /// Notes that `region` answers again (a drill's outage ended).
    pub fn up(&self, region: &str) {
        if let Ok(mut down) = self.down.lock() {
            down.remove(&normalize(region));
        }
    }

    /// Runs `request` about `value` unless its region is known to be
    /// down, and notes how it went.
    pub async fn guard<T>(
        &self,
        ty: &str,
        value: &Value,
        request: impl std::future::Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, ProviderError> {
        self.learn(ty, value);
        self.check(ty, value)?;
        let result = request.await;
        self.note(ty, value, &result);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, &str)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
                .collect(),
        )
    }

    #[test]
    fn a_region_that_did_not_answer_is_refused_at_once_with_its_children() {
        let b = RegionBreaker::default();
        b.arm();
        let cluster = obj(&[
            ("id", "/s/x/rg/c/managedClusters/aks"),
            ("location", "East US"),
        ]);
        let pool = obj(&[("id", "/s/x/rg/c/managedClusters/AKS/agentPools/app")]);
        let elsewhere = obj(&[("id", "/s/x/rg/w/db"), ("location", "westeurope")]);
        b.learn("azurerm_kubernetes_cluster", &cluster);
        assert!(
            b.check("azurerm_kubernetes_cluster_node_pool", &pool)
                .is_ok()
        );
        let unreachable: Result<(), _> = Err(ProviderError::api(
            ErrorKind::Unreachable,
            "ServiceUnavailable",
            "The resource provider in region 'eastus' is unavailable.",
        ));
        b.note("azurerm_kubernetes_cluster_node_pool", &pool, &unreachable);
        let e = b.check("azurerm_kubernetes_cluster", &cluster).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unreachable);
        assert!(
            e.to_string()
                .starts_with("ServiceUnavailable: region \"eastus\""),
            "{e}"
        );
        assert!(
            b.check("azurerm_kubernetes_cluster_node_pool", &pool)
                .is_err()
        );
        assert!(
            b.check("azurerm_postgresql_flexible_server", &elsewhere)
                .is_ok()
        );
        // A connection failure says nothing about a region.
        let transport: Result<(), _> = Err(ProviderError::api(
            ErrorKind::Unreachable,
            "Transport",
            "refused",
        ));
        b.note("azurerm_postgresql_flexible_server", &elsewhere, &transport);
        assert!(
            b.check("azurerm_postgresql_flexible_server", &elsewhere)
                .is_ok()
        );
        // A geo-link is unlinked through the linked cache's region.
        let link = obj(&[
            ("id", "/s/x/rg/c/redis/a/linkedServers/b"),
            ("linked_redis_cache_location", "westeurope"),
        ]);
        assert!(b.check("azurerm_redis_linked_server", &link).is_ok());
    }
}

//! The cloud's clock: ARM stamps every response with the standard `Date`
//! header (Azure its wall time, the emulator its simulated time), so the
//! client measures failovers on the clock of the cloud it talks to. One
//! second is the header's resolution; DR figures are minutes.

use std::sync::atomic::Ordering;

use super::common::AzureProvider;

/// ARM's metadata endpoint: unauthenticated, global, cheap, and outside
/// the emulator's request log.
const METADATA: &str = "/metadata/endpoints?api-version=2022-09-01";

impl AzureProvider {
    /// The latest cloud time a response gave, if any.
    pub(super) fn seen_time(&self) -> Option<f64> {
        let t = self.client.cloud_seen.load(Ordering::Relaxed);
        (t > 0).then_some(t as f64)
    }

    /// One request for the cloud's time now; the latest seen if it fails.
    pub(super) async fn ask_time(&self) -> Option<f64> {
        let url = format!("{}{METADATA}", self.client.base);
        if let Ok(resp) = self.client.http().get(&url).send().await {
            self.client.note_date(resp.headers());
        }
        self.seen_time()
    }

    /// When the emulator's injected outage of `region` began (its admin
    /// faults API records it); None against Azure.
    pub(super) async fn emulated_outage(&self, region: &str) -> Option<f64> {
        // Setup knows it is the emulator (embedded or running apart).
        if !self.emulator {
            return None;
        }
        let url = format!("{}/admin/faults", self.client.base);
        let resp = self.client.http().get(&url).send().await.ok()?;
        self.client.note_date(resp.headers());
        let faults: serde_json::Value = resp.json().await.ok()?;
        let began = faults["outages"][region.to_lowercase()].as_str()?;
        crate::timefmt::parse_rfc3339(began).map(|t| t as f64)
    }
}

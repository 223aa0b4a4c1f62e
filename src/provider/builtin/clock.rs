//! The clock `time_sleep` waits on. Terraform's time_sleep waits wall
//! time so the cloud can settle; what has to pass is the cloud's time. So
//! once a run has a cloud provider (set by the session), a sleep lasts
//! until the cloud's clock has moved on by the duration: against Azure
//! that is wall time, against the emulator its simulated time, which runs
//! faster (an emulator at 60x waits 30s in half a second). Without a cloud
//! provider it is wall time.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::provider::Provider;

#[derive(Default)]
pub struct CloudClock {
    cloud: RwLock<Option<Arc<dyn Provider>>>,
}

impl CloudClock {
    /// From now on, sleeps are measured on `cloud`'s clock.
    pub fn follow(&self, cloud: Arc<dyn Provider>) {
        if let Ok(mut c) = self.cloud.write() {
            *c = Some(cloud);
        }
    }

    fn cloud(&self) -> Option<Arc<dyn Provider>> {
        self.cloud.read().ok().and_then(|c| c.clone())
    }

    /// Waits until `span` has passed on the cloud's clock (wall time when
    /// no cloud answers).
    pub async fn sleep(&self, span: Duration) {
        let want = span.as_secs_f64();
        if want <= 0.0 {
            return;
        }
        let Some(cloud) = self.cloud() else {
            return tokio::time::sleep(span).await;
        };
        let Some(start) = cloud.cloud_now().await else {
            return tokio::time::sleep(span).await;
        };
        let real_start = Instant::now();
        loop {
            let Some(now) = cloud.cloud_now().await else {
                // The cloud stopped answering: finish on wall time.
                let left = span.saturating_sub(real_start.elapsed());
                return tokio::time::sleep(left).await;
            };
            let passed = now - start;
            if passed >= want {
                return;
            }
            // How fast the cloud's clock runs against ours, so the next
            // look is about when it should be done (at least 1x: Azure's
            // Date header has whole seconds).
            let real = real_start.elapsed().as_secs_f64().max(1e-3);
            let rate = (passed / real).max(1.0);
            let step = ((want - passed) / rate).clamp(0.01, 1.0);
            tokio::time::sleep(Duration::from_secs_f64(step)).await;
        }
    }
}

//! The cloud's clock for failover records and reports: the time the
//! providers' clouds give (the emulator's simulated clock, Azure's wall
//! time), falling back to this machine's clock when no cloud answers
//! (a stack of `terraform_data` only).

use super::session::Engine;

/// The cloud's time now, asked with one request (Unix seconds), and
/// whether it is wall time because no cloud answered.
pub fn now(engine: &Engine) -> (f64, bool) {
    let asked = engine.rt.block_on(async {
        let mut latest: Option<f64> = None;
        for p in engine.providers.all() {
            if let Some(t) = p.cloud_now().await {
                latest = Some(latest.map_or(t, |l: f64| l.max(t)));
            }
        }
        latest
    });
    match asked {
        Some(t) => (t, false),
        None => (crate::timefmt::now_secs(), true),
    }
}

/// The cloud's time as of the latest response, without a request (for
/// use while an apply runs); wall time when no cloud has answered.
pub fn seen(engine: &Engine) -> f64 {
    engine
        .providers
        .all()
        .iter()
        .filter_map(|p| p.cloud_seen())
        .reduce(f64::max)
        .unwrap_or_else(crate::timefmt::now_secs)
}

/// When the cloud says an outage of `region` began, if it says.
pub fn outage_began(engine: &Engine, region: &str) -> Option<f64> {
    engine.rt.block_on(async {
        for p in engine.providers.all() {
            if let Some(t) = p.outage_began(region).await {
                return Some(t);
            }
        }
        None
    })
}

//! ARM's throttling: token buckets per subscription and operation kind,
//! refilled continuously (in real time: throttling is about request rate).

use std::collections::HashMap;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Reads,
    Writes,
    Deletes,
}

impl Kind {
    pub fn header(self) -> &'static str {
        match self {
            Kind::Reads => "x-ms-ratelimit-remaining-subscription-reads",
            Kind::Writes => "x-ms-ratelimit-remaining-subscription-writes",
            Kind::Deletes => "x-ms-ratelimit-remaining-subscription-deletes",
        }
    }
}

/// Burst size and refill rate per second for each kind.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    pub enabled: bool,
    pub read_burst: f64,
    pub read_rate: f64,
    pub write_burst: f64,
    pub write_rate: f64,
    pub delete_burst: f64,
    pub delete_rate: f64,
}

impl Default for Limits {
    /// Azure's current defaults.
    fn default() -> Limits {
        Limits {
            enabled: true,
            read_burst: 250.0,
            read_rate: 25.0,
            write_burst: 200.0,
            write_rate: 10.0,
            delete_burst: 200.0,
            delete_rate: 10.0,
        }
    }
}

impl Limits {
    fn of(&self, k: Kind) -> (f64, f64) {
        match k {
            Kind::Reads => (self.read_burst, self.read_rate),
            Kind::Writes => (self.write_burst, self.write_rate),
            Kind::Deletes => (self.delete_burst, self.delete_rate),
        }
    }
}

#[derive(Debug, Default)]
pub struct Buckets {
    pub limits: Limits,
    buckets: HashMap<(String, Kind), (f64, Instant)>,
}

/// The outcome of taking a token.
pub enum Take {
    /// Allowed; tokens remaining.
    Ok(u64),
    /// Throttled; retry after this many seconds.
    Throttled(u64),
}

impl Buckets {
    pub fn new(limits: Limits) -> Buckets {
        Buckets {
            limits,
            buckets: HashMap::new(),
        }
    }

    pub fn take(&mut self, subscription: &str, kind: Kind) -> Take {
        let (burst, rate) = self.limits.of(kind);
        if !self.limits.enabled {
            return Take::Ok(burst as u64);
        }
        let now = Instant::now();
        let entry = self
            .buckets
            .entry((subscription.to_lowercase(), kind))
            .or_insert((burst, now));
        let refill = now.duration_since(entry.1).as_secs_f64() * rate;
        entry.0 = (entry.0 + refill).min(burst);
        entry.1 = now;
        if entry.0 >= 1.0 {
            entry.0 -= 1.0;
            Take::Ok(entry.0.floor() as u64)
        } else {
            let wait = ((1.0 - entry.0) / rate.max(1e-9)).ceil().max(1.0);
            Take::Throttled(wait as u64)
        }
    }

    pub fn reset(&mut self) {
        self.buckets.clear();
    }
}

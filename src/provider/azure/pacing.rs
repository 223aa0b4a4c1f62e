//! Client-side pacing: ARM's request quotas mirrored as token buckets.

use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::HeaderMap;

use super::response::header;

/// A client-side token bucket mirroring ARM's, corrected by the
/// `x-ms-ratelimit-remaining-*` headers, so parallel requests share the
/// quota instead of racing into 429s.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    burst: f64,
    rate: f64,
    last: Instant,
}

impl Bucket {
    fn new(burst: f64, rate: f64) -> Bucket {
        Bucket {
            tokens: burst,
            burst,
            rate,
            last: Instant::now(),
        }
    }
    fn refill(&mut self) {
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate).min(self.burst);
        self.last = now;
    }
}

/// One bucket per kind of request, as ARM counts them.
#[derive(Debug)]
pub(super) struct Pacing {
    reads: Bucket,
    writes: Bucket,
    deletes: Bucket,
}

impl Default for Pacing {
    /// Azure's documented defaults per subscription and principal.
    fn default() -> Pacing {
        Pacing {
            reads: Bucket::new(250.0, 25.0),
            writes: Bucket::new(200.0, 10.0),
            deletes: Bucket::new(200.0, 10.0),
        }
    }
}

impl Pacing {
    /// Takes a token for a request with `method`: None when one was
    /// taken, else how long until one is there.
    pub(super) fn take(&mut self, method: &Method) -> Option<Duration> {
        let b = match *method {
            Method::GET => &mut self.reads,
            Method::DELETE => &mut self.deletes,
            _ => &mut self.writes,
        };
        b.refill();
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            return None;
        }
        Some(Duration::from_secs_f64((1.0 - b.tokens) / b.rate))
    }

    /// Sets the buckets to the counts the server reports.
    pub(super) fn note(&mut self, h: &HeaderMap) {
        for (name, b) in [
            ("reads", &mut self.reads),
            ("writes", &mut self.writes),
            ("deletes", &mut self.deletes),
        ] {
            if let Some(r) = header(h, &format!("x-ms-ratelimit-remaining-subscription-{name}"))
                .and_then(|v| v.parse::<f64>().ok())
            {
                b.refill();
                b.tokens = r.min(b.burst);
            }
        }
    }
}

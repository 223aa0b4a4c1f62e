//! How fast the cloud's clock runs against the local one, from the
//! `Date` headers of the responses (see `clock.rs` for the cloud's time).

/// How fast the cloud's clock runs against the local one, learnt from the
/// `Date` headers of the responses: 1 against Azure, the time scale
/// against the emulator. Long-running operations are polled after the
/// cloud's `Retry-After` seconds, so the waits are the same in the cloud's
/// time whatever the emulator's compression.
#[derive(Debug, Default)]
pub(super) struct CloudPace {
    /// (local instant, cloud seconds) of recent responses, oldest first.
    samples: std::collections::VecDeque<(std::time::Instant, i64)>,
}

/// Samples older than this (local time) are dropped, so a changed time
/// scale is learnt within it.
const WINDOW: std::time::Duration = std::time::Duration::from_secs(10);
/// The cloud seconds (whole, as `Date` has them) a rate needs to span...
const MIN_CLOUD_SPAN: i64 = 20;
/// ...or the local time, whichever comes first.
const MIN_LOCAL_SPAN: std::time::Duration = std::time::Duration::from_secs(5);

impl CloudPace {
    pub(super) fn note(&mut self, at: std::time::Instant, cloud: i64) {
        if self.samples.back().is_some_and(|(_, c)| *c == cloud) {
            return;
        }
        // A clock that went back (a new emulator) starts afresh.
        if self.samples.back().is_some_and(|(_, c)| *c > cloud) {
            self.samples.clear();
        }
        self.samples.push_back((at, cloud));
        while self.samples.len() > 2
            && self
                .samples
                .front()
                .is_some_and(|(t, _)| at.duration_since(*t) > WINDOW)
        {
            self.samples.pop_front();
        }
    }

    /// Cloud seconds per local second, once the samples span enough; a
    /// rate within a few percent of 1 is taken as the wall clock itself
    /// (Azure, or an emulator at scale 1).
    pub(super) fn rate(&self) -> Option<f64> {
        let ((t0, c0), (t1, c1)) = (self.samples.front()?, self.samples.back()?);
        let local = t1.duration_since(*t0);
        let cloud = c1 - c0;
        if cloud < MIN_CLOUD_SPAN && local < MIN_LOCAL_SPAN {
            return None;
        }
        let rate = cloud as f64 / local.as_secs_f64().max(1e-6);
        Some(if (0.75..=1.35).contains(&rate) {
            1.0
        } else {
            rate.max(1e-3)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::CloudPace;
    use std::time::{Duration, Instant};

    #[test]
    fn the_rate_is_learnt_from_whole_second_dates() {
        let t0 = Instant::now();
        let mut p = CloudPace::default();
        p.note(t0, 1_000);
        assert_eq!(p.rate(), None, "one sample says nothing");
        // 600x: 50 ms later the cloud is 30 s on.
        p.note(t0 + Duration::from_millis(50), 1_030);
        let r = p.rate().unwrap();
        assert!((r - 600.0).abs() < 25.0, "{r}");
        // The wall clock: 6 s later, 6 (or 5, or 7) cloud seconds.
        let mut w = CloudPace::default();
        w.note(t0, 1_000);
        w.note(t0 + Duration::from_secs(6), 1_007);
        assert_eq!(w.rate(), Some(1.0));
        // A clock that goes back starts afresh.
        p.note(t0 + Duration::from_millis(60), 10);
        assert_eq!(p.rate(), None);
    }
}

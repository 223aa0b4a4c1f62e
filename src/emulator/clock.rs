//! Simulated time: runs `scale` times faster than real time from an
//! anchor, so an hour-long drill can take seconds. All durations the
//! emulator reports are simulated seconds (Unix epoch based).

use std::time::{Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone)]
pub struct Clock {
    real_anchor: Instant,
    sim_anchor: f64,
    pub scale: f64,
}

impl Clock {
    /// Starts at `sim_start` (or now, if later) simulated seconds.
    pub fn new(scale: f64, sim_start: Option<f64>) -> Clock {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        Clock {
            real_anchor: Instant::now(),
            sim_anchor: sim_start.map(|s| s.max(now)).unwrap_or(now),
            scale: scale.max(1e-6),
        }
    }

    /// Simulated seconds since the Unix epoch.
    pub fn now(&self) -> f64 {
        self.sim_anchor + self.real_anchor.elapsed().as_secs_f64() * self.scale
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|+00:00]` into seconds.
pub fn parse_rfc3339(s: &str) -> Option<f64> {
    let s = s.trim();
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let time = time.trim_end_matches('Z');
    let time = time.split(['+']).next()?;
    let mut t = time.split(':');
    let (hh, mm) = (
        t.next()?.parse::<f64>().ok()?,
        t.next()?.parse::<f64>().ok()?,
    );
    let ss: f64 = t.next().unwrap_or("0").parse().ok()?;
    // Out-of-range parts are not a time (and would overflow below).
    if !(1..=9999).contains(&y)
        || !(1..=12).contains(&m)
        || !(1..=31).contains(&day)
        || !(0.0..24.0).contains(&hh)
        || !(0.0..60.0).contains(&mm)
        || !(0.0..61.0).contains(&ss)
    {
        return None;
    }
    let days = crate::timefmt::days_from_civil(y, m, day);
    Some(days as f64 * 86_400.0 + hh * 3600.0 + mm * 60.0 + ss)
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_dates() {
        let t = super::parse_rfc3339("2026-11-26T10:06:59Z").unwrap();
        assert_eq!(crate::timefmt::rfc3339(t), "2026-11-26T10:06:59Z");
        assert_eq!(super::parse_rfc3339("1970-01-01T00:00:00Z"), Some(0.0));
        for bad in [
            "9223372036854775807-01-01T00:00:00Z",
            "2026-9223372036854775807-01T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-01-01T99:00:00Z",
            "2026-01-01T00:00:NaNZ",
            "-5-01-01T00:00:00Z",
        ] {
            assert_eq!(super::parse_rfc3339(bad), None, "{bad}");
        }
    }
}

//! UTC timestamps as RFC 3339 text, without a date-time dependency, and
//! Go-style durations (`90m`, `1h30m`) as azurerm and Terraform write them.

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the Unix epoch.
pub fn rfc3339(secs: f64) -> String {
    let whole = secs.max(0.0).floor() as u64;
    let (days, rem) = (whole / 86_400, whole % 86_400);
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since the Unix epoch of a proleptic Gregorian date (Howard
/// Hinnant's algorithm, the inverse of the one in [`rfc3339`]).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2006-01-02T15:04:05Z`, exactly as [`rfc3339`] writes it (fractions
/// and offsets other than Z refused), as Unix seconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || !text.ends_with('Z')
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        text.get(r)
            .filter(|s| s.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|s| s.parse::<i64>().ok())
    };
    let (y, m, d, hh, mm, ss) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// The current time.
pub fn now() -> String {
    rfc3339(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0),
    )
}

/// Seconds since the Unix epoch now, on this machine's clock.
pub fn now_secs() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The HTTP `Date` form (RFC 9110 IMF-fixdate), `Sun, 06 Nov 1994
/// 08:49:37 GMT`, for seconds since the Unix epoch.
pub fn http_date(secs: f64) -> String {
    let whole = secs.max(0.0).floor() as u64;
    let iso = rfc3339(whole as f64);
    let weekday = WEEKDAYS[(whole / 86_400 % 7) as usize];
    let month = iso
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{weekday}, {} {month} {} {} GMT",
        &iso[8..10],
        &iso[0..4],
        &iso[11..19]
    )
}

/// An HTTP `Date` header in IMF-fixdate form, as Unix seconds.
pub fn parse_http_date(text: &str) -> Option<i64> {
    let mut parts = text.split_whitespace();
    let (_weekday, day, month, year, time, zone) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if zone != "GMT" || parts.next().is_some() {
        return None;
    }
    let m = MONTHS.iter().position(|x| *x == month)? + 1;
    let (d, y): (u32, u32) = (day.parse().ok()?, year.parse().ok()?);
    parse_rfc3339(&format!("{y:04}-{m:02}-{d:02}T{time}Z"))
}

/// A Go-style duration as azurerm and Terraform write them: `90m`,
/// `1h30m`, `45s`, `1.5h`, `500ms`, `0s`. Callers that need a positive
/// span reject zero themselves.
pub fn parse_duration(text: &str) -> Option<std::time::Duration> {
    let mut total = 0.0;
    let mut number = String::new();
    let mut chars = text.trim().chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let n: f64 = number.parse().ok()?;
        number.clear();
        let unit = match c {
            'h' => 3600.0,
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                0.001
            }
            'm' => 60.0,
            's' => 1.0,
            _ => return None,
        };
        total += n * unit;
        any = true;
    }
    (any && number.is_empty()).then(|| std::time::Duration::from_secs_f64(total))
}

/// An ISO 8601 duration (`P90D`, `P2Y`, `P1Y6M`, `PT12H`, `P2W`) in
/// days, counting a year as 365 days and a month as 30, as Key Vault and
/// azurerm compare rotation policy durations. None: not one.
pub fn iso8601_days(text: &str) -> Option<f64> {
    let rest = text.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut days = 0.0;
    let mut any = false;
    let mut take = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut number = String::new();
        let mut next = 0;
        for c in part.chars() {
            if c.is_ascii_digit() || (c == '.' && units[0].0 == 'H') {
                number.push(c);
                continue;
            }
            // Units in their order, each at most once.
            let at = units[next..].iter().position(|(u, _)| *u == c)? + next;
            let n: f64 = number.parse().ok()?;
            number.clear();
            days += n * units[at].1;
            next = at + 1;
            any = true;
        }
        number.is_empty().then_some(())
    };
    take(date, &[('Y', 365.0), ('M', 30.0), ('W', 7.0), ('D', 1.0)])?;
    if let Some(t) = time {
        take(
            t,
            &[('H', 1.0 / 24.0), ('M', 1.0 / 1440.0), ('S', 1.0 / 86400.0)],
        )?;
    }
    any.then_some(days)
}

/// A duration the way people write it back: `90m`, `1h30m`, `45s`, `20ms`.
pub fn show_duration(d: std::time::Duration) -> String {
    let ms = d.as_millis();
    if !ms.is_multiple_of(1000) {
        return format!("{ms}ms");
    }
    let s = d.as_secs();
    let (h, m, s) = (s / 3600, s % 3600 / 60, s % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_durations_are_read_in_days() {
        assert_eq!(iso8601_days("P90D"), Some(90.0));
        assert_eq!(iso8601_days("P2Y"), Some(730.0));
        assert_eq!(iso8601_days("P1Y6M2W"), Some(365.0 + 180.0 + 14.0));
        assert_eq!(iso8601_days("PT36H"), Some(1.5));
        for bad in ["", "P", "90D", "PD", "P1D1Y", "PT", "P1DT", "P1.5D", "P-1D"] {
            assert_eq!(iso8601_days(bad), None, "{bad}");
        }
    }

    #[test]
    fn http_dates_round_trip() {
        assert_eq!(http_date(784_111_777.0), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        let t = 1_796_036_400.5;
        assert_eq!(parse_http_date(&http_date(t)), Some(1_796_036_400));
        for bad in [
            "",
            "Sun, 06 Nov 1994 08:49:37 CET",
            "Sun, 06 Foo 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }
}

//! Date and time functions: `formatdate`, `timeadd`, `timecmp`,
//! `timestamp`, `plantimestamp`, over RFC 3339 timestamps with their own
//! UTC offsets (as Terraform, results keep the offset they were given).

use std::sync::OnceLock;

use super::{CallContext, FnError, FnResult, str_arg};
use crate::lang::value::Value;
use crate::timefmt::days_from_civil;

/// A parsed timestamp: seconds since the epoch (UTC), nanoseconds, and the
/// offset it was written with.
#[derive(Debug, Clone, Copy)]
struct Stamp {
    secs: i64,
    nanos: i64,
    offset: i64,
}

/// The parts of a layout, as Go names them in its errors.
fn parse(text: &str) -> Result<Stamp, String> {
    let bad = |rest: &str, what: &str| {
        format!("not a valid RFC3339 timestamp: cannot use {rest:?} as {what}")
    };
    let mut pos = 0usize;
    let b = text.as_bytes();
    let digits = |pos: &mut usize, n: usize, what: &str| -> Result<i64, String> {
        let s = text
            .get(*pos..*pos + n)
            .filter(|s| s.bytes().all(|c| c.is_ascii_digit()));
        match s {
            Some(s) => {
                *pos += n;
                s.parse::<i64>().map_err(|_| bad(&text[*pos - n..], what))
            }
            None => Err(bad(text.get(*pos..).unwrap_or(""), what)),
        }
    };
    let lit = |pos: &mut usize, c: u8, what: &str| -> Result<(), String> {
        if b.get(*pos) == Some(&c) {
            *pos += 1;
            Ok(())
        } else {
            Err(bad(text.get(*pos..).unwrap_or(""), what))
        }
    };
    let y = digits(&mut pos, 4, "year")?;
    lit(&mut pos, b'-', "\"-\"")?;
    let m = digits(&mut pos, 2, "month")?;
    if !(1..=12).contains(&m) {
        return Err(bad(&text[pos..], "month"));
    }
    lit(&mut pos, b'-', "\"-\"")?;
    let d = digits(&mut pos, 2, "day")?;
    if b.get(pos) != Some(&b'T') {
        return Err(if pos >= b.len() || !b[pos].is_ascii_digit() {
            "not a valid RFC3339 timestamp: missing required time introducer 'T'".to_string()
        } else {
            bad(&text[pos..], "\"T\"")
        });
    }
    pos += 1;
    let hh = digits(&mut pos, 2, "hour")?;
    if hh > 23 {
        return Err(bad(&text[pos..], "hour"));
    }
    lit(&mut pos, b':', "\":\"")?;
    let mm = digits(&mut pos, 2, "minute")?;
    if mm > 59 {
        return Err(bad(&text[pos..], "minute"));
    }
    lit(&mut pos, b':', "\":\"")?;
    let ss = digits(&mut pos, 2, "second")?;
    if ss > 59 {
        return Err(bad(&text[pos..], "second"));
    }
    let mut nanos = 0i64;
    if b.get(pos) == Some(&b'.') {
        let start = pos + 1;
        let mut end = start;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        if end == start {
            return Err(bad(&text[pos..], "second"));
        }
        let frac = &text[start..end.min(start + 9)];
        nanos = frac.parse::<i64>().unwrap_or(0) * 10i64.pow(9 - frac.len() as u32);
        pos = end;
    }
    let offset = match b.get(pos) {
        Some(b'Z') => {
            pos += 1;
            0
        }
        Some(&c @ (b'+' | b'-')) => {
            let zone = &text[pos..];
            pos += 1;
            let h = digits(&mut pos, 2, "offset").map_err(|_| bad(zone, "offset"))?;
            lit(&mut pos, b':', "offset").map_err(|_| bad(zone, "offset"))?;
            let mi = digits(&mut pos, 2, "offset").map_err(|_| bad(zone, "offset"))?;
            if h > 24 || mi > 59 {
                return Err(bad(zone, "offset"));
            }
            let o = h * 3600 + mi * 60;
            if c == b'-' { -o } else { o }
        }
        _ => return Err(bad(text.get(pos..).unwrap_or(""), "offset")),
    };
    if pos != b.len() {
        return Err(format!(
            "not a valid RFC3339 timestamp: extra text after timestamp: {:?}",
            &text[pos..]
        ));
    }
    let month_len = match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=month_len).contains(&d) {
        return Err("not a valid RFC3339 timestamp: day out of range".to_string());
    }
    let local = days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss;
    Ok(Stamp {
        secs: local - offset,
        nanos,
        offset,
    })
}

/// The civil date and time of `secs` (local seconds since the epoch).
struct Civil {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    /// 0 = Sunday.
    weekday: i64,
}

fn civil(local: i64) -> Civil {
    let days = local.div_euclid(86_400);
    let rem = local.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    Civil {
        year: yoe + era * 400 + if month <= 2 { 1 } else { 0 },
        month,
        day,
        hour: rem / 3600,
        minute: rem % 3600 / 60,
        second: rem % 60,
        weekday: (days + 4).rem_euclid(7),
    }
}

fn zone(offset: i64, colon: bool) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let o = offset.abs();
    if colon {
        format!("{sign}{:02}:{:02}", o / 3600, o % 3600 / 60)
    } else {
        format!("{sign}{:02}{:02}", o / 3600, o % 3600 / 60)
    }
}

/// RFC 3339 as Go's `time.RFC3339` writes it (no fraction).
fn rfc3339(s: Stamp) -> String {
    let c = civil(s.secs + s.offset);
    let z = if s.offset == 0 {
        "Z".to_string()
    } else {
        zone(s.offset, true)
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{z}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

pub fn formatdate(a: &[Value], _: &CallContext) -> FnResult {
    let spec = str_arg(a, 0)?;
    let time = str_arg(a, 1)?;
    let t = parse(&time).map_err(|e| FnError::Arg(1, e))?;
    let c = civil(t.secs + t.offset);
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let verb =
        |tok: &str, why: &str| FnError::Arg(0, format!("invalid date format verb {tok:?}: {why}"));
    while i < chars.len() {
        let ch = chars[i];
        if ch == '\'' {
            // `''` is a quote; otherwise a literal runs to the next lone quote.
            if chars.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            let mut j = i + 1;
            loop {
                match chars.get(j) {
                    None => return Err(FnError::Arg(0, "unterminated literal '".into())),
                    Some('\'') if chars.get(j + 1) == Some(&'\'') => {
                        out.push('\'');
                        j += 2;
                    }
                    Some('\'') => break,
                    Some(c) => {
                        out.push(*c);
                        j += 1;
                    }
                }
            }
            i = j + 1;
            continue;
        }
        if !ch.is_ascii_alphabetic() {
            out.push(ch);
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && chars[j] == ch {
            j += 1;
        }
        let tok: String = chars[i..j].iter().collect();
        let n = j - i;
        i = j;
        let h12 = match c.hour % 12 {
            0 => 12,
            h => h,
        };
        let piece = match (ch, n) {
            ('Y', 4) => format!("{:04}", c.year),
            ('Y', 2) => format!("{:02}", c.year.rem_euclid(100)),
            ('Y', _) => return Err(verb(&tok, "year must either be \"YY\" or \"YYYY\"")),
            ('M', 1) => c.month.to_string(),
            ('M', 2) => format!("{:02}", c.month),
            ('M', 3) => MONTHS[(c.month - 1) as usize][..3].to_string(),
            ('M', 4) => MONTHS[(c.month - 1) as usize].to_string(),
            ('M', _) => {
                return Err(verb(
                    &tok,
                    "month must be \"M\", \"MM\", \"MMM\", or \"MMMM\"",
                ));
            }
            ('D', 1) => c.day.to_string(),
            ('D', 2) => format!("{:02}", c.day),
            ('D', _) => return Err(verb(&tok, "day of month must either be \"D\" or \"DD\"")),
            ('E', 3) => DAYS[c.weekday as usize][..3].to_string(),
            ('E', 4) => DAYS[c.weekday as usize].to_string(),
            ('E', _) => return Err(verb(&tok, "day of week must either be \"EEE\" or \"EEEE\"")),
            ('h', 1) => c.hour.to_string(),
            ('h', 2) => format!("{:02}", c.hour),
            ('h', _) => return Err(verb(&tok, "24-hour must either be \"h\" or \"hh\"")),
            ('H', 1) => h12.to_string(),
            ('H', 2) => format!("{h12:02}"),
            ('H', _) => return Err(verb(&tok, "12-hour must either be \"H\" or \"HH\"")),
            ('A', 2) | ('a', 2) => {
                let m = if c.hour < 12 { "AM" } else { "PM" };
                if ch == 'a' {
                    m.to_lowercase()
                } else {
                    m.to_string()
                }
            }
            ('A', _) => return Err(verb(&tok, "must be \"AA\"")),
            ('a', _) => return Err(verb(&tok, "must be \"aa\"")),
            ('m', 1) => c.minute.to_string(),
            ('m', 2) => format!("{:02}", c.minute),
            ('m', _) => return Err(verb(&tok, "minute must either be \"m\" or \"mm\"")),
            ('s', 1) => c.second.to_string(),
            ('s', 2) => format!("{:02}", c.second),
            ('s', _) => return Err(verb(&tok, "second must either be \"s\" or \"ss\"")),
            ('Z', 1) if t.offset == 0 => "Z".into(),
            ('Z', 1) => zone(t.offset, true),
            ('Z', 3) if t.offset == 0 => "UTC".into(),
            ('Z', 3) | ('Z', 4) => zone(t.offset, false),
            ('Z', 5) => zone(t.offset, true),
            ('Z', _) => {
                return Err(verb(&tok, "timezone must be Z, ZZZZ, or ZZZZZ"));
            }
            _ => return Err(FnError::Arg(0, format!("invalid date format verb {tok:?}"))),
        };
        out.push_str(&piece);
    }
    Ok(Value::String(out))
}

/// Go's `time.ParseDuration`, in nanoseconds.
fn parse_duration(text: &str) -> Result<i128, String> {
    let invalid = || format!("time: invalid duration {text:?}");
    let mut s = text;
    let neg = match s.as_bytes().first() {
        Some(b'-') => {
            s = &s[1..];
            true
        }
        Some(b'+') => {
            s = &s[1..];
            false
        }
        _ => false,
    };
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    while !s.is_empty() {
        let num_end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let num = &s[..num_end];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return Err(invalid());
        }
        let value: f64 = num.parse().map_err(|_| invalid())?;
        s = &s[num_end..];
        let unit_end = s
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(s.len());
        let unit = &s[..unit_end];
        s = &s[unit_end..];
        let scale: f64 = match unit {
            "" => return Err(format!("time: missing unit in duration {text:?}")),
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(format!("time: unknown unit {unit:?} in duration {text:?}")),
        };
        total += value * scale;
    }
    if total > i64::MAX as f64 {
        return Err(invalid());
    }
    Ok(if neg { -(total as i128) } else { total as i128 })
}

pub fn timeadd(a: &[Value], _: &CallContext) -> FnResult {
    let t = parse(&str_arg(a, 0)?).map_err(FnError::Msg)?;
    let d = parse_duration(&str_arg(a, 1)?).map_err(FnError::Msg)?;
    let total = t.secs as i128 * 1_000_000_000 + t.nanos as i128 + d;
    let secs = total.div_euclid(1_000_000_000) as i64;
    Ok(Value::String(rfc3339(Stamp {
        secs,
        nanos: 0,
        offset: t.offset,
    })))
}

pub fn timecmp(a: &[Value], _: &CallContext) -> FnResult {
    let x = parse(&str_arg(a, 0)?).map_err(|e| FnError::Arg(0, e))?;
    let y = parse(&str_arg(a, 1)?).map_err(|e| FnError::Arg(1, e))?;
    Ok(Value::Number(
        match (x.secs, x.nanos).cmp(&(y.secs, y.nanos)) {
            std::cmp::Ordering::Less => -1.0,
            std::cmp::Ordering::Equal => 0.0,
            std::cmp::Ordering::Greater => 1.0,
        },
    ))
}

fn now_stamp() -> Stamp {
    let secs = crate::timefmt::now_secs().floor() as i64;
    Stamp {
        secs,
        nanos: 0,
        offset: 0,
    }
}

/// The current time; the evaluator only calls it where Terraform knows it
/// (apply and the console), elsewhere the result is unknown.
pub fn timestamp(_: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::String(rfc3339(now_stamp())))
}

/// One time for the whole run, as Terraform fixes it for a plan.
pub fn plantimestamp(_: &[Value], _: &CallContext) -> FnResult {
    static PLAN_TIME: OnceLock<String> = OnceLock::new();
    Ok(Value::String(
        PLAN_TIME.get_or_init(|| rfc3339(now_stamp())).clone(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_with_offsets() {
        let t = parse("2018-01-02T23:12:01-08:30").unwrap();
        assert_eq!(rfc3339(t), "2018-01-02T23:12:01-08:30");
        assert!(parse("2018-01-02").unwrap_err().contains("time introducer"));
        assert!(parse("2018-02-30T00:00:00Z").is_err());
    }

    #[test]
    fn durations_as_go() {
        assert_eq!(parse_duration("1h30m1.5s"), Ok(5_401_500_000_000));
        assert_eq!(parse_duration("-1h"), Ok(-3_600_000_000_000));
        assert!(parse_duration("1d").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("1").unwrap_err().contains("missing unit"));
    }
}

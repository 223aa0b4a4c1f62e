//! hashicorp/time: `time_static` (a timestamp fixed at creation),
//! `time_rotating` (one that is replaced once its rotation time has
//! passed) and `time_sleep` (waits after create and before destroy, on the
//! cloud's clock: see `clock.rs`). Timestamps are the local clock's, as
//! the provider's are, in RFC 3339 UTC.

use std::collections::BTreeMap;
use std::time::Duration;

use super::clock::CloudClock;
use super::spec::{Kind, TypeSpec, computed, number, opt, opt_computed, problem, text};
use crate::lang::Value;
use crate::provider::{ArgProblem, Planned, ProviderError};

pub const NAME: &str = "registry.terraform.io/hashicorp/time";

const PARTS: [&str; 7] = ["year", "month", "day", "hour", "minute", "second", "unix"];
const ROTATIONS: [&str; 5] = [
    "rotation_years",
    "rotation_months",
    "rotation_days",
    "rotation_hours",
    "rotation_minutes",
];

pub const TYPES: &[TypeSpec] = &[
    TypeSpec {
        ty: "time_static",
        attrs: &[
            opt("triggers", Kind::StrMap),
            opt_computed("rfc3339", Kind::Str),
            computed("year", Kind::Num),
            computed("month", Kind::Num),
            computed("day", Kind::Num),
            computed("hour", Kind::Num),
            computed("minute", Kind::Num),
            computed("second", Kind::Num),
            computed("unix", Kind::Num),
            computed("id", Kind::Str),
        ],
    },
    TypeSpec {
        ty: "time_rotating",
        attrs: &[
            opt("triggers", Kind::StrMap),
            opt_computed("rfc3339", Kind::Str),
            opt("rotation_years", Kind::Num).in_place(),
            opt("rotation_months", Kind::Num).in_place(),
            opt("rotation_days", Kind::Num).in_place(),
            opt("rotation_hours", Kind::Num).in_place(),
            opt("rotation_minutes", Kind::Num).in_place(),
            opt_computed("rotation_rfc3339", Kind::Str).in_place(),
            computed("year", Kind::Num),
            computed("month", Kind::Num),
            computed("day", Kind::Num),
            computed("hour", Kind::Num),
            computed("minute", Kind::Num),
            computed("second", Kind::Num),
            computed("unix", Kind::Num),
            computed("id", Kind::Str),
        ],
    },
    TypeSpec {
        ty: "time_sleep",
        attrs: &[
            opt("create_duration", Kind::Str).in_place(),
            opt("destroy_duration", Kind::Str).in_place(),
            opt("triggers", Kind::StrMap),
            computed("id", Kind::Str),
        ],
    },
];

fn parse_time(s: &str) -> Option<i64> {
    crate::timefmt::parse_rfc3339(s)
}

fn duration(s: &str) -> Option<Duration> {
    crate::timefmt::parse_duration(s)
}

pub fn check(ty: &str, cfg: &BTreeMap<String, Value>) -> Vec<ArgProblem> {
    let mut out = Vec::new();
    for k in ["rfc3339", "rotation_rfc3339"] {
        if let Some(s) = text(cfg, k)
            && parse_time(&s).is_none()
        {
            out.push(problem(
                k,
                "Invalid Attribute Value",
                format!("{s:?} is not an RFC 3339 timestamp (e.g. \"2025-01-02T15:04:05Z\")."),
            ));
        }
    }
    for k in ["create_duration", "destroy_duration"] {
        if let Some(s) = text(cfg, k)
            && duration(&s).is_none()
        {
            out.push(problem(k, "Invalid Attribute Value", format!("{s:?} is not a duration: write a number with a unit (\"30s\", \"1m30s\", \"2h\").")));
        }
    }
    for k in ROTATIONS {
        if let Some(n) = number(cfg, k)
            && (n < 1.0 || n.fract() != 0.0)
        {
            out.push(problem(
                k,
                "Invalid Attribute Value",
                format!("Attribute {k} value must be a whole number at least 1, got: {n}"),
            ));
        }
    }
    if ty == "time_rotating"
        && !ROTATIONS
            .iter()
            .any(|k| cfg.get(*k).is_some_and(|v| !v.is_null()))
        && cfg.get("rotation_rfc3339").is_none_or(Value::is_null)
    {
        out.push(ArgProblem {
            argument: None,
            summary: "Missing Attribute Configuration".into(),
            detail: "time_rotating needs one of rotation_years, rotation_months, rotation_days, rotation_hours, rotation_minutes or rotation_rfc3339.".into(),
        });
    }
    out
}

/// `secs` plus whole months, clamping the day as Go's AddDate does not
/// (Go normalises Jan 31 + 1 month to Mar 3; so do we, by overflow).
fn add_months(secs: i64, months: i64) -> i64 {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let date = crate::timefmt::rfc3339(days as f64 * 86_400.0);
    let y: i64 = date[0..4].parse().unwrap_or(1970);
    let m: i64 = date[5..7].parse().unwrap_or(1);
    let d: i64 = date[8..10].parse().unwrap_or(1);
    let total = y * 12 + (m - 1) + months;
    let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let first = crate::timefmt::days_from_civil(ny, nm, 1);
    (first + d - 1) * 86_400 + rem
}

/// The rotation time of a `time_rotating` object: its base plus the
/// configured span.
fn rotation(m: &BTreeMap<String, Value>) -> Option<String> {
    let base = parse_time(&text(m, "rfc3339")?)?;
    let n = |k: &str| number(m, k).unwrap_or(0.0) as i64;
    if ROTATIONS.iter().all(|k| number(m, k).is_none()) {
        return None;
    }
    let mut t = add_months(base, n("rotation_years") * 12 + n("rotation_months"));
    t += n("rotation_days") * 86_400 + n("rotation_hours") * 3600 + n("rotation_minutes") * 60;
    Some(crate::timefmt::rfc3339(t as f64))
}

/// The parts (`year`, ..., `unix`) and `id` of timestamp `rfc3339`.
fn stamp(m: &mut BTreeMap<String, Value>, rfc3339: &str) {
    let Some(secs) = parse_time(rfc3339) else {
        return;
    };
    let canon = crate::timefmt::rfc3339(secs as f64);
    let num = |s: &str| Value::Number(s.parse::<f64>().unwrap_or(0.0));
    let values = [
        num(&canon[0..4]),
        num(&canon[5..7]),
        num(&canon[8..10]),
        num(&canon[11..13]),
        num(&canon[14..16]),
        num(&canon[17..19]),
        Value::Number(secs as f64),
    ];
    for (k, v) in PARTS.iter().zip(values) {
        m.insert(k.to_string(), v);
    }
    m.insert("rfc3339".into(), Value::String(rfc3339.to_string()));
    m.insert("id".into(), Value::String(rfc3339.to_string()));
}

/// Known at plan time where the base is: the parts of a configured
/// `rfc3339`, and `time_rotating`'s rotation time.
pub fn after_plan(ty: &str, planned: &mut Planned) {
    let Value::Object(m) = &mut planned.value else {
        return;
    };
    if ty == "time_sleep" {
        return;
    }
    if let Some(base) = text(m, "rfc3339")
        && m.get("unix").is_some_and(Value::is_unknown)
    {
        stamp(m, &base);
    }
    if ty == "time_rotating"
        && let Some(r) = rotation(m)
    {
        m.insert("rotation_rfc3339".into(), Value::String(r));
    }
}

pub async fn create(
    ty: &str,
    m: &mut BTreeMap<String, Value>,
    clock: &CloudClock,
) -> Result<(), ProviderError> {
    match ty {
        "time_sleep" => {
            if let Some(d) = text(m, "create_duration").and_then(|s| duration(&s)) {
                clock.sleep(d).await;
            }
            m.insert("id".into(), Value::String(crate::timefmt::now()));
        }
        _ => {
            let base = text(m, "rfc3339").unwrap_or_else(crate::timefmt::now);
            stamp(m, &base);
            if ty == "time_rotating" {
                update(ty, m);
            }
        }
    }
    Ok(())
}

pub fn update(ty: &str, m: &mut BTreeMap<String, Value>) {
    if ty == "time_rotating"
        && let Some(r) = rotation(m)
    {
        m.insert("rotation_rfc3339".into(), Value::String(r));
    }
}

/// A `time_rotating` whose rotation time has passed is gone (the next
/// plan creates it anew), as the provider removes it from state.
pub fn read(ty: &str, m: BTreeMap<String, Value>) -> Option<Value> {
    if ty == "time_rotating"
        && let Some(end) = text(&m, "rotation_rfc3339").and_then(|s| parse_time(&s))
        && crate::timefmt::now_secs() >= end as f64
    {
        return None;
    }
    Some(Value::Object(m))
}

pub async fn delete(
    ty: &str,
    m: &BTreeMap<String, Value>,
    clock: &CloudClock,
) -> Result<(), ProviderError> {
    if ty == "time_sleep"
        && let Some(d) = text(m, "destroy_duration").and_then(|s| duration(&s))
    {
        clock.sleep(d).await;
    }
    Ok(())
}

/// Imports in the provider's formats: `time_static` an RFC 3339 time;
/// `time_rotating` `BASE,YEARS,MONTHS,DAYS,HOURS,MINUTES` or
/// `BASE,ROTATION_RFC3339`; `time_sleep` `CREATE,DESTROY` durations.
pub fn import(ty: &str, id: &str) -> Result<BTreeMap<String, Value>, String> {
    let mut m = BTreeMap::new();
    let time = |s: &str| {
        parse_time(s)
            .map(|_| s.to_string())
            .ok_or_else(|| format!("{s:?} is not an RFC 3339 timestamp"))
    };
    match ty {
        "time_static" => stamp(&mut m, &time(id)?),
        "time_rotating" => {
            let parts: Vec<&str> = id.split(',').collect();
            match parts.len() {
                2 => {
                    stamp(&mut m, &time(parts[0])?);
                    m.insert("rotation_rfc3339".into(), Value::String(time(parts[1])?));
                }
                6 => {
                    stamp(&mut m, &time(parts[0])?);
                    for (k, v) in ROTATIONS.iter().zip(&parts[1..]) {
                        if v.is_empty() {
                            continue;
                        }
                        let n: i64 = v.parse().map_err(|_| format!("{v:?} is not a whole number ({k})"))?;
                        if n > 0 {
                            m.insert(k.to_string(), Value::Number(n as f64));
                        }
                    }
                    update(ty, &mut m);
                }
                _ => return Err("time_rotating import expects \"BASE_RFC3339,YEARS,MONTHS,DAYS,HOURS,MINUTES\" or \"BASE_RFC3339,ROTATION_RFC3339\"".into()),
            }
        }
        "time_sleep" => {
            let (c, d) = id.split_once(',').ok_or("time_sleep import expects \"CREATE_DURATION,DESTROY_DURATION\" (either may be empty)")?;
            for (k, v) in [("create_duration", c), ("destroy_duration", d)] {
                if !v.is_empty() {
                    duration(v).ok_or_else(|| format!("{v:?} is not a duration ({k})"))?;
                    m.insert(k.into(), Value::String(v.into()));
                }
            }
            m.insert("id".into(), Value::String(crate::timefmt::now()));
        }
        _ => return Err(format!("{ty} does not support import")),
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotations_add_calendar_months_and_spans() {
        let mut m = BTreeMap::new();
        m.insert(
            "rfc3339".into(),
            Value::String("2024-01-31T10:00:00Z".into()),
        );
        m.insert("rotation_months".into(), Value::Number(1.0));
        m.insert("rotation_days".into(), Value::Number(1.0));
        // Jan 31 + 1 month overflows to Mar 2 (2024 is a leap year), + 1 day.
        assert_eq!(rotation(&m).as_deref(), Some("2024-03-03T10:00:00Z"));
        let mut s = BTreeMap::new();
        stamp(&mut s, "2020-02-12T06:36:13Z");
        assert_eq!(number(&s, "unix"), Some(1581489373.0));
        assert_eq!(number(&s, "month"), Some(2.0));
        assert!(import("time_rotating", "2020-02-12T06:36:13Z,0,0,7,0,0").is_ok());
        assert!(import("time_rotating", "x,1").is_err());
        assert!(
            read(
                "time_rotating",
                import("time_rotating", "2020-02-12T06:36:13Z,0,0,7,0,0").unwrap()
            )
            .is_none()
        );
    }
}

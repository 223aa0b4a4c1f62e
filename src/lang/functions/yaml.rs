//! `yamldecode`: one YAML document to a value, with the YAML 1.1 scalar
//! resolution Terraform applies (`yes`/`no` booleans, `~` null, hex and
//! octal integers, `.inf`, timestamps as RFC 3339), anchors, aliases and
//! `<<` merge keys. Mappings become objects and sequences tuples.

use std::collections::BTreeMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::{CallContext, FnError, FnResult, str_arg};
use crate::lang::value::Value;

/// The most values aliases may expand to: a "billion laughs" document is
/// refused instead of exhausting memory.
const MAX_NODES: usize = 1_000_000;

struct Builder {
    anchors: BTreeMap<usize, Value>,
    nodes: usize,
}

fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Number(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Number(f64::NEG_INFINITY),
        _ => {}
    }
    if let Some(n) = integer(s) {
        return Value::Number(n);
    }
    let float_like = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-' | '_'))
        && s.chars().any(|c| c.is_ascii_digit());
    if float_like && let Ok(f) = s.replace('_', "").parse::<f64>() {
        return Value::Number(f);
    }
    if let Some(t) = timestamp(s) {
        return Value::String(t);
    }
    Value::String(s.to_string())
}

fn integer(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let body = body.replace('_', "");
    let (digits, radix) = if let Some(h) = body.strip_prefix("0x") {
        (h.to_string(), 16)
    } else if let Some(b) = body.strip_prefix("0b") {
        (b.to_string(), 2)
    } else if let Some(o) = body.strip_prefix("0o") {
        (o.to_string(), 8)
    } else if body.len() > 1 && body.starts_with('0') {
        (body[1..].to_string(), 8)
    } else {
        (body, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let n = digits.chars().fold(0f64, |acc, c| {
        acc * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
    });
    Some(if neg { -n } else { n })
}

/// `2001-12-14` or `2001-12-14T21:59:43.10-05:00` (and the spaced form)
/// as RFC 3339 in UTC.
fn timestamp(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        s.get(r)
            .filter(|x| x.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|x| x.parse::<i64>().ok())
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let days = crate::timefmt::days_from_civil(y, m, d);
    if b.len() == 10 {
        return Some(crate::timefmt::rfc3339((days * 86_400) as f64));
    }
    None
}

impl Builder {
    fn count(&mut self) -> Result<(), String> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err("the document expands to too many values".into());
        }
        Ok(())
    }

    fn scalar(
        &self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&saphyr_parser::Tag>,
    ) -> Result<Value, String> {
        let plain = matches!(style, ScalarStyle::Plain);
        match tag.map(|t| (t.handle.as_str(), t.suffix.as_str())) {
            None if plain => Ok(resolve_plain(text)),
            None => Ok(Value::String(text.to_string())),
            Some((_, "str")) => Ok(Value::String(text.to_string())),
            Some((_, "null")) => Ok(Value::Null),
            Some((_, kind @ ("int" | "float" | "bool"))) => {
                let v = resolve_plain(text);
                let ok = match kind {
                    "bool" => matches!(v, Value::Bool(_)),
                    _ => matches!(v, Value::Number(_)),
                };
                if ok {
                    Ok(v)
                } else {
                    Err(format!("cannot decode {text:?} as a !!{kind}"))
                }
            }
            Some((h, s)) => Err(format!("unsupported tag {h}{s}")),
        }
    }

    /// The node starting with `first`, reading its contents from `events`.
    fn node<'a>(
        &mut self,
        first: Event<'a>,
        events: &mut impl Iterator<Item = Result<Event<'a>, String>>,
    ) -> Result<Value, String> {
        self.count()?;
        match first {
            Event::Scalar(text, style, anchor, tag) => {
                let v = self.scalar(&text, style, tag.as_deref())?;
                if anchor > 0 {
                    self.anchors.insert(anchor, v.clone());
                }
                Ok(v)
            }
            Event::Alias(id) => self
                .anchors
                .get(&id)
                .cloned()
                .ok_or_else(|| "unknown anchor referenced by alias".to_string()),
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let ev = events.next().ok_or("unexpected end of document")??;
                    if matches!(ev, Event::SequenceEnd) {
                        break;
                    }
                    items.push(crate::lang::with_stack(|| self.node(ev, events))?);
                }
                let v = Value::Tuple(items);
                if anchor > 0 {
                    self.anchors.insert(anchor, v.clone());
                }
                Ok(v)
            }
            Event::MappingStart(anchor, _) => {
                let mut map = BTreeMap::new();
                let mut merged: Vec<BTreeMap<String, Value>> = Vec::new();
                loop {
                    let ev = events.next().ok_or("unexpected end of document")??;
                    if matches!(ev, Event::MappingEnd) {
                        break;
                    }
                    let is_merge =
                        matches!(&ev, Event::Scalar(t, ScalarStyle::Plain, _, None) if t == "<<");
                    let key = crate::lang::with_stack(|| self.node(ev, events))?;
                    let vev = events.next().ok_or("unexpected end of document")??;
                    let value = crate::lang::with_stack(|| self.node(vev, events))?;
                    if is_merge {
                        match value {
                            Value::Object(m) => merged.push(m),
                            Value::Tuple(xs) => {
                                for x in xs {
                                    match x {
                                        Value::Object(m) => merged.push(m),
                                        _ => return Err("map merge requires map or sequence of maps as the value".into()),
                                    }
                                }
                            }
                            _ => {
                                return Err(
                                    "map merge requires map or sequence of maps as the value"
                                        .into(),
                                );
                            }
                        }
                        continue;
                    }
                    let key = match key {
                        Value::String(s) => s,
                        Value::Number(n) => crate::lang::value::format_number(n),
                        Value::Bool(b) => b.to_string(),
                        Value::Null => "null".to_string(),
                        _ => return Err("only strings are allowed as mapping keys".into()),
                    };
                    map.insert(key, value);
                }
                for m in merged {
                    for (k, v) in m {
                        map.entry(k).or_insert(v);
                    }
                }
                let v = Value::Object(map);
                if anchor > 0 {
                    self.anchors.insert(anchor, v.clone());
                }
                Ok(v)
            }
            _ => Err("did not find expected node content".into()),
        }
    }
}

pub fn yamldecode(a: &[Value], _: &CallContext) -> FnResult {
    let text = str_arg(a, 0)?;
    decode(&text).map_err(FnError::Msg)
}

fn decode(text: &str) -> Result<Value, String> {
    let mut events = Parser::new_from_str(text).map(|r| {
        r.map(|(ev, _)| ev).map_err(|e| {
            format!(
                "on line {}, column {}: {}",
                e.marker().line(),
                e.marker().col() + 1,
                e.info()
            )
        })
    });
    let mut b = Builder {
        anchors: BTreeMap::new(),
        nodes: 0,
    };
    let mut value = None;
    let mut docs = 0;
    while let Some(ev) = events.next() {
        match ev? {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                docs += 1;
                if docs > 1 {
                    return Err("unexpected extra content after value".into());
                }
            }
            first => {
                value = Some(b.node(first, &mut events)?);
            }
        }
    }
    value.ok_or_else(|| "on line 1, column 1: missing start of document".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_scalars_as_terraform() {
        let v = decode("- 1\n- yes\n- ~\n- 0x10\n- 1e3\n- 'x'\n- 2001-12-14").unwrap();
        assert_eq!(
            v,
            Value::Tuple(vec![
                Value::Number(1.0),
                Value::Bool(true),
                Value::Null,
                Value::Number(16.0),
                Value::Number(1000.0),
                Value::String("x".into()),
                Value::String("2001-12-14T00:00:00Z".into()),
            ])
        );
        let v = decode("a: &x {k: 1}\nb:\n  <<: *x\n  j: 2").unwrap();
        assert_eq!(v.to_json()["b"]["k"], serde_json::json!(1));
        assert!(decode("").is_err());
        assert!(decode("a: [").is_err());
    }
}

//! Sensitive marks as attribute paths, so they survive JSON.

use crate::lang::Value;

/// Paths (attribute names and indices) of every sensitive part of `v`.
pub fn paths(v: &Value) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

fn walk(v: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Sensitive(_) => out.push(at.clone()),
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            for (i, x) in xs.iter().enumerate() {
                at.push(i.to_string());
                walk(x, at, out);
                at.pop();
            }
        }
        Value::Map(m) | Value::Object(m) => {
            for (k, x) in m {
                at.push(k.clone());
                walk(x, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// Marks the parts of `v` at `paths` sensitive.
pub fn apply(v: Value, paths: &[Vec<String>]) -> Value {
    paths.iter().fold(v, |v, p| mark(v, p))
}

fn mark(v: Value, path: &[String]) -> Value {
    let Some((first, rest)) = path.split_first() else {
        return v.sensitive();
    };
    match v {
        Value::Object(mut m) => {
            if let Some(x) = m.remove(first) {
                m.insert(first.clone(), mark(x, rest));
            }
            Value::Object(m)
        }
        Value::Map(mut m) => {
            if let Some(x) = m.remove(first) {
                m.insert(first.clone(), mark(x, rest));
            }
            Value::Map(m)
        }
        Value::Tuple(xs) => Value::Tuple(mark_at(xs, first, rest)),
        Value::List(xs) => Value::List(mark_at(xs, first, rest)),
        other => other,
    }
}

fn mark_at(mut xs: Vec<Value>, first: &str, rest: &[String]) -> Vec<Value> {
    if let Some(slot) = first.parse::<usize>().ok().and_then(|i| xs.get_mut(i)) {
        let x = std::mem::replace(slot, Value::Null);
        *slot = mark(x, rest);
    }
    xs
}

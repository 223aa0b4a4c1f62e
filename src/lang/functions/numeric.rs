//! Numeric functions.

use super::{CallContext, FnError, FnResult, int_arg, num_arg, str_arg};
use crate::lang::value::Value;

fn fold(a: &[Value], pick: fn(f64, f64) -> f64) -> FnResult {
    let mut acc = num_arg(a, 0)?;
    for i in 1..a.len() {
        acc = pick(acc, num_arg(a, i)?);
    }
    Ok(Value::Number(acc))
}

pub fn min(a: &[Value], _: &CallContext) -> FnResult {
    fold(a, f64::min)
}
pub fn max(a: &[Value], _: &CallContext) -> FnResult {
    fold(a, f64::max)
}
pub fn abs(a: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::Number(num_arg(a, 0)?.abs()))
}
pub fn ceil(a: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::Number(num_arg(a, 0)?.ceil()))
}
pub fn floor(a: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::Number(num_arg(a, 0)?.floor()))
}

pub fn parseint(a: &[Value], _: &CallContext) -> FnResult {
    let s = str_arg(a, 0)?;
    let base = int_arg(a, 1)?;
    if !(2..=62).contains(&base) {
        return Err(FnError::Arg(
            1,
            "base must be a whole number between 2 and 62 inclusive".into(),
        ));
    }
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    if digits.is_empty() {
        return Err(FnError::Msg(format!(
            "cannot parse {s:?} as a base {base} integer"
        )));
    }
    let mut acc: f64 = 0.0;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as i64 - '0' as i64,
            'a'..='z' if base <= 36 => c as i64 - 'a' as i64 + 10,
            'A'..='Z' if base <= 36 => c as i64 - 'A' as i64 + 10,
            'a'..='z' => c as i64 - 'a' as i64 + 10,
            'A'..='Z' => c as i64 - 'A' as i64 + 36,
            _ => -1,
        };
        if d < 0 || d >= base {
            return Err(FnError::Msg(format!(
                "cannot parse {s:?} as a base {base} integer"
            )));
        }
        acc = acc * base as f64 + d as f64;
    }
    Ok(Value::Number(if neg { -acc } else { acc }))
}

//! Numeric functions.

use super::{CallContext, FnError, FnResult, int_arg, num_arg, str_arg};
use crate::lang::value::Value;

fn fold(a: &[Value], pick: fn(f64, f64) -> f64) -> FnResult {
    if a.is_empty() {
        return Err(FnError::Msg("must pass at least one number".into()));
    }
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
        return Err(FnError::Arg(
            0,
            format!("cannot parse {s:?} as a base {base} integer"),
        ));
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
            return Err(FnError::Arg(
                0,
                format!("cannot parse {s:?} as a base {base} integer"),
            ));
        }
        acc = acc * base as f64 + d as f64;
    }
    Ok(Value::Number(if neg { -acc } else { acc }))
}

pub fn sum(a: &[Value], _: &CallContext) -> FnResult {
    let v = super::arg(a, 0)?;
    let xs = match v {
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => xs,
        Value::Null => return Err(FnError::Arg(0, "argument must not be null".into())),
        other => {
            return Err(FnError::Arg(
                0,
                format!(
                    "argument must be list, set, or tuple. Received {}",
                    other.kind_name()
                ),
            ));
        }
    };
    if xs.is_empty() {
        return Err(FnError::Arg(0, "cannot sum an empty list".into()));
    }
    let mut total = 0.0;
    for x in xs {
        match x {
            Value::Unknown(_) => return Err(FnError::Unknown),
            Value::Null => {
                return Err(FnError::Arg(
                    0,
                    "argument must be list, set, or tuple of number values".into(),
                ));
            }
            _ => match crate::lang::convert::convert(x, &crate::lang::value::Type::Number) {
                Ok(Value::Number(n)) => total += n,
                _ => {
                    return Err(FnError::Arg(
                        0,
                        "argument must be list, set, or tuple of number values".into(),
                    ));
                }
            },
        }
    }
    Ok(Value::Number(total))
}

/// A result that is not a number is refused: Terraform's own functions
/// crash on it (`pow(-8, 1/3)`), and no value can hold it.
fn real(n: f64, name: &str) -> FnResult {
    if n.is_nan() {
        return Err(FnError::Msg(format!(
            "the result of {name} is not a real number"
        )));
    }
    Ok(Value::Number(n))
}

pub fn pow(a: &[Value], _: &CallContext) -> FnResult {
    real(num_arg(a, 0)?.powf(num_arg(a, 1)?), "pow")
}

pub fn log(a: &[Value], _: &CallContext) -> FnResult {
    real(num_arg(a, 0)?.ln() / num_arg(a, 1)?.ln(), "log")
}

pub fn signum(a: &[Value], _: &CallContext) -> FnResult {
    let n = num_arg(a, 0)?;
    if n.fract() != 0.0 || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&n) {
        return Err(FnError::Msg(
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807"
                .into(),
        ));
    }
    Ok(Value::Number(n.signum() * if n == 0.0 { 0.0 } else { 1.0 }))
}

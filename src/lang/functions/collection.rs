//! Collection and type-conversion functions.

use std::collections::BTreeMap;

use super::{CallContext, FnError, FnResult, arg, elem_str, int_arg, num_arg, seq_arg, str_arg};
use crate::lang::convert::{convert, unify};
use crate::lang::value::values_equal;
use crate::lang::value::{Type, Value};

/// The most elements a function builds a collection of where the result can
/// be far larger than its arguments (`setproduct`).
pub const MAX_COLLECTION: usize = 1_000_000;

fn known(a: &[Value], i: usize) -> Result<&Value, FnError> {
    arg(a, i)
}

pub fn length(a: &[Value], _: &CallContext) -> FnResult {
    let v = known(a, 0)?;
    Ok(Value::Number(match v {
        Value::String(s) => s.chars().count() as f64,
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => xs.len() as f64,
        Value::Map(m) | Value::Object(m) => m.len() as f64,
        Value::Null => return Err(FnError::Arg(0, "argument must not be null".into())),
        other => {
            return Err(FnError::Arg(
                0,
                format!(
                    "collection must be a list, a map or a tuple, not {}",
                    other.kind_name()
                ),
            ));
        }
    }))
}

fn mapping_arg(a: &[Value], i: usize) -> Result<&BTreeMap<String, Value>, FnError> {
    let v = known(a, i)?;
    v.as_mapping()
        .ok_or_else(|| FnError::Arg(i, format!("map or object required, not {}", v.kind_name())))
}

pub fn lookup(a: &[Value], _: &CallContext) -> FnResult {
    let m = mapping_arg(a, 0)?;
    let k = str_arg(a, 1)?;
    match m.get(&k) {
        Some(v) => Ok(v.clone()),
        None => match a.get(2) {
            Some(d) => Ok(d.clone()),
            None if matches!(a[0], Value::Object(_)) => Err(FnError::Arg(
                0,
                format!("the given object has no attribute {k:?}"),
            )),
            None => Err(FnError::Msg(format!("lookup failed to find key {k:?}"))),
        },
    }
}

pub fn merge(a: &[Value], _: &CallContext) -> FnResult {
    let mut out = BTreeMap::new();
    let mut any_object = false;
    for (i, v) in a.iter().enumerate() {
        match v {
            Value::Null => continue,
            Value::Unknown(_) => return Err(FnError::Unknown),
            Value::Object(m) => {
                any_object = true;
                out.extend(m.clone());
            }
            Value::Map(m) => out.extend(m.clone()),
            other => {
                let _ = i;
                return Err(FnError::Msg(format!(
                    "arguments must be maps or objects, got {:?}",
                    other.kind_name()
                )));
            }
        }
    }
    if any_object {
        return Ok(Value::Object(out));
    }
    // Maps of differing element types merge to an object, as Terraform does.
    let types: Vec<Type> = out.values().map(Value::type_of).collect();
    if types.windows(2).all(|w| w[0] == w[1]) {
        Ok(Value::Map(out))
    } else {
        Ok(Value::Object(out))
    }
}

pub fn concat(a: &[Value], _: &CallContext) -> FnResult {
    let mut out = Vec::new();
    let mut all_lists = true;
    for (i, v) in a.iter().enumerate() {
        match v {
            Value::Unknown(_) => return Err(FnError::Unknown),
            Value::List(xs) => out.extend(xs.iter().cloned()),
            Value::Tuple(xs) | Value::Set(xs) => {
                all_lists = false;
                out.extend(xs.iter().cloned());
            }
            other => {
                return Err(FnError::Arg(
                    i,
                    format!(
                        "all arguments must be lists or tuples; got {}",
                        other.kind_name()
                    ),
                ));
            }
        }
    }
    if all_lists && !a.is_empty() {
        let types: Vec<Type> = out.iter().map(Value::type_of).collect();
        if let Some(t) = unify(&types) {
            return convert(&Value::List(out.clone()), &Type::List(Box::new(t)))
                .map_err(|e| FnError::Msg(e.0));
        }
    }
    Ok(Value::Tuple(out))
}

pub fn flatten(a: &[Value], _: &CallContext) -> FnResult {
    fn walk(v: &Value, out: &mut Vec<Value>) -> Result<(), FnError> {
        match v {
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                for x in xs {
                    walk(x, out)?;
                }
                Ok(())
            }
            Value::Unknown(_) => Err(FnError::Unknown),
            other => {
                out.push(other.clone());
                Ok(())
            }
        }
    }
    let mut out = Vec::new();
    for x in seq_arg(a, 0)? {
        walk(x, &mut out)?;
    }
    Ok(Value::Tuple(out))
}

pub fn keys(a: &[Value], _: &CallContext) -> FnResult {
    let v = known(a, 0)?;
    let ks: Vec<Value> = match v {
        Value::Map(m) => {
            return Ok(Value::List(
                m.keys().map(|k| Value::String(k.clone())).collect(),
            ));
        }
        Value::Object(m) => m.keys().map(|k| Value::String(k.clone())).collect(),
        other => {
            return Err(FnError::Arg(
                0,
                format!("must have map or object type, not {}", other.kind_name()),
            ));
        }
    };
    Ok(Value::Tuple(ks))
}

pub fn values(a: &[Value], _: &CallContext) -> FnResult {
    match known(a, 0)? {
        Value::Map(m) => Ok(Value::List(m.values().cloned().collect())),
        Value::Object(m) => Ok(Value::Tuple(m.values().cloned().collect())),
        other => Err(FnError::Arg(
            0,
            format!("must have map or object type, not {}", other.kind_name()),
        )),
    }
}

pub fn contains(a: &[Value], _: &CallContext) -> FnResult {
    let xs = seq_arg(a, 0)?;
    let needle = known(a, 1)?;
    if !xs.iter().all(Value::is_wholly_known) || !needle.is_wholly_known() {
        return Err(FnError::Unknown);
    }
    Ok(Value::Bool(xs.iter().any(|x| {
        values_equal(x, needle) || loosely_equal(x, needle)
    })))
}

/// Equal after converting both to the first's type (contains and index compare
/// within a unified element type).
fn loosely_equal(x: &Value, y: &Value) -> bool {
    match convert(y, &x.type_of()) {
        Ok(c) => values_equal(x, &c),
        Err(_) => false,
    }
}

pub fn distinct(a: &[Value], _: &CallContext) -> FnResult {
    let xs = seq_arg(a, 0)?;
    if !xs.iter().all(Value::is_wholly_known) {
        return Err(FnError::Unknown);
    }
    let mut out: Vec<Value> = Vec::new();
    for x in xs {
        if !out.iter().any(|y| values_equal(x, y)) {
            out.push(x.clone());
        }
    }
    Ok(Value::List(out))
}

pub fn element(a: &[Value], _: &CallContext) -> FnResult {
    let xs = seq_arg(a, 0)?;
    let i = int_arg(a, 1)?;
    if xs.is_empty() {
        return Err(FnError::Msg(
            "cannot use element function with an empty list".into(),
        ));
    }
    if i < 0 {
        return Err(FnError::Msg(
            "cannot use element function with a negative index".into(),
        ));
    }
    Ok(xs[(i as usize) % xs.len()].clone())
}

pub fn index(a: &[Value], _: &CallContext) -> FnResult {
    let xs = seq_arg(a, 0)?;
    let needle = known(a, 1)?;
    if !xs.iter().all(Value::is_wholly_known) {
        return Err(FnError::Unknown);
    }
    xs.iter()
        .position(|x| values_equal(x, needle) || loosely_equal(x, needle))
        .map(|i| Value::Number(i as f64))
        .ok_or_else(|| FnError::Msg("item not found".into()))
}

pub fn slice(a: &[Value], _: &CallContext) -> FnResult {
    let v = known(a, 0)?;
    let xs = seq_arg(a, 0)?;
    let start = int_arg(a, 1)?;
    let end = int_arg(a, 2)?;
    if start < 0 {
        return Err(FnError::Arg(
            1,
            "start index must not be less than zero".into(),
        ));
    }
    if end < 0 {
        return Err(FnError::Arg(
            2,
            "end index must not be less than zero".into(),
        ));
    }
    if end as u64 > xs.len() as u64 {
        return Err(FnError::Arg(
            2,
            "end index must not be greater than the length of the list".into(),
        ));
    }
    if start > end {
        return Err(FnError::Arg(
            1,
            "start index must not be greater than end index".into(),
        ));
    }
    let part = xs[start as usize..end as usize].to_vec();
    Ok(match v {
        Value::Tuple(_) => Value::Tuple(part),
        _ => Value::List(part),
    })
}

pub fn sort(a: &[Value], _: &CallContext) -> FnResult {
    let xs = seq_arg(a, 0)?;
    let mut out = Vec::with_capacity(xs.len());
    for x in xs {
        out.push(elem_str(x, 0)?);
    }
    out.sort();
    Ok(Value::List(out.into_iter().map(Value::String).collect()))
}

pub fn reverse(a: &[Value], _: &CallContext) -> FnResult {
    let v = known(a, 0)?;
    let mut xs = seq_arg(a, 0)?.to_vec();
    xs.reverse();
    Ok(match v {
        Value::List(_) | Value::Set(_) => Value::List(xs),
        _ => Value::Tuple(xs),
    })
}

fn to(a: &[Value], ty: Type) -> FnResult {
    let v = &a[0];
    // Terraform's own words for strings that are not numbers or bools.
    if let Value::String(s) = v {
        match ty {
            Type::Number if convert(v, &ty).is_err() => {
                return Err(FnError::Arg(
                    0,
                    format!(
                        "cannot convert {s:?} to number; given string must be a decimal representation of a number"
                    ),
                ));
            }
            Type::Bool if convert(v, &ty).is_err() => {
                return Err(FnError::Arg(
                    0,
                    format!(
                        "cannot convert {s:?} to bool; only the strings \"true\" or \"false\" are allowed"
                    ),
                ));
            }
            _ => {}
        }
    }
    if matches!(ty, Type::String | Type::Number | Type::Bool)
        && matches!(
            v,
            Value::List(_) | Value::Tuple(_) | Value::Set(_) | Value::Map(_) | Value::Object(_)
        )
    {
        return Err(FnError::Arg(
            0,
            format!("cannot convert {} to {}", v.kind_name(), ty.friendly()),
        ));
    }
    convert(v, &ty).map_err(|e| {
        FnError::Arg(
            0,
            format!(
                "cannot convert {} to {}: {}",
                v.kind_name(),
                ty.friendly(),
                e.0
            ),
        )
    })
}

pub fn toset(a: &[Value], _: &CallContext) -> FnResult {
    to(a, Type::Set(Box::new(Type::Dynamic)))
}
pub fn tolist(a: &[Value], _: &CallContext) -> FnResult {
    to(a, Type::List(Box::new(Type::Dynamic)))
}
pub fn tomap(a: &[Value], _: &CallContext) -> FnResult {
    to(a, Type::Map(Box::new(Type::Dynamic)))
}
pub fn tostring(a: &[Value], _: &CallContext) -> FnResult {
    to(a, Type::String)
}
pub fn tonumber(a: &[Value], _: &CallContext) -> FnResult {
    to(a, Type::Number)
}
pub fn tobool(a: &[Value], _: &CallContext) -> FnResult {
    to(a, Type::Bool)
}

pub fn zipmap(a: &[Value], _: &CallContext) -> FnResult {
    let ks = seq_arg(a, 0)?;
    let vs_v = known(a, 1)?;
    let vs = seq_arg(a, 1)?;
    if ks.len() != vs.len() {
        return Err(FnError::Msg(format!(
            "number of keys ({}) does not match number of values ({})",
            ks.len(),
            vs.len()
        )));
    }
    let mut m = BTreeMap::new();
    for (k, v) in ks.iter().zip(vs) {
        m.insert(elem_str(k, 0)?, v.clone());
    }
    Ok(match vs_v {
        Value::Tuple(_) => Value::Object(m),
        _ => Value::Map(m),
    })
}

pub fn coalesce(a: &[Value], _: &CallContext) -> FnResult {
    if a.is_empty() {
        return Err(FnError::Msg("all arguments must have the same type".into()));
    }
    let types: Vec<Type> = a
        .iter()
        .filter(|v| !v.is_null())
        .map(Value::type_of)
        .collect();
    let ty = unify(&types)
        .ok_or_else(|| FnError::Msg("all arguments must have the same type".into()))?;
    for v in a {
        if v.is_null() {
            continue;
        }
        if let Value::String(s) = v
            && s.is_empty()
        {
            continue;
        }
        return convert(v, &ty).map_err(|e| FnError::Msg(e.0));
    }
    Err(FnError::Msg(
        "no non-null, non-empty-string arguments".into(),
    ))
}

pub fn coalescelist(a: &[Value], _: &CallContext) -> FnResult {
    for (i, v) in a.iter().enumerate() {
        match v {
            Value::Unknown(_) => return Err(FnError::Unknown),
            Value::Null => continue,
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                if !xs.is_empty() {
                    return Ok(v.clone());
                }
            }
            other => {
                return Err(FnError::Arg(
                    i,
                    format!(
                        "coalescelist arguments must be lists or tuples, got {}",
                        other.kind_name()
                    ),
                ));
            }
        }
    }
    Err(FnError::Msg("no non-null arguments".into()))
}

pub fn compact(a: &[Value], _: &CallContext) -> FnResult {
    let mut out = Vec::new();
    for x in seq_arg(a, 0)? {
        match x {
            Value::Null => continue,
            Value::Unknown(_) => return Err(FnError::Unknown),
            _ => {
                let s = elem_str(x, 0)?;
                if !s.is_empty() {
                    out.push(Value::String(s));
                }
            }
        }
    }
    Ok(Value::List(out))
}

pub fn range(a: &[Value], _: &CallContext) -> FnResult {
    let (start, limit, step) = match a.len() {
        1 => (0.0, num_arg(a, 0)?, 1.0),
        2 => (num_arg(a, 0)?, num_arg(a, 1)?, 1.0),
        _ => (num_arg(a, 0)?, num_arg(a, 1)?, num_arg(a, 2)?),
    };
    let step = if a.len() < 3 && limit < start {
        -1.0
    } else {
        step
    };
    if step == 0.0 {
        // Terraform counts to its limit rather than refusing a zero step.
        return Err(FnError::Msg("more than 1024 values were generated; either decrease the difference between start and end or use a smaller step".into()));
    }
    if (step > 0.0 && limit < start) || (step < 0.0 && limit > start) {
        return Err(FnError::Msg(format!(
            "step must be {} for a {} range",
            if step > 0.0 { "negative" } else { "positive" },
            if step > 0.0 {
                "decrementing"
            } else {
                "incrementing"
            }
        )));
    }
    let mut out = Vec::new();
    let mut x = start;
    while (step > 0.0 && x < limit) || (step < 0.0 && x > limit) {
        if out.len() >= 1024 {
            return Err(FnError::Msg("more than 1024 values were generated; either decrease the difference between start and end or use a smaller step".into()));
        }
        out.push(Value::Number(x));
        x += step;
    }
    Ok(Value::List(out))
}

pub fn setproduct(a: &[Value], _: &CallContext) -> FnResult {
    let mut all_sets = true;
    let mut seqs = Vec::new();
    for i in 0..a.len() {
        if !matches!(a[i], Value::Set(_)) {
            all_sets = false;
        }
        seqs.push(seq_arg(a, i)?);
    }
    // Refuse products too large to build before building them.
    let total = seqs
        .iter()
        .try_fold(1usize, |acc, s| acc.checked_mul(s.len()));
    match total {
        Some(n) if n <= MAX_COLLECTION => {}
        _ => {
            return Err(FnError::Msg(format!(
                "the product has more than {MAX_COLLECTION} elements"
            )));
        }
    }
    let mut rows: Vec<Vec<Value>> = vec![vec![]];
    for s in seqs {
        let mut next = Vec::new();
        for r in &rows {
            for x in s {
                let mut r2 = r.clone();
                r2.push(x.clone());
                next.push(r2);
            }
        }
        rows = next;
    }
    let rows: Vec<Value> = rows.into_iter().map(Value::Tuple).collect();
    Ok(if all_sets {
        Value::set(rows)
    } else {
        Value::List(rows)
    })
}

pub fn setunion(a: &[Value], _: &CallContext) -> FnResult {
    let mut all = Vec::new();
    for i in 0..a.len() {
        all.extend(seq_arg(a, i)?.iter().cloned());
    }
    let ty = unify(&all.iter().map(Value::type_of).collect::<Vec<_>>())
        .ok_or_else(|| FnError::Msg("all elements must have the same type".into()))?;
    convert(&Value::List(all), &Type::Set(Box::new(ty))).map_err(|e| FnError::Msg(e.0))
}

pub fn one(a: &[Value], _: &CallContext) -> FnResult {
    let xs = seq_arg(a, 0)?;
    match xs.len() {
        0 => Ok(Value::Null),
        1 => Ok(xs[0].clone()),
        _ => Err(FnError::Arg(
            0,
            "must be a list, set, or tuple value with either zero or one elements".to_string(),
        )),
    }
}

/// Every element of `xs` converted to bool; null counts as false and an
/// unknown element is `None`.
fn bools(xs: &[Value]) -> Result<Vec<Option<bool>>, FnError> {
    xs.iter()
        .map(|x| match x {
            Value::Unknown(_) => Ok(None),
            Value::Null => Ok(Some(false)),
            _ => match convert(x, &Type::Bool) {
                Ok(Value::Bool(b)) => Ok(Some(b)),
                _ => Err(FnError::Arg(0, "a bool is required".into())),
            },
        })
        .collect()
}

pub fn alltrue(a: &[Value], _: &CallContext) -> FnResult {
    let bs = bools(seq_arg(a, 0)?)?;
    if bs.contains(&Some(false)) {
        return Ok(Value::Bool(false));
    }
    if bs.contains(&None) {
        return Ok(Value::Unknown(Type::Bool));
    }
    Ok(Value::Bool(true))
}

pub fn anytrue(a: &[Value], _: &CallContext) -> FnResult {
    let bs = bools(seq_arg(a, 0)?)?;
    if bs.contains(&Some(true)) {
        return Ok(Value::Bool(true));
    }
    if bs.contains(&None) {
        return Ok(Value::Unknown(Type::Bool));
    }
    Ok(Value::Bool(false))
}

pub fn chunklist(a: &[Value], _: &CallContext) -> FnResult {
    let xs = seq_arg(a, 0)?;
    let size = int_arg(a, 1)?;
    if size < 0 {
        return Err(FnError::Msg("the size argument must be positive".into()));
    }
    let list =
        convert(&Value::List(xs.to_vec()), &list_type_of(xs)).map_err(|e| FnError::Msg(e.0))?;
    let Value::List(items) = list else {
        return Err(FnError::Unknown);
    };
    if items.is_empty() {
        return Ok(Value::List(Vec::new()));
    }
    let size = if size == 0 {
        items.len()
    } else {
        size as usize
    };
    Ok(Value::List(
        items
            .chunks(size)
            .map(|c| Value::List(c.to_vec()))
            .collect(),
    ))
}

fn list_type_of(xs: &[Value]) -> Type {
    let ty = unify(&xs.iter().map(Value::type_of).collect::<Vec<_>>()).unwrap_or(Type::Dynamic);
    Type::List(Box::new(ty))
}

pub fn transpose(a: &[Value], _: &CallContext) -> FnResult {
    let m = mapping_arg(a, 0)?;
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (k, v) in m {
        let xs = match v {
            Value::Unknown(_) => return Err(FnError::Unknown),
            v => v.as_seq().ok_or_else(|| {
                FnError::Arg(
                    0,
                    format!(
                        "element {k:?}: list of string required, but have {}",
                        v.kind_name()
                    ),
                )
            })?,
        };
        for x in xs {
            let s = elem_str(x, 0)?;
            out.entry(s).or_default().push(Value::String(k.clone()));
        }
    }
    Ok(Value::Map(
        out.into_iter().map(|(k, v)| (k, Value::List(v))).collect(),
    ))
}

pub fn matchkeys(a: &[Value], _: &CallContext) -> FnResult {
    let values = seq_arg(a, 0)?;
    let keys = seq_arg(a, 1)?;
    let search = seq_arg(a, 2)?;
    if values.len() != keys.len() {
        return Err(FnError::Msg(
            "length of keys and values should be equal".into(),
        ));
    }
    let mut out = Vec::new();
    for (v, k) in values.iter().zip(keys) {
        if k.is_unknown() || search.iter().any(Value::is_unknown) {
            return Err(FnError::Unknown);
        }
        if search.iter().any(|s| values_equal(s, k)) {
            out.push(v.clone());
        }
    }
    convert(&Value::List(out), &list_type_of(values)).map_err(|e| FnError::Msg(e.0))
}

/// The elements of every argument, unified to one set element type.
fn sets_of(a: &[Value]) -> Result<(Vec<Vec<Value>>, Type), FnError> {
    let mut all = Vec::new();
    let mut sets = Vec::new();
    for i in 0..a.len() {
        let xs = seq_arg(a, i)?;
        all.extend(xs.iter().map(Value::type_of));
        sets.push(xs.to_vec());
    }
    let ty = unify(&all)
        .ok_or_else(|| FnError::Msg("given sets must all have compatible element types".into()))?;
    let sets = sets
        .into_iter()
        .map(
            |xs| match convert(&Value::List(xs), &Type::Set(Box::new(ty.clone()))) {
                Ok(Value::Set(xs)) => Ok(xs),
                Ok(_) => Err(FnError::Unknown),
                Err(e) => Err(FnError::Msg(e.0)),
            },
        )
        .collect::<Result<Vec<_>, _>>()?;
    Ok((sets, ty))
}

pub fn setintersection(a: &[Value], _: &CallContext) -> FnResult {
    let (sets, _) = sets_of(a)?;
    let mut it = sets.into_iter();
    let mut acc = it.next().unwrap_or_default();
    for s in it {
        acc.retain(|x| s.iter().any(|y| values_equal(x, y)));
    }
    Ok(Value::set(acc))
}

pub fn setsubtract(a: &[Value], _: &CallContext) -> FnResult {
    let (sets, _) = sets_of(a)?;
    let (mut acc, rest) = match sets.as_slice() {
        [x, y] => (x.clone(), y.clone()),
        _ => return Err(FnError::Msg("setsubtract takes two sets".into())),
    };
    acc.retain(|x| !rest.iter().any(|y| values_equal(x, y)));
    Ok(Value::set(acc))
}

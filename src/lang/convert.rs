//! Terraform's type conversion rules: what `tostring`, `tolist`, variable
//! type constraints and conditional results do to a value.

use std::collections::BTreeMap;

use super::value::{Type, Value, format_number};

/// Why a conversion failed, phrased as Terraform phrases it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ConvertError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, ConvertError> {
    Err(ConvertError(msg.into()))
}

/// Converts `v` to type `ty`, keeping unknowns unknown and marks marked.
pub fn convert(v: &Value, ty: &Type) -> Result<Value, ConvertError> {
    convert_at(v, ty, "")
}

fn at(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}: ")
    }
}

fn convert_at(v: &Value, ty: &Type, path: &str) -> Result<Value, ConvertError> {
    match v {
        Value::Sensitive(inner) => return Ok(convert_at(inner, ty, path)?.sensitive()),
        Value::Unknown(_) => return Ok(Value::Unknown(ty.clone())),
        Value::Null => return Ok(Value::Null),
        _ => {}
    }
    match ty {
        Type::Dynamic => Ok(v.clone()),
        Type::String => match v {
            Value::String(_) => Ok(v.clone()),
            Value::Number(n) => Ok(Value::String(format_number(*n))),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            _ => err(format!("{}string required", at(path))),
        },
        Type::Number => match v {
            Value::Number(_) => Ok(v.clone()),
            Value::String(s) => match parse_number(s) {
                Some(n) => Ok(Value::Number(n)),
                None => err(format!("{}a number is required", at(path))),
            },
            _ => err(format!("{}number required", at(path))),
        },
        Type::Bool => match v {
            Value::Bool(_) => Ok(v.clone()),
            Value::String(s) if s == "true" => Ok(Value::Bool(true)),
            Value::String(s) if s == "false" => Ok(Value::Bool(false)),
            Value::String(_) => err(format!("{}a bool is required", at(path))),
            _ => err(format!("{}bool required", at(path))),
        },
        Type::List(et) | Type::Set(et) => {
            let items = match v {
                Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => xs,
                _ => {
                    return err(format!(
                        "{}{} required",
                        at(path),
                        if matches!(ty, Type::List(_)) {
                            "list of ".to_string() + &et.friendly()
                        } else {
                            "set of ".to_string() + &et.friendly()
                        }
                    ));
                }
            };
            let et = if **et == Type::Dynamic {
                unify(&items.iter().map(Value::type_of).collect::<Vec<_>>()).ok_or_else(|| {
                    ConvertError(format!("{}all elements must have the same type", at(path)))
                })?
            } else {
                (**et).clone()
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, x) in items.iter().enumerate() {
                out.push(convert_at(
                    x,
                    &et,
                    &format!("{}[{i}]", if path.is_empty() { "element" } else { path }),
                )?);
            }
            Ok(if matches!(ty, Type::List(_)) {
                Value::List(out)
            } else {
                Value::set(out)
            })
        }
        Type::Map(et) => {
            let entries = match v {
                Value::Map(m) | Value::Object(m) => m,
                _ => return err(format!("{}map of {} required", at(path), et.friendly())),
            };
            let et = if **et == Type::Dynamic {
                unify(&entries.values().map(Value::type_of).collect::<Vec<_>>()).ok_or_else(
                    || {
                        ConvertError(format!(
                            "{}all map elements must have the same type",
                            at(path)
                        ))
                    },
                )?
            } else {
                (**et).clone()
            };
            let mut out = BTreeMap::new();
            for (k, x) in entries {
                out.insert(
                    k.clone(),
                    convert_at(x, &et, &format!("{}[{:?}]", path, k))?,
                );
            }
            Ok(Value::Map(out))
        }
        Type::Tuple(ts) => {
            let items = match v {
                Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => xs,
                _ => return err(format!("{}tuple required", at(path))),
            };
            if items.len() != ts.len() {
                return err(format!(
                    "{}tuple required with exactly {} elements",
                    at(path),
                    ts.len()
                ));
            }
            let out = items
                .iter()
                .zip(ts)
                .enumerate()
                .map(|(i, (x, t))| convert_at(x, t, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Tuple(out))
        }
        Type::Object(ot) => {
            let entries = match v {
                Value::Map(m) | Value::Object(m) => m,
                _ => return err(format!("{}object required", at(path))),
            };
            let mut out = BTreeMap::new();
            for (name, t) in &ot.attrs {
                let sub = if path.is_empty() {
                    format!("attribute {name:?}")
                } else {
                    format!("{path}.{name}")
                };
                match entries.get(name) {
                    Some(x) if !x.is_null() => {
                        out.insert(name.clone(), convert_at(x, t, &sub)?);
                    }
                    found => match ot.optional.get(name) {
                        Some(Some(default)) => {
                            out.insert(name.clone(), convert_at(default, t, &sub)?);
                        }
                        Some(None) => {
                            out.insert(name.clone(), Value::Null);
                        }
                        None if found.is_some() => {
                            out.insert(name.clone(), Value::Null);
                        }
                        None => return err(format!("{}attribute {name:?} is required", at(path))),
                    },
                }
            }
            Ok(Value::Object(out))
        }
    }
}

/// Parses a number the way Terraform accepts one in a string.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty()
        || t != s
        || t.starts_with('+')
        || t.contains(['_', 'x', 'X'])
        || t.eq_ignore_ascii_case("inf")
        || t.to_ascii_lowercase().contains("nan")
        || t.to_ascii_lowercase().contains("inf")
    {
        return None;
    }
    t.parse::<f64>().ok()
}

/// The single type a mix of element types converts to, if any (Terraform's
/// unification: equal types stay, primitives mix to string, collections
/// unify element-wise).
pub fn unify(types: &[Type]) -> Option<Type> {
    let concrete: Vec<&Type> = types.iter().filter(|t| **t != Type::Dynamic).collect();
    let Some(first) = concrete.first() else {
        return Some(Type::Dynamic);
    };
    if concrete.iter().all(|t| t == first) {
        return Some((*first).clone());
    }
    if concrete.iter().all(|t| t.is_primitive()) {
        return Some(Type::String);
    }
    // Objects and maps unify to a map of the unified attribute types; tuples
    // and lists to a list of the unified element types.
    let mut elems = Vec::new();
    let mut all_mapping = true;
    let mut all_seq = true;
    for t in &concrete {
        match t {
            Type::Object(o) => {
                all_seq = false;
                elems.extend(o.attrs.values().cloned());
            }
            Type::Map(e) => {
                all_seq = false;
                elems.push((**e).clone());
            }
            Type::Tuple(ts) => {
                all_mapping = false;
                elems.extend(ts.iter().cloned());
            }
            Type::List(e) => {
                all_mapping = false;
                elems.push((**e).clone());
            }
            _ => return None,
        }
    }
    if all_mapping {
        if concrete.iter().all(|t| matches!(t, Type::Object(_))) {
            // Objects with different attributes: Terraform keeps them as
            // objects only when the attribute sets agree.
            return unify(&elems).map(|e| Type::Map(Box::new(e)));
        }
        return unify(&elems).map(|e| Type::Map(Box::new(e)));
    }
    if all_seq {
        return unify(&elems).map(|e| Type::List(Box::new(e)));
    }
    None
}

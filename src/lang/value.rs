//! The value model of the configuration language: Terraform's types, plus
//! "unknown" (known after apply) and "sensitive" marks that survive
//! evaluation and can never be mistaken for ordinary data.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

/// A type, as written in type constraints or inferred from a value.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Type {
    /// `any`: decided by the value.
    Dynamic,
    Bool,
    Number,
    String,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(ObjectType),
}

/// An object type; attributes in `optional` may be absent and take the
/// given default (or null) when converted.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ObjectType {
    pub attrs: BTreeMap<String, Type>,
    pub optional: BTreeMap<String, Option<Value>>,
}

impl Type {
    pub fn object(attrs: BTreeMap<String, Type>) -> Type {
        Type::Object(ObjectType {
            attrs,
            optional: BTreeMap::new(),
        })
    }

    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::Bool | Type::Number | Type::String)
    }

    /// Terraform's spelling, as used in messages and `output -json`.
    pub fn friendly(&self) -> String {
        match self {
            Type::Dynamic => "dynamic".into(),
            Type::Bool => "bool".into(),
            Type::Number => "number".into(),
            Type::String => "string".into(),
            Type::List(t) => format!("list of {}", t.friendly()),
            Type::Set(t) => format!("set of {}", t.friendly()),
            Type::Map(t) => format!("map of {}", t.friendly()),
            Type::Tuple(_) => "tuple".into(),
            Type::Object(_) => "object".into(),
        }
    }

    /// The JSON form `terraform output -json` uses for types.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{Value as J, json};
        match self {
            Type::Dynamic => J::String("dynamic".into()),
            Type::Bool => J::String("bool".into()),
            Type::Number => J::String("number".into()),
            Type::String => J::String("string".into()),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Tuple(ts) => json!(["tuple", ts.iter().map(Type::to_json).collect::<Vec<_>>()]),
            Type::Object(o) => {
                let m: serde_json::Map<String, J> = o
                    .attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                json!(["object", m])
            }
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Dynamic => write!(f, "any"),
            Type::Bool => write!(f, "bool"),
            Type::Number => write!(f, "number"),
            Type::String => write!(f, "string"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Set(t) => write!(f, "set({t})"),
            Type::Map(t) => write!(f, "map({t})"),
            Type::Tuple(ts) => {
                write!(f, "tuple([")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{t}")?;
                }
                write!(f, "])")
            }
            Type::Object(o) => {
                write!(f, "object({{")?;
                for (i, (k, t)) in o.attrs.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k}={t}")?;
                }
                write!(f, "}})")
            }
        }
    }
}

/// A configuration value. Its serde form (used by plan files) keeps
/// unknowns and marks; `to_json` gives the plain JSON of known values.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    Tuple(Vec<Value>),
    /// Kept sorted by [`Value::total_cmp`] and free of duplicates.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    /// Known only after apply; carries the type it will have.
    Unknown(Type),
    /// A value that must not be shown.
    Sensitive(Box<Value>),
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn unknown() -> Value {
        Value::Unknown(Type::Dynamic)
    }

    pub fn set(mut items: Vec<Value>) -> Value {
        items.sort_by(Value::total_cmp);
        items.dedup();
        Value::Set(items)
    }

    pub fn sensitive(self) -> Value {
        match self {
            v @ Value::Sensitive(_) => v,
            v => Value::Sensitive(Box::new(v)),
        }
    }

    /// Wraps in a sensitive mark when `mark` is set.
    pub fn mark_if(self, mark: bool) -> Value {
        if mark { self.sensitive() } else { self }
    }

    /// The value without its outer sensitive mark, and whether it had one.
    pub fn unmark(&self) -> (&Value, bool) {
        match self {
            Value::Sensitive(v) => (v.unmark().0, true),
            v => (v, false),
        }
    }

    pub fn into_unmarked(self) -> (Value, bool) {
        match self {
            Value::Sensitive(v) => (v.into_unmarked().0, true),
            v => (v, false),
        }
    }

    /// Removes marks at every depth, reporting whether any was found.
    pub fn deep_unmark(self) -> (Value, bool) {
        let mut found = false;
        let v = self.deep_unmark_into(&mut found);
        (v, found)
    }

    fn deep_unmark_into(self, found: &mut bool) -> Value {
        match self {
            Value::Sensitive(v) => {
                *found = true;
                v.deep_unmark_into(found)
            }
            Value::List(xs) => {
                Value::List(xs.into_iter().map(|x| x.deep_unmark_into(found)).collect())
            }
            Value::Tuple(xs) => {
                Value::Tuple(xs.into_iter().map(|x| x.deep_unmark_into(found)).collect())
            }
            Value::Set(xs) => {
                Value::set(xs.into_iter().map(|x| x.deep_unmark_into(found)).collect())
            }
            Value::Map(m) => Value::Map(
                m.into_iter()
                    .map(|(k, x)| (k, x.deep_unmark_into(found)))
                    .collect(),
            ),
            Value::Object(m) => Value::Object(
                m.into_iter()
                    .map(|(k, x)| (k, x.deep_unmark_into(found)))
                    .collect(),
            ),
            v => v,
        }
    }

    /// Whether collections nest inside each other more than `limit` levels
    /// deep. Looks no deeper than `limit + 1` levels, so it is safe on any
    /// value.
    pub fn nests_deeper_than(&self, limit: usize) -> bool {
        match self {
            Value::Sensitive(v) => v.nests_deeper_than(limit),
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                limit == 0 || xs.iter().any(|x| x.nests_deeper_than(limit - 1))
            }
            Value::Map(m) | Value::Object(m) => {
                limit == 0 || m.values().any(|x| x.nests_deeper_than(limit - 1))
            }
            _ => false,
        }
    }

    pub fn is_sensitive_anywhere(&self) -> bool {
        match self {
            Value::Sensitive(_) => true,
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                xs.iter().any(Value::is_sensitive_anywhere)
            }
            Value::Map(m) | Value::Object(m) => m.values().any(Value::is_sensitive_anywhere),
            _ => false,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.unmark().0, Value::Null)
    }

    /// Unknown at the top level (its contents may still be partly known otherwise).
    pub fn is_unknown(&self) -> bool {
        matches!(self.unmark().0, Value::Unknown(_))
    }

    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::Sensitive(v) => v.is_wholly_known(),
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                xs.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    pub fn type_of(&self) -> Type {
        match self {
            Value::Null => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(xs) => Type::List(Box::new(
                xs.first().map(Value::type_of).unwrap_or(Type::Dynamic),
            )),
            Value::Set(xs) => Type::Set(Box::new(
                xs.first().map(Value::type_of).unwrap_or(Type::Dynamic),
            )),
            Value::Tuple(xs) => Type::Tuple(xs.iter().map(Value::type_of).collect()),
            Value::Map(m) => Type::Map(Box::new(
                m.values()
                    .next()
                    .map(Value::type_of)
                    .unwrap_or(Type::Dynamic),
            )),
            Value::Object(m) => {
                Type::object(m.iter().map(|(k, v)| (k.clone(), v.type_of())).collect())
            }
            Value::Unknown(t) => t.clone(),
            Value::Sensitive(v) => v.type_of(),
        }
    }

    /// Terraform's name for the kind of value, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self.unmark().0 {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            Value::Unknown(_) => "unknown",
            Value::Sensitive(_) => "sensitive",
        }
    }

    /// Elements of a sequence-like value (list, tuple, set).
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self.unmark().0 {
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => Some(xs),
            _ => None,
        }
    }

    /// Entries of a mapping-like value (map, object).
    pub fn as_mapping(&self) -> Option<&BTreeMap<String, Value>> {
        match self.unmark().0 {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// A total order used to keep sets canonical: by kind first, then content;
    /// strings lexically and numbers numerically as Terraform orders them.
    pub fn total_cmp(a: &Value, b: &Value) -> Ordering {
        fn rank(v: &Value) -> u8 {
            match v {
                Value::Null => 0,
                Value::Bool(_) => 1,
                Value::Number(_) => 2,
                Value::String(_) => 3,
                Value::List(_) => 4,
                Value::Tuple(_) => 5,
                Value::Set(_) => 6,
                Value::Map(_) => 7,
                Value::Object(_) => 8,
                Value::Unknown(_) => 9,
                Value::Sensitive(_) => 10,
            }
        }
        match (a, b) {
            (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
            (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
            (Value::String(x), Value::String(y)) => x.cmp(y),
            (Value::List(x), Value::List(y))
            | (Value::Tuple(x), Value::Tuple(y))
            | (Value::Set(x), Value::Set(y)) => {
                for (p, q) in x.iter().zip(y) {
                    let o = Value::total_cmp(p, q);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                x.len().cmp(&y.len())
            }
            (Value::Map(x), Value::Map(y)) | (Value::Object(x), Value::Object(y)) => {
                for ((k1, v1), (k2, v2)) in x.iter().zip(y) {
                    let o = k1.cmp(k2).then_with(|| Value::total_cmp(v1, v2));
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                x.len().cmp(&y.len())
            }
            (Value::Sensitive(x), Value::Sensitive(y)) => Value::total_cmp(x, y),
            _ => rank(a).cmp(&rank(b)),
        }
    }

    /// JSON of a known value; unknown leaves become null and marks are dropped.
    /// Callers that must not leak secrets mask before calling.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null | Value::Unknown(_) => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => J::String(s.clone()),
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                J::Array(xs.iter().map(Value::to_json).collect())
            }
            Value::Map(m) | Value::Object(m) => {
                J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
            Value::Sensitive(v) => v.to_json(),
        }
    }

    /// A value from JSON, typed the way Terraform types decoded JSON
    /// (arrays become tuples, objects become objects).
    pub fn from_json(j: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match j {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            J::String(s) => Value::String(s.clone()),
            J::Array(xs) => Value::Tuple(xs.iter().map(Value::from_json).collect()),
            J::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

/// Formats a number the way Terraform prints it: integers without a
/// fraction, others with at most 15 significant digits (drinfra computes in
/// 64-bit floats where Terraform uses 512-bit ones; this hides the
/// difference in the last binary digit, as in `0.1 + 0.2`).
pub fn format_number(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if n.fract() == 0.0 && n.abs() < 1e21 {
        return format!("{n:.0}");
    }
    let rounded: f64 = format!("{n:.14e}").parse().unwrap_or(n);
    format!("{rounded}")
}

/// Equality as the `==` operator sees it: same kind and same content.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::List(x), Value::List(y))
        | (Value::Tuple(x), Value::Tuple(y))
        | (Value::Set(x), Value::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) | (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && values_equal(v1, v2))
        }
        _ => a == b,
    }
}

impl fmt::Display for Value {
    /// A compact HCL-like rendering for messages and the console.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{}", format_number(*n)),
            Value::String(s) => write!(f, "{}", serde_json::Value::String(s.clone())),
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                let prefix = match self {
                    Value::List(_) => "tolist(",
                    Value::Set(_) => "toset(",
                    _ => "",
                };
                write!(f, "{prefix}[")?;
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{x}")?;
                }
                write!(f, "]{}", if prefix.is_empty() { "" } else { ")" })
            }
            Value::Map(m) | Value::Object(m) => {
                let prefix = if matches!(self, Value::Map(_)) {
                    "tomap("
                } else {
                    ""
                };
                write!(f, "{prefix}{{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{} = {v}", serde_json::Value::String(k.clone()))?;
                }
                write!(f, "}}{}", if prefix.is_empty() { "" } else { ")" })
            }
            Value::Unknown(_) => write!(f, "(known after apply)"),
            Value::Sensitive(_) => write!(f, "(sensitive value)"),
        }
    }
}

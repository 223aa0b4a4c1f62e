//! The table each built-in type is described by (arguments, what they
//! hold, defaults, which force replacement), and the checks and planning
//! every built-in type shares: unknown and missing arguments, Terraform's
//! primitive conversions, replacement when a force-new argument changes.

use std::collections::BTreeMap;

use crate::lang::{Type, Value};
use crate::provider::{ArgProblem, AttrSchema, Planned, ResourceSchema};

/// What an argument or attribute holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    Num,
    Bool,
    /// `map(string)`
    StrMap,
    /// `list(string)`
    StrList,
    /// Anything (`keepers`-like dynamic values are still maps of strings).
    Any,
}

impl Kind {
    fn ty(self) -> Type {
        match self {
            Kind::Str => Type::String,
            Kind::Num => Type::Number,
            Kind::Bool => Type::Bool,
            Kind::StrMap => Type::Map(Box::new(Type::String)),
            Kind::StrList => Type::List(Box::new(Type::String)),
            Kind::Any => Type::Dynamic,
        }
    }
}

/// How an attribute is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Required,
    Optional,
    /// Optional, and the provider decides when it is not set.
    OptionalComputed,
    Computed,
}

#[derive(Debug, Clone, Copy)]
pub struct Attr {
    pub name: &'static str,
    pub kind: Kind,
    pub role: Role,
    pub force_new: bool,
    pub sensitive: bool,
    /// The value when the configuration leaves it unset.
    pub default: Option<Default>,
}

/// A default value (a table of `Attr`s is `const`, so no `Value` here).
#[derive(Debug, Clone, Copy)]
pub enum Default {
    Bool(bool),
    Num(f64),
    Str(&'static str),
}

impl Default {
    fn value(self) -> Value {
        match self {
            Default::Bool(b) => Value::Bool(b),
            Default::Num(n) => Value::Number(n),
            Default::Str(s) => Value::String(s.into()),
        }
    }
}

pub const fn req(name: &'static str, kind: Kind) -> Attr {
    Attr {
        name,
        kind,
        role: Role::Required,
        force_new: true,
        sensitive: false,
        default: None,
    }
}

pub const fn opt(name: &'static str, kind: Kind) -> Attr {
    Attr {
        name,
        kind,
        role: Role::Optional,
        force_new: true,
        sensitive: false,
        default: None,
    }
}

pub const fn opt_default(name: &'static str, kind: Kind, default: Default) -> Attr {
    Attr {
        name,
        kind,
        role: Role::OptionalComputed,
        force_new: true,
        sensitive: false,
        default: Some(default),
    }
}

pub const fn opt_computed(name: &'static str, kind: Kind) -> Attr {
    Attr {
        name,
        kind,
        role: Role::OptionalComputed,
        force_new: true,
        sensitive: false,
        default: None,
    }
}

pub const fn computed(name: &'static str, kind: Kind) -> Attr {
    Attr {
        name,
        kind,
        role: Role::Computed,
        force_new: false,
        sensitive: false,
        default: None,
    }
}

impl Attr {
    /// The same attribute, sensitive.
    pub const fn secret(mut self) -> Attr {
        self.sensitive = true;
        self
    }

    /// The same argument, changed in place rather than by replacement.
    pub const fn in_place(mut self) -> Attr {
        self.force_new = false;
        self
    }
}

/// One built-in type.
#[derive(Debug)]
pub struct TypeSpec {
    pub ty: &'static str,
    pub attrs: &'static [Attr],
}

impl TypeSpec {
    pub fn schema(&self) -> ResourceSchema {
        let mut attrs = BTreeMap::new();
        for a in self.attrs {
            attrs.insert(
                a.name,
                AttrSchema {
                    required: a.role == Role::Required,
                    optional: matches!(a.role, Role::Optional | Role::OptionalComputed),
                    computed: matches!(a.role, Role::Computed | Role::OptionalComputed),
                    force_new: a.force_new,
                    sensitive: a.sensitive,
                },
            );
        }
        ResourceSchema { attrs }
    }

    pub fn computed_names(&self) -> Vec<String> {
        self.attrs
            .iter()
            .filter(|a| matches!(a.role, Role::Computed | Role::OptionalComputed))
            .map(|a| a.name.to_string())
            .collect()
    }

    fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// The configuration's arguments converted to their kinds, with
    /// defaults filled in; or what is wrong with it.
    pub fn normalize(&self, config: &Value) -> Result<BTreeMap<String, Value>, Vec<ArgProblem>> {
        let given = config.as_mapping().cloned().unwrap_or_default();
        let mut problems = Vec::new();
        let mut out = BTreeMap::new();
        for (k, v) in &given {
            let Some(a) = self.attr(k) else {
                let expected: Vec<&str> = self
                    .attrs
                    .iter()
                    .filter(|a| a.role != Role::Computed)
                    .map(|a| a.name)
                    .collect();
                problems.push(problem(
                    k,
                    "Unsupported argument",
                    format!(
                        "An argument named {k:?} is not expected here: {} takes {}.",
                        self.ty,
                        expected.join(", ")
                    ),
                ));
                continue;
            };
            if a.role == Role::Computed {
                problems.push(problem(
                    k,
                    "Invalid Configuration for Read-Only Attribute",
                    format!("Cannot set value for this attribute as the provider has marked it as read-only. Remove the configuration line setting the value (\"{k}\" of {} is computed).", self.ty),
                ));
                continue;
            }
            match convert(v, a.kind) {
                Ok(v) => {
                    out.insert(k.clone(), v);
                }
                Err(why) => problems.push(problem(
                    k,
                    "Incorrect attribute value type",
                    format!("Inappropriate value for attribute {k:?}: {why}."),
                )),
            }
        }
        for a in self.attrs {
            let unset = out.get(a.name).is_none_or(Value::is_null);
            if unset && a.role == Role::Required {
                problems.push(ArgProblem {
                    argument: None,
                    summary: "Missing required argument".into(),
                    detail: format!(
                        "The argument {:?} is required, but no definition was found.",
                        a.name
                    ),
                });
            }
            if unset && let Some(d) = a.default {
                out.insert(a.name.to_string(), d.value());
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }

    /// Plans a change from `prior` to the normalized configuration `cfg`:
    /// a force-new argument that changed replaces the object (every
    /// computed attribute unknown again); other changes update it in
    /// place. An optional+computed argument left unset keeps its value.
    pub fn plan(&self, prior: Option<&Value>, cfg: &BTreeMap<String, Value>) -> Planned {
        let get = |k: &str| cfg.get(k).cloned().unwrap_or(Value::Null);
        let fresh = |replace_paths| {
            let mut m = BTreeMap::new();
            for a in self.attrs {
                let v = match a.role {
                    Role::Computed => Value::Unknown(a.kind.ty()),
                    Role::OptionalComputed if get(a.name).is_null() => Value::Unknown(a.kind.ty()),
                    _ => get(a.name),
                };
                m.insert(a.name.to_string(), v);
            }
            Planned {
                value: Value::Object(m),
                replace_paths,
                notes: vec![],
            }
        };
        let Some(prior) = prior.and_then(Value::as_mapping) else {
            return fresh(vec![]);
        };
        let before = |k: &str| prior.get(k).cloned().unwrap_or(Value::Null);
        let mut replace = Vec::new();
        let mut next = prior.clone();
        for a in self.attrs.iter().filter(|a| a.role != Role::Computed) {
            let want = get(a.name);
            if a.role == Role::OptionalComputed && want.is_null() {
                continue;
            }
            if same(&before(a.name), &want) {
                continue;
            }
            if a.force_new {
                replace.push(vec![a.name.to_string()]);
            }
            next.insert(a.name.to_string(), want);
        }
        if !replace.is_empty() {
            return fresh(replace);
        }
        Planned {
            value: Value::Object(next),
            replace_paths: vec![],
            notes: vec![],
        }
    }

    /// `value` with this type's sensitive attributes marked.
    pub fn mark(&self, value: Value) -> Value {
        let Value::Object(mut m) = value else {
            return value;
        };
        for a in self.attrs.iter().filter(|a| a.sensitive) {
            if let Some(v) = m.remove(a.name) {
                let v = if v.is_null() { v } else { v.sensitive() };
                m.insert(a.name.to_string(), v);
            }
        }
        Value::Object(m)
    }
}

pub fn problem(arg: &str, summary: &str, detail: String) -> ArgProblem {
    ArgProblem {
        argument: Some(arg.to_string()),
        summary: summary.into(),
        detail,
    }
}

/// Terraform's conversions of a primitive to the argument's kind.
fn convert(v: &Value, kind: Kind) -> Result<Value, String> {
    let (raw, marked) = v.unmark();
    if raw.is_null() || matches!(raw, Value::Unknown(_)) {
        return Ok(v.clone());
    }
    let out = match (kind, raw) {
        (Kind::Any, _) => raw.clone(),
        (Kind::Str, Value::String(_)) => raw.clone(),
        (Kind::Str, Value::Number(n)) => Value::String(crate::lang::value::format_number(*n)),
        (Kind::Str, Value::Bool(b)) => Value::String(b.to_string()),
        (Kind::Num, Value::Number(_)) => raw.clone(),
        (Kind::Num, Value::String(s)) => Value::Number(
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| format!("a number is required, not {s:?}"))?,
        ),
        (Kind::Bool, Value::Bool(_)) => raw.clone(),
        (Kind::Bool, Value::String(s)) if s == "true" || s == "false" => Value::Bool(s == "true"),
        (Kind::StrMap, Value::Map(m) | Value::Object(m)) => {
            let mut out = BTreeMap::new();
            for (k, x) in m {
                out.insert(
                    k.clone(),
                    convert(x, Kind::Str).map_err(|e| format!("element {k:?}: {e}"))?,
                );
            }
            Value::Map(out)
        }
        (Kind::StrList, Value::List(xs) | Value::Tuple(xs) | Value::Set(xs)) => Value::List(
            xs.iter()
                .enumerate()
                .map(|(i, x)| convert(x, Kind::Str).map_err(|e| format!("element {i}: {e}")))
                .collect::<Result<_, _>>()?,
        ),
        (want, got) => {
            return Err(format!(
                "{} required, not {}",
                match want {
                    Kind::Str => "string",
                    Kind::Num => "number",
                    Kind::Bool => "bool",
                    Kind::StrMap => "map of string",
                    Kind::StrList => "list of string",
                    Kind::Any => "any value",
                },
                got.kind_name()
            ));
        }
    };
    Ok(out.mark_if(marked))
}

/// Equality that ignores marks and the list/tuple and map/object
/// distinction (state round-trips through JSON); unknowns never equal.
pub fn same(a: &Value, b: &Value) -> bool {
    crate::provider::terraform_data::same(a, b)
}

/// Reads a string attribute.
pub fn text(m: &BTreeMap<String, Value>, k: &str) -> Option<String> {
    match m.get(k).map(|v| v.unmark().0) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Reads a number attribute.
pub fn number(m: &BTreeMap<String, Value>, k: &str) -> Option<f64> {
    match m.get(k).map(|v| v.unmark().0) {
        Some(Value::Number(n)) => Some(*n),
        _ => None,
    }
}

/// Reads a bool attribute.
pub fn flag(m: &BTreeMap<String, Value>, k: &str) -> Option<bool> {
    match m.get(k).map(|v| v.unmark().0) {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

/// Whether attribute `k` is known (or absent).
pub fn known(m: &BTreeMap<String, Value>, k: &str) -> bool {
    m.get(k).is_none_or(Value::is_wholly_known)
}

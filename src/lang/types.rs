//! Type constraint expressions (`list(string)`, `object({...})`,
//! `optional(number, 3)`) as written in `variable` blocks.

use std::collections::BTreeMap;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};

use super::value::{ObjectType, Type, Value};

/// An invalid type expression and the byte range at fault.
#[derive(Debug, Clone)]
pub struct TypeError {
    pub message: String,
    pub span: Option<std::ops::Range<usize>>,
}

fn bad(e: &Expression, msg: impl Into<String>) -> TypeError {
    TypeError {
        message: msg.into(),
        span: e.span(),
    }
}

/// What evaluates `optional` defaults (the evaluator, which in turn parses
/// `convert`'s types: a trait keeps the two files from importing each other).
pub trait Defaults {
    /// The value of a default expression, or why it has none.
    fn default_value(&self, e: &Expression) -> Result<Value, String>;
}

/// Parses a type constraint. `ev` evaluates `optional` defaults.
pub fn parse_type(e: &Expression, ev: &dyn Defaults) -> Result<Type, TypeError> {
    parse_inner(e, ev, false).map(|(t, _)| t)
}

fn parse_inner(
    e: &Expression,
    ev: &dyn Defaults,
    in_object: bool,
) -> Result<(Type, Option<Option<Value>>), TypeError> {
    match e {
        Expression::Variable(v) => {
            let t = match v.value().as_str() {
                "string" => Type::String,
                "number" => Type::Number,
                "bool" => Type::Bool,
                "any" => Type::Dynamic,
                // Legacy bare collection keywords mean "of any".
                "list" => Type::List(Box::new(Type::Dynamic)),
                "map" => Type::Map(Box::new(Type::Dynamic)),
                "set" => Type::Set(Box::new(Type::Dynamic)),
                other => {
                    return Err(bad(
                        e,
                        format!("The keyword {other:?} is not a valid type specification."),
                    ));
                }
            };
            Ok((t, None))
        }
        Expression::FuncCall(call) => {
            let name = call.name.name.value().as_str();
            let args: Vec<&Expression> = call.args.iter().collect();
            let one = |what: &str| -> Result<&Expression, TypeError> {
                if args.len() != 1 {
                    return Err(bad(
                        e,
                        format!(
                            "The {what} type constructor requires one argument specifying the element type."
                        ),
                    ));
                }
                Ok(args[0])
            };
            match name {
                "list" => Ok((Type::List(Box::new(parse_type(one("list")?, ev)?)), None)),
                "set" => Ok((Type::Set(Box::new(parse_type(one("set")?, ev)?)), None)),
                "map" => Ok((Type::Map(Box::new(parse_type(one("map")?, ev)?)), None)),
                "tuple" => {
                    let Expression::Array(a) = one("tuple")? else {
                        return Err(bad(
                            e,
                            "The tuple type constructor requires a list of element types.",
                        ));
                    };
                    Ok((
                        Type::Tuple(
                            a.iter()
                                .map(|x| parse_type(x, ev))
                                .collect::<Result<_, _>>()?,
                        ),
                        None,
                    ))
                }
                "object" => {
                    let Expression::Object(o) = one("object")? else {
                        return Err(bad(
                            e,
                            "The object type constructor requires one argument specifying the attribute types as a map.",
                        ));
                    };
                    let mut ot = ObjectType {
                        attrs: BTreeMap::new(),
                        optional: BTreeMap::new(),
                    };
                    for (k, v) in o.iter() {
                        let name = match k {
                            ObjectKey::Ident(id) => id.value().as_str().to_string(),
                            ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                            ObjectKey::Expression(Expression::Variable(id)) => {
                                id.value().as_str().to_string()
                            }
                            ObjectKey::Expression(x) => {
                                return Err(bad(
                                    x,
                                    "Object constructor map keys must be attribute names.",
                                ));
                            }
                        };
                        let (t, opt) = parse_inner(v.expr(), ev, true)?;
                        if let Some(default) = opt {
                            ot.optional.insert(name.clone(), default);
                        }
                        ot.attrs.insert(name, t);
                    }
                    Ok((Type::Object(ot), None))
                }
                "optional" => {
                    if !in_object {
                        return Err(bad(
                            e,
                            "Keyword \"optional\" is valid only as a modifier for object type attributes.",
                        ));
                    }
                    if args.is_empty() || args.len() > 2 {
                        return Err(bad(
                            e,
                            "The \"optional\" modifier takes one or two arguments.",
                        ));
                    }
                    let t = parse_type(args[0], ev)?;
                    let default = match args.get(1) {
                        Some(d) => Some(ev.default_value(d).map_err(|err| bad(d, err))?),
                        None => None,
                    };
                    Ok((t, Some(default)))
                }
                other => Err(bad(
                    e,
                    format!("Keyword {other:?} is not a valid type constructor."),
                )),
            }
        }
        _ => Err(bad(
            e,
            "A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).",
        )),
    }
}

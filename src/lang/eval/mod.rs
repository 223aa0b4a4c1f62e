//! The expression evaluator over hcl-edit's syntax tree.
//!
//! A [`Scope`] holds only the root names an expression references (built by
//! the caller from [`crate::lang::refs`]); the evaluator never sees a global
//! table of everything in the configuration.

mod call;
mod for_expr;
mod operators;
mod special;
mod template;

use std::collections::BTreeMap;
use std::path::PathBuf;

use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Directive, Element, Template};

use super::convert::{convert, unify};
use super::functions::{self, FnError};
use super::value::{Type, Value, values_equal};
use crate::diag::{Diagnostic, FileId, Span};

/// The names visible to one expression.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub vars: BTreeMap<String, Value>,
}

impl Scope {
    pub fn with(mut self, name: &str, v: Value) -> Scope {
        self.vars.insert(name.to_string(), v);
        self
    }
}

/// An evaluation error with the span it points at.
#[derive(Debug, Clone)]
pub struct EvalError {
    pub span: Option<Span>,
    pub summary: String,
    pub detail: String,
}

impl EvalError {
    pub fn into_diagnostic(self) -> Diagnostic {
        let d = Diagnostic::error(self.summary).at(self.span);
        if self.detail.is_empty() {
            d
        } else {
            d.with_detail(self.detail)
        }
    }
}

/// Everything an evaluation needs besides the scope.
#[derive(Debug, Clone)]
pub struct Evaluator {
    /// File the expression came from, for spans.
    pub file: FileId,
    /// Directory relative paths in `file()` and friends resolve against.
    pub cwd: PathBuf,
    /// Set while rendering a `templatefile` template: templates may not
    /// call `templatefile` again (as in Terraform), so a template that
    /// includes itself is an error rather than endless recursion.
    in_template: bool,
    /// Whether `timestamp()`, `uuid()` and `bcrypt()` give values (apply
    /// and the console, as in Terraform) or are unknown (planning).
    pub impure_known: bool,
    /// Evaluating for the console, where `type()` exists.
    pub console: bool,
}

/// What a diagnostic says in place of a message that could reveal a
/// sensitive value.
pub const HIDDEN_DETAIL: &str =
    "(sensitive value); the details are hidden because they could reveal a sensitive value";

type R = Result<Value, EvalError>;

impl Evaluator {
    pub fn new(file: FileId, cwd: PathBuf) -> Evaluator {
        Evaluator {
            file,
            cwd,
            in_template: false,
            impure_known: false,
            console: false,
        }
    }

    pub fn span_of(&self, e: &impl hcl_edit::Span) -> Option<Span> {
        e.span().map(|r| Span::new(self.file, r))
    }

    fn fail(&self, e: &impl hcl_edit::Span, summary: &str, detail: impl Into<String>) -> EvalError {
        EvalError {
            span: self.span_of(e),
            summary: summary.to_string(),
            detail: detail.into(),
        }
    }

    /// Evaluates `expr`. Nesting depth is bounded by memory, not by the
    /// native stack (see [`super::with_stack`]).
    pub fn eval(&self, expr: &Expression, scope: &Scope) -> R {
        super::with_stack(|| self.eval_expr(expr, scope))
    }

    fn eval_expr(&self, expr: &Expression, scope: &Scope) -> R {
        match expr {
            Expression::Null(_) => Ok(Value::Null),
            Expression::Bool(b) => Ok(Value::Bool(*b.value())),
            Expression::Number(n) => Ok(Value::Number(n.value().as_f64().unwrap_or(f64::NAN))),
            Expression::String(s) => Ok(Value::String(s.value().to_string())),
            Expression::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for e in a.iter() {
                    out.push(self.eval(e, scope)?);
                }
                Ok(Value::Tuple(out))
            }
            Expression::Object(o) => {
                let mut out = BTreeMap::new();
                let mut unknown_key = false;
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(id) => id.value().as_str().to_string(),
                        ObjectKey::Expression(e) => {
                            let kv = self.eval(e, scope)?;
                            if kv.is_unknown() {
                                unknown_key = true;
                                continue;
                            }
                            match convert(&kv, &Type::String) {
                                Ok(Value::String(s)) => s,
                                _ => {
                                    return Err(self.fail(
                                        e,
                                        "Incorrect key type",
                                        format!(
                                            "Can't use this value as a key: {} is not a string.",
                                            kv.kind_name()
                                        ),
                                    ));
                                }
                            }
                        }
                    };
                    let val = self.eval(v.expr(), scope)?;
                    out.insert(key, val);
                }
                if unknown_key {
                    return Ok(Value::unknown());
                }
                Ok(Value::Object(out))
            }
            Expression::StringTemplate(t) => self.eval_template_elements(t.iter(), scope, t),
            Expression::HeredocTemplate(h) => {
                // The parser dedents `<<-` literals at the top level only;
                // literals inside directives are dedented while rendering.
                let elements: Vec<&Element> = h.template.iter().collect();
                if let [Element::Interpolation(i)] = elements.as_slice() {
                    return self.eval(&i.expr, scope);
                }
                self.render_template(&elements, scope, h.indent())
            }
            Expression::Parenthesis(p) => self.eval(p.inner(), scope),
            Expression::Variable(v) => {
                let name = v.value().as_str();
                scope.vars.get(name).cloned().ok_or_else(|| {
                    self.fail(
                        v,
                        "Unknown variable",
                        format!("There is no variable named {name:?}."),
                    )
                })
            }
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr, scope)?;
                let (cond, marked) = cond.into_unmarked();
                let t = self.eval(&c.true_expr, scope);
                let f = self.eval(&c.false_expr, scope);
                let result_type = match (&t, &f) {
                    (Ok(a), Ok(b)) => {
                        let (ta, tb) = (a.type_of(), b.type_of());
                        if ta == tb || a.is_null() || b.is_null() {
                            None
                        } else {
                            match unify(&[ta.clone(), tb.clone()]) {
                                Some(u) => Some(u),
                                None => {
                                    return Err(self.fail(&**c, "Inconsistent conditional result types", format!("The true and false result expressions must have consistent types: the true result is {} and the false result is {}.", a.kind_name(), b.kind_name())));
                                }
                            }
                        }
                    }
                    _ => None,
                };
                let chosen =
                    match cond {
                        Value::Unknown(_) => {
                            return Ok(Value::Unknown(result_type.unwrap_or(Type::Dynamic))
                                .mark_if(marked));
                        }
                        Value::Null => return Err(self.fail(
                            &c.cond_expr,
                            "Null condition",
                            "The condition value is null. Conditions must either be true or false.",
                        )),
                        other => {
                            match convert(&other, &Type::Bool) {
                                Ok(Value::Bool(true)) => t?,
                                Ok(Value::Bool(false)) => f?,
                                _ => return Err(self.fail(
                                    &c.cond_expr,
                                    "Incorrect condition type",
                                    format!(
                                        "The condition expression must be of type bool, not {}.",
                                        other.kind_name()
                                    ),
                                )),
                            }
                        }
                    };
                let chosen = match result_type {
                    Some(ty) => convert(&chosen, &ty).unwrap_or(chosen),
                    None => chosen,
                };
                Ok(chosen.mark_if(marked))
            }
            Expression::FuncCall(call) => self.eval_call(call, scope),
            Expression::Traversal(t) => {
                let base = self.eval(&t.expr, scope)?;
                self.apply_ops(base, &t.operators, scope)
            }
            Expression::UnaryOp(u) => {
                let v = self.eval(&u.expr, scope)?;
                let (v, marked) = v.into_unmarked();
                let out = match u.operator.value() {
                    UnaryOperator::Neg => match convert(&v, &Type::Number) {
                        Ok(Value::Number(n)) => Value::Number(-n),
                        Ok(Value::Unknown(_)) => Value::Unknown(Type::Number),
                        _ => return Err(self.fail(
                            &**u,
                            "Invalid operand",
                            format!(
                                "Unsuitable value for unary operand: a number is required, not {}.",
                                v.kind_name()
                            ),
                        )),
                    },
                    UnaryOperator::Not => match convert(&v, &Type::Bool) {
                        Ok(Value::Bool(b)) => Value::Bool(!b),
                        Ok(Value::Unknown(_)) => Value::Unknown(Type::Bool),
                        _ => return Err(self.fail(
                            &**u,
                            "Invalid operand",
                            format!(
                                "Unsuitable value for unary operand: a bool is required, not {}.",
                                v.kind_name()
                            ),
                        )),
                    },
                };
                Ok(out.mark_if(marked))
            }
            Expression::BinaryOp(b) => self.eval_binary(b, scope),
            Expression::ForExpr(f) => self.eval_for(f, scope),
        }
    }

    fn apply_ops(
        &self,
        mut v: Value,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        scope: &Scope,
    ) -> R {
        let mut i = 0;
        while i < ops.len() {
            let op = &ops[i];
            match op.value() {
                TraversalOperator::GetAttr(name) => {
                    v = self.get_attr(v, name.value().as_str(), op)?;
                }
                TraversalOperator::Index(e) => {
                    let key = self.eval(e, scope)?;
                    v = self.index(v, key, e)?;
                }
                TraversalOperator::LegacyIndex(n) => {
                    v = self.index(v, Value::Number(*n.value() as f64), op)?;
                }
                TraversalOperator::AttrSplat(_) => {
                    let mut j = i + 1;
                    while j < ops.len() && matches!(ops[j].value(), TraversalOperator::GetAttr(_)) {
                        j += 1;
                    }
                    v = self.splat(v, &ops[i + 1..j], scope)?;
                    i = j;
                    continue;
                }
                TraversalOperator::FullSplat(_) => {
                    return self.splat(v, &ops[i + 1..], scope);
                }
            }
            i += 1;
        }
        Ok(v)
    }

    fn splat(&self, v: Value, rest: &[hcl_edit::Decorated<TraversalOperator>], scope: &Scope) -> R {
        let (v, marked) = v.into_unmarked();
        let out = match v {
            Value::Unknown(_) => Value::unknown(),
            Value::Null => Value::Tuple(vec![]),
            Value::List(xs) | Value::Set(xs) => {
                let items = xs
                    .into_iter()
                    .map(|x| self.apply_ops(x, rest, scope))
                    .collect::<Result<Vec<_>, _>>()?;
                Value::List(items)
            }
            Value::Tuple(xs) => Value::Tuple(
                xs.into_iter()
                    .map(|x| self.apply_ops(x, rest, scope))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            other => Value::Tuple(vec![self.apply_ops(other, rest, scope)?]),
        };
        Ok(out.mark_if(marked))
    }

    pub fn get_attr(&self, v: Value, name: &str, at: &impl hcl_edit::Span) -> R {
        let (v, marked) = v.into_unmarked();
        let out = match v {
            Value::Object(mut m) => match m.remove(name) {
                Some(x) => x,
                None => {
                    return Err(self.fail(
                        at,
                        "Unsupported attribute",
                        format!("This object does not have an attribute named {name:?}."),
                    ));
                }
            },
            Value::Map(mut m) => match m.remove(name) {
                Some(x) => x,
                None => {
                    return Err(self.fail(
                        at,
                        "Missing map element",
                        format!("This map does not have an element with the key {name:?}."),
                    ));
                }
            },
            Value::Unknown(_) => Value::unknown(),
            Value::Null => {
                return Err(self.fail(
                    at,
                    "Attempt to get attribute from null value",
                    "This value is null, so it does not have any attributes.",
                ));
            }
            other => {
                return Err(self.fail(
                    at,
                    "Unsupported attribute",
                    format!(
                        "Can't access attributes on a primitive-typed value ({}).",
                        other.kind_name()
                    ),
                ));
            }
        };
        Ok(out.mark_if(marked))
    }

    pub fn index(&self, v: Value, key: Value, at: &impl hcl_edit::Span) -> R {
        let (v, m1) = v.into_unmarked();
        let (key, m2) = key.into_unmarked();
        let marked = m1 || m2;
        if key.is_unknown() {
            return Ok(Value::unknown().mark_if(marked));
        }
        let out = match v {
            Value::Unknown(_) => Value::unknown(),
            Value::Null => return Err(self.fail(at, "Invalid index", "This value is null, so it does not have any indices.")),
            Value::List(xs) | Value::Tuple(xs) => {
                let n = match convert(&key, &Type::Number) {
                    Ok(Value::Number(n)) => n,
                    _ => return Err(self.fail(at, "Invalid index", "The given key does not identify an element in this collection value: a number is required.")),
                };
                if n.fract() != 0.0 || n < 0.0 || n as usize >= xs.len() {
                    if marked {
                        return Err(self.fail(at, "Invalid index", format!("The given key does not identify an element in this collection value: {HIDDEN_DETAIL}.")));
                    }
                    return Err(self.fail(at, "Invalid index", format!("The given key does not identify an element in this collection value: the collection has {} elements{}.", xs.len(), if n < 0.0 { ", and negative indices are not allowed" } else { "" })));
                }
                xs.into_iter().nth(n as usize).unwrap_or(Value::Null)
            }
            Value::Map(mut m) | Value::Object(mut m) => {
                let k = match convert(&key, &Type::String) {
                    Ok(Value::String(s)) => s,
                    _ => return Err(self.fail(at, "Invalid index", "The given key does not identify an element in this collection value: a string is required.")),
                };
                match m.remove(&k) {
                    Some(x) => x,
                    None if marked => return Err(self.fail(at, "Invalid index", format!("The given key does not identify an element in this collection value: {HIDDEN_DETAIL}."))),
                    None => return Err(self.fail(at, "Invalid index", format!("The given key does not identify an element in this collection value: there is no element with the key {k:?}."))),
                }
            }
            Value::Set(_) => return Err(self.fail(at, "Invalid index", "Elements of a set are identified only by their value and don't have any separate index or key to select with, so it's only possible to perform operations across all elements of the set.")),
            other => return Err(self.fail(at, "Invalid index", format!("This value does not have any indices: it is a {}.", other.kind_name()))),
        };
        Ok(out.mark_if(marked))
    }
}

//! The expression evaluator over hcl-edit's syntax tree.
//!
//! A [`Scope`] holds only the root names an expression references (built by
//! the caller from [`crate::lang::refs`]); the evaluator never sees a global
//! table of everything in the configuration.

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

    fn eval_binary(&self, b: &hcl_edit::expr::BinaryOp, scope: &Scope) -> R {
        use BinaryOperator::*;
        let op = *b.operator.value();
        let lhs = self.eval(&b.lhs_expr, scope)?;
        let rhs = self.eval(&b.rhs_expr, scope)?;
        let (l, ml) = lhs.deep_unmark();
        let (r, mr) = rhs.deep_unmark();
        let marked = ml || mr;
        let out = match op {
            Eq | NotEq => {
                if !l.is_wholly_known() || !r.is_wholly_known() {
                    Value::Unknown(Type::Bool)
                } else {
                    let eq = values_equal(&l, &r);
                    Value::Bool(if op == Eq { eq } else { !eq })
                }
            }
            And | Or => {
                let lb = self.operand(&l, &Type::Bool, &b.lhs_expr)?;
                let rb = self.operand(&r, &Type::Bool, &b.rhs_expr)?;
                match (op, lb, rb) {
                    (And, Value::Bool(false), _) | (And, _, Value::Bool(false)) => {
                        Value::Bool(false)
                    }
                    (Or, Value::Bool(true), _) | (Or, _, Value::Bool(true)) => Value::Bool(true),
                    (_, Value::Bool(x), Value::Bool(y)) => {
                        Value::Bool(if op == And { x && y } else { x || y })
                    }
                    _ => Value::Unknown(Type::Bool),
                }
            }
            _ => {
                let ln = self.operand(&l, &Type::Number, &b.lhs_expr)?;
                let rn = self.operand(&r, &Type::Number, &b.rhs_expr)?;
                let is_cmp = matches!(op, Less | LessEq | Greater | GreaterEq);
                match (ln, rn) {
                    (Value::Number(x), Value::Number(y)) => match op {
                        Plus => Value::Number(x + y),
                        Minus => Value::Number(x - y),
                        Mul => Value::Number(x * y),
                        Div => {
                            if y == 0.0 {
                                return Err(self.fail(
                                    b,
                                    "Operation failed",
                                    "Error during operation: can't divide by zero.",
                                ));
                            }
                            Value::Number(x / y)
                        }
                        Mod => {
                            if y == 0.0 {
                                return Err(self.fail(
                                    b,
                                    "Operation failed",
                                    "Error during operation: can't use modulo by zero.",
                                ));
                            }
                            // Terraform's modulo keeps the sign of the dividend, like Go's.
                            Value::Number(x % y)
                        }
                        Less => Value::Bool(x < y),
                        LessEq => Value::Bool(x <= y),
                        Greater => Value::Bool(x > y),
                        GreaterEq => Value::Bool(x >= y),
                        _ => unreachable!("handled above"),
                    },
                    _ => Value::Unknown(if is_cmp { Type::Bool } else { Type::Number }),
                }
            }
        };
        Ok(out.mark_if(marked))
    }

    fn operand(&self, v: &Value, ty: &Type, at: &Expression) -> R {
        if v.is_null() {
            return Err(self.fail(
                at,
                "Invalid operand",
                format!(
                    "Unsuitable value for operand: a {} is required, not null.",
                    ty
                ),
            ));
        }
        convert(v, ty).map_err(|_| {
            self.fail(
                at,
                "Invalid operand",
                format!(
                    "Unsuitable value for operand: a {} is required, not {}.",
                    ty,
                    v.kind_name()
                ),
            )
        })
    }

    fn eval_for(&self, f: &hcl_edit::expr::ForExpr, scope: &Scope) -> R {
        let coll = self.eval(&f.intro.collection_expr, scope)?;
        let (coll, marked) = coll.into_unmarked();
        let entries: Vec<(Value, Value)> = match coll {
            Value::Unknown(_) => return Ok(Value::unknown().mark_if(marked)),
            Value::List(xs) | Value::Tuple(xs) => xs
                .into_iter()
                .enumerate()
                .map(|(i, x)| (Value::Number(i as f64), x))
                .collect(),
            Value::Set(xs) => xs.into_iter().map(|x| (x.clone(), x)).collect(),
            Value::Map(m) | Value::Object(m) => {
                m.into_iter().map(|(k, x)| (Value::String(k), x)).collect()
            }
            Value::Null => {
                return Err(self.fail(
                    &f.intro.collection_expr,
                    "Iteration over null value",
                    "A null value cannot be used as the collection in a 'for' expression.",
                ));
            }
            other => return Err(self.fail(
                &f.intro.collection_expr,
                "Iteration over non-iterable value",
                format!(
                    "A value of type {} cannot be used as the collection in a 'for' expression.",
                    other.kind_name()
                ),
            )),
        };
        let key_name = f
            .intro
            .key_var
            .as_ref()
            .map(|k| k.value().as_str().to_string());
        let val_name = f.intro.value_var.value().as_str().to_string();
        let mut tuple = Vec::new();
        let mut object: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut unknown = false;
        for (k, v) in entries {
            let mut inner = scope.clone();
            if let Some(kn) = &key_name {
                inner.vars.insert(kn.clone(), k);
            }
            inner.vars.insert(val_name.clone(), v);
            if let Some(cond) = &f.cond {
                let c = self.eval(&cond.expr, &inner)?;
                match convert(c.unmark().0, &Type::Bool) {
                    Ok(Value::Bool(true)) => {}
                    Ok(Value::Bool(false)) => continue,
                    Ok(Value::Unknown(_)) => {
                        unknown = true;
                        continue;
                    }
                    _ => {
                        return Err(self.fail(
                            &cond.expr,
                            "Invalid 'for' condition",
                            "The 'if' clause value is invalid: a bool is required.",
                        ));
                    }
                }
            }
            let value = self.eval(&f.value_expr, &inner)?;
            match &f.key_expr {
                None => tuple.push(value),
                Some(ke) => {
                    let kv = self.eval(ke, &inner)?;
                    if kv.is_unknown() {
                        unknown = true;
                        continue;
                    }
                    let (kv, key_marked) = kv.unmark();
                    let key = match convert(kv, &Type::String) {
                        Ok(Value::String(s)) => s,
                        _ => {
                            return Err(self.fail(
                                ke,
                                "Invalid object key",
                                "Key expression in 'for' expression must be a string.",
                            ));
                        }
                    };
                    if f.grouping {
                        groups.entry(key).or_default().push(value);
                        continue;
                    }
                    match object.entry(key) {
                        std::collections::btree_map::Entry::Vacant(slot) => {
                            slot.insert(value);
                        }
                        std::collections::btree_map::Entry::Occupied(taken) => {
                            let shown = if key_marked || marked {
                                "(sensitive value)".to_string()
                            } else {
                                format!("{:?}", taken.key())
                            };
                            return Err(self.fail(ke, "Duplicate object key", format!("Two different items produced the key {shown} in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.")));
                        }
                    }
                }
            }
        }
        if unknown {
            return Ok(Value::unknown().mark_if(marked));
        }
        let out = match &f.key_expr {
            None => Value::Tuple(tuple),
            Some(_) if f.grouping => Value::Object(
                groups
                    .into_iter()
                    .map(|(k, v)| (k, Value::Tuple(v)))
                    .collect(),
            ),
            Some(_) => Value::Object(object),
        };
        Ok(out.mark_if(marked))
    }

    pub fn eval_template(&self, t: &Template, scope: &Scope) -> R {
        self.eval_template_elements(t.iter(), scope, t)
    }

    fn eval_template_elements<'t>(
        &self,
        elements: impl Iterator<Item = &'t Element>,
        scope: &Scope,
        whole: &impl hcl_edit::Span,
    ) -> R {
        let elements: Vec<&Element> = elements.collect();
        let _ = whole;
        // A template that is a single interpolation yields the value itself.
        if let [Element::Interpolation(i)] = elements.as_slice() {
            return self.eval(&i.expr, scope);
        }
        self.render_template(&elements, scope, None)
    }

    fn render_template(&self, elements: &[&Element], scope: &Scope, dedent: Option<usize>) -> R {
        let mut out = String::new();
        let mut marked = false;
        let mut unknown = false;
        let mut r = Render {
            out: &mut out,
            marked: &mut marked,
            unknown: &mut unknown,
            strip_next: false,
            dedent,
            nested: false,
        };
        self.render_elements(elements, scope, &mut r)?;
        if unknown {
            return Ok(Value::Unknown(Type::String).mark_if(marked));
        }
        Ok(Value::String(out).mark_if(marked))
    }

    fn render_elements(
        &self,
        elements: &[&Element],
        scope: &Scope,
        r: &mut Render,
    ) -> Result<(), EvalError> {
        for el in elements {
            let out = &mut *r.out;
            let marked = &mut *r.marked;
            let unknown = &mut *r.unknown;
            let strip_next = &mut r.strip_next;
            match el {
                Element::Literal(s) => {
                    let dedented;
                    let text: &str = match (r.nested, r.dedent) {
                        (true, Some(n)) => {
                            dedented = dedent_lines(s.value(), n);
                            &dedented
                        }
                        _ => s.value(),
                    };
                    if *strip_next {
                        out.push_str(text.trim_start());
                    } else {
                        out.push_str(text);
                    }
                    *strip_next = false;
                }
                Element::Interpolation(i) => {
                    if i.strip.strip_start() {
                        trim_end_in_place(out);
                    }
                    let v = self.eval(&i.expr, scope)?;
                    let (v, m) = v.into_unmarked();
                    *marked |= m;
                    match v {
                        Value::Unknown(_) => *unknown = true,
                        Value::Null => return Err(self.fail(&i.expr, "Invalid template interpolation value", "The expression result is null. Cannot include a null value in a string template.")),
                        other => match convert(&other, &Type::String) {
                            Ok(Value::String(s)) => out.push_str(&s),
                            _ => return Err(self.fail(&i.expr, "Invalid template interpolation value", format!("Cannot include the given value in a string template: string required, but have {}.", other.kind_name()))),
                        },
                    }
                    *strip_next = i.strip.strip_end();
                }
                Element::Directive(d) => match &**d {
                    Directive::If(ifd) => {
                        if ifd.if_expr.strip.strip_start() {
                            trim_end_in_place(out);
                        }
                        let c = self.eval(&ifd.if_expr.cond_expr, scope)?;
                        let (c, m) = c.into_unmarked();
                        *marked |= m;
                        let branch = match convert(&c, &Type::Bool) {
                            Ok(Value::Bool(b)) => b,
                            Ok(Value::Unknown(_)) => {
                                *unknown = true;
                                continue;
                            }
                            _ => {
                                return Err(self.fail(
                                    &ifd.if_expr.cond_expr,
                                    "Invalid template if condition",
                                    "The condition must be a bool.",
                                ));
                            }
                        };
                        *strip_next = ifd.if_expr.strip.strip_end();
                        let _ = strip_next;
                        if branch {
                            let els: Vec<&Element> = ifd.if_expr.template.iter().collect();
                            self.render_nested(&els, scope, r)?;
                        } else if let Some(e) = &ifd.else_expr {
                            if e.strip.strip_start() {
                                trim_end_in_place(r.out);
                            }
                            r.strip_next = e.strip.strip_end();
                            let els: Vec<&Element> = e.template.iter().collect();
                            self.render_nested(&els, scope, r)?;
                        }
                        if ifd.endif_expr.strip.strip_start() {
                            trim_end_in_place(r.out);
                        }
                        r.strip_next = ifd.endif_expr.strip.strip_end();
                    }
                    Directive::For(fd) => {
                        let fe = &fd.for_expr;
                        if fe.strip.strip_start() {
                            trim_end_in_place(out);
                        }
                        let coll = self.eval(&fe.collection_expr, scope)?;
                        let (coll, m) = coll.into_unmarked();
                        *marked |= m;
                        let entries: Vec<(Value, Value)> = match coll {
                            Value::Unknown(_) => {
                                *unknown = true;
                                continue;
                            }
                            Value::List(xs) | Value::Tuple(xs) => xs
                                .into_iter()
                                .enumerate()
                                .map(|(i, x)| (Value::Number(i as f64), x))
                                .collect(),
                            Value::Set(xs) => xs.into_iter().map(|x| (x.clone(), x)).collect(),
                            Value::Map(m) | Value::Object(m) => {
                                m.into_iter().map(|(k, x)| (Value::String(k), x)).collect()
                            }
                            other => {
                                return Err(self.fail(
                                    &fe.collection_expr,
                                    "Invalid template for directive",
                                    format!("Cannot iterate over a {}.", other.kind_name()),
                                ));
                            }
                        };
                        let els: Vec<&Element> = fe.template.iter().collect();
                        for (k, v) in entries {
                            let mut inner = scope.clone();
                            if let Some(kn) = &fe.key_var {
                                inner.vars.insert(kn.value().as_str().to_string(), k);
                            }
                            inner
                                .vars
                                .insert(fe.value_var.value().as_str().to_string(), v);
                            r.strip_next = fe.strip.strip_end();
                            self.render_nested(&els, &inner, r)?;
                            if fd.endfor_expr.strip.strip_start() {
                                trim_end_in_place(r.out);
                            }
                        }
                        r.strip_next = fd.endfor_expr.strip.strip_end();
                    }
                },
            }
        }
        Ok(())
    }

    fn eval_call(&self, call: &hcl_edit::expr::FuncCall, scope: &Scope) -> R {
        let name = call.name.name.value().as_str();
        if call.name.is_namespaced() {
            return Err(self.fail(
                &call.name.name,
                "Call to unknown function",
                format!("Provider-defined functions are not supported (in {name:?})."),
            ));
        }
        let arg_exprs: Vec<&Expression> = call.args.iter().collect();
        // try and can see errors instead of values, so they evaluate lazily.
        match name {
            "try" => {
                if arg_exprs.is_empty() {
                    return Err(self.fail(
                        &call.name.name,
                        "Invalid function argument",
                        "at least one argument is required",
                    ));
                }
                let mut last = None;
                for a in &arg_exprs {
                    match self.eval(a, scope) {
                        Ok(v) if v.is_wholly_known() => return Ok(v),
                        Ok(_) => return Ok(Value::unknown()),
                        // Mistakes in the configuration itself are not caught.
                        Err(e) if e.summary == "Call to unknown function" => return Err(e),
                        Err(e) => last = Some(e),
                    }
                }
                let last = last.map(|e| e.detail).unwrap_or_default();
                return Err(self.fail(call, "Error in function call", format!("Call to function \"try\" failed: no expression succeeded:\n- {last}\n\nAt least one expression must produce a successful result.")));
            }
            "can" => {
                if arg_exprs.len() != 1 {
                    return Err(self.fail(
                        &call.name.name,
                        "Invalid number of arguments",
                        "Function \"can\" expects 1 argument.",
                    ));
                }
                return Ok(match self.eval(arg_exprs[0], scope) {
                    Err(e) if e.summary == "Call to unknown function" => return Err(e),
                    Ok(v) if !v.is_wholly_known() => Value::Unknown(Type::Bool),
                    Ok(_) => Value::Bool(true),
                    Err(_) => Value::Bool(false),
                });
            }
            _ => {}
        }
        let Some(func) = functions::lookup(name) else {
            return Err(self.fail(
                &call.name.name,
                "Call to unknown function",
                format!("There is no function named {name:?}."),
            ));
        };
        let mut args = Vec::with_capacity(arg_exprs.len());
        for a in &arg_exprs {
            args.push(self.eval(a, scope)?);
        }
        if call.args.expand_final()
            && let Some(last) = args.pop()
        {
            let (last, m) = last.into_unmarked();
            match last {
                    Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => args.extend(xs.into_iter().map(|x| x.mark_if(m))),
                    Value::Unknown(_) => return Ok(Value::unknown()),
                    _ => return Err(self.fail(call, "Invalid expanding argument value", "The expanding argument (indicated by ...) must be of a tuple, list, or set type.")),
                }
        }
        if args.len() < func.min_args || func.max_args.is_some_and(|m| args.len() > m) {
            let expected = match func.max_args {
                Some(m) if m == func.min_args => format!("{m}"),
                Some(m) => format!("{} to {m}", func.min_args),
                None => format!("at least {}", func.min_args),
            };
            return Err(self.fail(
                call,
                "Invalid number of arguments",
                format!(
                    "Function {name:?} expects {expected} argument(s), got {}.",
                    args.len()
                ),
            ));
        }
        if !func.handles_unknown && args.iter().any(Value::is_unknown) {
            return Ok(Value::unknown());
        }
        if name == "templatefile" {
            return self.templatefile(call, args);
        }
        let mut marked = false;
        let args: Vec<Value> = args
            .into_iter()
            .map(|a| {
                let (a, m) = a.deep_unmark();
                marked |= m;
                a
            })
            .collect();
        let ctx = functions::CallContext { cwd: &self.cwd };
        // A function's message may quote its arguments (a path, a key, an
        // address) or values derived from them. When any argument carries a
        // sensitive mark, no part of the message is shown: this holds for
        // every function, present and future, without auditing each one.
        match (func.call)(&args, &ctx) {
            Ok(v) => Ok(v.mark_if(marked)),
            Err(FnError::Unknown) => Ok(Value::unknown().mark_if(marked)),
            Err(FnError::Arg(i, msg)) => {
                let span = arg_exprs
                    .get(i)
                    .and_then(|e| self.span_of(*e))
                    .or_else(|| self.span_of(call));
                let msg = if marked {
                    HIDDEN_DETAIL.to_string()
                } else {
                    msg
                };
                Err(EvalError {
                    span,
                    summary: "Invalid function argument".into(),
                    detail: format!("Invalid value for argument {} of {name:?}: {msg}.", i + 1),
                })
            }
            Err(FnError::Msg(msg)) => {
                let msg = if marked {
                    HIDDEN_DETAIL.to_string()
                } else {
                    msg
                };
                Err(self.fail(
                    call,
                    "Error in function call",
                    format!("Call to function {name:?} failed: {msg}."),
                ))
            }
        }
    }

    fn templatefile(&self, call: &hcl_edit::expr::FuncCall, args: Vec<Value>) -> R {
        let failed = |msg: &str| {
            self.fail(
                call,
                "Error in function call",
                format!("Call to function \"templatefile\" failed: {msg}."),
            )
        };
        if self.in_template {
            // Terraform's rule and wording: no templatefile inside a template.
            return Err(failed(
                "cannot recursively call templatefile from inside another template function",
            ));
        }
        let (path_v, path_marked) = args[0].unmark();
        let Value::String(path) = path_v else {
            return Err(self.fail(
                call,
                "Invalid function argument",
                "templatefile: path must be a string",
            ));
        };
        let text = functions::file::read_file_text(&self.cwd, path)
            .map_err(|m| failed(if path_marked { HIDDEN_DETAIL } else { &m }))?;
        let shown_path = if path_marked {
            "(sensitive value)"
        } else {
            path.as_str()
        };
        let tmpl = hcl_edit::parser::parse_template(&text).map_err(|e| {
            failed(&format!(
                "{shown_path}:{}:{}: {}",
                e.location().line(),
                e.location().column(),
                e.message()
            ))
        })?;
        let mut scope = Scope::default();
        let (vars, vars_marked) = args[1].unmark();
        match vars {
            Value::Map(m) | Value::Object(m) => {
                for (k, v) in m {
                    scope.vars.insert(k.clone(), v.clone().mark_if(vars_marked));
                }
            }
            Value::Unknown(_) => {
                return Ok(Value::Unknown(Type::String).mark_if(vars_marked || path_marked));
            }
            other => {
                return Err(self.fail(
                    call,
                    "Invalid function argument",
                    format!(
                        "Invalid value for \"vars\" parameter: map or object required, not {}.",
                        other.kind_name()
                    ),
                ));
            }
        }
        let inner = Evaluator {
            file: self.file,
            cwd: self.cwd.clone(),
            in_template: true,
        };
        match inner.eval_template(&tmpl, &scope) {
            Ok(v) => Ok(v.mark_if(path_marked)),
            Err(e) => {
                // Spans inside the template are offsets into its text.
                let at = e
                    .span
                    .map(|s| {
                        let file = crate::diag::SourceFile::new(PathBuf::new(), text.clone());
                        let at = file.line_col(s.range.start);
                        format!(":{}:{}", at.line, at.col)
                    })
                    .unwrap_or_default();
                Err(failed(&format!(
                    "{shown_path}{at}: {}: {}",
                    e.summary,
                    e.detail.trim_end_matches('.')
                )))
            }
        }
    }
}

/// Output state while rendering a template.
struct Render<'o> {
    out: &'o mut String,
    marked: &'o mut bool,
    unknown: &'o mut bool,
    strip_next: bool,
    /// Indentation to remove from nested literal lines of a `<<-` heredoc.
    dedent: Option<usize>,
    nested: bool,
}

impl Evaluator {
    fn render_nested(
        &self,
        els: &[&Element],
        scope: &Scope,
        r: &mut Render,
    ) -> Result<(), EvalError> {
        let was = r.nested;
        r.nested = true;
        let res = self.render_elements(els, scope, r);
        r.nested = was;
        res
    }
}

/// Removes up to `n` leading spaces from every line after the first.
fn dedent_lines(s: &str, n: usize) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            let strip = line
                .chars()
                .take(n)
                .take_while(|c| *c == ' ' || *c == '\t')
                .count();
            out.push_str(&line[strip..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

fn trim_end_in_place(s: &mut String) {
    let len = s.trim_end().len();
    s.truncate(len);
}

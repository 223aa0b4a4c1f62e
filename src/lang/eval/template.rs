//! Templates: interpolation, directives, strip markers and `<<-` dedent.

use super::*;

impl Evaluator {
    pub fn eval_template(&self, t: &Template, scope: &Scope) -> R {
        self.eval_template_elements(t.iter(), scope, t)
    }

    pub(super) fn eval_template_elements<'t>(
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

    pub(super) fn render_template(
        &self,
        elements: &[&Element],
        scope: &Scope,
        dedent: Option<usize>,
    ) -> R {
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

    pub(super) fn render_elements(
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

    pub(super) fn render_nested(
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

/// Output state while rendering a template.
pub(super) struct Render<'o> {
    out: &'o mut String,
    marked: &'o mut bool,
    unknown: &'o mut bool,
    strip_next: bool,
    /// Indentation to remove from nested literal lines of a `<<-` heredoc.
    dedent: Option<usize>,
    nested: bool,
}

/// Removes up to `n` leading spaces from every line after the first.
pub(super) fn dedent_lines(s: &str, n: usize) -> String {
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

pub(super) fn trim_end_in_place(s: &mut String) {
    let len = s.trim_end().len();
    s.truncate(len);
}

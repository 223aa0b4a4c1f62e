//! Functions that need more than argument values: the sensitivity marks
//! (`sensitive`, `nonsensitive`, `issensitive`), a type expression
//! (`convert`), the expression an argument is written as
//! (`templatestring`), the console-only `type`, and `ephemeralasnull`.

use super::*;
use crate::lang::types::{Defaults, parse_type};

impl Defaults for Evaluator {
    fn default_value(&self, e: &Expression) -> Result<Value, String> {
        self.eval(e, &Scope::default()).map_err(|err| err.detail)
    }
}

/// Whether `name` is one of the functions this file evaluates.
pub(super) fn is_special(name: &str) -> bool {
    matches!(
        name,
        "sensitive"
            | "nonsensitive"
            | "issensitive"
            | "convert"
            | "templatestring"
            | "type"
            | "ephemeralasnull"
    )
}

impl Evaluator {
    /// HCL's messages for a call with the wrong number of arguments.
    pub(super) fn arity_error(
        &self,
        call: &hcl_edit::expr::FuncCall,
        name: &str,
        got: usize,
        min: usize,
        max: Option<usize>,
    ) -> Option<EvalError> {
        if got < min {
            let missing = functions::param_name(name, got).unwrap_or("argument");
            let expects = if max == Some(min) {
                format!("{min}")
            } else {
                format!("at least {min}")
            };
            return Some(self.fail(
                call,
                "Not enough function arguments",
                format!("Function {name:?} expects {expects} argument(s). Missing value for {missing:?}."),
            ));
        }
        match max {
            Some(m) if got > m => Some(self.fail(
                call,
                "Too many function arguments",
                format!("Function {name:?} expects only {m} argument(s)."),
            )),
            _ => None,
        }
    }

    pub(super) fn eval_special(
        &self,
        call: &hcl_edit::expr::FuncCall,
        name: &str,
        args: &[&Expression],
        scope: &Scope,
    ) -> R {
        let want = match name {
            "convert" | "templatestring" => 2,
            _ => 1,
        };
        if call.args.expand_final() {
            return Err(self.fail(
                call,
                "Invalid expanding argument value",
                format!("Function {name:?} does not accept an expanded argument list."),
            ));
        }
        if let Some(e) = self.arity_error(call, name, args.len(), want, Some(want)) {
            return Err(e);
        }
        match name {
            "sensitive" => Ok(self.eval(args[0], scope)?.sensitive()),
            // Only the mark on the value itself goes; marks inside remain.
            "nonsensitive" => Ok(self.eval(args[0], scope)?.into_unmarked().0),
            "issensitive" => {
                let v = self.eval(args[0], scope)?;
                Ok(match v {
                    Value::Sensitive(_) => Value::Bool(true),
                    Value::Unknown(_) => Value::Unknown(Type::Bool),
                    _ => Value::Bool(false),
                })
            }
            // Ephemeral values are tracked by reference (config::ephemeral),
            // which refuses this call on one; any other value is unchanged.
            "ephemeralasnull" => self.eval(args[0], scope),
            "type" => {
                if !self.console {
                    return Err(self.fail(
                        &call.name.name,
                        "Call to unknown function",
                        "There is no function named \"type\". The type function is available only in the console, as in Terraform.",
                    ));
                }
                let v = self.eval(args[0], scope)?;
                Ok(Value::String(type_expr(&v.unmark().0.type_of(), 0)))
            }
            "convert" => {
                let v = self.eval(args[0], scope)?;
                let ty = parse_type(args[1], self).map_err(|e| EvalError {
                    span: e
                        .span
                        .map(|r| Span::new(self.file, r))
                        .or_else(|| self.span_of(args[1])),
                    summary: "Invalid type specification".into(),
                    detail: e.message,
                })?;
                let (inner, marked) = v.into_unmarked();
                convert(&inner, &ty)
                    .map(|v| v.mark_if(marked))
                    .map_err(|e| EvalError {
                        span: self.span_of(args[0]),
                        summary: "Invalid function argument".into(),
                        detail: format!(
                            "Invalid value for \"value\" parameter: {}.",
                            if marked {
                                HIDDEN_DETAIL.to_string()
                            } else {
                                e.0
                            }
                        ),
                    })
            }
            "templatestring" => self.templatestring(call, args, scope),
            _ => Err(self.fail(
                call,
                "Call to unknown function",
                format!("There is no function named {name:?}."),
            )),
        }
    }

    /// `templatestring(ref, vars)`: the template is a string from elsewhere
    /// (a reference), never a literal, as Terraform requires.
    fn templatestring(
        &self,
        call: &hcl_edit::expr::FuncCall,
        args: &[&Expression],
        scope: &Scope,
    ) -> R {
        let literal = match args[0] {
            Expression::String(_) => Some(
                "templatestring is only for rendering templates retrieved dynamically from elsewhere, and so does not support providing a literal template; consider using a template string expression instead",
            ),
            Expression::StringTemplate(_) | Expression::HeredocTemplate(_) => Some(
                "templatestring is only for rendering templates retrieved dynamically from elsewhere; to render an inline template, consider using a plain template string expression",
            ),
            _ => None,
        };
        if let Some(why) = literal {
            return Err(self.fail(
                args[0],
                "Invalid function argument",
                format!(
                    "Invalid value for \"template\" parameter: invalid template expression: {why}."
                ),
            ));
        }
        let tmpl = self.eval(args[0], scope)?;
        let vars = self.eval(args[1], scope)?;
        let (text, marked) = tmpl.into_unmarked();
        let text = match text {
            Value::String(s) => s,
            Value::Unknown(_) => return Ok(Value::Unknown(Type::String).mark_if(marked)),
            Value::Null => {
                return Err(self.fail(
                    args[0],
                    "Invalid function argument",
                    "Invalid value for \"template\" parameter: argument must not be null.",
                ));
            }
            other => match convert(&other, &Type::String) {
                Ok(Value::String(s)) => s,
                _ => {
                    return Err(self.fail(
                        args[0],
                        "Invalid function argument",
                        "Invalid value for \"template\" parameter: string required.",
                    ));
                }
            },
        };
        self.render_text_template(
            call,
            "templatestring",
            &text,
            Some("<templatestring argument>"),
            vars,
            marked,
        )
    }
}

/// A type as Terraform's console prints `type()`: one element or
/// attribute per line, indented by four.
fn type_expr(t: &Type, depth: usize) -> String {
    let pad = "    ".repeat(depth + 1);
    let end = "    ".repeat(depth);
    match t {
        Type::List(e) => format!("list({})", type_expr(e, depth)),
        Type::Set(e) => format!("set({})", type_expr(e, depth)),
        Type::Map(e) => format!("map({})", type_expr(e, depth)),
        Type::Tuple(xs) => {
            let items: String = xs
                .iter()
                .map(|x| format!("{pad}{},\n", type_expr(x, depth + 1)))
                .collect();
            format!("tuple([\n{items}{end}])")
        }
        Type::Object(o) => {
            let items: String = o
                .attrs
                .iter()
                .map(|(k, x)| format!("{pad}{k}: {},\n", type_expr(x, depth + 1)))
                .collect();
            format!("object({{\n{items}{end}}})")
        }
        Type::Dynamic => "dynamic".into(),
        other => other.to_string(),
    }
}

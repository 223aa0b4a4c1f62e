//! A module instance's input variables: root inputs, call arguments,
//! defaults, type conversion and validation.

use super::*;

impl Context<'_> {
    pub(super) fn variable(&self, p: &ModulePath, name: &str) -> Result<Value, Failed> {
        let (_, m) = self.module_at(p);
        let var = m.variables.get(name).ok_or(Failed)?;
        let no_scope = Extra::default();
        // The given value and where to point if it is wrong.
        let (given, span): (Option<Value>, Option<Span>) = if p.is_empty() {
            match self.inputs.get(name) {
                Some(iv) => (
                    Some(iv.value.clone()),
                    iv.span.clone().or(Some(var.span.clone())),
                ),
                None => (None, Some(var.span.clone())),
            }
        } else {
            let parent = p.parent();
            let (call_name, key) = &p[p.len() - 1];
            let (_, pm) = self.module_at(&parent);
            let call = pm.module_calls.get(call_name).ok_or(Failed)?;
            match call.inputs.get(name) {
                Some((_, e)) => {
                    let each_value = self
                        .call_expansion(&parent, call_name)
                        .into_iter()
                        .find(|(k, _)| k == key)
                        .map(|(_, v)| v)
                        .unwrap_or(Value::Null);
                    let v = self.eval(&parent, e, &Extra::for_key(key, &each_value))?;
                    (Some(v), e.span())
                }
                None => (None, Some(call.span.clone())),
            }
        };
        let default = match &var.default {
            Some(d) => Some(self.eval(p, d, &no_scope)?),
            None => None,
        };
        let from_default = var.default.as_ref().and_then(Expr::span);
        let (raw, span) = match (given, &default) {
            (Some(v), _) if !v.is_null() || var.nullable => (v, span),
            (_, Some(d)) => (d.clone(), from_default.or(span)),
            (Some(_), None) => {
                self.report(
                    Diagnostic::error("Invalid value for variable")
                        .with_detail(format!(
                            "The variable {name:?} is not nullable, so it must not be set to null."
                        ))
                        .at(span),
                );
                return Err(Failed);
            }
            (None, None) if !p.is_empty() => return Err(Failed), // reported by the static check
            (None, None) if !self.require_inputs => {
                return Ok(Value::Unknown(var.ty.clone()).mark_if(var.sensitive));
            }
            (None, None) => {
                let detail = if p.is_empty() {
                    format!(
                        "The root module input variable {name:?} is not set, and has no default value. Use a --var or --var-file option to provide a value for this variable."
                    )
                } else {
                    format!("The module call must set {name:?}: the variable has no default value.")
                };
                self.report(
                    Diagnostic::error("No value for required variable")
                        .with_detail(detail)
                        .at(span),
                );
                return Err(Failed);
            }
        };
        let value = match convert(&raw, &var.ty) {
            Ok(v) => v,
            Err(e) => {
                // Conversion messages name map keys and elements of the value.
                let why = if var.sensitive || raw.is_sensitive_anywhere() {
                    crate::lang::eval::HIDDEN_DETAIL.to_string()
                } else {
                    e.0
                };
                self.report(
                    Diagnostic::error("Invalid value for variable")
                        .with_detail(format!(
                            "The given value is not suitable for var.{name} declared at {}: {why}.",
                            self.place(&var.span)
                        ))
                        .at(span),
                );
                return Err(Failed);
            }
        };
        for rule in &var.validations {
            let extra = Extra::default();
            // The rules see the value with its mark, so a message built from
            // a sensitive variable is recognised as such.
            let scope_override = Some((name.to_string(), value.clone().mark_if(var.sensitive)));
            let cond = self.eval_with(p, &rule.condition, &extra, scope_override.clone())?;
            match cond.unmark().0 {
                Value::Bool(true) | Value::Unknown(_) => {}
                Value::Bool(false) => {
                    let msg = self.eval_with(p, &rule.error_message, &extra, scope_override)?;
                    let msg = match msg.unmark() {
                        (_, true) => "The error message included a sensitive value, so it will not be displayed.".into(),
                        (Value::String(s), false) => s.clone(),
                        _ => "(error_message is not a string)".into(),
                    };
                    self.report(
                        Diagnostic::error("Invalid value for variable")
                            .with_detail(format!(
                                "{msg}\n\nThis was checked by the validation rule at {}.",
                                self.place(&rule.condition.span().unwrap_or(var.span.clone()))
                            ))
                            .at(span.clone()),
                    );
                    return Err(Failed);
                }
                _ => {
                    self.report(
                        Diagnostic::error("Invalid validation result")
                            .with_detail("The condition must produce a bool.")
                            .at(rule.condition.span()),
                    );
                    return Err(Failed);
                }
            }
        }
        Ok(value.mark_if(var.sensitive))
    }
}

//! Function calls, `try`/`can`, and `templatefile`.

use super::*;

impl Evaluator {
    pub(super) fn eval_call(&self, call: &hcl_edit::expr::FuncCall, scope: &Scope) -> R {
        let name = call.name.name.value().as_str();
        if call.name.is_namespaced() {
            let ns: Vec<&str> = call
                .name
                .namespace
                .iter()
                .map(|i| i.value().as_str())
                .collect();
            let full = format!("{}::{name}", ns.join("::"));
            // `core::NAME` is the built-in function NAME; the provider
            // namespace needs provider plugins, which drinfra does not run.
            if ns.first() == Some(&"provider") {
                return Err(self.fail(
                    &call.name.name,
                    "Unknown provider function",
                    format!("There is no function named {full:?}: drinfra does not run provider plugins, so provider-defined functions are not available (the providers it has are built in)."),
                ));
            }
            let builtin = matches!(name, "try" | "can")
                || functions::lookup(name).is_some()
                || special::is_special(name);
            if ns != ["core"] || !builtin {
                // Terraform's wording, which names only the first part.
                return Err(self.fail(
                    &call.name.name,
                    "Unknown provider function",
                    format!("The function namespace {:?} is not valid. Provider function calls must use the \"provider::\" namespace prefix.", ns[0]),
                ));
            }
            let _ = full;
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
        if special::is_special(name) {
            return self.eval_special(call, name, &arg_exprs, scope);
        }
        // The console is not a plan: Terraform has no plan time there.
        if self.console && name == "plantimestamp" {
            return Err(self.fail(
                &call.name.name,
                "Call to unknown function",
                "There is no function named \"plantimestamp\".",
            ));
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
        if let Some(e) = self.arity_error(call, name, args.len(), func.min_args, func.max_args) {
            return Err(e);
        }
        if func.impure && !self.impure_known {
            // Terraform knows timestamp(), uuid() and bcrypt() only during
            // apply (and in the console): while planning they are unknown.
            return Ok(Value::Unknown(Type::String)
                .mark_if(args.iter().any(|a| a.is_sensitive_anywhere())));
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
        let ctx = functions::CallContext {
            cwd: &self.cwd,
            impure_known: self.impure_known,
        };
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
                let param = functions::param_name(name, i).unwrap_or("argument");
                Err(EvalError {
                    span,
                    summary: "Invalid function argument".into(),
                    detail: format!("Invalid value for {param:?} parameter: {msg}."),
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

    pub(super) fn templatefile(&self, call: &hcl_edit::expr::FuncCall, args: Vec<Value>) -> R {
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
        let text = functions::file::read_file_text(&self.cwd, path).map_err(|e| {
            let shown = e.to_string();
            failed(if path_marked { HIDDEN_DETAIL } else { &shown })
        })?;
        let shown_path = if path_marked {
            "(sensitive value)"
        } else {
            path.as_str()
        };
        let vars = args[1].clone();
        self.render_text_template(
            call,
            "templatefile",
            &text,
            Some(shown_path),
            vars,
            path_marked,
        )
    }

    /// Renders `text` as a template with `vars` as its only names (the
    /// rendering `templatefile` and `templatestring` share). `label` names
    /// the template's origin in messages.
    pub(super) fn render_text_template(
        &self,
        call: &hcl_edit::expr::FuncCall,
        fname: &str,
        text: &str,
        label: Option<&str>,
        vars: Value,
        text_marked: bool,
    ) -> R {
        let failed = |msg: &str| {
            self.fail(
                call,
                "Error in function call",
                format!("Call to function {fname:?} failed: {msg}."),
            )
        };
        let shown_path = label.unwrap_or("<template>");
        let tmpl = hcl_edit::parser::parse_template(text).map_err(|e| {
            failed(&format!(
                "{shown_path}:{}:{}: {}",
                e.location().line(),
                e.location().column(),
                e.message()
            ))
        })?;
        let mut scope = Scope::default();
        let (vars, vars_marked) = vars.into_unmarked();
        match vars {
            Value::Map(m) | Value::Object(m) => {
                for (k, v) in m {
                    scope.vars.insert(k, v.mark_if(vars_marked));
                }
            }
            Value::Unknown(_) => {
                return Ok(Value::Unknown(Type::String).mark_if(vars_marked || text_marked));
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
            impure_known: self.impure_known,
            console: false,
        };
        match inner.eval_template(&tmpl, &scope) {
            Ok(v) => Ok(v.mark_if(text_marked)),
            Err(e) => {
                let file = crate::diag::SourceFile::new(PathBuf::new(), text.to_string());
                // A name the vars do not hold: Terraform's wording, located
                // in the template as `line,start-end`.
                if e.summary == "Unknown variable"
                    && let (Some(span), Some(name)) = (&e.span, e.detail.split('"').nth(1))
                {
                    let a = file.line_col(span.range.start);
                    let b = file.line_col(span.range.end);
                    return Err(self.fail(
                        call,
                        "Invalid function argument",
                        format!(
                            "Invalid value for \"vars\" parameter: vars map does not contain key {name:?}, referenced at {shown_path}:{},{}-{}.",
                            a.line, a.col, b.col
                        ),
                    ));
                }
                // Spans inside the template are offsets into its text.
                let at = e
                    .span
                    .map(|s| {
                        let file = crate::diag::SourceFile::new(PathBuf::new(), text.to_string());
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

//! `count` and `for_each`: the instance keys of module calls and resources.

use super::*;

impl Context<'_> {
    pub(super) fn call_expansion(&self, p: &ModulePath, name: &str) -> Vec<(InstanceKey, Value)> {
        let key = (p.clone(), name.to_string());
        if let Some(v) = self.expansions.borrow().get(&key) {
            return v.clone();
        }
        let (_, m) = self.module_at(p);
        let Some(call) = m.module_calls.get(name) else {
            return vec![];
        };
        let node = Node::CallExpansion(p.clone(), name.to_string());
        self.stack
            .borrow_mut()
            .push((node, Some(call.span.clone())));
        let keys = self
            .expand(p, call.count.as_ref(), call.for_each.as_ref())
            .unwrap_or_default();
        self.stack.borrow_mut().pop();
        self.expansions.borrow_mut().insert(key, keys.clone());
        keys
    }

    /// Instance keys (with each.value) from `count` or `for_each`.
    pub(super) fn expand(
        &self,
        p: &ModulePath,
        count: Option<&Expr>,
        for_each: Option<&Expr>,
    ) -> Result<Vec<(InstanceKey, Value)>, Failed> {
        if let Some(c) = count {
            let v = self.eval(p, c, &Extra::default())?;
            let (v, marked) = v.into_unmarked();
            let fail = |detail: &str| {
                self.report(
                    Diagnostic::error("Invalid count argument")
                        .with_detail(detail.to_string())
                        .at(c.span()),
                );
                Failed
            };
            if marked {
                return Err(fail(
                    "Sensitive values, or values derived from sensitive values, cannot be used as count arguments.",
                ));
            }
            return match convert(&v, &Type::Number) {
                Ok(Value::Number(n)) if n > MAX_INSTANCES as f64 && n.fract() == 0.0 => {
                    Err(fail(&format!(
                        "The given \"count\" argument value is {}, more than the {MAX_INSTANCES} instances drinfra allows for one block.",
                        crate::lang::value::format_number(n)
                    )))
                }
                Ok(Value::Number(n)) if n >= 0.0 && n.fract() == 0.0 => Ok((0..n as i64)
                    .map(|i| (InstanceKey::Int(i), Value::Null))
                    .collect()),
                Ok(Value::Number(_)) => Err(fail(
                    "The given \"count\" argument value is unsuitable: must be a whole number greater than or equal to zero.",
                )),
                Ok(Value::Unknown(_)) => Err(fail(
                    "The \"count\" value depends on resource attributes that cannot be determined until apply, so drinfra cannot predict how many instances will be created.",
                )),
                _ if v.is_null() => Err(fail(
                    "The given \"count\" argument value is null. An integer is required.",
                )),
                _ => Err(fail(
                    "The given \"count\" argument value is unsuitable: a number is required.",
                )),
            };
        }
        if let Some(fe) = for_each {
            let v = self.eval(p, fe, &Extra::default())?;
            let fail = |detail: &str| {
                self.report(
                    Diagnostic::error("Invalid for_each argument")
                        .with_detail(detail.to_string())
                        .at(fe.span()),
                );
                Failed
            };
            if v.is_sensitive_anywhere() {
                return Err(fail(
                    "Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments: the instance keys would reveal them.",
                ));
            }
            let size = match &v {
                Value::Map(m) | Value::Object(m) => m.len(),
                Value::Set(xs) => xs.len(),
                _ => 0,
            };
            if size > MAX_INSTANCES {
                return Err(fail(&format!(
                    "The given \"for_each\" argument value has {size} elements, more than the {MAX_INSTANCES} instances drinfra allows for one block."
                )));
            }
            return match v {
                Value::Map(m) | Value::Object(m) => Ok(m
                    .into_iter()
                    .map(|(k, v)| (InstanceKey::Str(k), v))
                    .collect()),
                Value::Set(xs) => {
                    let mut out = Vec::new();
                    for x in xs {
                        match x {
                            Value::String(s) => {
                                out.push((InstanceKey::Str(s.clone()), Value::String(s)))
                            }
                            Value::Unknown(_) => {
                                return Err(fail(
                                    "The \"for_each\" set includes values derived from resource attributes that cannot be determined until apply, so drinfra cannot determine the full set of keys.",
                                ));
                            }
                            other => {
                                return Err(fail(&format!(
                                    "The given \"for_each\" argument value is unsuitable: \"for_each\" supports sets of strings, but you have provided a set containing type {}.",
                                    other.kind_name()
                                )));
                            }
                        }
                    }
                    Ok(out)
                }
                Value::Unknown(_) => Err(fail(
                    "The \"for_each\" value depends on resource attributes that cannot be determined until apply, so drinfra cannot predict how many instances will be created.",
                )),
                Value::Null => Err(fail(
                    "The given \"for_each\" argument value is unsuitable: the given \"for_each\" argument value is null. A map, or set of strings is allowed.",
                )),
                Value::List(_) | Value::Tuple(_) => Err(fail(
                    "The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type tuple or list. Convert it with toset() or build a map.",
                )),
                other => Err(fail(&format!(
                    "The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}.",
                    other.kind_name()
                ))),
            };
        }
        Ok(vec![(InstanceKey::None, Value::Null)])
    }

    /// The evaluated arguments of each instance of `r` in `p`.
    pub(super) fn resource_configs(
        &self,
        p: &ModulePath,
        r: &Resource,
    ) -> Vec<(InstanceKey, Value)> {
        let Ok(keys) = self.resource_expansion(p, r) else {
            return vec![];
        };
        keys.into_iter()
            .filter_map(|(k, each_value)| self.instance_body(p, r, &k, &each_value).map(|v| (k, v)))
            .collect()
    }

    /// Instance keys (with each.value) of resource `r` in `p`, memoised.
    pub(super) fn resource_expansion(
        &self,
        p: &ModulePath,
        r: &Resource,
    ) -> Result<Expansion, Failed> {
        let key = (p.clone(), r.key());
        if let Some(keys) = self.resource_keys.borrow().get(&key) {
            return keys.clone().ok_or(Failed);
        }
        let keys = self.expand(p, r.count.as_ref(), r.for_each.as_ref());
        self.resource_keys
            .borrow_mut()
            .insert(key, keys.as_ref().ok().cloned());
        keys
    }
}

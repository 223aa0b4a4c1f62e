//! `for` expressions over lists, sets, maps and objects.

use super::*;

impl Evaluator {
    pub(super) fn eval_for(&self, f: &hcl_edit::expr::ForExpr, scope: &Scope) -> R {
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
}

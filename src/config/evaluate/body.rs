//! Resource bodies: arguments, nested and `dynamic` blocks of each instance,
//! and the value other expressions see for a resource.

use super::*;

impl Context<'_> {
    /// The evaluated body of one instance of `r`, memoised.
    pub(super) fn instance_body(
        &self,
        p: &ModulePath,
        r: &Resource,
        k: &InstanceKey,
        each_value: &Value,
    ) -> Option<Value> {
        let key = (p.clone(), r.key(), k.clone());
        if let Some(body) = self.bodies.borrow().get(&key) {
            return body.clone();
        }
        let extra = Extra::for_key(k, each_value);
        let body = self
            .eval_body(p, r.body.file, &r.body.body, &extra)
            .ok()
            .filter(|_| self.resource_preconditions(p, r, &extra).is_ok());
        self.bodies.borrow_mut().insert(key, body.clone());
        body
    }

    /// The value other expressions see for resource `r`.
    pub(super) fn resource_value(&self, p: &ModulePath, r: &Resource) -> Value {
        let Ok(keys) = self.resource_expansion(p, r) else {
            return Value::unknown();
        };
        let key = r.key();
        let instance = |k: &InstanceKey, each_value: &Value| -> Value {
            if let Some(v) = self.resource_values.and_then(|rv| rv.get(p, &key, k)) {
                return v;
            }
            match self.instance_body(p, r, k, each_value) {
                Some(Value::Object(mut m)) => {
                    m.entry("id".into()).or_insert(Value::Unknown(Type::String));
                    for a in self
                        .schemas
                        .map(|s| s.computed_attributes(&r.ty))
                        .unwrap_or_default()
                    {
                        m.entry(a).or_insert(Value::unknown());
                    }
                    if let Some(s) = self.schemas {
                        s.complete_blocks(&r.ty, &mut m);
                    }
                    Value::Object(m)
                }
                _ => Value::unknown(),
            }
        };
        if r.count.is_some() {
            Value::Tuple(keys.iter().map(|(k, ev)| instance(k, ev)).collect())
        } else if r.for_each.is_some() {
            Value::Object(
                keys.iter()
                    .map(|(k, ev)| {
                        (
                            match k {
                                InstanceKey::Str(s) => s.clone(),
                                _ => String::new(),
                            },
                            instance(k, ev),
                        )
                    })
                    .collect(),
            )
        } else {
            instance(&InstanceKey::None, &Value::Null)
        }
    }

    /// A block body as an object: attributes, nested blocks as lists of
    /// objects (by block type), `dynamic` blocks expanded.
    pub(super) fn eval_body(
        &self,
        p: &ModulePath,
        file: FileId,
        body: &Body,
        extra: &Extra,
    ) -> Result<Value, Failed> {
        let mut out: BTreeMap<String, Value> = BTreeMap::new();
        let mut blocks: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut failed = false;
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let e = Expr {
                        file,
                        expr: a.value.clone(),
                    };
                    match self.eval(p, &e, extra) {
                        Ok(v) => {
                            out.insert(a.key.value().as_str().to_string(), v);
                        }
                        Err(Failed) if self.lenient => {
                            out.insert(a.key.value().as_str().to_string(), Value::unknown());
                        }
                        Err(Failed) => failed = true,
                    }
                }
                Structure::Block(b) if b.ident.value().as_str() == "dynamic" => {
                    match self.dynamic_block(p, file, b, extra) {
                        Ok((kind, items)) => blocks.entry(kind).or_default().extend(items),
                        Err(Failed) if self.lenient => {
                            if let Some(kind) = b.labels.first() {
                                blocks
                                    .entry(kind.as_str().to_string())
                                    .or_default()
                                    .push(Value::unknown());
                            }
                        }
                        Err(Failed) => failed = true,
                    }
                }
                Structure::Block(b) => match self.eval_body(p, file, &b.body, extra) {
                    Ok(v) => {
                        blocks
                            .entry(b.ident.value().as_str().to_string())
                            .or_default()
                            .push(v);
                    }
                    Err(Failed) => failed = true,
                },
            }
        }
        if failed {
            return Err(Failed);
        }
        for (k, v) in blocks {
            out.insert(k, Value::List(v));
        }
        Ok(Value::Object(out))
    }

    pub(super) fn dynamic_block(
        &self,
        p: &ModulePath,
        file: FileId,
        b: &hcl_edit::structure::Block,
        extra: &Extra,
    ) -> Result<(String, Vec<Value>), Failed> {
        let span = Some(Span::new(
            file,
            hcl_edit::Span::span(&b.ident).unwrap_or(0..0),
        ));
        let Some(kind) = b.labels.first().map(|l| l.as_str().to_string()) else {
            self.report(
                Diagnostic::error("Missing name for dynamic block")
                    .with_detail(
                        "A dynamic block needs one label: the type of the blocks it generates.",
                    )
                    .at(span),
            );
            return Err(Failed);
        };
        let Some(fe) = b.body.get_attribute("for_each") else {
            self.report(
                Diagnostic::error("Missing required argument")
                    .with_detail("The argument \"for_each\" is required in a dynamic block.")
                    .at(span),
            );
            return Err(Failed);
        };
        let iter_name = match b.body.get_attribute("iterator") {
            Some(a) => match &a.value {
                hcl_edit::expr::Expression::Variable(v) => v.value().as_str().to_string(),
                _ => {
                    self.report(
                        Diagnostic::error("Invalid iterator")
                            .with_detail("The iterator must be a plain name.")
                            .at(span),
                    );
                    return Err(Failed);
                }
            },
            None => kind.clone(),
        };
        let Some(content) = b.body.get_blocks("content").next() else {
            self.report(
                Diagnostic::error("Missing content block")
                    .with_detail("A dynamic block needs a content block.")
                    .at(span),
            );
            return Err(Failed);
        };
        let coll = self.eval(
            p,
            &Expr {
                file,
                expr: fe.value.clone(),
            },
            extra,
        )?;
        let (coll, _) = coll.into_unmarked();
        let entries: Vec<(Value, Value)> = match coll {
            Value::List(xs) | Value::Tuple(xs) => xs
                .into_iter()
                .enumerate()
                .map(|(i, x)| (Value::Number(i as f64), x))
                .collect(),
            Value::Set(xs) => xs.into_iter().map(|x| (x.clone(), x)).collect(),
            Value::Map(m) | Value::Object(m) => {
                m.into_iter().map(|(k, v)| (Value::String(k), v)).collect()
            }
            Value::Unknown(_) => return Ok((kind, vec![Value::unknown()])),
            Value::Null => vec![],
            other => {
                self.report(Diagnostic::error("Invalid dynamic for_each value").with_detail(format!("Cannot use a {} value in for_each. An iterable collection is required.", other.kind_name())).at(Some(Span::new(file, hcl_edit::Span::span(&fe.value).unwrap_or(0..0)))));
                return Err(Failed);
            }
        };
        let mut items = Vec::new();
        for (k, v) in entries {
            let mut inner = extra.clone();
            inner.iterators.insert(
                iter_name.clone(),
                Value::Object([("key".to_string(), k), ("value".to_string(), v)].into()),
            );
            items.push(self.eval_body(p, file, &content.body, &inner)?);
        }
        Ok((kind, items))
    }
}

/// The attribute a reference to `r` reads (after the instance index when
/// `r` has `count` or `for_each`), if it reads one.
pub(super) fn read_attr<'s>(r: &Resource, steps: &'s [Step]) -> Option<&'s str> {
    let expanded = r.count.is_some() || r.for_each.is_some();
    let rest = if expanded {
        steps.get(1..).unwrap_or(&[])
    } else {
        steps
    };
    match rest.first() {
        Some(Step::Attr(a)) => Some(a.as_str()),
        _ => None,
    }
}

/// Whether some instance in `v` (the value a reference to `r` sees)
/// carries attribute `attr`.
pub(super) fn value_has_attr(v: &Value, r: &Resource, attr: &str) -> bool {
    let has = |inst: &Value| inst.as_mapping().is_some_and(|m| m.contains_key(attr));
    if r.count.is_none() && r.for_each.is_none() {
        return has(v);
    }
    match v.unmark().0 {
        Value::Tuple(xs) | Value::List(xs) => xs.iter().any(has),
        Value::Object(m) => m.values().any(has),
        _ => false,
    }
}

/// `a` and `b` are what two references to `r` in one expression see, each
/// with the unknown placeholder for the attribute it reads: one value
/// holding both (the second reference's placeholder was lost, so
/// `[data.x.y.a, data.x.y.b]` failed on `a` when neither was known yet).
pub(super) fn merge_fills(a: Value, b: Value, r: &Resource) -> Value {
    let top = |a: Value, b: Value| match (a, b) {
        (Value::Object(mut x), Value::Object(y)) => {
            for (k, v) in y {
                x.entry(k).or_insert(v);
            }
            Value::Object(x)
        }
        (a, _) => a,
    };
    if r.count.is_none() && r.for_each.is_none() {
        return top(a, b);
    }
    match (a, b) {
        (Value::Tuple(xs), Value::Tuple(ys)) if xs.len() == ys.len() => {
            Value::Tuple(xs.into_iter().zip(ys).map(|(x, y)| top(x, y)).collect())
        }
        (Value::Object(mut xs), Value::Object(ys)) => {
            for (k, y) in ys {
                let merged = match xs.remove(&k) {
                    Some(x) => top(x, y),
                    None => y,
                };
                xs.insert(k, merged);
            }
            Value::Object(xs)
        }
        (a, _) => a,
    }
}

/// Adds unknown placeholders for attributes a reference reads that the
/// resource's value does not have yet (computed attributes such as `id`).
pub(super) fn fill_unknown_attrs(v: Value, r: &Resource, steps: &[Step]) -> Value {
    let expanded = r.count.is_some() || r.for_each.is_some();
    let (index, rest) = if expanded {
        (steps.first(), steps.get(1..).unwrap_or(&[]))
    } else {
        (None, steps)
    };
    let attr = match rest.first() {
        Some(Step::Attr(a)) => a.clone(),
        _ => return v,
    };
    let fill = |inst: Value| -> Value {
        match inst {
            Value::Object(mut m) => {
                m.entry(attr.clone()).or_insert(Value::unknown());
                Value::Object(m)
            }
            other => other,
        }
    };
    if !expanded {
        return fill(v);
    }
    let _ = index;
    match v {
        Value::Tuple(xs) => Value::Tuple(xs.into_iter().map(fill).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, x)| (k, fill(x))).collect()),
        other => other,
    }
}

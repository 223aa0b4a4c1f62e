//! Scopes: the values one expression references (variables, locals,
//! resources, module outputs, `path`, `failover_group`, ...), and nothing more.

use super::failover_group::failover_group_value;
use super::*;

impl Context<'_> {
    pub(super) fn path_value(&self, p: &ModulePath, attr: &str) -> Value {
        let (_, m) = self.module_at(p);
        let rel = |dir: &Path| -> String {
            let s = dir
                .strip_prefix(&self.cwd)
                .map(|r| r.to_path_buf())
                .unwrap_or_else(|_| dir.to_path_buf());
            let s = s.display().to_string();
            if s.is_empty() { ".".into() } else { s }
        };
        Value::String(match attr {
            "module" => rel(&m.dir),
            "root" => rel(&self.root_dir),
            _ => self.cwd.display().to_string(),
        })
    }

    /// A scope holding exactly the values `refs` name.
    pub(super) fn scope_for(
        &self,
        p: &ModulePath,
        file: FileId,
        refs: &[Reference],
        extra: &Extra,
        var_override: Option<&(String, Value)>,
    ) -> Result<Scope, Failed> {
        let (_, m) = self.module_at(p);
        let mut scope = Scope::default();
        let mut objects: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
        let mut nested: BTreeMap<String, BTreeMap<String, BTreeMap<String, Value>>> =
            BTreeMap::new();
        let mut ok = true;
        for r in refs {
            if let Some(v) = extra.iterators.get(&r.root) {
                scope.vars.insert(r.root.clone(), v.clone());
                continue;
            }
            let span = Some(Span::new(file, r.span.clone()));
            let name = r.attr(0).map(str::to_string);
            match r.root.as_str() {
                "var" => {
                    let Some(n) = name else {
                        ok = false;
                        continue;
                    };
                    if !m.variables.contains_key(&n) {
                        ok = false;
                        continue;
                    }
                    let v = match var_override {
                        Some((vn, vv)) if *vn == n => vv.clone(),
                        _ => self.value(Node::Var(p.clone(), n.clone()), span),
                    };
                    objects.entry("var".into()).or_default().insert(n, v);
                }
                "local" => {
                    let Some(n) = name else {
                        ok = false;
                        continue;
                    };
                    if !m.locals.contains_key(&n) {
                        ok = false;
                        continue;
                    }
                    let v = self.value(Node::Local(p.clone(), n.clone()), span);
                    objects.entry("local".into()).or_default().insert(n, v);
                }
                "module" => {
                    let Some(n) = name else {
                        ok = false;
                        continue;
                    };
                    let Some(call) = m.module_calls.get(&n) else {
                        ok = false;
                        continue;
                    };
                    if call.child == usize::MAX {
                        ok = false;
                        continue;
                    }
                    let child = &self.config.modules[call.child];
                    let expanded = call.count.is_some() || call.for_each.is_some();
                    if !expanded && crate::config::check::is_index(r.steps.get(1)) {
                        ok = false; // reported by the static check
                        continue;
                    }
                    let out_step = if expanded { 2 } else { 1 };
                    if let Some(Step::Attr(o)) = r.steps.get(out_step)
                        && !child.outputs.contains_key(o)
                    {
                        ok = false; // reported by the static check
                        continue;
                    }
                    let wanted: Vec<String> = r
                        .steps
                        .iter()
                        .filter_map(|s| match s {
                            Step::Attr(a) if child.outputs.contains_key(a) => Some(a.clone()),
                            _ => None,
                        })
                        .collect();
                    let wanted = if r.steps.len() <= 1
                        || r.steps
                            .iter()
                            .any(|s| matches!(s, Step::Dynamic | Step::CountIndex | Step::EachKey))
                            && wanted.is_empty()
                    {
                        child.outputs.keys().cloned().collect()
                    } else {
                        wanted
                    };
                    let v = self.module_value(p, &n, &wanted, span);
                    objects.entry("module".into()).or_default().insert(n, v);
                }
                "count" => match extra.count {
                    Some(i) => {
                        scope.vars.insert(
                            "count".into(),
                            Value::Object([("index".to_string(), Value::Number(i as f64))].into()),
                        );
                    }
                    None => ok = false,
                },
                "each" => match &extra.each {
                    Some((k, v)) => {
                        scope.vars.insert(
                            "each".into(),
                            Value::Object(
                                [
                                    ("key".to_string(), k.clone()),
                                    ("value".to_string(), v.clone()),
                                ]
                                .into(),
                            ),
                        );
                    }
                    None => ok = false,
                },
                // Only in postconditions (the static check refuses it
                // elsewhere), as the one object they test.
                "self" => match &extra.self_value {
                    Some(v) => {
                        scope.vars.insert("self".into(), v.clone());
                    }
                    None => ok = false,
                },
                "path" => {
                    let a = name.unwrap_or_default();
                    objects
                        .entry("path".into())
                        .or_default()
                        .insert(a.clone(), self.path_value(p, &a));
                }
                "failover_group" => {
                    let Some(n) = name else {
                        ok = false;
                        continue;
                    };
                    let Some(g) = self.config.root().failover_groups.get(&n) else {
                        ok = false;
                        continue;
                    };
                    let obj = failover_group_value(g, self.failover.get(&n));
                    objects
                        .entry("failover_group".into())
                        .or_default()
                        .insert(n, obj);
                }
                "terraform" | "drinfra" => {
                    objects.entry(r.root.clone()).or_default().insert(
                        "workspace".into(),
                        Value::String(if self.config.workspace.is_empty() {
                            crate::config::workspace::DEFAULT.into()
                        } else {
                            self.config.workspace.clone()
                        }),
                    );
                }
                mode @ ("data" | "ephemeral") => {
                    let (Some(t), Some(n)) = (r.attr(0), r.attr(1)) else {
                        ok = false;
                        continue;
                    };
                    let key = format!("{mode}.{t}.{n}");
                    let Some(res) = m.resources.get(&key) else {
                        ok = false;
                        continue;
                    };
                    let Some(v) = self.resource_scope_value(p, &key, res, r, refs, 2, extra, span)
                    else {
                        ok = false;
                        continue;
                    };
                    let of_type = nested
                        .entry(mode.into())
                        .or_default()
                        .entry(t.to_string())
                        .or_default();
                    let v = match of_type.remove(n) {
                        Some(seen) => super::body::merge_fills(seen, v, res),
                        None => v,
                    };
                    of_type.insert(n.to_string(), v);
                }
                root => {
                    let Some(n) = name else {
                        ok = false;
                        continue;
                    };
                    let key = format!("{root}.{n}");
                    let Some(res) = m.resources.get(&key) else {
                        ok = false;
                        continue;
                    };
                    let Some(v) = self.resource_scope_value(p, &key, res, r, refs, 1, extra, span)
                    else {
                        ok = false;
                        continue;
                    };
                    let of_type = objects.entry(root.to_string()).or_default();
                    let v = match of_type.remove(&n) {
                        Some(seen) => super::body::merge_fills(seen, v, res),
                        None => v,
                    };
                    of_type.insert(n, v);
                }
            }
        }
        if !ok {
            // The static check has reported the bad reference already.
            return Err(Failed);
        }
        for (k, v) in objects {
            scope.vars.insert(k, Value::Object(v));
        }
        for (k, types) in nested {
            scope.vars.insert(
                k,
                Value::Object(
                    types
                        .into_iter()
                        .map(|(t, v)| (t, Value::Object(v)))
                        .collect(),
                ),
            );
        }
        Ok(scope)
    }

    /// What reference `r` to resource `key` (its instance index at step
    /// `index_step`) sees in scope, or `None` when the index cannot name an
    /// instance (reported by the static check, or here once).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn resource_scope_value(
        &self,
        p: &ModulePath,
        key: &str,
        res: &Resource,
        r: &Reference,
        refs: &[Reference],
        index_step: usize,
        extra: &Extra,
        span: Option<Span>,
    ) -> Option<Value> {
        let step = r.steps.get(index_step);
        if crate::config::check::instance_key_misfit(res, step).is_some() {
            return None;
        }
        let v = self.resource_ref_value(p, key, res, refs, index_step, extra, span.clone());
        if !self.for_each_key_exists(res, &v, step, span.clone()) {
            return None;
        }
        if !self.attribute_exists(key, res, &r.steps[index_step..], &v, span) {
            return None;
        }
        Some(super::body::fill_unknown_attrs(
            v,
            res,
            &r.steps[index_step..],
        ))
    }

    /// Whether the attribute a reference to resource or data source `key`
    /// reads is one its type has (by the provider's schema, or in the value itself);
    /// otherwise says so once, at the reference, in Terraform's words, rather
    /// than letting it read as "known after apply" for ever.
    fn attribute_exists(
        &self,
        key: &str,
        res: &Resource,
        steps: &[Step],
        v: &Value,
        span: Option<Span>,
    ) -> bool {
        let Some(attr) = super::body::read_attr(res, steps) else {
            return true;
        };
        let Some(schemas) = self.schemas else {
            return true;
        };
        // A data source's names are its own (not its resource type's).
        let data = key.starts_with("data.");
        let mut cache = self.attribute_names.borrow_mut();
        let names = cache
            .entry(format!("{}{}", if data { "data." } else { "" }, res.ty))
            .or_insert_with(|| {
                let names = if data {
                    schemas.data_attribute_names(&res.ty)
                } else {
                    schemas.attribute_names(&res.ty)
                };
                names.map(|names| names.into_iter().collect())
            });
        let known = names
            .as_ref()
            .is_none_or(|names| names.contains(attr) || attr == "id");
        // Only a name the type lacks needs Terraform's hint.
        let hint = match names.as_ref() {
            Some(names) if !known => super::nested_refs::did_you_mean(attr, names.iter()),
            _ => String::new(),
        };
        drop(cache);
        if known || super::body::value_has_attr(v, res, attr) {
            let expanded = res.count.is_some() || res.for_each.is_some();
            let rest = steps.get(if expanded { 2 } else { 1 }..).unwrap_or(&[]);
            let Some(m) = super::nested_refs::misfit(schemas, &res.ty, attr, rest) else {
                return true;
            };
            let step = span
                .as_ref()
                .and_then(|s| m.step_span(self.config.sources.text(s.file), s));
            self.report_unsupported(
                format!("{key}.{}.{}", m.block(), m.name),
                Diagnostic::error(m.summary).with_detail(format!(
                    "{} drinfra's {} block {:?} has none of that name: if the provider exports one, drinfra does not read it yet.",
                    m.detail,
                    res.ty,
                    m.block()
                )),
                step.or(span),
            );
            return false;
        }
        // For a data source, Terraform's words, or why drinfra refuses a
        // name azurerm documents.
        let detail = match data.then(|| schemas.unread_data_attribute(&res.ty, attr)) {
            Some(Some(why)) => why,
            Some(None) => format!(
                "This object has no argument, nested block, or exported attribute named {attr:?}.{hint}"
            ),
            None => format!(
                "This object has no argument, nested block, or exported attribute named {attr:?}.{hint} drinfra's {} has none of that name: if the provider exports one, drinfra does not read it yet.",
                res.ty
            ),
        };
        self.report_unsupported(
            format!("{key}.{attr}"),
            Diagnostic::error("Unsupported attribute").with_detail(detail),
            span,
        );
        false
    }

    /// Reports `d` at `span`, once for each place and `what` it names.
    fn report_unsupported(&self, what: String, d: Diagnostic, span: Option<Span>) {
        let place = span
            .as_ref()
            .map(|s| format!("{:?}:{:?}", s.file, s.range))
            .unwrap_or_default();
        if self
            .attributes_reported
            .borrow_mut()
            .insert(format!("{place}:{what}"))
        {
            self.report(d.at(span));
        }
    }

    /// A number index on a `for_each` resource names an instance only if
    /// a key reads as that number; otherwise says so once, at the reference.
    pub(super) fn for_each_key_exists(
        &self,
        res: &Resource,
        v: &Value,
        step: Option<&Step>,
        span: Option<Span>,
    ) -> bool {
        let (Some(Step::Index(i)), true, Value::Object(instances)) =
            (step, res.for_each.is_some(), v)
        else {
            return true;
        };
        if instances.contains_key(&i.to_string()) {
            return true;
        }
        let addr = res.key();
        let keys: Vec<String> = instances
            .keys()
            .take(5)
            .map(|k| format!("{addr}[{}]", serde_json::Value::String(k.clone())))
            .collect();
        let example = if keys.is_empty() {
            String::new()
        } else {
            format!(
                " ({}{})",
                keys.join(", "),
                if instances.len() > 5 { ", ..." } else { "" }
            )
        };
        self.report(
            Diagnostic::error("Invalid resource instance key")
                .with_detail(format!("Because {addr} has \"for_each\" set, its instances are identified by the keys of its for_each value{example}, not by position: [{i}] does not name one."))
                .at(span),
        );
        false
    }

    /// The value a reference to resource `key` sees. When every reference to
    /// it in the expression selects one and the same instance (`a[0]`,
    /// `a["k"]`, `a[count.index]`, `a[each.key]`), only that instance is
    /// handed over, as a one-entry object (indexing it by the number or key
    /// finds the same value), without copying the others: N instances that
    /// each refer to their counterpart then cost O(N), not O(N²).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn resource_ref_value(
        &self,
        p: &ModulePath,
        key: &str,
        res: &Resource,
        refs: &[Reference],
        index_step: usize,
        extra: &Extra,
        span: Option<Span>,
    ) -> Value {
        let mut wanted: Option<InstanceKey> = None;
        let mut single = true;
        for r in refs {
            let names_it = match r.root.as_str() {
                mode @ ("data" | "ephemeral") => r.attr(0).zip(r.attr(1)).is_some_and(|(t, n)| {
                    key.strip_prefix(mode)
                        .and_then(|k| k.strip_prefix('.'))
                        .is_some_and(|k| k.split_once('.') == Some((t, n)))
                }),
                root => r
                    .attr(0)
                    .is_some_and(|n| key.split_once('.') == Some((root, n))),
            };
            if !names_it {
                continue;
            }
            let k = match (r.steps.get(index_step), &extra.count, &extra.each) {
                (Some(Step::Index(i)), _, _) if res.count.is_some() => Some(InstanceKey::Int(*i)),
                (Some(Step::Key(k)), _, _) if res.for_each.is_some() => {
                    Some(InstanceKey::Str(k.clone()))
                }
                (Some(Step::CountIndex), Some(i), _) if res.count.is_some() => {
                    Some(InstanceKey::Int(*i))
                }
                (Some(Step::EachKey), _, Some((Value::String(k), _))) if res.for_each.is_some() => {
                    Some(InstanceKey::Str(k.clone()))
                }
                _ => None,
            };
            match (k, &wanted) {
                (Some(k), None) => wanted = Some(k),
                (Some(k), Some(w)) if k == *w => {}
                _ => single = false,
            }
        }
        let wanted = wanted.filter(|_| single);
        let node = Node::Resource(p.clone(), key.to_string());
        self.with_value(node, span, |v| {
            let one = match (v, &wanted) {
                (Value::Tuple(xs), Some(InstanceKey::Int(i))) => usize::try_from(*i)
                    .ok()
                    .and_then(|i| xs.get(i))
                    .map(|x| (i.to_string(), x)),
                (Value::Object(m), Some(InstanceKey::Str(k))) => m.get(k).map(|x| (k.clone(), x)),
                _ => None,
            };
            match one {
                Some((k, x)) => Value::Object(BTreeMap::from([(k, x.clone())])),
                None => v.clone(),
            }
        })
    }

    /// Applies `f` to a memoised value without copying all of it.
    pub(super) fn with_value<T>(
        &self,
        node: Node,
        at: Option<Span>,
        f: impl FnOnce(&Value) -> T,
    ) -> T {
        if let Some(v) = self.cache.borrow().get(&node) {
            return f(v);
        }
        let v = self.value(node, at);
        f(&v)
    }

    /// `module.NAME`: an object of the wanted outputs per instance.
    pub(super) fn module_value(
        &self,
        p: &ModulePath,
        name: &str,
        wanted: &[String],
        span: Option<Span>,
    ) -> Value {
        let (_, m) = self.module_at(p);
        let Some(call) = m.module_calls.get(name) else {
            return Value::unknown();
        };
        let one = |key: InstanceKey| -> Value {
            let mut child = p.clone();
            child.push((name.to_string(), key));
            Value::Object(
                wanted
                    .iter()
                    .map(|o| {
                        (
                            o.clone(),
                            self.value(Node::Output(child.clone(), o.clone()), span.clone()),
                        )
                    })
                    .collect(),
            )
        };
        let keys = self.call_expansion(p, name);
        if call.count.is_some() {
            Value::Tuple(keys.into_iter().map(|(k, _)| one(k)).collect())
        } else if call.for_each.is_some() {
            Value::Object(
                keys.into_iter()
                    .map(|(k, _)| {
                        (
                            match &k {
                                InstanceKey::Str(s) => s.clone(),
                                _ => String::new(),
                            },
                            one(k),
                        )
                    })
                    .collect(),
            )
        } else {
            one(InstanceKey::None)
        }
    }
}

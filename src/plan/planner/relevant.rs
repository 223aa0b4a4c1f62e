//! Which resource attributes the plan's changes rest on, Terraform's
//! "relevant attributes" (1.2+, `relevantResourceAttrsForPlan`): every
//! resource attribute that a resource change or root output change which
//! is not a no-op references, directly or through locals, variables,
//! module inputs and module outputs. Drift in those attributes is shown,
//! because it may be why the plan changes something.

use std::collections::BTreeSet;

use super::secrets::body_refs;
use crate::config::Config;
use crate::lang::refs::{Reference, Step};
use crate::plan::deps::{Deps, Kind, ObjId};
use crate::plan::model::{Action, Plan, RelevantAttribute};

/// The relevant attributes of `plan`, sorted. `resource` is the resource's
/// address as referenced: module calls without instance keys, the
/// resource with the literal key the reference gives, if any.
pub fn relevant_attributes(config: &Config, deps: &Deps, plan: &Plan) -> Vec<RelevantAttribute> {
    let mut todo: Vec<ObjId> = Vec::new();
    for c in plan.changes.iter().filter(|c| c.action != Action::NoOp) {
        if let Some(mi) = module_index(config, c.module_path.0.iter().map(|(n, _)| n)) {
            todo.push(ObjId {
                module: mi,
                kind: Kind::Resource,
                name: c.resource.clone(),
            });
        }
    }
    for o in plan.outputs.iter().filter(|o| o.action != Action::NoOp) {
        todo.push(ObjId {
            module: 0,
            kind: Kind::Output,
            name: o.name.clone(),
        });
    }
    let mut seen: BTreeSet<ObjId> = BTreeSet::new();
    let mut out: BTreeSet<(String, Vec<String>)> = BTreeSet::new();
    while let Some(obj) = todo.pop() {
        if !seen.insert(obj.clone()) {
            continue;
        }
        for (mi, r) in refs_of(config, &obj) {
            follow(config, deps, mi, &r, &mut todo, &mut out);
        }
    }
    out.into_iter()
        .map(|(resource, attribute)| RelevantAttribute {
            resource,
            attribute,
        })
        .collect()
}

/// Whether `attribute` of the drifted instance at `address` is one
/// `relevant` names (or its whole object is).
pub fn drift_is_relevant(relevant: &[RelevantAttribute], address: &str, attribute: &str) -> bool {
    let object = without_keys(address);
    relevant.iter().any(|r| {
        let r_object = without_keys(&r.resource);
        // `x.y[0]` is that instance only (its key ends the address).
        r_object == object
            && address.ends_with(
                r.resource
                    .strip_prefix(r_object.as_str())
                    .unwrap_or_default(),
            )
            && r.attribute.first().is_none_or(|a| a == attribute)
    })
}

/// The module index the call names `path` lead to from the root.
fn module_index<'a>(config: &Config, path: impl Iterator<Item = &'a String>) -> Option<usize> {
    let mut mi = 0;
    for name in path {
        mi = config.modules.get(mi)?.module_calls.get(name)?.child;
    }
    config.modules.get(mi).map(|_| mi)
}

/// The references an object's value is made from, with the module each
/// is evaluated in. A resource's `depends_on` reads no value: left out.
fn refs_of(config: &Config, obj: &ObjId) -> Vec<(usize, Reference)> {
    let Some(m) = config.modules.get(obj.module) else {
        return vec![];
    };
    let here = |v: Vec<Reference>| v.into_iter().map(|r| (obj.module, r)).collect();
    match obj.kind {
        Kind::Resource => {
            let Some(r) = m.resources.get(&obj.name) else {
                return vec![];
            };
            let mut v = Vec::new();
            body_refs(&r.body.body, &mut v);
            for e in r.count.iter().chain(r.for_each.iter()) {
                v.extend(crate::lang::refs::references(&e.expr));
            }
            here(v)
        }
        Kind::Output => m
            .outputs
            .get(&obj.name)
            .map(|o| here(crate::lang::refs::references(&o.value.expr)))
            .unwrap_or_default(),
        Kind::Local => m
            .locals
            .get(&obj.name)
            .map(|l| here(crate::lang::refs::references(&l.value.expr)))
            .unwrap_or_default(),
        // A child module's variable is its call's argument, in the parent.
        Kind::Var => config
            .modules
            .iter()
            .enumerate()
            .flat_map(|(pi, p)| {
                p.module_calls
                    .values()
                    .filter(|c| c.child == obj.module)
                    .filter_map(|c| c.inputs.get(&obj.name))
                    .flat_map(move |(_, e)| {
                        crate::lang::refs::references(&e.expr)
                            .into_iter()
                            .map(move |r| (pi, r))
                    })
                    .collect::<Vec<_>>()
            })
            .collect(),
        Kind::Call => vec![],
    }
}

/// Records a resource attribute reference, or queues the local, variable
/// or module output a reference reads through.
fn follow(
    config: &Config,
    deps: &Deps,
    mi: usize,
    r: &Reference,
    todo: &mut Vec<ObjId>,
    out: &mut BTreeSet<(String, Vec<String>)>,
) {
    let m = &config.modules[mi];
    let obj = |kind, name: &str| ObjId {
        module: mi,
        kind,
        name: name.to_string(),
    };
    match (r.root.as_str(), r.attr(0)) {
        ("var", Some(n)) => todo.push(obj(Kind::Var, n)),
        ("local", Some(n)) => todo.push(obj(Kind::Local, n)),
        ("module", Some(n)) => {
            let Some(call) = m.module_calls.get(n) else {
                return;
            };
            let Some(child) = config.modules.get(call.child) else {
                return;
            };
            // `module.x.out` (past any instance key), or every output.
            let named: Vec<&String> = r.steps[1..]
                .iter()
                .find_map(|s| match s {
                    Step::Attr(a) => Some(a),
                    _ => None,
                })
                .filter(|a| child.outputs.contains_key(*a))
                .into_iter()
                .collect();
            let outs: Vec<&String> = if named.is_empty() {
                child.outputs.keys().collect()
            } else {
                named
            };
            for o in outs {
                todo.push(ObjId {
                    module: call.child,
                    kind: Kind::Output,
                    name: o.clone(),
                });
            }
        }
        ("data" | "ephemeral" | "count" | "each" | "path" | "terraform" | "self", _) => {}
        (ty, Some(n)) if m.resources.contains_key(&format!("{ty}.{n}")) => {
            // A literal instance key stays in the address, as Terraform's.
            let key = match r.steps.get(1) {
                Some(Step::Index(i)) => format!("[{i}]"),
                Some(Step::Key(k)) => format!("[{}]", serde_json::Value::from(k.as_str())),
                _ => String::new(),
            };
            let resource = format!("{}{ty}.{n}{key}", deps.module_names[mi]);
            out.insert((resource, attribute_path(&r.steps[1..])));
        }
        _ => {}
    }
}

/// The attribute path after a resource's name: past an instance key or
/// splat, up to the first step not known before evaluation.
fn attribute_path(steps: &[Step]) -> Vec<String> {
    let start = match steps.first() {
        Some(Step::Attr(_)) | None => 0,
        _ => 1,
    };
    let mut path = Vec::new();
    for s in &steps[start..] {
        match s {
            Step::Attr(a) | Step::Key(a) => path.push(a.clone()),
            Step::Index(i) => path.push(i.to_string()),
            _ => break,
        }
    }
    path
}

/// `module.a["x"].t.n[0]` to `module.a.t.n`: an address without its
/// instance keys (quoted keys may hold brackets).
fn without_keys(address: &str) -> String {
    let mut out = String::new();
    let (mut depth, mut quoted, mut escaped) = (0, false, false);
    for ch in address.chars() {
        if depth > 0 {
            match ch {
                _ if escaped => escaped = false,
                '\\' if quoted => escaped = true,
                '"' => quoted = !quoted,
                ']' if !quoted => depth -= 1,
                _ => {}
            }
        } else if ch == '[' {
            depth = 1;
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_lose_their_instance_keys() {
        assert_eq!(
            without_keys(r#"module.a["x]y"].azurerm_storage_account.s[0]"#),
            "module.a.azurerm_storage_account.s"
        );
    }

    #[test]
    fn paths_skip_the_instance_key_and_stop_at_dynamic_steps() {
        let steps = vec![
            Step::Index(0),
            Step::Attr("identity".into()),
            Step::Index(0),
            Step::Attr("principal_id".into()),
        ];
        assert_eq!(
            attribute_path(&steps),
            vec!["identity", "0", "principal_id"]
        );
        assert_eq!(
            attribute_path(&[
                Step::Attr("id".into()),
                Step::Dynamic,
                Step::Attr("x".into())
            ]),
            vec!["id"]
        );
        assert!(attribute_path(&[Step::Splat]).is_empty());
    }

    #[test]
    fn drift_matches_the_named_attribute_or_a_whole_object() {
        let rel = |a: &[&str]| {
            vec![RelevantAttribute {
                resource: "azurerm_storage_account.s".into(),
                attribute: a.iter().map(|s| s.to_string()).collect(),
            }]
        };
        let key = rel(&["primary_access_key"]);
        assert!(drift_is_relevant(
            &key,
            "azurerm_storage_account.s",
            "primary_access_key"
        ));
        assert!(!drift_is_relevant(
            &key,
            "azurerm_storage_account.s",
            "secondary_access_key"
        ));
        assert!(!drift_is_relevant(
            &key,
            "azurerm_storage_account.t",
            "primary_access_key"
        ));
        assert!(drift_is_relevant(
            &rel(&[]),
            "azurerm_storage_account.s[1]",
            "tags"
        ));
    }
}

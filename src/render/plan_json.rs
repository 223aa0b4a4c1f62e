//! Terraform's machine-readable formats: the plan JSON (format_version
//! 1.2) policy tools read, and the state JSON (1.0). Sensitive values are
//! masked here, unlike Terraform's; unknown values are left out of
//! `after` and flagged in `after_unknown`.

use std::collections::BTreeMap;

use serde_json::{Map, Value as J, json};

use crate::lang::Value;
use crate::plan::{Action, OutputChange, Plan, Reason, ResourceChange};
use crate::state::State;

/// The Terraform language version drinfra's configuration follows.
pub const TERRAFORM_VERSION: &str = "1.15.0";
pub const MASK: &str = "(sensitive value)";

/// A value as JSON: unknown leaves dropped, sensitive leaves masked.
pub fn known_json(v: &Value) -> J {
    match v {
        Value::Unknown(_) => J::Null,
        Value::Sensitive(_) => J::String(MASK.into()),
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            J::Array(xs.iter().map(known_json).collect())
        }
        Value::Map(m) | Value::Object(m) => J::Object(
            m.iter()
                .filter(|(_, x)| !matches!(x, Value::Unknown(_)))
                .map(|(k, x)| (k.clone(), known_json(x)))
                .collect(),
        ),
        other => other.to_json(),
    }
}

/// `true` at leaves where `pred` holds, the value's shape around them
/// (Terraform's after_unknown / *_sensitive trees).
fn flags(v: &Value, pred: &dyn Fn(&Value) -> bool) -> J {
    if pred(v) {
        return J::Bool(true);
    }
    match v {
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            J::Array(xs.iter().map(|x| flags(x, pred)).collect())
        }
        Value::Map(m) | Value::Object(m) => J::Object(
            m.iter()
                .filter_map(|(k, x)| {
                    let f = flags(x, pred);
                    (f != J::Bool(false) && f != json!({})).then(|| (k.clone(), f))
                })
                .collect(),
        ),
        _ => J::Bool(false),
    }
}

fn unknown_tree(v: &Option<Value>) -> J {
    v.as_ref()
        .map(|v| flags(v, &|x| matches!(x, Value::Unknown(_))))
        .map(|f| if f == J::Bool(false) { json!({}) } else { f })
        .unwrap_or(json!({}))
}

fn sensitive_tree(v: &Option<Value>) -> J {
    match v {
        None => J::Bool(false),
        Some(v) => {
            let f = flags(v, &|x| matches!(x, Value::Sensitive(_)));
            if f == J::Bool(false) { json!({}) } else { f }
        }
    }
}

fn reason(r: Option<Reason>) -> Option<&'static str> {
    r.map(|r| match r {
        Reason::ReplaceBecauseCannotUpdate => "replace_because_cannot_update",
        Reason::ReplaceByTriggers => "replace_by_triggered",
        Reason::ReplaceByRequest => "replace_by_request",
        Reason::ReplaceBecauseTainted => "replace_because_tainted",
        Reason::ReplaceBecauseParentReplaced => "replace_because_cannot_update",
        Reason::DeleteBecauseNoResourceConfig => "delete_because_no_resource_config",
        Reason::DeleteBecauseCountIndex => "delete_because_count_index",
        Reason::DeleteBecauseEachKey => "delete_because_each_key",
        Reason::DeleteBecauseNoModule => "delete_because_no_module",
    })
}

fn module_address(c: &ResourceChange) -> Option<String> {
    (!c.module_path.is_root()).then(|| c.module_path.to_string())
}

fn index_json(c: &ResourceChange) -> Option<J> {
    c.key.to_json()
}

fn change_json(
    c: &ResourceChange,
    actions: Vec<&str>,
    before: &Option<Value>,
    after: &Option<Value>,
) -> J {
    let mut ch = json!({
        "actions": actions,
        "before": before.as_ref().map(known_json).unwrap_or(J::Null),
        "after": after.as_ref().map(known_json).unwrap_or(J::Null),
        "after_unknown": unknown_tree(after),
        "before_sensitive": sensitive_tree(before),
        "after_sensitive": sensitive_tree(after),
    });
    if !c.replace_paths.is_empty() {
        ch["replace_paths"] = c
            .replace_paths
            .iter()
            .map(|p| super::attr_path::json(p))
            .collect();
    }
    ch
}

fn resource_change(c: &ResourceChange) -> J {
    let mut rc = json!({
        "address": c.address,
        "mode": c.mode,
        "type": c.ty,
        "name": c.name,
        "provider_name": provider_name(&c.provider),
        "change": change_json(c, c.action.terraform_actions(), &c.before, &c.after),
    });
    if let Some(m) = module_address(c) {
        rc["module_address"] = J::String(m);
    }
    if let Some(i) = index_json(c) {
        rc["index"] = i;
    }
    if let Some(p) = &c.previous_address {
        rc["previous_address"] = J::String(p.clone());
    }
    if let Some(r) = reason(c.reason) {
        rc["action_reason"] = J::String(r.into());
    }
    if !c.notes.is_empty() {
        rc["drinfra_notes"] = json!(c.notes);
    }
    rc
}

/// An object a `removed` block with `destroy = false` forgets: Terraform's
/// `forget` action.
fn forget_change(rs: &crate::state::ResourceState) -> J {
    let before = Some(rs.value());
    let mut rc = json!({
        "address": rs.address,
        "mode": rs.mode,
        "type": rs.ty,
        "name": rs.name,
        "provider_name": provider_name(&rs.provider),
        "change": {
            "actions": ["forget"],
            "before": before.as_ref().map(known_json).unwrap_or(J::Null),
            "after": J::Null,
            "after_unknown": {},
            "before_sensitive": sensitive_tree(&before),
            "after_sensitive": false,
        },
        "action_reason": "delete_because_no_resource_config",
    });
    if !rs.module.is_empty() {
        rc["module_address"] = J::String(rs.module.clone());
    }
    if let Some(i) = &rs.index {
        rc["index"] = i.clone();
    }
    rc
}

/// `planned_values`/`values` modules: resources grouped by module.
fn module_tree(resources: Vec<(Option<String>, J)>) -> J {
    let mut root = Vec::new();
    let mut children: BTreeMap<String, Vec<J>> = BTreeMap::new();
    for (m, r) in resources {
        match m {
            None => root.push(r),
            Some(m) => children.entry(m).or_default().push(r),
        }
    }
    let mut doc = json!({"resources": root});
    if !children.is_empty() {
        doc["child_modules"] = J::Array(
            children
                .into_iter()
                .map(|(a, rs)| json!({"address": a, "resources": rs}))
                .collect(),
        );
    }
    doc
}

/// A root variable's entry: Terraform's `{"value": ...}`, with a sensitive
/// value masked (Terraform prints it in clear) and flagged.
fn variable_json(v: &Value) -> J {
    if v.is_sensitive_anywhere() {
        json!({"value": known_json(v), "sensitive": true})
    } else {
        json!({"value": known_json(v)})
    }
}

fn output_change(o: &OutputChange) -> J {
    let mask = |v: &Option<Value>| match v {
        Some(_) if o.sensitive => J::String(MASK.into()),
        Some(v) => known_json(v),
        None => J::Null,
    };
    json!({
        "actions": o.action.terraform_actions(),
        "before": mask(&o.before),
        "after": mask(&o.after),
        "after_unknown": o.after.as_ref().is_some_and(|v| !v.is_wholly_known()),
        "before_sensitive": o.sensitive,
        "after_sensitive": o.sensitive,
    })
}

fn state_values(state: Option<&State>) -> J {
    let Some(state) = state else {
        return json!({"root_module": {}});
    };
    let resources = state
        .resources
        .values()
        .map(|rs| {
            let v = rs.value();
            let mut r = json!({
                "address": rs.address, "mode": rs.mode, "type": rs.ty, "name": rs.name, "provider_name": provider_name(&rs.provider),
                "schema_version": 0, "values": known_json(&v), "sensitive_values": sensitive_tree(&Some(v.clone())),
            });
            if let Some(i) = &rs.index {
                r["index"] = i.clone();
            }
            if !rs.dependencies.is_empty() {
                r["depends_on"] = json!(rs.dependencies);
            }
            ((!rs.module.is_empty()).then(|| rs.module.clone()), r)
        })
        .collect();
    let outputs: Map<String, J> = state.outputs.iter().map(|(k, o)| (k.clone(), json!({"sensitive": o.sensitive, "value": if o.sensitive { J::String(MASK.into()) } else { o.value.clone() }}))).collect();
    json!({"outputs": outputs, "root_module": module_tree(resources)})
}

/// Terraform's state JSON (`terraform show -json` of a state).
pub fn state(state: &State) -> J {
    json!({"format_version": "1.0", "terraform_version": TERRAFORM_VERSION, "drinfra_version": env!("CARGO_PKG_VERSION"), "values": state_values(Some(state))})
}

/// Terraform's plan JSON.
pub fn plan(plan: &Plan, prior: Option<&State>, config: Option<&crate::config::Config>) -> J {
    let planned: Vec<(Option<String>, J)> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::Delete)
        .filter_map(|c| {
            let after = c.after.as_ref()?;
            let mut r = json!({"address": c.address, "mode": c.mode, "type": c.ty, "name": c.name, "provider_name": provider_name(&c.provider), "schema_version": 0, "values": known_json(after), "sensitive_values": sensitive_tree(&Some(after.clone()))});
            if let Some(i) = index_json(c) {
                r["index"] = i;
            }
            Some((module_address(c), r))
        })
        .collect();
    let planned_outputs: Map<String, J> = plan
        .outputs
        .iter()
        .filter(|o| o.after.is_some())
        .map(|o| (o.name.clone(), json!({"sensitive": o.sensitive, "value": if o.sensitive { J::String(MASK.into()) } else { o.after.as_ref().map(known_json).unwrap_or(J::Null) }})))
        .collect();
    let drift: Vec<J> = plan
        .drift
        .iter()
        .map(|d| {
            let (before, after) = (Some(d.before.clone()), d.after.clone());
            let actions = if after.is_some() { vec!["update"] } else { vec!["delete"] };
            let stub = plan.changes.iter().find(|c| c.address == d.address);
            let mut j = json!({"address": d.address, "mode": "managed", "type": d.ty, "change": {"actions": actions, "before": before.as_ref().map(known_json), "after": after.as_ref().map(known_json).unwrap_or(J::Null), "after_unknown": {}, "before_sensitive": sensitive_tree(&before), "after_sensitive": sensitive_tree(&after)}});
            if let Some(c) = stub {
                j["name"] = J::String(c.name.clone());
                j["provider_name"] = J::String(provider_name(&c.provider));
            }
            j
        })
        .collect();
    let mut doc = json!({
        "format_version": "1.2",
        "terraform_version": TERRAFORM_VERSION,
        "drinfra_version": plan.drinfra_version,
        "variables": plan.variables.iter().map(|(k, v)| (k.clone(), variable_json(v))).collect::<Map<_, _>>(),
        "planned_values": {"outputs": planned_outputs, "root_module": module_tree(planned)},
        "resource_drift": drift,
        "resource_changes": plan.changes.iter().map(resource_change).chain(plan.forgets.iter().map(forget_change)).collect::<Vec<_>>(),
        "output_changes": plan.outputs.iter().map(|o| (o.name.clone(), output_change(o))).collect::<Map<_, _>>(),
        "prior_state": {"format_version": "1.0", "terraform_version": TERRAFORM_VERSION, "values": state_values(prior)},
        "relevant_attributes": plan.relevant_attributes.iter().map(|r| json!({"resource": r.resource, "attribute": r.attribute})).collect::<Vec<_>>(),
        "checks": [],
        "timestamp": plan.created,
        "applyable": plan.has_changes(),
        "complete": plan.changes.iter().all(|c| c.after.as_ref().is_none_or(Value::is_wholly_known)) ,
        "errored": false,
    });
    if let Some(cfg) = config {
        doc["configuration"] = configuration(cfg);
    }
    doc
}

/// The `configuration` section: resources with their constant expressions.
fn configuration(cfg: &crate::config::Config) -> J {
    let root = cfg.root();
    let resources: Vec<J> = root
        .resources
        .values()
        .map(|r| {
            let mut exprs = Map::new();
            for a in r.body.body.attributes() {
                let v = crate::lang::Evaluator::new(r.body.file, std::path::PathBuf::from(".")).eval(&a.value, &crate::lang::Scope::default());
                let e = match v {
                    Ok(v) if v.is_wholly_known() && !v.is_sensitive_anywhere() => json!({"constant_value": v.to_json()}),
                    _ => json!({"references": crate::lang::refs::references(&a.value).iter().map(|rf| {
                        let mut s = rf.root.clone();
                        for st in &rf.steps { if let crate::lang::refs::Step::Attr(x) = st { s.push('.'); s.push_str(x); } else { break } }
                        s
                    }).collect::<Vec<_>>()}),
                };
                exprs.insert(a.key.value().as_str().to_string(), e);
            }
            let provider = r.provider.as_ref().map(|p| p.key()).unwrap_or_else(|| crate::config::providers::implied_local_name(&r.ty).to_string());
            json!({"address": r.key(), "mode": match r.mode { crate::config::model::Mode::Data => "data", crate::config::model::Mode::Ephemeral => "ephemeral", crate::config::model::Mode::Managed => "managed" }, "type": r.ty, "name": r.name, "provider_config_key": provider, "expressions": exprs, "schema_version": 0})
        })
        .collect();
    let mut provider_config = Map::new();
    for (name, source) in crate::provider::SHIPPED {
        provider_config.insert(name.to_string(), json!({"name": name, "full_name": source}));
    }
    for p in &root.providers {
        if let Some(a) = &p.alias {
            provider_config.insert(format!("{}.{a}", p.name), json!({"name": p.name, "full_name": crate::config::providers::source_of(root, &p.name), "alias": a}));
        }
    }
    json!({"provider_config": provider_config, "root_module": {"resources": resources}})
}

/// Terraform's `provider_name`: the provider's source address, without
/// the configuration's alias.
fn provider_name(recorded: &str) -> String {
    crate::provider::ProviderConfigAddr::parse(recorded)
        .map(|a| a.provider)
        .unwrap_or_else(|| recorded.to_string())
}

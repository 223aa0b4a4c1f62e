//! Terraform's state format, version 4: read, so a stack Terraform
//! manages is adopted as recorded, and written, so adoption is reversible.
//!
//! Reading: every managed instance of a type drinfra manages becomes a
//! [`ResourceState`] with Terraform's attributes (the dynamic attributes of
//! `terraform_data` unwrapped from Terraform's `{"value", "type"}`), its
//! sensitive paths, dependencies and taint; lineage, serial and outputs are
//! kept. Resources of other types and data sources are kept verbatim in
//! [`State::foreign`] (reported by address, never planned), and per
//! instance what drinfra does not use (`schema_version`, `private`) in
//! [`State::terraform_meta`], so [`encode`] gives Terraform back what it
//! wrote, with drinfra's changes.

use std::collections::BTreeMap;

use serde_json::{Value as J, json};

use super::{OutputState, ResourceState, State, StateError};
use crate::addrs::{AbsResourceInstance, InstanceKey, Mode, ModulePath, Resource};

/// The Terraform state version read and written.
pub const VERSION: u64 = 4;

/// The Terraform version written into a state handed back: the language
/// version drinfra follows (Terraform refuses a state from a newer one).
pub fn terraform_version() -> &'static str {
    crate::config::version::TERRAFORM_LANGUAGE
}

/// Whether a decoded snapshot is Terraform's rather than drinfra's.
pub fn is_terraform(probe: &J) -> bool {
    probe.get("format").is_none()
        && probe.get("terraform_version").is_some()
        && probe.get("version").is_some_and(J::is_u64)
}

/// Attributes of `ty` that Terraform records with their type
/// (`{"value": ..., "type": ...}`), because the schema says `dynamic`.
fn dynamic_attributes(ty: &str) -> &'static [&'static str] {
    match ty {
        "terraform_data" => &["input", "output", "triggers_replace"],
        _ => &[],
    }
}

fn managed_here(mode: &str, ty: &str) -> bool {
    mode == "managed"
        && crate::provider::offline::supported(crate::config::model::Mode::Managed, ty)
}

/// One resource instance's address from Terraform's parts.
fn address(module: &str, mode: &str, ty: &str, name: &str, key: &J) -> Result<String, String> {
    let module: ModulePath = if module.is_empty() {
        ModulePath::root()
    } else {
        module
            .parse()
            .map_err(|e| format!("module address {module:?}: {e}"))?
    };
    let key = match key {
        J::Null => InstanceKey::None,
        J::String(s) => InstanceKey::Str(s.clone()),
        J::Number(n) => InstanceKey::Int(n.as_i64().ok_or("index_key is not an integer")?),
        other => {
            return Err(format!(
                "index_key {other} is neither a number nor a string"
            ));
        }
    };
    let mode = if mode == "data" {
        Mode::Data
    } else {
        Mode::Managed
    };
    Ok(AbsResourceInstance::new(
        module,
        Resource {
            mode,
            ty: ty.to_string(),
            name: name.to_string(),
        },
        key,
    )
    .to_string())
}

/// Terraform 1.x's sensitive paths (`[{"type":"get_attr","value":"a"},
/// {"type":"index","value":{"value":0,"type":"number"}}]`) as drinfra's.
fn sensitive_paths(v: &J) -> Vec<Vec<String>> {
    let Some(paths) = v.as_array() else {
        return vec![];
    };
    paths
        .iter()
        .filter_map(|p| {
            p.as_array()?
                .iter()
                .map(|step| match step.get("type")?.as_str()? {
                    "get_attr" => step.get("value")?.as_str().map(str::to_string),
                    _ => match step.get("value")?.get("value")? {
                        J::String(s) => Some(s.clone()),
                        J::Number(n) => Some(n.to_string()),
                        _ => None,
                    },
                })
                .collect::<Option<Vec<String>>>()
        })
        .collect()
}

/// drinfra's sensitive paths as Terraform writes them: a step of digits
/// is a list index, any other a attribute name.
fn terraform_paths(paths: &[Vec<String>]) -> J {
    J::Array(
        paths
            .iter()
            .map(|p| {
                J::Array(
                    p.iter()
                        .map(|step| match step.parse::<u64>() {
                            Ok(i) => {
                                json!({"type": "index", "value": {"value": i, "type": "number"}})
                            }
                            Err(_) => json!({"type": "get_attr", "value": step}),
                        })
                        .collect(),
                )
            })
            .collect(),
    )
}

/// Terraform's JSON type of a JSON value, as Terraform infers it for a
/// literal (arrays are tuples, objects are objects).
pub fn type_of_json(v: &J) -> J {
    match v {
        J::Null => json!("dynamic"),
        J::Bool(_) => json!("bool"),
        J::Number(_) => json!("number"),
        J::String(_) => json!("string"),
        J::Array(xs) => json!(["tuple", xs.iter().map(type_of_json).collect::<Vec<_>>()]),
        J::Object(m) => {
            let attrs: serde_json::Map<String, J> = m
                .iter()
                .map(|(k, v)| (k.clone(), type_of_json(v)))
                .collect();
            json!(["object", attrs])
        }
    }
}

/// Decodes a Terraform state (already parsed) as drinfra's.
pub fn decode(probe: &J, origin: &str) -> Result<State, StateError> {
    let corrupt = |message: String| StateError::Corrupt {
        path: origin.to_string(),
        message: format!("as a Terraform state: {message}"),
    };
    let version = probe.get("version").and_then(J::as_u64).unwrap_or(0);
    if version != VERSION {
        return Err(corrupt(format!(
            "it has Terraform's state format version {version}; drinfra reads version {VERSION} (Terraform 0.12 and later): upgrade it with Terraform first"
        )));
    }
    let mut state = State::blank();
    state.lineage = probe
        .get("lineage")
        .and_then(J::as_str)
        .unwrap_or_default()
        .to_string();
    state.serial = probe.get("serial").and_then(J::as_u64).unwrap_or(0);
    if let Some(outputs) = probe.get("outputs").and_then(J::as_object) {
        for (name, o) in outputs {
            state.outputs.insert(
                name.clone(),
                OutputState {
                    value: o.get("value").cloned().unwrap_or(J::Null),
                    sensitive: o.get("sensitive").and_then(J::as_bool).unwrap_or(false),
                    ty: o.get("type").cloned(),
                },
            );
        }
    }
    let resources = match probe.get("resources") {
        None | Some(J::Null) => &vec![],
        Some(J::Array(r)) => r,
        Some(_) => return Err(corrupt("\"resources\" is not a list".into())),
    };
    for r in resources {
        let text = |k: &str| r.get(k).and_then(J::as_str).unwrap_or_default();
        let (module, mode, ty, name) = (text("module"), text("mode"), text("type"), text("name"));
        if ty.is_empty() || name.is_empty() {
            return Err(corrupt(format!("a resource without type or name: {r}")));
        }
        let instances = r
            .get("instances")
            .and_then(J::as_array)
            .cloned()
            .unwrap_or_default();
        let deposed = instances.iter().any(|i| i.get("deposed").is_some());
        if !managed_here(mode, ty) || deposed {
            state.foreign.push(r.clone());
            continue;
        }
        for i in &instances {
            let key = i.get("index_key").cloned().unwrap_or(J::Null);
            let addr = address(module, mode, ty, name, &key).map_err(corrupt)?;
            let mut attributes = i.get("attributes").cloned().unwrap_or(json!({}));
            if let Some(obj) = attributes.as_object_mut() {
                for a in dynamic_attributes(ty) {
                    if let Some(v) = obj.get_mut(*a)
                        && let Some(inner) = v.get("value").cloned()
                        && v.get("type").is_some()
                    {
                        *v = inner;
                    }
                }
            }
            if i.get("status").and_then(J::as_str) == Some("tainted") {
                state.tainted.insert(addr.clone());
            }
            let mut meta = serde_json::Map::new();
            for k in [
                "schema_version",
                "private",
                "identity_schema_version",
                "identity",
            ] {
                if let Some(v) = i.get(k) {
                    meta.insert(k.to_string(), v.clone());
                }
            }
            state.terraform_meta.insert(addr.clone(), J::Object(meta));
            state.resources.insert(
                addr.clone(),
                ResourceState {
                    address: addr,
                    module: module.to_string(),
                    mode: mode.to_string(),
                    ty: ty.to_string(),
                    name: name.to_string(),
                    index: (!key.is_null()).then_some(key),
                    provider: text("provider").to_string(),
                    attributes,
                    sensitive_paths: i
                        .get("sensitive_attributes")
                        .map(sensitive_paths)
                        .unwrap_or_default(),
                    dependencies: i
                        .get("dependencies")
                        .and_then(J::as_array)
                        .map(|d| {
                            d.iter()
                                .filter_map(|x| x.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default(),
                    create_before_destroy: i
                        .get("create_before_destroy")
                        .and_then(J::as_bool)
                        .unwrap_or(false),
                },
            );
        }
    }
    Ok(state)
}

/// The addresses of what an adopted state holds that drinfra leaves alone.
pub fn foreign_addresses(state: &State) -> Vec<String> {
    let mut out = Vec::new();
    for r in &state.foreign {
        let text = |k: &str| r.get(k).and_then(J::as_str).unwrap_or_default();
        let instances = r
            .get("instances")
            .and_then(J::as_array)
            .cloned()
            .unwrap_or_default();
        for i in &instances {
            let key = i.get("index_key").cloned().unwrap_or(J::Null);
            if let Ok(a) = address(
                text("module"),
                text("mode"),
                text("type"),
                text("name"),
                &key,
            ) {
                out.push(a);
            }
        }
    }
    out
}

/// A resource in Terraform's state: module, mode, type, name.
type ResourceKey = (String, String, String, String);

/// The state in Terraform's format, version 4.
pub fn encode(state: &State) -> J {
    let mut outputs = serde_json::Map::new();
    for (name, o) in &state.outputs {
        let mut doc = json!({
            "value": o.value,
            "type": o.ty.clone().unwrap_or_else(|| type_of_json(&o.value)),
        });
        if o.sensitive {
            doc["sensitive"] = J::Bool(true);
        }
        outputs.insert(name.clone(), doc);
    }
    // Instances grouped into their resources, in address order.
    let mut groups: BTreeMap<ResourceKey, (String, Vec<J>)> = BTreeMap::new();
    for rs in state.resources.values() {
        let mut attributes = rs.attributes.clone();
        if let Some(obj) = attributes.as_object_mut() {
            for a in dynamic_attributes(&rs.ty) {
                if let Some(v) = obj.get_mut(*a)
                    && !v.is_null()
                {
                    *v = json!({"value": v.clone(), "type": type_of_json(v)});
                }
            }
        }
        let meta = state.terraform_meta.get(&rs.address);
        let mut inst = serde_json::Map::new();
        if let Some(k) = &rs.index {
            inst.insert("index_key".into(), k.clone());
        }
        if state.tainted.contains(&rs.address) {
            inst.insert("status".into(), json!("tainted"));
        }
        inst.insert(
            "schema_version".into(),
            meta.and_then(|m| m.get("schema_version").cloned())
                .unwrap_or(json!(0)),
        );
        inst.insert("attributes".into(), attributes);
        inst.insert(
            "sensitive_attributes".into(),
            terraform_paths(&rs.sensitive_paths),
        );
        for k in ["identity_schema_version", "identity", "private"] {
            if let Some(v) = meta.and_then(|m| m.get(k)) {
                inst.insert(k.into(), v.clone());
            }
        }
        if !rs.dependencies.is_empty() {
            inst.insert("dependencies".into(), json!(rs.dependencies));
        }
        if rs.create_before_destroy {
            inst.insert("create_before_destroy".into(), J::Bool(true));
        }
        groups
            .entry((
                rs.module.clone(),
                rs.mode.clone(),
                rs.ty.clone(),
                rs.name.clone(),
            ))
            .or_insert_with(|| (rs.provider.clone(), vec![]))
            .1
            .push(J::Object(inst));
    }
    let mut resources: Vec<J> = groups
        .into_iter()
        .map(|((module, mode, ty, name), (provider, instances))| {
            let mut r = serde_json::Map::new();
            if !module.is_empty() {
                r.insert("module".into(), json!(module));
            }
            r.insert("mode".into(), json!(mode));
            r.insert("type".into(), json!(ty));
            r.insert("name".into(), json!(name));
            r.insert("provider".into(), json!(provider));
            r.insert("instances".into(), J::Array(instances));
            J::Object(r)
        })
        .collect();
    resources.extend(state.foreign.iter().cloned());
    json!({
        "version": VERSION,
        "terraform_version": terraform_version(),
        "serial": state.serial,
        "lineage": state.lineage,
        "outputs": outputs,
        "resources": resources,
        "check_results": null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TF: &str = r#"{
      "version": 4, "terraform_version": "1.15.5", "serial": 2,
      "lineage": "a9d0f19e-4ea5-433a-72e2-270ba89f8aa0",
      "outputs": {"o": {"value": "b", "type": "string"}},
      "resources": [
        {"mode": "managed", "type": "terraform_data", "name": "a",
         "provider": "provider[\"terraform.io/builtin/terraform\"]",
         "instances": [{"schema_version": 0, "status": "tainted",
           "attributes": {"id": "e347", "input": {"value": "b", "type": "string"},
                          "output": {"value": "b", "type": "string"}, "triggers_replace": null},
           "sensitive_attributes": [[{"type": "get_attr", "value": "input"}]],
           "identity_schema_version": 0}]},
        {"module": "module.m[\"x\"]", "mode": "managed", "type": "aws_instance", "name": "w",
         "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
         "instances": [{"index_key": 0, "schema_version": 1, "attributes": {"id": "i-1"}}]},
        {"mode": "data", "type": "azurerm_client_config", "name": "c",
         "provider": "provider[\"registry.terraform.io/hashicorp/azurerm\"]",
         "instances": [{"schema_version": 0, "attributes": {"id": "x"}}]}
      ],
      "check_results": null
    }"#;

    #[test]
    fn terraform_state_is_adopted_and_written_back_as_it_was() {
        let probe: J = serde_json::from_str(TF).unwrap();
        assert!(is_terraform(&probe));
        let s = decode(&probe, "terraform.tfstate").unwrap();
        assert_eq!(s.serial, 2);
        assert_eq!(s.lineage, "a9d0f19e-4ea5-433a-72e2-270ba89f8aa0");
        let a = &s.resources["terraform_data.a"];
        assert_eq!(a.attributes["input"], "b");
        assert_eq!(a.sensitive_paths, vec![vec!["input".to_string()]]);
        assert!(s.tainted.contains("terraform_data.a"));
        assert_eq!(
            foreign_addresses(&s),
            [
                "module.m[\"x\"].aws_instance.w[0]",
                "data.azurerm_client_config.c"
            ]
        );
        let back = encode(&s);
        let orig = &probe["resources"];
        assert_eq!(back["resources"], *orig);
        assert_eq!(back["outputs"], probe["outputs"]);
        assert_eq!(back["lineage"], probe["lineage"]);
    }

    #[test]
    fn other_versions_are_refused_with_why() {
        let e = decode(&json!({"version": 3, "terraform_version": "0.11.0"}), "x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("version 3"), "{e}");
    }
}

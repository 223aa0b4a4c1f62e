//! Terraform's built-in provider as drinfra carries it: the
//! `terraform_data` resource (`provider/terraform_data.rs`) and the
//! `terraform_remote_state` data source, which reads another stack's root
//! outputs through a [`RemoteStateReader`] the state layer provides (the
//! provider layer cannot open backends itself).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use super::spec::{Kind, TypeSpec, computed, opt, problem, req, text};
use crate::lang::Value;
use crate::provider::terraform_data::TerraformData;
use crate::provider::{
    ArgProblem, BoxFut, Planned, Provider, ProviderError, ResourceSchema, TypeFacts,
};

pub const REMOTE_STATE: &str = "terraform_remote_state";

/// The backends `terraform_remote_state` can read (drinfra's own).
pub const BACKENDS: &[&str] = &["local", "pg", "azurerm"];

pub const DATA: TypeSpec = TypeSpec {
    ty: REMOTE_STATE,
    attrs: &[
        req("backend", Kind::Str),
        opt("config", Kind::Any),
        opt("defaults", Kind::Any),
        opt("workspace", Kind::Str),
        computed("outputs", Kind::Any),
    ],
};

/// Root outputs by name: value, and whether it is sensitive.
pub type Outputs = BTreeMap<String, (serde_json::Value, bool)>;

/// Reads the root outputs of the state a backend configuration names.
pub trait RemoteStateReader: Send + Sync {
    /// `backend` with its `config` (arguments as strings) in `workspace`:
    /// each output's value and whether it is sensitive; None when the
    /// backend holds no state.
    fn outputs(
        &self,
        backend: &str,
        config: &BTreeMap<String, String>,
        workspace: &str,
    ) -> Result<Option<Outputs>, String>;
}

/// Where the session puts its reader.
#[derive(Default)]
pub struct RemoteSlot(RwLock<Option<Arc<dyn RemoteStateReader>>>);

impl RemoteSlot {
    pub fn set(&self, reader: Arc<dyn RemoteStateReader>) {
        if let Ok(mut r) = self.0.write() {
            *r = Some(reader);
        }
    }

    fn get(&self) -> Option<Arc<dyn RemoteStateReader>> {
        self.0.read().ok().and_then(|r| r.clone())
    }
}

/// The checks `terraform_remote_state` needs beyond its table.
pub fn validate(config: &Value) -> Vec<ArgProblem> {
    let cfg = match DATA.normalize(config) {
        Ok(c) => c,
        Err(p) => return p,
    };
    let mut out = Vec::new();
    if let Some(b) = text(&cfg, "backend")
        && !BACKENDS.contains(&b.as_str())
    {
        out.push(problem("backend", "Invalid backend configuration", format!("drinfra reads remote state from its own backends only (local, pg, azurerm), not {b:?}.")));
    }
    for k in ["config", "defaults"] {
        if let Some(v) = cfg.get(k)
            && !v.is_null()
            && v.is_wholly_known()
            && v.unmark().0.as_mapping().is_none()
        {
            out.push(problem(
                k,
                "Incorrect attribute value type",
                format!("Inappropriate value for attribute {k:?}: object required."),
            ));
        }
    }
    out
}

/// The data source's value: its arguments with `outputs` from the state,
/// over `defaults`; sensitive outputs stay sensitive.
fn read(
    reader: &dyn RemoteStateReader,
    mut cfg: BTreeMap<String, Value>,
) -> Result<Value, ProviderError> {
    let backend = text(&cfg, "backend").unwrap_or_default();
    let mut args = BTreeMap::new();
    if let Some(m) = cfg
        .get("config")
        .and_then(|v| v.unmark().0.as_mapping().cloned())
    {
        for (k, v) in m {
            let s = match v.into_unmarked().0 {
                Value::String(s) => s,
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => crate::lang::value::format_number(n),
                Value::Null => continue,
                other => {
                    return Err(ProviderError::Invalid(format!(
                        "config.{k}: a {} cannot configure a backend (strings, numbers and bools only)",
                        other.kind_name()
                    )));
                }
            };
            args.insert(k, s);
        }
    }
    let workspace = text(&cfg, "workspace").unwrap_or_else(|| "default".into());
    let found = reader
        .outputs(&backend, &args, &workspace)
        .map_err(|e| ProviderError::Invalid(format!("Unable to load remote state: {e}")))?
        .ok_or_else(|| {
            ProviderError::Invalid("Unable to find remote state: No stored state was found for the given workspace in the given backend.".into())
        })?;
    let mut outputs = cfg
        .get("defaults")
        .and_then(|v| v.unmark().0.as_mapping().cloned())
        .unwrap_or_default();
    for (k, (v, sensitive)) in found {
        outputs.insert(k, Value::from_json(&v).mark_if(sensitive));
    }
    cfg.insert("outputs".into(), Value::Object(outputs));
    cfg.entry("workspace".into())
        .or_insert(Value::String(workspace));
    Ok(Value::Object(cfg))
}

/// `terraform_data` and `terraform_remote_state` under one provider.
pub struct BuiltinTerraform {
    pub remote: Arc<RemoteSlot>,
}

impl Provider for BuiltinTerraform {
    fn name(&self) -> &'static str {
        TerraformData.name()
    }
    fn handles(&self, ty: &str) -> bool {
        ty == REMOTE_STATE || TerraformData.handles(ty)
    }
    fn facts(&self) -> &'static dyn TypeFacts {
        &TerraformData
    }
    fn schema(&self, ty: &str) -> Option<ResourceSchema> {
        if ty == REMOTE_STATE {
            Some(DATA.schema())
        } else {
            TerraformData.schema(ty)
        }
    }
    fn validate(&self, ty: &str, config: &Value) -> Vec<ArgProblem> {
        if ty == REMOTE_STATE {
            validate(config)
        } else {
            TerraformData.validate(ty, config)
        }
    }
    fn plan(
        &self,
        ty: &str,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<Planned, ProviderError> {
        TerraformData.plan(ty, prior, config)
    }
    fn import_stub(&self, ty: &str, id: &str) -> Value {
        TerraformData.import_stub(ty, id)
    }
    fn read<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Option<Value>, ProviderError>> {
        TerraformData.read(ty, current)
    }
    fn create<'a>(
        &'a self,
        ty: &'a str,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        TerraformData.create(ty, planned)
    }
    fn update<'a>(
        &'a self,
        ty: &'a str,
        prior: &'a Value,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        TerraformData.update(ty, prior, planned)
    }
    fn delete<'a>(
        &'a self,
        ty: &'a str,
        prior: &'a Value,
    ) -> BoxFut<'a, Result<(), ProviderError>> {
        TerraformData.delete(ty, prior)
    }
    fn read_data<'a>(
        &'a self,
        ty: &'a str,
        config: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            if ty != REMOTE_STATE {
                return Err(ProviderError::Invalid(format!(
                    "{} has no data source {ty:?}",
                    self.name()
                )));
            }
            let problems = validate(config);
            if !problems.is_empty() {
                return Err(ProviderError::Invalid(
                    problems
                        .iter()
                        .map(|p| p.detail.clone())
                        .collect::<Vec<_>>()
                        .join("; "),
                ));
            }
            let cfg = DATA
                .normalize(config)
                .map_err(|p| ProviderError::Invalid(format!("{p:?}")))?;
            let reader = self.remote.get().ok_or_else(|| {
                ProviderError::Invalid("terraform_remote_state cannot be read here: no state backends are available to this command".into())
            })?;
            // Backends block (PostgreSQL, Azure Storage clients run their
            // own runtimes), so off the async workers.
            tokio::task::spawn_blocking(move || read(reader.as_ref(), cfg))
                .await
                .map_err(|e| ProviderError::Invalid(e.to_string()))?
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;
    impl RemoteStateReader for Fixed {
        fn outputs(
            &self,
            _b: &str,
            c: &BTreeMap<String, String>,
            _w: &str,
        ) -> Result<Option<Outputs>, String> {
            assert_eq!(c.get("path").map(String::as_str), Some("x"));
            Ok(Some(
                [
                    ("a".to_string(), (serde_json::json!(1), false)),
                    ("s".to_string(), (serde_json::json!("p"), true)),
                ]
                .into(),
            ))
        }
    }

    #[test]
    fn outputs_override_defaults_and_keep_sensitivity() {
        let cfg: BTreeMap<String, Value> = [
            ("backend".to_string(), Value::String("local".into())),
            (
                "config".to_string(),
                Value::Object([("path".to_string(), Value::String("x".into()))].into()),
            ),
            (
                "defaults".to_string(),
                Value::Object(
                    [
                        ("a".to_string(), Value::Number(0.0)),
                        ("b".to_string(), Value::Number(2.0)),
                    ]
                    .into(),
                ),
            ),
        ]
        .into();
        let v = read(&Fixed, cfg).unwrap();
        let out = v.as_mapping().unwrap()["outputs"]
            .as_mapping()
            .unwrap()
            .clone();
        assert_eq!(out["a"], Value::Number(1.0));
        assert_eq!(out["b"], Value::Number(2.0));
        assert!(out["s"].is_sensitive_anywhere());
        let bad = Value::Object([("backend".to_string(), Value::String("s3".into()))].into());
        assert_eq!(validate(&bad)[0].argument.as_deref(), Some("backend"));
    }
}

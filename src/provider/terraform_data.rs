//! `terraform_data`, Terraform's built-in resource: it stores `input`,
//! echoes it as `output` after apply, and is replaced when
//! `triggers_replace` changes.

use std::collections::BTreeMap;

use super::{ArgProblem, AttrSchema, BoxFut, Planned, Provider, ProviderError, ResourceSchema};
use crate::lang::{Type, Value};

pub struct TerraformData;

const TYPE: &str = "terraform_data";

fn attrs(v: &Value) -> BTreeMap<String, Value> {
    v.as_mapping().cloned().unwrap_or_default()
}

fn get(m: &BTreeMap<String, Value>, k: &str) -> Value {
    m.get(k).cloned().unwrap_or(Value::Null)
}

impl Provider for TerraformData {
    fn facts(&self) -> &'static dyn super::TypeFacts {
        &TerraformData
    }

    fn name(&self) -> &'static str {
        "terraform.io/builtin/terraform"
    }

    fn handles(&self, ty: &str) -> bool {
        ty == TYPE
    }

    fn schema(&self, _ty: &str) -> Option<ResourceSchema> {
        let mut attrs = BTreeMap::new();
        attrs.insert(
            "id",
            AttrSchema {
                computed: true,
                ..AttrSchema::default()
            },
        );
        attrs.insert(
            "input",
            AttrSchema {
                optional: true,
                ..AttrSchema::default()
            },
        );
        attrs.insert(
            "output",
            AttrSchema {
                computed: true,
                ..AttrSchema::default()
            },
        );
        attrs.insert(
            "triggers_replace",
            AttrSchema {
                optional: true,
                force_new: true,
                ..AttrSchema::default()
            },
        );
        Some(ResourceSchema { attrs })
    }

    fn validate(&self, _ty: &str, config: &Value) -> Vec<ArgProblem> {
        attrs(config)
            .keys()
            .filter(|k| !matches!(k.as_str(), "input" | "triggers_replace"))
            .map(|k| ArgProblem {
                argument: Some(k.clone()),
                summary: "Unsupported argument".into(),
                detail: format!("An argument named {k:?} is not expected here: terraform_data takes input and triggers_replace."),
            })
            .collect()
    }

    fn plan(
        &self,
        _ty: &str,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<Planned, ProviderError> {
        let cfg = attrs(config);
        let input = get(&cfg, "input");
        let triggers = get(&cfg, "triggers_replace");
        let fresh = |replace_paths| Planned {
            notes: vec![],
            value: Value::Object(BTreeMap::from([
                ("id".to_string(), Value::Unknown(Type::String)),
                ("input".to_string(), input.clone()),
                (
                    "output".to_string(),
                    if input.is_null() {
                        Value::Null
                    } else {
                        Value::unknown()
                    },
                ),
                ("triggers_replace".to_string(), triggers.clone()),
            ])),
            replace_paths,
        };
        let Some(prior) = prior else {
            return Ok(fresh(vec![]));
        };
        let old = attrs(prior);
        if !same(&get(&old, "triggers_replace"), &triggers) {
            return Ok(fresh(vec![vec!["triggers_replace".into()]]));
        }
        let mut next = old.clone();
        if !same(&get(&old, "input"), &input) {
            next.insert("input".into(), input.clone());
            next.insert(
                "output".into(),
                if input.is_null() {
                    Value::Null
                } else {
                    Value::unknown()
                },
            );
        }
        next.insert("triggers_replace".into(), triggers);
        Ok(Planned {
            value: Value::Object(next),
            replace_paths: vec![],
            notes: vec![],
        })
    }

    /// Terraform imports `terraform_data` as its id with every other
    /// attribute null, so an import of a configuration without `input`
    /// plans no change.
    fn import_stub(&self, _ty: &str, id: &str) -> Value {
        Value::Object(BTreeMap::from([
            ("id".to_string(), Value::String(id.to_string())),
            ("input".to_string(), Value::Null),
            ("output".to_string(), Value::Null),
            ("triggers_replace".to_string(), Value::Null),
        ]))
    }

    fn read<'a>(
        &'a self,
        _ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move { Ok(Some(current.clone())) })
    }

    fn create<'a>(
        &'a self,
        _ty: &'a str,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            test_delay().await;
            let mut m = attrs(planned);
            m.insert(
                "id".into(),
                Value::String(
                    crate::random::uuid_v4().map_err(|e| ProviderError::Invalid(e.to_string()))?,
                ),
            );
            let input = get(&m, "input");
            m.insert("output".into(), input);
            Ok(Value::Object(m))
        })
    }

    fn update<'a>(
        &'a self,
        _ty: &'a str,
        _prior: &'a Value,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            let mut m = attrs(planned);
            let input = get(&m, "input");
            m.insert("output".into(), input);
            Ok(Value::Object(m))
        })
    }

    fn delete<'a>(
        &'a self,
        _ty: &'a str,
        _prior: &'a Value,
    ) -> BoxFut<'a, Result<(), ProviderError>> {
        Box::pin(async { Ok(()) })
    }
}

/// `DRINFRA_TEST_STEP_DELAY_MS` slows every create, so crash tests can
/// kill an apply part-way through. Unset, it costs nothing.
async fn test_delay() {
    static DELAY: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    let d = DELAY.get_or_init(|| {
        std::env::var("DRINFRA_TEST_STEP_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
    });
    if let Some(ms) = d {
        tokio::time::sleep(std::time::Duration::from_millis(*ms)).await;
    }
}

impl super::facts::TypeFacts for TerraformData {
    fn mark_sensitive(&self, _ty: &str, value: Value) -> Value {
        mark_sensitive(value)
    }
}

/// `output` echoes `input`, so whatever part of `input` is sensitive is
/// sensitive in `output` too (also for objects recorded before drinfra
/// marked it).
pub fn mark_sensitive(value: Value) -> Value {
    let Value::Object(mut m) = value else {
        return value;
    };
    let paths = super::marks::paths(m.get("input").unwrap_or(&Value::Null));
    if !paths.is_empty()
        && let Some(out) = m.remove("output")
    {
        m.insert(
            "output".into(),
            if out.is_null() || out.is_unknown() {
                out
            } else {
                super::marks::apply(out, &paths)
            },
        );
    }
    Value::Object(m)
}

/// Equality that ignores the list/tuple and map/object distinction, since
/// state round-trips through JSON.
pub fn same(a: &Value, b: &Value) -> bool {
    a.unmark().0.to_json() == b.unmark().0.to_json() && a.is_wholly_known() && b.is_wholly_known()
}

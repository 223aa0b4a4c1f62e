//! `drinfra_kubernetes_replicas`: its arguments, their checks and the
//! plan of a change.
//!
//! ```hcl
//! resource "drinfra_kubernetes_replicas" "gateway" {
//!   cluster_id    = azurerm_kubernetes_cluster.aks.id
//!   namespace     = "platform"          # default "default"
//!   deployment    = "gateway"
//!   replicas      = 3
//!   ready_timeout = "10m"               # default "10m"
//!   image         = "example/gateway:1" # optional: creates a missing deployment
//! }
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use crate::lang::{Type, Value};
use crate::provider::{ArgProblem, AttrSchema, Planned, ProviderError, ResourceSchema};

pub const TYPE: &str = "drinfra_kubernetes_replicas";
const DEFAULT_NAMESPACE: &str = "default";
const DEFAULT_READY_TIMEOUT: &str = "10m";
/// Changing these points the declaration at another deployment.
const IDENTITY: [&str; 3] = ["cluster_id", "namespace", "deployment"];

pub fn schema() -> ResourceSchema {
    let arg = |required: bool, force_new: bool| AttrSchema {
        required,
        optional: !required,
        force_new,
        ..AttrSchema::default()
    };
    let mut attrs = BTreeMap::new();
    attrs.insert(
        "id",
        AttrSchema {
            computed: true,
            ..AttrSchema::default()
        },
    );
    attrs.insert("cluster_id", arg(true, true));
    attrs.insert("namespace", arg(false, true));
    attrs.insert("deployment", arg(true, true));
    attrs.insert("replicas", arg(true, false));
    attrs.insert("ready_timeout", arg(false, false));
    attrs.insert("image", arg(false, false));
    ResourceSchema { attrs }
}

fn attrs(v: &Value) -> BTreeMap<String, Value> {
    v.unmark().0.as_mapping().cloned().unwrap_or_default()
}

fn known<'a>(m: &'a BTreeMap<String, Value>, k: &str) -> Option<&'a Value> {
    m.get(k)
        .map(|v| v.unmark().0)
        .filter(|v| !v.is_null() && v.is_wholly_known())
}

fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn problem(argument: &str, summary: &str, detail: String) -> ArgProblem {
    ArgProblem {
        argument: Some(argument.to_string()),
        summary: summary.to_string(),
        detail,
    }
}

/// A Kubernetes object name: lower-case letters, digits and `-` (and `.`
/// where `dots`), starting and ending with a letter or digit.
fn valid_name(s: &str, max: usize, dots: bool) -> bool {
    let edge = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    !s.is_empty()
        && s.len() <= max
        && s.starts_with(edge)
        && s.ends_with(edge)
        && s.chars().all(|c| edge(c) || c == '-' || (dots && c == '.'))
}

/// The configuration's problems, each at its argument.
pub fn validate(config: &Value) -> Vec<ArgProblem> {
    let m = attrs(config);
    let mut out = Vec::new();
    for k in m.keys() {
        if !schema()
            .attrs
            .get(k.as_str())
            .is_some_and(|a| !a.computed || a.optional)
        {
            out.push(problem(
                k,
                "Unsupported argument",
                format!("An argument named {k:?} is not expected here: {TYPE} takes cluster_id, namespace, deployment, replicas, ready_timeout and image."),
            ));
        }
    }
    for k in ["cluster_id", "deployment", "replicas"] {
        if m.get(k).is_none_or(|v| v.unmark().0.is_null()) {
            out.push(ArgProblem {
                argument: None,
                summary: "Missing required argument".into(),
                detail: format!("The argument {k:?} is required, but no definition was found."),
            });
        }
    }
    let string = |k: &str| known(&m, k).and_then(str_of);
    if let Some(v) = known(&m, "replicas") {
        match v {
            Value::Number(n) if *n >= 0.0 && n.fract() == 0.0 && *n <= i32::MAX as f64 => {}
            Value::Number(n) => out.push(problem(
                "replicas",
                "Invalid replica count",
                format!("replicas must be a whole number of at least 0 (a deployment's spec.replicas); got {n}."),
            )),
            _ => out.push(problem(
                "replicas",
                "Incorrect attribute value type",
                "replicas must be a number.".into(),
            )),
        }
    }
    if let Some(id) = string("cluster_id")
        && !id
            .to_ascii_lowercase()
            .contains("/providers/microsoft.containerservice/managedclusters/")
    {
        out.push(problem(
            "cluster_id",
            "Invalid cluster_id",
            format!("cluster_id must be the id of a managed cluster (azurerm_kubernetes_cluster.NAME.id, \".../providers/Microsoft.ContainerService/managedClusters/NAME\"); got {id:?}."),
        ));
    }
    if let Some(ns) = string("namespace")
        && !valid_name(&ns, 63, false)
    {
        out.push(problem(
            "namespace",
            "Invalid namespace",
            format!("{ns:?} is not a Kubernetes namespace name: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit."),
        ));
    }
    if let Some(d) = string("deployment")
        && !valid_name(&d, 253, true)
    {
        out.push(problem(
            "deployment",
            "Invalid deployment name",
            format!("{d:?} is not a Kubernetes object name: at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit."),
        ));
    }
    if let Some(t) = string("ready_timeout")
        && crate::timefmt::parse_duration(&t).is_none_or(|d| d.is_zero())
    {
        out.push(problem(
            "ready_timeout",
            "Invalid ready_timeout",
            format!(
                "ready_timeout must be a duration such as \"300s\", \"10m\" or \"1h\"; got {t:?}."
            ),
        ));
    }
    if string("image").is_some_and(|i| i.trim().is_empty()) {
        out.push(problem(
            "image",
            "Invalid image",
            "image must not be empty.".into(),
        ));
    }
    out
}

/// The planned object for `config`, from `prior` (None: create).
pub fn plan(prior: Option<&Value>, config: &Value) -> Result<Planned, ProviderError> {
    let problems = validate(config);
    if let Some(p) = problems.first() {
        return Err(ProviderError::Invalid(format!(
            "{}: {}",
            p.summary, p.detail
        )));
    }
    let cfg = attrs(config);
    let mut next: BTreeMap<String, Value> = BTreeMap::new();
    for k in ["cluster_id", "deployment", "replicas", "image"] {
        next.insert(k.into(), cfg.get(k).cloned().unwrap_or(Value::Null));
    }
    let or = |k: &str, d: &str| match cfg.get(k) {
        Some(v) if !v.unmark().0.is_null() => v.clone(),
        _ => Value::string(d),
    };
    next.insert("namespace".into(), or("namespace", DEFAULT_NAMESPACE));
    next.insert(
        "ready_timeout".into(),
        or("ready_timeout", DEFAULT_READY_TIMEOUT),
    );
    let wait = format!(
        "waits up to {} for the deployment's replicas to be ready",
        str_of(next["ready_timeout"].unmark().0)
            .as_deref()
            .unwrap_or(DEFAULT_READY_TIMEOUT)
    );
    let Some(prior) = prior else {
        next.insert("id".into(), Value::Unknown(Type::String));
        return Ok(Planned {
            value: Value::Object(next),
            replace_paths: vec![],
            notes: vec![wait],
        });
    };
    let old = attrs(prior);
    let replace_paths: Vec<Vec<String>> = IDENTITY
        .iter()
        .filter(|k| {
            let (a, b) = (old.get(**k), next.get(**k));
            match (a, b) {
                (Some(a), Some(b)) => !crate::provider::terraform_data::same(a, b),
                _ => true,
            }
        })
        .map(|k| vec![k.to_string()])
        .collect();
    let changes_replicas = !crate::provider::terraform_data::same(
        old.get("replicas").unwrap_or(&Value::Null),
        &next["replicas"],
    );
    next.insert(
        "id".into(),
        if replace_paths.is_empty() {
            old.get("id")
                .cloned()
                .unwrap_or(Value::Unknown(Type::String))
        } else {
            Value::Unknown(Type::String)
        },
    );
    Ok(Planned {
        value: Value::Object(next),
        replace_paths,
        notes: if changes_replicas { vec![wait] } else { vec![] },
    })
}

/// The recorded `replicas` of an object, if known.
pub fn replicas_of(v: &Value) -> Option<f64> {
    match known(&attrs(v), "replicas") {
        Some(Value::Number(n)) => Some(*n),
        _ => None,
    }
}

/// `current` with the replica count the cluster reports.
pub fn with_replicas(current: &Value, replicas: u64) -> Value {
    let mut m = attrs(current);
    m.insert("replicas".into(), Value::Number(replicas as f64));
    Value::Object(m)
}

/// The object once created: `planned` with its id.
pub fn created(planned: &Value, w: &Workload) -> Value {
    let mut m = attrs(planned);
    m.insert("id".into(), Value::string(w.id()));
    Value::Object(m)
}

/// One declaration's known values, for the client.
#[derive(Debug, Clone)]
pub struct Workload {
    pub cluster_id: String,
    pub namespace: String,
    pub deployment: String,
    pub replicas: u64,
    pub ready_timeout: Duration,
    pub image: Option<String>,
}

impl Workload {
    pub fn of(v: &Value) -> Result<Workload, ProviderError> {
        let m = attrs(v);
        let s = |k: &str| known(&m, k).and_then(str_of);
        let missing = |k: &str| ProviderError::Invalid(format!("{TYPE}: {k} is not known"));
        let replicas = match known(&m, "replicas") {
            Some(Value::Number(n)) if *n >= 0.0 && n.fract() == 0.0 => *n as u64,
            _ => return Err(missing("replicas")),
        };
        Ok(Workload {
            cluster_id: s("cluster_id").ok_or_else(|| missing("cluster_id"))?,
            namespace: s("namespace").unwrap_or_else(|| DEFAULT_NAMESPACE.into()),
            deployment: s("deployment").ok_or_else(|| missing("deployment"))?,
            replicas,
            ready_timeout: s("ready_timeout")
                .and_then(|t| crate::timefmt::parse_duration(&t))
                .unwrap_or(Duration::from_secs(600)),
            image: s("image"),
        })
    }

    /// The object's id: the deployment under its cluster's ARM id.
    pub fn id(&self) -> String {
        format!(
            "{}/namespaces/{}/deployments/{}",
            self.cluster_id, self.namespace, self.deployment
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    const CLUSTER: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks";

    #[test]
    fn a_negative_count_is_refused_at_replicas() {
        let c = config(&[
            ("cluster_id", Value::string(CLUSTER)),
            ("deployment", Value::string("gateway")),
            ("replicas", Value::Number(-1.0)),
        ]);
        let p = validate(&c);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].argument.as_deref(), Some("replicas"));
        assert!(p[0].detail.contains("at least 0"), "{p:?}");
        assert!(plan(None, &c).is_err());
    }

    #[test]
    fn names_timeouts_and_unknowns() {
        let c = config(&[
            ("cluster_id", Value::string("/subscriptions/s/x")),
            ("deployment", Value::string("Gateway")),
            ("replicas", Value::Unknown(Type::Number)),
            ("ready_timeout", Value::string("soon")),
            ("bogus", Value::Bool(true)),
        ]);
        let args: Vec<_> = validate(&c)
            .into_iter()
            .filter_map(|p| p.argument)
            .collect();
        assert_eq!(
            args,
            ["bogus", "cluster_id", "deployment", "ready_timeout"],
            "an unknown count is not judged"
        );
    }

    #[test]
    fn plans_replicas_in_place_and_a_new_deployment_as_replacement() {
        let c = |n: f64, d: &str| {
            config(&[
                ("cluster_id", Value::string(CLUSTER)),
                ("deployment", Value::string(d)),
                ("replicas", Value::Number(n)),
            ])
        };
        let created = plan(None, &c(1.0, "agent")).unwrap().value;
        assert_eq!(attrs(&created)["namespace"], Value::string("default"));
        let mut prior = attrs(&created);
        prior.insert("id".into(), Value::string("x"));
        let prior = Value::Object(prior);
        let up = plan(Some(&prior), &c(5.0, "agent")).unwrap();
        assert!(up.replace_paths.is_empty());
        assert_eq!(attrs(&up.value)["id"], Value::string("x"));
        use crate::provider::TypeFacts;
        let facts = &crate::provider::kubernetes::FACTS;
        assert!(!facts.scales_down(TYPE, Some(&prior), Some(&up.value)));
        assert!(facts.scales_down(TYPE, Some(&up.value), Some(&prior)));
        let moved = plan(Some(&prior), &c(1.0, "persona")).unwrap();
        assert_eq!(moved.replace_paths, vec![vec!["deployment".to_string()]]);
    }
}

//! Microsoft's AzAPI provider (`Azure/azapi`) over the Azure provider's
//! ARM client: any ARM type, declared by `type = "Microsoft.X/y@version"`.
//! `azapi_resource` (create, read, update, delete), `azapi_update_resource`
//! (a PUT of the merged body onto an object managed elsewhere),
//! `azapi_resource_action` (a POST, or another method, on a resource) and
//! the `azapi_resource` data source, with azapi's argument names.
//! `id.rs` builds ARM ids from `type`, `name` and `parent_id`; `body.rs`
//! the JSON shaping (drift projection, exported values).

use std::collections::BTreeMap;
use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value as J, json};

use super::azure::AzureProvider;
use super::azure::error::err;
use super::{ArgProblem, AttrSchema, BoxFut, Planned, Provider, ProviderError, ResourceSchema};
use crate::lang::{Type, Value};

mod body;
mod id;

pub const PROVIDER_NAME: &str = "registry.terraform.io/azure/azapi";

type Attrs = BTreeMap<String, Value>;

/// Arguments each type takes: (name, required, forces replacement).
const RESOURCE: &[(&str, bool, bool)] = &[
    ("type", true, true),
    ("name", true, true),
    ("parent_id", false, true),
    ("location", false, true),
    ("body", false, false),
    ("identity", false, false),
    ("tags", false, false),
    ("response_export_values", false, false),
    ("schema_validation_enabled", false, false),
    ("ignore_casing", false, false),
    ("ignore_missing_property", false, false),
    ("locks", false, false),
];
const UPDATE: &[(&str, bool, bool)] = &[
    ("type", true, true),
    ("name", false, true),
    ("parent_id", false, true),
    ("resource_id", false, true),
    ("body", false, false),
    ("response_export_values", false, false),
    ("ignore_casing", false, false),
    ("ignore_missing_property", false, false),
    ("locks", false, false),
];
const ACTION: &[(&str, bool, bool)] = &[
    ("type", true, false),
    ("resource_id", true, false),
    ("action", false, false),
    ("method", false, false),
    ("body", false, false),
    ("response_export_values", false, false),
    ("when", false, false),
    ("locks", false, false),
];
const DATA: &[(&str, bool, bool)] = &[
    ("type", true, false),
    ("name", false, false),
    ("parent_id", false, false),
    ("resource_id", false, false),
    ("response_export_values", false, false),
];

fn args_of(ty: &str) -> Option<&'static [(&'static str, bool, bool)]> {
    match ty {
        "azapi_resource" => Some(RESOURCE),
        "azapi_update_resource" => Some(UPDATE),
        "azapi_resource_action" => Some(ACTION),
        _ => None,
    }
}

/// Whether drinfra manages (resource) or reads (data source) this azapi type.
pub fn handles(data: bool, ty: &str) -> bool {
    if data {
        ty == "azapi_resource"
    } else {
        args_of(ty).is_some()
    }
}

fn attrs(v: &Value) -> Attrs {
    v.unmark().0.as_mapping().cloned().unwrap_or_default()
}

fn text(a: &Attrs, k: &str) -> Option<String> {
    match a.get(k).map(|v| v.unmark().0) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

fn flag(a: &Attrs, k: &str) -> bool {
    matches!(a.get(k).map(|v| v.unmark().0), Some(Value::Bool(true)))
}

/// Checks arguments against a table (and `type`'s form).
fn check(table: &[(&str, bool, bool)], ty: &str, cfg: &Attrs) -> Vec<ArgProblem> {
    let mut out = vec![];
    for k in cfg.keys() {
        if k != "timeouts" && !table.iter().any(|(n, ..)| n == k) {
            out.push(ArgProblem {
                argument: Some(k.clone()),
                summary: "Unsupported argument".into(),
                detail: format!("{ty} has no argument {k:?} that drinfra supports (it is not silently ignored): see docs/azapi.md."),
            });
        }
    }
    for (n, required, _) in table {
        if *required && cfg.get(*n).is_none_or(Value::is_null) {
            out.push(ArgProblem {
                argument: None,
                summary: "Missing required argument".into(),
                detail: format!("The argument {n:?} is required, but no definition was found."),
            });
        }
    }
    // azapi 2.x takes `body` as an HCL object only; a JSON string
    // (`jsonencode(...)`, azapi 1.x's form) is refused in its words.
    if matches!(
        cfg.get("body").map(|v| v.unmark().0),
        Some(Value::String(_))
    ) {
        out.push(ArgProblem {
            argument: Some("body".into()),
            summary: "Invalid Type".into(),
            detail: "The value must not be a string. From 2.0, the value only accepts an HCL object (write the object itself instead of jsonencode(...)); drinfra implements azapi 2.x.".into(),
        });
    }
    if let Some(t) = text(cfg, "type")
        && id::split_type(&t).is_none()
    {
        out.push(ArgProblem {
            argument: Some("type".into()),
            summary: "Invalid resource type".into(),
            detail: format!("{t:?} is not of the form \"Microsoft.Namespace/type@api-version\"."),
        });
    }
    out
}

/// Checks a data source's arguments (for `drinfra validate`).
pub fn validate_data(ty: &str, config: &Value) -> Vec<ArgProblem> {
    let cfg = attrs(config);
    let mut out = check(DATA, ty, &cfg);
    if cfg.get("resource_id").is_none_or(Value::is_null)
        && cfg.get("name").is_none_or(Value::is_null)
    {
        out.push(ArgProblem {
            argument: None,
            summary: "Missing required argument".into(),
            detail: "data \"azapi_resource\" needs resource_id, or name (with parent_id).".into(),
        });
    }
    out
}

/// Checks a resource's arguments (for `drinfra validate`).
pub fn validate_resource(ty: &str, config: &Value) -> Vec<ArgProblem> {
    match args_of(ty) {
        Some(table) => check(table, ty, &attrs(config)),
        None => vec![],
    }
}

pub struct AzapiProvider {
    azure: Arc<AzureProvider>,
}

impl AzapiProvider {
    /// azapi over the (default) azurerm provider's client and sign-in.
    pub fn new(azure: Arc<AzureProvider>) -> AzapiProvider {
        AzapiProvider { azure }
    }

    fn target(&self, cfg: &Attrs) -> Result<(String, String), ProviderError> {
        let ty = text(cfg, "type").unwrap_or_default();
        let (_, api) = id::split_type(&ty)
            .ok_or_else(|| ProviderError::Invalid(format!("invalid azapi type {ty:?}")))?;
        let id = match text(cfg, "resource_id") {
            Some(id) => id,
            None => id::build(
                &ty,
                text(cfg, "name").as_deref().unwrap_or_default(),
                text(cfg, "parent_id").as_deref(),
                &self.azure.subscription,
            )
            .map_err(ProviderError::Invalid)?,
        };
        Ok((id, api.to_string()))
    }

    /// The body sent for an `azapi_resource`: `body` with the envelope
    /// arguments (location, tags, identity) placed in it.
    fn put_body(cfg: &Attrs) -> J {
        let mut b = cfg
            .get("body")
            .map(|v| v.unmark().0.to_json())
            .filter(J::is_object)
            .unwrap_or(json!({}));
        if let Some(l) = text(cfg, "location") {
            b["location"] = json!(l);
        }
        if let Some(t) = cfg.get("tags").filter(|t| !t.is_null()) {
            b["tags"] = t.unmark().0.to_json();
        }
        if let Some(i) = cfg
            .get("identity")
            .and_then(|v| v.as_seq())
            .and_then(|s| s.first())
            .and_then(|b| b.as_mapping())
        {
            let mut ident = json!({"type": text(i, "type").unwrap_or_default()});
            if let Some(ids) = i.get("identity_ids").and_then(|v| v.as_seq()) {
                ident["userAssignedIdentities"] = J::Object(
                    ids.iter()
                        .map(|x| {
                            (
                                x.unmark()
                                    .0
                                    .to_json()
                                    .as_str()
                                    .unwrap_or_default()
                                    .to_string(),
                                json!({}),
                            )
                        })
                        .collect(),
                );
            }
            b["identity"] = ident;
        }
        b
    }

    /// State from the configuration and the cloud's answer.
    fn state(cfg: &Attrs, id: &str, remote: Option<&J>) -> Value {
        let mut out = cfg.clone();
        out.insert("id".into(), Value::String(id.to_string()));
        if let Some(r) = remote {
            // What the configuration's body names, as the cloud holds it:
            // a change made elsewhere shows as drift on those fields only.
            if let Some(b) = cfg.get("body").filter(|b| !b.is_null()) {
                let shape = b.unmark().0.to_json();
                out.insert(
                    "body".into(),
                    Value::from_json(&body::project(r, &shape, flag(cfg, "ignore_casing"))),
                );
            }
            if cfg.get("tags").is_some_and(|t| !t.is_null()) {
                out.insert("tags".into(), Value::from_json(&r["tags"]));
            }
        }
        out.insert(
            "output".into(),
            remote
                .map(|r| Value::from_json(&body::export(r, cfg.get("response_export_values"))))
                .unwrap_or(Value::Object(BTreeMap::new())),
        );
        Value::Object(out)
    }
}

impl Provider for AzapiProvider {
    fn name(&self) -> &'static str {
        PROVIDER_NAME
    }

    /// The same cloud as the azurerm configuration it goes through.
    fn describe(&self) -> String {
        self.azure.describe()
    }

    fn handles(&self, ty: &str) -> bool {
        handles(false, ty)
    }

    fn schema(&self, ty: &str) -> Option<ResourceSchema> {
        let table = args_of(ty)?;
        let mut attrs = BTreeMap::new();
        for (n, required, force_new) in table {
            attrs.insert(
                *n,
                AttrSchema {
                    required: *required,
                    optional: !*required,
                    computed: false,
                    force_new: *force_new,
                    sensitive: false,
                },
            );
        }
        for n in ["id", "output"] {
            attrs.insert(
                n,
                AttrSchema {
                    computed: true,
                    ..AttrSchema::default()
                },
            );
        }
        Some(ResourceSchema { attrs })
    }

    fn validate(&self, ty: &str, config: &Value) -> Vec<ArgProblem> {
        validate_resource(ty, config)
    }

    fn plan(
        &self,
        ty: &str,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<Planned, ProviderError> {
        let table = args_of(ty).ok_or_else(|| ProviderError::UnknownType(ty.into()))?;
        let cfg = attrs(config);
        let mut after = cfg.clone();
        let id = if ty == "azapi_resource_action" {
            // An action is an event: its id is the resource it acts on.
            text(&cfg, "resource_id").map(Value::String)
        } else {
            self.target(&cfg).ok().map(|(id, _)| Value::String(id))
        };
        after.insert("id".into(), id.unwrap_or(Value::Unknown(Type::String)));
        let Some(prior) = prior else {
            after.insert("output".into(), Value::Unknown(Type::Dynamic));
            return Ok(Planned {
                value: Value::Object(after),
                replace_paths: vec![],
                notes: vec![],
            });
        };
        let old = attrs(prior);
        let mut replace = vec![];
        let mut changed = false;
        for (n, _, force_new) in table {
            let want = cfg.get(*n).cloned().unwrap_or(Value::Null);
            let have = old.get(*n).cloned().unwrap_or(Value::Null);
            if want.unmark().0.to_json() != have.unmark().0.to_json() {
                changed = true;
                if *force_new {
                    replace.push(vec![n.to_string()]);
                }
            }
        }
        after.insert(
            "output".into(),
            if changed {
                Value::Unknown(Type::Dynamic)
            } else {
                old.get("output").cloned().unwrap_or(Value::Null)
            },
        );
        if let Some(id) = old.get("id").filter(|_| replace.is_empty()) {
            after.insert("id".into(), id.clone());
        }
        Ok(Planned {
            value: Value::Object(after),
            replace_paths: replace,
            notes: if ty == "azapi_update_resource" && changed {
                vec!["azapi_update_resource reads the object, merges this body into it and writes it back; deleting this resource leaves the object as it is".into()]
            } else {
                vec![]
            },
        })
    }

    fn read<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let cfg = attrs(current);
            if ty == "azapi_resource_action" {
                return Ok(Some(current.clone()));
            }
            let (built, api) = self.target(&cfg)?;
            let id = text(&cfg, "id").unwrap_or(built);
            let got = self.azure.client.get(&id, &api).await.map_err(err)?;
            Ok(got.map(|r| Self::state(&cfg, &id, Some(&r))))
        })
    }

    fn create<'a>(
        &'a self,
        ty: &'a str,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            let cfg = attrs(planned);
            let (id, api) = self.target(&cfg)?;
            let client = &self.azure.client;
            match ty {
                "azapi_resource" => {
                    if client.get(&id, &api).await.map_err(err)?.is_some() {
                        return Err(ProviderError::AlreadyExists { ty: ty.into(), id });
                    }
                    let got = client
                        .write(Method::PUT, &id, &api, &Self::put_body(&cfg))
                        .await
                        .map_err(err)?;
                    Ok(Self::state(&cfg, &id, Some(&got)))
                }
                "azapi_update_resource" => {
                    let mut current =
                        client.get(&id, &api).await.map_err(err)?.ok_or_else(|| {
                            ProviderError::Invalid(format!(
                                "azapi_update_resource: {id} does not exist"
                            ))
                        })?;
                    if let Some(p) = current.get_mut("properties").and_then(J::as_object_mut) {
                        p.remove("provisioningState");
                    }
                    let patch = cfg
                        .get("body")
                        .map(|b| b.unmark().0.to_json())
                        .unwrap_or(J::Null);
                    body::merge(&mut current, &patch);
                    let got = client
                        .write(Method::PUT, &id, &api, &current)
                        .await
                        .map_err(err)?;
                    Ok(Self::state(&cfg, &id, Some(&got)))
                }
                _ => self.act(&cfg, &id, &api).await,
            }
        })
    }

    fn update<'a>(
        &'a self,
        ty: &'a str,
        _prior: &'a Value,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            let cfg = attrs(planned);
            let (id, api) = self.target(&cfg)?;
            match ty {
                "azapi_resource" => {
                    let got = self
                        .azure
                        .client
                        .write(Method::PUT, &id, &api, &Self::put_body(&cfg))
                        .await
                        .map_err(err)?;
                    Ok(Self::state(&cfg, &id, Some(&got)))
                }
                // An update resource or an action is applied again.
                _ => self.create(ty, planned).await,
            }
        })
    }

    fn delete<'a>(
        &'a self,
        ty: &'a str,
        prior: &'a Value,
    ) -> BoxFut<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let cfg = attrs(prior);
            match ty {
                "azapi_resource" => {
                    let (built, api) = self.target(&cfg)?;
                    let id = text(&cfg, "id").unwrap_or(built);
                    self.azure.client.delete(&id, &api).await.map_err(err)
                }
                "azapi_resource_action" if text(&cfg, "when").as_deref() == Some("destroy") => {
                    let (id, api) = self.target(&cfg)?;
                    self.act(&cfg, &id, &api).await.map(|_| ())
                }
                // azapi forgets an update resource and an apply-time action.
                _ => Ok(()),
            }
        })
    }

    fn read_data<'a>(
        &'a self,
        ty: &'a str,
        config: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            if ty != "azapi_resource" {
                return Err(ProviderError::UnknownType(ty.into()));
            }
            let cfg = attrs(config);
            let (id, api) = self.target(&cfg)?;
            let got = self
                .azure
                .client
                .get(&id, &api)
                .await
                .map_err(err)?
                .ok_or_else(|| ProviderError::Api {
                    code: "ResourceNotFound".into(),
                    message: format!("data \"azapi_resource\": {id} does not exist"),
                    retryable: false,
                    kind: crate::provider::ErrorKind::NotFound,
                })?;
            let mut out = cfg.clone();
            out.insert("id".into(), Value::String(id.clone()));
            out.insert(
                "name".into(),
                Value::String(id.rsplit('/').next().unwrap_or_default().to_string()),
            );
            for (k, path) in [
                ("location", "location"),
                ("tags", "tags"),
                ("identity", "identity"),
            ] {
                out.insert(k.into(), Value::from_json(&got[path]));
            }
            out.insert(
                "output".into(),
                Value::from_json(&body::export(&got, cfg.get("response_export_values"))),
            );
            Ok(Value::Object(out))
        })
    }
}

impl AzapiProvider {
    /// `azapi_resource_action`: the method (POST unless told) on the
    /// resource or its `action` path.
    async fn act(&self, cfg: &Attrs, id: &str, api: &str) -> Result<Value, ProviderError> {
        let method = text(cfg, "method").unwrap_or_else(|| "POST".into());
        let payload = cfg
            .get("body")
            .map(|b| b.unmark().0.to_json())
            .unwrap_or(json!({}));
        let action = text(cfg, "action").unwrap_or_default();
        let client = &self.azure.client;
        let got = match method.to_ascii_uppercase().as_str() {
            "POST" => {
                // With no action, the POST goes to the resource itself.
                let (target, act) = match action.as_str() {
                    "" => id.rsplit_once('/').unwrap_or((id, "")),
                    a => (id, a),
                };
                client
                    .action(target, act, api, "", &payload)
                    .await
                    .map_err(err)?
                    .unwrap_or(J::Null)
            }
            "GET" => {
                let path = if action.is_empty() {
                    id.to_string()
                } else {
                    format!("{id}/{action}")
                };
                client
                    .get(&path, api)
                    .await
                    .map_err(err)?
                    .unwrap_or(J::Null)
            }
            m @ ("PUT" | "PATCH") => {
                let path = if action.is_empty() {
                    id.to_string()
                } else {
                    format!("{id}/{action}")
                };
                let m = if m == "PUT" {
                    Method::PUT
                } else {
                    Method::PATCH
                };
                client.write(m, &path, api, &payload).await.map_err(err)?
            }
            "DELETE" => {
                let path = if action.is_empty() {
                    id.to_string()
                } else {
                    format!("{id}/{action}")
                };
                client.delete(&path, api).await.map_err(err)?;
                J::Null
            }
            other => {
                return Err(ProviderError::Invalid(format!(
                    "azapi_resource_action: method {other:?} is not one of POST, GET, PUT, PATCH, DELETE"
                )));
            }
        };
        let mut out = cfg.clone();
        out.insert("id".into(), Value::String(id.to_string()));
        out.insert(
            "output".into(),
            Value::from_json(&body::export(&got, cfg.get("response_export_values"))),
        );
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn arguments_and_type_form_are_checked() {
        let bad = cfg(&[
            ("type", Value::String("Microsoft.Cache/redis".into())),
            ("name", Value::String("c".into())),
            ("create_headers", Value::Object(BTreeMap::new())),
        ]);
        let problems = validate_resource("azapi_resource", &bad);
        let args: Vec<_> = problems
            .iter()
            .filter_map(|p| p.argument.as_deref())
            .collect();
        assert!(args.contains(&"create_headers"), "{problems:?}");
        assert!(args.contains(&"type"), "{problems:?}");
        assert!(handles(true, "azapi_resource") && !handles(true, "azapi_update_resource"));
        let (summary, detail) = crate::provider::catalog::describe(
            crate::config::model::Mode::Managed,
            "azapi_data_plane_resource",
            &crate::provider::catalog::classify(
                crate::config::model::Mode::Managed,
                "azapi_data_plane_resource",
                &|_| None,
            ),
        );
        assert_eq!(summary, "Unsupported resource type");
        assert!(detail.contains("azapi_resource_action"), "{detail}");
    }
}

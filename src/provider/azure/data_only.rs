//! Data sources azurerm has that are no managed type's: a private
//! endpoint's connection status (`azurerm_private_endpoint_connection`),
//! a role definition found by GUID or name at a scope
//! (`azurerm_role_definition`) and the role assignments a scope sees
//! (`azurerm_role_assignments`). Each reads what azurerm reads and
//! exports azurerm's attributes.

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::common::{AzureProvider, str_of};
use super::error::err;
use super::typedef::Attrs;
use super::types::private_endpoint::{strings, texts};
use crate::lang::Value;
use crate::provider::{ArgProblem, ErrorKind, ProviderError};

pub const ENDPOINT_CONNECTION: &str = "azurerm_private_endpoint_connection";
pub const ROLE_DEFINITION: &str = "azurerm_role_definition";
pub const ROLE_ASSIGNMENTS: &str = "azurerm_role_assignments";

const NETWORK_API: &str = "2024-05-01";
/// The api-version azurerm reads role definitions with.
const ROLE_DEFINITIONS_API: &str = "2022-05-01-preview";
/// The api-version azurerm lists role assignments with.
const ROLE_ASSIGNMENTS_API: &str = "2022-04-01";

/// Each data source's arguments: (name, required).
fn arguments(ty: &str) -> Option<&'static [(&'static str, bool)]> {
    match ty {
        ENDPOINT_CONNECTION => Some(&[("name", true), ("resource_group_name", true)]),
        ROLE_DEFINITION => Some(&[
            ("name", false),
            ("role_definition_id", false),
            ("scope", false),
        ]),
        ROLE_ASSIGNMENTS => Some(&[
            ("scope", true),
            ("limit_at_scope", false),
            ("principal_id", false),
            ("tenant_id", false),
        ]),
        _ => None,
    }
}

/// What each data source exports besides its arguments.
fn exports(ty: &str) -> &'static [&'static str] {
    match ty {
        ENDPOINT_CONNECTION => &["id", "location", "private_service_connection"],
        ROLE_DEFINITION => &[
            "id",
            "description",
            "type",
            "permissions",
            "assignable_scopes",
            "role_definition_resource_id",
        ],
        ROLE_ASSIGNMENTS => &["id", "role_assignments"],
        _ => &[],
    }
}

/// Every name data source `ty` has: its arguments and its exports.
pub(super) fn names(ty: &str) -> Option<Vec<&'static str>> {
    let args = arguments(ty)?;
    Some(
        args.iter()
            .map(|(n, _)| *n)
            .chain(exports(ty).iter().copied())
            .collect(),
    )
}

/// Whether `ty` is one of these data sources.
pub fn handles(ty: &str) -> bool {
    arguments(ty).is_some()
}

fn problem(argument: Option<&str>, summary: &str, detail: String) -> ArgProblem {
    ArgProblem {
        argument: argument.map(str::to_string),
        summary: summary.into(),
        detail,
    }
}

fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The configuration's problems, found without a client.
pub fn validate(ty: &str, cfg: &Attrs) -> Vec<ArgProblem> {
    let Some(args) = arguments(ty) else {
        return vec![];
    };
    let set = |k: &str| cfg.get(k).is_some_and(|v| !v.is_null());
    let mut out = vec![];
    for k in cfg.keys().filter(|k| set(k)) {
        if !args.iter().any(|(a, _)| a == k) {
            out.push(problem(
                Some(k),
                "Unsupported argument",
                format!(
                    "data {ty:?} takes {}; {k:?} is not one of its arguments (it is read, not set).",
                    args.iter().map(|(a, _)| *a).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    for (k, _) in args.iter().filter(|(k, required)| *required && !set(k)) {
        out.push(problem(
            None,
            "Missing required argument",
            format!("The argument {k:?} is required, but no definition was found."),
        ));
    }
    for k in ["principal_id", "tenant_id"] {
        if let Some(v) = str_of(cfg, k).filter(|_| ty == ROLE_ASSIGNMENTS)
            && !is_guid(&v)
        {
            out.push(problem(
                Some(k),
                "Invalid value",
                format!("{k} {v:?} is not a UUID."),
            ));
        }
    }
    if ty == ROLE_DEFINITION {
        if set("name") == set("role_definition_id") {
            out.push(problem(
                Some("name"),
                "Invalid combination of arguments",
                "exactly one of \"name\" and \"role_definition_id\" must be specified.".into(),
            ));
        }
        if let Some(id) = str_of(cfg, "role_definition_id")
            && !is_guid(&id)
        {
            out.push(problem(
                Some("role_definition_id"),
                "Invalid value",
                format!("role_definition_id {id:?} is not a UUID (give the definition's GUID, not its resource id)."),
            ));
        }
    }
    out
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

fn not_found(what: String) -> ProviderError {
    ProviderError::api(ErrorKind::NotFound, "ResourceNotFound", what)
}

impl AzureProvider {
    pub(super) async fn read_data_only(
        &self,
        ty: &str,
        cfg: &Attrs,
    ) -> Result<Value, ProviderError> {
        if let Some(p) = validate(ty, cfg).first() {
            return Err(ProviderError::Invalid(p.detail.clone()));
        }
        match ty {
            ENDPOINT_CONNECTION => self.endpoint_connection(cfg).await,
            ROLE_ASSIGNMENTS => self.role_assignments(cfg).await,
            _ => self.role_definition(cfg).await,
        }
    }

    /// azurerm's `azurerm_private_endpoint_connection`: the endpoint's
    /// connection state and its network interface's address.
    async fn endpoint_connection(&self, cfg: &Attrs) -> Result<Value, ProviderError> {
        let name = str_of(cfg, "name").unwrap_or_default();
        let group = str_of(cfg, "resource_group_name").unwrap_or_default();
        let id = format!(
            "/subscriptions/{}/resourceGroups/{group}/providers/Microsoft.Network/privateEndpoints/{name}",
            self.subscription
        );
        let body = self
            .client
            .get(&id, NETWORK_API)
            .await
            .map_err(err)?
            .ok_or_else(|| not_found(format!("{id} does not exist")))?;
        let ip = self
            .endpoint_address(&body)
            .await?
            .map_or(Value::Null, Value::String);
        let connections = [
            "privateLinkServiceConnections",
            "manualPrivateLinkServiceConnections",
        ]
        .iter()
        .flat_map(|k| {
            body["properties"][k]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|c| {
            let state = &c["properties"]["privateLinkServiceConnectionState"];
            let mut m = texts(
                state,
                &[("status", "status"), ("request_response", "description")],
            );
            m.insert("name".into(), s(c["name"].as_str().unwrap_or_default()));
            m.insert("private_ip_address".into(), ip.clone());
            Value::Object(m)
        })
        .collect();
        Ok(Value::Object(BTreeMap::from([
            ("id".to_string(), s(body["id"].as_str().unwrap_or(&id))),
            ("name".to_string(), s(&name)),
            ("resource_group_name".to_string(), s(&group)),
            (
                "location".to_string(),
                s(body["location"].as_str().unwrap_or_default()),
            ),
            (
                "private_service_connection".to_string(),
                Value::List(connections),
            ),
        ])))
    }

    /// azurerm's `azurerm_role_assignments`: the list at the scope (Azure
    /// lists those above and below it too; `limit_at_scope` keeps only
    /// those at it), one principal's when `principal_id` is given.
    async fn role_assignments(&self, cfg: &Attrs) -> Result<Value, ProviderError> {
        let scope = str_of(cfg, "scope").unwrap_or_default();
        let mut query = vec![];
        if scope == "/" {
            query.push("$filter=atScope()".to_string());
        }
        if let Some(p) = str_of(cfg, "principal_id") {
            query.retain(|q| !q.starts_with("$filter="));
            query.push(format!(
                "$filter={}",
                format!("principalId eq '{p}'")
                    .replace(' ', "%20")
                    .replace('\'', "%27")
            ));
        }
        if let Some(t) = str_of(cfg, "tenant_id") {
            query.push(format!("tenantId={t}"));
        }
        let path = format!(
            "{}/providers/Microsoft.Authorization/roleAssignments{}",
            scope.trim_end_matches('/'),
            if query.is_empty() {
                String::new()
            } else {
                format!("?{}", query.join("&"))
            }
        );
        let limit = matches!(
            cfg.get("limit_at_scope").map(|v| v.unmark().0),
            Some(Value::Bool(true))
        );
        let listed = self.list_all(&path, ROLE_ASSIGNMENTS_API).await?;
        let assignments = listed
            .iter()
            .filter(|a| {
                !limit
                    || a["properties"]["scope"]
                        .as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case(&scope))
            })
            .map(|a| {
                let mut m = texts(
                    &a["properties"],
                    &[
                        ("condition", "condition"),
                        ("condition_version", "conditionVersion"),
                        (
                            "delegated_managed_identity_resource_id",
                            "delegatedManagedIdentityResourceId",
                        ),
                        ("description", "description"),
                        ("principal_id", "principalId"),
                        ("principal_type", "principalType"),
                        ("role_assignment_scope", "scope"),
                        ("role_definition_id", "roleDefinitionId"),
                    ],
                );
                m.extend(texts(
                    a,
                    &[
                        ("role_assignment_id", "id"),
                        ("role_assignment_name", "name"),
                    ],
                ));
                Value::Object(m)
            })
            .collect();
        let mut out = cfg.clone();
        out.insert("id".into(), s(&scope));
        out.insert("limit_at_scope".into(), Value::Bool(limit));
        out.insert("role_assignments".into(), Value::List(assignments));
        Ok(Value::Object(out))
    }

    /// azurerm's `azurerm_role_definition`: by GUID at the scope, or the
    /// one definition `roleName eq '...'` lists there.
    async fn role_definition(&self, cfg: &Attrs) -> Result<Value, ProviderError> {
        let scope = str_of(cfg, "scope").unwrap_or_default();
        let scope = scope.trim_end_matches('/');
        let base = format!("{scope}/providers/Microsoft.Authorization/roleDefinitions");
        let guid = match (str_of(cfg, "role_definition_id"), str_of(cfg, "name")) {
            (Some(g), _) => g,
            (None, name) => {
                let name = name.unwrap_or_default();
                let filter = super::attached::role_name_filter(&name);
                let list = self
                    .client
                    .get(&format!("{base}?$filter={filter}"), ROLE_DEFINITIONS_API)
                    .await
                    .map_err(err)?;
                let found: Vec<J> = list
                    .as_ref()
                    .and_then(|l| l["value"].as_array())
                    .cloned()
                    .unwrap_or_default();
                // azurerm wants exactly one match.
                match found.as_slice() {
                    [one] => one["name"].as_str().unwrap_or_default().to_string(),
                    [] => {
                        return Err(not_found(format!(
                            "no role definition named {name:?} at scope {scope}"
                        )));
                    }
                    _ => {
                        return Err(ProviderError::Invalid(format!(
                            "{} role definitions are named {name:?} at scope {scope}; use role_definition_id",
                            found.len()
                        )));
                    }
                }
            }
        };
        let def = self
            .client
            .get(&format!("{base}/{guid}"), ROLE_DEFINITIONS_API)
            .await
            .map_err(err)?
            .ok_or_else(|| {
                not_found(format!(
                    "role definition {guid} does not exist at scope {scope}"
                ))
            })?;
        let p = &def["properties"];
        let permissions = p["permissions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| {
                let mut m = texts(
                    x,
                    &[
                        ("condition", "condition"),
                        ("condition_version", "conditionVersion"),
                    ],
                );
                for (k, f) in [
                    ("actions", "actions"),
                    ("not_actions", "notActions"),
                    ("data_actions", "dataActions"),
                    ("not_data_actions", "notDataActions"),
                ] {
                    m.insert(k.into(), strings(&x[f]));
                }
                Value::Object(m)
            })
            .collect();
        Ok(Value::Object(BTreeMap::from([
            ("id".to_string(), s(def["id"].as_str().unwrap_or_default())),
            (
                "name".to_string(),
                s(p["roleName"].as_str().unwrap_or_default()),
            ),
            ("role_definition_id".to_string(), s(&guid)),
            // The definition's own ARM id, as azurerm reads it.
            (
                "role_definition_resource_id".to_string(),
                s(def["id"].as_str().unwrap_or_default()),
            ),
            ("scope".to_string(), s(scope)),
            (
                "description".to_string(),
                s(p["description"].as_str().unwrap_or_default()),
            ),
            (
                "type".to_string(),
                s(p["type"].as_str().unwrap_or_default()),
            ),
            ("permissions".to_string(), Value::List(permissions)),
            (
                "assignable_scopes".to_string(),
                strings(&p["assignableScopes"]),
            ),
        ])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, &str)]) -> Attrs {
        pairs.iter().map(|(k, v)| (k.to_string(), s(v))).collect()
    }

    #[test]
    fn a_role_definition_is_found_by_exactly_one_of_name_and_guid() {
        let scope = ("scope", "/subscriptions/s1");
        assert!(validate(ROLE_DEFINITION, &cfg(&[("name", "Reader"), scope])).is_empty());
        let guid = ("role_definition_id", "acdd72a7-3385-48ef-bd42-f606fba81ae7");
        assert!(validate(ROLE_DEFINITION, &cfg(&[guid, scope])).is_empty());
        let both = validate(ROLE_DEFINITION, &cfg(&[("name", "Reader"), guid, scope]));
        assert_eq!(both[0].summary, "Invalid combination of arguments");
        let neither = validate(ROLE_DEFINITION, &cfg(&[scope]));
        assert_eq!(neither[0].summary, "Invalid combination of arguments");
        let not_guid = validate(
            ROLE_DEFINITION,
            &cfg(&[("role_definition_id", "/subscriptions/s1/x"), scope]),
        );
        assert_eq!(not_guid[0].argument.as_deref(), Some("role_definition_id"));
        // Without a scope, azurerm reads at the tenant's root: accepted.
        assert!(validate(ROLE_DEFINITION, &cfg(&[("name", "Reader")])).is_empty());
        let extra = validate(
            ENDPOINT_CONNECTION,
            &cfg(&[("name", "pe"), ("location", "x")]),
        );
        let what: Vec<_> = extra.iter().map(|p| p.summary.as_str()).collect();
        assert_eq!(what, ["Unsupported argument", "Missing required argument"]);
    }
}

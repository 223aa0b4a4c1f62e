//! Microsoft.Authorization: role assignments (extension resources at any
//! scope: a subscription, a group or a resource) and the built-in role
//! definitions they name, served with their real GUIDs.
//!
//! Azure's rules a user meets: a role assignment's name is a GUID; its
//! role definition must exist; the same role for the same principal at
//! the same scope is 409 `RoleAssignmentExists`; the principal, role and
//! scope of an assignment cannot change (400
//! `RoleAssignmentUpdateNotPermitted`); a condition needs version 2.0.

use std::collections::BTreeMap;

use serde_json::{Value as J, json};

use super::*;

pub const ASSIGNMENTS: &str = "Microsoft.Authorization/roleAssignments";
pub const DEFINITIONS: &str = "Microsoft.Authorization/roleDefinitions";
const VERSIONS: &[&str] = &[
    "2022-04-01",
    "2020-10-01-preview",
    "2020-04-01-preview",
    "2018-09-01-preview",
];
const DEFINITION_VERSIONS: &[&str] = &["2022-05-01-preview", "2022-04-01", "2018-01-01-preview"];

/// A built-in role as Azure lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltInRole {
    pub name: &'static str,
    pub guid: &'static str,
    pub description: &'static str,
}

/// Azure's built-in role catalogue, kept as data (see the file's header
/// for its source): `GUID|role name|description`, `#` starts a comment.
const CATALOGUE: &str = include_str!("built_in_roles.txt");

/// Every built-in role, parsed once from the catalogue.
pub fn built_in_roles() -> &'static [BuiltInRole] {
    static ROLES: std::sync::OnceLock<Vec<BuiltInRole>> = std::sync::OnceLock::new();
    ROLES.get_or_init(|| {
        CATALOGUE
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let mut f = l.splitn(3, '|');
                Some(BuiltInRole {
                    guid: f.next()?,
                    name: f.next()?,
                    description: f.next().unwrap_or_default(),
                })
            })
            .collect()
    })
}

/// The published permissions of some built-in roles (the privileged and
/// general ones), by GUID; see the file's `_source`.
const PERMISSIONS: &str = include_str!("built_in_role_permissions.json");

/// The permissions block Azure serves for built-in role `guid`: the
/// published one where the emulator has it, else empty lists.
fn permissions(guid: &str) -> J {
    static KNOWN: std::sync::OnceLock<serde_json::Map<String, J>> = std::sync::OnceLock::new();
    let known = KNOWN.get_or_init(|| {
        serde_json::from_str::<J>(PERMISSIONS)
            .ok()
            .and_then(|j| j.as_object().cloned())
            .unwrap_or_default()
    });
    known
        .get(&guid.to_ascii_lowercase())
        .cloned()
        .unwrap_or_else(
            || json!({"actions": [], "notActions": [], "dataActions": [], "notDataActions": []}),
        )
}

/// The built-in role a role definition id or GUID names.
fn built_in(id_or_guid: &str) -> Option<&'static BuiltInRole> {
    let guid = id_or_guid.trim_end_matches('/').rsplit('/').next()?;
    built_in_roles()
        .iter()
        .find(|r| r.guid.eq_ignore_ascii_case(guid))
}

fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

fn assignment_name(n: &str) -> Result<(), InvalidName> {
    if is_guid(n) {
        Ok(())
    } else {
        Err(InvalidName(format!(
            "The role assignment ID '{n}' is not valid. The role assignment ID must be a GUID."
        )))
    }
}

/// The scope an assignment at `path` is made at: the resource it extends,
/// its group, or its subscription.
fn scope_of(path: &ArmPath) -> String {
    path.scope
        .clone()
        .or_else(|| path.resource_group_id())
        .unwrap_or_else(|| format!("/subscriptions/{}", path.subscription))
}

/// The role definition's id as Azure reports it on an assignment.
fn definition_id(sub: &str, guid: &str) -> String {
    format!("/subscriptions/{sub}/providers/{DEFINITIONS}/{guid}")
}

/// Whether `principal` is a managed identity the emulator knows (then it
/// is a service principal), or the signed-in client.
fn known_service_principal(ctx: &Ctx, principal: &str) -> bool {
    if principal.eq_ignore_ascii_case(ctx.caller.client) {
        return true;
    }
    let sub = ctx.path.subscription.clone();
    ctx.store
        .of_type("Microsoft.ManagedIdentity/userAssignedIdentities", &sub)
        .unwrap_or_default()
        .iter()
        .any(|r| {
            str_prop(&r.body, &["principalId"]).is_some_and(|p| p.eq_ignore_ascii_case(principal))
        })
}

fn check_assignment(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    require(body, &["roleDefinitionId"], "")?;
    require(body, &["principalId"], "")?;
    let role = str_prop(body, &["roleDefinitionId"])
        .unwrap_or_default()
        .to_string();
    let principal = str_prop(body, &["principalId"])
        .unwrap_or_default()
        .to_string();
    let custom = || -> Result<Option<String>, ArmError> {
        Ok(ctx
            .get(&role)?
            .filter(|r| r.ty.eq_ignore_ascii_case(DEFINITIONS))
            .map(|r| r.id.rsplit('/').next().unwrap_or_default().to_string()))
    };
    let guid = match built_in(&role) {
        Some(r) => Some(r.guid.to_string()),
        None if role.starts_with('/') => custom()?,
        None => None,
    };
    let Some(guid) = guid else {
        return Err(ArmError::bad_request(
            "RoleDefinitionDoesNotExist",
            format!(
                "The specified role definition with ID '{}' does not exist.",
                role.rsplit('/').next().unwrap_or_default()
            ),
        ));
    };
    if !is_guid(&principal) {
        return Err(ArmError::bad_request(
            "InvalidPrincipalId",
            format!(
                "A valid principal ID must be provided for role assignment; '{principal}' is not a GUID."
            ),
        ));
    }
    let scope = scope_of(ctx.path);
    let role_id = definition_id(&ctx.path.subscription, &guid);
    if let Some(old) = ctx.existing {
        let same = |path: &[&str], now: &str| {
            str_prop(&old.body, path).is_some_and(|o| {
                o.trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or(o)
                    .eq_ignore_ascii_case(
                        now.trim_end_matches('/').rsplit('/').next().unwrap_or(now),
                    )
            })
        };
        if !same(&["principalId"], &principal) || !same(&["roleDefinitionId"], &role_id) {
            return Err(ArmError::bad_request(
                "RoleAssignmentUpdateNotPermitted",
                "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
            ));
        }
    }
    let me = ctx.path.id().to_lowercase();
    let duplicate = ctx
        .store
        .of_type(ASSIGNMENTS, &ctx.path.subscription)
        .map_err(internal)?
        .into_iter()
        .find(|r| {
            r.id.to_lowercase() != me
                && str_prop(&r.body, &["scope"]).is_some_and(|s| s.eq_ignore_ascii_case(&scope))
                && str_prop(&r.body, &["principalId"])
                    .is_some_and(|p| p.eq_ignore_ascii_case(&principal))
                && str_prop(&r.body, &["roleDefinitionId"])
                    .is_some_and(|d| d.eq_ignore_ascii_case(&role_id))
        });
    if let Some(other) = duplicate {
        return Err(ArmError::conflict(
            "RoleAssignmentExists",
            format!(
                "The role assignment already exists. The ID of the existing role assignment is {}.",
                other.id.rsplit('/').next().unwrap_or_default()
            ),
        ));
    }
    let condition = str_prop(body, &["condition"]).map(str::to_string);
    let version = str_prop(body, &["conditionVersion"]).map(str::to_string);
    match (&condition, version.as_deref()) {
        (Some(_), Some(v)) if v != "2.0" => {
            return Err(ArmError::bad_request(
                "InvalidConditionVersion",
                format!("Condition version '{v}' is not supported: use 2.0."),
            ));
        }
        (None, Some(_)) => {
            return Err(ArmError::bad_request(
                "InvalidRoleAssignmentRequest",
                "conditionVersion is set but there is no condition.",
            ));
        }
        _ => {}
    }
    let principal_type = str_prop(body, &["principalType"])
        .map(str::to_string)
        .unwrap_or_else(|| {
            if known_service_principal(ctx, &principal) {
                "ServicePrincipal".into()
            } else {
                "User".into()
            }
        });
    let now = crate::timefmt::rfc3339(ctx.now);
    let created = ctx
        .existing
        .and_then(|r| str_prop(&r.body, &["createdOn"]).map(str::to_string))
        .unwrap_or_else(|| now.clone());
    let caller = ctx.caller.client.to_string();
    let p = props(body);
    p.insert("roleDefinitionId".into(), json!(role_id));
    p.insert("scope".into(), json!(scope));
    p.insert("principalType".into(), json!(principal_type));
    if condition.is_some() {
        p.insert("conditionVersion".into(), json!("2.0"));
    }
    p.insert("createdOn".into(), json!(created));
    p.insert("updatedOn".into(), json!(now));
    p.entry("createdBy").or_insert(json!(caller.clone()));
    p.insert("updatedBy".into(), json!(caller));
    Ok(Write::body(body.clone()))
}

/// A role definition as Azure returns it, read at `scope`.
fn definition_body(scope: &str, role: &BuiltInRole) -> J {
    json!({
        "id": format!("{scope}/providers/{DEFINITIONS}/{}", role.guid),
        "name": role.guid,
        "type": DEFINITIONS,
        "properties": {
            "roleName": role.name,
            "type": "BuiltInRole",
            "description": role.description,
            "assignableScopes": ["/"],
            "permissions": [permissions(role.guid)],
            "createdOn": "2015-02-02T21:55:09.8806423Z",
            "updatedOn": "2024-01-01T00:00:00.0000000Z",
        }
    })
}

/// GET of the built-in role definitions at any scope: one by GUID, or the
/// list (with `$filter=roleName eq '...'`, as azurerm looks a role up by
/// name). `None` for a custom definition, which is stored as written.
pub fn serve_definitions(
    p: &ArmPath,
    query: &BTreeMap<String, String>,
) -> Option<Result<J, ArmError>> {
    let scope = {
        let mut q = p.clone();
        q.segments.clear();
        if q.scope.is_some() {
            q.scope.clone().unwrap_or_default()
        } else {
            q.resource_group_id()
                .unwrap_or_else(|| format!("/subscriptions/{}", p.subscription))
        }
    };
    let guid = match p.segments.last() {
        Some((_, Some(guid))) => Some(guid.as_str()),
        _ => None,
    };
    definitions_at(&scope, guid, query).map(Ok)
}

/// The built-in definitions at `scope` ("" for the tenant's root, where
/// azurerm looks a role up when `data "azurerm_role_definition"` has no
/// scope): the one `guid` names, or the list, filtered by `roleName eq`.
pub fn definitions_at(
    scope: &str,
    guid: Option<&str>,
    query: &BTreeMap<String, String>,
) -> Option<J> {
    match guid {
        Some(guid) => built_in(guid).map(|d| definition_body(scope, d)),
        None => {
            let filter = query.get("$filter").cloned().unwrap_or_default();
            let wanted = filter
                .split_once("roleName eq")
                .map(|(_, v)| v.trim().trim_matches('\'').to_string());
            let value: Vec<J> = built_in_roles()
                .iter()
                .filter(|r| {
                    wanted
                        .as_ref()
                        .is_none_or(|w| r.name.eq_ignore_ascii_case(w))
                })
                .map(|d| definition_body(scope, d))
                .collect();
            Some(json!({ "value": value }))
        }
    }
}

/// Whether `scope` is `of` or lies under it (ids compare without case).
fn within(scope: &str, of: &str) -> bool {
    let (s, o) = (
        scope.trim_end_matches('/').to_ascii_lowercase(),
        of.trim_end_matches('/').to_ascii_lowercase(),
    );
    s == o || s.starts_with(&format!("{o}/"))
}

/// The assignments a list at `scope` shows, as Azure lists them: those at
/// the scope, above it (inherited) and below it; `$filter=atScope()` keeps
/// those at and above, `principalId eq '...'` one principal's (at, above
/// and below).
pub fn listed_assignments(rows: Vec<Row>, scope: &str, filter: &str) -> Vec<Row> {
    let at_scope = filter.trim().eq_ignore_ascii_case("atScope()");
    let principal = filter
        .split_once("principalId eq")
        .map(|(_, v)| v.trim().trim_matches('\'').to_ascii_lowercase());
    rows.into_iter()
        .filter(|r| {
            let Some(at) = str_prop(&r.body, &["scope"]) else {
                return false;
            };
            let above = within(scope, at);
            above || (!at_scope && within(at, scope))
        })
        .filter(|r| {
            principal.as_ref().is_none_or(|p| {
                str_prop(&r.body, &["principalId"]).is_some_and(|x| x.eq_ignore_ascii_case(p))
            })
        })
        .collect()
}

/// A role definition written through the API is a custom role: Azure
/// says so in its `type`.
fn check_definition(_: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    props(body).insert("type".into(), json!("CustomRole"));
    Ok(Write::body(body.clone()))
}

pub fn specs() -> Vec<Spec> {
    vec![
        Spec::plain(ASSIGNMENTS, VERSIONS, assignment_name, check_assignment),
        Spec::plain(
            DEFINITIONS,
            DEFINITION_VERSIONS,
            |n| {
                if is_guid(n) {
                    Ok(())
                } else {
                    Err(InvalidName(format!(
                        "The role definition ID '{n}' is not valid: it must be a GUID."
                    )))
                }
            },
            check_definition,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The catalogue parses whole: every line a role, every GUID well
    /// formed and used once, every name once (Azure's names are unique
    /// without case, as azurerm's lookup by name needs).
    #[test]
    fn catalogue_is_whole_and_unambiguous() {
        let roles = built_in_roles();
        let lines = CATALOGUE
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(roles.len(), lines);
        assert_eq!(roles.len(), 505);
        let mut guids = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for r in roles {
            assert!(is_guid(r.guid), "{r:?}");
            assert!(guids.insert(r.guid.to_ascii_lowercase()), "{r:?}");
            assert!(names.insert(r.name.to_ascii_lowercase()), "{r:?}");
            assert!(!r.name.is_empty() && !r.description.is_empty(), "{r:?}");
        }
    }

    /// The published permissions parse and name catalogued roles only;
    /// the others get Azure's shape with empty lists.
    #[test]
    fn published_permissions_belong_to_catalogued_roles() {
        let published: J = serde_json::from_str(PERMISSIONS).unwrap();
        let guids: Vec<&String> = published
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| !k.starts_with('_'))
            .collect();
        assert_eq!(guids.len(), 5);
        for g in guids {
            assert!(built_in(g).is_some(), "{g}");
            assert!(
                permissions(g)["actions"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty()),
                "{g}"
            );
        }
        assert_eq!(
            permissions("acdd72a7-3385-48ef-bd42-f606fba81ae7")["actions"],
            json!(["*/read"])
        );
        assert_eq!(
            permissions("dbaa88c4-0c30-4179-9fb3-46319faa6149"),
            json!({"actions": [], "notActions": [], "dataActions": [], "notDataActions": []})
        );
    }
}

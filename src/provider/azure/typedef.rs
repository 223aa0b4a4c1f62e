//! What drinfra knows of one azurerm resource type ([`TypeDef`]: its ARM
//! type, pinned api-version, arguments and id rule), and the ARM ids built
//! from (or read back into) its arguments. The table of types is
//! `types.rs`.

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::convert::Arg;
use crate::lang::Value;

/// The Azure provider's source address.
pub const PROVIDER_NAME: &str = "registry.terraform.io/hashicorp/azurerm";

pub type Attrs = BTreeMap<String, Value>;

/// How a type's ARM id is built from its arguments.
#[derive(Debug, Clone, Copy)]
pub enum IdRule {
    Group,
    /// `/subscriptions/{s}/resourceGroups/{resource_group_name}/providers/{type}/{name}`
    InGroup,
    /// `{parent}/{segment}/{name}`, the parent id from an argument.
    Child {
        parent_arg: &'static str,
        segment: &'static str,
    },
    /// DNS record sets: zone by name in the resource group.
    DnsRecord(&'static str),
    /// A geo-replication link, named after the linked cache.
    RedisLink,
    /// `{group}/providers/{parent_type}/{parent name}/{segment}/{name}`:
    /// a child found by its parent's name and group (a subnet, a Redis
    /// firewall rule).
    InNamedParent {
        parent_type: &'static str,
        parent_arg: &'static str,
        segment: &'static str,
    },
    /// `{parent}/{path}`: the one child of its kind a parent has, with a
    /// fixed name (a storage account's management policy).
    Singleton {
        parent_arg: &'static str,
        path: &'static str,
    },
    /// The id is the argument's value: a setting kept on another object
    /// (a subnet's network security group association is the subnet).
    Is(&'static str),
    /// `{scope}/{path}/{name}`: an extension resource at any scope (a role
    /// assignment); the name may be generated at create.
    Scoped {
        scope_arg: &'static str,
        path: &'static str,
    },
    /// azurerm's `{source}/{segment}/{name};{destination}/{segment}/{name}`:
    /// one object written to two parents (object replication's pair of
    /// policies), the name given by the cloud at create.
    Paired {
        source_arg: &'static str,
        destination_arg: &'static str,
        segment: &'static str,
    },
    /// An extension resource azurerm identifies as `{target}|{name}` (a
    /// diagnostic setting): ARM's id is `{target}/{path}/{name}`.
    Piped {
        target_arg: &'static str,
        path: &'static str,
    },
    /// An id azurerm makes from another object's: the argument's id with
    /// its last `/{from}/` segment named `/{to}/` (a custom domain's
    /// association, `.../profiles/{p}/associations/{domain}`).
    Renamed {
        arg: &'static str,
        from: &'static str,
        to: &'static str,
    },
    /// An object of a service's data plane whose id is the URL the service
    /// gives it when written (a Key Vault secret's versioned
    /// `{vaultUri}secrets/{name}/{version}`): unknown until then. The
    /// parent (the vault) comes from an argument.
    Url {
        parent_arg: &'static str,
    },
    /// `{group}/providers/{type}/{first}({second})`: a name azurerm
    /// composes from two arguments (a Log Analytics solution's
    /// `{solution_name}({workspace_name})`).
    Composed {
        first: &'static str,
        second: &'static str,
    },
}

/// `id` with its last `/{from}/` segment (any case) renamed `/{to}/`.
fn rename_segment(id: &str, from: &str, to: &str) -> Option<String> {
    let marker = format!("/{}/", from.to_ascii_lowercase());
    let at = id.to_ascii_lowercase().rfind(&marker)?;
    Some(format!("{}/{to}/{}", &id[..at], &id[at + marker.len()..]))
}

pub struct TypeDef {
    pub name: &'static str,
    pub arm_type: &'static str,
    pub api: &'static str,
    pub args: &'static [Arg],
    pub id: IdRule,
    /// Constant body fields (path, JSON).
    pub fixed: &'static [(&'static str, &'static str)],
    /// Extra body shaping from the arguments.
    pub to_body: Option<fn(&Attrs, &mut J)>,
    /// Extra attributes from the body.
    pub from_body: Option<fn(&J, &mut Attrs)>,
}

pub(super) fn attr_str<'a>(a: &'a Attrs, k: &str) -> Option<&'a str> {
    match a.get(k).map(|v| v.unmark().0) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// An argument an ARM id is built from is not known (yet).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} must be known to build the resource id")]
pub struct UnknownIdPart(pub &'static str);

/// The ARM id of an instance, from its (known) arguments.
pub fn build_id(t: &TypeDef, a: &Attrs, subscription: &str) -> Result<String, UnknownIdPart> {
    let need = |k: &'static str| attr_str(a, k).map(str::to_string).ok_or(UnknownIdPart(k));
    Ok(match t.id {
        IdRule::Group => format!(
            "/subscriptions/{subscription}/resourceGroups/{}",
            need("name")?
        ),
        IdRule::InGroup => format!(
            "/subscriptions/{subscription}/resourceGroups/{}/providers/{}/{}",
            need("resource_group_name")?,
            t.arm_type,
            need("name")?
        ),
        IdRule::Child {
            parent_arg,
            segment,
        } => format!(
            "{}/{segment}/{}",
            need(parent_arg)?.trim_end_matches('/'),
            need("name")?
        ),
        IdRule::DnsRecord(kind) => format!(
            "/subscriptions/{subscription}/resourceGroups/{}/providers/Microsoft.Network/dnszones/{}/{kind}/{}",
            need("resource_group_name")?,
            need("zone_name")?,
            need("name")?
        ),
        IdRule::RedisLink => {
            let linked = need("linked_redis_cache_id")?;
            let linked_name = linked.rsplit('/').next().unwrap_or_default().to_string();
            format!(
                "/subscriptions/{subscription}/resourceGroups/{}/providers/Microsoft.Cache/redis/{}/linkedServers/{linked_name}",
                need("resource_group_name")?,
                need("target_redis_cache_name")?
            )
        }
        IdRule::InNamedParent {
            parent_type,
            parent_arg,
            segment,
        } => format!(
            "/subscriptions/{subscription}/resourceGroups/{}/providers/{parent_type}/{}/{segment}/{}",
            need("resource_group_name")?,
            need(parent_arg)?,
            need("name")?
        ),
        IdRule::Singleton { parent_arg, path } => {
            format!("{}/{path}", need(parent_arg)?.trim_end_matches('/'))
        }
        IdRule::Is(arg) => need(arg)?,
        IdRule::Scoped { scope_arg, path } => format!(
            "{}/{path}/{}",
            need(scope_arg)?.trim_end_matches('/'),
            need("name")?
        ),
        IdRule::Paired {
            source_arg,
            destination_arg,
            segment,
        } => {
            let name = need("name")?;
            format!(
                "{}/{segment}/{name};{}/{segment}/{name}",
                need(source_arg)?.trim_end_matches('/'),
                need(destination_arg)?.trim_end_matches('/')
            )
        }
        IdRule::Piped { target_arg, .. } => format!(
            "{}|{}",
            need(target_arg)?.trim_end_matches('/'),
            need("name")?
        ),
        IdRule::Renamed { arg, from, to } => {
            let source = need(arg)?;
            rename_segment(&source, from, to).unwrap_or(source)
        }
        IdRule::Url { .. } => return Err(UnknownIdPart("id")),
        IdRule::Composed { first, second } => format!(
            "/subscriptions/{subscription}/resourceGroups/{}/providers/{}/{}({})",
            need("resource_group_name")?,
            t.arm_type,
            need(first)?,
            need(second)?
        ),
    })
}

/// The ARM URL path of the object a state id names (the same string,
/// except for ids azurerm writes in its own form).
pub fn arm_path(t: &TypeDef, id: &str) -> String {
    match t.id {
        IdRule::Piped { path, .. } => match id.rsplit_once('|') {
            Some((target, name)) => format!("{target}/{path}/{name}"),
            None => id.to_string(),
        },
        _ => id.to_string(),
    }
}

/// The state id of the object ARM names `arm_id` (see [`arm_path`]).
pub fn state_id(t: &TypeDef, arm_id: &str) -> String {
    match t.id {
        IdRule::Piped { path, .. } => {
            let lower = arm_id.to_ascii_lowercase();
            let marker = format!("/{}/", path.to_ascii_lowercase());
            match lower.rfind(&marker) {
                // ASCII lower-casing keeps byte offsets.
                Some(at) => format!("{}|{}", &arm_id[..at], &arm_id[at + marker.len()..]),
                None => arm_id.to_string(),
            }
        }
        _ => arm_id.to_string(),
    }
}

/// The arguments that identify an object (what a data source takes).
pub fn id_args(t: &TypeDef) -> Vec<&'static str> {
    match t.id {
        IdRule::Group => vec!["name"],
        IdRule::InGroup => vec!["name", "resource_group_name"],
        IdRule::Child { parent_arg, .. } => vec!["name", parent_arg],
        IdRule::DnsRecord(_) => vec!["name", "zone_name", "resource_group_name"],
        IdRule::RedisLink => vec![
            "target_redis_cache_name",
            "resource_group_name",
            "linked_redis_cache_id",
        ],
        IdRule::InNamedParent { parent_arg, .. } => vec!["name", parent_arg, "resource_group_name"],
        IdRule::Singleton { parent_arg, .. } => vec![parent_arg],
        IdRule::Is(arg) => vec![arg],
        IdRule::Scoped { scope_arg, .. } => vec!["name", scope_arg],
        IdRule::Paired {
            source_arg,
            destination_arg,
            ..
        } => vec![source_arg, destination_arg],
        IdRule::Piped { target_arg, .. } => vec!["name", target_arg],
        IdRule::Renamed { arg, .. } => vec![arg],
        IdRule::Url { parent_arg } => vec!["name", parent_arg],
        IdRule::Composed { first, second } => vec![first, second, "resource_group_name"],
    }
}

/// The arguments an ARM id determines (for import).
pub fn attrs_from_id(t: &TypeDef, id: &str) -> Attrs {
    let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
    let seg = |name: &str| {
        parts
            .iter()
            .position(|p| p.eq_ignore_ascii_case(name))
            .and_then(|i| parts.get(i + 1))
            .map(|s| Value::String(s.to_string()))
    };
    let last = parts
        .last()
        .map(|s| Value::String(s.to_string()))
        .unwrap_or(Value::Null);
    let mut a = Attrs::new();
    a.insert("id".into(), Value::String(id.to_string()));
    match t.id {
        IdRule::Group => {
            a.insert("name".into(), last);
        }
        IdRule::InGroup => {
            a.insert("name".into(), last);
            a.insert(
                "resource_group_name".into(),
                seg("resourceGroups").unwrap_or(Value::Null),
            );
        }
        IdRule::Child {
            parent_arg,
            segment,
        } => {
            a.insert("name".into(), last);
            // The segment may be several (`blobServices/default/containers`).
            let parent = id
                .trim_end_matches('/')
                .rsplitn(segment.matches('/').count() + 3, '/')
                .last()
                .unwrap_or_default()
                .to_string();
            a.insert(parent_arg.into(), Value::String(parent));
        }
        IdRule::InNamedParent {
            parent_type,
            parent_arg,
            ..
        } => {
            a.insert("name".into(), last);
            a.insert(
                "resource_group_name".into(),
                seg("resourceGroups").unwrap_or(Value::Null),
            );
            let parent_kind = parent_type.rsplit('/').next().unwrap_or_default();
            a.insert(parent_arg.into(), seg(parent_kind).unwrap_or(Value::Null));
        }
        IdRule::Singleton { parent_arg, path } => {
            let parent = id
                .trim_end_matches('/')
                .rsplitn(path.matches('/').count() + 2, '/')
                .last()
                .unwrap_or_default()
                .to_string();
            a.insert(parent_arg.into(), Value::String(parent));
        }
        IdRule::Is(arg) => {
            a.insert(arg.into(), Value::String(id.to_string()));
        }
        IdRule::Scoped { scope_arg, path } => {
            a.insert("name".into(), last);
            let lower = id.to_lowercase();
            let at = lower.rfind(&format!("/{}/", path.to_lowercase()));
            let scope = at.and_then(|i| id.get(..i)).unwrap_or_default();
            a.insert(scope_arg.into(), Value::String(scope.to_string()));
        }
        IdRule::Paired {
            source_arg,
            destination_arg,
            segment,
        } => {
            let parent = |half: &str| {
                let lower = half.to_lowercase();
                lower
                    .rfind(&format!("/{}/", segment.to_lowercase()))
                    .and_then(|i| half.get(..i))
                    .map(|p| Value::String(p.to_string()))
                    .unwrap_or(Value::Null)
            };
            let (src, dst) = id.split_once(';').unwrap_or((id, ""));
            a.insert(source_arg.into(), parent(src));
            a.insert(destination_arg.into(), parent(dst));
        }
        IdRule::Renamed { arg, from, to } => {
            if let Some(source) = rename_segment(id, to, from) {
                a.insert(arg.into(), Value::String(source));
            }
        }
        IdRule::Piped { target_arg, .. } => {
            if let Some((target, name)) = id.rsplit_once('|') {
                a.insert(target_arg.into(), Value::String(target.to_string()));
                a.insert("name".into(), Value::String(name.to_string()));
            }
        }
        IdRule::Composed { first, second } => {
            a.insert(
                "resource_group_name".into(),
                seg("resourceGroups").unwrap_or(Value::Null),
            );
            let name = parts.last().copied().unwrap_or_default();
            if let Some((one, two)) = name.strip_suffix(')').and_then(|n| n.split_once('(')) {
                a.insert(first.into(), Value::String(one.to_string()));
                a.insert(second.into(), Value::String(two.to_string()));
            }
        }
        IdRule::DnsRecord(_) => {
            a.insert("name".into(), last);
            a.insert(
                "resource_group_name".into(),
                seg("resourceGroups").unwrap_or(Value::Null),
            );
            a.insert("zone_name".into(), seg("dnszones").unwrap_or(Value::Null));
        }
        IdRule::RedisLink => {
            a.insert(
                "resource_group_name".into(),
                seg("resourceGroups").unwrap_or(Value::Null),
            );
            a.insert(
                "target_redis_cache_name".into(),
                seg("redis").unwrap_or(Value::Null),
            );
        }
        // `{vaultUri}secrets/{name}/{version}` (or `keys/`): the parent is
        // found by its URI when the object is read.
        IdRule::Url { .. } => {
            if let Some(i) = parts
                .iter()
                .rposition(|p| p.eq_ignore_ascii_case("secrets") || p.eq_ignore_ascii_case("keys"))
            {
                a.insert(
                    "name".into(),
                    parts
                        .get(i + 1)
                        .map(|s| Value::String(s.to_string()))
                        .unwrap_or(Value::Null),
                );
            }
        }
    }
    a
}

pub(super) const fn def(
    name: &'static str,
    arm_type: &'static str,
    api: &'static str,
    args: &'static [Arg],
    id: IdRule,
) -> TypeDef {
    TypeDef {
        name,
        arm_type,
        api,
        args,
        id,
        fixed: &[],
        to_body: None,
        from_body: None,
    }
}

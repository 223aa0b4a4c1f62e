//! ARM ids from azapi's `type`, `name` and `parent_id`, as azapi builds
//! them: a child of its parent when the parent is of the type's parent
//! type, otherwise a resource under the parent scope (resource group,
//! subscription, or another resource for extension types).

/// `Microsoft.X/y/z@2024-01-01` -> (`Microsoft.X/y/z`, `2024-01-01`).
pub fn split_type(t: &str) -> Option<(&str, &str)> {
    let (ty, api) = t.split_once('@')?;
    let mut parts = ty.split('/');
    let ns = parts.next()?;
    let ok = ns.contains('.')
        && parts.clone().count() >= 1
        && parts.all(|p| !p.is_empty())
        && !api.is_empty()
        && api.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    ok.then_some((ty, api))
}

/// The ARM type of an id (`Microsoft.Cache/redis` for a cache's id).
fn type_of_id(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
    let p = parts
        .iter()
        .rposition(|s| s.eq_ignore_ascii_case("providers"))?;
    let ns = parts.get(p + 1)?;
    let types: Vec<&str> = parts[p + 2..].iter().step_by(2).copied().collect();
    (!types.is_empty()).then(|| format!("{ns}/{}", types.join("/")))
}

/// The id of the object `name` of type `ty` (with its `@version`) under
/// `parent` (the subscription when absent, for resource groups).
pub fn build(
    ty: &str,
    name: &str,
    parent: Option<&str>,
    subscription: &str,
) -> Result<String, String> {
    let (ty, _) = split_type(ty).ok_or_else(|| format!("invalid azapi type {ty:?}"))?;
    if name.is_empty() {
        return Err("name must be known to build the resource id".into());
    }
    if ty.eq_ignore_ascii_case("Microsoft.Resources/resourceGroups") {
        let sub = parent.unwrap_or_default().trim_end_matches('/');
        let sub = if sub.is_empty() {
            format!("/subscriptions/{subscription}")
        } else {
            sub.to_string()
        };
        return Ok(format!("{sub}/resourceGroups/{name}"));
    }
    let parent = parent
        .filter(|p| !p.is_empty())
        .ok_or_else(|| format!("parent_id must be known to build the id of a {ty}"))?
        .trim_end_matches('/');
    let (ns, rest) = ty.split_once('/').unwrap_or((ty, ""));
    let segs: Vec<&str> = rest.split('/').collect();
    if segs.len() > 1 {
        // A child type: its parent must be of the type one level up.
        let parent_ty = format!("{ns}/{}", segs[..segs.len() - 1].join("/"));
        if type_of_id(parent).is_some_and(|t| t.eq_ignore_ascii_case(&parent_ty)) {
            return Ok(format!("{parent}/{}/{name}", segs[segs.len() - 1]));
        }
        return Err(format!(
            "parent_id {parent:?} is not a {parent_ty}, the parent type of {ty}"
        ));
    }
    Ok(format!("{parent}/providers/{ns}/{rest}/{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_azapis_rules() {
        let rg = "/subscriptions/s/resourceGroups/rg";
        assert_eq!(
            build("Microsoft.Cache/redis@2024-11-01", "c", Some(rg), "s").unwrap(),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cache/redis/c"
        );
        let cache = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cache/redis/c";
        assert_eq!(
            build(
                "Microsoft.Cache/redis/firewallRules@2024-11-01",
                "fw",
                Some(cache),
                "s"
            )
            .unwrap(),
            format!("{cache}/firewallRules/fw")
        );
        assert_eq!(
            build(
                "Microsoft.Resources/resourceGroups@2024-11-01",
                "rg",
                None,
                "s"
            )
            .unwrap(),
            "/subscriptions/s/resourceGroups/rg"
        );
        assert!(
            build(
                "Microsoft.Cache/redis/firewallRules@2024-11-01",
                "fw",
                Some(rg),
                "s"
            )
            .is_err()
        );
        assert!(split_type("Microsoft.Cache/redis").is_none());
        assert!(split_type("redis@2024-11-01").is_none());
    }
}

//! A network security group's rules, `Microsoft.Network/
//! networkSecurityGroups/securityRules`: each rule is a child resource,
//! written either inside the group's `securityRules` (a PUT of the group
//! replaces the whole set) or on its own; the group lists its children
//! when read, so each way sees what the other wrote, as in Azure. Within
//! one direction no two rules share a priority (`SecurityRuleConflict`).

use serde_json::{Value as J, json};

use super::*;

pub(super) const RULES: &str = "Microsoft.Network/networkSecurityGroups/securityRules";

/// The rules a group holds, as Azure answers them (their ids, names,
/// types and ETags), in the order they were written.
pub(super) fn list_in_group(store: &Store, body: &mut J) {
    let id = body["id"].as_str().unwrap_or_default().to_string();
    let rules: Vec<J> = store
        .children(RULES, &id)
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let mut rule = r.body;
            rule["etag"] = json!(r.etag);
            rule
        })
        .collect();
    props(body).insert("securityRules".into(), J::Array(rules));
}

/// Azure's answer to two rules of one direction with one priority: the
/// rule already there first, the one being written second.
fn conflict(there: &str, written: &str) -> ArmError {
    ArmError::bad_request(
        "SecurityRuleConflict",
        format!(
            "Security rule {there} conflicts with rule {written}. Rules cannot have the same Priority and Direction. To learn more, see aka.ms/nsgrules."
        ),
    )
}

/// A rule's own checks: a priority of 100-4096, and the properties every
/// rule needs.
fn check_one(name: &str, rule: &J) -> Result<(i64, String), ArmError> {
    for f in ["access", "protocol", "direction", "priority"] {
        if prop(rule, &[f]).is_none_or(J::is_null) {
            return Err(ArmError::bad_request(
                "InvalidRequestFormat",
                format!("Security rule '{name}' needs properties.{f}."),
            ));
        }
    }
    let pr = num_prop(rule, &["priority"]).unwrap_or(-1.0);
    if !(100.0..=4096.0).contains(&pr) || pr.fract() != 0.0 {
        return Err(ArmError::bad_request(
            "SecurityRuleInvalidPriority",
            format!("Security rule '{name}' has invalid priority {pr}: use 100-4096."),
        ));
    }
    let dir = str_prop(rule, &["direction"])
        .unwrap_or_default()
        .to_lowercase();
    Ok((pr as i64, dir))
}

/// A rule stored as a child of group `nsg`.
fn child(nsg: &str, name: &str, properties: &J) -> (String, J) {
    let id = format!("{nsg}/securityRules/{name}");
    let mut body = json!({
        "id": id,
        "name": name,
        "type": RULES,
        "properties": properties.clone(),
    });
    props(&mut body).insert("provisioningState".into(), json!("Succeeded"));
    (id, body)
}

/// A group's write: its `securityRules`, when sent, checked as a set and
/// taken out of the stored body; they become its children (the old ones
/// removed, the new ones written in the order sent).
pub(super) fn take_from_group(
    ctx: &Ctx,
    body: &mut J,
) -> Result<Vec<(String, String, Option<J>)>, ArmError> {
    // Left out (a PATCH of the tags), the rules stay as they are.
    let Some(rules) = props(body).remove("securityRules") else {
        return Ok(vec![]);
    };
    let rules = rules.as_array().cloned().unwrap_or_default();
    let nsg = ctx
        .existing
        .map(|r| r.id.clone())
        .unwrap_or_else(|| ctx.path.id());
    let mut seen: Vec<(i64, String, String)> = vec![];
    let mut effects = vec![];
    for old in ctx.store.children(RULES, &nsg).map_err(internal)? {
        effects.push((old.id, RULES.to_string(), None));
    }
    for r in &rules {
        let name = r["name"].as_str().unwrap_or_default();
        let (pr, dir) = check_one(name, r)?;
        if let Some((_, _, there)) = seen.iter().find(|(p, d, _)| *p == pr && *d == dir) {
            return Err(conflict(there, name));
        }
        seen.push((pr, dir, name.to_string()));
        let (id, rule) = child(&nsg, name, r.get("properties").unwrap_or(&J::Null));
        effects.push((id, RULES.to_string(), Some(rule)));
    }
    Ok(effects)
}

/// A rule written on its own: its checks, and no sibling of its
/// direction with its priority.
pub(super) fn check_rule(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let name = ctx.path.name();
    let (pr, dir) = check_one(&name, body)?;
    let nsg = ctx.path.parent_id().unwrap_or_default();
    for sib in ctx.store.children(RULES, &nsg).map_err(internal)? {
        let sib_name = sib.id.rsplit('/').next().unwrap_or_default().to_string();
        if sib_name.eq_ignore_ascii_case(&name) {
            continue;
        }
        if let Ok((p, d)) = check_one(&sib_name, &sib.body)
            && p == pr
            && d == dir
        {
            return Err(conflict(&sib_name, &name));
        }
    }
    Ok(Write::body(body.clone()))
}

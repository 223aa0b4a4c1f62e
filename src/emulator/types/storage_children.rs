//! Storage account children: blob containers and the lifecycle
//! management policy. An account's blob service (`blobServices/default`)
//! exists with the account, written or not.

use serde_json::{Value as J, json};

use super::*;

const VERSIONS: &[&str] = &["2025-01-01", "2024-01-01", "2023-05-01", "2023-01-01"];

/// Whether `id` is a service every storage account has (its blob
/// service), of an account that exists: a parent that needs no PUT.
pub fn implicit(store: &Store, id: &str) -> bool {
    let lower = id.to_lowercase();
    let Some(account) = lower.strip_suffix("/blobservices/default") else {
        return false;
    };
    account.contains("/providers/microsoft.storage/storageaccounts/")
        && id
            .get(..account.len())
            .is_some_and(|a| store.get(a).ok().flatten().is_some())
}

/// The storage account a child belongs to.
fn account(ctx: &Ctx) -> Result<Option<Row>, ArmError> {
    let id = ctx.path.id();
    let lower = id.to_lowercase();
    match lower
        .find("/blobservices/")
        .or_else(|| lower.find("/managementpolicies/"))
    {
        Some(i) => match id.get(..i) {
            Some(a) => ctx.get(a),
            None => Ok(None),
        },
        None => Ok(None),
    }
}

/// 3-63 lowercase letters, digits and single hyphens, starting with a
/// letter or digit (`$root` and `$web` are Azure's own).
fn container_name(n: &str) -> Result<(), InvalidName> {
    if n == "$root" || n == "$web" {
        return Ok(());
    }
    let ok = (3..=63).contains(&n.len())
        && n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !n.starts_with('-')
        && !n.ends_with('-')
        && !n.contains("--");
    if ok {
        Ok(())
    } else {
        Err(InvalidName(format!(
            "The container name '{n}' is not valid: use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit."
        )))
    }
}

fn check_container(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let account = account(ctx)?;
    let access = str_prop(body, &["publicAccess"])
        .unwrap_or("None")
        .to_string();
    if !["None", "Blob", "Container"].contains(&access.as_str()) {
        return Err(ArmError::bad_request(
            "InvalidRequestContent",
            format!("'properties.publicAccess' must be None, Blob or Container, not '{access}'."),
        )
        .with_target("properties.publicAccess"));
    }
    let public_allowed = account
        .as_ref()
        .and_then(|a| prop(&a.body, &["allowBlobPublicAccess"]))
        .and_then(J::as_bool)
        .unwrap_or(false);
    if access != "None" && !public_allowed {
        return Err(ArmError::conflict(
            "PublicAccessNotPermitted",
            "Public access is not permitted on this storage account.",
        ));
    }
    let scope = "$account-encryption-key";
    let p = props(body);
    p.insert("publicAccess".into(), json!(access));
    p.entry("defaultEncryptionScope").or_insert(json!(scope));
    p.entry("denyEncryptionScopeOverride")
        .or_insert(json!(false));
    p.entry("metadata").or_insert(json!({}));
    p.insert("hasImmutabilityPolicy".into(), json!(false));
    p.insert("hasLegalHold".into(), json!(false));
    p.insert("leaseState".into(), json!("Available"));
    p.insert("leaseStatus".into(), json!("Unlocked"));
    p.insert(
        "lastModifiedTime".into(),
        json!(crate::timefmt::rfc3339(ctx.now)),
    );
    if let Some(old) = ctx.existing {
        for k in ["defaultEncryptionScope", "denyEncryptionScopeOverride"] {
            if prop(&old.body, &[k]) != prop(body, &[k]) {
                return Err(ArmError::bad_request(
                    "InvalidRequestContent",
                    format!("'properties.{k}' cannot be changed on an existing container."),
                )
                .with_target(&format!("properties.{k}")));
            }
        }
    }
    Ok(Write::body(body.clone()))
}

fn policy_name(n: &str) -> Result<(), InvalidName> {
    if n == "default" {
        Ok(())
    } else {
        Err(InvalidName(format!(
            "A storage account's management policy is named 'default', not '{n}'."
        )))
    }
}

const BLOB_TYPES: &[&str] = &["blockBlob", "appendBlob"];

fn check_policy(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let bad = |msg: String| {
        ArmError::bad_request("InvalidManagementPolicyRule", msg)
            .with_target("properties.policy.rules")
    };
    let rules = prop(body, &["policy", "rules"])
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default();
    if rules.is_empty() {
        return Err(bad("A management policy needs at least one rule.".into()));
    }
    let mut names = std::collections::BTreeSet::new();
    for r in &rules {
        let name = r["name"].as_str().unwrap_or_default();
        if name.is_empty()
            || name.len() > 256
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(bad(format!(
                "Rule name '{name}' is not valid: use letters, digits, '-' and '_'."
            )));
        }
        if !names.insert(name.to_string()) {
            return Err(bad(format!("Rule name '{name}' is used more than once.")));
        }
        let types = r["definition"]["filters"]["blobTypes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if types.is_empty()
            || types
                .iter()
                .any(|t| !t.as_str().is_some_and(|t| BLOB_TYPES.contains(&t)))
        {
            return Err(bad(format!(
                "Rule '{name}': filters.blobTypes must list blockBlob or appendBlob."
            )));
        }
        let actions = &r["definition"]["actions"];
        if !["baseBlob", "snapshot", "version"].iter().any(|k| {
            actions
                .get(k)
                .is_some_and(|a| a.as_object().is_some_and(|m| !m.is_empty()))
        }) {
            return Err(bad(format!("Rule '{name}' has no action.")));
        }
    }
    let p = props(body);
    p.insert(
        "lastModifiedTime".into(),
        json!(crate::timefmt::rfc3339(ctx.now)),
    );
    Ok(Write::body(body.clone()))
}

pub fn specs() -> Vec<Spec> {
    vec![
        Spec::plain(
            "Microsoft.Storage/storageAccounts/blobServices/containers",
            VERSIONS,
            container_name,
            check_container,
        ),
        Spec {
            // The one policy's name in Azure's answers, whatever its path.
            decorate: |_, b| b["name"] = json!("DefaultManagementPolicy"),
            ..Spec::plain(
                "Microsoft.Storage/storageAccounts/managementPolicies",
                VERSIONS,
                policy_name,
                check_policy,
            )
        },
    ]
}

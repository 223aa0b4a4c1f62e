//! Identity, secrets and diagnostics: user-assigned managed identities,
//! key vaults (a deleted vault is soft-deleted and keeps its name until it
//! is purged or its retention ends), Log Analytics workspaces.

use std::collections::BTreeMap;

use serde_json::{Value as J, json};

use super::*;

const IDENTITY_VERSIONS: &[&str] = &["2023-01-31", "2024-11-30", "2018-11-30"];
const VAULT_VERSIONS: &[&str] = &["2023-07-01", "2024-11-01", "2022-07-01"];
const WORKSPACE_VERSIONS: &[&str] = &["2023-09-01", "2022-10-01", "2021-06-01"];
const DELETED_VAULT: &str = "Microsoft.KeyVault/locations/deletedVaults";

/// A stable GUID-shaped id derived from `seed`.
fn guid(seed: &str) -> String {
    let h = crate::digest::digest(seed.to_lowercase().as_bytes());
    let h = format!("{h}{h}{h}{h}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn check_identity(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let id = ctx.path.id();
    let tenant = ctx.caller.creds.tenant_id.clone();
    let p = props(body);
    p.insert("clientId".into(), json!(guid(&format!("client:{id}"))));
    p.insert(
        "principalId".into(),
        json!(guid(&format!("principal:{id}"))),
    );
    p.insert("tenantId".into(), json!(tenant));
    Ok(Write::body(body.clone()))
}

const WORKSPACE_SKUS: &[&str] = &[
    "Free",
    "PerGB2018",
    "PerNode",
    "Premium",
    "Standard",
    "Standalone",
    "CapacityReservation",
    "LACluster",
];

fn check_workspace(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let sku = str_prop(body, &["sku", "name"])
        .unwrap_or("PerGB2018")
        .to_string();
    let Some(sku) = WORKSPACE_SKUS.iter().find(|s| s.eq_ignore_ascii_case(&sku)) else {
        return Err(ArmError::bad_request(
            "InvalidParameterValue",
            format!(
                "'{sku}' is not a workspace sku: use one of {}.",
                WORKSPACE_SKUS.join(", ")
            ),
        )
        .with_target("properties.sku.name"));
    };
    let (min, max) = if *sku == "Free" { (7, 7) } else { (30, 730) };
    let retention = int_prop(body, &["retentionInDays"], i64::MIN / 2, i64::MAX / 2)?
        .unwrap_or(min.max(30) as f64);
    if retention < min as f64 || retention > max as f64 {
        return Err(ArmError::bad_request(
            "InvalidParameterValue",
            format!("retentionInDays must be between {min} and {max} for the {sku} sku, not {retention}."),
        )
        .with_target("properties.retentionInDays"));
    }
    if *sku == "CapacityReservation"
        && num_prop(body, &["sku", "capacityReservationLevel"]).is_none()
    {
        return Err(ArmError::bad_request(
            "InvalidParameterValue",
            "The CapacityReservation sku needs sku.capacityReservationLevel.",
        )
        .with_target("properties.sku.capacityReservationLevel"));
    }
    let customer = guid(&format!("workspace:{}", ctx.path.id()));
    let p = props(body);
    p.insert("retentionInDays".into(), json!(retention));
    p.entry("sku").or_insert(json!({}))["name"] = json!(sku);
    p.entry("workspaceCapping")
        .or_insert(json!({}))
        .as_object_mut()
        .map(|m| m.entry("dailyQuotaGb").or_insert(json!(-1.0)));
    p.entry("publicNetworkAccessForIngestion")
        .or_insert(json!("Enabled"));
    p.entry("publicNetworkAccessForQuery")
        .or_insert(json!("Enabled"));
    p.entry("forceCmkForQuery").or_insert(json!(false));
    let f = p.entry("features").or_insert(json!({}));
    if let Some(f) = f.as_object_mut() {
        f.entry("enableLogAccessUsingOnlyResourcePermissions")
            .or_insert(json!(true));
        f.entry("disableLocalAuth").or_insert(json!(false));
        f.entry("immediatePurgeDataOn30Days")
            .or_insert(json!(false));
    }
    p.insert("customerId".into(), json!(customer));
    Ok(Write::body(body.clone()))
}

/// 3-24 letters, digits and single hyphens, starting with a letter and
/// ending with a letter or digit.
fn vault_name(n: &str) -> Result<(), InvalidName> {
    let ok = (3..=24).contains(&n.len())
        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && n.starts_with(|c: char| c.is_ascii_alphabetic())
        && !n.ends_with('-')
        && !n.contains("--");
    if ok {
        Ok(())
    } else {
        Err(InvalidName(format!(
            "The vault name '{n}' is not valid: use 3-24 letters, digits and single hyphens, starting with a letter and ending with a letter or digit."
        )))
    }
}

fn check_vault(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let name = ctx.path.name();
    let sub = ctx.path.subscription.clone();
    let me = ctx.path.id().to_lowercase();
    let named = |r: &Row| {
        r.id.rsplit('/')
            .next()
            .is_some_and(|n| n.eq_ignore_ascii_case(&name))
    };
    // Vault names are global (they are DNS names).
    if ctx.existing.is_none() {
        if let Some(other) = ctx
            .store
            .of_type("Microsoft.KeyVault/vaults", &sub)
            .map_err(internal)?
            .into_iter()
            .find(|r| named(r) && r.id.to_lowercase() != me)
        {
            return Err(ArmError::conflict(
                "VaultAlreadyExists",
                format!("The vault name '{name}' is already in use ({}).", other.id),
            ));
        }
        let recovering =
            str_prop(body, &["createMode"]).is_some_and(|m| m.eq_ignore_ascii_case("recover"));
        let deleted = ctx
            .store
            .of_type(DELETED_VAULT, &sub)
            .map_err(internal)?
            .into_iter()
            .find(|r| named(r));
        match (deleted, recovering) {
            (Some(_), false) => {
                return Err(ArmError::conflict(
                    "ConflictError",
                    format!(
                        "A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault. Vault name: '{name}'."
                    ),
                ));
            }
            (None, true) => {
                return Err(ArmError::not_found(
                    "DeletedVaultNotFound",
                    format!("No deleted vault named '{name}' to recover."),
                ));
            }
            (Some(d), true) => {
                let mut w = Write::body(body.clone());
                w.effects.push((d.id.clone(), DELETED_VAULT.into(), None));
                return finish_vault(ctx, body).map(|b| Write { body: b, ..w });
            }
            (None, false) => {}
        }
    }
    // Azure answers `tags: {}` for a vault created without tags.
    if let Some(m) = body.as_object_mut() {
        m.entry("tags").or_insert(json!({}));
    }
    Ok(Write::body(finish_vault(ctx, body)?))
}

fn finish_vault(ctx: &Ctx, body: &mut J) -> Result<J, ArmError> {
    let name = ctx.path.name();
    let sku = str_prop(body, &["sku", "name"])
        .unwrap_or_default()
        .to_lowercase();
    if sku != "standard" && sku != "premium" {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("The sku '{sku}' is not valid: use standard or premium."),
        )
        .with_target("properties.sku.name"));
    }
    if str_prop(body, &["tenantId"]).is_none_or(str::is_empty) {
        return Err(
            ArmError::bad_request("BadRequest", "properties.tenantId is required.")
                .with_target("properties.tenantId"),
        );
    }
    let retention = int_prop(
        body,
        &["softDeleteRetentionInDays"],
        i64::MIN / 2,
        i64::MAX / 2,
    )?
    .unwrap_or(90.0);
    if !(7.0..=90.0).contains(&retention) {
        return Err(ArmError::bad_request(
            "BadRequest",
            "softDeleteRetentionInDays must be between 7 and 90.",
        )
        .with_target("properties.softDeleteRetentionInDays"));
    }
    if let Some(old) = ctx.existing {
        if prop(&old.body, &["enablePurgeProtection"]) == Some(&json!(true))
            && prop(body, &["enablePurgeProtection"]) == Some(&json!(false))
        {
            return Err(ArmError::bad_request(
                "BadRequest",
                "Purge protection cannot be disabled once enabled.",
            )
            .with_target("properties.enablePurgeProtection"));
        }
        if num_prop(&old.body, &["softDeleteRetentionInDays"]).is_some_and(|o| o != retention) {
            return Err(ArmError::bad_request(
                "BadRequest",
                "softDeleteRetentionInDays cannot be changed once the vault exists.",
            )
            .with_target("properties.softDeleteRetentionInDays"));
        }
    }
    let p = props(body);
    p.remove("createMode");
    p.insert("softDeleteRetentionInDays".into(), json!(retention));
    p.insert("enableSoftDelete".into(), json!(true));
    p.entry("accessPolicies").or_insert(json!([]));
    for k in [
        "enabledForDeployment",
        "enabledForDiskEncryption",
        "enabledForTemplateDeployment",
        "enableRbacAuthorization",
    ] {
        p.entry(k).or_insert(json!(false));
    }
    p.entry("publicNetworkAccess").or_insert(json!("Enabled"));
    p.insert(
        "vaultUri".into(),
        json!(format!("https://{}.vault.azure.net/", name.to_lowercase())),
    );
    Ok(body.clone())
}

/// The vault's data plane as the emulator serves it (its own URL, a
/// path per vault), not `{name}.vault.azure.net`, which loopback cannot
/// answer; worked out when shown, since the embedded emulator's port
/// changes between runs.
fn emulated_vault_uri(store: &Store, body: &mut J) {
    let name = body.get("name").and_then(J::as_str).map(str::to_string);
    if let Some(uri) = name.and_then(|n| super::key_vault_data::vault_uri(store, &n)) {
        props(body).insert("vaultUri".into(), json!(uri));
    }
}

/// Deleting a vault soft-deletes it: a deleted-vault record holds its name.
fn vault_delete(ctx: &Ctx, row: &Row) -> Result<Vec<(String, String, Option<J>)>, ArmError> {
    let location = row
        .body
        .get("location")
        .and_then(J::as_str)
        .unwrap_or_default()
        .to_string();
    let name = ctx.path.name();
    let id = format!(
        "/subscriptions/{}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{name}",
        ctx.path.subscription
    );
    let days = num_prop(&row.body, &["softDeleteRetentionInDays"]).unwrap_or(90.0);
    let record = json!({
        // Azure's type for the record (its id has a region segment).
        "id": id, "name": name, "type": "Microsoft.KeyVault/deletedVaults",
        "properties": {
            "vaultId": row.id, "location": location,
            "deletionDate": crate::timefmt::rfc3339(ctx.now),
            "scheduledPurgeDate": crate::timefmt::rfc3339(ctx.now + days * 86400.0),
            "purgeProtectionEnabled": prop(&row.body, &["enablePurgeProtection"]).and_then(J::as_bool).unwrap_or(false),
            "tags": row.body.get("tags").cloned().unwrap_or(json!({})),
        }
    });
    Ok(vec![(id, DELETED_VAULT.into(), Some(record))])
}

fn no_put(_: &Ctx, _: &mut J) -> Result<Write, ArmError> {
    Err(ArmError::new(
        405,
        "MethodNotAllowed",
        "Deleted vaults are made by deleting a vault, not written.",
    ))
}

/// `POST .../deletedVaults/{name}/purge`: the name is free again, unless
/// purge protection holds it until its retention ends.
fn purge(
    ctx: &Ctx,
    row: &Row,
    action: &str,
    _: &J,
    _: &BTreeMap<String, String>,
) -> Result<Action, ArmError> {
    if !action.eq_ignore_ascii_case("purge") {
        return Err(ArmError::bad_request(
            "InvalidAction",
            format!("Deleted vaults have no action '{action}'."),
        ));
    }
    if prop(&row.body, &["purgeProtectionEnabled"]) == Some(&json!(true)) {
        return Err(ArmError::conflict(
            "Conflict",
            format!(
                "Vault '{}' has purge protection: it cannot be purged before its retention ends.",
                ctx.path.name()
            ),
        ));
    }
    // Its secrets go with it.
    super::key_vault_data::forget(ctx.store, &ctx.path.name()).map_err(internal)?;
    Ok(Action {
        effects: vec![(row.id.clone(), DELETED_VAULT.into(), None)],
        secs: 5.0,
        result: None,
        data: None,
    })
}

pub fn specs() -> Vec<Spec> {
    vec![
        Spec {
            located: true,
            ..Spec::plain(
                "Microsoft.ManagedIdentity/userAssignedIdentities",
                IDENTITY_VERSIONS,
                |n| name_rule(n, 3, 128, "-_", "a managed identity"),
                check_identity,
            )
        },
        Spec {
            located: true,
            lro_put: Lro::ProvisioningState,
            create_secs: 5.0,
            update_secs: 5.0,
            ..Spec::plain(
                "Microsoft.OperationalInsights/workspaces",
                WORKSPACE_VERSIONS,
                |n| name_rule(n, 4, 63, "-", "a Log Analytics workspace"),
                check_workspace,
            )
        },
        Spec {
            located: true,
            check_delete: vault_delete,
            decorate: emulated_vault_uri,
            ..Spec::plain(
                "Microsoft.KeyVault/vaults",
                VAULT_VERSIONS,
                vault_name,
                check_vault,
            )
        },
        Spec {
            action: Some(purge),
            lro_put: Lro::Location,
            ..Spec::plain(DELETED_VAULT, VAULT_VERSIONS, vault_name, no_put)
        },
    ]
}

//! Identity, secrets and diagnostics: user-assigned managed identities,
//! key vaults (soft-deleted on delete, then purged as azurerm's default
//! `purge_soft_delete_on_destroy` does), Log Analytics workspaces.

use serde_json::{Value as J, json};

use super::common::{LOCATION, NAME, RG, TAGS};
use super::repeated::{self, Rep, rep};
use crate::lang::Value;
use crate::provider::ArgProblem;
use crate::provider::azure::convert::{self, Arg, Conv, Kind, arg};
use crate::provider::azure::typedef::{Attrs, IdRule, TypeDef, def};

const IDENTITY: &[Arg] = &[
    NAME,
    RG,
    LOCATION,
    arg("isolation_scope", "", Kind::Str),
    arg("client_id", "properties.clientId", Kind::Str).read_only(),
    arg("principal_id", "properties.principalId", Kind::Str).read_only(),
    arg("tenant_id", "properties.tenantId", Kind::Str).read_only(),
    TAGS,
];

const WORKSPACE: &[Arg] = &[
    NAME,
    RG,
    LOCATION,
    arg("sku", "properties.sku.name", Kind::Str).computed(),
    arg("retention_in_days", "properties.retentionInDays", Kind::Num).computed(),
    arg(
        "daily_quota_gb",
        "properties.workspaceCapping.dailyQuotaGb",
        Kind::Num,
    )
    .computed(),
    arg(
        "internet_ingestion_access_type",
        "properties.publicNetworkAccessForIngestion",
        Kind::Str,
    )
    .computed(),
    arg(
        "internet_query_access_type",
        "properties.publicNetworkAccessForQuery",
        Kind::Str,
    )
    .computed(),
    arg("local_authentication_enabled", "", Kind::Bool).computed(),
    arg(
        "allow_resource_only_permissions",
        "properties.features.enableLogAccessUsingOnlyResourcePermissions",
        Kind::Bool,
    )
    .computed(),
    arg(
        "cmk_for_query_forced",
        "properties.forceCmkForQuery",
        Kind::Bool,
    )
    .computed(),
    arg(
        "immediate_data_purge_on_30_days_enabled",
        "properties.features.immediatePurgeDataOn30Days",
        Kind::Bool,
    )
    .computed(),
    arg(
        "reservation_capacity_in_gb_per_day",
        "properties.sku.capacityReservationLevel",
        Kind::Num,
    ),
    arg(
        "data_collection_rule_id",
        "properties.defaultDataCollectionRuleResourceId",
        Kind::Str,
    ),
    arg("identity", "", Kind::Blocks),
    arg("workspace_id", "properties.customerId", Kind::Str).read_only(),
    // From `sharedKeys` (provider/azure/secrets.rs).
    arg("primary_shared_key", "", Kind::Str).exported_secret(),
    arg("secondary_shared_key", "", Kind::Str).exported_secret(),
    TAGS,
];

fn workspace_to_body(a: &Attrs, body: &mut J) {
    // azurerm's "local authentication enabled" is ARM's "disable local
    // auth", inverted.
    if let Some(Value::Bool(on)) = a.get("local_authentication_enabled").map(|v| v.unmark().0) {
        convert::set_path(body, "properties.features.disableLocalAuth", json!(!on));
    }
}

fn workspace_from_body(body: &J, a: &mut Attrs) {
    let off = convert::get_path(body, "properties.features.disableLocalAuth")
        .and_then(J::as_bool)
        .unwrap_or(false);
    a.insert("local_authentication_enabled".into(), Value::Bool(!off));
}

const PERMISSIONS: &[Arg] = &[
    arg("tenant_id", "tenantId", Kind::Str).req(),
    arg("object_id", "objectId", Kind::Str).req(),
    arg("application_id", "applicationId", Kind::Str),
    arg("key_permissions", "permissions.keys", Kind::StrList),
    arg("secret_permissions", "permissions.secrets", Kind::StrList),
    arg(
        "certificate_permissions",
        "permissions.certificates",
        Kind::StrList,
    ),
    arg("storage_permissions", "permissions.storage", Kind::StrList),
];
const ACCESS_POLICIES: &[Rep] = &[rep(
    "access_policy",
    "properties.accessPolicies",
    PERMISSIONS,
)];
const NETWORK_ACLS: &[Arg] = &[
    arg("bypass", "bypass", Kind::Str).req(),
    arg("default_action", "defaultAction", Kind::Str).req(),
    arg("ip_rules", "", Kind::StrList),
    arg("virtual_network_subnet_ids", "", Kind::StrList),
];
const KEY_VAULT: &[Arg] = &[
    NAME,
    RG,
    LOCATION,
    arg("sku_name", "properties.sku.name", Kind::Str).req(),
    arg("tenant_id", "properties.tenantId", Kind::Str).req(),
    arg("access_policy", "", Kind::Blocks).computed(),
    arg(
        "enabled_for_deployment",
        "properties.enabledForDeployment",
        Kind::Bool,
    )
    .computed(),
    arg(
        "enabled_for_disk_encryption",
        "properties.enabledForDiskEncryption",
        Kind::Bool,
    )
    .computed(),
    arg(
        "enabled_for_template_deployment",
        "properties.enabledForTemplateDeployment",
        Kind::Bool,
    )
    .computed(),
    arg(
        "rbac_authorization_enabled",
        "properties.enableRbacAuthorization",
        Kind::Bool,
    )
    .computed(),
    arg(
        "public_network_access_enabled",
        "properties.publicNetworkAccess",
        Kind::Bool,
    )
    .computed()
    .conv(Conv::Enabled),
    arg(
        "purge_protection_enabled",
        "properties.enablePurgeProtection",
        Kind::Bool,
    )
    .computed(),
    arg(
        "soft_delete_retention_days",
        "properties.softDeleteRetentionInDays",
        Kind::Num,
    )
    .computed(),
    arg("network_acls", "", Kind::Block(NETWORK_ACLS)).computed(),
    arg("vault_uri", "properties.vaultUri", Kind::Str).read_only(),
    TAGS,
];

fn vault_to_body(a: &Attrs, body: &mut J) {
    body["properties"]["sku"]["family"] = json!("A");
    repeated::write(ACCESS_POLICIES, a, body);
    let acls = a
        .get("network_acls")
        .and_then(Value::as_seq)
        .and_then(|s| s.first())
        .and_then(Value::as_mapping);
    if let Some(acls) = acls {
        let mut j = json!({});
        convert::write_args(NETWORK_ACLS, acls, &mut j, true);
        let list = |k: &str, field: &str| -> Vec<J> {
            acls.get(k)
                .and_then(Value::as_seq)
                .unwrap_or(&[])
                .iter()
                .map(|v| json!({ field: v.unmark().0.to_json() }))
                .collect()
        };
        j["ipRules"] = J::Array(list("ip_rules", "value"));
        j["virtualNetworkRules"] = J::Array(list("virtual_network_subnet_ids", "id"));
        body["properties"]["networkAcls"] = j;
    }
}

fn vault_from_body(body: &J, a: &mut Attrs) {
    repeated::read(ACCESS_POLICIES, body, a);
    let acls = &body["properties"]["networkAcls"];
    let acl_list = if acls.is_object() {
        let mut m = std::collections::BTreeMap::new();
        convert::read_args(NETWORK_ACLS, acls, &mut m);
        let list = |k: &str, field: &str| {
            Value::List(
                acls[k]
                    .as_array()
                    .map(|xs| {
                        xs.iter()
                            .filter_map(|x| x[field].as_str().map(|s| Value::String(s.into())))
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        };
        m.insert("ip_rules".into(), list("ipRules", "value"));
        m.insert(
            "virtual_network_subnet_ids".into(),
            list("virtualNetworkRules", "id"),
        );
        vec![Value::Object(m)]
    } else {
        vec![]
    };
    a.insert("network_acls".into(), Value::List(acl_list));
}

/// The repeated blocks each type maps.
pub(super) fn reps(ty: &str) -> &'static [&'static [Rep]] {
    match ty {
        "azurerm_key_vault" => &[ACCESS_POLICIES],
        _ => &[],
    }
}

pub(super) fn check(ty: &str, a: &Attrs, out: &mut Vec<ArgProblem>) {
    match ty {
        "azurerm_user_assigned_identity" => repeated::refuse(
            a,
            "isolation_scope",
            "isolation scopes need a preview api-version drinfra does not pin",
            out,
        ),
        "azurerm_log_analytics_workspace" => repeated::refuse(
            a,
            "identity",
            "a workspace's managed identity is not mapped yet",
            out,
        ),
        "azurerm_key_vault" => {
            repeated::check(ACCESS_POLICIES, a, "", out);
            repeated::refuse(
                a,
                "contact",
                "certificate contacts live in the vault's data plane, which drinfra does not call",
                out,
            );
        }
        _ => {}
    }
}

pub(super) fn defs() -> Vec<TypeDef> {
    vec![
        def(
            "azurerm_user_assigned_identity",
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            "2023-01-31",
            IDENTITY,
            IdRule::InGroup,
        ),
        TypeDef {
            to_body: Some(workspace_to_body),
            from_body: Some(workspace_from_body),
            ..def(
                "azurerm_log_analytics_workspace",
                "Microsoft.OperationalInsights/workspaces",
                "2023-09-01",
                WORKSPACE,
                IdRule::InGroup,
            )
        },
        TypeDef {
            to_body: Some(vault_to_body),
            from_body: Some(vault_from_body),
            ..def(
                "azurerm_key_vault",
                "Microsoft.KeyVault/vaults",
                "2023-07-01",
                KEY_VAULT,
                IdRule::InGroup,
            )
        },
    ]
}

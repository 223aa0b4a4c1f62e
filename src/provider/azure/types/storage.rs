//! Storage account children: blob containers and the account's lifecycle
//! management policy (where the DR plan's "keep 30 blob versions" rule
//! lives).

use serde_json::{Value as J, json};

use super::common::NAME;
use super::repeated::{self, Rep, rep};
use crate::lang::Value;
use crate::provider::ArgProblem;
use crate::provider::azure::convert::{Arg, Kind, arg};
use crate::provider::azure::typedef::{Attrs, IdRule, TypeDef, attr_str, def};

// ---- containers ----
const CONTAINER: &[Arg] = &[
    NAME,
    arg("storage_account_id", "", Kind::Str).req().force_new(),
    // Refused in `check` with the reason.
    arg("storage_account_name", "", Kind::Str),
    arg("container_access_type", "", Kind::Str).computed(),
    arg("metadata", "properties.metadata", Kind::StrMap).computed(),
    arg(
        "default_encryption_scope",
        "properties.defaultEncryptionScope",
        Kind::Str,
    )
    .computed()
    .force_new(),
    arg("encryption_scope_override_enabled", "", Kind::Bool)
        .computed()
        .force_new(),
    arg(
        "has_immutability_policy",
        "properties.hasImmutabilityPolicy",
        Kind::Bool,
    )
    .read_only(),
    arg("has_legal_hold", "properties.hasLegalHold", Kind::Bool).read_only(),
    arg("url", "", Kind::Str).read_only(),
];

/// azurerm's access types and ARM's `publicAccess`.
const ACCESS: &[(&str, &str)] = &[
    ("private", "None"),
    ("blob", "Blob"),
    ("container", "Container"),
];

fn container_to_body(a: &Attrs, body: &mut J) {
    let access = attr_str(a, "container_access_type").unwrap_or("private");
    let arm = ACCESS
        .iter()
        .find(|(tf, _)| tf.eq_ignore_ascii_case(access))
        .map_or(access, |(_, arm)| arm);
    body["properties"]["publicAccess"] = json!(arm);
    // azurerm's "override enabled" is ARM's "deny override", inverted.
    if let Some(Value::Bool(on)) = a
        .get("encryption_scope_override_enabled")
        .map(|v| v.unmark().0)
    {
        body["properties"]["denyEncryptionScopeOverride"] = json!(!on);
    }
}

fn container_from_body(body: &J, a: &mut Attrs) {
    let arm = body["properties"]["publicAccess"]
        .as_str()
        .unwrap_or("None");
    let tf = ACCESS
        .iter()
        .find(|(_, x)| x.eq_ignore_ascii_case(arm))
        .map_or("private", |(tf, _)| tf);
    a.insert(
        "container_access_type".into(),
        Value::String(tf.to_string()),
    );
    let deny = body["properties"]["denyEncryptionScopeOverride"]
        .as_bool()
        .unwrap_or(false);
    a.insert(
        "encryption_scope_override_enabled".into(),
        Value::Bool(!deny),
    );
    let id = body["id"].as_str().unwrap_or_default();
    let parts: Vec<&str> = id.split('/').collect();
    let account = parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("storageAccounts"))
        .and_then(|i| parts.get(i + 1));
    if let (Some(account), Some(name)) = (account, parts.last()) {
        a.insert(
            "url".into(),
            Value::String(format!("https://{account}.blob.core.windows.net/{name}")),
        );
    }
}

// ---- lifecycle management policy ----
const VERSION_ACTIONS: &[Arg] = &[
    arg(
        "tier_to_archive_after_days_since_last_tier_change_greater_than",
        "tierToArchive.daysAfterLastTierChangeGreaterThan",
        Kind::Num,
    ),
    arg(
        "tier_to_cold_after_days_since_creation_greater_than",
        "tierToCold.daysAfterCreationGreaterThan",
        Kind::Num,
    ),
    arg(
        "delete_after_days_since_creation",
        "delete.daysAfterCreationGreaterThan",
        Kind::Num,
    ),
    arg(
        "change_tier_to_cool_after_days_since_creation",
        "tierToCool.daysAfterCreationGreaterThan",
        Kind::Num,
    ),
    arg(
        "change_tier_to_archive_after_days_since_creation",
        "tierToArchive.daysAfterCreationGreaterThan",
        Kind::Num,
    ),
    arg(
        "change_tier_to_cold_after_days_since_creation",
        "tierToCold.daysAfterCreationGreaterThan",
        Kind::Num,
    ),
];
const BASE_BLOB: &[Arg] = &[
    arg(
        "tier_to_cool_after_days_since_last_access_time_greater_than",
        "tierToCool.daysAfterLastAccessTimeGreaterThan",
        Kind::Num,
    ),
    arg(
        "tier_to_archive_after_days_since_last_access_time_greater_than",
        "tierToArchive.daysAfterLastAccessTimeGreaterThan",
        Kind::Num,
    ),
    arg(
        "tier_to_archive_after_days_since_last_tier_change_greater_than",
        "tierToArchive.daysAfterLastTierChangeGreaterThan",
        Kind::Num,
    ),
    arg(
        "tier_to_cold_after_days_since_last_access_time_greater_than",
        "tierToCold.daysAfterLastAccessTimeGreaterThan",
        Kind::Num,
    ),
    // Only with a cool tiering after last access (Azure's rule).
    arg(
        "auto_tier_to_hot_from_cool_enabled",
        "enableAutoTierToHotFromCool",
        Kind::Bool,
    ),
    arg(
        "delete_after_days_since_modification_greater_than",
        "delete.daysAfterModificationGreaterThan",
        Kind::Num,
    ),
    arg(
        "delete_after_days_since_creation_greater_than",
        "delete.daysAfterCreationGreaterThan",
        Kind::Num,
    ),
    arg(
        "delete_after_days_since_last_access_time_greater_than",
        "delete.daysAfterLastAccessTimeGreaterThan",
        Kind::Num,
    ),
    arg(
        "tier_to_cool_after_days_since_modification_greater_than",
        "tierToCool.daysAfterModificationGreaterThan",
        Kind::Num,
    ),
    arg(
        "tier_to_cool_after_days_since_creation_greater_than",
        "tierToCool.daysAfterCreationGreaterThan",
        Kind::Num,
    ),
    arg(
        "tier_to_archive_after_days_since_modification_greater_than",
        "tierToArchive.daysAfterModificationGreaterThan",
        Kind::Num,
    ),
    arg(
        "tier_to_archive_after_days_since_creation_greater_than",
        "tierToArchive.daysAfterCreationGreaterThan",
        Kind::Num,
    ),
    arg(
        "tier_to_cold_after_days_since_modification_greater_than",
        "tierToCold.daysAfterModificationGreaterThan",
        Kind::Num,
    ),
    arg(
        "tier_to_cold_after_days_since_creation_greater_than",
        "tierToCold.daysAfterCreationGreaterThan",
        Kind::Num,
    ),
];
const SNAPSHOT: &[Arg] = &[
    arg(
        "tier_to_archive_after_days_since_last_tier_change_greater_than",
        "tierToArchive.daysAfterLastTierChangeGreaterThan",
        Kind::Num,
    ),
    arg(
        "tier_to_cold_after_days_since_creation_greater_than",
        "tierToCold.daysAfterCreationGreaterThan",
        Kind::Num,
    ),
    arg(
        "delete_after_days_since_creation_greater_than",
        "delete.daysAfterCreationGreaterThan",
        Kind::Num,
    ),
    arg(
        "change_tier_to_cool_after_days_since_creation",
        "tierToCool.daysAfterCreationGreaterThan",
        Kind::Num,
    ),
    arg(
        "change_tier_to_archive_after_days_since_creation",
        "tierToArchive.daysAfterCreationGreaterThan",
        Kind::Num,
    ),
];
const ACTIONS: &[Arg] = &[
    arg("base_blob", "baseBlob", Kind::Block(BASE_BLOB)),
    arg("snapshot", "snapshot", Kind::Block(SNAPSHOT)),
    arg("version", "version", Kind::Block(VERSION_ACTIONS)),
];
const BLOB_INDEX_MATCH: &[Arg] = &[
    arg("name", "name", Kind::Str).req(),
    arg("operation", "op", Kind::Str).default("\"==\""),
    arg("value", "value", Kind::Str).req(),
];
const FILTERS: &[Arg] = &[
    arg("blob_types", "blobTypes", Kind::StrList).req(),
    arg("prefix_match", "prefixMatch", Kind::StrList),
    arg(
        "match_blob_index_tag",
        "blobIndexMatch",
        Kind::BlockList(BLOB_INDEX_MATCH),
    ),
];
const RULE: &[Arg] = &[
    arg("name", "name", Kind::Str).req(),
    arg("enabled", "enabled", Kind::Bool).req(),
    arg("filters", "definition.filters", Kind::Block(FILTERS)).req(),
    arg("actions", "definition.actions", Kind::Block(ACTIONS)).req(),
];
const RULES: &[Rep] = &[Rep {
    fixed: &[("type", "\"Lifecycle\"")],
    ..rep("rule", "properties.policy.rules", RULE)
}];
const POLICY: &[Arg] = &[
    arg("storage_account_id", "", Kind::Str).req().force_new(),
    arg("rule", "", Kind::Blocks),
];

fn policy_to_body(a: &Attrs, body: &mut J) {
    repeated::write(RULES, a, body);
    // azurerm's default operation; ARM requires `op`.
    let rules = body
        .pointer_mut("/properties/policy/rules")
        .and_then(J::as_array_mut);
    for rule in rules.into_iter().flatten() {
        let tags = rule
            .pointer_mut("/definition/filters/blobIndexMatch")
            .and_then(J::as_array_mut);
        for tag in tags.into_iter().flatten() {
            if tag.get("op").is_none_or(J::is_null) {
                tag["op"] = json!("==");
            }
        }
    }
}

fn policy_from_body(body: &J, a: &mut Attrs) {
    repeated::read(RULES, body, a);
}

/// The repeated blocks each type maps.
pub(super) fn reps(ty: &str) -> &'static [&'static [Rep]] {
    match ty {
        "azurerm_storage_management_policy" => &[RULES],
        _ => &[],
    }
}

pub(super) fn check(ty: &str, a: &Attrs, out: &mut Vec<ArgProblem>) {
    match ty {
        "azurerm_storage_container" => {
            repeated::refuse(
                a,
                "storage_account_name",
                "it makes the container's id a data-plane URL; use storage_account_id (azurerm 4.x), which manages the container through ARM",
                out,
            );
        }
        "azurerm_storage_management_policy" => repeated::check(RULES, a, "", out),
        _ => {}
    }
}

pub(super) fn defs() -> Vec<TypeDef> {
    vec![
        TypeDef {
            to_body: Some(container_to_body),
            from_body: Some(container_from_body),
            ..def(
                "azurerm_storage_container",
                "Microsoft.Storage/storageAccounts/blobServices/containers",
                "2025-01-01",
                CONTAINER,
                IdRule::Child {
                    parent_arg: "storage_account_id",
                    segment: "blobServices/default/containers",
                },
            )
        },
        TypeDef {
            to_body: Some(policy_to_body),
            from_body: Some(policy_from_body),
            ..def(
                "azurerm_storage_management_policy",
                "Microsoft.Storage/storageAccounts/managementPolicies",
                "2025-01-01",
                POLICY,
                IdRule::Singleton {
                    parent_arg: "storage_account_id",
                    path: "managementPolicies/default",
                },
            )
        },
    ]
}

//! `azurerm_key_vault_secret`: an object of the vault's data plane, not of
//! Resource Manager, written by `azure/key_vault_secret.rs`. Its id is the
//! versioned URL Key Vault gives each version
//! (`{vaultUri}secrets/{name}/{version}`), so it is known only after a
//! write. The paths below are the data plane's secret bundle.

use crate::lang::Value;
use crate::provider::ArgProblem;
use crate::provider::azure::convert::{Arg, Kind, arg};
use crate::provider::azure::typedef::{Attrs, IdRule, TypeDef, def};

pub const TYPE: &str = "azurerm_key_vault_secret";
/// The secrets API version drinfra speaks (azurerm's SDK's).
pub const API: &str = "7.4";

const ARGS: &[Arg] = &[
    arg("name", "", Kind::Str).req().force_new(),
    arg("key_vault_id", "", Kind::Str).req().force_new(),
    // Read back, so a value changed outside drinfra is drift (azurerm's
    // behaviour); sensitive in plans and output.
    Arg {
        sensitive: true,
        ..arg("value", "value", Kind::Str)
    },
    arg("value_wo", "value", Kind::Str).write_only_with("value_wo_version"),
    arg("value_wo_version", "", Kind::Num),
    arg("content_type", "contentType", Kind::Str),
    arg("not_before_date", "attributes.nbf", Kind::Str),
    arg("expiration_date", "attributes.exp", Kind::Str),
    arg("tags", "tags", Kind::StrMap),
    arg("version", "", Kind::Str).read_only(),
    arg("versionless_id", "", Kind::Str).read_only(),
    arg("resource_id", "", Kind::Str).read_only(),
    arg("resource_versionless_id", "", Kind::Str).read_only(),
];

/// The attributes a new version changes: what a change of value (or of
/// `value_wo_version`) leaves unknown until apply.
pub const PER_VERSION: &[&str] = &["id", "version", "resource_id"];

pub(super) fn check(ty: &str, a: &Attrs, out: &mut Vec<ArgProblem>) {
    if ty != TYPE {
        return;
    }
    let set = |k: &str| a.get(k).is_some_and(|v| !v.is_null());
    if set("value") == set("value_wo") {
        out.push(ArgProblem {
            argument: None,
            summary: "Invalid combination of arguments".into(),
            detail: "exactly one of `value` and `value_wo` must be specified, as azurerm requires."
                .into(),
        });
    }
    if set("value_wo_version") && !set("value_wo") {
        out.push(ArgProblem {
            argument: Some("value_wo_version".into()),
            summary: "Missing required argument".into(),
            detail: "`value_wo_version` goes with `value_wo`, as azurerm requires.".into(),
        });
    }
    if let Some(Value::String(n)) = a.get("name").map(|v| v.unmark().0)
        && !((1..=127).contains(&n.len())
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        out.push(ArgProblem {
            argument: Some("name".into()),
            summary: "Invalid value".into(),
            detail: format!(
                "a Key Vault secret's name is 1-127 letters, digits and hyphens, not {n:?}."
            ),
        });
    }
    for k in ["not_before_date", "expiration_date"] {
        if let Some(Value::String(s)) = a.get(k).map(|v| v.unmark().0)
            && crate::timefmt::parse_rfc3339(s).is_none()
        {
            out.push(ArgProblem {
                argument: Some(k.into()),
                summary: "Invalid value".into(),
                detail: format!(
                    "{k} must be an RFC 3339 time (e.g. 2030-01-01T00:00:00Z), not {s:?}."
                ),
            });
        }
    }
}

pub(super) fn defs() -> Vec<TypeDef> {
    vec![def(
        TYPE,
        "Microsoft.KeyVault/vaults/secrets",
        API,
        ARGS,
        IdRule::Url {
            parent_arg: "key_vault_id",
        },
    )]
}

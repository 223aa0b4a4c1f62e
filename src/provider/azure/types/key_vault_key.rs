//! `azurerm_key_vault_key`: a key of the vault's data plane, written by
//! `azure/key_vault_key.rs` like a secret (`key_vault_secret.rs`). Its id
//! is the versioned URL Key Vault gives the key's version
//! (`{vaultUri}keys/{name}/{version}`). The paths below are the data
//! plane's key bundle.

use crate::lang::Value;
use crate::provider::ArgProblem;
use crate::provider::azure::convert::{Arg, Kind, arg};
use crate::provider::azure::typedef::{Attrs, IdRule, TypeDef, def};

pub const TYPE: &str = "azurerm_key_vault_key";
/// The keys API version drinfra speaks (the secrets' one).
pub const API: &str = super::key_vault_secret::API;

/// Key types and the operations a key may allow, as azurerm accepts them.
pub const KEY_TYPES: &[&str] = &["EC", "EC-HSM", "RSA", "RSA-HSM"];
const CURVES: &[&str] = &["P-256", "P-256K", "P-384", "P-521"];
const KEY_OPTS: &[&str] = &[
    "decrypt",
    "encrypt",
    "sign",
    "unwrapKey",
    "verify",
    "wrapKey",
];

const ARGS: &[Arg] = &[
    arg("name", "", Kind::Str).req().force_new(),
    arg("key_vault_id", "", Kind::Str).req().force_new(),
    arg("key_type", "key.kty", Kind::Str).req().force_new(),
    arg("key_size", "", Kind::Num).force_new(),
    // Key Vault's default (P-256) when an EC key gives none.
    arg("curve", "key.crv", Kind::Str).force_new().computed(),
    arg("key_opts", "key.key_ops", Kind::StrList).req(),
    arg("not_before_date", "attributes.nbf", Kind::Str),
    arg("expiration_date", "attributes.exp", Kind::Str),
    arg("tags", "tags", Kind::StrMap),
    // Refused in `check` with the reason.
    arg("rotation_policy", "", Kind::Blocks),
    arg("release_policy", "", Kind::Blocks).force_new(),
    arg("version", "", Kind::Str).read_only(),
    arg("versionless_id", "", Kind::Str).read_only(),
    arg("resource_id", "", Kind::Str).read_only(),
    arg("resource_versionless_id", "", Kind::Str).read_only(),
    arg("n", "key.n", Kind::Str).read_only(),
    arg("e", "key.e", Kind::Str).read_only(),
    arg("x", "key.x", Kind::Str).read_only(),
    arg("y", "key.y", Kind::Str).read_only(),
    arg("public_key_pem", "", Kind::Str).read_only(),
    arg("public_key_openssh", "", Kind::Str).read_only(),
];

fn invalid(k: &str, detail: String) -> ArgProblem {
    ArgProblem {
        argument: Some(k.into()),
        summary: "Invalid value".into(),
        detail,
    }
}

pub(super) fn check(ty: &str, a: &Attrs, out: &mut Vec<ArgProblem>) {
    if ty != TYPE {
        return;
    }
    let text = |k: &str| match a.get(k).map(|v| v.unmark().0) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    super::repeated::refuse(
        a,
        "rotation_policy",
        "Key Vault's key rotation policies are not mapped yet; set them outside drinfra (the emulator keeps none)",
        out,
    );
    super::repeated::refuse(
        a,
        "release_policy",
        "secure key release policies (confidential computing attestation) are not mapped",
        out,
    );
    if let Some(n) = text("name")
        && !((1..=127).contains(&n.len())
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        out.push(invalid(
            "name",
            format!("a Key Vault key's name is 1-127 letters, digits and hyphens, not {n:?}."),
        ));
    }
    let kty = text("key_type");
    if let Some(t) = &kty
        && !KEY_TYPES.contains(&t.as_str())
    {
        out.push(invalid(
            "key_type",
            format!("key_type is one of {}, not {t:?}.", KEY_TYPES.join(", ")),
        ));
    }
    let rsa = kty.as_deref().is_some_and(|t| t.starts_with("RSA"));
    let size_set = a.get("key_size").is_some_and(|v| !v.is_null());
    if rsa && !size_set {
        out.push(ArgProblem {
            argument: Some("key_size".into()),
            summary: "Missing required argument".into(),
            detail: "key_size is required when key_type is RSA or RSA-HSM, as azurerm requires."
                .into(),
        });
    }
    if let Some(c) = text("curve")
        && !CURVES.contains(&c.as_str())
    {
        out.push(invalid(
            "curve",
            format!("curve is one of {}, not {c:?}.", CURVES.join(", ")),
        ));
    }
    if let Some(ops) = a.get("key_opts").and_then(Value::as_seq) {
        for op in ops {
            if let Value::String(o) = op.unmark().0
                && !KEY_OPTS.contains(&o.as_str())
            {
                out.push(invalid(
                    "key_opts",
                    format!(
                        "each of key_opts is one of {}, not {o:?}.",
                        KEY_OPTS.join(", ")
                    ),
                ));
            }
        }
    }
    for k in ["not_before_date", "expiration_date"] {
        if let Some(s) = text(k)
            && crate::timefmt::parse_rfc3339(&s).is_none()
        {
            out.push(invalid(
                k,
                format!("{k} must be an RFC 3339 time (e.g. 2030-01-01T00:00:00Z), not {s:?}."),
            ));
        }
    }
}

pub(super) fn defs() -> Vec<TypeDef> {
    vec![def(
        TYPE,
        "Microsoft.KeyVault/vaults/keys",
        API,
        ARGS,
        IdRule::Url {
            parent_arg: "key_vault_id",
        },
    )]
}

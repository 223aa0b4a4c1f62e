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

/// `rotation_policy.automatic`: the policy's `Rotate` action. Unset
/// strings are `""` in state, as azurerm's SDK records them.
const AUTOMATIC: &[Arg] = &[
    arg("time_after_creation", "", Kind::Str).default("\"\""),
    arg("time_before_expiry", "", Kind::Str).default("\"\""),
];
/// `rotation_policy`: `keys/{name}/rotationpolicy`, written by
/// `azure/key_vault_key_policies.rs`.
const ROTATION: &[Arg] = &[
    arg("expire_after", "", Kind::Str).default("\"\""),
    arg("notify_before_expiry", "", Kind::Str).default("\"\""),
    arg("automatic", "", Kind::Block(AUTOMATIC)),
];
/// `release_policy`: the key bundle's `release_policy` (its `data` the
/// JSON policy, base64url-encoded).
const RELEASE: &[Arg] = &[
    arg("json", "", Kind::Str).req(),
    arg("immutable", "", Kind::Bool).default("false"),
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
    arg("rotation_policy", "", Kind::Block(ROTATION)),
    arg("release_policy", "", Kind::Block(RELEASE)).force_new(),
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
    check_rotation(a, out);
    check_release(a, out);
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

/// The first block `k` of `a` writes.
fn first_block<'a>(a: &'a Attrs, k: &str) -> Option<&'a Attrs> {
    a.get(k)?.as_seq()?.first()?.as_mapping()
}

fn text_of(a: &Attrs, k: &str) -> Option<String> {
    match a.get(k).map(|v| v.unmark().0) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// An ISO 8601 duration argument between `min` and `max` days (as
/// azurerm's `ISO8601DurationBetween`; None: any length).
fn duration(
    b: &Attrs,
    at: &str,
    k: &str,
    range: Option<(f64, f64, &str)>,
    out: &mut Vec<ArgProblem>,
) {
    let Some(s) = text_of(b, k) else { return };
    let name = format!("{at}.{k}");
    match (crate::timefmt::iso8601_days(&s), range) {
        (None, _) => out.push(invalid(
            &name,
            format!("{name} must be an ISO 8601 duration (e.g. P90D), not {s:?}."),
        )),
        (Some(d), Some((min, max, shown))) if d < min || d > max => out.push(invalid(
            &name,
            format!("{name} must be between {shown}, not {s:?}."),
        )),
        _ => {}
    }
}

/// azurerm's rules for `rotation_policy`: durations, `expire_after` and
/// `notify_before_expiry` set together, and at least one of
/// `expire_after` and `automatic` (and of `automatic`'s two triggers).
fn check_rotation(a: &Attrs, out: &mut Vec<ArgProblem>) {
    let Some(p) = first_block(a, "rotation_policy") else {
        return;
    };
    let at = "rotation_policy";
    duration(
        p,
        at,
        "expire_after",
        Some((28.0, 36500.0, "P28D and P100Y")),
        out,
    );
    duration(
        p,
        at,
        "notify_before_expiry",
        Some((7.0, 36493.0, "P7D and P36493D")),
        out,
    );
    let set = |k: &str| {
        p.get(k)
            .is_some_and(|v| !v.is_null() && v.unmark().0 != &Value::String(String::new()))
    };
    if set("expire_after") != set("notify_before_expiry") {
        out.push(invalid(
            at,
            "rotation_policy: expire_after and notify_before_expiry are set together, as azurerm requires.".into(),
        ));
    }
    let automatic = first_block(p, "automatic");
    if !set("expire_after") && automatic.is_none() {
        out.push(invalid(
            at,
            "rotation_policy needs expire_after or an automatic block (azurerm's AtLeastOneOf)."
                .into(),
        ));
    }
    if let Some(r) = automatic {
        let at = "rotation_policy.automatic";
        duration(r, at, "time_after_creation", None, out);
        duration(r, at, "time_before_expiry", None, out);
        if text_of(r, "time_after_creation").is_none() && text_of(r, "time_before_expiry").is_none()
        {
            out.push(invalid(
                at,
                "rotation_policy.automatic needs time_after_creation or time_before_expiry.".into(),
            ));
        }
    }
}

/// `release_policy.json` must be a JSON document: Key Vault takes the
/// policy as JSON.
fn check_release(a: &Attrs, out: &mut Vec<ArgProblem>) {
    if let Some(p) = first_block(a, "release_policy")
        && let Some(j) = text_of(p, "json")
        && serde_json::from_str::<serde_json::Value>(&j).is_err()
    {
        out.push(invalid(
            "release_policy.json",
            "release_policy.json must be a JSON document (Key Vault's release policy grammar)."
                .into(),
        ));
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

//! Key Vault keys in the emulator's data plane (`key_vault_data.rs` routes,
//! authorizes and keeps versions; this module makes a key version and
//! its JSON Web Key).
//!
//! The key material has Key Vault's shapes and lengths (an RSA modulus of
//! exactly `key_size` bits with `e` = 65537, EC coordinates of the
//! curve's size) but is random bytes, not a generated key pair: the
//! emulator performs no cryptographic operation with it, and an EC
//! "point" is not on its curve.

use base64::Engine as _;
use serde_json::{Value as J, json};

/// Why a key cannot be made: a bad request (Key Vault's 400
/// `BadParameter`), or no randomness.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyError {
    Bad(String),
    Random(String),
}

/// Key types Key Vault creates in a vault (managed HSM's `oct-HSM` aside).
const TYPES: &[&str] = &["RSA", "RSA-HSM", "EC", "EC-HSM"];
const RSA_SIZES: &[u64] = &[2048, 3072, 4096];
/// Curves and their coordinates' length in bytes.
const CURVES: &[(&str, usize)] = &[("P-256", 32), ("P-256K", 32), ("P-384", 48), ("P-521", 66)];
/// Operations a key may allow.
const OPS: &[&str] = &[
    "encrypt",
    "decrypt",
    "sign",
    "verify",
    "wrapKey",
    "unwrapKey",
    "import",
    "export",
];

fn bad(message: impl Into<String>) -> KeyError {
    KeyError::Bad(message.into())
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn random(len: usize) -> Result<Vec<u8>, KeyError> {
    let mut b = vec![0u8; len];
    crate::random::fill(&mut b).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(b)
}

/// `key_ops` as given (each one Key Vault knows), or all of them.
fn key_ops(body: &J) -> Result<J, KeyError> {
    let Some(given) = body.get("key_ops").filter(|v| !v.is_null()) else {
        return Ok(json!(OPS[..6]));
    };
    let list = given
        .as_array()
        .ok_or_else(|| bad("key_ops must be an array of strings."))?;
    for op in list {
        match op.as_str() {
            Some(o) if OPS.contains(&o) => {}
            _ => return Err(bad(format!("Invalid key operation: {op}."))),
        }
    }
    Ok(given.clone())
}

/// The JSON Web Key a create request (`POST keys/{name}/create`) makes on
/// a vault of SKU `sku` (HSM-protected keys need `premium`).
pub fn new_key(body: &J, sku: &str) -> Result<J, KeyError> {
    let kty = body
        .get("kty")
        .and_then(J::as_str)
        .ok_or_else(|| bad("Property 'kty' is required."))?;
    if !TYPES.contains(&kty) {
        return Err(bad(format!(
            "Invalid key type: {kty}. Expected one of {}.",
            TYPES.join(", ")
        )));
    }
    if kty.ends_with("-HSM") && !sku.eq_ignore_ascii_case("premium") {
        return Err(bad(format!(
            "Key type {kty} is only allowed in premium vaults (this one is {sku})."
        )));
    }
    let mut key = json!({"kty": kty, "key_ops": key_ops(body)?});
    if kty.starts_with("RSA") {
        let size = body.get("key_size").and_then(J::as_u64).unwrap_or(2048);
        if !RSA_SIZES.contains(&size) {
            return Err(bad(format!(
                "Invalid key size {size} for an RSA key: 2048, 3072 or 4096."
            )));
        }
        // Exactly `size` bits: the top bit set (and odd, as a modulus is).
        let mut n = random(size as usize / 8)?;
        n[0] |= 0x80;
        if let Some(last) = n.last_mut() {
            *last |= 1;
        }
        key["n"] = json!(b64url(&n));
        key["e"] = json!(b64url(&[1, 0, 1]));
    } else {
        let crv = body.get("crv").and_then(J::as_str).unwrap_or("P-256");
        let len = CURVES
            .iter()
            .find(|(c, _)| *c == crv)
            .map(|(_, l)| *l)
            .ok_or_else(|| {
                bad(format!(
                    "Invalid curve {crv}: P-256, P-256K, P-384 or P-521."
                ))
            })?;
        let mut xy = [random(len)?, random(len)?];
        if crv == "P-521" {
            // 521 bits: the first byte holds one bit.
            for c in &mut xy {
                c[0] &= 0x01;
            }
        }
        key["crv"] = json!(crv);
        key["x"] = json!(b64url(&xy[0]));
        key["y"] = json!(b64url(&xy[1]));
    }
    Ok(key)
}

/// Key Vault's content type of a release policy when none is given.
pub const RELEASE_POLICY_JSON: &str = "application/json; charset=utf-8";

/// A create or update request's `release_policy` (None: not given),
/// checked: `data` is the policy, base64url-encoded, and JSON when the
/// content type is (the default).
pub fn release_policy(body: &J) -> Result<Option<J>, KeyError> {
    let Some(p) = body.get("release_policy").filter(|p| !p.is_null()) else {
        return Ok(None);
    };
    let data = p["data"]
        .as_str()
        .ok_or_else(|| bad("release_policy.data is required: the policy, base64url-encoded."))?;
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(data.trim_end_matches('='))
        .map_err(|_| bad("release_policy.data is not base64url."))?;
    let content_type = p["contentType"].as_str().unwrap_or(RELEASE_POLICY_JSON);
    if content_type
        .to_ascii_lowercase()
        .starts_with("application/json")
        && serde_json::from_slice::<J>(&decoded).is_err()
    {
        return Err(bad("release_policy.data does not hold a JSON policy."));
    }
    let immutable = match p.get("immutable") {
        None | Some(J::Null) => false,
        Some(J::Bool(b)) => *b,
        Some(_) => return Err(bad("release_policy.immutable must be a boolean.")),
    };
    Ok(Some(json!({
        "contentType": content_type,
        "data": b64url(&decoded),
        "immutable": immutable,
    })))
}

/// Whether a create request asks for an exportable key, which Key Vault
/// makes only with a release policy.
pub fn check_exportable(body: &J, policy: Option<&J>) -> Result<(), KeyError> {
    if body["attributes"]["exportable"] == json!(true) && policy.is_none() {
        return Err(bad(
            "Release policy must be provided when creating the first version of an exportable key.",
        ));
    }
    Ok(())
}

/// An update's `key_ops`, checked (None: not given).
pub fn updated_ops(body: &J) -> Result<Option<J>, KeyError> {
    match body.get("key_ops") {
        None | Some(J::Null) => Ok(None),
        Some(_) => key_ops(body).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(v: &J) -> Vec<u8> {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(v.as_str().unwrap())
            .unwrap()
    }

    #[test]
    fn rsa_moduli_have_the_requested_bits_and_ec_coordinates_the_curve_size() {
        for size in [2048usize, 3072, 4096] {
            let k = new_key(&json!({"kty": "RSA", "key_size": size}), "standard").unwrap();
            let n = decoded(&k["n"]);
            assert_eq!((n.len() * 8, n[0] >> 7), (size, 1));
            assert_eq!(k["e"], "AQAB");
        }
        for (crv, len) in CURVES {
            let k = new_key(&json!({"kty": "EC", "crv": crv}), "standard").unwrap();
            assert_eq!(
                (decoded(&k["x"]).len(), decoded(&k["y"]).len()),
                (*len, *len)
            );
        }
    }

    #[test]
    fn release_policies_are_base64url_json() {
        let data = b64url(br#"{"version":"1.0.0","anyOf":[]}"#);
        let p = release_policy(&json!({"release_policy": {"data": data}}))
            .unwrap()
            .unwrap();
        assert_eq!(
            (p["contentType"].as_str(), p["immutable"].as_bool()),
            (Some(RELEASE_POLICY_JSON), Some(false))
        );
        assert_eq!(release_policy(&json!({})), Ok(None));
        for bad in [
            json!({}),
            json!({"data": "!!"}),
            json!({"data": b64url(b"not json")}),
        ] {
            assert!(release_policy(&json!({"release_policy": bad})).is_err());
        }
        let exportable = json!({"attributes": {"exportable": true}});
        assert!(check_exportable(&exportable, None).is_err());
        assert!(check_exportable(&exportable, Some(&p)).is_ok());
    }

    #[test]
    fn bad_requests_are_refused() {
        let refused = |b: J, sku: &str| {
            new_key(&b, sku)
                .err()
                .map(|e| matches!(e, KeyError::Bad(_)))
        };
        assert_eq!(
            refused(json!({"kty": "RSA", "key_size": 1024}), "standard"),
            Some(true)
        );
        assert_eq!(
            refused(json!({"kty": "EC", "crv": "P-999"}), "standard"),
            Some(true)
        );
        assert_eq!(refused(json!({"kty": "RSA-HSM"}), "standard"), Some(true));
        assert_eq!(refused(json!({"kty": "RSA-HSM"}), "premium"), None);
        assert_eq!(
            refused(json!({"kty": "RSA", "key_ops": ["fly"]}), "standard"),
            Some(true)
        );
    }
}

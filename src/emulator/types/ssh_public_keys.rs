//! Microsoft.Compute/sshPublicKeys: a stored SSH public key, given on
//! create or made by the `generateKeyPair` action, which answers the pair
//! (`privateKey`, `publicKey`, `id`) once and keeps the public half in
//! `properties.publicKey`, as Azure does.
//!
//! The key material has Azure's shapes (an OpenSSH `ssh-rsa` line with a
//! 3072-bit modulus and `e` = 65537, a PEM PKCS #1 `RSA PRIVATE KEY` with
//! all nine fields) but is random bytes, not a generated key pair: no
//! crate the project has generates RSA keys, and the emulator performs no
//! SSH with it. Only RSA is made; `encryptionType = "Ed25519"` is refused.

use crate::der::tlv;
use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Value as J, json};

use super::*;

const TYPE: &str = "Microsoft.Compute/sshPublicKeys";
const VERSIONS: &[&str] = &[
    "2024-03-01",
    "2019-12-01",
    "2020-06-01",
    "2020-12-01",
    "2021-03-01",
    "2021-04-01",
    "2021-07-01",
    "2021-11-01",
    "2022-03-01",
    "2022-08-01",
    "2022-11-01",
    "2023-03-01",
    "2023-07-01",
    "2023-09-01",
    "2024-07-01",
    "2024-11-01",
];
/// Azure's generated RSA keys are 3072 bits.
const MODULUS_BYTES: usize = 384;

fn key_name(n: &str) -> Result<(), InvalidName> {
    name_rule(n, 1, 128, "-_.", "an SSH public key")
}

fn check_key(_: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    if let Some(k) = prop(body, &["publicKey"])
        && !k.is_string()
    {
        return Err(
            ArmError::bad_request("InvalidParameter", "'publicKey' must be a string.")
                .with_target("properties.publicKey"),
        );
    }
    props(body);
    Ok(Write::body(body.clone()))
}

fn generate(
    _: &Ctx,
    row: &Row,
    action: &str,
    request: &J,
    _: &BTreeMap<String, String>,
) -> Result<Action, ArmError> {
    if !action.eq_ignore_ascii_case("generateKeyPair") {
        return Err(ArmError::bad_request(
            "InvalidAction",
            format!("SSH public keys have no action '{action}'."),
        ));
    }
    match request.get("encryptionType").and_then(J::as_str) {
        None | Some("RSA") => {}
        Some(other) => {
            return Err(ArmError::bad_request(
                "InvalidParameter",
                format!(
                    "encryptionType '{other}': the emulator generates RSA key pairs only (Azure also makes Ed25519)."
                ),
            )
            .with_target("encryptionType"));
        }
    }
    if str_prop(&row.body, &["publicKey"]).is_some_and(|k| !k.is_empty()) {
        return Err(ArmError::conflict(
            "OperationNotAllowed",
            format!(
                "The SSH public key '{}' already has a public key: a key pair can be generated once per SSH public key resource.",
                row.id.rsplit('/').next().unwrap_or_default()
            ),
        ));
    }
    let (public, private) = key_pair().map_err(internal)?;
    let mut stored = row.body.clone();
    props(&mut stored).insert("publicKey".into(), json!(public));
    Ok(Action {
        effects: vec![(row.id.clone(), TYPE.to_string(), Some(stored))],
        secs: 0.0,
        result: Some(json!({
            "privateKey": private,
            "publicKey": public,
            "id": row.id,
        })),
        data: None,
    })
}

/// An OpenSSH public key line and a PEM private key, of random material.
fn key_pair() -> Result<(String, String), crate::random::RandomError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let random = |len: usize| -> Result<Vec<u8>, crate::random::RandomError> {
        let mut v = vec![0u8; len];
        crate::random::fill(&mut v)?;
        // The full length, odd (as a modulus and primes are).
        v[0] |= 0x80;
        v[len - 1] |= 1;
        Ok(v)
    };
    let e = [0x01, 0x00, 0x01];
    let n = random(MODULUS_BYTES)?;
    // RFC 4253: string "ssh-rsa", mpint e, mpint n.
    let mut wire = Vec::new();
    for field in [b"ssh-rsa".to_vec(), mpint(&e), mpint(&n)] {
        wire.extend((field.len() as u32).to_be_bytes());
        wire.extend(field);
    }
    let public = format!("ssh-rsa {}", b64.encode(&wire));
    // PKCS #1 RSAPrivateKey: version, n, e, d, p, q, dp, dq, qinv.
    let half = MODULUS_BYTES / 2;
    let mut fields = vec![tlv(0x02, &[0]), tlv(0x02, &mpint(&n)), tlv(0x02, &e)];
    for len in [MODULUS_BYTES, half, half, half, half, half] {
        fields.push(tlv(0x02, &mpint(&random(len)?)));
    }
    let text = b64.encode(tlv(0x30, &fields.concat()));
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    let private = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
        lines.join("\n")
    );
    Ok((public, private))
}

/// A positive big-endian integer as SSH and DER write it: a leading zero
/// byte when the top bit is set.
fn mpint(v: &[u8]) -> Vec<u8> {
    if v.first().is_some_and(|b| b & 0x80 != 0) {
        [&[0u8][..], v].concat()
    } else {
        v.to_vec()
    }
}

pub fn spec() -> Spec {
    Spec {
        located: true,
        action: Some(generate),
        sync_actions: true,
        ..Spec::plain(TYPE, VERSIONS, key_name, check_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pair_has_azures_formats() {
        let (public, private) = key_pair().unwrap();
        let b64 = base64::engine::general_purpose::STANDARD;
        let blob = b64
            .decode(public.strip_prefix("ssh-rsa ").unwrap())
            .unwrap();
        // string "ssh-rsa" (4+7), mpint e (4+3), mpint n (4+1+384).
        assert_eq!(&blob[..11], b"\0\0\0\x07ssh-rsa");
        assert_eq!(&blob[11..18], b"\0\0\0\x03\x01\x00\x01");
        assert_eq!(&blob[18..23], b"\0\0\x01\x81\0");
        assert_eq!(blob.len(), 23 + MODULUS_BYTES);
        let body: String = private
            .strip_prefix("-----BEGIN RSA PRIVATE KEY-----\n")
            .and_then(|p| p.strip_suffix("\n-----END RSA PRIVATE KEY-----\n"))
            .unwrap()
            .lines()
            .inspect(|l| assert!(l.len() <= 64))
            .collect();
        let der = b64.decode(body).unwrap();
        // A SEQUENCE with a two-byte long-form length spanning the rest,
        // then version 0 and the same modulus as the public key.
        assert_eq!(der[..2], [0x30, 0x82]);
        assert_eq!(
            usize::from(der[2]) << 8 | usize::from(der[3]),
            der.len() - 4
        );
        assert_eq!(der[4..7], [0x02, 0x01, 0x00]);
        assert_eq!(der[7..11], [0x02, 0x82, 0x01, 0x81]);
        assert_eq!(der[11..11 + 385], blob[22..]);
    }
}

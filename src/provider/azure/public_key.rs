//! A Key Vault key's public half as azurerm exports it: PEM of the
//! SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`, Go's
//! `x509.MarshalPKIXPublicKey`) and an OpenSSH authorized-keys line
//! (`ssh.MarshalAuthorizedKey`, newline included), from the JSON Web
//! Key's `n`/`e` (RSA) or `crv`/`x`/`y` (EC). A small DER writer is all
//! this needs.

use crate::der::tlv;
use base64::Engine as _;

/// rsaEncryption, 1.2.840.113549.1.1.1.
const RSA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// id-ecPublicKey, 1.2.840.10045.2.1.
const EC_OID: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

/// A named curve's OID and OpenSSH name (Go's x509 and ssh packages know
/// only the NIST curves: P-256K gets neither export, as in azurerm).
fn curve(crv: &str) -> Option<(&'static [u8], &'static str)> {
    match crv {
        "P-256" => Some((
            &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
            "nistp256",
        )),
        "P-384" => Some((&[0x2b, 0x81, 0x04, 0x00, 0x22], "nistp384")),
        "P-521" => Some((&[0x2b, 0x81, 0x04, 0x00, 0x23], "nistp521")),
        _ => None,
    }
}

/// An unsigned big-endian number as a two's-complement positive integer
/// (DER INTEGER and SSH mpint share the rule): no leading zeros, one
/// added when the top bit is set.
fn positive(n: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = n.iter().copied().skip_while(|b| *b == 0).collect();
    match trimmed.first() {
        None => vec![0],
        Some(b) if b & 0x80 != 0 => [&[0u8][..], &trimmed].concat(),
        Some(_) => trimmed,
    }
}

fn spki(algorithm: &[u8], key: &[u8]) -> Vec<u8> {
    let bits = [&[0u8][..], key].concat();
    tlv(0x30, &[tlv(0x30, algorithm), tlv(0x03, &bits)].concat())
}

fn pem(spki: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(spki);
    let mut out = String::from("-----BEGIN PUBLIC KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END PUBLIC KEY-----\n");
    out
}

/// An SSH wire string (u32 length, bytes).
fn ssh_string(out: &mut Vec<u8>, b: &[u8]) {
    out.extend((b.len() as u32).to_be_bytes());
    out.extend_from_slice(b);
}

fn authorized(kind: &str, blob: &[u8]) -> String {
    format!(
        "{kind} {}\n",
        base64::engine::general_purpose::STANDARD.encode(blob)
    )
}

/// PEM and OpenSSH forms of an RSA key (modulus `n`, exponent `e`,
/// unsigned big-endian).
pub fn rsa(n: &[u8], e: &[u8]) -> (String, String) {
    let algorithm = [tlv(0x06, RSA_OID), tlv(0x05, &[])].concat();
    let key = tlv(
        0x30,
        &[tlv(0x02, &positive(n)), tlv(0x02, &positive(e))].concat(),
    );
    let mut blob = vec![];
    ssh_string(&mut blob, b"ssh-rsa");
    ssh_string(&mut blob, &positive(e));
    ssh_string(&mut blob, &positive(n));
    (pem(&spki(&algorithm, &key)), authorized("ssh-rsa", &blob))
}

/// PEM and OpenSSH forms of an EC key on `crv` (None: a curve azurerm
/// exports neither for).
pub fn ec(crv: &str, x: &[u8], y: &[u8]) -> Option<(String, String)> {
    let (oid, ssh_name) = curve(crv)?;
    let point = [&[0x04u8][..], x, y].concat();
    let algorithm = [tlv(0x06, EC_OID), tlv(0x06, oid)].concat();
    let kind = format!("ecdsa-sha2-{ssh_name}");
    let mut blob = vec![];
    ssh_string(&mut blob, kind.as_bytes());
    ssh_string(&mut blob, ssh_name.as_bytes());
    ssh_string(&mut blob, &point);
    Some((pem(&spki(&algorithm, &point)), authorized(&kind, &blob)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_over_127_bytes_take_the_long_form() {
        assert_eq!(tlv(0x04, &[7; 3]), vec![0x04, 3, 7, 7, 7]);
        let long = tlv(0x04, &[0; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(positive(&[0, 0, 0x80]), vec![0, 0x80]);
        assert_eq!(positive(&[0, 1]), vec![1]);
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Keys made by `openssl genrsa 1024` and `openssl ecparam -name
    /// prime256v1 -genkey`: `openssl ... -pubout` and `ssh-keygen -y` gave
    /// the expected forms.
    #[test]
    fn known_keys_encode_as_openssl_and_ssh_keygen_do() {
        let n = hex(
            "ab183fda5a290067f89035ada4a6d16e37ed81730565c1d9f5449d6875ece9625dccb1e01fc76a324e6489167f25d085ff65d0993f9d53553b52af8c9c7987257d2cf5efe3fdb2710400ebf267fb56b4c4eab5be3f4efa09a8a359091be105e184abc30dd491557120883780044c9746b3637caa2f8ea4efafa0ce4863fd5165",
        );
        let (pem, ssh) = rsa(&n, &[1, 0, 1]);
        assert_eq!(
            pem,
            "-----BEGIN PUBLIC KEY-----\nMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCrGD/aWikAZ/iQNa2kptFuN+2B\ncwVlwdn1RJ1odezpYl3MseAfx2oyTmSJFn8l0IX/ZdCZP51TVTtSr4yceYclfSz1\n7+P9snEEAOvyZ/tWtMTqtb4/TvoJqKNZCRvhBeGEq8MN1JFVcSCIN4AETJdGs2N8\nqi+OpO+voM5IY/1RZQIDAQAB\n-----END PUBLIC KEY-----\n"
        );
        assert_eq!(
            ssh,
            "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCrGD/aWikAZ/iQNa2kptFuN+2BcwVlwdn1RJ1odezpYl3MseAfx2oyTmSJFn8l0IX/ZdCZP51TVTtSr4yceYclfSz17+P9snEEAOvyZ/tWtMTqtb4/TvoJqKNZCRvhBeGEq8MN1JFVcSCIN4AETJdGs2N8qi+OpO+voM5IY/1RZQ==\n"
        );
        let x = hex("78fc3721f4fe7ab284d6a883f0a66b8702e904e9211bd1d2b143f521edbac310");
        let y = hex("7343c466ab67fdadcde28f4f8a002c6948af462f243f874be01b91a209ad9fc4");
        let (pem, ssh) = ec("P-256", &x, &y).unwrap();
        assert_eq!(
            pem,
            "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEePw3IfT+erKE1qiD8KZrhwLpBOkh\nG9HSsUP1Ie26wxBzQ8Rmq2f9rc3ij0+KACxpSK9GLyQ/h0vgG5GiCa2fxA==\n-----END PUBLIC KEY-----\n"
        );
        assert_eq!(
            ssh,
            "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHj8NyH0/nqyhNaog/Cma4cC6QTpIRvR0rFD9SHtusMQc0PEZqtn/a3N4o9PigAsaUivRi8kP4dL4BuRogmtn8Q=\n"
        );
    }

    #[test]
    fn ec_keys_name_their_curve_and_p256k_has_no_export() {
        let (pem, ssh) = ec("P-256", &[1; 32], &[2; 32]).unwrap();
        assert!(
            pem.starts_with("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE")
        );
        assert!(ssh.starts_with(
            "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBA"
        ));
        assert!(ec("P-256K", &[1; 32], &[2; 32]).is_none());
    }
}

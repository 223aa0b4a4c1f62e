//! `rsadecrypt`: RSA PKCS #1 v1.5 decryption with a PEM private key
//! (PKCS #1 `RSA PRIVATE KEY` or PKCS #8 `PRIVATE KEY`).

use base64::Engine as _;
use num_bigint::BigUint;

use super::{CallContext, FnError, FnResult, str_arg};
use crate::lang::value::Value;

/// A DER element: its tag and contents.
fn der_next(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | *b as usize);
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// `(n, d)` from a PKCS #1 RSAPrivateKey.
fn pkcs1(der: &[u8]) -> Option<(BigUint, BigUint)> {
    let (tag, body, _) = der_next(der)?;
    if tag != 0x30 {
        return None;
    }
    let mut ints = Vec::new();
    let mut rest = body;
    while !rest.is_empty() && ints.len() < 4 {
        let (tag, v, r) = der_next(rest)?;
        if tag != 0x02 {
            return None;
        }
        ints.push(BigUint::from_bytes_be(v));
        rest = r;
    }
    let mut it = ints.into_iter().skip(1);
    let n = it.next()?;
    let _e = it.next()?;
    let d = it.next()?;
    Some((n, d))
}

/// PKCS #8 PrivateKeyInfo wrapping an RSA key.
fn pkcs8(der: &[u8]) -> Option<(BigUint, BigUint)> {
    let (tag, body, _) = der_next(der)?;
    if tag != 0x30 {
        return None;
    }
    let (_, _, rest) = der_next(body)?; // version
    let (_, _, rest) = der_next(rest)?; // algorithm
    let (tag, key, _) = der_next(rest)?;
    if tag != 0x04 {
        return None;
    }
    pkcs1(key)
}

fn private_key(pem: &str) -> Result<(BigUint, BigUint), String> {
    let text = pem.trim();
    let (label, body) = text
        .strip_prefix("-----BEGIN ")
        .and_then(|r| r.split_once("-----"))
        .ok_or_else(|| "invalid private key: ssh: no key found".to_string())?;
    let end = format!("-----END {label}-----");
    let body = body
        .split(&end)
        .next()
        .ok_or_else(|| "invalid private key: ssh: no key found".to_string())?;
    let b64: String = body.split_whitespace().collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| "invalid private key: ssh: no key found".to_string())?;
    let key = match label {
        "RSA PRIVATE KEY" => pkcs1(&der),
        "PRIVATE KEY" => pkcs8(&der),
        other => {
            return Err(format!(
                "invalid private key: ssh: unsupported key type {other:?}"
            ));
        }
    };
    key.ok_or_else(|| "invalid private key: failed to parse the key".to_string())
}

pub fn rsadecrypt(a: &[Value], _: &CallContext) -> FnResult {
    let ciphertext = str_arg(a, 0)?;
    let pem = str_arg(a, 1)?;
    let c = base64::engine::general_purpose::STANDARD
        .decode(ciphertext.as_bytes())
        .map_err(|_| {
            FnError::Arg(
                0,
                format!(
                    "failed to decode input {ciphertext:?}: cipher text must be base64-encoded"
                ),
            )
        })?;
    let (n, d) = private_key(&pem).map_err(|e| FnError::Arg(1, e))?;
    let k = n.to_bytes_be().len();
    let c = BigUint::from_bytes_be(&c);
    if c >= n || k < 11 {
        return Err(FnError::Msg(
            "failed to decrypt: crypto/rsa: decryption error".into(),
        ));
    }
    let m = c.modpow(&d, &n).to_bytes_be();
    // EM = 0x00 || 0x02 || PS (non-zero) || 0x00 || M, left-padded to k.
    let mut em = vec![0u8; k.saturating_sub(m.len())];
    em.extend_from_slice(&m);
    let ok = em.len() == k && em[0] == 0 && em[1] == 2;
    let sep = em.iter().skip(2).position(|b| *b == 0).map(|p| p + 2);
    match sep {
        Some(s) if ok && s >= 10 => String::from_utf8(em[s + 1..].to_vec())
            .map(Value::String)
            .map_err(|_| FnError::Msg("the decrypted message is not valid UTF-8".into())),
        _ => Err(FnError::Msg(
            "failed to decrypt: crypto/rsa: decryption error".into(),
        )),
    }
}

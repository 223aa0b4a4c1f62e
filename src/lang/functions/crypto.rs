//! Hash functions (hex digests of the UTF-8 bytes).

use md5::Digest as _;

use super::{CallContext, FnError, FnResult, str_arg};
use crate::lang::value::Value;

/// Lowercase hex digits of `bytes`, as the hash functions return.
pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn md5(a: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::String(hex(&md5::Md5::digest(
        str_arg(a, 0)?.as_bytes(),
    ))))
}
pub fn sha1(a: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::String(hex(&sha1::Sha1::digest(
        str_arg(a, 0)?.as_bytes(),
    ))))
}
pub fn sha256(a: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::String(hex(&sha2::Sha256::digest(
        str_arg(a, 0)?.as_bytes(),
    ))))
}

pub fn sha512(a: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::String(hex(&sha2::Sha512::digest(
        str_arg(a, 0)?.as_bytes(),
    ))))
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn base64sha256(a: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::String(b64(&sha2::Sha256::digest(
        str_arg(a, 0)?.as_bytes(),
    ))))
}

pub fn base64sha512(a: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::String(b64(&sha2::Sha512::digest(
        str_arg(a, 0)?.as_bytes(),
    ))))
}

pub(super) fn b64_digest(bytes: &[u8], sha512: bool) -> String {
    if sha512 {
        b64(&sha2::Sha512::digest(bytes))
    } else {
        b64(&sha2::Sha256::digest(bytes))
    }
}

pub(super) fn hex_sha512(bytes: &[u8]) -> String {
    hex(&sha2::Sha512::digest(bytes))
}

/// A random (version 4) UUID; unknown while planning, as in Terraform.
pub fn uuid(_: &[Value], _: &CallContext) -> FnResult {
    crate::random::uuid_v4()
        .map(Value::String)
        .map_err(|e| FnError::Msg(e.to_string()))
}

fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let hexits: String = s.chars().filter(|c| *c != '-').collect();
    let dashes_ok = s.len() == 36
        && s.char_indices()
            .all(|(i, c)| (c == '-') == matches!(i, 8 | 13 | 18 | 23));
    if hexits.len() != 32 || !dashes_ok {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(hexits.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// A name-based (version 5, SHA-1) UUID in one of RFC 4122's namespaces
/// (`dns`, `url`, `oid`, `x500`) or a namespace given as a UUID.
pub fn uuidv5(a: &[Value], _: &CallContext) -> FnResult {
    let ns_text = str_arg(a, 0)?;
    let name = str_arg(a, 1)?;
    let ns = match ns_text.as_str() {
        "dns" => parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
        "url" => parse_uuid("6ba7b811-9dad-11d1-80b4-00c04fd430c8"),
        "oid" => parse_uuid("6ba7b812-9dad-11d1-80b4-00c04fd430c8"),
        "x500" => parse_uuid("6ba7b814-9dad-11d1-80b4-00c04fd430c8"),
        other => parse_uuid(other),
    }
    .ok_or_else(|| {
        FnError::Msg(format!(
            "uuidv5() doesn't support namespace {ns_text} (invalid UUID length: {})",
            ns_text.len()
        ))
    })?;
    let mut h = sha1::Sha1::new();
    h.update(ns);
    h.update(name.as_bytes());
    let d = h.finalize();
    let mut u = [0u8; 16];
    u.copy_from_slice(&d[..16]);
    u[6] = (u[6] & 0x0f) | 0x50;
    u[8] = (u[8] & 0x3f) | 0x80;
    let x = hex(&u);
    Ok(Value::String(format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )))
}

/// `$2a$` bcrypt of `str` at `cost` (default 10; below 4 is 10, as Go's
/// library does); unknown while planning, as in Terraform.
pub fn bcrypt(a: &[Value], _: &CallContext) -> FnResult {
    let password = str_arg(a, 0)?;
    if a.len() > 2 {
        return Err(FnError::Msg(
            "bcrypt() takes no more than two arguments".into(),
        ));
    }
    let cost = if a.len() == 2 {
        super::int_arg(a, 1)?
    } else {
        10
    };
    if cost > 31 {
        return Err(FnError::Msg(format!(
            "error occured generating password crypto/bcrypt: cost {cost} is outside allowed inclusive range 4..31"
        )));
    }
    let cost = if cost < 4 { 10 } else { cost as u32 };
    if password.len() > 72 {
        return Err(FnError::Msg(
            "error occured generating password bcrypt: password length exceeds 72 bytes".into(),
        ));
    }
    let salt: [u8; 16] = crate::random::bytes().map_err(|e| FnError::Msg(e.to_string()))?;
    // The same bcrypt crate random_password's bcrypt_hash uses.
    let hashed = bcrypt::hash_with_salt(password, cost, salt)
        .map_err(|e| FnError::Msg(format!("error occured generating password bcrypt: {e}")))?;
    Ok(Value::String(
        hashed.format_for_version(bcrypt::Version::TwoA),
    ))
}

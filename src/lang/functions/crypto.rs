//! Hash functions (hex digests of the UTF-8 bytes).

use md5::Digest as _;

use super::{CallContext, FnResult, str_arg};
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

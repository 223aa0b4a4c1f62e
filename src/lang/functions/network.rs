//! CIDR arithmetic for IPv4 and IPv6 prefixes.

use std::net::IpAddr;

use super::{CallContext, FnError, FnResult, int_arg, str_arg};
use crate::lang::value::Value;

struct Prefix {
    addr: u128,
    bits: u32,
    len: u32,
    v6: bool,
}

fn parse(s: &str, arg: usize) -> Result<Prefix, FnError> {
    let bad = || {
        FnError::Arg(
            arg,
            format!("invalid CIDR expression: invalid CIDR address: {s}"),
        )
    };
    let (ip, len) = s.split_once('/').ok_or_else(bad)?;
    let ip: IpAddr = ip.parse().map_err(|_| bad())?;
    let len: u32 = len.parse().map_err(|_| bad())?;
    let (addr, bits, v6) = match ip {
        IpAddr::V4(a) => (u32::from(a) as u128, 32, false),
        IpAddr::V6(a) => (u128::from(a), 128, true),
    };
    if len > bits {
        return Err(bad());
    }
    let mask = mask_of(bits, len);
    Ok(Prefix {
        addr: addr & mask,
        bits,
        len,
        v6,
    })
}

fn mask_of(bits: u32, len: u32) -> u128 {
    let all: u128 = if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    if len == 0 { 0 } else { all & !(all >> len) }
}

fn show(addr: u128, v6: bool) -> String {
    if v6 {
        std::net::Ipv6Addr::from(addr).to_string()
    } else {
        std::net::Ipv4Addr::from(addr as u32).to_string()
    }
}

pub fn cidrsubnet(a: &[Value], _: &CallContext) -> FnResult {
    let p = parse(&str_arg(a, 0)?, 0)?;
    let newbits = int_arg(a, 1)?;
    let netnum = int_arg(a, 2)?;
    if newbits < 0 || newbits > i64::from(p.bits - p.len) {
        return Err(FnError::Msg(format!(
            "insufficient address space to extend prefix of {} by {newbits}",
            p.len
        )));
    }
    let newlen = p.len + newbits as u32;
    if netnum < 0 || (newbits < 63 && netnum >= (1i64 << newbits)) {
        return Err(FnError::Msg(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
        )));
    }
    // newlen > p.len here unless newbits is 0, in which case netnum is 0.
    let shift = p.bits - newlen;
    let addr = if shift >= 128 {
        p.addr
    } else {
        p.addr | ((netnum as u128) << shift)
    };
    Ok(Value::String(format!("{}/{newlen}", show(addr, p.v6))))
}

pub fn cidrhost(a: &[Value], _: &CallContext) -> FnResult {
    let p = parse(&str_arg(a, 0)?, 0)?;
    let host = int_arg(a, 1)?;
    let hostbits = p.bits - p.len;
    let size: i128 = if hostbits >= 127 {
        i128::MAX
    } else {
        1i128 << hostbits
    };
    let h = host as i128;
    if h >= size || -h > size {
        return Err(FnError::Msg(format!(
            "prefix of {} does not accommodate a host numbered {host}",
            p.len
        )));
    }
    let offset = if h < 0 { size + h } else { h };
    Ok(Value::String(show(p.addr + offset as u128, p.v6)))
}

pub fn cidrnetmask(a: &[Value], _: &CallContext) -> FnResult {
    let p = parse(&str_arg(a, 0)?, 0)?;
    if p.v6 {
        return Err(FnError::Msg("only IPv4 networks are supported".into()));
    }
    Ok(Value::String(show(mask_of(32, p.len), false)))
}

/// Consecutive subnets of `prefix`, each `newbits` longer, packed in order
/// and aligned as Terraform's `cidrsubnets` allocates them.
pub fn cidrsubnets(a: &[Value], _: &CallContext) -> FnResult {
    let p = parse(&str_arg(a, 0)?, 0)?;
    let mut out = Vec::new();
    // The next free address, as an offset from the prefix's start.
    let mut next: u128 = 0;
    let space_bits = p.bits - p.len;
    let mut last = String::new();
    for i in 1..a.len() {
        let newbits = int_arg(a, i)?;
        if newbits < 1 {
            return Err(FnError::Arg(
                i,
                "must extend prefix by at least one bit".into(),
            ));
        }
        let newlen = i64::from(p.len) + newbits;
        if newlen > i64::from(p.bits) {
            return Err(FnError::Arg(
                i,
                format!(
                    "would extend prefix to {newlen} bits, which is too long for an {} address",
                    if p.v6 { "IPv6" } else { "IPv4" }
                ),
            ));
        }
        let size_bits = space_bits - newbits as u32;
        let size: u128 = 1u128.checked_shl(size_bits).unwrap_or(0);
        // Align to the subnet's size.
        if size > 0 && !next.is_multiple_of(size) {
            next = (next / size + 1) * size;
        }
        let space: Option<u128> = 1u128.checked_shl(space_bits);
        if space.is_some_and(|s| next >= s) || (size == 0 && next > 0) {
            return Err(FnError::Arg(
                i,
                format!(
                    "not enough remaining address space for a subnet with a prefix of {newlen} bits after {}",
                    last
                ),
            ));
        }
        last = format!("{}/{newlen}", show(p.addr + next, p.v6));
        out.push(Value::String(last.clone()));
        next = next.saturating_add(size);
    }
    Ok(Value::List(out))
}

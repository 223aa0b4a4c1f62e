//! String functions.

use std::collections::BTreeMap;

use super::{CallContext, FnError, FnResult, elem_str, int_arg, seq_arg, str_arg};
use crate::lang::convert::convert;
use crate::lang::value::{Type, Value, format_number};

pub fn lower(a: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::String(str_arg(a, 0)?.to_lowercase()))
}

pub fn upper(a: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::String(str_arg(a, 0)?.to_uppercase()))
}

/// Upper-cases the first letter of each word (a word starts after any
/// character that is not a letter, digit or mark).
pub fn title(a: &[Value], _: &CallContext) -> FnResult {
    let s = str_arg(a, 0)?;
    let mut out = String::with_capacity(s.len());
    let mut prev_sep = true;
    for c in s.chars() {
        if prev_sep && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_sep = !(c.is_alphanumeric() || c == '_');
    }
    Ok(Value::String(out))
}

pub fn trimspace(a: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::String(str_arg(a, 0)?.trim().to_string()))
}

pub fn trim(a: &[Value], _: &CallContext) -> FnResult {
    let s = str_arg(a, 0)?;
    let cut: Vec<char> = str_arg(a, 1)?.chars().collect();
    Ok(Value::String(
        s.trim_matches(|c| cut.contains(&c)).to_string(),
    ))
}

pub fn trimprefix(a: &[Value], _: &CallContext) -> FnResult {
    let s = str_arg(a, 0)?;
    let p = str_arg(a, 1)?;
    Ok(Value::String(
        s.strip_prefix(p.as_str()).unwrap_or(&s).to_string(),
    ))
}

pub fn trimsuffix(a: &[Value], _: &CallContext) -> FnResult {
    let s = str_arg(a, 0)?;
    let p = str_arg(a, 1)?;
    Ok(Value::String(
        s.strip_suffix(p.as_str()).unwrap_or(&s).to_string(),
    ))
}

pub fn startswith(a: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::Bool(
        str_arg(a, 0)?.starts_with(str_arg(a, 1)?.as_str()),
    ))
}

pub fn endswith(a: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::Bool(
        str_arg(a, 0)?.ends_with(str_arg(a, 1)?.as_str()),
    ))
}

pub fn strcontains(a: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::Bool(
        str_arg(a, 0)?.contains(str_arg(a, 1)?.as_str()),
    ))
}

pub fn split(a: &[Value], _: &CallContext) -> FnResult {
    let sep = str_arg(a, 0)?;
    let s = str_arg(a, 1)?;
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        s.split(sep.as_str())
            .map(|p| Value::String(p.to_string()))
            .collect()
    };
    Ok(Value::List(parts))
}

pub fn join(a: &[Value], _: &CallContext) -> FnResult {
    let sep = str_arg(a, 0)?;
    let mut parts = Vec::new();
    for i in 1..a.len() {
        for x in seq_arg(a, i)? {
            parts.push(elem_str(x, i)?);
        }
    }
    Ok(Value::String(parts.join(&sep)))
}

pub fn substr(a: &[Value], _: &CallContext) -> FnResult {
    let s = str_arg(a, 0)?;
    let offset = int_arg(a, 1)?;
    let length = int_arg(a, 2)?;
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len() as i64;
    // Offsets and lengths may be any whole number (up to i64::MAX): the
    // arithmetic saturates instead of overflowing.
    let start = if offset < 0 {
        n.saturating_add(offset)
    } else {
        offset
    };
    if start < 0 || start > n {
        if start > n {
            return Ok(Value::String(String::new()));
        }
        return Err(FnError::Arg(1, "offset out of range".into()));
    }
    let end = if length < 0 {
        n
    } else {
        start.saturating_add(length).min(n)
    };
    Ok(Value::String(
        chars[start as usize..end as usize].iter().collect(),
    ))
}

/// `replace`: a substring, or a regular expression when written `/.../`.
pub fn replace(a: &[Value], _: &CallContext) -> FnResult {
    let s = str_arg(a, 0)?;
    let sub = str_arg(a, 1)?;
    let with = str_arg(a, 2)?;
    if sub.len() > 1 && sub.starts_with('/') && sub.ends_with('/') {
        let re = compile(&sub[1..sub.len() - 1], 1)?;
        return Ok(Value::String(
            re.replace_all(&s, go_template(&with).as_str()).into_owned(),
        ));
    }
    Ok(Value::String(s.replace(sub.as_str(), &with)))
}

/// Go's `$1`/`${name}` expansion spelled for Rust's regex crate: a bare
/// `$name` in Go takes the longest run of word characters, which Rust
/// also does, so only literal `$$` needs no change.
fn go_template(t: &str) -> String {
    t.to_string()
}

fn compile(pattern: &str, arg_index: usize) -> Result<regex::Regex, FnError> {
    regex::Regex::new(pattern).map_err(|e| {
        FnError::Arg(
            arg_index,
            format!("invalid regular expression pattern: {e}"),
        )
    })
}

fn captures_value(re: &regex::Regex, caps: &regex::Captures) -> Value {
    let names: Vec<Option<&str>> = re.capture_names().collect();
    if names.len() == 1 {
        return Value::String(
            caps.get(0)
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
        );
    }
    let named = names.iter().skip(1).any(Option::is_some);
    let group = |i: usize| {
        caps.get(i)
            .map(|m| Value::String(m.as_str().to_string()))
            .unwrap_or(Value::Null)
    };
    if named {
        let mut m = BTreeMap::new();
        for (i, n) in names.iter().enumerate().skip(1) {
            if let Some(n) = n {
                m.insert(n.to_string(), group(i));
            }
        }
        Value::Object(m)
    } else {
        Value::Tuple((1..names.len()).map(group).collect())
    }
}

pub fn regex(a: &[Value], _: &CallContext) -> FnResult {
    let re = compile(&str_arg(a, 0)?, 0)?;
    let s = str_arg(a, 1)?;
    match re.captures(&s) {
        Some(c) => Ok(captures_value(&re, &c)),
        None => Err(FnError::Msg(
            "pattern did not match any part of the given string".into(),
        )),
    }
}

pub fn regexall(a: &[Value], _: &CallContext) -> FnResult {
    let re = compile(&str_arg(a, 0)?, 0)?;
    let s = str_arg(a, 1)?;
    Ok(Value::List(
        re.captures_iter(&s)
            .map(|c| captures_value(&re, &c))
            .collect(),
    ))
}

// ---- format ----

/// The largest width or precision a `format` verb may ask for. Go allows
/// up to a million; drinfra refuses more than this (a configuration has no
/// use for longer padding, and each formatted value would be that long).
pub const MAX_FORMAT_WIDTH: usize = 10_000;

struct Spec {
    minus: bool,
    plus: bool,
    zero: bool,
    space: bool,
    sharp: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

pub fn format(a: &[Value], _: &CallContext) -> FnResult {
    let spec = str_arg(a, 0)?;
    Ok(Value::String(format_with(&spec, &a[1..])?))
}

/// `formatlist`: list arguments are iterated together, others repeat.
pub fn formatlist(a: &[Value], _: &CallContext) -> FnResult {
    let spec = str_arg(a, 0)?;
    let mut len: Option<usize> = None;
    for (i, v) in a.iter().enumerate().skip(1) {
        if let Some(xs) = v.as_seq() {
            match len {
                None => len = Some(xs.len()),
                Some(l) if l != xs.len() => {
                    return Err(FnError::Arg(
                        i,
                        format!(
                            "argument {} has length {}, which is inconsistent with argument 2 of length {l}",
                            i + 1,
                            xs.len()
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
    let n = len.unwrap_or(1);
    let mut out = Vec::with_capacity(n);
    for row in 0..n {
        let args: Vec<Value> = a[1..]
            .iter()
            .map(|v| {
                v.as_seq()
                    .map(|xs| xs[row].clone())
                    .unwrap_or_else(|| v.clone())
            })
            .collect();
        out.push(Value::String(format_with(&spec, &args)?));
    }
    Ok(Value::List(out))
}

fn format_with(spec: &str, args: &[Value]) -> Result<String, FnError> {
    let mut out = String::new();
    let mut chars = spec.chars().peekable();
    let mut next_arg = 0usize;
    let mut reordered = false;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        let mut s = Spec {
            minus: false,
            plus: false,
            zero: false,
            space: false,
            sharp: false,
            width: None,
            precision: None,
        };
        while let Some(&f) = chars.peek() {
            match f {
                '-' => s.minus = true,
                '+' => s.plus = true,
                '0' => s.zero = true,
                ' ' => s.space = true,
                '#' => s.sharp = true,
                _ => break,
            }
            chars.next();
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            let mut n = String::new();
            while let Some(&d) = chars.peek() {
                chars.next();
                if d == ']' {
                    break;
                }
                n.push(d);
            }
            let idx: usize = n
                .parse()
                .map_err(|_| FnError::Msg(format!("invalid argument index {n:?}")))?;
            if idx == 0 {
                return Err(FnError::Msg("argument index must be at least 1".into()));
            }
            next_arg = idx - 1;
            reordered = true;
        }
        let mut w = String::new();
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            w.push(d);
            chars.next();
        }
        if !w.is_empty() {
            s.width = Some(bounded(&w, "width")?);
        }
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            s.precision = Some(if p.is_empty() {
                0
            } else {
                bounded(&p, "precision")?
            });
        }
        let Some(verb) = chars.next() else {
            return Err(FnError::Msg(
                "format string ends with an incomplete verb".into(),
            ));
        };
        let Some(v) = args.get(next_arg) else {
            return Err(FnError::Msg(format!(
                "not enough arguments for \"%{verb}\" at {}",
                out.chars().count()
            )));
        };
        next_arg += 1;
        if !v.is_wholly_known() {
            return Err(FnError::Unknown);
        }
        let body = format_one(verb, &s, v)?;
        out.push_str(&pad(
            &body,
            &s,
            matches!(
                verb,
                'd' | 'f' | 'e' | 'E' | 'g' | 'G' | 'x' | 'X' | 'o' | 'b'
            ),
        ));
    }
    if !reordered && next_arg < args.len() {
        return Err(FnError::Msg(format!(
            "too many arguments; only {next_arg} used by format string"
        )));
    }
    Ok(out)
}

/// A width or precision written in a format verb, at most [`MAX_FORMAT_WIDTH`].
fn bounded(digits: &str, what: &str) -> Result<usize, FnError> {
    match digits.parse::<usize>() {
        Ok(n) if n <= MAX_FORMAT_WIDTH => Ok(n),
        _ => Err(FnError::Msg(format!(
            "{what} {} is too large: a format verb's width and precision may be at most {MAX_FORMAT_WIDTH}",
            digits.trim_start_matches('0')
        ))),
    }
}

fn pad(body: &str, s: &Spec, numeric: bool) -> String {
    let Some(width) = s.width else {
        return body.to_string();
    };
    let len = body.chars().count();
    if len >= width {
        return body.to_string();
    }
    let fill = width - len;
    if s.minus {
        format!("{body}{}", " ".repeat(fill))
    } else if s.zero && numeric {
        let (sign, digits) = if body.starts_with(['-', '+']) {
            body.split_at(1)
        } else {
            ("", body)
        };
        format!("{sign}{}{digits}", "0".repeat(fill))
    } else {
        format!("{}{body}", " ".repeat(fill))
    }
}

fn number_of(verb: char, v: &Value) -> Result<f64, FnError> {
    match convert(v, &Type::Number) {
        Ok(Value::Number(n)) => Ok(n),
        _ => Err(FnError::Msg(format!(
            "unsupported value for \"%{verb}\" at 0: a number is required"
        ))),
    }
}

fn signed(n: f64, body: String, s: &Spec) -> String {
    if n >= 0.0 && s.plus {
        format!("+{body}")
    } else if n >= 0.0 && s.space {
        format!(" {body}")
    } else {
        body
    }
}

fn format_one(verb: char, s: &Spec, v: &Value) -> Result<String, FnError> {
    Ok(match verb {
        'v' => {
            if s.sharp {
                super::json_encode(v)
            } else {
                match v {
                    Value::String(x) => x.clone(),
                    Value::Number(n) => format_number(*n),
                    Value::Bool(b) => b.to_string(),
                    Value::Null => "null".into(),
                    other => super::json_encode(other),
                }
            }
        }
        's' => match convert(v, &Type::String) {
            Ok(Value::String(x)) if !v.is_null() => match s.precision {
                Some(p) => x.chars().take(p).collect(),
                None => x,
            },
            _ => {
                return Err(FnError::Msg(format!(
                    "unsupported value for \"%s\": string required, not {}",
                    v.kind_name()
                )));
            }
        },
        'q' => match convert(v, &Type::String) {
            Ok(Value::String(x)) if !v.is_null() => serde_json::Value::String(x).to_string(),
            _ => {
                return Err(FnError::Msg(
                    "unsupported value for \"%q\": string required".into(),
                ));
            }
        },
        't' => match convert(v, &Type::Bool) {
            Ok(Value::Bool(b)) => b.to_string(),
            _ => {
                return Err(FnError::Msg(
                    "unsupported value for \"%t\": bool required".into(),
                ));
            }
        },
        'd' => {
            let n = number_of(verb, v)?;
            if n.fract() != 0.0 {
                return Err(FnError::Msg(format!(
                    "unsupported value for \"%d\": a whole number is required, not {}",
                    format_number(n)
                )));
            }
            signed(n, format!("{}", n as i64), s)
        }
        'f' | 'F' => {
            let n = number_of(verb, v)?;
            signed(n, format!("{:.*}", s.precision.unwrap_or(6), n), s)
        }
        'e' | 'E' => {
            let n = number_of(verb, v)?;
            let raw = format!("{:.*e}", s.precision.unwrap_or(6), n);
            // Go writes a signed two-digit exponent: 1.5e+00.
            let (mant, exp) = raw.split_once('e').unwrap_or((&raw, "0"));
            let exp: i32 = exp.parse().unwrap_or(0);
            let body = format!("{mant}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
            signed(
                n,
                if verb == 'E' {
                    body.to_uppercase()
                } else {
                    body
                },
                s,
            )
        }
        'g' | 'G' => {
            let n = number_of(verb, v)?;
            signed(n, format_number(n), s)
        }
        'x' | 'X' | 'o' | 'b' => {
            let n = number_of(verb, v)?;
            if n.fract() != 0.0 {
                return Err(FnError::Msg(format!(
                    "unsupported value for \"%{verb}\": a whole number is required"
                )));
            }
            let i = n as i64;
            let (neg, m) = (i < 0, i.unsigned_abs());
            let body = match verb {
                'x' => format!("{m:x}"),
                'X' => format!("{m:X}"),
                'o' => format!("{m:o}"),
                _ => format!("{m:b}"),
            };
            if neg {
                format!("-{body}")
            } else {
                signed(n, body, s)
            }
        }
        other => return Err(FnError::Msg(format!("unrecognized format verb '{other}'"))),
    })
}

/// Removes every newline sequence (`\n` or `\r\n`) at the end.
pub fn chomp(a: &[Value], _: &CallContext) -> FnResult {
    let s = str_arg(a, 0)?;
    let mut t = s.as_str();
    loop {
        if let Some(r) = t.strip_suffix("\r\n") {
            t = r;
        } else if let Some(r) = t.strip_suffix('\n') {
            t = r;
        } else {
            break;
        }
    }
    Ok(Value::String(t.to_string()))
}

/// Indents every line but the first by `spaces` spaces.
pub fn indent(a: &[Value], _: &CallContext) -> FnResult {
    let n = super::int_arg(a, 0)?;
    let s = str_arg(a, 1)?;
    let pad = " ".repeat(n.clamp(0, 1024) as usize);
    Ok(Value::String(s.replace('\n', &format!("\n{pad}"))))
}

/// The characters in reverse order, keeping combining marks with the
/// character they follow (as Terraform reverses grapheme clusters).
pub fn strrev(a: &[Value], _: &CallContext) -> FnResult {
    let s = str_arg(a, 0)?;
    let mut clusters: Vec<String> = Vec::new();
    for c in s.chars() {
        let combining = matches!(c as u32, 0x300..=0x36F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F | 0x200D | 0xFE0F);
        match clusters.last_mut() {
            Some(last) if combining => last.push(c),
            _ => clusters.push(c.to_string()),
        }
    }
    clusters.reverse();
    Ok(Value::String(clusters.concat()))
}

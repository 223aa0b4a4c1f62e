//! Text encodings and formats: `base64gzip`, `urlencode`, `csvdecode`,
//! `textencodebase64`, `textdecodebase64`.

use std::collections::BTreeMap;
use std::io::Write as _;

use base64::Engine as _;

use super::{CallContext, FnError, FnResult, str_arg};
use crate::lang::value::Value;

/// Gzip (default level) then Base64. The bytes differ from Terraform's
/// (Go's compressor chooses other blocks) but decompress to the same text.
pub fn base64gzip(a: &[Value], _: &CallContext) -> FnResult {
    let s = str_arg(a, 0)?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let bytes = gz
        .write_all(s.as_bytes())
        .and_then(|()| gz.finish())
        .map_err(|e| FnError::Msg(format!("failed to write gzip raw data: {e}")))?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(bytes),
    ))
}

/// Go's `url.QueryEscape`: unreserved characters stay, space is `+`.
pub fn urlencode(a: &[Value], _: &CallContext) -> FnResult {
    let s = str_arg(a, 0)?;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::String(out))
}

/// RFC 4180 records as Go's `encoding/csv` reads them (quoted fields,
/// `""` inside quotes, CRLF or LF line ends).
fn csv_records(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start_line = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        loop {
            match chars.next() {
                None => {
                    fields.push(std::mem::take(&mut field));
                    break;
                }
                Some('"') if field.is_empty() => {
                    // A quoted field.
                    loop {
                        match chars.next() {
                            None => {
                                return Err(format!(
                                    "CSV parse error on line {start_line}: extraneous or missing \" in quoted-field"
                                ));
                            }
                            Some('"') if chars.peek() == Some(&'"') => {
                                chars.next();
                                field.push('"');
                            }
                            Some('"') => break,
                            Some(c) => {
                                if c == '\n' {
                                    line += 1;
                                }
                                field.push(c);
                            }
                        }
                    }
                    match chars.peek() {
                        Some(',') | Some('\n') | Some('\r') | None => {}
                        Some(_) => {
                            return Err(format!(
                                "CSV parse error on line {line}: extraneous or missing \" in quoted-field"
                            ));
                        }
                    }
                }
                Some('"') => {
                    return Err(format!(
                        "CSV parse error on line {line}: bare \" in non-quoted-field"
                    ));
                }
                Some(',') => fields.push(std::mem::take(&mut field)),
                Some('\r') if chars.peek() == Some(&'\n') => {}
                Some('\n') => {
                    line += 1;
                    fields.push(std::mem::take(&mut field));
                    break;
                }
                Some(c) => field.push(c),
            }
        }
        // Go's reader skips empty lines.
        if !(fields.len() == 1 && fields[0].is_empty()) {
            records.push((start_line, fields));
        }
    }
    let width = records.first().map(|(_, f)| f.len()).unwrap_or(0);
    for (l, f) in &records {
        if f.len() != width {
            return Err(format!(
                "CSV parse error on line {l}: wrong number of fields"
            ));
        }
    }
    Ok(records.into_iter().map(|(_, f)| f).collect())
}

pub fn csvdecode(a: &[Value], _: &CallContext) -> FnResult {
    let text = str_arg(a, 0)?;
    let records = csv_records(&text).map_err(FnError::Msg)?;
    let mut it = records.into_iter();
    let header = it
        .next()
        .ok_or_else(|| FnError::Msg("missing header line".into()))?;
    for (i, h) in header.iter().enumerate() {
        if header[..i].contains(h) {
            return Err(FnError::Msg(format!("duplicate column name {h:?}")));
        }
    }
    let rows: Vec<Value> = it
        .map(|r| {
            Value::Object(
                header
                    .iter()
                    .cloned()
                    .zip(r.into_iter().map(Value::String))
                    .collect::<BTreeMap<_, _>>(),
            )
        })
        .collect();
    Ok(Value::List(rows))
}

/// The encodings drinfra converts between (Terraform accepts any IANA name
/// Go's library knows; drinfra names these and refuses others clearly).
#[derive(Clone, Copy)]
enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Latin1,
    Ascii,
}

fn encoding(name: &str, arg: usize) -> Result<Encoding, FnError> {
    Ok(match name.to_ascii_lowercase().replace('_', "-").as_str() {
        "utf-8" | "utf8" | "unicode-1-1-utf-8" => Encoding::Utf8,
        "utf-16le" => Encoding::Utf16Le,
        "utf-16be" | "utf-16" => Encoding::Utf16Be,
        "iso-8859-1" | "latin1" | "l1" | "iso-ir-100" | "iso8859-1" | "ibm819" | "cp819" => {
            Encoding::Latin1
        }
        "us-ascii" | "ascii" => Encoding::Ascii,
        _ => {
            return Err(FnError::Arg(
                arg,
                format!(
                    "{name:?} is not a supported IANA encoding name or alias in this Terraform version (drinfra converts UTF-8, UTF-16LE, UTF-16BE, UTF-16, ISO-8859-1 and US-ASCII)"
                ),
            ));
        }
    })
}

pub fn textencodebase64(a: &[Value], _: &CallContext) -> FnResult {
    let s = str_arg(a, 0)?;
    let enc = encoding(&str_arg(a, 1)?, 1)?;
    let bytes: Vec<u8> = match enc {
        Encoding::Utf8 => s.into_bytes(),
        Encoding::Utf16Le => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        Encoding::Utf16Be => s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        Encoding::Latin1 | Encoding::Ascii => {
            let limit = if matches!(enc, Encoding::Ascii) {
                0x7f
            } else {
                0xff
            };
            let mut out = Vec::with_capacity(s.len());
            for (i, c) in s.chars().enumerate() {
                if c as u32 > limit {
                    return Err(FnError::Arg(
                        0,
                        format!(
                            "the given string contains characters that cannot be represented in {} (at character {i})",
                            if limit == 0x7f {
                                "US-ASCII"
                            } else {
                                "ISO-8859-1"
                            }
                        ),
                    ));
                }
                out.push(c as u8);
            }
            out
        }
    };
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(bytes),
    ))
}

pub fn textdecodebase64(a: &[Value], _: &CallContext) -> FnResult {
    let s = str_arg(a, 0)?;
    let enc = encoding(&str_arg(a, 1)?, 1)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.as_bytes())
        .map_err(|e| {
            let at = match e {
                base64::DecodeError::InvalidByte(at, _) => at,
                base64::DecodeError::InvalidLastSymbol { offset, .. } => offset,
                _ => s.len(),
            };
            FnError::Arg(
                0,
                format!("the given value is has an invalid base64 symbol at offset {at}"),
            )
        })?;
    let text = match enc {
        Encoding::Utf8 => String::from_utf8_lossy(&bytes).into_owned(),
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|c| {
                    let pair = [c[0], *c.get(1).unwrap_or(&0)];
                    if matches!(enc, Encoding::Utf16Le) {
                        u16::from_le_bytes(pair)
                    } else {
                        u16::from_be_bytes(pair)
                    }
                })
                .collect();
            String::from_utf16_lossy(&units)
        }
        Encoding::Latin1 => bytes.iter().map(|b| *b as char).collect(),
        Encoding::Ascii => bytes
            .iter()
            .map(|b| if *b < 0x80 { *b as char } else { '\u{FFFD}' })
            .collect(),
    };
    Ok(Value::String(text))
}

//! JSON, YAML and base64 encodings.

use base64::Engine as _;

use super::{CallContext, FnError, FnResult, str_arg};
use crate::lang::value::{Value, format_number};

/// JSON as Terraform's `jsonencode` writes it: compact, keys sorted, and
/// `<`, `>`, `&`, U+2028 and U+2029 escaped as Go's encoder does.
pub fn json_encode(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, &mut out);
    out
}

fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_json(v: &Value, out: &mut String) {
    match v {
        Value::Null | Value::Unknown(_) => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&format_number(*n)),
        Value::String(s) => write_json_string(s, out),
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            out.push('[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(x, out);
            }
            out.push(']');
        }
        Value::Map(m) | Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out);
                out.push(':');
                write_json(x, out);
            }
            out.push('}');
        }
        Value::Sensitive(x) => write_json(x, out),
    }
}

pub fn jsonencode(a: &[Value], _: &CallContext) -> FnResult {
    if !a[0].is_wholly_known() {
        return Err(FnError::Unknown);
    }
    Ok(Value::String(json_encode(&a[0])))
}

pub fn jsondecode(a: &[Value], _: &CallContext) -> FnResult {
    let s = str_arg(a, 0)?;
    let j: serde_json::Value =
        serde_json::from_str(&s).map_err(|e| FnError::Msg(format!("invalid JSON: {e}")))?;
    Ok(Value::from_json(&j))
}

/// YAML in the block style Terraform's `yamlencode` produces: strings
/// double-quoted, multi-line strings as literal blocks.
pub fn yaml_encode(v: &Value) -> String {
    let mut out = String::new();
    write_yaml(v, 0, &mut out);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn yaml_scalar(v: &Value, indent: usize) -> Option<String> {
    Some(match v {
        Value::Null | Value::Unknown(_) => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::String(s)
            if s.contains('\n') && !s.chars().any(|c| c != '\n' && c.is_control() && c != '\t') =>
        {
            let chomp = if !s.ends_with('\n') {
                "-"
            } else if s.ends_with("\n\n") {
                "+"
            } else {
                ""
            };
            let pad = " ".repeat(indent + 2);
            let body = s.strip_suffix('\n').unwrap_or(s);
            let lines: Vec<String> = body
                .split('\n')
                .map(|l| {
                    if l.is_empty() {
                        String::new()
                    } else {
                        format!("{pad}{l}")
                    }
                })
                .collect();
            let lead = if s.starts_with(' ') { "2" } else { "" };
            format!("|{lead}{chomp}\n{}", lines.join("\n"))
        }
        Value::String(s) => {
            let mut q = String::new();
            write_json_string(s, &mut q);
            q.replace("\\u003c", "<")
                .replace("\\u003e", ">")
                .replace("\\u0026", "&")
        }
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) if xs.is_empty() => "[]".into(),
        Value::Map(m) | Value::Object(m) if m.is_empty() => "{}".into(),
        Value::Sensitive(x) => return yaml_scalar(x, indent),
        _ => return None,
    })
}

fn write_yaml(v: &Value, indent: usize, out: &mut String) {
    if let Some(s) = yaml_scalar(v, indent) {
        out.push_str(&s);
        out.push('\n');
        return;
    }
    let pad = " ".repeat(indent);
    match v {
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            for x in xs {
                out.push_str(&pad);
                out.push_str("- ");
                match yaml_scalar(x, indent) {
                    Some(s) => {
                        out.push_str(&s);
                        out.push('\n');
                    }
                    None => {
                        // Nested collections start on the dash line.
                        let mut inner = String::new();
                        write_yaml(x, indent + 2, &mut inner);
                        out.push_str(inner.trim_start());
                    }
                }
            }
        }
        Value::Map(m) | Value::Object(m) => {
            for (k, x) in m {
                out.push_str(&pad);
                let mut key = String::new();
                write_json_string(k, &mut key);
                out.push_str(&key);
                out.push(':');
                match yaml_scalar(x, indent) {
                    Some(s) => {
                        out.push(' ');
                        out.push_str(&s);
                        out.push('\n');
                    }
                    None => {
                        out.push('\n');
                        let child = if matches!(
                            x.unmark().0,
                            Value::List(_) | Value::Tuple(_) | Value::Set(_)
                        ) {
                            indent
                        } else {
                            indent + 2
                        };
                        write_yaml(x, child, out);
                    }
                }
            }
        }
        Value::Sensitive(x) => write_yaml(x, indent, out),
        _ => {}
    }
}

pub fn yamlencode(a: &[Value], _: &CallContext) -> FnResult {
    if !a[0].is_wholly_known() {
        return Err(FnError::Unknown);
    }
    Ok(Value::String(yaml_encode(&a[0])))
}

pub fn base64encode(a: &[Value], _: &CallContext) -> FnResult {
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(str_arg(a, 0)?),
    ))
}

pub fn base64decode(a: &[Value], _: &CallContext) -> FnResult {
    let s = str_arg(a, 0)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.as_bytes())
        .map_err(|_| FnError::Msg(format!("failed to decode base64 data {s:?}")))?;
    String::from_utf8(bytes).map(Value::String).map_err(|_| {
        FnError::Msg("the result of decoding the provided string is not valid UTF-8".into())
    })
}

//! Values as the console and `output` show them (HCL-like, multi-line).

use crate::lang::Value;
use crate::lang::value::format_number;

/// Renders a value; sensitive parts are masked.
pub fn render(v: &Value) -> String {
    let mut out = String::new();
    write(v, 0, &mut out);
    out
}

fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn write(v: &Value, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent + 1);
    let close = "  ".repeat(indent);
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(&b.to_string()),
        Value::Number(n) => out.push_str(&format_number(*n)),
        Value::String(s) if s.contains('\n') => {
            out.push_str("<<EOT\n");
            out.push_str(s);
            if !s.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&close);
            out.push_str("EOT");
        }
        Value::String(s) => out.push_str(&quote(s)),
        Value::Unknown(_) => out.push_str("(known after apply)"),
        Value::Sensitive(_) => out.push_str("(sensitive value)"),
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            let (open, end) = match v {
                Value::List(_) => ("tolist([", "])"),
                Value::Set(_) => ("toset([", "])"),
                _ => ("[", "]"),
            };
            if xs.is_empty() {
                out.push_str(open);
                out.push_str(end);
                return;
            }
            out.push_str(open);
            out.push('\n');
            for x in xs {
                out.push_str(&pad);
                write(x, indent + 1, out);
                out.push_str(",\n");
            }
            out.push_str(&close);
            out.push_str(end);
        }
        Value::Map(m) | Value::Object(m) => {
            let (open, end) = if matches!(v, Value::Map(_)) {
                ("tomap({", "})")
            } else {
                ("{", "}")
            };
            if m.is_empty() {
                out.push_str(open);
                out.push_str(end);
                return;
            }
            out.push_str(open);
            out.push('\n');
            // Terraform's console and outputs do not align the `=`.
            for (k, x) in m {
                out.push_str(&pad);
                out.push_str(&quote(k));
                out.push_str(" = ");
                write(x, indent + 1, out);
                out.push('\n');
            }
            out.push_str(&close);
            out.push_str(end);
        }
    }
}

//! Masking sensitive values inside text that did not come from drinfra
//! (a cloud's error message may quote the password it refused).

use super::value::Value;

/// `msg` with every sensitive string found in `values` replaced by
/// `(sensitive value)`.
pub fn redact(mut msg: String, values: &[&Value]) -> String {
    fn collect(v: &Value, inside: bool, out: &mut Vec<String>) {
        match v {
            Value::Sensitive(x) => collect(x, true, out),
            Value::String(s) if inside && s.chars().count() >= 4 => out.push(s.clone()),
            Value::Number(n) if inside && n.abs() >= 1000.0 => {
                out.push(super::value::format_number(*n))
            }
            Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
                xs.iter().for_each(|x| collect(x, inside, out))
            }
            Value::Map(m) | Value::Object(m) => m.values().for_each(|x| collect(x, inside, out)),
            _ => {}
        }
    }
    let mut secrets = Vec::new();
    for v in values {
        collect(v, false, &mut secrets);
    }
    // Longest first, so a secret containing another is replaced whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    for s in secrets {
        if msg.contains(&s) {
            msg = msg.replace(&s, "(sensitive value)");
        }
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_errors_quoting_a_sensitive_value_are_redacted() {
        let cfg = Value::Object(
            [
                (
                    "password".to_string(),
                    Value::string("hunter2-S3cret").sensitive(),
                ),
                ("name".to_string(), Value::string("db1")),
            ]
            .into(),
        );
        let nested = Value::Object(
            [(
                "x".to_string(),
                Value::Object([("k".to_string(), Value::string("k3y-material-42"))].into())
                    .sensitive(),
            )]
            .into(),
        );
        let msg = "InvalidParameterValue: 'hunter2-S3cret' is not a valid password for server db1 (k3y-material-42)".to_string();
        let out = redact(msg, &[&cfg, &nested]);
        assert!(
            !out.contains("hunter2") && !out.contains("k3y-material"),
            "{out}"
        );
        assert!(out.contains("db1"), "what is not sensitive stays: {out}");
        assert_eq!(out.matches("(sensitive value)").count(), 2, "{out}");
    }
}

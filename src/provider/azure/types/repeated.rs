//! Repeated nested blocks (`email_receiver { ... }` any number of times),
//! each block one element of an ARM array, its arguments mapped by the
//! same [`Arg`] tables as top-level ones. A type lists its repeated blocks
//! as [`Rep`]s and names each in its argument table as `Kind::Blocks` with
//! an empty path; its `to_body`/`from_body` call [`write`] and [`read`],
//! and [`check`] holds the blocks' arguments to their tables.

use std::collections::BTreeMap;

use serde_json::{Value as J, json};

use crate::lang::Value;
use crate::provider::ArgProblem;
use crate::provider::azure::convert::{self, Arg, Kind};
use crate::provider::azure::typedef::Attrs;

/// One repeated block: its name, the ARM array it becomes, its arguments
/// (relative to one array element), constant fields of every element, and
/// repeated blocks inside it.
pub(super) struct Rep {
    pub name: &'static str,
    pub path: &'static str,
    pub args: &'static [Arg],
    pub fixed: &'static [(&'static str, &'static str)],
    pub nested: &'static [Rep],
}

pub(super) const fn rep(name: &'static str, path: &'static str, args: &'static [Arg]) -> Rep {
    Rep {
        name,
        path,
        args,
        fixed: &[],
        nested: &[],
    }
}

/// The blocks written for `name` in a configuration or state.
pub(super) fn blocks<'a>(a: &'a Attrs, name: &str) -> Vec<&'a BTreeMap<String, Value>> {
    a.get(name)
        .and_then(Value::as_seq)
        .map(|xs| xs.iter().filter_map(Value::as_mapping).collect())
        .unwrap_or_default()
}

/// The ARM elements of one repeated block.
pub(super) fn elements(r: &Rep, a: &Attrs) -> Vec<J> {
    blocks(a, r.name)
        .into_iter()
        .map(|b| {
            let mut el = json!({});
            for (path, lit) in r.fixed {
                if let Ok(v) = serde_json::from_str::<J>(lit) {
                    convert::set_path(&mut el, path, v);
                }
            }
            convert::write_args(r.args, b, &mut el, true);
            write(r.nested, b, &mut el);
            el
        })
        .collect()
}

/// Writes every repeated block of `reps` into `body` (an empty array when
/// none is written, so removing the last block removes it in Azure).
pub(super) fn write(reps: &[Rep], a: &Attrs, body: &mut J) {
    for r in reps {
        convert::set_path(body, r.path, J::Array(elements(r, a)));
    }
}

/// The blocks one ARM array holds.
pub(super) fn read_one(r: &Rep, body: &J) -> Value {
    let items = convert::get_path(body, r.path)
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default();
    Value::List(
        items
            .iter()
            .map(|el| {
                let mut m = BTreeMap::new();
                convert::read_args(r.args, el, &mut m);
                read(r.nested, el, &mut m);
                Value::Object(m)
            })
            .collect(),
    )
}

/// Reads every repeated block of `reps` from `body` into `out`.
pub(super) fn read(reps: &[Rep], body: &J, out: &mut Attrs) {
    for r in reps {
        out.insert(r.name.to_string(), read_one(r, body));
    }
}

/// Holds each written block to its table: unknown arguments, missing
/// required ones, single nested blocks, and the repeated blocks inside.
pub(super) fn check(reps: &[Rep], a: &Attrs, prefix: &str, out: &mut Vec<ArgProblem>) {
    for r in reps {
        for b in blocks(a, r.name) {
            check_block(r.args, r.nested, b, &format!("{prefix}{}.", r.name), out);
        }
    }
}

fn check_block(
    args: &[Arg],
    nested: &[Rep],
    b: &BTreeMap<String, Value>,
    prefix: &str,
    out: &mut Vec<ArgProblem>,
) {
    for k in b.keys() {
        if !args.iter().any(|a| a.name == k) && !nested.iter().any(|r| r.name == k) {
            out.push(ArgProblem {
                argument: Some(format!("{prefix}{k}")),
                summary: "Unsupported argument".into(),
                detail: format!(
                    "drinfra does not support the argument {:?} here (yet); it is not silently ignored. Remove it, or manage it outside drinfra.",
                    format!("{prefix}{k}")
                ),
            });
        }
    }
    for a in args {
        let v = b.get(a.name).filter(|v| !v.is_null());
        let empty_block = matches!(a.kind, Kind::Block(_))
            && v.is_some_and(|v| v.as_seq().is_some_and(<[Value]>::is_empty));
        if a.required && (v.is_none() || empty_block) {
            out.push(ArgProblem {
                argument: None,
                summary: "Missing required argument".into(),
                detail: format!(
                    "The argument {:?} is required, but no definition was found.",
                    format!("{prefix}{}", a.name)
                ),
            });
        }
        if let (Kind::Block(sub), Some(v)) = (a.kind, v)
            && let Some(first) = v
                .as_seq()
                .and_then(|s| s.first())
                .and_then(Value::as_mapping)
        {
            check_block(sub, &[], first, &format!("{prefix}{}.", a.name), out);
        }
    }
    check(nested, b, prefix, out);
}

/// A refusal of an argument azurerm documents but drinfra does not map,
/// with the reason.
pub(super) fn refuse(a: &Attrs, name: &str, why: &str, out: &mut Vec<ArgProblem>) {
    let set = a
        .get(name)
        .is_some_and(|v| !v.is_null() && !v.as_seq().is_some_and(<[Value]>::is_empty));
    if set {
        out.push(ArgProblem {
            argument: Some(name.to_string()),
            summary: "Unsupported argument".into(),
            detail: format!("drinfra does not manage {name:?}: {why}."),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::azure::convert::arg;

    const EMAIL: &[Arg] = &[
        arg("name", "name", Kind::Str).req(),
        arg("email_address", "emailAddress", Kind::Str).req(),
    ];
    const REPS: &[Rep] = &[rep("email_receiver", "properties.emailReceivers", EMAIL)];

    fn block(pairs: &[(&str, &str)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
                .collect(),
        )
    }

    #[test]
    fn blocks_round_trip_and_are_checked() {
        let mut a = Attrs::new();
        a.insert(
            "email_receiver".into(),
            Value::List(vec![
                block(&[("name", "ops"), ("email_address", "ops@example.com")]),
                block(&[("name", "dev"), ("email_address", "dev@example.com")]),
            ]),
        );
        let mut body = json!({});
        write(REPS, &a, &mut body);
        assert_eq!(
            body["properties"]["emailReceivers"][1],
            json!({"name": "dev", "emailAddress": "dev@example.com"})
        );
        let mut back = Attrs::new();
        read(REPS, &body, &mut back);
        assert_eq!(back, a);
        let mut problems = vec![];
        check(REPS, &a, "", &mut problems);
        assert!(problems.is_empty());
        a.insert(
            "email_receiver".into(),
            Value::List(vec![block(&[("name", "ops"), ("mail", "x")])]),
        );
        check(REPS, &a, "", &mut problems);
        let what: Vec<_> = problems.iter().map(|p| p.summary.as_str()).collect();
        assert_eq!(what, ["Unsupported argument", "Missing required argument"]);
        assert_eq!(problems[0].argument.as_deref(), Some("email_receiver.mail"));
    }
}

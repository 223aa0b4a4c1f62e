//! Terraform parity: the corpus in tests/parity/corpus evaluates to the
//! values Terraform 1.15 computed for it (tests/parity/expected.json,
//! recorded by tests/parity/record.sh).

use std::path::Path;

use serde_json::Value as J;

/// Numbers may differ in the last digits: Terraform computes with 512-bit
/// floats, drinfra with 64-bit ones.
fn same(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || ((x - y).abs() / x.abs().max(y.abs())) < 1e-12
        }
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn corpus_matches_terraform() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity/corpus");
    let expected: serde_json::Map<String, J> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("../expected.json")).unwrap())
            .unwrap();
    let (stack, eval) = drinfra::ops::validate::validate(&dir, &[], &[], &dir, true);
    let errors: Vec<String> = stack
        .diags
        .errors()
        .map(|d| format!("{}: {:?}", d.summary, d.detail))
        .collect();
    assert!(errors.is_empty(), "unexpected errors: {errors:#?}");
    let mut mismatches = Vec::new();
    for (name, want) in &expected {
        let got = eval
            .outputs
            .get(name)
            .unwrap_or_else(|| panic!("output {name} missing"));
        assert_eq!(
            got.sensitive,
            want["sensitive"].as_bool().unwrap(),
            "sensitivity of {name}"
        );
        let got_json = got.value.to_json();
        if !same(&got_json, &want["value"]) {
            mismatches.push(format!(
                "{name}:\n  terraform: {}\n  drinfra:   {}",
                want["value"], got_json
            ));
        }
    }
    assert_eq!(eval.outputs.len(), expected.len(), "output count");
    assert!(
        mismatches.is_empty(),
        "{} of {} outputs differ:\n{}",
        mismatches.len(),
        expected.len(),
        mismatches.join("\n")
    );
}

/// What drinfra's console gives for one case, in the recorded form.
fn console_case(stack: &mut drinfra::config::Stack, dir: &Path, expr: &str) -> J {
    use drinfra::ops::console::{Answer, evaluate};
    match evaluate(stack, dir, expr) {
        Answer::Value(drinfra::lang::Value::Sensitive(_)) => {
            serde_json::json!({ "sensitive": true })
        }
        Answer::Value(v) if expr.starts_with("type(") => match v {
            drinfra::lang::Value::String(s) => serde_json::json!({ "type": s }),
            other => serde_json::json!({ "type": other.to_json() }),
        },
        Answer::Value(v) => serde_json::json!({ "value": v.to_json() }),
        Answer::Ephemeral { .. } => serde_json::json!({ "ephemeral": true }),
        Answer::Unparsable { message, .. } => {
            serde_json::json!({ "error": { "summary": "unparsable", "detail": message } })
        }
        Answer::Failed(d) => {
            let first = d.errors().next();
            serde_json::json!({ "error": {
                "summary": first.map(|e| e.summary.clone()).unwrap_or_default(),
                "detail": first
                    .and_then(|e| e.detail.clone())
                    .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
                    .unwrap_or_default(),
            }})
        }
    }
}

/// Every case of tests/parity/functions/cases.txt gives what Terraform's
/// console gave (functions/expected.json, recorded by record_functions.py):
/// the value, its sensitivity, or the error's summary and detail. Cases
/// whose detail differs on purpose are listed in functions/differences.txt
/// with the reason; for those the summary must still match (unless the
/// reason starts `summary too:`).
#[test]
fn functions_match_terraform_console() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity/functions");
    let expected: Vec<J> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let differences: std::collections::BTreeMap<String, String> =
        std::fs::read_to_string(dir.join("differences.txt"))
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                l.split_once("  ## ")
                    .map(|(e, why)| (e.trim().to_string(), why.to_string()))
            })
            .collect();
    let mut stack = drinfra::ops::validate::open(&dir, &[], &[]);
    assert!(!stack.diags.has_errors(), "fixture loads");
    let mut failures = Vec::new();
    let mut stale = Vec::new();
    for case in &expected {
        let expr = case["expr"].as_str().unwrap();
        let got = console_case(&mut stack, &dir, expr);
        if let Some(shape) = case["shape"].as_str() {
            let re = regex::Regex::new(shape).unwrap();
            for (who, v) in [("terraform", &case["value"]), ("drinfra", &got["value"])] {
                if !re.is_match(&v.to_string()) {
                    failures.push(format!("{expr}: {who}'s {v} does not match {shape}"));
                }
            }
            continue;
        }
        let matches = if let Some(want) = case.get("error") {
            let summary_ok = got["error"]["summary"] == want["summary"];
            let detail_ok = got["error"]["detail"] == want["detail"];
            if let Some(why) = differences.get(expr) {
                if summary_ok && detail_ok {
                    stale.push(expr.to_string());
                }
                summary_ok || why.starts_with("summary too:")
            } else {
                summary_ok && detail_ok
            }
        } else if let Some(want) = case.get("value") {
            got.get("value").is_some_and(|g| same(g, want))
        } else {
            let mut want = case.clone();
            want.as_object_mut().unwrap().remove("expr");
            got == want
        };
        if !matches {
            let mut want = case.clone();
            want.as_object_mut().unwrap().remove("expr");
            failures.push(format!("{expr}\n  terraform: {want}\n  drinfra:   {got}"));
        }
    }
    assert!(
        stale.is_empty(),
        "now identical, remove from differences.txt: {stale:#?}"
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        expected.len(),
        failures.join("\n")
    );
}

/// Every one of Terraform 1.15's functions has a case, and drinfra knows it.
#[test]
fn every_terraform_function_has_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity/functions");
    let cases = std::fs::read_to_string(dir.join("cases.txt")).unwrap();
    let missing: Vec<&str> = drinfra::lang::functions::TERRAFORM_FUNCTIONS
        .iter()
        .copied()
        .filter(|f| !cases.contains(&format!("{f}(")))
        .collect();
    assert!(missing.is_empty(), "functions without cases: {missing:?}");
}

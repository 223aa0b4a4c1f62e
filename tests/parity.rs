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

//! Terraform parity for `.tf.json` files: the JSON corpus (native and JSON
//! files side by side, modules of each kind called from the other) gives
//! the outputs Terraform 1.15 recorded (tests/parity/json/expected.json,
//! by tests/parity/json/record.sh), and each malformed case under
//! tests/parity/json/errors fails with the summary and place Terraform
//! reported (its `expect.json`, from `terraform validate -json`): the
//! `override_*` cases are malformed JSON override files beside a valid
//! base.

use std::path::Path;

use serde_json::Value as J;

fn same(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => x.as_f64() == y.as_f64(),
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
fn json_corpus_matches_terraform() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity/json");
    let dir = here.join("corpus");
    let expected: serde_json::Map<String, J> =
        serde_json::from_str(&std::fs::read_to_string(here.join("expected.json")).unwrap())
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
        let Some(got) = eval.outputs.get(name) else {
            mismatches.push(format!("{name}: missing"));
            continue;
        };
        if got.sensitive != want["sensitive"].as_bool().unwrap() {
            mismatches.push(format!("{name}: sensitivity differs"));
        }
        let got_json = got.value.to_json();
        if !same(&got_json, &want["value"]) {
            mismatches.push(format!(
                "{name}:\n  terraform: {}\n  drinfra:   {got_json}",
                want["value"]
            ));
        }
    }
    assert_eq!(eval.outputs.len(), expected.len(), "output count");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// Each malformed case fails first where and as Terraform's first error
/// does: summary, detail, file, line and column (the place aside for the cases
/// errors/differences.txt lists, with the reason).
#[test]
fn json_errors_match_terraform() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity/json/errors");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let differences = std::fs::read_to_string(root.join("differences.txt")).unwrap();
    let place_differs = |name: &str| {
        differences
            .lines()
            .any(|l| l.split("  ## ").next() == Some(name))
    };
    assert!(cases.len() >= 10, "too few cases: {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let want: J =
            serde_json::from_str(&std::fs::read_to_string(case.join("expect.json")).unwrap())
                .unwrap();
        let (stack, _) = drinfra::ops::validate::validate(case, &[], &[], case, true);
        let mut errors: Vec<_> = stack.diags.errors().collect();
        errors.sort_by_key(|d| d.span.as_ref().map(|s| (s.file, s.range.start)));
        let got = errors.first().map(|d| {
            let at = d
                .span
                .as_ref()
                .map(|s| stack.config.sources.get(s.file).line_col(s.range.start));
            let file = d.span.as_ref().map(|s| {
                let path = &stack.config.sources.get(s.file).path;
                path.file_name().unwrap().to_string_lossy().into_owned()
            });
            serde_json::json!({
                "summary": d.summary,
                "detail": d.detail.clone().unwrap_or_default(),
                "filename": file,
                "line": at.as_ref().map_or(0, |a| a.line),
                "column": at.as_ref().map_or(0, |a| a.col),
            })
        });
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let matches = match &got {
            Some(g) if place_differs(&name) => {
                g["summary"] == want["summary"]
                    && g["detail"] == want["detail"]
                    && g["filename"] == want["filename"]
            }
            Some(g) => g == &want,
            None => false,
        };
        if !matches {
            failures.push(format!(
                "{}:\n  terraform: {want}\n  drinfra:   {}",
                name,
                got.unwrap_or(J::Null)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! Override files compared with Terraform 1.15: every case under
//! tests/parity/overrides is a configuration with override files (native
//! or JSON syntax, over bases of either), and
//! expected.json holds what Terraform made of it (recorded by
//! tests/parity/record_overrides.py): the outputs after apply, or the
//! errors of `validate -json` with their file, line and column. drinfra
//! must give the same.

use std::path::Path;

use serde_json::Value as J;

use super::common::copy_dir;
use super::terraform_cli::drinfra;

fn cases() -> serde_json::Map<String, J> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity/overrides/expected.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// drinfra's errors for the configuration in `dir`, in the recorded form.
fn errors(dir: &Path) -> Vec<J> {
    let r = drinfra(dir, &["validate", "-json", "-no-color"]);
    let doc: J = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
    let mut out: Vec<J> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            serde_json::json!({
                "summary": d["summary"],
                "detail": d["detail"],
                "filename": d["range"]["filename"],
                "line": d["range"]["start"]["line"],
                "column": d["range"]["start"]["column"],
            })
        })
        .collect();
    out.sort_by_key(|e| {
        (
            e["filename"].as_str().unwrap_or_default().to_string(),
            e["line"].as_u64(),
            e["column"].as_u64(),
        )
    });
    out
}

/// drinfra's outputs after applying the configuration in `dir`.
fn outputs(dir: &Path) -> J {
    let r = drinfra(
        dir,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    assert_eq!(r.code, 0, "apply: {}\n{}", r.stdout, r.stderr);
    let r = drinfra(dir, &["output", "-json"]);
    assert_eq!(r.code, 0, "output: {}\n{}", r.stdout, r.stderr);
    let all: serde_json::Map<String, J> = serde_json::from_str(&r.stdout).unwrap();
    all.into_iter()
        .map(|(k, o)| {
            (
                k,
                serde_json::json!({ "value": o["value"], "sensitive": o["sensitive"] }),
            )
        })
        .collect()
}

#[test]
fn override_files_merge_as_in_terraform() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity/overrides");
    let mut failures = Vec::new();
    for (name, want) in cases() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(&name);
        copy_dir(&root.join(&name), &dir);
        let got = match want.get("errors") {
            Some(_) => serde_json::json!({ "errors": errors(&dir) }),
            None => serde_json::json!({ "outputs": outputs(&dir) }),
        };
        if got != want {
            failures.push(format!("{name}:\n  terraform: {want}\n  drinfra:   {got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every case directory has a recorded result (record_overrides.py was
/// run after the last case was added).
#[test]
fn every_override_case_is_recorded() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity/overrides");
    let recorded = cases();
    for e in std::fs::read_dir(&root).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(recorded.contains_key(&name), "{name} is not recorded");
        }
    }
}

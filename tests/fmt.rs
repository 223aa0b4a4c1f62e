//! `drinfra fmt` produces `terraform fmt`'s output byte for byte, keeps
//! comments, and is idempotent. tests/fmt/terraform holds what Terraform
//! 1.15 made of each file in tests/fmt/cases (tests/fmt/record.sh).

use std::path::{Path, PathBuf};

use drinfra::config::fmt::format_source;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(p: &str) -> String {
    std::fs::read_to_string(root().join(p)).unwrap()
}

fn cases() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fmt/cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    out.sort();
    assert!(out.len() >= 6, "fmt corpus too small");
    out
}

#[test]
fn matches_terraform_fmt() {
    let out = format_source(&read("tests/fmt/messy.tf")).unwrap();
    assert_eq!(out, read("tests/fmt/expected.tf"));
}

#[test]
fn matches_terraform_fmt_byte_for_byte_on_every_recorded_case() {
    let mut failures = Vec::new();
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let want = std::fs::read_to_string(root().join("tests/fmt/terraform").join(&name))
            .unwrap_or_else(|_| panic!("{name} has no recorded output: run tests/fmt/record.sh"));
        let got = format_source(&std::fs::read_to_string(&case).unwrap()).unwrap();
        if got != want {
            failures.push(format!(
                "{name}:\n--- terraform\n{want}\n--- drinfra\n{got}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn spaces_around_operators_inside_braces_and_after_commas() {
    // What `terraform fmt -check` rejects and the line-based formatter let pass.
    assert_eq!(format_source("a = 1+2\n").unwrap(), "a = 1 + 2\n");
    assert_eq!(
        format_source("a = {a=1,bb=2}\n").unwrap(),
        "a = { a = 1, bb = 2 }\n"
    );
    assert_eq!(format_source("a = [1,2 ,3]\n").unwrap(), "a = [1, 2, 3]\n");
    assert_eq!(
        format_source("provider \"azurerm\" {\n  features {}\n}\n").unwrap(),
        "provider \"azurerm\" {\n  features {}\n}\n"
    );
    assert_eq!(format_source("x { }\n").unwrap(), "x {}\n");
    // A hyphen inside a name is part of it, as in Terraform.
    assert_eq!(format_source("a = x-1\n").unwrap(), "a = x-1\n");
}

#[test]
fn is_idempotent() {
    for case in cases()
        .iter()
        .map(|p| p.to_path_buf())
        .chain([root().join("tests/fmt/messy.tf")])
    {
        let once = format_source(&std::fs::read_to_string(&case).unwrap()).unwrap();
        assert_eq!(format_source(&once).unwrap(), once, "{}", case.display());
    }
}

#[test]
fn canonical_files_are_unchanged() {
    for f in [
        "tests/fmt/expected.tf",
        "examples/sites/main.tf",
        "examples/quickstart/main.tf",
        "tests/parity/corpus/main.tf",
        "tests/parity/corpus/variables.tf",
    ] {
        let text = read(f);
        assert_eq!(format_source(&text).unwrap(), text, "{f} changed");
    }
}

#[test]
fn every_configuration_in_the_repository_is_formatted() {
    let mut bad = Vec::new();
    for dir in ["examples", "stacks", "modules"] {
        walk(&root().join(dir), &mut |p| {
            let text = std::fs::read_to_string(p).unwrap();
            if format_source(&text).unwrap() != text {
                bad.push(p.display().to_string());
            }
        });
    }
    assert!(bad.is_empty(), "not in canonical layout: {bad:?}");
}

fn walk(dir: &Path, f: &mut dyn FnMut(&Path)) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, f);
        } else if p.extension().is_some_and(|x| x == "tf") {
            f(&p);
        }
    }
}

#[test]
fn syntax_error_is_reported_with_position() {
    let err = format_source("a = 1\nb = \n").unwrap_err().to_string();
    assert!(
        err.starts_with("3:1:") || err.starts_with("2:"),
        "got {err}"
    );
}

#[test]
fn heredoc_body_is_untouched() {
    let src = "x = <<EOT\n   odd   = spacing\nEOT\n";
    assert_eq!(format_source(src).unwrap(), src);
}

#[test]
fn numbers_beyond_f64_still_format() {
    // Terraform's numbers have arbitrary precision; fmt must not refuse them.
    assert_eq!(format_source("a=1e309\n").unwrap(), "a = 1e309\n");
}

#[test]
fn never_panics_on_arbitrary_input() {
    // A small deterministic generator over HCL's troublesome characters.
    let alphabet: Vec<char> = "ab_-1e.\"${}%~[]()<<EOT\n\r\t #/*=,:?!é\\"
        .chars()
        .collect();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..3000 {
        let mut s = String::new();
        for _ in 0..(seed % 60) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        if let Ok(out) = format_source(&s) {
            assert_eq!(
                format_source(&out).ok().as_deref(),
                Some(out.as_str()),
                "not idempotent on {s:?}"
            );
        }
    }
}

//! `drinfra fmt` produces `terraform fmt`'s layout, keeps comments, and is
//! idempotent.

use std::path::Path;

use drinfra::config::fmt::format_source;

fn read(p: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(p)).unwrap()
}

#[test]
fn matches_terraform_fmt() {
    let out = format_source(&read("tests/fmt/messy.tf")).unwrap();
    assert_eq!(out, read("tests/fmt/expected.tf"));
}

#[test]
fn is_idempotent() {
    let once = format_source(&read("tests/fmt/messy.tf")).unwrap();
    assert_eq!(format_source(&once).unwrap(), once);
}

#[test]
fn canonical_files_are_unchanged() {
    for f in ["tests/fmt/expected.tf", "examples/sites/main.tf", "examples/quickstart/main.tf", "tests/parity/corpus/main.tf", "tests/parity/corpus/variables.tf"] {
        let text = read(f);
        assert_eq!(format_source(&text).unwrap(), text, "{f} changed");
    }
}

#[test]
fn syntax_error_is_reported_with_position() {
    let err = format_source("a = 1\nb = \n").unwrap_err().to_string();
    assert!(err.starts_with("3:1:") || err.starts_with("2:"), "got {err}");
}

#[test]
fn heredoc_body_is_untouched() {
    let src = "x = <<EOT\n   odd   = spacing\nEOT\n";
    assert_eq!(format_source(src).unwrap(), src);
}

//! Variables files and --var options meet the same rules as configuration
//! files and function arguments: regular files only (a named pipe must
//! not hang the run), bad encodings located, and no secret echoed back.

use std::path::Path;
use std::time::{Duration, Instant};

use drinfra::config::vars::CliInput;
use drinfra::render::diagnostics::render_all;
use drinfra::render::style::Style;

fn errors(dir: &Path, cli: &[CliInput]) -> String {
    let stack = drinfra::config::open(dir, cli, &[]);
    assert!(stack.diags.has_errors(), "expected an error");
    render_all(&stack.diags, &stack.config.sources, dir, Style::plain())
}

fn stack() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "variable \"pw\" {\n  type      = string\n  sensitive = true\n}\n",
    )
    .unwrap();
    dir
}

#[cfg(unix)]
#[test]
fn a_named_pipe_as_auto_tfvars_is_refused_without_blocking() {
    let dir = stack();
    let fifo = dir.path().join("x.auto.tfvars");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    let text = errors(dir.path(), &[]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "blocked on the pipe"
    );
    assert!(
        text.contains("Failed to read variables file") && text.contains("not a regular file"),
        "{text}"
    );
}

#[test]
fn a_var_file_over_the_size_limit_is_refused() {
    let dir = stack();
    let big = dir.path().join("big.tfvars");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(17 * 1024 * 1024).unwrap();
    let text = errors(dir.path(), &[CliInput::File(big)]);
    assert!(text.contains("Failed to read variables file"), "{text}");
}

#[test]
fn a_var_option_without_equals_is_not_echoed() {
    let dir = stack();
    let text = errors(dir.path(), &[CliInput::Var("S3NT1NEL-hunter2".into())]);
    assert!(text.contains("Invalid --var option"), "{text}");
    assert!(!text.contains("S3NT1NEL"), "the option was echoed: {text}");
}

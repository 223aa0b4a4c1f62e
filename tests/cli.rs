//! Snapshot tests of the command line's output and exit codes. Run with
//! UPDATE_SNAPSHOTS=1 to rewrite tests/snapshots after reviewing a change.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn drinfra(dir: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drinfra"));
    cmd.arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("drinfra runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

fn snapshot(name: &str, run: &Run) {
    let text = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        run.code, run.stdout, run.stderr
    );
    let path = root().join("tests/snapshots").join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("snapshot {name} is missing (UPDATE_SNAPSHOTS=1 to write it)"));
    assert_eq!(
        text, want,
        "snapshot {name} differs (UPDATE_SNAPSHOTS=1 to accept)"
    );
}

#[test]
fn validate_reports_all_errors_with_carets() {
    let run = drinfra(
        &root().join("tests/broken/several_errors"),
        &["validate"],
        None,
        &[],
    );
    assert_eq!(run.code, 1);
    snapshot("validate_several_errors", &run);
}

#[test]
fn validate_json_is_terraforms_shape() {
    let run = drinfra(
        &root().join("tests/broken/undeclared_variable"),
        &["validate", "--json"],
        None,
        &[],
    );
    assert_eq!(run.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["valid"], false);
    assert_eq!(doc["error_count"], 1);
    assert_eq!(doc["diagnostics"][0]["range"]["start"]["line"], 2);
    snapshot("validate_json", &run);
}

#[test]
fn validate_accepts_the_quickstart() {
    let run = drinfra(&root().join("examples/sites"), &["validate"], None, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    snapshot("validate_quickstart", &run);
}

#[test]
fn validate_needs_no_input_values() {
    // Like terraform validate: a root variable without a value is unknown.
    let run = drinfra(
        &root().join("tests/broken/missing_required_variable"),
        &["validate"],
        None,
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn console_evaluates_in_the_root_module() {
    let input = "local.active\nmodule.site[\"dr\"].resource_group_name\nvar.sites\nmodule.site\n[for k in keys(var.sites) : upper(k)]\nvar.nope\n";
    let run = drinfra(
        &root().join("examples/sites"),
        &["console"],
        Some(input),
        &[],
    );
    assert_eq!(run.code, 1, "the last expression is an error");
    snapshot("console_quickstart", &run);
}

#[test]
fn console_shows_unknown_and_sensitive_values() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "variable \"pw\" {\n  default   = \"s3cret\"\n  sensitive = true\n}\nresource \"terraform_data\" \"x\" {\n  input = \"a\"\n}\n",
    )
    .unwrap();
    let input = "var.pw\nterraform_data.x.id\nterraform_data.x.input\n\"${terraform_data.x.id}-suffix\"\nlength(var.pw)\n";
    let run = drinfra(dir.path(), &["console"], Some(input), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "(sensitive value)\n(known after apply)\n\"a\"\n(known after apply)\n(sensitive value)\n"
    );
}

#[test]
fn fmt_check_exits_3_and_lists_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("tests/fmt/messy.tf"),
        dir.path().join("messy.tf"),
    )
    .unwrap();
    std::fs::copy(
        root().join("tests/fmt/expected.tf"),
        dir.path().join("tidy.tf"),
    )
    .unwrap();
    let run = drinfra(dir.path(), &["fmt", "--check"], None, &[]);
    assert_eq!((run.code, run.stdout.as_str()), (3, "messy.tf\n"));
    let before = std::fs::read_to_string(dir.path().join("messy.tf")).unwrap();
    assert_eq!(
        before,
        std::fs::read_to_string(root().join("tests/fmt/messy.tf")).unwrap(),
        "--check must not write"
    );
    let run = drinfra(dir.path(), &["fmt"], None, &[]);
    assert_eq!(run.code, 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("messy.tf")).unwrap(),
        std::fs::read_to_string(root().join("tests/fmt/expected.tf")).unwrap()
    );
    assert_eq!(drinfra(dir.path(), &["fmt", "--check"], None, &[]).code, 0);
}

#[test]
fn variable_precedence_follows_terraform() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("main.tf"), "variable \"a\" {}\nvariable \"b\" {}\nvariable \"c\" {}\nvariable \"d\" {}\nvariable \"e\" {\n  type = list(number)\n}\n").unwrap();
    std::fs::write(
        p.join("terraform.tfvars"),
        "a = \"tfvars\"\nb = \"tfvars\"\nc = \"tfvars\"\n",
    )
    .unwrap();
    std::fs::write(p.join("x.auto.tfvars"), "b = \"auto\"\nc = \"auto\"\n").unwrap();
    std::fs::write(p.join("extra.tfvars"), "c = \"file\"\n").unwrap();
    let env = [
        ("TF_VAR_a", "env"),
        ("TF_VAR_d", "tf_env"),
        ("DRINFRA_VAR_d", "drinfra_env"),
        ("TF_VAR_e", "[1, 2]"),
    ];
    let run = drinfra(
        p,
        &["console", "--var-file", "extra.tfvars", "--var", "c=cli"],
        Some("[var.a, var.b, var.c, var.d]\nvar.e\n"),
        &env,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "[\n  \"tfvars\",\n  \"auto\",\n  \"cli\",\n  \"drinfra_env\",\n]\ntolist([\n  1,\n  2,\n])\n"
    );
    // A later --var-file wins over an earlier --var.
    let run = drinfra(
        p,
        &["console", "--var", "c=cli", "--var-file", "extra.tfvars"],
        Some("var.c\n"),
        &env,
    );
    assert_eq!(run.stdout, "\"file\"\n");
}

#[test]
fn undeclared_cli_variable_is_an_error() {
    let run = drinfra(
        &root().join("examples/sites"),
        &["validate", "--var", "nope=1"],
        None,
        &[],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("Value for undeclared variable \"nope\""),
        "{}",
        run.stderr
    );
}

#[test]
fn no_color_when_not_a_terminal() {
    let run = drinfra(
        &root().join("tests/broken/several_errors"),
        &["validate"],
        None,
        &[],
    );
    assert!(!run.stderr.contains('\x1b'));
}

/// Regression: validate said "Success!" for configurations plan then
/// rejected (unsupported types and arguments); it now runs the providers'
/// checks, with no credentials, cloud or emulator to reach.
#[test]
fn validate_rejects_what_plan_rejects_without_credentials() {
    let dir = root().join("tests/broken/unsupported_arguments_found_by_validate");
    let run = drinfra(
        &dir,
        &["validate"],
        None,
        &[
            ("ARM_CLIENT_ID", ""),
            ("ARM_SUBSCRIPTION_ID", ""),
            ("DRINFRA_EMULATOR_URL", "http://127.0.0.1:9"),
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("Success!"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("main.tf:5:3: error: Unsupported argument")
            && run.stderr.contains("\"colour\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("error: Missing required argument"),
        "{}",
        run.stderr
    );
    let types = drinfra(
        &root().join("tests/broken/unsupported_resource_types"),
        &["validate"],
        None,
        &[],
    );
    assert_eq!(types.code, 1);
    assert!(
        types.stderr.contains("azurerm 3.0 removed it")
            && types
                .stderr
                .contains("azurerm_traffic_manager_external_endpoint"),
        "{}",
        types.stderr
    );
    assert!(
        types
            .stderr
            .contains("is an azurerm resource type, but drinfra does not support it yet"),
        "{}",
        types.stderr
    );
    assert!(
        types
            .stderr
            .contains("hashicorp/aws, declared in required_providers"),
        "{}",
        types.stderr
    );
}

/// Regression: an unknown function hid every other problem from plan
/// (evaluation ran only when the static checks passed, and provider checks
/// only when evaluation did). plan now reports them all in one run.
#[test]
fn plan_reports_every_independent_problem_at_once() {
    let dir = root().join("tests/broken/unknown_function_hides_nothing");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(dir.join("main.tf"), tmp.path().join("main.tf")).unwrap();
    let run = drinfra(
        tmp.path(),
        &["plan"],
        None,
        &[("DRINFRA_EMULATOR_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for want in [
        "main.tf:2:10: error: Call to unknown function",
        "main.tf:7:14: error: Call to unknown function",
        "main.tf:8:3: error: Unsupported argument",
        "main.tf:11:10: error: Unsupported resource type",
        "main.tf:16:11: error: Reference to undeclared input variable",
    ] {
        assert!(run.stderr.contains(want), "{want}\n{}", run.stderr);
    }
}

#[test]
fn version_says_which_terraform_language_it_implements() {
    let run = drinfra(&root(), &["version"], None, &[]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains(&format!(
            "Terraform language v{}",
            drinfra::config::version::TERRAFORM_LANGUAGE
        )),
        "{}",
        run.stdout
    );
}

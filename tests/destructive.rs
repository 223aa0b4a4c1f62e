//! Destructive commands do exactly what they say: targeted destroy,
//! prevent_destroy, replace_triggered_by on one attribute, the implied
//! moves at the count boundary, refresh-only outputs.

use std::path::Path;
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn drinfra(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("drinfra runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

fn write(dir: &Path, text: &str) {
    std::fs::write(dir.join("main.tf"), text).unwrap();
}

fn state(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("drinfra.tfstate")).unwrap()).unwrap()
}

fn addresses(dir: &Path) -> Vec<String> {
    state(dir)["resources"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn applied(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), text);
    let r = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    dir
}

const FOUR: &str = r#"
resource "terraform_data" "a" {
  input = "a"
}
resource "terraform_data" "b" {
  input = terraform_data.a.output
}
resource "terraform_data" "c" {
  input = "c"
}
resource "terraform_data" "d" {
  input = terraform_data.c.output
}
"#;

#[test]
fn targeted_destroy_removes_the_target_and_its_dependents_only() {
    let dir = applied(FOUR);
    let r = drinfra(
        dir.path(),
        &["plan", "--destroy", "--target", "terraform_data.c"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("# terraform_data.c will be destroyed"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("# terraform_data.d will be destroyed"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("terraform_data.a "), "{}", r.stdout);
    assert!(!r.stdout.contains("terraform_data.b "), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("Plan: 0 to add, 0 to change, 2 to destroy."),
        "{}",
        r.stdout
    );
    let r = drinfra(
        dir.path(),
        &["destroy", "--target", "terraform_data.c", "--auto-approve"],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        addresses(dir.path()),
        vec!["terraform_data.a", "terraform_data.b"]
    );
    // A target that depends on nothing else takes only itself.
    let r = drinfra(
        dir.path(),
        &["destroy", "--target", "terraform_data.b", "--auto-approve"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(addresses(dir.path()), vec!["terraform_data.a"]);
}

#[test]
fn destroy_refuses_a_resource_with_prevent_destroy() {
    let text = "resource \"terraform_data\" \"free\" {}\nresource \"terraform_data\" \"db\" {\n  input = 1\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n";
    let dir = applied(text);
    let before = std::fs::read_to_string(dir.path().join("drinfra.tfstate")).unwrap();
    let r = drinfra(dir.path(), &["destroy", "--auto-approve"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("main.tf:5:5: error: Instance cannot be destroyed"),
        "points at the argument: {}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("Resource terraform_data.db has lifecycle.prevent_destroy set"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("drinfra.tfstate")).unwrap(),
        before,
        "nothing changed"
    );
    // The same for `plan --destroy`, and a target that leaves it out works.
    assert_eq!(drinfra(dir.path(), &["plan", "--destroy"]).code, 1);
    let r = drinfra(
        dir.path(),
        &[
            "destroy",
            "--target",
            "terraform_data.free",
            "--auto-approve",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(addresses(dir.path()), vec!["terraform_data.db"]);
}

#[test]
fn prevent_destroy_refuses_dropping_a_counted_instance() {
    let text = |n: u32| {
        format!(
            "resource \"terraform_data\" \"db\" {{\n  count = {n}\n  lifecycle {{\n    prevent_destroy = true\n  }}\n}}\n"
        )
    };
    let dir = applied(&text(2));
    write(dir.path(), &text(1));
    let r = drinfra(dir.path(), &["plan"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("Resource terraform_data.db[1] has lifecycle.prevent_destroy set"),
        "{}",
        r.stderr
    );
}

fn triggered(trigger: &str, change_input: bool, change_trigger: bool) -> String {
    let text = |i: &str, t: &str| {
        format!(
            "resource \"terraform_data\" \"x\" {{\n  input = \"{i}\"\n  triggers_replace = \"{t}\"\n}}\nresource \"terraform_data\" \"y\" {{\n  lifecycle {{\n    replace_triggered_by = [{trigger}]\n  }}\n}}\n"
        )
    };
    let dir = applied(&text("i1", "t1"));
    write(
        dir.path(),
        &text(
            if change_input { "i2" } else { "i1" },
            if change_trigger { "t2" } else { "t1" },
        ),
    );
    let r = drinfra(dir.path(), &["plan"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn replace_triggered_by_an_attribute_fires_only_when_that_attribute_changes() {
    let y = "# terraform_data.y must be replaced";
    let out = triggered("terraform_data.x.triggers_replace", true, false);
    assert!(
        out.contains("# terraform_data.x will be updated in-place"),
        "{out}"
    );
    assert!(!out.contains(y), "another attribute changed: {out}");
    let out = triggered("terraform_data.x.triggers_replace", false, true);
    assert!(out.contains(y), "{out}");
    let out = triggered("terraform_data.x.input", true, false);
    assert!(out.contains(y), "{out}");
    // The whole resource fires on any update.
    let out = triggered("terraform_data.x", true, false);
    assert!(out.contains(y), "{out}");
}

#[test]
fn replace_triggered_by_follows_count_index() {
    let text = |v: &str| {
        format!(
            "resource \"terraform_data\" \"x\" {{\n  count = 2\n  input = count.index == 1 ? \"{v}\" : \"same\"\n}}\nresource \"terraform_data\" \"y\" {{\n  count = 2\n  lifecycle {{\n    replace_triggered_by = [terraform_data.x[count.index].output]\n  }}\n}}\n"
        )
    };
    let dir = applied(&text("v1"));
    write(dir.path(), &text("v2"));
    let out = drinfra(dir.path(), &["plan"]).stdout;
    assert!(
        out.contains("# terraform_data.y[1] must be replaced"),
        "{out}"
    );
    assert!(
        !out.contains("# terraform_data.y[0] must be replaced"),
        "{out}"
    );
}

#[test]
fn removing_and_adding_count_one_moves_the_instance() {
    let with = "resource \"terraform_data\" \"a\" {\n  count = 1\n  input = \"x\"\n}\n";
    let without = "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\n";
    let dir = applied(with);
    let id = state(dir.path())["resources"]["terraform_data.a[0]"]["attributes"]["id"].clone();
    write(dir.path(), without);
    let r = drinfra(dir.path(), &["plan", "--detailed-exitcode"]);
    assert!(
        r.stdout
            .contains("# terraform_data.a[0] has moved to terraform_data.a"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("Plan: 0 to add, 0 to change, 0 to destroy."),
        "{}",
        r.stdout
    );
    assert_eq!(drinfra(dir.path(), &["apply", "--auto-approve"]).code, 0);
    assert_eq!(addresses(dir.path()), vec!["terraform_data.a"]);
    assert_eq!(
        state(dir.path())["resources"]["terraform_data.a"]["attributes"]["id"],
        id
    );
    // And back when count returns.
    write(dir.path(), with);
    let r = drinfra(dir.path(), &["plan"]);
    assert!(
        r.stdout
            .contains("# terraform_data.a has moved to terraform_data.a[0]"),
        "{}",
        r.stdout
    );
    assert_eq!(drinfra(dir.path(), &["apply", "--auto-approve"]).code, 0);
    assert_eq!(
        state(dir.path())["resources"]["terraform_data.a[0]"]["attributes"]["id"],
        id
    );
}

#[test]
fn count_boundary_moves_happen_only_when_the_other_address_is_free() {
    // Both recorded (a count of 2 went to none): [0] is not moved onto
    // an existing `a`; for_each instances are never moved.
    let dir = applied(
        "resource \"terraform_data\" \"a\" {\n  count = 2\n}\nresource \"terraform_data\" \"e\" {\n  for_each = toset([\"k\"])\n}\n",
    );
    write(
        dir.path(),
        "resource \"terraform_data\" \"a\" {}\nresource \"terraform_data\" \"e\" {}\n",
    );
    let out = drinfra(dir.path(), &["plan"]).stdout;
    assert!(
        out.contains("# terraform_data.a[0] has moved to terraform_data.a"),
        "{out}"
    );
    assert!(
        out.contains("# terraform_data.a[1] will be destroyed"),
        "{out}"
    );
    assert!(
        out.contains("# terraform_data.e[\"k\"] will be destroyed"),
        "{out}"
    );
    assert!(out.contains("# terraform_data.e will be created"), "{out}");
}

#[test]
fn refresh_only_updates_outputs() {
    let dir = applied(
        "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\noutput \"o\" {\n  value = \"old\"\n}\noutput \"gone\" {\n  value = 1\n}\n",
    );
    write(
        dir.path(),
        "resource \"terraform_data\" \"a\" {\n  input = \"changed\"\n}\noutput \"o\" {\n  value = \"new-${terraform_data.a.output}\"\n}\noutput \"added\" {\n  value = 2\n}\n",
    );
    let plan = drinfra(dir.path(), &["plan", "--refresh-only"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let r = drinfra(dir.path(), &["apply", "--refresh-only", "--auto-approve"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let s = state(dir.path());
    assert_eq!(
        s["outputs"]["o"]["value"], "new-x",
        "outputs follow the refreshed resources: {s}"
    );
    assert_eq!(s["outputs"]["added"]["value"], 2);
    assert!(s["outputs"].get("gone").is_none(), "{s}");
    assert_eq!(
        s["resources"]["terraform_data.a"]["attributes"]["input"], "x",
        "resources are not changed"
    );
}

#[test]
fn a_change_at_the_largest_serial_is_refused_not_wrapped_to_zero() {
    let dir = applied("resource \"terraform_data\" \"a\" {\n  input = 1\n}\n");
    let path = dir.path().join("drinfra.tfstate");
    let mut s = state(dir.path());
    s["serial"] = serde_json::Value::from(u64::MAX);
    std::fs::write(&path, serde_json::to_vec_pretty(&s).unwrap()).unwrap();
    let before = std::fs::read_to_string(&path).unwrap();
    write(
        dir.path(),
        "resource \"terraform_data\" \"a\" {\n  input = 2\n}\n",
    );
    let r = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("serial is 18446744073709551615"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        before,
        "nothing written"
    );
    assert!(!dir.path().join("drinfra.tfstate.journal").exists());
    // State commands that write refuse the same way.
    let r = drinfra(dir.path(), &["state", "rm", "terraform_data.a"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("serial is 18446744073709551615"),
        "{}",
        r.stderr
    );
    assert_eq!(
        state(dir.path())["serial"],
        serde_json::Value::from(u64::MAX)
    );
}

//! plan / apply / destroy end to end through the command line, against
//! `terraform_data` and local state.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn drinfra(dir: &Path, args: &[&str]) -> Run {
    drinfra_env(dir, args, &[])
}

fn drinfra_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drinfra"));
    cmd.arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("drinfra runs");
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

fn attr(dir: &Path, addr: &str, name: &str) -> serde_json::Value {
    state(dir)["resources"][addr]["attributes"][name].clone()
}

const BASE: &str = r#"
resource "terraform_data" "a" {
  input = "one"
}
resource "terraform_data" "b" {
  count = 2
  input = "${terraform_data.a.output}-${count.index}"
}
output "b" {
  value = terraform_data.b[*].output
}
"#;

fn applied(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), text);
    let r = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    dir
}

#[test]
fn apply_then_plan_shows_no_changes() {
    let dir = applied(BASE);
    assert_eq!(attr(dir.path(), "terraform_data.b[1]", "output"), "one-1");
    let r = drinfra(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("No changes."));
    let out = drinfra(dir.path(), &["output", "--json", "b"]);
    assert_eq!(out.stdout.trim(), r#"["one-0","one-1"]"#);
}

#[test]
fn detailed_exitcode_and_update_in_place() {
    let dir = applied(BASE);
    write(dir.path(), &BASE.replace("\"one\"", "\"two\""));
    let r = drinfra(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("# terraform_data.a will be updated in-place"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("~ input  = \"one\" -> \"two\""),
        "{}",
        r.stdout
    );
    let id_before = attr(dir.path(), "terraform_data.a", "id");
    assert_eq!(drinfra(dir.path(), &["apply", "--auto-approve"]).code, 0);
    assert_eq!(
        attr(dir.path(), "terraform_data.a", "id"),
        id_before,
        "updated in place, not replaced"
    );
    assert_eq!(attr(dir.path(), "terraform_data.b[0]", "input"), "two-0");
}

#[test]
fn triggers_replace_forces_replacement() {
    let dir = applied(
        "resource \"terraform_data\" \"r\" {\n  input = 1\n  triggers_replace = [\"v1\"]\n}\n",
    );
    let id = attr(dir.path(), "terraform_data.r", "id");
    write(
        dir.path(),
        "resource \"terraform_data\" \"r\" {\n  input = 1\n  triggers_replace = [\"v2\"]\n}\n",
    );
    let r = drinfra(dir.path(), &["plan"]);
    assert!(
        r.stdout.contains("must be replaced") && r.stdout.contains("# forces replacement"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Destructive and data-affecting changes:\n  -/+ terraform_data.r: replaces: triggers_replace forces replacement"), "{}", r.stdout);
    assert_eq!(drinfra(dir.path(), &["apply", "--auto-approve"]).code, 0);
    assert_ne!(attr(dir.path(), "terraform_data.r", "id"), id);
}

#[test]
fn removed_instances_are_destroyed_with_reasons() {
    let dir = applied(
        "resource \"terraform_data\" \"c\" {\n  count = 3\n}\nresource \"terraform_data\" \"e\" {\n  for_each = toset([\"x\", \"y\"])\n}\nresource \"terraform_data\" \"gone\" {}\n",
    );
    write(
        dir.path(),
        "resource \"terraform_data\" \"c\" {\n  count = 2\n}\nresource \"terraform_data\" \"e\" {\n  for_each = toset([\"x\"])\n}\n",
    );
    let r = drinfra(dir.path(), &["plan"]);
    assert!(
        r.stdout
            .contains("# (because index [2] is out of range for count)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("# (because key [\"y\"] is not in for_each map)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("# (because terraform_data.gone is not in configuration)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("Plan: 0 to add, 0 to change, 3 to destroy.")
    );
    assert_eq!(drinfra(dir.path(), &["apply", "--auto-approve"]).code, 0);
    let list = drinfra(dir.path(), &["state", "list"]).stdout;
    assert_eq!(
        list,
        "terraform_data.c[0]\nterraform_data.c[1]\nterraform_data.e[\"x\"]\n"
    );
}

/// Terraform names the resource by type and name alone, without its
/// module path (checked against Terraform 1.15): the reason used to cut
/// the address at the first `[`, which gave `module.m` for a keyed module.
#[test]
fn reasons_for_orphans_in_keyed_modules_name_the_resource_as_terraform_does() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "module \"m\" {\n  source   = \"./m\"\n  for_each = toset([\"a\"])\n}\n",
    );
    std::fs::create_dir_all(dir.path().join("m")).unwrap();
    std::fs::write(
        dir.path().join("m/main.tf"),
        "resource \"terraform_data\" \"y\" {}\nresource \"terraform_data\" \"z\" {}\n",
    )
    .unwrap();
    assert_eq!(drinfra(dir.path(), &["apply", "--auto-approve"]).code, 0);
    std::fs::write(
        dir.path().join("m/main.tf"),
        "resource \"terraform_data\" \"y\" {}\n",
    )
    .unwrap();
    let r = drinfra(dir.path(), &["plan"]);
    assert!(
        r.stdout.contains(
            "# module.m[\"a\"].terraform_data.z will be destroyed\n  # (because terraform_data.z is not in configuration)"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn moved_blocks_rename_without_destroying() {
    let dir = applied("resource \"terraform_data\" \"old\" {\n  input = 1\n}\n");
    let id = attr(dir.path(), "terraform_data.old", "id");
    write(
        dir.path(),
        "resource \"terraform_data\" \"new\" {\n  input = 1\n}\nmoved {\n  from = terraform_data.old\n  to   = terraform_data.new\n}\n",
    );
    let r = drinfra(dir.path(), &["plan", "--detailed-exitcode"]);
    assert!(
        r.stdout
            .contains("# terraform_data.old has moved to terraform_data.new"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("Plan: 0 to add, 0 to change, 0 to destroy.")
    );
    assert_eq!(r.code, 0, "a move-only plan has no resource changes");
    assert_eq!(drinfra(dir.path(), &["apply", "--auto-approve"]).code, 0);
    assert_eq!(attr(dir.path(), "terraform_data.new", "id"), id);
    assert!(
        state(dir.path())["resources"]
            .get("terraform_data.old")
            .is_none()
    );
}

#[test]
fn prevent_destroy_stops_the_plan() {
    let dir = applied(
        "resource \"terraform_data\" \"db\" {\n  triggers_replace = 1\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n",
    );
    write(
        dir.path(),
        "resource \"terraform_data\" \"db\" {\n  triggers_replace = 2\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n",
    );
    let before = std::fs::read_to_string(dir.path().join("drinfra.tfstate")).unwrap();
    let r = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("Instance cannot be destroyed") && r.stderr.contains("terraform_data.db"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("main.tf:4:5"),
        "points at the prevent_destroy argument: {}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("drinfra.tfstate")).unwrap(),
        before,
        "state untouched"
    );
}

#[test]
fn ignore_changes_keeps_the_recorded_value() {
    let dir = applied(
        "resource \"terraform_data\" \"r\" {\n  input = \"a\"\n  lifecycle {\n    ignore_changes = [input]\n  }\n}\n",
    );
    write(
        dir.path(),
        "resource \"terraform_data\" \"r\" {\n  input = \"b\"\n  lifecycle {\n    ignore_changes = [input]\n  }\n}\n",
    );
    let r = drinfra(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn replace_triggered_by_replaces_when_the_trigger_changes() {
    let text = |v: &str| {
        format!(
            "resource \"terraform_data\" \"cfg\" {{\n  input = \"{v}\"\n}}\nresource \"terraform_data\" \"app\" {{\n  lifecycle {{\n    replace_triggered_by = [terraform_data.cfg]\n  }}\n}}\n"
        )
    };
    let dir = applied(&text("1"));
    write(dir.path(), &text("2"));
    let r = drinfra(dir.path(), &["plan"]);
    assert!(
        r.stdout.contains(
            "# terraform_data.app must be replaced\n  # (due to changes in replace_triggered_by)"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn saved_plans_apply_once_and_refuse_when_stale() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), BASE);
    let plan_file = dir.path().join("p.plan");
    let r = drinfra(dir.path(), &["plan", "--out", "p.plan"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shown = drinfra(dir.path(), &["show", "p.plan"]);
    assert!(shown.stdout.contains("Plan: 3 to add"));
    assert_eq!(drinfra(dir.path(), &["apply", "p.plan"]).code, 0);
    let again = drinfra(dir.path(), &["apply", "p.plan"]);
    assert_eq!(again.code, 1);
    assert!(
        again.stderr.contains("stale") && again.stderr.contains("serial"),
        "{}",
        again.stderr
    );
    // A plan made before a configuration change is refused too.
    assert_eq!(drinfra(dir.path(), &["plan", "--out", "p.plan"]).code, 0);
    write(dir.path(), &BASE.replace("one", "uno"));
    let r = drinfra(dir.path(), &["apply", "p.plan"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("configuration or input variables changed"),
        "{}",
        r.stderr
    );
    assert!(plan_file.exists());
}

#[test]
fn apply_without_a_terminal_needs_auto_approve() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), BASE);
    let r = drinfra(dir.path(), &["apply"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("--auto-approve"), "{}", r.stderr);
    assert!(!dir.path().join("drinfra.tfstate").exists());
}

#[test]
fn targets_limit_the_plan_to_dependencies() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &format!("{BASE}\nresource \"terraform_data\" \"other\" {{}}\n"),
    );
    let r = drinfra(dir.path(), &["plan", "--target", "terraform_data.b[1]"]);
    assert!(r.stdout.contains("Plan: 2 to add"), "{}", r.stdout);
    assert!(!r.stdout.contains("terraform_data.other"));
}

#[test]
fn destroy_removes_everything_in_reverse_order() {
    let dir = applied(BASE);
    let r = drinfra(dir.path(), &["destroy", "--auto-approve"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("Destruction complete"))
        .collect();
    let pos = |a: &str| lines.iter().position(|l| l.contains(a)).unwrap();
    assert!(
        pos("terraform_data.a:") > pos("terraform_data.b[0]")
            && pos("terraform_data.a:") > pos("terraform_data.b[1]"),
        "{lines:?}"
    );
    // As Terraform ends a destroy (it printed "Apply complete!").
    assert!(
        r.stdout
            .contains("Destroy complete! Resources: 3 destroyed.")
            && !r.stdout.contains("Apply complete!"),
        "{}",
        r.stdout
    );
    assert_eq!(drinfra(dir.path(), &["state", "list"]).stdout, "");
}

#[test]
fn plain_progress_lines_for_pipelines() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), BASE);
    let r = drinfra(dir.path(), &["apply", "--auto-approve"]);
    let started = r
        .stdout
        .lines()
        .filter(|l| l.ends_with("Creating..."))
        .count();
    let finished = r
        .stdout
        .lines()
        .filter(|l| l.contains("Creation complete after"))
        .count();
    assert_eq!((started, finished), (3, 3), "{}", r.stdout);
    assert!(
        r.stdout
            .lines()
            .find(|l| l.ends_with("Creating..."))
            .unwrap()
            .starts_with("20"),
        "timestamped"
    );
    assert!(!r.stdout.contains('\x1b'));
}

#[test]
fn state_commands_edit_and_inspect() {
    let dir = applied(BASE);
    let r = drinfra(
        dir.path(),
        &["state", "mv", "terraform_data.b", "terraform_data.c"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        drinfra(dir.path(), &["state", "list"]).stdout,
        "terraform_data.a\nterraform_data.c[0]\nterraform_data.c[1]\n"
    );
    assert_eq!(
        drinfra(dir.path(), &["state", "rm", "terraform_data.c[0]"]).code,
        0
    );
    let show = drinfra(dir.path(), &["state", "show", "terraform_data.a"]);
    assert!(show.stdout.contains("input  = \"one\""), "{}", show.stdout);
    assert!(drinfra(dir.path(), &["state", "rm", "nope.x"]).code != 0);
    let serial = state(dir.path())["serial"].as_u64().unwrap();
    assert_eq!(serial, 3, "apply, mv and rm each wrote once");
    assert!(dir.path().join("drinfra.tfstate.backup").exists());
}

#[test]
fn graph_exports_dot_and_mermaid() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), BASE);
    let dot = drinfra(dir.path(), &["graph"]).stdout;
    assert!(
        dot.contains("\"terraform_data.b\" -> \"terraform_data.a\";"),
        "{dot}"
    );
    let mm = drinfra(dir.path(), &["graph", "--format", "mermaid"]).stdout;
    assert!(mm.starts_with("flowchart RL") && mm.contains("-->"), "{mm}");
}

#[test]
fn a_held_lock_makes_others_wait_then_fail_with_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), BASE);
    // A lock held by a live process (this test).
    // Created now: a holder whose process started after its lock's creation is not its holder.
    let now = String::from_utf8(
        Command::new("date")
            .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let lock = serde_json::json!({"ID": "abc-123", "Operation": "apply", "Who": "alice@ci", "Host": std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim(), "Pid": std::process::id(), "Created": now.trim(), "CiRunUrl": "https://ci.example/run/7"});
    std::fs::write(dir.path().join("drinfra.tfstate.lock"), lock.to_string()).unwrap();
    let start = std::time::Instant::now();
    let r = drinfra(
        dir.path(),
        &["apply", "--auto-approve", "--lock-timeout", "1s"],
    );
    assert!(start.elapsed().as_millis() >= 900, "waited for the lock");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("alice@ci")
            && r.stderr.contains("abc-123")
            && r.stderr.contains("https://ci.example/run/7"),
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("drinfra.tfstate").exists());
    assert!(drinfra(dir.path(), &["force-unlock", "-force", "wrong"]).code != 0);
    // As Terraform: without -force it asks, and no terminal answers.
    assert!(drinfra(dir.path(), &["force-unlock", "abc-123"]).code != 0);
    assert_eq!(
        drinfra(dir.path(), &["force-unlock", "-force", "abc-123"]).code,
        0
    );
    assert_eq!(drinfra(dir.path(), &["apply", "--auto-approve"]).code, 0);
}

#[test]
fn a_lock_left_by_a_dead_process_is_broken() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), BASE);
    let mut child = Command::new("true").spawn().unwrap();
    let dead_pid = child.id();
    child.wait().unwrap();
    let lock = serde_json::json!({"ID": "old", "Operation": "apply", "Who": "bob@here", "Host": std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim(), "Pid": dead_pid, "Created": "2026-01-01T00:00:00Z"});
    std::fs::write(dir.path().join("drinfra.tfstate.lock"), lock.to_string()).unwrap();
    let r = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("stale lock"), "{}", r.stderr);
    assert!(
        !dir.path().join("drinfra.tfstate.lock").exists(),
        "released after the run"
    );
}

/// An apply of `n` terraform_data resources, two steps at a time and each
/// slowed down, so a test can interrupt it midway.
fn slow_apply(
    dir: &Path,
    n: usize,
    delay_ms: &str,
    stderr: Stdio,
) -> (std::process::Child, std::process::ChildStdout) {
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "resource \"terraform_data\" \"r{i}\" {{\n  input = {i}\n}}\n"
        ));
    }
    write(dir, &text);
    let mut child = Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .arg("-C")
        .arg(dir)
        .args(["apply", "--auto-approve", "--parallelism", "2"])
        .env("DRINFRA_TEST_STEP_DELAY_MS", delay_ms)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    (child, out)
}

/// The apply's output up to the point where `count` steps have completed.
fn read_until_completed(out: &mut std::process::ChildStdout, count: usize) -> String {
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while seen.matches("Creation complete").count() < count {
        let n = std::io::Read::read(out, &mut buf).unwrap();
        if n == 0 {
            break;
        }
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    seen
}

#[test]
fn killed_apply_loses_nothing_and_a_rerun_converges() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, mut out) = slow_apply(dir.path(), 40, "50", Stdio::null());
    // Wait until some steps completed, then SIGKILL.
    let seen = read_until_completed(&mut out, 6);
    child.kill().unwrap();
    child.wait().unwrap();
    let completed: Vec<String> = seen
        .lines()
        .filter(|l| l.contains("Creation complete"))
        .map(|l| {
            l.split_whitespace()
                .nth(1)
                .unwrap()
                .trim_end_matches(':')
                .to_string()
        })
        .collect();
    assert!(
        completed.len() >= 6 && completed.len() < 40,
        "{completed:?}"
    );
    // Everything reported complete is in the state (journal replayed), and
    // the lock of the dead run does not block the next one.
    let listed = drinfra(dir.path(), &["state", "list"]).stdout;
    for addr in &completed {
        assert!(
            listed.lines().any(|l| l == addr),
            "{addr} missing from {listed}"
        );
    }
    let r = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains(&format!("Resources: {} added", 40 - listed.lines().count())),
        "{}",
        r.stdout
    );
    assert_eq!(
        drinfra(dir.path(), &["state", "list"])
            .stdout
            .lines()
            .count(),
        40
    );
    assert_eq!(
        drinfra(dir.path(), &["plan", "--detailed-exitcode"]).code,
        0
    );
}

#[test]
fn errors_in_plan_change_nothing() {
    let dir = applied(BASE);
    let before = std::fs::read_to_string(dir.path().join("drinfra.tfstate")).unwrap();
    write(
        dir.path(),
        &format!("{BASE}\nresource \"terraform_data\" \"bad\" {{\n  nonsense = 1\n}}\n"),
    );
    let r = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("main.tf:14:3: error: Unsupported argument"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("drinfra.tfstate")).unwrap(),
        before
    );
    let _ = PathBuf::new();
    let _ = std::io::stdout().flush();
}

#[test]
fn interrupted_apply_finishes_running_steps_records_them_and_releases_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, mut out) = slow_apply(dir.path(), 30, "100", Stdio::piped());
    let mut seen = read_until_completed(&mut out, 2);
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    let status = child.wait().unwrap();
    seen.push_str(&rest);
    assert_eq!(status.code(), Some(1));
    assert!(seen.contains("Interrupt received"), "{seen}");
    let started = seen.matches("Creating...").count();
    let finished = seen.matches("Creation complete").count();
    assert_eq!(started, finished, "every started step finished: {seen}");
    assert!(finished < 30);
    assert!(
        !dir.path().join("drinfra.tfstate.lock").exists(),
        "lock released"
    );
    assert_eq!(
        drinfra(dir.path(), &["state", "list"])
            .stdout
            .lines()
            .count(),
        finished
    );
}

#[test]
fn sensitive_values_are_marked_in_state_and_masked_in_plans() {
    let text = "variable \"pw\" {\n  default   = \"hunter2\"\n  sensitive = true\n}\nresource \"terraform_data\" \"s\" {\n  input = { user = \"admin\", password = var.pw }\n}\n";
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), text);
    let r = drinfra(dir.path(), &["plan"]);
    assert!(!r.stdout.contains("hunter2"), "{}", r.stdout);
    assert!(r.stdout.contains("(sensitive value)"), "{}", r.stdout);
    assert_eq!(drinfra(dir.path(), &["apply", "--auto-approve"]).code, 0);
    // `output` echoes `input`: its copy of the password is sensitive too.
    assert_eq!(
        state(dir.path())["resources"]["terraform_data.s"]["sensitive_paths"],
        serde_json::json!([["input", "password"], ["output", "password"]])
    );
    assert_eq!(
        drinfra(dir.path(), &["plan", "--detailed-exitcode"]).code,
        0
    );
}

/// Regression: iterating over a resource's instances and reading a computed
/// attribute (`s.output`) failed before the first apply, because the
/// configuration-derived value lacked the attributes only the provider sets.
#[test]
fn computed_attributes_exist_before_the_first_apply() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "resource \"terraform_data\" \"s\" {\n  for_each = toset([\"a\"])\n  input    = each.key\n}\noutput \"o\" {\n  value = { for k, s in terraform_data.s : k => s.output }\n}\n",
    );
    let r = drinfra(dir.path(), &["validate"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("o = {\n  \"a\" = \"a\"\n}"),
        "{}",
        r.stdout
    );
}

#[test]
fn refresh_only_updates_state_from_real_objects_without_changes() {
    let dir = applied(BASE);
    let r = drinfra(dir.path(), &["apply", "--refresh-only", "--auto-approve"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = drinfra(
        dir.path(),
        &["plan", "--refresh-only", "--detailed-exitcode"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// Provider configurations (issue #12): state records the configuration
/// that manages each object, as Terraform does; a state from before
/// (a bare provider name) means the default configuration; an object whose
/// configuration was removed is an error naming it, not a silent use of
/// another one; and an undeclared alias stops the plan at the reference.
#[test]
fn state_records_each_objects_provider_configuration_and_undeclared_aliases_stop_the_plan() {
    let dir = applied(BASE);
    let path = dir.path().join("drinfra.tfstate");
    let st = state(dir.path());
    assert_eq!(
        st["resources"]["terraform_data.a"]["provider"],
        "provider[\"terraform.io/builtin/terraform\"]"
    );
    let with_provider = |p: &str| {
        let mut st = state(dir.path());
        for rs in st["resources"].as_object_mut().unwrap().values_mut() {
            rs["provider"] = serde_json::Value::String(p.to_string());
        }
        std::fs::write(&path, serde_json::to_vec_pretty(&st).unwrap()).unwrap();
    };
    // An older state: the default configuration, nothing to do.
    with_provider("terraform.io/builtin/terraform");
    let r = drinfra(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // Objects of a configuration that no longer exists.
    with_provider("provider[\"terraform.io/builtin/terraform\"].old");
    let r = drinfra(dir.path(), &["plan"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("Provider configuration not present") && r.stderr.contains("To work with terraform_data.a its original provider configuration at provider[\"terraform.io/builtin/terraform\"].old is required"), "{}", r.stderr);
    with_provider("provider[\"terraform.io/builtin/terraform\"]");
    // provider = terraform.nope was accepted and ignored.
    write(
        dir.path(),
        &BASE.replace(
            "  input = \"one\"",
            "  provider = terraform.nope\n  input = \"one\"",
        ),
    );
    let r = drinfra(dir.path(), &["plan"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("main.tf:3:14: error: Provider configuration not present"),
        "{}",
        r.stderr
    );
    let r = drinfra(dir.path(), &["destroy", "--auto-approve"]);
    assert_eq!(
        r.code, 1,
        "an invalid configuration destroys nothing either: {}",
        r.stderr
    );
    assert_eq!(state(dir.path())["resources"].as_object().unwrap().len(), 3);
}

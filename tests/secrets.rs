//! A sensitive value must never appear in clear anywhere but the state
//! (and an unencrypted saved plan), and drinfra says when it writes one
//! there unencrypted. These tests run a stack holding sentinel values
//! through every command and output surface, and scan what is left on disk
//! (`.drinfra/`, the embedded emulator's SQLite store).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The sensitive value.
const SECRET: &str = "S3NT1NEL-7f3a9c-pw";
/// A second value for the same variable, to drive an update.
const SECRET2: &str = "S3NT1NEL-7f3a9c-rotated";
/// An ephemeral value: it must appear nowhere at all.
const EPHEMERAL: &str = "S3NT1NEL-ephemeral-tok";
/// A secret written as a literal into an argument the provider's schema
/// says is sensitive (nested in a block): masked like the others, kept
/// only in the configuration and the state.
const LITERAL: &str = "L1TERAL-AccountKey-9d2e";
/// Every sentinel starts with this.
const MARK: &str = "S3NT1NEL";
const WARNING: &str = "holds sensitive values unencrypted";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

fn drinfra(dir: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drinfra"));
    cmd.arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Hermetic: no cloud or state settings from the environment running the tests.
    for (k, _) in std::env::vars() {
        if k.starts_with("ARM_")
            || k.starts_with("DRINFRA_")
            || k.starts_with("TF_VAR_")
            || k.starts_with("AZURE_")
        {
            cmd.env_remove(k);
        }
    }
    cmd.env("NO_COLOR", "1");
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

const STACK: &str = r#"
provider "azurerm" {
  features {}
}

variable "pw" {
  type      = string
  sensitive = true
}

variable "tok" {
  type      = string
  ephemeral = true
}

locals {
  # Ephemeral values may feed locals that nothing persists.
  bearer = "Bearer ${var.tok}"
}

resource "terraform_data" "c" {
  input = { pw = var.pw, user = "admin" }
}

resource "terraform_data" "derived" {
  input = {
    upper  = upper(var.pw)
    joined = join(",", ["a", var.pw])
    echo   = terraform_data.c.output
  }
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-secrets"
  location = "westeurope"
  tags     = { owner = "team-a" }
}

resource "azurerm_postgresql_flexible_server" "db" {
  name                   = "pg-secrets-1"
  resource_group_name    = azurerm_resource_group.rg.name
  location               = azurerm_resource_group.rg.location
  version                = "16"
  sku_name               = "GP_Standard_D2s_v3"
  administrator_login    = "pgadmin"
  administrator_password = var.pw
  storage_mb             = 32768
}

resource "azurerm_redis_cache" "cache" {
  name                = "redis-secrets-1"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  capacity            = 1
  family              = "P"
  sku_name            = "Premium"
  redis_configuration {
    rdb_backup_enabled            = true
    rdb_backup_frequency          = "60"
    rdb_storage_connection_string = "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=L1TERAL-AccountKey-9d2e"
  }
}

output "pw_out" {
  value     = terraform_data.c.output
  sensitive = true
}

output "id" {
  value = terraform_data.c.id
}
"#;

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn contains(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Collects every surface's text, then asserts on all of them at once so a
/// failure lists every leak.
#[derive(Default)]
struct Surfaces {
    leaks: Vec<String>,
}

impl Surfaces {
    fn check(&mut self, label: &str, text: &str) {
        for s in [SECRET, SECRET2, EPHEMERAL, LITERAL] {
            if text.contains(s) {
                let at = text.find(s).unwrap();
                let from = text[..at]
                    .char_indices()
                    .rev()
                    .nth(80)
                    .map(|(i, _)| i)
                    .unwrap_or(0);
                self.leaks.push(format!(
                    "{label}: {s} in ...{}...",
                    &text[from..(at + s.len()).min(text.len())]
                ));
            }
        }
    }

    fn run(&mut self, label: &str, r: &Run) {
        self.check(label, &r.all());
    }

    fn assert_none(&self) {
        assert!(
            self.leaks.is_empty(),
            "sensitive values in clear:\n{}",
            self.leaks.join("\n")
        );
    }
}

#[test]
fn sentinel_secrets_appear_only_in_state_and_unencrypted_plan_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("main.tf"), STACK).unwrap();
    let env: &[(&str, &str)] = &[("TF_VAR_pw", SECRET), ("TF_VAR_tok", EPHEMERAL)];
    let mut s = Surfaces::default();

    // validate, human and JSON.
    let r = drinfra(d, &["validate"], None, env);
    assert_eq!(r.code, 0, "{}", r.all());
    s.run("validate", &r);
    let r = drinfra(d, &["validate", "--json"], None, env);
    s.run("validate --json", &r);

    // plan in every format.
    for args in [
        &["plan"][..],
        &["plan", "--json"],
        &["plan", "--markdown"],
        &["plan", "--compact"],
    ] {
        let r = drinfra(d, args, None, env);
        assert_eq!(r.code, 0, "{args:?}: {}", r.all());
        assert!(
            r.all().contains("(sensitive value)")
                || args.contains(&"--compact")
                || args.contains(&"--json"),
            "{args:?} masks: {}",
            r.stdout
        );
        assert!(
            !r.all().contains(WARNING),
            "{args:?} writes nothing: {}",
            r.all()
        );
        s.run(&format!("{args:?}"), &r);
    }

    // A saved plan: unencrypted, so it may hold the secret, and drinfra says so once.
    let r = drinfra(d, &["plan", "--out", "secret.plan"], None, env);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(
        r.stderr.matches(WARNING).count(),
        1,
        "one warning: {}",
        r.all()
    );
    assert!(
        r.stderr.contains("secret.plan") && r.stderr.contains("DRINFRA_STATE_PASSPHRASE"),
        "{}",
        r.stderr
    );
    s.run("plan --out", &r);
    let plan_file = std::fs::read(d.join("secret.plan")).unwrap();
    assert!(
        contains(&plan_file, SECRET),
        "an unencrypted saved plan carries the value apply needs"
    );
    assert!(
        !contains(&plan_file, EPHEMERAL),
        "ephemeral values are never persisted, not even in a plan file"
    );
    for args in [
        &["show", "secret.plan"][..],
        &["show", "--json", "secret.plan"],
        &["show", "--markdown", "secret.plan"],
        &["show", "--compact", "secret.plan"],
    ] {
        let r = drinfra(d, args, None, env);
        assert_eq!(r.code, 0, "{args:?}: {}", r.all());
        s.run(&format!("{args:?}"), &r);
    }
    let plan_json: serde_json::Value =
        serde_json::from_str(&drinfra(d, &["show", "--json", "secret.plan"], None, env).stdout)
            .unwrap();
    assert_eq!(plan_json["variables"]["pw"]["value"], "(sensitive value)");
    assert!(
        plan_json["variables"].get("tok").is_none(),
        "ephemeral variables are not recorded: {}",
        plan_json["variables"]
    );

    // apply the saved plan: the state is unencrypted, drinfra says so once.
    let r = drinfra(d, &["apply", "secret.plan"], None, env);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(
        r.stderr.matches(WARNING).count(),
        1,
        "one warning: {}",
        r.all()
    );
    s.run("apply PLAN", &r);

    // Everything that reads the state back.
    for args in [
        &["show"][..],
        &["show", "--json"],
        &["state", "list"],
        &["state", "show", "terraform_data.c"],
        &["state", "show", "terraform_data.derived"],
        &["state", "show", "azurerm_postgresql_flexible_server.db"],
        &["state", "show", "azurerm_redis_cache.cache"],
        &["output"],
        &["graph"],
    ] {
        let r = drinfra(d, args, None, env);
        assert_eq!(r.code, 0, "{args:?}: {}", r.all());
        s.run(&format!("{args:?}"), &r);
    }
    // Asked for by name, a sensitive output is printed, as Terraform 1.15
    // prints it (`terraform output NAME`, like -raw and -json).
    let r = drinfra(d, &["output", "pw_out"], None, env);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains(SECRET), "{}", r.all());
    // Derived attributes are sensitive where their inputs are, in the
    // recorded marks and in show --json's sensitive_values (as Terraform's).
    let shown: serde_json::Value =
        serde_json::from_str(&drinfra(d, &["show", "--json"], None, env).stdout).unwrap();
    let res = shown["values"]["root_module"]["resources"]
        .as_array()
        .unwrap();
    let c = res
        .iter()
        .find(|r| r["address"] == "terraform_data.c")
        .unwrap();
    assert_eq!(c["sensitive_values"]["output"]["pw"], true, "{c}");
    assert_eq!(c["values"]["output"]["pw"], "(sensitive value)", "{c}");
    assert_eq!(
        c["values"]["output"]["user"], "admin",
        "what is not sensitive stays readable"
    );
    let db = res
        .iter()
        .find(|r| r["address"] == "azurerm_postgresql_flexible_server.db")
        .unwrap();
    assert_eq!(
        db["sensitive_values"]["administrator_password"], true,
        "{db}"
    );
    let cache = res
        .iter()
        .find(|r| r["address"] == "azurerm_redis_cache.cache")
        .unwrap();
    assert_eq!(
        cache["sensitive_values"]["redis_configuration"][0]["rdb_storage_connection_string"], true,
        "{cache}"
    );
    let state_text = std::fs::read_to_string(d.join("drinfra.tfstate")).unwrap();
    assert!(state_text.contains(SECRET), "the state holds the value");
    let st: serde_json::Value = serde_json::from_str(&state_text).unwrap();
    let paths = &st["resources"]["terraform_data.derived"]["sensitive_paths"];
    for p in [
        serde_json::json!(["output", "upper"]),
        serde_json::json!(["output", "joined"]),
        serde_json::json!(["output", "echo", "pw"]),
    ] {
        assert!(
            paths.as_array().unwrap().contains(&p),
            "{p} marked: {paths}"
        );
    }

    // The console masks sensitive values and everything derived from them.
    let r = drinfra(
        d,
        &["console"],
        Some(
            "var.pw\nupper(var.pw)\n\"x-${var.pw}\"\nterraform_data.c.output\n{ a = var.pw }\n[var.pw]\nlocal.bearer\n",
        ),
        env,
    );
    s.run("console", &r);

    // An update streamed as JSON events.
    let env2: &[(&str, &str)] = &[("TF_VAR_pw", SECRET2), ("TF_VAR_tok", EPHEMERAL)];
    // The update, planned: old and new values both masked, in every format.
    for args in [
        &["plan"][..],
        &["plan", "--markdown"],
        &["plan", "--compact"],
        &["plan", "--json"],
    ] {
        let r = drinfra(d, args, None, env2);
        assert_eq!(r.code, 0, "{args:?}: {}", r.all());
        s.run(&format!("update {args:?}"), &r);
    }
    let r = drinfra(d, &["plan"], None, env2);
    assert!(
        r.stdout.contains("~ update") || r.stdout.contains("updated in-place"),
        "an update is planned: {}",
        r.stdout
    );
    let r = drinfra(d, &["apply", "--json", "--auto-approve"], None, env2);
    assert_eq!(r.code, 0, "{}", r.all());
    // With --json the warning is one diagnostic event among the others.
    assert_eq!(
        r.all().lines().filter(|l| l.contains(WARNING)).count(),
        1,
        "one warning: {}",
        r.all()
    );
    let warning: serde_json::Value = r
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["type"] == "diagnostic")
        .unwrap_or_else(|| panic!("a diagnostic event: {}", r.stdout));
    assert_eq!(warning["@level"], "warn");
    assert!(
        warning["diagnostic"]["detail"]
            .as_str()
            .unwrap()
            .contains(WARNING),
        "{warning}"
    );
    s.run("apply --json", &r);

    // A failed apply: the cloud refuses one object whose configuration
    // holds the secret (a Burstable server cannot be zone-redundant).
    let failing = r#"
resource "azurerm_postgresql_flexible_server" "bad" {
  name                   = "pg-secrets-bad"
  resource_group_name    = azurerm_resource_group.rg.name
  location               = azurerm_resource_group.rg.location
  version                = "16"
  sku_name               = "B_Standard_B1ms"
  administrator_login    = "pgadmin"
  administrator_password = var.pw
  storage_mb             = 32768
  high_availability {
    mode = "ZoneRedundant"
  }
}
"#;
    std::fs::write(d.join("failing.tf"), failing).unwrap();
    let r = drinfra(d, &["apply", "--auto-approve"], None, env2);
    assert_eq!(r.code, 1, "the cloud refuses it: {}", r.all());
    assert!(r.all().contains("failed"), "{}", r.all());
    s.run("failed apply", &r);
    let r = drinfra(d, &["apply", "--json", "--auto-approve"], None, env2);
    assert_eq!(r.code, 1, "{}", r.all());
    s.run("failed apply --json", &r);
    std::fs::remove_file(d.join("failing.tf")).unwrap();

    // Error messages about a sensitive value.
    let r = drinfra(
        d,
        &["console"],
        Some("var.pw + 1\ntonumber(var.pw)\n"),
        env2,
    );
    assert_eq!(r.code, 1);
    s.run("console errors", &r);

    // Nothing drinfra keeps beside the state holds the values: not
    // `.drinfra/` (backend memo, the embedded emulator's SQLite store and
    // credentials), not a journal, not a lock file.
    let allowed = |p: &Path| {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        name == "secret.plan" || name.starts_with("drinfra.tfstate")
    };
    let mut scanned = 0;
    for f in files_under(d) {
        let bytes = std::fs::read(&f).unwrap();
        scanned += 1;
        assert!(
            !contains(&bytes, EPHEMERAL),
            "ephemeral value persisted in {}",
            f.display()
        );
        if !allowed(&f) {
            assert!(
                !contains(&bytes, MARK),
                "sensitive value in clear in {}",
                f.display()
            );
            if !f.ends_with("main.tf") {
                assert!(
                    !contains(&bytes, LITERAL),
                    "schema-sensitive value in clear in {}",
                    f.display()
                );
            }
        }
    }
    assert!(
        files_under(&d.join(".drinfra"))
            .iter()
            .any(|f| f.to_string_lossy().contains("emulator")),
        "the embedded emulator's store was scanned"
    );
    assert!(scanned >= 4);

    s.assert_none();
}

/// The function-error surface: a diagnostic about an argument that is a
/// sensitive value must not quote it.
#[test]
fn diagnostics_about_sensitive_arguments_do_not_quote_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("main.tf"), "variable \"pw\" {\n  type      = string\n  sensitive = true\n}\n\nresource \"terraform_data\" \"f\" {\n  input = file(var.pw)\n}\n").unwrap();
    let env: &[(&str, &str)] = &[("TF_VAR_pw", SECRET)];
    let mut s = Surfaces::default();
    let r = drinfra(d, &["validate", "--json"], None, env);
    s.run("validate --json with file(var.pw)", &r);
    let r = drinfra(d, &["plan"], None, env);
    assert_eq!(r.code, 1, "{}", r.all());
    s.run("plan with file(var.pw)", &r);
    let r = drinfra(d, &["console"], Some("file(var.pw)\n"), env);
    s.run("console file(var.pw)", &r);
    s.assert_none();
}

#[test]
fn an_encrypted_state_and_plan_hold_no_secret_in_clear_and_no_warning_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("main.tf"), "variable \"pw\" {\n  type      = string\n  sensitive = true\n}\n\nresource \"terraform_data\" \"c\" {\n  input = { pw = var.pw }\n}\n").unwrap();
    let env: &[(&str, &str)] = &[
        ("TF_VAR_pw", SECRET),
        ("DRINFRA_STATE_PASSPHRASE", "correct horse battery"),
    ];
    let r = drinfra(d, &["plan", "--out", "p.plan"], None, env);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!r.all().contains(WARNING), "{}", r.all());
    let r = drinfra(d, &["apply", "p.plan"], None, env);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!r.all().contains(WARNING), "{}", r.all());
    for f in files_under(d) {
        assert!(
            !contains(&std::fs::read(&f).unwrap(), MARK),
            "clear secret in {}",
            f.display()
        );
    }
    // Without encryption the same apply warns, once.
    let plain = tempfile::tempdir().unwrap();
    std::fs::copy(d.join("main.tf"), plain.path().join("main.tf")).unwrap();
    let r = drinfra(
        plain.path(),
        &["apply", "--auto-approve"],
        None,
        &[("TF_VAR_pw", SECRET)],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.stderr.matches(WARNING).count(), 1, "{}", r.all());
    assert!(
        r.stderr.contains("DRINFRA_STATE_KEY"),
        "says how to turn encryption on: {}",
        r.stderr
    );
    // A state without secrets gets no warning.
    let none = tempfile::tempdir().unwrap();
    std::fs::write(
        none.path().join("main.tf"),
        "resource \"terraform_data\" \"c\" {\n  input = \"public\"\n}\n",
    )
    .unwrap();
    let r = drinfra(none.path(), &["apply", "--auto-approve"], None, &[]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!r.all().contains(WARNING), "{}", r.all());
}

#[test]
fn an_ephemeral_variable_in_a_resource_argument_is_refused_and_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("main.tf"), "variable \"tok\" {\n  type      = string\n  ephemeral = true\n}\n\nresource \"terraform_data\" \"c\" {\n  input = { tok = var.tok }\n}\n").unwrap();
    let env: &[(&str, &str)] = &[("TF_VAR_tok", EPHEMERAL)];
    for args in [&["validate"][..], &["plan"], &["apply", "--auto-approve"]] {
        let r = drinfra(d, args, None, env);
        assert_eq!(r.code, 1, "{args:?}: {}", r.all());
        assert!(
            r.stderr
                .contains("main.tf:7:11: error: Invalid use of ephemeral value"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(
            r.stderr
                .contains("Ephemeral values are not valid for \"input\""),
            "{}",
            r.stderr
        );
        assert!(!r.all().contains(EPHEMERAL), "{}", r.all());
    }
    assert!(!d.join("drinfra.tfstate").exists(), "nothing was written");
}

#[test]
fn random_generator_failure_fails_closed() {
    // With the OS generator unavailable, nothing that needs randomness
    // proceeds on a weaker source: no lock ID, no lineage, no object id,
    // no salt or nonce.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("main.tf"),
        "resource \"terraform_data\" \"c\" {\n  input = \"x\"\n}\n",
    )
    .unwrap();
    let r = drinfra(
        d,
        &["apply", "--auto-approve"],
        None,
        &[("DRINFRA_TEST_NO_RANDOM", "1")],
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stderr.contains("random number generator"), "{}", r.stderr);
    assert!(!d.join("drinfra.tfstate").exists());
    // The same with a state that exists: a lock ID is still needed.
    assert_eq!(drinfra(d, &["apply", "--auto-approve"], None, &[]).code, 0);
    let r = drinfra(d, &["plan"], None, &[("DRINFRA_TEST_NO_RANDOM", "1")]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stderr.contains("random number generator"), "{}", r.stderr);
}

const TF_DATA: &str = "variable \"pg_password\" {\n  type      = string\n  sensitive = true\n}\n\nresource \"terraform_data\" \"c\" {\n  input = { pw = var.pg_password }\n}\n";

#[test]
fn terraform_data_output_is_sensitive_where_its_input_is() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("main.tf"), TF_DATA).unwrap();
    let env: &[(&str, &str)] = &[("TF_VAR_pg_password", SECRET)];
    assert_eq!(drinfra(d, &["apply", "--auto-approve"], None, env).code, 0);
    for args in [
        &["show"][..],
        &["state", "show", "terraform_data.c"],
        &["show", "--json"],
    ] {
        let r = drinfra(d, args, None, env);
        assert_eq!(r.code, 0, "{}", r.all());
        assert!(
            !r.stdout.contains(SECRET),
            "{args:?} prints the secret: {}",
            r.stdout
        );
    }
    let shown: serde_json::Value =
        serde_json::from_str(&drinfra(d, &["show", "--json"], None, env).stdout).unwrap();
    let c = &shown["values"]["root_module"]["resources"][0];
    assert_eq!(
        c["sensitive_values"],
        serde_json::json!({"input": {"pw": true}, "output": {"pw": true}})
    );
    // What refers to the derived attribute is sensitive too.
    std::fs::write(
        d.join("more.tf"),
        "resource \"terraform_data\" \"d\" {\n  input = terraform_data.c.output\n}\n",
    )
    .unwrap();
    let r = drinfra(d, &["plan"], None, env);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.contains("(sensitive value)") && !r.stdout.contains(SECRET),
        "{}",
        r.all()
    );
}

#[test]
fn a_state_recorded_before_derived_marks_is_still_shown_masked() {
    // Written by an earlier drinfra: only input.pw was recorded sensitive.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("main.tf"), TF_DATA).unwrap();
    let state = serde_json::json!({
        "format": "drinfra-state", "version": 1, "drinfra_version": "0.1.0", "lineage": "00000000-0000-4000-8000-000000000001", "serial": 1,
        "resources": {"terraform_data.c": {
            "address": "terraform_data.c", "mode": "managed", "type": "terraform_data", "name": "c", "provider": "terraform.io/builtin/terraform",
            "attributes": {"id": "x", "input": {"pw": SECRET}, "output": {"pw": SECRET}, "triggers_replace": null},
            "sensitive_paths": [["input", "pw"]]
        }},
        "outputs": {}
    });
    std::fs::write(
        d.join("drinfra.tfstate"),
        serde_json::to_vec_pretty(&state).unwrap(),
    )
    .unwrap();
    for args in [
        &["show"][..],
        &["state", "show", "terraform_data.c"],
        &["show", "--json"],
    ] {
        let r = drinfra(d, args, None, &[]);
        assert_eq!(r.code, 0, "{}", r.all());
        assert!(
            !r.stdout.contains(SECRET),
            "{args:?} prints the secret: {}",
            r.stdout
        );
    }
}

#[test]
fn plan_json_masks_sensitive_input_variables() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("main.tf"),
        format!("{TF_DATA}\nvariable \"region\" {{\n  default = \"westeurope\"\n}}\n"),
    )
    .unwrap();
    let env: &[(&str, &str)] = &[("TF_VAR_pg_password", SECRET)];
    assert_eq!(drinfra(d, &["plan", "--out", "p.plan"], None, env).code, 0);
    let r = drinfra(d, &["show", "--json", "p.plan"], None, env);
    assert!(!r.stdout.contains(SECRET), "{}", r.stdout);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        doc["variables"]["pg_password"],
        serde_json::json!({"value": "(sensitive value)", "sensitive": true})
    );
}

#[test]
fn an_encrypted_state_with_an_unknown_envelope_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("main.tf"),
        "resource \"terraform_data\" \"c\" {\n  input = \"x\"\n}\n",
    )
    .unwrap();
    let key: &[(&str, &str)] = &[("DRINFRA_STATE_PASSPHRASE", "p")];
    assert_eq!(drinfra(d, &["apply", "--auto-approve"], None, key).code, 0);
    let path = d.join("drinfra.tfstate");
    let mut env: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(env["format"], "drinfra-encrypted");
    for version in [serde_json::json!(0), serde_json::json!(2)] {
        env["version"] = version.clone();
        std::fs::write(&path, serde_json::to_vec(&env).unwrap()).unwrap();
        for args in [&["show"][..], &["plan"], &["apply", "--auto-approve"]] {
            let r = drinfra(d, args, None, key);
            assert_eq!(
                r.code,
                1,
                "{args:?} with envelope version {version}: {}",
                r.all()
            );
            assert!(
                r.stderr.contains(&format!("envelope version {version}")),
                "{}",
                r.stderr
            );
        }
    }
    // A plain state file of an unknown format version is refused by `state push` too.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(
        plain.path().join("main.tf"),
        "resource \"terraform_data\" \"c\" {\n  input = \"x\"\n}\n",
    )
    .unwrap();
    assert_eq!(
        drinfra(plain.path(), &["apply", "--auto-approve"], None, &[]).code,
        0
    );
    let mut st: serde_json::Value =
        serde_json::from_str(&drinfra(plain.path(), &["state", "pull"], None, &[]).stdout).unwrap();
    st["version"] = serde_json::json!(0);
    st["serial"] = serde_json::json!(99);
    std::fs::write(
        plain.path().join("old.tfstate"),
        serde_json::to_vec(&st).unwrap(),
    )
    .unwrap();
    let r = drinfra(plain.path(), &["state", "push", "old.tfstate"], None, &[]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stderr.contains("format version 0"), "{}", r.stderr);
}

//! State for teams: encryption at rest with key rotation, state pull and
//! push, and migration when the backend block changes.

use std::path::Path;
use std::process::Command;

fn drinfra(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_drinfra"));
    c.arg("-C")
        .arg(dir)
        .args(args)
        .env_remove("DRINFRA_STATE_KEY")
        .env_remove("DRINFRA_STATE_PASSPHRASE");
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

const STACK: &str = "variable \"pw\" {\n  default   = \"hunter2\"\n  sensitive = true\n}\nresource \"terraform_data\" \"a\" {\n  input = { password = var.pw }\n}\n";

#[test]
fn state_and_plans_are_encrypted_rotated_and_guarded() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), STACK).unwrap();
    let pass = [("DRINFRA_STATE_PASSPHRASE", "correct horse battery")];
    assert_eq!(
        drinfra(dir.path(), &["apply", "--auto-approve"], &pass).0,
        0
    );
    let raw = std::fs::read_to_string(dir.path().join("drinfra.tfstate")).unwrap();
    assert!(
        !raw.contains("hunter2") && raw.contains("drinfra-encrypted"),
        "secrets never in cleartext"
    );
    // Plan files too.
    assert_eq!(
        drinfra(dir.path(), &["plan", "--out", "p.plan"], &pass).0,
        0
    );
    assert!(
        !std::fs::read_to_string(dir.path().join("p.plan"))
            .unwrap()
            .contains("hunter2")
    );
    // A wrong key is a clear error and changes nothing.
    let before = std::fs::read(dir.path().join("drinfra.tfstate")).unwrap();
    let (code, _, err) = drinfra(
        dir.path(),
        &["apply", "--auto-approve"],
        &[("DRINFRA_STATE_PASSPHRASE", "wrong")],
    );
    assert_eq!(code, 1);
    assert!(err.contains("wrong key or passphrase"), "{err}");
    let (code, _, err) = drinfra(dir.path(), &["plan"], &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("is encrypted; set DRINFRA_STATE_KEY or DRINFRA_STATE_PASSPHRASE"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("drinfra.tfstate")).unwrap(),
        before
    );
    // Rotation: the old passphrase reads, the new key writes.
    let key = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
    let rotate = [
        ("DRINFRA_STATE_KEY", key),
        ("DRINFRA_STATE_PASSPHRASE_OLD", "correct horse battery"),
    ];
    std::fs::write(
        dir.path().join("main.tf"),
        STACK.replace("password = var.pw", "password = var.pw, v = 2"),
    )
    .unwrap();
    let (code, _, err) = drinfra(dir.path(), &["apply", "--auto-approve"], &rotate);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        drinfra(
            dir.path(),
            &["plan", "--detailed-exitcode"],
            &[("DRINFRA_STATE_KEY", key)]
        )
        .0,
        0,
        "the new key alone reads everything"
    );
    assert_eq!(
        drinfra(dir.path(), &["plan"], &pass).0,
        1,
        "the old passphrase alone no longer does"
    );
}

#[test]
fn pull_and_push_respect_lineage_and_serial() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), STACK).unwrap();
    assert_eq!(drinfra(dir.path(), &["apply", "--auto-approve"], &[]).0, 0);
    let (_, pulled, _) = drinfra(dir.path(), &["state", "pull"], &[]);
    let mut st: serde_json::Value = serde_json::from_str(&pulled).unwrap();
    assert_eq!(st["serial"], 1);
    std::fs::write(dir.path().join("same.json"), &pulled).unwrap();
    let (code, out, err) = drinfra(dir.path(), &["state", "push", "same.json"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("serial 2"), "{out}");
    // Older serial: refused unless forced.
    st["serial"] = serde_json::json!(0);
    std::fs::write(dir.path().join("old.json"), st.to_string()).unwrap();
    let (code, _, err) = drinfra(dir.path(), &["state", "push", "old.json"], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("older than the current state's 2"), "{err}");
    // Another lineage: refused unless forced.
    st["serial"] = serde_json::json!(9);
    st["lineage"] = serde_json::json!("00000000-0000-4000-8000-000000000000");
    std::fs::write(dir.path().join("other.json"), st.to_string()).unwrap();
    let (code, _, err) = drinfra(dir.path(), &["state", "push", "other.json"], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("lineage"), "{err}");
    assert_eq!(
        drinfra(dir.path(), &["state", "push", "--force", "other.json"], &[]).0,
        0
    );
    let (_, pulled, _) = drinfra(dir.path(), &["state", "pull"], &[]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&pulled).unwrap()["lineage"],
        "00000000-0000-4000-8000-000000000000"
    );
}

#[test]
fn a_changed_backend_block_needs_init_migrate_state_and_leaves_the_old_copy() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), STACK).unwrap();
    assert_eq!(drinfra(dir.path(), &["apply", "--auto-approve"], &[]).0, 0);
    std::fs::write(
        dir.path().join("main.tf"),
        format!(
            "drinfra {{\n  backend \"local\" {{\n    path = \"team/state.json\"\n  }}\n}}\n{STACK}"
        ),
    )
    .unwrap();
    let (code, _, err) = drinfra(dir.path(), &["plan"], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("init --migrate-state"), "{err}");
    let (code, out, err) = drinfra(dir.path(), &["init", "--migrate-state"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Migrated 1 resource"), "{out}");
    assert!(
        out.contains("the old copy is left in place and a backup is in"),
        "{out}"
    );
    assert!(
        std::fs::read_dir(dir.path().join(".drinfra"))
            .unwrap()
            .any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("pre-migration-")),
        "backup kept"
    );
    assert!(
        std::fs::read_to_string(dir.path().join("drinfra.tfstate"))
            .unwrap()
            .contains("terraform_data"),
        "the old state is untouched"
    );
    assert_eq!(
        drinfra(dir.path(), &["plan", "--detailed-exitcode"], &[]).0,
        0,
        "nothing to create: the state moved"
    );
    assert_eq!(
        drinfra(dir.path(), &["state", "list"], &[]).1,
        "terraform_data.a\n"
    );
}

/// Regression: the remembered backend compared absolute paths, so a stack
/// moved or checked out elsewhere (a CI workspace) was refused as "the
/// backend changed".
#[test]
fn a_moved_stack_keeps_its_backend() {
    let root = tempfile::tempdir().unwrap();
    let old = root.path().join("checkout-1/stack");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(
        old.join("main.tf"),
        format!(
            "drinfra {{\n  backend \"local\" {{\n    path = \"../state.json\"\n  }}\n}}\n{STACK}"
        ),
    )
    .unwrap();
    assert_eq!(drinfra(&old, &["apply", "--auto-approve"], &[]).0, 0);
    std::fs::rename(
        root.path().join("checkout-1"),
        root.path().join("checkout-2"),
    )
    .unwrap();
    let (code, _, err) = drinfra(
        &root.path().join("checkout-2/stack"),
        &["plan", "--detailed-exitcode"],
        &[],
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn bad_backend_blocks_are_reported_at_their_place_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "    storage_account_name = \"x\"\n    key = \"k\"\n",
            "main.tf:2:3: error: Missing backend argument",
            "container_name",
        ),
        (
            "    storage_account_name = \"x\"\n    container_name = \"c\"\n    key = \"k\"\n    bogus = 1\n",
            "main.tf:6:5: error: Unsupported backend argument",
            "not \"bogus\"",
        ),
        (
            "    container_name = \"c\"\n    key = \"k\"\n    connection_string = \"nonsense\"\n",
            "main.tf:2:3: error: Invalid storage connection string",
            "Key=Value",
        ),
        (
            "    storage_account_name = \"x\"\n    container_name = \"c\"\n    key = \"k\"\n    endpoint = \"http://127.0.0.1:1/x\"\n    access_key = \"AAAA\"\n",
            "main.tf:2:3: error: Cannot use the azurerm backend",
            "Connection refused",
        ),
    ];
    for (args, place, detail) in cases {
        std::fs::write(
            dir.path().join("main.tf"),
            format!("drinfra {{\n  backend \"azurerm\" {{\n{args}  }}\n}}\n{STACK}"),
        )
        .unwrap();
        let (code, _, err) = drinfra(
            dir.path(),
            &["apply", "--auto-approve"],
            &[("ARM_ACCESS_KEY", "")],
        );
        assert_eq!(code, 1, "{err}");
        assert!(err.contains(place) && err.contains(detail), "{err}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(
        left,
        vec!["main.tf".to_string()],
        "no state, lock or memo was written"
    );
}

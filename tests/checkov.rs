//! Policy tools accept drinfra's plan JSON: checkov (installed from PyPI
//! by scripts/test.sh into .venv-checkov) parses it without errors and its
//! azurerm checks fire on a resource configured to violate them, as on a
//! Terraform plan.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn checkov_reads_the_plan_and_its_azurerm_checks_fire() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let checkov = std::env::var("DRINFRA_CHECKOV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join(".venv-checkov/bin/checkov"));
    if !checkov.exists() {
        // scripts/test.sh installs checkov and sets DRINFRA_REQUIRE_SERVICES=1;
        // a plain `cargo test` without it skips this test.
        assert!(
            std::env::var_os("DRINFRA_REQUIRE_SERVICES").is_none(),
            "checkov is not installed at {}: run ./scripts/test.sh, which installs it from PyPI",
            checkov.display()
        );
        eprintln!(
            "skipped: checkov is not installed at {} (./scripts/test.sh installs it)",
            checkov.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root.join("tests/fixtures/checkov/main.tf"),
        dir.path().join("main.tf"),
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_drinfra"))
            .arg("-C")
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let plan = run(&["plan", "--out", "p.plan"]);
    assert!(
        plan.status.success(),
        "{}",
        String::from_utf8_lossy(&plan.stderr)
    );
    let show = run(&["show", "--json", "p.plan"]);
    assert!(show.status.success());
    assert!(
        !String::from_utf8_lossy(&show.stdout).contains("S3cret!"),
        "sensitive values are masked"
    );
    std::fs::write(dir.path().join("plan.json"), &show.stdout).unwrap();
    let out = Command::new(&checkov)
        .args([
            "-f",
            "plan.json",
            "--framework",
            "terraform_plan",
            "--skip-download",
            "-o",
            "json",
        ])
        .current_dir(dir.path())
        .env("BC_SKIP_MAPPING", "TRUE")
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov output is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let report = if report.is_array() {
        report[0].clone()
    } else {
        report
    };
    assert_eq!(report["check_type"], "terraform_plan");
    assert_eq!(report["summary"]["parsing_errors"], 0);
    assert_eq!(report["summary"]["resource_count"], 4);
    let has = |list: &str, id: &str, res: &str| {
        report["results"][list]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["check_id"] == id && c["resource"] == res)
    };
    assert!(
        has(
            "failed_checks",
            "CKV_AZURE_44",
            "azurerm_storage_account.bad"
        ),
        "old TLS flagged"
    );
    assert!(
        has(
            "passed_checks",
            "CKV_AZURE_44",
            "azurerm_storage_account.good"
        ),
        "current TLS passes"
    );
    assert!(
        has(
            "failed_checks",
            "CKV_AZURE_206",
            "azurerm_storage_account.bad"
        ),
        "LRS replication flagged"
    );
    assert!(has(
        "passed_checks",
        "CKV_AZURE_206",
        "azurerm_storage_account.good"
    ));
}

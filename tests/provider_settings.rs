//! azurerm provider settings drinfra does not implement are refused at
//! their place, never silently ignored.

use std::process::Command;

fn plan(main_tf: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), main_tf).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .arg("-C")
        .arg(dir.path())
        .args(["plan", "--no-color"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

const RG: &str = "resource \"azurerm_resource_group\" \"rg\" {\n  name     = \"rg\"\n  location = \"eastus\"\n}\n";

#[test]
fn a_features_setting_drinfra_does_not_implement_is_refused_at_its_place() {
    let (code, out) = plan(&format!(
        "provider \"azurerm\" {{\n  features {{\n    key_vault {{\n      purge_soft_delete_on_destroy = true\n    }}\n  }}\n}}\n{RG}"
    ));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("main.tf:4:7")
            && out.contains("Unsupported azurerm feature setting")
            && out.contains("features.key_vault.purge_soft_delete_on_destroy"),
        "{out}"
    );
}

#[test]
fn the_feature_setting_that_matches_what_drinfra_does_is_accepted() {
    let (code, out) = plan(&format!(
        "provider \"azurerm\" {{\n  features {{\n    resource_group {{\n      prevent_deletion_if_contains_resources = false\n    }}\n  }}\n}}\n{RG}"
    ));
    assert!(
        !out.contains("Unsupported azurerm feature setting"),
        "{out}"
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = plan(&format!(
        "provider \"azurerm\" {{\n  features {{\n    resource_group {{\n      prevent_deletion_if_contains_resources = true\n    }}\n  }}\n}}\n{RG}"
    ));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Unsupported azurerm feature setting"), "{out}");
}

fn drinfra(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .arg("--no-color")
        .env("DRINFRA_EMULATOR_TIME_SCALE", "1000000")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// azurerm refuses to delete a resource group that still holds resources
/// nobody declared (`prevent_deletion_if_contains_resources`, default
/// true); so does drinfra, and the features setting turns it off.
#[test]
fn a_resource_group_holding_undeclared_resources_is_not_deleted_unless_the_feature_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let stack = |features: &str| {
        format!(
            "provider \"azurerm\" {{\n  features {{{features}}}\n}}\n{RG}resource \"azurerm_dns_zone\" \"z\" {{\n  name                = \"kept.example.com\"\n  resource_group_name = azurerm_resource_group.rg.name\n}}\n"
        )
    };
    std::fs::write(d.join("main.tf"), stack("")).unwrap();
    let (code, out) = drinfra(d, &["apply", "--auto-approve"]);
    assert_eq!(code, 0, "{out}");
    // The zone stays in Azure but leaves drinfra's hands.
    let (code, out) = drinfra(d, &["state", "rm", "azurerm_dns_zone.z"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = drinfra(d, &["destroy", "--auto-approve"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("still contains Resources") && out.contains("dnszones/kept.example.com"),
        "{out}"
    );
    let (_, listed) = drinfra(d, &["state", "list"]);
    assert!(
        listed.contains("azurerm_resource_group.rg"),
        "the group is still managed: {listed}"
    );
    // Opting out deletes the group with what it holds.
    std::fs::write(d.join("main.tf"), stack("\n    resource_group {\n      prevent_deletion_if_contains_resources = false\n    }\n  ")).unwrap();
    let (code, out) = drinfra(d, &["destroy", "--auto-approve"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn validate_refuses_provider_settings_plan_would_refuse_without_credentials() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        format!("provider \"azurerm\" {{\n  features {{\n    key_vault {{\n      purge_soft_delete_on_destroy = true\n    }}\n  }}\n  partner_id = \"00000000-0000-0000-0000-000000000000\"\n}}\n{RG}"),
    )
    .unwrap();
    let (code, out) = drinfra(dir.path(), &["validate"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Unsupported azurerm feature setting")
            && out.contains("Unsupported provider argument"),
        "{out}"
    );
}

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

//! Terraform's language blocks as drinfra reads them: output
//! `precondition`s (errors at the condition, with the error message) and
//! `check` blocks (warnings, never errors), as Terraform 1.15 reports them
//! for the same configuration (`Module output value precondition failed`,
//! `Check block assertion failed`, exit code 1 and 0).

use std::path::Path;
use std::process::Command;

struct Run {
    code: i32,
    out: String,
}

fn plan(dir: &Path) -> Run {
    drinfra(dir, &["plan"])
}

fn drinfra(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("drinfra runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        out: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

fn stack(main: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), main).unwrap();
    dir
}

const CONFIG: &str = r#"variable "n" {
  default = 1
}
output "o" {
  value = var.n
  precondition {
    condition     = var.n > LIMIT
    error_message = "n must exceed LIMIT."
  }
}
check "c" {
  assert {
    condition     = var.n > 3
    error_message = "n is small."
  }
}
"#;

#[test]
fn a_failed_output_precondition_stops_the_plan_at_its_condition() {
    let dir = stack(&CONFIG.replace("LIMIT", "5"));
    let run = plan(dir.path());
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(
        run.out.contains("Module output value precondition failed"),
        "{}",
        run.out
    );
    assert!(run.out.contains("n must exceed 5."), "{}", run.out);
    // Located at the condition (line 7), as Terraform does.
    assert!(run.out.contains("main.tf:7"), "{}", run.out);
    // The check block's warning is there too.
    assert!(
        run.out.contains("Check block assertion failed"),
        "{}",
        run.out
    );
}

#[test]
fn a_failed_check_assertion_is_a_warning() {
    let dir = stack(&CONFIG.replace("LIMIT", "0"));
    let run = plan(dir.path());
    assert_eq!(run.code, 0, "{}", run.out);
    assert!(
        run.out.contains("Check block assertion failed"),
        "{}",
        run.out
    );
    assert!(run.out.contains("n is small."), "{}", run.out);
    assert!(run.out.contains("main.tf:13"), "{}", run.out);
}

#[test]
fn a_check_block_without_assertions_is_refused_at_its_place() {
    let dir = stack("check \"c\" {\n}\n");
    let run = plan(dir.path());
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(run.out.contains("at least one assert block"), "{}", run.out);
    assert!(run.out.contains("main.tf:1"), "{}", run.out);
}

#[test]
fn scoped_data_sources_in_check_blocks_are_refused_clearly() {
    let dir = stack(
        "check \"c\" {\n  data \"terraform_remote_state\" \"x\" {\n  }\n  assert {\n    condition     = true\n    error_message = \"x\"\n  }\n}\n",
    );
    let run = plan(dir.path());
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(run.out.contains("scoped to a check block"), "{}", run.out);
    assert!(run.out.contains("main.tf:2"), "{}", run.out);
}

#[test]
fn a_failed_resource_precondition_is_an_error_per_instance_at_its_condition() {
    // Terraform 1.15 reports "Resource precondition failed" at line 9 once
    // per instance, with the message rendered for that instance.
    let dir = stack(
        r#"variable "n" {
  default = 1
}
resource "terraform_data" "x" {
  count = 2
  input = var.n
  lifecycle {
    precondition {
      condition     = var.n > count.index + 1
      error_message = "n too small for ${count.index}."
    }
  }
}
"#,
    );
    let run = plan(dir.path());
    assert_eq!(run.code, 1, "{}", run.out);
    assert_eq!(
        run.out.matches("Resource precondition failed").count(),
        2,
        "{}",
        run.out
    );
    assert!(run.out.contains("n too small for 0."), "{}", run.out);
    assert!(run.out.contains("n too small for 1."), "{}", run.out);
    assert!(run.out.contains("main.tf:9"), "{}", run.out);
}

#[test]
fn a_holding_resource_precondition_lets_the_plan_through() {
    let dir = stack(
        "resource \"terraform_data\" \"x\" {\n  input = 1\n  lifecycle {\n    precondition {\n      condition     = 1 < 2\n      error_message = \"never\"\n    }\n  }\n}\n",
    );
    let run = plan(dir.path());
    assert_eq!(run.code, 0, "{}", run.out);
    assert!(run.out.contains("terraform_data.x"), "{}", run.out);
}

#[test]
fn postconditions_are_no_longer_refused() {
    // Checked against `self` now (tests/postconditions.rs): this one holds
    // once the object exists, and the plan cannot know it yet.
    let dir = stack(
        "resource \"terraform_data\" \"x\" {\n  lifecycle {\n    postcondition {\n      condition     = self.output == null\n      error_message = \"x\"\n    }\n  }\n}\n",
    );
    let run = plan(dir.path());
    assert_eq!(run.code, 0, "{}", run.out);
    assert!(!run.out.contains("postcondition blocks"), "{}", run.out);
}

#[test]
fn a_removed_block_destroys_the_object_and_state_list_still_works() {
    let dir = stack("resource \"terraform_data\" \"x\" {\n  input = 1\n}\n");
    let run = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 0, "{}", run.out);
    std::fs::write(
        dir.path().join("main.tf"),
        "removed {\n  from = terraform_data.x\n  lifecycle {\n    destroy = true\n  }\n}\n",
    )
    .unwrap();
    let list = drinfra(dir.path(), &["state", "list"]);
    assert_eq!(list.code, 0, "{}", list.out);
    assert!(list.out.contains("terraform_data.x"), "{}", list.out);
    let run = plan(dir.path());
    assert_eq!(run.code, 0, "{}", run.out);
    assert!(run.out.contains("destroy"), "{}", run.out);
}

#[test]
fn a_removed_block_for_a_declared_resource_is_refused_at_the_resource() {
    // Terraform 1.15: "Removed resource still exists" on main.tf line 1.
    let dir = stack(
        "resource \"terraform_data\" \"x\" {\n  input = 1\n}\nremoved {\n  from = terraform_data.x\n}\n",
    );
    let run = plan(dir.path());
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(
        run.out.contains("Removed resource still exists"),
        "{}",
        run.out
    );
    assert!(run.out.contains("main.tf:1"), "{}", run.out);
}

#[test]
fn removed_with_destroy_false_is_no_longer_refused() {
    // It forgets the object now (tests/forget_and_import.rs); with nothing
    // recorded the plan has nothing to do.
    let dir =
        stack("removed {\n  from = terraform_data.x\n  lifecycle {\n    destroy = false\n  }\n}\n");
    let run = plan(dir.path());
    assert_eq!(run.code, 0, "{}", run.out);
    assert!(!run.out.contains("destroy = false"), "{}", run.out);
}

#[test]
fn import_blocks_with_for_each_import_one_object_per_element() {
    // Against the embedded emulator: two resource groups are created,
    // forgotten, then imported back by one import block with for_each.
    let rgs = r#"provider "azurerm" {
  features {}
}
variable "groups" {
  default = { a = "rg-import-a", b = "rg-import-b" }
}
resource "azurerm_resource_group" "rg" {
  for_each = var.groups
  name     = each.value
  location = "westeurope"
}
"#;
    let dir = stack(rgs);
    let run = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 0, "{}", run.out);
    let show = drinfra(
        dir.path(),
        &["state", "show", "azurerm_resource_group.rg[\"a\"]"],
    );
    let id_a = show
        .out
        .lines()
        .find_map(|l| {
            l.trim().strip_prefix("id").map(|r| {
                r.trim()
                    .trim_start_matches('=')
                    .trim()
                    .trim_matches('"')
                    .to_string()
            })
        })
        .expect("state show gives the id");
    assert!(id_a.ends_with("/resourceGroups/rg-import-a"), "{id_a}");
    let sub = id_a.split('/').nth(2).unwrap().to_string();
    let rm = drinfra(
        dir.path(),
        &[
            "state",
            "rm",
            "azurerm_resource_group.rg[\"a\"]",
            "azurerm_resource_group.rg[\"b\"]",
        ],
    );
    assert_eq!(rm.code, 0, "{}", rm.out);
    std::fs::write(
        dir.path().join("main.tf"),
        format!(
            "{rgs}import {{\n  for_each = var.groups\n  to       = azurerm_resource_group.rg[each.key]\n  id       = \"/subscriptions/{sub}/resourceGroups/${{each.value}}\"\n}}\n"
        ),
    )
    .unwrap();
    let run = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 0, "{}", run.out);
    assert!(run.out.contains("2 to import"), "{}", run.out);
    assert!(run.out.contains("0 added"), "{}", run.out);
    let list = drinfra(dir.path(), &["state", "list"]);
    assert!(
        list.out.contains("azurerm_resource_group.rg[\"a\"]"),
        "{}",
        list.out
    );
    assert!(
        list.out.contains("azurerm_resource_group.rg[\"b\"]"),
        "{}",
        list.out
    );
    // Imported as the same objects: nothing left to create.
    let again = plan(dir.path());
    assert_eq!(again.code, 0, "{}", again.out);
    assert!(!again.out.contains("will be created"), "{}", again.out);
}

#[test]
fn an_import_for_each_without_an_instance_key_is_refused_at_to() {
    let dir = stack(
        "resource \"terraform_data\" \"x\" {\n  for_each = toset([\"a\"])\n}\nimport {\n  for_each = toset([\"a\"])\n  to       = terraform_data.x\n  id       = each.key\n}\n",
    );
    let run = plan(dir.path());
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(run.out.contains("main.tf:6"), "{}", run.out);
    assert!(run.out.contains("Invalid import address"), "{}", run.out);
}

#[test]
fn check_blocks_in_module_instances_warn_once_per_instance() {
    let dir =
        stack("module \"m\" {\n  source = \"./m\"\n  count  = 2\n  n      = count.index\n}\n");
    std::fs::create_dir(dir.path().join("m")).unwrap();
    std::fs::write(
        dir.path().join("m/main.tf"),
        "variable \"n\" {}\ncheck \"c\" {\n  assert {\n    condition     = var.n > 5\n    error_message = \"n is ${var.n}.\"\n  }\n}\n",
    )
    .unwrap();
    let run = plan(dir.path());
    assert_eq!(run.code, 0, "{}", run.out);
    assert!(run.out.contains("n is 0."), "{}", run.out);
    assert!(run.out.contains("n is 1."), "{}", run.out);
}

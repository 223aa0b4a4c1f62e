//! `removed` blocks with `lifecycle { destroy = false }` (objects forgotten,
//! not destroyed) and `import` blocks into module instances, compared with
//! what Terraform 1.15 does with the same terraform_data stacks (recorded
//! with tests/parity/terraform.py; the expectations quote it).

use crate::common::{drinfra, state_list};
use std::path::Path;

fn write(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The object ids a local state records, by address.
fn ids(dir: &Path) -> std::collections::BTreeMap<String, String> {
    let text = std::fs::read_to_string(dir.join("drinfra.tfstate")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for (addr, rs) in doc["resources"].as_object().unwrap() {
        if let Some(id) = rs["attributes"]["id"].as_str() {
            out.insert(addr.clone(), id.to_string());
        }
    }
    out
}

const MODULE: &str =
    "variable \"n\" {}\nresource \"terraform_data\" \"in\" {\n  input = var.n\n}\n";

const STACK: &str = r#"resource "terraform_data" "x" {
  count = 2
  input = count.index
}
resource "terraform_data" "y" {
  input = "y"
}
module "m" {
  source   = "./m"
  for_each = toset(["a", "b"])
  n        = each.key
}
"#;

fn applied_stack() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "m/main.tf", MODULE);
    write(dir.path(), "main.tf", STACK);
    let run = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 0, "{}", run.out);
    assert_eq!(state_list(dir.path()).len(), 5);
    dir
}

#[test]
fn removed_with_destroy_false_forgets_resources_and_modules_without_destroying() {
    // Terraform 1.15 on this stack: each instance "will no longer be
    // managed by Terraform, but will not be destroyed", "Plan: 0 to add, 0
    // to change, 0 to destroy.", the warning "Some objects will no longer
    // be managed by Terraform", exit 0; after apply only terraform_data.y
    // is in state, and the next plan has no changes.
    let dir = applied_stack();
    let before = ids(dir.path());
    write(
        dir.path(),
        "main.tf",
        "resource \"terraform_data\" \"y\" {\n  input = \"y\"\n}\nremoved {\n  from = terraform_data.x\n  lifecycle {\n    destroy = false\n  }\n}\nremoved {\n  from = module.m\n  lifecycle {\n    destroy = false\n  }\n}\n",
    );
    let plan = drinfra(dir.path(), &["plan"]);
    assert_eq!(plan.code, 0, "{}", plan.out);
    for addr in [
        "terraform_data.x[0]",
        "terraform_data.x[1]",
        "module.m[\"a\"].terraform_data.in",
        "module.m[\"b\"].terraform_data.in",
    ] {
        assert!(
            plan.out.contains(&format!(
                "# {addr} will no longer be managed by drinfra, but will not be destroyed"
            )),
            "{}",
            plan.out
        );
    }
    assert_eq!(
        plan.out
            .matches("(destroy = false is set in the configuration)")
            .count(),
        4,
        "{}",
        plan.out
    );
    assert!(
        plan.out
            .contains("Plan: 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.out
    );
    assert!(
        plan.out
            .contains("Some objects will no longer be managed by drinfra"),
        "{}",
        plan.out
    );
    assert!(!plan.out.contains("will be destroyed"), "{}", plan.out);
    let apply = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}", apply.out);
    assert!(apply.out.contains("0 destroyed"), "{}", apply.out);
    assert_eq!(state_list(dir.path()), vec!["terraform_data.y".to_string()]);
    // The one object kept is the same object.
    assert_eq!(
        ids(dir.path())["terraform_data.y"],
        before["terraform_data.y"]
    );
    let again = drinfra(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.out);
}

#[test]
fn removed_with_destroy_false_names_resources_inside_module_calls() {
    // `from = module.m.terraform_data.in` with the module call gone:
    // Terraform forgets both instances.
    let dir = applied_stack();
    write(
        dir.path(),
        "main.tf",
        "resource \"terraform_data\" \"x\" {\n  count = 2\n  input = count.index\n}\nresource \"terraform_data\" \"y\" {\n  input = \"y\"\n}\nremoved {\n  from = module.m.terraform_data.in\n  lifecycle {\n    destroy = false\n  }\n}\n",
    );
    // Terraform's -json: a planned_change "Plan to remove" per instance.
    let json = drinfra(dir.path(), &["plan", "--json"]);
    assert_eq!(json.code, 0, "{}", json.out);
    let removes: Vec<serde_json::Value> = json
        .out
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["type"] == "planned_change" && e["change"]["action"] == "remove")
        .collect();
    assert_eq!(removes.len(), 2, "{}", json.out);
    assert_eq!(
        removes[0]["@message"],
        "module.m[\"a\"].terraform_data.in: Plan to remove"
    );
    let run = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 0, "{}", run.out);
    assert!(run.out.contains("0 destroyed"), "{}", run.out);
    assert_eq!(
        state_list(dir.path()),
        vec![
            "terraform_data.x[0]",
            "terraform_data.x[1]",
            "terraform_data.y"
        ]
    );
}

#[test]
fn a_saved_plan_that_forgets_applies_the_same_and_shows_terraforms_forget_action() {
    let dir = applied_stack();
    write(
        dir.path(),
        "main.tf",
        &STACK.replace(
            "resource \"terraform_data\" \"y\" {\n  input = \"y\"\n}\n",
            "removed {\n  from = terraform_data.y\n  lifecycle {\n    destroy = false\n  }\n}\n",
        ),
    );
    let plan = drinfra(dir.path(), &["plan", "--out", "p.plan"]);
    assert_eq!(plan.code, 0, "{}", plan.out);
    // Terraform's JSON plan: actions ["forget"], after null.
    let show = drinfra(dir.path(), &["show", "--json", "p.plan"]);
    assert_eq!(show.code, 0, "{}", show.out);
    let start = show.out.find('{').unwrap();
    let doc: serde_json::Value = serde_json::from_str(show.out[start..].trim()).unwrap();
    let rc = doc["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "terraform_data.y")
        .expect("a change for terraform_data.y");
    assert_eq!(rc["change"]["actions"], serde_json::json!(["forget"]));
    assert!(rc["change"]["after"].is_null());
    // A pull-request comment says so too.
    let md = drinfra(dir.path(), &["show", "--markdown", "p.plan"]);
    assert_eq!(md.code, 0, "{}", md.out);
    assert!(
        md.out
            .contains("will no longer be managed by drinfra, but will not be destroyed"),
        "{}",
        md.out
    );
    assert!(md.out.contains("> - `terraform_data.y`"), "{}", md.out);
    let apply = drinfra(dir.path(), &["apply", "p.plan"]);
    assert_eq!(apply.code, 0, "{}", apply.out);
    assert!(!state_list(dir.path()).contains(&"terraform_data.y".to_string()));
}

#[test]
fn removed_with_destroy_true_destroys_a_whole_module() {
    // Terraform: 2 to destroy, both module.m instances.
    let dir = applied_stack();
    write(
        dir.path(),
        "main.tf",
        &STACK.replace(
            "module \"m\" {\n  source   = \"./m\"\n  for_each = toset([\"a\", \"b\"])\n  n        = each.key\n}\n",
            "removed {\n  from = module.m\n}\n",
        ),
    );
    let run = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 0, "{}", run.out);
    assert!(run.out.contains("2 destroyed"), "{}", run.out);
    assert_eq!(
        state_list(dir.path()),
        vec![
            "terraform_data.x[0]",
            "terraform_data.x[1]",
            "terraform_data.y"
        ]
    );
}

#[test]
fn a_removed_module_still_called_is_refused_at_the_call() {
    // Terraform: "Removed module still exists" at main.tf line 1 (the
    // module block), and "Removed resource still exists" at m/main.tf
    // line 2 for module.m.terraform_data.in.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "m/main.tf", MODULE);
    write(
        dir.path(),
        "main.tf",
        "module \"m\" {\n  source = \"./m\"\n  n      = 1\n}\nremoved {\n  from = module.m\n}\n",
    );
    let run = drinfra(dir.path(), &["plan"]);
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(
        run.out.contains("Removed module still exists"),
        "{}",
        run.out
    );
    assert!(run.out.contains("main.tf:1"), "{}", run.out);
    write(
        dir.path(),
        "main.tf",
        "module \"m\" {\n  source = \"./m\"\n  n      = 1\n}\nremoved {\n  from = module.m.terraform_data.in\n}\n",
    );
    let run = drinfra(dir.path(), &["plan"]);
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(
        run.out.contains("Removed resource still exists"),
        "{}",
        run.out
    );
    assert!(run.out.contains("main.tf:2"), "{}", run.out);
    assert!(
        run.out.contains("m/main.tf") || run.out.contains("m\\main.tf"),
        "{}",
        run.out
    );
}

const IMPORT_STACK: &str = r#"module "m" {
  source   = "./m"
  for_each = toset(["a", "b"])
}
module "one" {
  source = "./m"
}
import {
  to = module.one.terraform_data.in
  id = "one-id"
}
import {
  for_each = toset(["a", "b"])
  to       = module.m[each.key].terraform_data.in
  id       = "id-${each.key}"
}
"#;

#[test]
fn import_blocks_import_into_module_instances_with_and_without_for_each() {
    // Terraform 1.15: "Plan: 3 to import, 0 to add, 0 to change, 0 to
    // destroy.", each object imported with its id, and nothing left to do.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m/main.tf",
        "resource \"terraform_data\" \"in\" {\n}\n",
    );
    write(dir.path(), "main.tf", IMPORT_STACK);
    let plan = drinfra(dir.path(), &["plan"]);
    assert_eq!(plan.code, 0, "{}", plan.out);
    assert!(plan.out.contains("3 to import"), "{}", plan.out);
    assert!(
        plan.out
            .contains("Plan: 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.out
    );
    for addr in [
        "module.m[\"a\"].terraform_data.in",
        "module.m[\"b\"].terraform_data.in",
        "module.one.terraform_data.in",
    ] {
        assert!(
            plan.out.contains(&format!("# {addr} will be imported")),
            "{}",
            plan.out
        );
    }
    let apply = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}", apply.out);
    let ids = ids(dir.path());
    assert_eq!(ids["module.m[\"a\"].terraform_data.in"], "id-a");
    assert_eq!(ids["module.m[\"b\"].terraform_data.in"], "id-b");
    assert_eq!(ids["module.one.terraform_data.in"], "one-id");
    let again = drinfra(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.out);
}

#[test]
fn imports_to_module_instances_the_configuration_lacks_are_refused_at_to() {
    // Terraform: "Configuration for import target does not exist" for a
    // missing module instance, key, call or resource; "Invalid import 'to'
    // expression" / "The target resource does not use count." for [0].
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m/main.tf",
        "resource \"terraform_data\" \"in\" {\n}\n",
    );
    for (to, summary) in [
        (
            "module.m[\"c\"].terraform_data.in",
            "Configuration for import target does not exist",
        ),
        (
            "module.m.terraform_data.in",
            "Configuration for import target does not exist",
        ),
        (
            "module.nope.terraform_data.in",
            "Configuration for import target does not exist",
        ),
        (
            "module.m[\"a\"].terraform_data.nope",
            "Configuration for import target does not exist",
        ),
        (
            "module.m[\"a\"].terraform_data.in[0]",
            "Invalid import 'to' expression",
        ),
    ] {
        write(
            dir.path(),
            "main.tf",
            &format!(
                "module \"m\" {{\n  source   = \"./m\"\n  for_each = toset([\"a\", \"b\"])\n}}\nimport {{\n  to = {to}\n  id = \"x\"\n}}\n"
            ),
        );
        let run = drinfra(dir.path(), &["plan"]);
        assert_eq!(run.code, 1, "{to}: {}", run.out);
        assert!(run.out.contains(summary), "{to}: {}", run.out);
        assert!(run.out.contains("main.tf:6:8"), "{to}: {}", run.out);
        assert!(!dir.path().join("drinfra.tfstate").exists() || state_list(dir.path()).is_empty());
    }
}

#[test]
fn import_blocks_inside_a_module_are_ignored_with_a_warning() {
    // Terraform 1.15 ignores them silently (the module's resource is
    // created); drinfra does the same and says so at the block.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m/main.tf",
        "resource \"terraform_data\" \"in\" {\n}\nimport {\n  to = terraform_data.in\n  id = \"x\"\n}\n",
    );
    write(
        dir.path(),
        "main.tf",
        "module \"m\" {\n  source = \"./m\"\n}\n",
    );
    let run = drinfra(dir.path(), &["plan"]);
    assert_eq!(run.code, 0, "{}", run.out);
    assert!(
        run.out
            .contains("Import block in a child module is ignored"),
        "{}",
        run.out
    );
    assert!(
        run.out.contains("m/main.tf:3") || run.out.contains("m\\main.tf:3"),
        "{}",
        run.out
    );
    assert!(run.out.contains("1 to add"), "{}", run.out);
    assert!(!run.out.contains("to import"), "{}", run.out);
}

#[test]
fn targets_narrow_what_a_removed_block_forgets() {
    // Terraform 1.15 with -target=module.m["a"]: only that instance "will
    // no longer be managed"; the other stays recorded.
    let dir = applied_stack();
    write(
        dir.path(),
        "main.tf",
        "resource \"terraform_data\" \"x\" {\n  count = 2\n  input = count.index\n}\nresource \"terraform_data\" \"y\" {\n  input = \"y\"\n}\nremoved {\n  from = module.m\n  lifecycle {\n    destroy = false\n  }\n}\n",
    );
    let run = drinfra(
        dir.path(),
        &["apply", "--auto-approve", "--target", "module.m[\"a\"]"],
    );
    assert_eq!(run.code, 0, "{}", run.out);
    assert!(
        run.out
            .contains("module.m[\"a\"].terraform_data.in will no longer be managed"),
        "{}",
        run.out
    );
    assert!(
        !run.out.contains("module.m[\"b\"].terraform_data.in will"),
        "{}",
        run.out
    );
    let left = state_list(dir.path());
    assert!(
        !left.contains(&"module.m[\"a\"].terraform_data.in".to_string()),
        "{left:?}"
    );
    assert!(
        left.contains(&"module.m[\"b\"].terraform_data.in".to_string()),
        "{left:?}"
    );
}

#[test]
fn a_removed_block_inside_a_module_forgets_relative_to_that_module() {
    // Terraform 1.15: module.m.terraform_data.gone "will no longer be
    // managed"; module.m.terraform_data.kept stays.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "m/main.tf",
        "resource \"terraform_data\" \"gone\" {\n  input = 1\n}\nresource \"terraform_data\" \"kept\" {\n}\n",
    );
    write(
        dir.path(),
        "main.tf",
        "module \"m\" {\n  source = \"./m\"\n}\n",
    );
    let run = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 0, "{}", run.out);
    write(
        dir.path(),
        "m/main.tf",
        "resource \"terraform_data\" \"kept\" {\n}\nremoved {\n  from = terraform_data.gone\n  lifecycle {\n    destroy = false\n  }\n}\n",
    );
    let run = drinfra(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 0, "{}", run.out);
    assert!(
        run.out
            .contains("# module.m.terraform_data.gone will no longer be managed by drinfra"),
        "{}",
        run.out
    );
    assert!(run.out.contains("0 destroyed"), "{}", run.out);
    assert_eq!(state_list(dir.path()), vec!["module.m.terraform_data.kept"]);
}

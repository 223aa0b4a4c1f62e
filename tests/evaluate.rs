//! Evaluation of resources and modules: instance expansion, dynamic blocks,
//! cycles across modules, and robustness against truncated input.

use std::path::Path;

use drinfra::config::evaluate::InstanceKey;
use drinfra::lang::Value;

fn stack(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn run(dir: &Path) -> (drinfra::config::Stack, drinfra::config::Evaluation) {
    drinfra::ops::validate::validate(dir, &[], &[], dir, true)
}

/// Evaluation alone, without the providers' checks (for bodies no
/// provider would accept, used to exercise the language).
fn evaluate_only(dir: &Path) -> (drinfra::config::Stack, drinfra::config::Evaluation) {
    let mut stack = drinfra::config::open(dir, &[], &[]);
    let mut eval = drinfra::config::evaluate(&stack.config, &stack.inputs, dir, None, true);
    stack.diags.extend(std::mem::take(&mut eval.diags));
    (stack, eval)
}

#[test]
fn resources_expand_by_count_and_for_each_with_dynamic_blocks() {
    let dir = stack(&[(
        "main.tf",
        r#"
variable "pools" {
  default = { system = 3, app = 5 }
}
resource "terraform_data" "pool" {
  for_each = var.pools
  input    = { name = each.key, count = each.value }
  dynamic "rule" {
    for_each = range(each.value > 3 ? 2 : 1)
    content {
      index = rule.key
      label = "${each.key}-${rule.value}"
    }
  }
}
resource "terraform_data" "copy" {
  count = 2
  input = terraform_data.pool["app"].input.name
  triggers_replace = [terraform_data.pool["system"].id]
}
"#,
    )]);
    // terraform_data takes no rule blocks (validate says so): this is
    // about evaluating dynamic blocks.
    let (stack, eval) = evaluate_only(dir.path());
    assert!(!stack.diags.has_errors(), "{:?}", stack.diags);
    let addrs: Vec<String> = eval.resources.iter().map(|r| r.address()).collect();
    assert_eq!(
        addrs,
        [
            "terraform_data.copy[0]",
            "terraform_data.copy[1]",
            "terraform_data.pool[\"app\"]",
            "terraform_data.pool[\"system\"]"
        ]
    );
    let app = eval
        .resources
        .iter()
        .find(|r| r.key == InstanceKey::Str("app".into()))
        .unwrap();
    let rules = app.config.as_mapping().unwrap()["rule"]
        .as_seq()
        .unwrap()
        .to_vec();
    assert_eq!(rules.len(), 2);
    assert_eq!(
        rules[1].as_mapping().unwrap()["label"],
        Value::String("app-1".into())
    );
    let copy = &eval.resources[0];
    assert_eq!(
        copy.config.as_mapping().unwrap()["input"],
        Value::String("app".into())
    );
    // id is computed by the provider: unknown until apply.
    let triggers = copy.config.as_mapping().unwrap()["triggers_replace"]
        .as_seq()
        .unwrap()
        .to_vec();
    assert!(triggers[0].is_unknown());
}

#[test]
fn cycles_across_modules_are_reported_with_their_members() {
    let dir = stack(&[
        (
            "main.tf",
            "module \"a\" {\n  source = \"./a\"\n  x      = local.y\n}\nlocals {\n  y = module.a.out\n}\n",
        ),
        (
            "a/main.tf",
            "variable \"x\" {}\noutput \"out\" {\n  value = var.x\n}\n",
        ),
    ]);
    let (stack, _) = run(dir.path());
    let cycle = stack
        .diags
        .errors()
        .find(|d| d.summary == "Cycle in configuration")
        .expect("cycle reported");
    let detail = cycle.detail.clone().unwrap();
    assert!(
        detail.contains("local.y")
            && detail.contains("module.a.output.out")
            && detail.contains("module.a.var.x"),
        "{detail}"
    );
}

#[test]
fn module_instances_get_their_own_inputs() {
    let dir = stack(&[
        (
            "main.tf",
            "module \"m\" {\n  source = \"./m\"\n  count  = 3\n  n      = count.index * 10\n}\noutput \"all\" {\n  value = module.m[*].twice\n}\n",
        ),
        (
            "m/main.tf",
            "variable \"n\" {\n  type = number\n}\noutput \"twice\" {\n  value = var.n * 2\n}\nresource \"terraform_data\" \"r\" {\n  input = var.n\n}\n",
        ),
    ]);
    let (stack, eval) = run(dir.path());
    assert!(!stack.diags.has_errors(), "{:?}", stack.diags);
    assert_eq!(
        eval.outputs["all"].value.to_json(),
        serde_json::json!([0, 20, 40])
    );
    let addrs: Vec<String> = eval.resources.iter().map(|r| r.address()).collect();
    assert_eq!(
        addrs,
        [
            "module.m[0].terraform_data.r",
            "module.m[1].terraform_data.r",
            "module.m[2].terraform_data.r"
        ]
    );
}

#[test]
fn lifecycle_moved_and_settings_are_decoded() {
    let dir = stack(&[(
        "main.tf",
        r#"
drinfra {
  required_version = ">= 0.1"
  backend "local" {
    path = "state/x.json"
  }
}
resource "terraform_data" "b" {
  lifecycle {
    prevent_destroy       = true
    create_before_destroy = true
    ignore_changes        = [input, triggers_replace[0]]
    replace_triggered_by  = [terraform_data.c.id]
  }
}
resource "terraform_data" "c" {}
moved {
  from = terraform_data.a
  to   = terraform_data.b
}
"#,
    )]);
    let (stack, _) = run(dir.path());
    assert!(!stack.diags.has_errors(), "{:?}", stack.diags);
    let root = stack.config.root();
    let b = &root.resources["terraform_data.b"];
    assert!(b.lifecycle.prevent_destroy && b.lifecycle.create_before_destroy);
    assert_eq!(
        b.lifecycle.ignore_changes,
        drinfra::config::model::IgnoreChanges::Paths(vec![
            vec!["input".into()],
            vec!["triggers_replace".into(), "0".into()]
        ])
    );
    assert_eq!(b.lifecycle.replace_triggered_by.len(), 1);
    assert_eq!(root.moved.len(), 1);
    assert_eq!(root.settings.backend.as_ref().unwrap().kind, "local");
}

#[test]
fn required_version_is_enforced_for_drinfra_blocks() {
    let dir = stack(&[(
        "main.tf",
        "drinfra {\n  required_version = \">= 99.0\"\n}\n",
    )]);
    let (stack, _) = run(dir.path());
    let d = stack.diags.errors().next().expect("version error");
    assert_eq!(d.summary, "Unsupported drinfra version");
    // A terraform block's constraint is about Terraform and is not checked.
    let dir = stack_tf();
    let (stack, _) = run(dir.path());
    assert!(!stack.diags.has_errors(), "{:?}", stack.diags);
}

fn stack_tf() -> tempfile::TempDir {
    stack(&[(
        "main.tf",
        "terraform {\n  required_version = \">= 1.5\"\n  required_providers {\n    azurerm = {\n      source = \"hashicorp/azurerm\"\n    }\n  }\n}\n",
    )])
}

#[test]
fn truncated_files_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in [
        "tests/parity/corpus/outputs.tf",
        "tests/parity/corpus/main.tf",
        "examples/sites/main.tf",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut cut = 0;
        while cut < text.len() {
            if text.is_char_boundary(cut) {
                std::fs::write(dir.path().join("main.tf"), &text[..cut]).unwrap();
                let _ = run(dir.path());
                let _ = drinfra::config::fmt::format_source(&text[..cut]);
            }
            cut += 97;
        }
    }
}

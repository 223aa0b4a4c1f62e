//! Override files as the loader merges them, for what Terraform's parity
//! cases (tests/override_parity.rs, on `terraform_data`) cannot show:
//! nested and `dynamic` blocks, `lifecycle` argument by argument, provider
//! configurations, `terraform` settings, and where merged syntax points.

use std::path::Path;

use drinfra::config::load::load;
use drinfra::config::model::{Config, IgnoreChanges};
use hcl_edit::structure::Structure;

fn stack(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn loaded(dir: &Path) -> Config {
    let (config, diags) = load(dir);
    let errors: Vec<_> = diags.errors().map(|d| d.summary.clone()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    config
}

/// `NAME` for an argument, `TYPE` or `dynamic:LABEL` for a block.
fn items(body: &hcl_edit::structure::Body) -> Vec<String> {
    body.iter()
        .map(|s| match s {
            Structure::Attribute(a) => format!("{}={}", a.key.value(), a.value.to_string().trim()),
            Structure::Block(b) if b.ident.value().as_str() == "dynamic" => {
                format!("dynamic:{}", b.labels[0].as_str())
            }
            Structure::Block(b) => b.ident.value().to_string(),
        })
        .collect()
}

#[test]
fn a_nested_block_type_in_the_override_replaces_all_of_that_type() {
    let dir = stack(&[
        (
            "main.tf",
            r#"
resource "azurerm_thing" "x" {
  keep = 1
  swap = 2
  a { n = 1 }
  a { n = 2 }
  b {}
  dynamic "c" {
    for_each = [1]
    content {}
  }
  d {}
}
"#,
        ),
        (
            "override.tf",
            r#"
resource "azurerm_thing" "x" {
  swap = 3
  dynamic "a" {
    for_each = [1, 2, 3]
    content {}
  }
  c {}
}
"#,
        ),
    ]);
    let config = loaded(dir.path());
    let r = &config.root().resources["azurerm_thing.x"];
    assert_eq!(
        items(&r.body.body),
        ["keep=1", "b", "d", "swap=3", "dynamic:a", "c"]
    );
}

/// A JSON override's nested blocks, told from arguments by the provider's
/// schema, replace the base's blocks of their type as native ones do.
#[test]
fn a_json_overrides_nested_blocks_replace_the_bases_by_the_schema() {
    let dir = stack(&[
        (
            "main.tf",
            r#"
resource "azurerm_storage_account" "sa" {
  name = "a"
  tags = { a = "1" }
  identity {
    type = "SystemAssigned"
  }
  blob_properties {
    cors_rule {
      allowed_origins = ["a"]
    }
    cors_rule {
      allowed_origins = ["b"]
    }
  }
}
"#,
        ),
        (
            "override.tf.json",
            r#"{"resource": {"azurerm_storage_account": {"sa": {
  "tags": {"b": "2"},
  "blob_properties": {"cors_rule": {"allowed_origins": ["c"]}}
}}}}"#,
        ),
    ]);
    let stack = drinfra::ops::validate::open(dir.path(), &[], &[]);
    let errors: Vec<_> = stack.diags.errors().map(|d| d.summary.clone()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let r = &stack.config.root().resources["azurerm_storage_account.sa"];
    let names: Vec<_> = items(&r.body.body)
        .into_iter()
        .map(|i| i.split('=').next().unwrap().to_string())
        .collect();
    assert_eq!(names, ["name", "identity", "tags", "blob_properties"]);
    let tags = r.body.body.get_attribute("tags").unwrap();
    assert!(matches!(&tags.value, hcl_edit::expr::Expression::Object(o) if o.len() == 1));
    let blob = r.body.body.get_blocks("blob_properties").next().unwrap();
    assert_eq!(blob.body.get_blocks("cors_rule").count(), 1);
}

#[test]
fn merged_arguments_point_at_the_file_they_were_written_in() {
    let dir = stack(&[
        (
            "main.tf",
            "resource \"azurerm_thing\" \"x\" {\n  keep = 1\n}\n",
        ),
        (
            "override.tf",
            "\n\nresource \"azurerm_thing\" \"x\" {\n  swap = 3\n}\n",
        ),
    ]);
    let config = loaded(dir.path());
    let r = &config.root().resources["azurerm_thing.x"];
    let place = |name: &str| {
        let a = r.body.body.get_attribute(name).unwrap();
        let span = drinfra::diag::Span::new(r.body.file, hcl_edit::Span::span(&a.key).unwrap());
        let span = config.sources.resolve(&span);
        let file = config.sources.get(span.file);
        let lc = file.line_col(span.range.start);
        (
            file.path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned(),
            lc.line,
            lc.col,
        )
    };
    assert_eq!(place("keep"), ("main.tf".to_string(), 2, 3));
    assert_eq!(place("swap"), ("override.tf".to_string(), 4, 3));
}

#[test]
fn lifecycle_merges_argument_by_argument_and_meta_arguments_replace() {
    let dir = stack(&[
        (
            "main.tf",
            r#"
resource "terraform_data" "x" {
  count = 1
  lifecycle {
    create_before_destroy = true
    ignore_changes        = [input]
  }
}
"#,
        ),
        (
            "override.tf",
            r#"
resource "terraform_data" "x" {
  count = 2
  lifecycle {
    prevent_destroy = true
    ignore_changes  = []
  }
}
"#,
        ),
    ]);
    let config = loaded(dir.path());
    let r = &config.root().resources["terraform_data.x"];
    assert!(r.lifecycle.create_before_destroy, "kept from main.tf");
    assert!(r.lifecycle.prevent_destroy, "set by the override");
    assert_eq!(
        r.lifecycle.ignore_changes,
        IgnoreChanges::Paths(vec![vec!["input".to_string()]]),
        "an empty list overrides nothing"
    );
    assert_eq!(
        r.count
            .as_ref()
            .map(|c| c.expr.to_string().trim().to_string()),
        Some("2".into())
    );
}

#[test]
fn providers_merge_by_name_and_alias_and_a_default_one_may_be_new() {
    let dir = stack(&[
        (
            "main.tf",
            r#"
provider "azurerm" {
  features {}
  subscription_id = "a"
}

provider "azurerm" {
  alias           = "dr"
  subscription_id = "dr"
}
"#,
        ),
        (
            "override.tf",
            r#"
provider "azurerm" {
  subscription_id = "b"
}

provider "azurerm" {
  alias = "dr"
  features {}
}

provider "random" {
}
"#,
        ),
    ]);
    let config = loaded(dir.path());
    let ps = &config.root().providers;
    assert_eq!(ps.len(), 3);
    let default = ps
        .iter()
        .find(|p| p.name == "azurerm" && p.alias.is_none())
        .unwrap();
    assert_eq!(
        items(&default.body.body),
        ["features", "subscription_id=\"b\""]
    );
    let dr = ps
        .iter()
        .find(|p| p.alias.as_deref() == Some("dr"))
        .unwrap();
    assert_eq!(
        items(&dr.body.body),
        ["subscription_id=\"dr\"", "alias=\"dr\"", "features"]
    );
    assert!(ps.iter().any(|p| p.name == "random"));
}

#[test]
fn terraform_settings_replace_per_provider_and_the_backend_whole() {
    let dir = stack(&[
        (
            "main.tf",
            r#"
terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm" }
    random  = { source = "hashicorp/random" }
  }
  backend "local" {
    path = "a.tfstate"
  }
}
"#,
        ),
        (
            "override.tf",
            r#"
terraform {
  required_providers {
    random = { source = "example/random" }
  }
  backend "azurerm" {
    key = "k"
  }
}
"#,
        ),
    ]);
    let config = loaded(dir.path());
    let s = &config.root().settings;
    assert_eq!(
        s.required_providers["random"].source.as_deref(),
        Some("example/random")
    );
    assert_eq!(
        s.required_providers["azurerm"].source.as_deref(),
        Some("hashicorp/azurerm")
    );
    let backend = s.backend.as_ref().unwrap();
    assert_eq!(backend.kind, "azurerm");
    assert_eq!(items(&backend.body.body), ["key=\"k\""]);
}

#[test]
fn override_files_apply_in_name_order_after_all_normal_files() {
    // `b_override.tf` sorts before `main.tf` yet still overrides it, and
    // `override.tf` comes after `b_override.tf`.
    let dir = stack(&[
        ("main.tf", "locals {\n  a = 1\n  b = 1\n}\n"),
        ("b_override.tf", "locals {\n  a = 2\n  b = 2\n}\n"),
        ("override.tf", "locals {\n  a = 3\n}\n"),
    ]);
    let config = loaded(dir.path());
    let value = |n: &str| {
        config.root().locals[n]
            .value
            .expr
            .to_string()
            .trim()
            .to_string()
    };
    assert_eq!(value("a"), "3");
    assert_eq!(value("b"), "2");
}

#[test]
fn json_override_files_merge_into_native_and_json_bases() {
    let dir = stack(&[
        ("main.tf", "locals {\n  a = 1\n  b = 1\n}\n"),
        ("more.tf.json", "{\"locals\": {\"c\": 1}}"),
        (
            "x_override.tf.json",
            "{\"locals\": {\"a\": 2, \"c\": \"${local.a}\"}}",
        ),
    ]);
    let (config, diags) = load(dir.path());
    assert_eq!(diags.errors().count(), 0, "{diags:?}");
    let local = |n: &str| {
        let l = &config.root().locals[n];
        let at = config.sources.resolve(&l.span);
        let file = config.sources.get(at.file);
        let place = file.line_col(at.range.start);
        let name = file
            .path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        (
            l.value.expr.to_string().trim().to_string(),
            name,
            place.line,
            place.col,
        )
    };
    assert_eq!(local("a"), ("2".into(), "x_override.tf.json".into(), 1, 13));
    assert_eq!(local("b"), ("1".into(), "main.tf".into(), 3, 3));
    assert_eq!(
        local("c"),
        ("\"${local.a}\"".into(), "x_override.tf.json".into(), 1, 21)
    );
}

#[test]
fn blocks_drinfra_adds_are_not_merged_from_override_files() {
    let dir = stack(&[
        ("main.tf", "locals {\n  a = 1\n}\n"),
        (
            "override.tf",
            "failover_group \"g\" {\n  sites  = [\"a\", \"b\"]\n  active = \"a\"\n}\n",
        ),
    ]);
    let (_, diags) = load(dir.path());
    let errors: Vec<_> = diags.errors().collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].summary, "Unsupported block type in override file");
}

/// No input panics the merge: every parity case's files are loaded with
/// their roles swapped (each normal file also as an override of itself and
/// the others), and with the override file cut at every few bytes.
#[test]
fn any_override_file_loads_without_panicking() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity/overrides");
    let mut texts = Vec::new();
    for case in std::fs::read_dir(&root).unwrap() {
        let case = case.unwrap().path();
        if !case.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&case).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "tf") {
                texts.push(std::fs::read_to_string(f).unwrap());
            }
        }
    }
    assert!(texts.len() >= 15, "{}", texts.len());
    let dir = tempfile::tempdir().unwrap();
    for (i, base) in texts.iter().enumerate() {
        let over = &texts[(i + 1) % texts.len()];
        let cuts = (0..over.len())
            .step_by(5)
            .chain([over.len()])
            .filter(|c| over.is_char_boundary(*c));
        for cut in cuts {
            std::fs::write(dir.path().join("main.tf"), base).unwrap();
            std::fs::write(dir.path().join("override.tf"), &over[..cut]).unwrap();
            std::fs::write(dir.path().join("a_override.tf"), base).unwrap();
            if cut < over.len() {
                let _ = load(dir.path());
                continue;
            }
            // Whole files: evaluated too, and every problem rendered
            // (spans into joined files resolve).
            let (stack, _) =
                drinfra::ops::validate::validate(dir.path(), &[], &[], dir.path(), true);
            let _ = drinfra::render::diagnostics::render_all(
                &stack.diags,
                &stack.config.sources,
                dir.path(),
                drinfra::render::style::Style::plain(),
            );
            let _ = drinfra::render::diagnostics::to_json(
                &stack.diags,
                &stack.config.sources,
                dir.path(),
            );
        }
    }
}

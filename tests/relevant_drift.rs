//! Terraform's "relevant attributes" rule for drift (1.2+): an attribute
//! changed outside drinfra that the configuration does not set is shown
//! when a change of the plan (a resource change or output change that is
//! not a no-op) reads it, directly or through locals; one nothing reads is
//! not. Against the emulator: rotating a storage account key through ARM's
//! POST regenerateKey changes `primary_access_key` (computed, sensitive).
//! Terraform cannot be compared here: terraform_data, the only provider
//! the comparison has, has nothing that changes outside Terraform.

use serde_json::{Value as J, json};

use crate::azure_secrets_export::{Env, RESOURCES, id};

/// The provider, resource group and storage account of the secrets tests.
fn account() -> &'static str {
    RESOURCES
        .split("resource \"azurerm_redis_cache\"")
        .next()
        .unwrap()
}

const DRIFT_HEADER: &str = "Changed outside drinfra (not part of this plan):\n";

fn rotate_key1(env: &Env) -> String {
    let sa_id = id("Microsoft.Storage/storageAccounts", "sasecrets");
    let rotated = env.post(
        &sa_id,
        "regenerateKey",
        "2025-01-01",
        json!({"keyName": "key1"}),
    );
    rotated["keys"][0]["value"].as_str().unwrap().to_string()
}

#[test]
fn a_rotated_key_an_output_reads_through_a_local_is_shown_as_drift() {
    let env = Env::new();
    env.write(&format!(
        "{}\nlocals {{\n  key = azurerm_storage_account.sa.primary_access_key\n}}\n\noutput \"key\" {{\n  sensitive = true\n  value     = local.key\n}}\n",
        account()
    ));
    env.ok(&["apply", "--auto-approve"]);
    let new_key = rotate_key1(&env);

    let plan = env.ok(&["plan", "-out", "saved.plan"]);
    assert!(
        plan.contains(&format!(
            "{DRIFT_HEADER}  # azurerm_storage_account.sa has changed outside drinfra: primary_access_key\n\n"
        )),
        "{plan}"
    );
    assert!(plan.contains("Changes to Outputs"), "{plan}");
    assert!(plan.contains("(sensitive value)"), "{plan}");
    assert!(!plan.contains(&new_key), "{plan}");

    let doc: J = serde_json::from_str(&env.ok(&["show", "--json", "saved.plan"])).unwrap();
    let relevant = doc["relevant_attributes"].as_array().unwrap();
    assert!(
        relevant.contains(
            &json!({"resource": "azurerm_storage_account.sa", "attribute": ["primary_access_key"]})
        ),
        "{relevant:?}"
    );
    let drift = doc["resource_drift"].as_array().unwrap();
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!(drift[0]["address"], "azurerm_storage_account.sa");
    assert!(!doc.to_string().contains(&new_key));
}

#[test]
fn a_rotated_key_nothing_reads_is_not_shown() {
    let env = Env::new();
    // The secondary key is read (so refresh reads the account's keys), the
    // primary one nothing reads.
    env.write(&format!(
        "{}\noutput \"key2\" {{\n  sensitive = true\n  value     = azurerm_storage_account.sa.secondary_access_key\n}}\n",
        account()
    ));
    env.ok(&["apply", "--auto-approve"]);
    rotate_key1(&env);

    let plan = env.ok(&["plan"]);
    assert!(!plan.contains(DRIFT_HEADER), "{plan}");
    assert!(plan.contains("No changes"), "{plan}");
    // The change is there to see: a refresh-only plan shows every drift.
    let refresh = env.ok(&["plan", "--refresh-only"]);
    assert!(
        refresh
            .contains("azurerm_storage_account.sa has changed outside drinfra: primary_access_key"),
        "{refresh}"
    );
}

const PARITY_STACK: &str = r#"
variable "x" {
  type    = string
  default = "a"
}

resource "terraform_data" "a" {
  input = var.x
}

resource "terraform_data" "b" {
  count = 2
  input = "b${count.index}"
}

# A no-op: what it reads is not relevant.
resource "terraform_data" "c" {
  input = { id = terraform_data.a.id, b = terraform_data.b[1].output }
}

module "m" {
  source = "./m"
  v      = terraform_data.a.output
}

locals {
  shown = "${terraform_data.a.output}-${terraform_data.b[0].input}"
}

output "o" {
  value = local.shown
}

output "m" {
  value = module.m.out
}
"#;

/// What Terraform can be compared on: which attributes a plan's changes
/// read (drift itself cannot be made with terraform_data, which nothing
/// changes outside Terraform). Through a local, a module input and output,
/// with an instance key, leaving out what a no-op reads.
#[test]
fn relevant_attributes_are_terraforms() {
    use crate::terraform_cli::{drinfra, stack, terraform, terraform_python};
    let Some(py) = terraform_python() else {
        return;
    };
    let relevant = |run: &dyn Fn(&std::path::Path, &[&str]) -> crate::terraform_cli::Run| {
        let dir = stack(PARITY_STACK);
        std::fs::create_dir(dir.path().join("m")).unwrap();
        std::fs::write(
            dir.path().join("m/main.tf"),
            "variable \"v\" {\n  type = string\n}\n\noutput \"out\" {\n  value = var.v\n}\n",
        )
        .unwrap();
        for args in [
            &["init", "-input=false"][..],
            &["apply", "-auto-approve", "-input=false"],
            &["plan", "-input=false", "-var", "x=b", "-out=p"],
        ] {
            let r = run(dir.path(), args);
            assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
        }
        let shown = run(dir.path(), &["show", "-json", "p"]);
        let doc: J = serde_json::from_str(&shown.stdout).unwrap();
        doc["relevant_attributes"].clone()
    };
    let theirs = relevant(&|d, a| terraform(&py, d, a));
    assert_eq!(
        theirs,
        json!([
            {"resource": "terraform_data.a", "attribute": ["output"]},
            {"resource": "terraform_data.b[0]", "attribute": ["input"]}
        ])
    );
    assert_eq!(relevant(&|d, a| drinfra(d, a)), theirs);
}

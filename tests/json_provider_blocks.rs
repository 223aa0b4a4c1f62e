//! `.tf.json` resource bodies read with the providers' schemas
//! (`config::load::NestedBlocks`): azurerm nested blocks written as one
//! JSON object, as an array of objects, repeated (table and hand-mapped
//! ones, a `dynamic` block) and nested in another block, plan against the
//! emulator exactly as the same stack in native syntax does
//! (tests/json_blocks). Terraform decides the same way from the provider
//! schema; it cannot be compared here, since Terraform would need the
//! azurerm provider to run.

use std::path::Path;

use drinfra::plan::Plan;
use drinfra::plan::planner::{self, PlanOptions};

use super::azure::{Harness, harness};

/// The plan for `file` of tests/json_blocks, alone in the harness's stack
/// directory, loaded as drinfra's commands load it.
async fn plan_of(h: &Harness, file: &str, as_name: &str) -> Plan {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/json_blocks");
    for stale in ["main.tf", "main.tf.json"] {
        let _ = std::fs::remove_file(h.dir().join(stale));
    }
    std::fs::copy(data.join(file), h.dir().join(as_name)).unwrap();
    let stack = drinfra::ops::validate::open(h.dir(), &[], &[]);
    assert!(!stack.diags.has_errors(), "{file}: {:?}", stack.diags);
    let (plan, diags) = planner::plan(
        &stack.config,
        &stack.inputs,
        h.dir(),
        None,
        &h.providers,
        &PlanOptions::default(),
    )
    .await;
    assert!(!diags.has_errors(), "{file}: plan errors: {diags:?}");
    plan.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_nested_blocks_plan_as_their_native_form() {
    let h = harness().await;
    let native = plan_of(&h, "native.tf", "main.tf").await;
    let json = plan_of(&h, "main.tf.json", "main.tf.json").await;
    let shape = |p: &Plan| -> Vec<(String, String, serde_json::Value)> {
        p.changes
            .iter()
            .map(|c| {
                let after = c
                    .after
                    .as_ref()
                    .map_or(serde_json::Value::Null, |v| v.to_json());
                (c.address.clone(), format!("{:?}", c.action), after)
            })
            .collect()
    };
    let (n, j) = (shape(&native), shape(&json));
    assert_eq!(n.len(), 3, "{n:#?}");
    assert_eq!(n, j);
    // The blocks really arrived as blocks: two CORS rules, three rules.
    let sa = &n.iter().find(|c| c.0.ends_with(".sa")).unwrap().2;
    assert_eq!(sa["identity"][0]["type"], "SystemAssigned");
    assert_eq!(sa["network_rules"][0]["default_action"], "Deny");
    assert_eq!(
        sa["blob_properties"][0]["cors_rule"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let nsg = &n.iter().find(|c| c.0.ends_with(".nsg")).unwrap().2;
    let rules: Vec<_> = nsg["security_rule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(rules, ["https", "rdp", "ssh"]);
}

/// The providers' schema decides: without it (`config::open`) a nested
/// block written as one JSON object stays an argument, which the provider
/// then refuses with Terraform's words rather than reading it silently.
#[test]
fn the_providers_schema_decides_block_or_argument() {
    let dir = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/json_blocks");
    std::fs::copy(data.join("main.tf.json"), dir.path().join("main.tf.json")).unwrap();
    std::fs::write(
        dir.path().join("providers.tf"),
        "provider \"azurerm\" {\n  features {}\n}\n",
    )
    .unwrap();
    let mut bare = drinfra::config::open(dir.path(), &[], &[]);
    let sa = &bare.config.root().resources["azurerm_storage_account.sa"];
    assert!(sa.body.body.get_attribute("identity").is_some());
    drinfra::ops::validate::check_all(&mut bare, dir.path(), None, false);
    let refused: Vec<_> = bare
        .diags
        .errors()
        .filter_map(|d| d.detail.clone())
        .collect();
    assert!(
        refused
            .iter()
            .any(|d| d.contains("Did you mean to define a block of type \"identity\"")),
        "{refused:?}"
    );
    let (stack, _) = drinfra::ops::validate::validate(dir.path(), &[], &[], dir.path(), false);
    assert!(!stack.diags.has_errors(), "{:?}", stack.diags);
    let sa = &stack.config.root().resources["azurerm_storage_account.sa"];
    assert!(sa.body.body.get_attribute("identity").is_none());
    assert_eq!(sa.body.body.get_blocks("identity").count(), 1);
    let blob = sa.body.body.get_blocks("blob_properties").next().unwrap();
    assert_eq!(blob.body.get_blocks("cors_rule").count(), 2);
}

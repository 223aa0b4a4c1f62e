//! A force-new argument inside a block replaces the object, as azurerm
//! does (its SDK marks the nested attribute's diff as requiring a new
//! resource); a nested argument that does not force updates in place.
//! Through the provider against the emulator, and in the plan's text.

use drinfra::plan::{Action, Plan};
use drinfra::render::{plan::render, style::Style};

use crate::azure::{action_of, harness, with_rg};

const AKS: &str = "azurerm_kubernetes_cluster.aks";

/// A cluster whose default pool has GPU driver `driver` and labels
/// `labels` (HCL).
fn cluster(driver: &str, labels: &str) -> String {
    with_rg(&format!(
        "resource \"azurerm_kubernetes_cluster\" \"aks\" {{\n  name = \"aks-nested\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  dns_prefix = \"nested\"\n  default_node_pool {{\n    name = \"system\"\n    vm_size = \"Standard_D4s_v5\"\n    node_count = 2\n    gpu_driver = \"{driver}\"\n    node_labels = {labels}\n  }}\n}}\n"
    ))
}

fn replace_paths(p: &Plan, addr: &str) -> Vec<Vec<String>> {
    p.changes
        .iter()
        .find(|c| c.address == addr)
        .map(|c| c.replace_paths.clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nested_force_new_argument_replaces_and_others_update_in_place() {
    let h = harness().await;
    let created = h.apply(&cluster("Install", "{ tier = \"a\" }")).await;
    assert!(created.ok, "{:?}", created.failed);
    assert_eq!(
        action_of(&h.plan(&cluster("Install", "{ tier = \"a\" }")).await, AKS),
        Action::NoOp
    );

    // A label is not force-new in azurerm: updated in place.
    let labels = h.plan(&cluster("Install", "{ tier = \"b\" }")).await;
    assert_eq!(action_of(&labels, AKS), Action::Update);
    assert!(replace_paths(&labels, AKS).is_empty());
    let shown = render(&labels, Style::plain());
    assert!(!shown.contains("forces replacement"), "{shown}");

    // default_node_pool.gpu_driver is ForceNew in azurerm: a new cluster,
    // with the nested attribute named as the cause.
    let driver = h.plan(&cluster("None", "{ tier = \"a\" }")).await;
    assert!(
        action_of(&driver, AKS).is_replace(),
        "{:?}",
        action_of(&driver, AKS)
    );
    assert_eq!(
        replace_paths(&driver, AKS),
        vec![vec![
            "default_node_pool".to_string(),
            "0".into(),
            "gpu_driver".into()
        ]]
    );
    let shown = render(&driver, Style::plain());
    assert!(shown.contains("      ~ default_node_pool {\n"), "{shown}");
    let line = shown
        .lines()
        .find(|l| l.trim_start().starts_with("~ gpu_driver"))
        .unwrap_or_else(|| panic!("no gpu_driver line in:\n{shown}"));
    assert!(
        line.contains("\"Install\" -> \"None\"") && line.ends_with("# forces replacement"),
        "{shown}"
    );
    println!("{shown}");
}

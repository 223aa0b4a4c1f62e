//! drinfra's data sources take the arguments azurerm documents for them:
//! a configuration that finds an object azurerm's way loads here, and
//! drinfra asks for nothing azurerm does not take. The documented
//! arguments are tests/data/azurerm_data_arguments.json (copied from
//! azurerm's documentation); a data source drinfra reads that is missing
//! there fails the test, so a new one brings its documented arguments.

use drinfra::config::model::Mode;
use drinfra::lang::Value;
use drinfra::provider::azure::{types, validate_data};
use drinfra::provider::catalog::azurerm_has;
use serde_json::{Map, Value as J, json};

use crate::newcomer::{Newcomer, PROVIDER};

/// The data sources drinfra reads that are no managed type's.
const DATA_ONLY: &[&str] = &[
    "azurerm_client_config",
    "azurerm_subscription",
    "azurerm_role_definition",
    "azurerm_role_assignments",
    "azurerm_private_endpoint_connection",
];

fn documented() -> J {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/azurerm_data_arguments.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Problems of one summary for a data source configured with `args`.
fn problems(ty: &str, args: &Map<String, J>, summary: &str) -> Vec<String> {
    validate_data(ty, &Value::from_json(&J::Object(args.clone())))
        .into_iter()
        .filter(|p| p.summary == summary)
        .map(|p| p.detail)
        .collect()
}

#[test]
fn data_sources_take_azurerms_documented_arguments() {
    let doc = documented();
    let mut names = types::names();
    names.extend(DATA_ONLY);
    let mut failures = vec![];
    let mut checked = 0;
    for ty in names {
        if !azurerm_has(Mode::Data, ty) {
            continue;
        }
        let Some(args) = doc["types"][ty]["arguments"].as_object() else {
            failures.push(format!(
                "{ty}: not in tests/data/azurerm_data_arguments.json"
            ));
            continue;
        };
        // Every documented argument given: none is refused as unknown,
        // and none drinfra requires is missing (so drinfra requires only
        // documented ones).
        let all: Map<String, J> = args.keys().map(|k| (k.clone(), json!("x"))).collect();
        for p in problems(ty, &all, "Unsupported argument") {
            failures.push(format!("{ty}: documented argument refused: {p}"));
        }
        for p in problems(ty, &all, "Missing required argument") {
            failures.push(format!("{ty}: {p}"));
        }
        // The documented required ones are required here too.
        for (k, a) in args {
            if a["required"] == json!(true) {
                let mut without = all.clone();
                without.remove(k);
                if problems(ty, &without, "Missing required argument").is_empty() {
                    failures.push(format!("{ty}: {k:?} is required by azurerm, not here"));
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 43, "only {checked} data sources checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Read against the cloud: a Front Door endpoint found by its profile's
/// name and group, and a peering by its network's id, as azurerm's data
/// sources find them (drinfra asked for the profile's id and the
/// network's name, the resources' arguments).
#[test]
fn data_sources_find_objects_by_azurerms_arguments() {
    let n = Newcomer::new();
    n.converges(&format!(
        r#"{PROVIDER}
resource "azurerm_resource_group" "rg" {{
  name     = "rg-data-args"
  location = "westeurope"
}}
resource "azurerm_cdn_frontdoor_profile" "p" {{
  name                = "fd-data-args"
  resource_group_name = azurerm_resource_group.rg.name
  sku_name            = "Standard_AzureFrontDoor"
}}
resource "azurerm_cdn_frontdoor_endpoint" "e" {{
  name                     = "ep-data-args"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.p.id
}}
resource "azurerm_virtual_network" "a" {{
  name                = "vnet-a"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.1.0.0/16"]
}}
resource "azurerm_virtual_network" "b" {{
  name                = "vnet-b"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.2.0.0/16"]
}}
resource "azurerm_virtual_network_peering" "ab" {{
  name                      = "a-to-b"
  resource_group_name       = azurerm_resource_group.rg.name
  virtual_network_name      = azurerm_virtual_network.a.name
  remote_virtual_network_id = azurerm_virtual_network.b.id
}}
data "azurerm_cdn_frontdoor_endpoint" "e" {{
  name                = azurerm_cdn_frontdoor_endpoint.e.name
  profile_name        = azurerm_cdn_frontdoor_profile.p.name
  resource_group_name = azurerm_resource_group.rg.name
}}
data "azurerm_virtual_network_peering" "ab" {{
  name               = azurerm_virtual_network_peering.ab.name
  virtual_network_id = azurerm_virtual_network.a.id
}}
output "host" {{
  value = data.azurerm_cdn_frontdoor_endpoint.e.host_name == azurerm_cdn_frontdoor_endpoint.e.host_name
}}
output "remote" {{
  value = data.azurerm_virtual_network_peering.ab.remote_virtual_network_id
}}
output "profile" {{
  value = data.azurerm_cdn_frontdoor_endpoint.e.profile_name
}}
"#
    ));
    let (code, out, err) = n.run(&["output", "-json"]);
    assert_eq!(code, 0, "{err}");
    let outputs: J = serde_json::from_str(&out).unwrap();
    assert_eq!(outputs["host"]["value"], json!(true), "{out}");
    assert_eq!(outputs["profile"]["value"], json!("fd-data-args"), "{out}");
    assert!(
        outputs["remote"]["value"]
            .as_str()
            .is_some_and(|v| v.ends_with("/virtualNetworks/vnet-b")),
        "{out}"
    );
}

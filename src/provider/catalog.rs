//! What drinfra knows about resource types it does not manage: which
//! azurerm types exist (so "not supported yet" differs from "no such
//! type"), which were removed from azurerm and what replaced them, and
//! which provider a type belongs to.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use crate::config::model::Mode;

/// Every type azurerm documents (`R name` / `D name` lines).
const AZURERM_TYPES: &str = include_str!("azure/azurerm_types.txt");

/// Types azurerm removed: (mode, type, major version that removed it or
/// "" if the guides do not say, replacements). From the provider's 3.0
/// and 4.0 upgrade guides.
const REMOVED: &[(Mode, &str, &str, &[&str])] = &[
    (
        Mode::Managed,
        "azurerm_traffic_manager_endpoint",
        "3.0",
        &[
            "azurerm_traffic_manager_azure_endpoint",
            "azurerm_traffic_manager_external_endpoint",
            "azurerm_traffic_manager_nested_endpoint",
        ],
    ),
    // Its setting is the route's own `link_to_default_domain` since 4.0.
    (
        Mode::Managed,
        "azurerm_cdn_frontdoor_route_disable_link_to_default_domain",
        "4.0",
        &["azurerm_cdn_frontdoor_route"],
    ),
    (
        Mode::Managed,
        "azurerm_api_management_property",
        "3.0",
        &["azurerm_api_management_named_value"],
    ),
    (
        Mode::Managed,
        "azurerm_cost_management_export_resource_group",
        "3.0",
        &["azurerm_resource_group_cost_management_export"],
    ),
    (
        Mode::Managed,
        "azurerm_kusto_database_principal",
        "3.0",
        &["azurerm_kusto_database_principal_assignment"],
    ),
    // azurerm_packet_capture became azurerm_network_packet_capture in 3.0,
    // which 4.0 split by target.
    (
        Mode::Managed,
        "azurerm_packet_capture",
        "3.0",
        &[
            "azurerm_virtual_machine_packet_capture",
            "azurerm_virtual_machine_scale_set_packet_capture",
        ],
    ),
    (
        Mode::Managed,
        "azurerm_network_packet_capture",
        "4.0",
        &[
            "azurerm_virtual_machine_packet_capture",
            "azurerm_virtual_machine_scale_set_packet_capture",
        ],
    ),
    (
        Mode::Managed,
        "azurerm_policy_assignment",
        "3.0",
        &[
            "azurerm_management_group_policy_assignment",
            "azurerm_resource_policy_assignment",
            "azurerm_resource_group_policy_assignment",
            "azurerm_subscription_policy_assignment",
        ],
    ),
    (
        Mode::Managed,
        "azurerm_policy_remediation",
        "3.0",
        &[
            "azurerm_management_group_policy_remediation",
            "azurerm_resource_policy_remediation",
            "azurerm_resource_group_policy_remediation",
            "azurerm_subscription_policy_remediation",
        ],
    ),
    (
        Mode::Managed,
        "azurerm_security_center_assessment_metadata",
        "3.0",
        &["azurerm_security_center_assessment_policy"],
    ),
    (
        Mode::Managed,
        "azurerm_virtual_machine_configuration_policy_assignment",
        "3.0",
        &["azurerm_policy_virtual_machine_configuration_assignment"],
    ),
    (
        Mode::Managed,
        "azurerm_template_deployment",
        "",
        &[
            "azurerm_resource_group_template_deployment",
            "azurerm_subscription_template_deployment",
            "azurerm_management_group_template_deployment",
            "azurerm_tenant_template_deployment",
        ],
    ),
    (
        Mode::Managed,
        "azurerm_data_lake_store",
        "3.0",
        &["azurerm_storage_data_lake_gen2_filesystem"],
    ),
    (
        Mode::Managed,
        "azurerm_data_lake_store_file",
        "3.0",
        &["azurerm_storage_data_lake_gen2_filesystem"],
    ),
    (
        Mode::Managed,
        "azurerm_data_lake_store_firewall_rule",
        "3.0",
        &["azurerm_storage_data_lake_gen2_filesystem"],
    ),
    (
        Mode::Managed,
        "azurerm_data_lake_store_virtual_network_rule",
        "3.0",
        &["azurerm_storage_data_lake_gen2_filesystem"],
    ),
    (
        Mode::Managed,
        "azurerm_data_lake_analytics_account",
        "3.0",
        &["azurerm_storage_data_lake_gen2_filesystem"],
    ),
    (
        Mode::Managed,
        "azurerm_data_lake_analytics_firewall_rule",
        "3.0",
        &["azurerm_storage_data_lake_gen2_filesystem"],
    ),
    (
        Mode::Managed,
        "azurerm_data_share_dataset_data_lake_gen1",
        "3.0",
        &[],
    ),
    (Mode::Managed, "azurerm_devspace_controller", "3.0", &[]),
    (
        Mode::Managed,
        "azurerm_hdinsight_ml_services_cluster",
        "3.0",
        &[],
    ),
    (
        Mode::Managed,
        "azurerm_hdinsight_rserver_cluster",
        "3.0",
        &[],
    ),
    (Mode::Managed, "azurerm_hdinsight_storm_cluster", "3.0", &[]),
    (
        Mode::Managed,
        "azurerm_service_fabric_mesh_application",
        "3.0",
        &[],
    ),
    (
        Mode::Managed,
        "azurerm_service_fabric_mesh_local_network",
        "3.0",
        &[],
    ),
    (
        Mode::Managed,
        "azurerm_service_fabric_mesh_secret",
        "3.0",
        &[],
    ),
    (
        Mode::Managed,
        "azurerm_service_fabric_mesh_secret_value",
        "3.0",
        &[],
    ),
    (
        Mode::Managed,
        "azurerm_dashboard",
        "4.0",
        &["azurerm_portal_dashboard"],
    ),
    (
        Mode::Managed,
        "azurerm_security_center_server_vulnerability_assessment",
        "4.0",
        &["azurerm_security_center_server_vulnerability_assessment_virtual_machine"],
    ),
    (
        Mode::Managed,
        "azurerm_app_service",
        "4.0",
        &["azurerm_linux_web_app", "azurerm_windows_web_app"],
    ),
    (
        Mode::Managed,
        "azurerm_app_service_active_slot",
        "4.0",
        &[
            "azurerm_web_app_active_slot",
            "azurerm_function_app_active_slot",
        ],
    ),
    (
        Mode::Managed,
        "azurerm_app_service_plan",
        "4.0",
        &["azurerm_service_plan"],
    ),
    (
        Mode::Managed,
        "azurerm_app_service_hybrid_connection",
        "4.0",
        &[
            "azurerm_function_app_hybrid_connection",
            "azurerm_web_app_hybrid_connection",
        ],
    ),
    (
        Mode::Managed,
        "azurerm_app_service_slot",
        "4.0",
        &["azurerm_linux_web_app_slot", "azurerm_windows_web_app_slot"],
    ),
    (
        Mode::Managed,
        "azurerm_app_service_source_control_token",
        "4.0",
        &["azurerm_source_control_token"],
    ),
    (
        Mode::Managed,
        "azurerm_function_app",
        "4.0",
        &["azurerm_linux_function_app", "azurerm_windows_function_app"],
    ),
    (
        Mode::Managed,
        "azurerm_function_app_slot",
        "4.0",
        &[
            "azurerm_linux_function_app_slot",
            "azurerm_windows_function_app_slot",
        ],
    ),
    (
        Mode::Managed,
        "azurerm_sql_server",
        "4.0",
        &["azurerm_mssql_server"],
    ),
    (
        Mode::Managed,
        "azurerm_sql_database",
        "4.0",
        &["azurerm_mssql_database"],
    ),
    (
        Mode::Managed,
        "azurerm_sql_elasticpool",
        "4.0",
        &["azurerm_mssql_elasticpool"],
    ),
    (
        Mode::Managed,
        "azurerm_sql_firewall_rule",
        "4.0",
        &["azurerm_mssql_firewall_rule"],
    ),
    (
        Mode::Managed,
        "azurerm_sql_virtual_network_rule",
        "4.0",
        &["azurerm_mssql_virtual_network_rule"],
    ),
    (
        Mode::Managed,
        "azurerm_sql_failover_group",
        "4.0",
        &["azurerm_mssql_failover_group"],
    ),
    (
        Mode::Managed,
        "azurerm_sql_managed_instance",
        "4.0",
        &["azurerm_mssql_managed_instance"],
    ),
    (
        Mode::Managed,
        "azurerm_sql_active_directory_administrator",
        "4.0",
        &["azurerm_mssql_server"],
    ),
    (
        Mode::Data,
        "azurerm_app_service",
        "4.0",
        &["azurerm_linux_web_app", "azurerm_windows_web_app"],
    ),
    (
        Mode::Data,
        "azurerm_app_service_plan",
        "4.0",
        &["azurerm_service_plan"],
    ),
    (
        Mode::Data,
        "azurerm_function_app",
        "4.0",
        &["azurerm_linux_function_app", "azurerm_windows_function_app"],
    ),
    (
        Mode::Data,
        "azurerm_sql_server",
        "4.0",
        &["azurerm_mssql_server"],
    ),
    (
        Mode::Data,
        "azurerm_sql_database",
        "4.0",
        &["azurerm_mssql_database"],
    ),
    (Mode::Data, "azurerm_data_lake_store", "3.0", &[]),
    (
        Mode::Data,
        "azurerm_data_share_dataset_data_lake_gen1",
        "3.0",
        &[],
    ),
];

fn azurerm() -> &'static (BTreeSet<&'static str>, BTreeSet<&'static str>) {
    static SETS: OnceLock<(BTreeSet<&'static str>, BTreeSet<&'static str>)> = OnceLock::new();
    SETS.get_or_init(|| {
        let (mut r, mut d) = (BTreeSet::new(), BTreeSet::new());
        for line in AZURERM_TYPES.lines() {
            match line.split_once(' ') {
                Some(("R", t)) => {
                    r.insert(t);
                }
                Some(("D", t)) => {
                    d.insert(t);
                }
                _ => {}
            }
        }
        (r, d)
    })
}

/// Whether azurerm documents `ty` as a resource (Managed) or data source.
pub fn azurerm_has(mode: Mode, ty: &str) -> bool {
    let (r, d) = azurerm();
    if mode == Mode::Data {
        d.contains(ty)
    } else {
        r.contains(ty)
    }
}

/// Why drinfra cannot manage (or read) a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsupported {
    /// azurerm has it; drinfra does not implement it yet.
    NotYet,
    /// azurerm removed it in `version` ("" if unknown); use `replacements`.
    Removed {
        version: &'static str,
        replacements: &'static [&'static str],
    },
    /// azurerm has it in the other mode only (a data source, not a resource).
    OtherMode,
    /// azurerm has no type of that name.
    NoSuchAzurerm,
    /// It belongs to provider `provider` (its `source` when the
    /// configuration declares it in required_providers).
    OtherProvider {
        provider: String,
        source: Option<String>,
    },
}

/// Classifies a type drinfra does not handle; `declared` gives the
/// `source` of a provider local name from `required_providers`.
pub fn classify(mode: Mode, ty: &str, declared: &dyn Fn(&str) -> Option<String>) -> Unsupported {
    let provider = ty.split('_').next().unwrap_or(ty);
    if provider != "azurerm" {
        return Unsupported::OtherProvider {
            provider: provider.to_string(),
            source: declared(provider),
        };
    }
    if azurerm_has(mode, ty) {
        return Unsupported::NotYet;
    }
    if let Some((_, _, version, replacements)) =
        REMOVED.iter().find(|(m, t, ..)| *m == mode && *t == ty)
    {
        return Unsupported::Removed {
            version,
            replacements,
        };
    }
    let other = if mode == Mode::Data {
        Mode::Managed
    } else {
        Mode::Data
    };
    if azurerm_has(other, ty) {
        return Unsupported::OtherMode;
    }
    Unsupported::NoSuchAzurerm
}

/// Summary and detail for an unsupported type, Terraform-like where
/// Terraform has words for it.
pub fn describe(mode: Mode, ty: &str, why: &Unsupported) -> (String, String) {
    let kind = if mode == Mode::Data {
        "data source"
    } else {
        "resource type"
    };
    let list = |xs: &[&str]| {
        xs.iter()
            .map(|x| format!("{x:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match why {
        Unsupported::NotYet => (
            format!("Unsupported {kind}"),
            format!(
                "{ty:?} is an azurerm {kind}, but drinfra does not support it yet (the README lists the azurerm types drinfra manages). It is refused rather than ignored: manage it outside drinfra for now."
            ),
        ),
        Unsupported::Removed {
            version,
            replacements,
        } => {
            let when = if version.is_empty() {
                "azurerm removed it".to_string()
            } else {
                format!("azurerm {version} removed it")
            };
            let instead = match replacements.len() {
                0 => " and has no replacement for it.".to_string(),
                1 => format!("; use {} instead.", list(replacements)),
                _ => format!("; use one of {} instead.", list(replacements)),
            };
            (
                format!("Invalid {kind}"),
                format!(
                    "The provider hashicorp/azurerm does not support {kind} {ty:?}: {when} (see its upgrade guide){instead}"
                ),
            )
        }
        Unsupported::OtherMode => {
            let (has, not) = if mode == Mode::Data {
                ("a resource type", "data source")
            } else {
                ("a data source", "resource type")
            };
            (
                format!("Invalid {kind}"),
                format!(
                    "The provider hashicorp/azurerm has {has} named {ty:?}, but no {not} of that name. Did you intend to use the other block type (resource or data)?"
                ),
            )
        }
        Unsupported::NoSuchAzurerm => {
            let hint = suggestion(mode, ty)
                .map(|s| format!(" Did you mean {s:?}?"))
                .unwrap_or_default();
            (
                format!("Invalid {kind}"),
                format!("The provider hashicorp/azurerm does not support {kind} {ty:?}.{hint}"),
            )
        }
        Unsupported::OtherProvider { provider, .. } if provider == "azapi" => (
            format!("Unsupported {kind}"),
            format!(
                "{ty:?} is an azapi type drinfra does not handle: of azapi it supports the resources azapi_resource, azapi_update_resource and azapi_resource_action and the data source azapi_resource (see docs/azapi.md)."
            ),
        ),
        Unsupported::OtherProvider { provider, source } => {
            let whose = match source {
                Some(s) => {
                    format!("the provider {provider:?} ({s}, declared in required_providers)")
                }
                None if provider == "terraform" => "Terraform's built-in provider".to_string(),
                None => format!(
                    "a provider {provider:?}, which this configuration does not declare in required_providers"
                ),
            };
            let builtin = super::builtin::Family::ALL.into_iter().find(|f| {
                f.source().rsplit('/').next() == Some(provider.as_str())
                    && source
                        .as_deref()
                        .is_none_or(|s| f.source().ends_with(&s.to_lowercase()))
            });
            let detail = match builtin {
                Some(f) => format!(
                    "{ty:?} belongs to {whose}. drinfra carries {} natively, with these {kind}s only: {}.",
                    f.source().trim_start_matches("registry.terraform.io/"),
                    f.types(mode == Mode::Data).join(", ")
                ),
                None => format!(
                    "{ty:?} belongs to {whose}. drinfra has no such provider: it manages azurerm types, the built-in terraform_data resource, and the types of hashicorp/random, null, time, local and http, which it carries natively."
                ),
            };
            (format!("Unsupported {kind}"), detail)
        }
    }
}

/// The azurerm type closest to a misspelt one, as Terraform suggests
/// (edit distance under 3).
fn suggestion(mode: Mode, ty: &str) -> Option<&'static str> {
    let (r, d) = azurerm();
    let names = if mode == Mode::Data { d } else { r };
    names
        .iter()
        .map(|n| (distance(ty, n), *n))
        .filter(|(dist, _)| *dist < 3)
        .min()
        .map(|(_, n)| n)
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_types_are_gone_and_their_replacements_exist() {
        assert!(azurerm().0.len() > 1000 && azurerm().1.len() > 300);
        for (mode, ty, _, replacements) in REMOVED {
            assert!(!azurerm_has(*mode, ty), "{ty} is still documented");
            for r in *replacements {
                assert!(
                    azurerm_has(*mode, r),
                    "replacement {r} of {ty} does not exist"
                );
            }
        }
    }

    #[test]
    fn classification() {
        let none = |_: &str| None;
        assert_eq!(
            classify(Mode::Managed, "azurerm_virtual_network", &none),
            Unsupported::NotYet
        );
        assert!(matches!(
            classify(Mode::Managed, "azurerm_traffic_manager_endpoint", &none),
            Unsupported::Removed { version: "3.0", .. }
        ));
        // Was "no such azurerm type", with no reason (regression).
        assert!(matches!(
            classify(
                Mode::Managed,
                "azurerm_cdn_frontdoor_route_disable_link_to_default_domain",
                &none
            ),
            Unsupported::Removed { version: "4.0", .. }
        ));
        assert_eq!(
            classify(Mode::Managed, "azurerm_client_config", &none),
            Unsupported::OtherMode
        );
        assert_eq!(
            classify(Mode::Managed, "azurerm_nonsense", &none),
            Unsupported::NoSuchAzurerm
        );
        let (_, detail) = describe(
            Mode::Managed,
            "azurerm_resource_grup",
            &classify(Mode::Managed, "azurerm_resource_grup", &none),
        );
        assert!(
            detail.ends_with("Did you mean \"azurerm_resource_group\"?"),
            "{detail}"
        );
        let (_, detail) = describe(
            Mode::Managed,
            "azurerm_nonsense",
            &Unsupported::NoSuchAzurerm,
        );
        assert!(!detail.contains("Did you mean"), "{detail}");
        let random = |p: &str| (p == "random").then(|| "hashicorp/random".to_string());
        assert_eq!(
            classify(Mode::Managed, "random_pet", &random),
            Unsupported::OtherProvider {
                provider: "random".into(),
                source: Some("hashicorp/random".into())
            }
        );
    }
}

//! Arguments azurerm itself removed in an earlier major version, which
//! older examples still carry: refused with what azurerm 4 has instead,
//! rather than as an argument drinfra has yet to support.

use crate::provider::ArgProblem;

/// (type, argument, azurerm release that removed it, what replaces it).
const REMOVED: &[(&str, &str, &str, &str)] = &[
    (
        "azurerm_kubernetes_cluster",
        "agent_pool_profile",
        "2.0",
        "declare the first pool as `default_node_pool` and others as `azurerm_kubernetes_cluster_node_pool` resources",
    ),
    (
        "azurerm_kubernetes_cluster",
        "addon_profile",
        "3.0",
        "each add-on is now a top-level block or argument (`oms_agent`, `azure_policy_enabled`, `http_application_routing_enabled`, `aci_connector_linux`, `key_vault_secrets_provider`, ...); `kube_dashboard` is gone",
    ),
    (
        "azurerm_kubernetes_cluster",
        "role_based_access_control",
        "3.0",
        "use `role_based_access_control_enabled` and the `azure_active_directory_role_based_access_control` block",
    ),
    (
        "azurerm_cdn_frontdoor_custom_domain",
        "associate_with_cdn_frontdoor_route_id",
        "3.27",
        "associate the domain with its routes through an `azurerm_cdn_frontdoor_custom_domain_association` resource (and list it in each route's `cdn_frontdoor_custom_domain_ids`)",
    ),
    (
        "azurerm_subnet",
        "address_prefix",
        "3.0",
        "use `address_prefixes`, a list",
    ),
];

/// Rewrites the "Unsupported argument" problems that name an argument
/// azurerm removed, saying so.
pub(super) fn explain(ty: &str, problems: &mut [ArgProblem]) {
    for p in problems.iter_mut() {
        let Some(arg) = p.argument.as_deref() else {
            continue;
        };
        if let Some((_, name, version, instead)) =
            REMOVED.iter().find(|(t, a, _, _)| *t == ty && *a == arg)
            && p.summary == "Unsupported argument"
        {
            p.detail = format!(
                "azurerm removed {name:?} in {version}, so azurerm 4 refuses it too: {instead}."
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unsupported(arg: &str) -> ArgProblem {
        ArgProblem {
            argument: Some(arg.into()),
            summary: "Unsupported argument".into(),
            detail: "drinfra does not support it".into(),
        }
    }

    #[test]
    fn a_removed_argument_says_when_azurerm_removed_it() {
        let mut ps = vec![unsupported("addon_profile"), unsupported("no_such")];
        explain("azurerm_kubernetes_cluster", &mut ps);
        assert!(
            ps[0]
                .detail
                .contains("azurerm removed \"addon_profile\" in 3.0")
        );
        assert!(ps[0].detail.contains("oms_agent"));
        assert_eq!(ps[1].detail, "drinfra does not support it");
        // azurerm's older Front Door examples (3.x before 3.27).
        let mut fd = vec![unsupported("associate_with_cdn_frontdoor_route_id")];
        explain("azurerm_cdn_frontdoor_custom_domain", &mut fd);
        assert!(fd[0].detail.contains("in 3.27"), "{}", fd[0].detail);
        assert!(
            fd[0]
                .detail
                .contains("azurerm_cdn_frontdoor_custom_domain_association")
        );
        let mut other = vec![unsupported("addon_profile")];
        explain("azurerm_kubernetes_cluster_node_pool", &mut other);
        assert_eq!(other[0].detail, "drinfra does not support it");
    }
}

//! Microsoft.Insights diagnostic settings: an extension resource on the
//! resource whose logs and metrics it sends
//! (`{resource}/providers/Microsoft.Insights/diagnosticSettings/{name}`).
//! Synchronous. Azure's rules kept: the target's type supports diagnostic
//! settings and each category or category group named is one it has; at
//! least one destination, each existing; at most five settings on a
//! resource; a destination is not used by two settings of one resource
//! for the same category.

use serde_json::{Value as J, json};

use super::*;

const VERSIONS: &[&str] = &["2021-05-01-preview", "2017-05-01-preview", "2016-09-01"];
pub(super) const TYPE: &str = "Microsoft.Insights/diagnosticSettings";

/// What a target type offers: (type, log categories, category groups,
/// metric categories).
type Categories = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

const ALL: &[&str] = &["allLogs"];
const AUDIT: &[&str] = &["allLogs", "audit"];
const METRICS: &[&str] = &["AllMetrics"];

const TARGETS: &[Categories] = &[
    (
        "Microsoft.KeyVault/vaults",
        &["AuditEvent", "AzurePolicyEvaluationDetails"],
        AUDIT,
        METRICS,
    ),
    (
        "Microsoft.ContainerService/managedClusters",
        &[
            "kube-apiserver",
            "kube-audit",
            "kube-audit-admin",
            "kube-controller-manager",
            "kube-scheduler",
            "cluster-autoscaler",
            "cloud-controller-manager",
            "guard",
            "csi-azuredisk-controller",
            "csi-azurefile-controller",
            "csi-snapshot-controller",
        ],
        AUDIT,
        METRICS,
    ),
    (
        "Microsoft.DBforPostgreSQL/flexibleServers",
        &[
            "PostgreSQLLogs",
            "PostgreSQLFlexSessions",
            "PostgreSQLFlexQueryStoreRuntime",
            "PostgreSQLFlexQueryStoreWaitStats",
            "PostgreSQLFlexTableStats",
            "PostgreSQLFlexDatabaseXacts",
        ],
        AUDIT,
        METRICS,
    ),
    (
        "Microsoft.Cache/redis",
        &["ConnectedClientList", "MSEntraAuthenticationAuditLog"],
        AUDIT,
        METRICS,
    ),
    (
        "Microsoft.Cdn/profiles",
        &[
            "FrontDoorAccessLog",
            "FrontDoorHealthProbeLog",
            "FrontDoorWebApplicationFirewallLog",
        ],
        ALL,
        METRICS,
    ),
    // The account itself has metrics only; its services have the logs.
    (
        "Microsoft.Storage/storageAccounts",
        &[],
        &[],
        &["Transaction"],
    ),
    (
        "Microsoft.Storage/storageAccounts/blobServices",
        &["StorageRead", "StorageWrite", "StorageDelete"],
        AUDIT,
        &["Transaction"],
    ),
    (
        "Microsoft.OperationalInsights/workspaces",
        &["Audit", "SummaryLogs"],
        AUDIT,
        METRICS,
    ),
    (
        "Microsoft.Network/networkSecurityGroups",
        &[
            "NetworkSecurityGroupEvent",
            "NetworkSecurityGroupRuleCounter",
        ],
        ALL,
        &[],
    ),
    (
        "Microsoft.Network/publicIPAddresses",
        &[
            "DDoSProtectionNotifications",
            "DDoSMitigationFlowLogs",
            "DDoSMitigationReports",
        ],
        ALL,
        METRICS,
    ),
    (
        "Microsoft.Network/virtualNetworks",
        &["VMProtectionAlerts"],
        ALL,
        METRICS,
    ),
    (
        "Microsoft.Network/trafficManagerProfiles",
        &["ProbeHealthStatusEvents"],
        ALL,
        METRICS,
    ),
];

/// The categories of a target type, for the reference page and checks.
fn categories(ty: &str) -> Option<&'static Categories> {
    TARGETS.iter().find(|c| c.0.eq_ignore_ascii_case(ty))
}

/// 1-260 characters, none of `<>*%&:\?+/`.
fn setting_name(n: &str) -> Result<(), InvalidName> {
    let bad = |c: char| "<>*%&:\\?+/".contains(c) || c.is_control();
    if n.is_empty() || n.chars().count() > 260 || n.chars().any(bad) {
        return Err(InvalidName(format!(
            "The diagnostic setting name '{n}' is not valid: use 1-260 characters, none of <>*%&:\\?+/."
        )));
    }
    Ok(())
}

fn bad(msg: impl Into<String>) -> ArmError {
    ArmError::bad_request("BadRequest", msg)
}

/// The enabled entries of `properties.{key}`: (category or group, group?).
fn enabled(body: &J, key: &str) -> Vec<(String, bool)> {
    prop(body, &[key])
        .and_then(J::as_array)
        .map(|xs| {
            xs.iter()
                .filter(|x| x["enabled"].as_bool() != Some(false))
                .filter_map(
                    |x| match (x["category"].as_str(), x["categoryGroup"].as_str()) {
                        (Some(c), _) => Some((c.to_string(), false)),
                        (None, Some(g)) => Some((g.to_string(), true)),
                        _ => None,
                    },
                )
                .collect()
        })
        .unwrap_or_default()
}

const SINKS: &[(&str, &str)] = &[
    ("workspaceId", "Microsoft.OperationalInsights/workspaces"),
    ("storageAccountId", "Microsoft.Storage/storageAccounts"),
    ("eventHubAuthorizationRuleId", ""),
    ("marketplacePartnerId", ""),
];

fn check(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let Some(target) = ctx.path.scope.clone() else {
        return Err(bad(
            "A diagnostic setting is written under the resource it belongs to: {resourceId}/providers/Microsoft.Insights/diagnosticSettings/{name}.",
        ));
    };
    let row = ctx.get(&target)?.ok_or_else(|| {
        ArmError::not_found(
            "ResourceNotFound",
            format!("The Resource '{target}' was not found."),
        )
    })?;
    let Some((_, logs, groups, metrics)) = categories(&row.ty) else {
        return Err(bad(format!(
            "The resource type '{}' does not support diagnostic settings in the emulator.",
            row.ty
        )));
    };
    // Categories the target offers.
    let wanted_logs = enabled(body, "logs");
    for (c, group) in &wanted_logs {
        let known = if *group { *groups } else { *logs };
        if !known.iter().any(|k| k.eq_ignore_ascii_case(c)) {
            return Err(bad(if *group {
                format!("Category group '{c}' is not supported.")
            } else {
                format!("Category '{c}' is not supported.")
            }));
        }
    }
    let wanted_metrics = enabled(body, "metrics");
    for (c, _) in &wanted_metrics {
        if !metrics.iter().any(|k| k.eq_ignore_ascii_case(c)) {
            return Err(bad(format!("Category '{c}' is not supported.")));
        }
    }
    // Destinations: at least one, each existing.
    let sinks: Vec<(&str, String)> = SINKS
        .iter()
        .filter_map(|(k, _)| str_prop(body, &[k]).map(|v| (*k, v.to_string())))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if sinks.is_empty() {
        return Err(bad(
            "At least one destination (a Log Analytics workspace, a storage account, an event hub or a partner solution) must be specified.",
        ));
    }
    for (k, id) in &sinks {
        let ty = SINKS.iter().find(|(s, _)| s == k).map(|(_, t)| *t);
        if let Some(ty) = ty.filter(|t| !t.is_empty()) {
            let found = ctx.get(id)?.is_some_and(|r| r.ty.eq_ignore_ascii_case(ty));
            if !found {
                return Err(ArmError::not_found(
                    "ResourceNotFound",
                    format!("The destination '{id}' ({ty}) was not found."),
                )
                .with_target(&format!("properties.{k}")));
            }
        }
    }
    // The other settings of the same resource.
    let me = ctx.path.id().to_lowercase();
    let others: Vec<Row> = ctx
        .store
        .children(TYPE, &target)
        .map_err(internal)?
        .into_iter()
        .filter(|r| r.id.to_lowercase() != me)
        .collect();
    if ctx.existing.is_none() && others.len() >= 5 {
        return Err(bad(format!(
            "The resource '{target}' already has 5 diagnostic settings, the most it can have."
        )));
    }
    let wanted: Vec<&String> = wanted_logs
        .iter()
        .chain(&wanted_metrics)
        .map(|(c, _)| c)
        .collect();
    for other in &others {
        let theirs: Vec<(String, bool)> = enabled(&other.body, "logs")
            .into_iter()
            .chain(enabled(&other.body, "metrics"))
            .collect();
        for (k, id) in &sinks {
            if str_prop(&other.body, &[k]).is_none_or(|o| !o.eq_ignore_ascii_case(id)) {
                continue;
            }
            if let Some((c, _)) = theirs
                .iter()
                .find(|(c, _)| wanted.iter().any(|w| w.eq_ignore_ascii_case(c)))
            {
                let name = other.id.rsplit('/').next().unwrap_or_default();
                return Err(ArmError::conflict(
                    "Conflict",
                    format!(
                        "Data sink '{id}' is already used in diagnostic setting '{name}' for category '{c}'. Data sinks can't be reused in different settings on the same category for the same resource."
                    ),
                ));
            }
        }
    }
    let p = props(body);
    for k in ["logs", "metrics"] {
        p.entry(k).or_insert(json!([]));
    }
    if let Some(m) = body.as_object_mut() {
        m.remove("location");
    }
    Ok(Write::body(body.clone()))
}

pub fn specs() -> Vec<Spec> {
    vec![Spec::plain(TYPE, VERSIONS, setting_name, check)]
}

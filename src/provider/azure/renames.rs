//! azurerm 3.x argument names that still fill real configurations, and
//! their 4.x names (azurerm's 4.0 upgrade guide, and the 3.x deprecations
//! 4.0 removed). A 3.x name is accepted with a warning naming the 4.x
//! one; writing both is an error.

use super::typedef::Attrs;
use crate::lang::Value;
use crate::provider::ArgProblem;

/// (type, 3.x path, 4.x path): `a` or `block.a`.
const RENAMES: &[(&str, &str, &str)] = &[
    (
        "azurerm_kubernetes_cluster",
        "automatic_channel_upgrade",
        "automatic_upgrade_channel",
    ),
    (
        "azurerm_kubernetes_cluster",
        "node_os_channel_upgrade",
        "node_os_upgrade_channel",
    ),
    (
        "azurerm_kubernetes_cluster",
        "default_node_pool.enable_auto_scaling",
        "default_node_pool.auto_scaling_enabled",
    ),
    (
        "azurerm_kubernetes_cluster",
        "default_node_pool.enable_node_public_ip",
        "default_node_pool.node_public_ip_enabled",
    ),
    (
        "azurerm_kubernetes_cluster",
        "default_node_pool.enable_host_encryption",
        "default_node_pool.host_encryption_enabled",
    ),
    (
        "azurerm_kubernetes_cluster",
        "api_server_authorized_ip_ranges",
        "api_server_access_profile.authorized_ip_ranges",
    ),
    (
        "azurerm_kubernetes_cluster",
        "network_profile.ebpf_data_plane",
        "network_profile.network_data_plane",
    ),
    (
        "azurerm_kubernetes_cluster_node_pool",
        "enable_auto_scaling",
        "auto_scaling_enabled",
    ),
    (
        "azurerm_kubernetes_cluster_node_pool",
        "enable_node_public_ip",
        "node_public_ip_enabled",
    ),
    (
        "azurerm_kubernetes_cluster_node_pool",
        "enable_host_encryption",
        "host_encryption_enabled",
    ),
    (
        "azurerm_redis_cache",
        "enable_non_ssl_port",
        "non_ssl_port_enabled",
    ),
    (
        "azurerm_redis_cache",
        "redis_configuration.enable_authentication",
        "redis_configuration.authentication_enabled",
    ),
    (
        "azurerm_storage_account",
        "enable_https_traffic_only",
        "https_traffic_only_enabled",
    ),
    (
        "azurerm_cdn_frontdoor_origin",
        "health_probes_enabled",
        "enabled",
    ),
];

/// A 3.x name found in a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renamed {
    pub old: &'static str,
    pub new: &'static str,
    /// Both names are written: an error.
    pub both: bool,
}

fn split(path: &str) -> (Option<&str>, &str) {
    match path.split_once('.') {
        Some((b, a)) => (Some(b), a),
        None => (None, path),
    }
}

/// The first block of `block` in `cfg` (or `cfg` itself), mutable.
fn scope<'a>(cfg: &'a mut Attrs, block: Option<&str>, create: bool) -> Option<&'a mut Attrs> {
    let Some(b) = block else { return Some(cfg) };
    if create
        && cfg
            .get(b)
            .is_none_or(|v| v.as_seq().is_none_or(|s| s.is_empty()))
    {
        cfg.insert(
            b.to_string(),
            Value::List(vec![Value::Object(Attrs::new())]),
        );
    }
    match cfg.get_mut(b)? {
        Value::List(xs) | Value::Tuple(xs) => match xs.first_mut()? {
            Value::Object(m) | Value::Map(m) => Some(m),
            _ => None,
        },
        _ => None,
    }
}

fn set(cfg: &Attrs, path: &str) -> bool {
    let (block, name) = split(path);
    let m = match block {
        None => Some(cfg),
        Some(b) => cfg
            .get(b)
            .and_then(|v| v.as_seq())
            .and_then(|s| s.first())
            .and_then(|x| x.as_mapping()),
    };
    m.and_then(|m| m.get(name)).is_some_and(|v| !v.is_null())
}

/// Moves every 3.x name in `cfg` to its 4.x place (unless both are
/// written), and says what it found.
pub fn apply(ty: &str, cfg: &mut Attrs) -> Vec<Renamed> {
    let mut out = vec![];
    for (t, old, new) in RENAMES {
        if *t != ty || !set(cfg, old) {
            continue;
        }
        let both = set(cfg, new);
        // The old name goes either way (when both are written the
        // conflict is the one error, not also an unsupported argument).
        let (ob, oname) = split(old);
        let v = scope(cfg, ob, false).and_then(|m| m.remove(oname));
        let (nb, nname) = split(new);
        if let (false, Some(v), Some(m)) = (both, v, scope(cfg, nb, true)) {
            m.insert(nname.to_string(), v);
        }
        out.push(Renamed { old, new, both });
    }
    out
}

/// The errors for 3.x names written beside their 4.x names.
pub fn conflicts(found: &[Renamed]) -> Vec<ArgProblem> {
    found
        .iter()
        .filter(|r| r.both)
        .map(|r| ArgProblem {
            argument: Some(r.old.to_string()),
            summary: "Conflicting configuration arguments".into(),
            detail: format!(
                "{:?} is azurerm 3.x's name for {:?}, which is also set: keep only {:?}.",
                r.old, r.new, r.new
            ),
        })
        .collect()
}

/// The warnings for 3.x names used alone (each at the 3.x name).
pub fn warnings(ty: &str, config: &Value) -> Vec<ArgProblem> {
    let mut cfg = config.unmark().0.as_mapping().cloned().unwrap_or_default();
    apply(ty, &mut cfg)
        .into_iter()
        .filter(|r| !r.both)
        .map(|r| ArgProblem {
            argument: Some(r.old.to_string()),
            summary: "Argument renamed in azurerm 4.0".into(),
            detail: format!(
                "{:?} is azurerm 3.x's name: drinfra reads it as {:?}, its azurerm 4.x name. Rename it; azurerm 4.x itself no longer accepts the old name.",
                r.old, r.new
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Attrs {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn a_3x_name_moves_to_its_4x_place_even_into_a_block() {
        let mut cfg = obj(&[
            ("enable_auto_scaling", Value::Bool(true)),
            ("min_count", Value::Number(2.0)),
        ]);
        let found = apply("azurerm_kubernetes_cluster_node_pool", &mut cfg);
        assert_eq!(found.len(), 1);
        assert!(!found[0].both);
        assert_eq!(cfg.get("auto_scaling_enabled"), Some(&Value::Bool(true)));
        assert!(!cfg.contains_key("enable_auto_scaling"));

        let ranges = Value::List(vec![Value::String("10.0.0.0/8".into())]);
        let mut aks = obj(&[("api_server_authorized_ip_ranges", ranges.clone())]);
        apply("azurerm_kubernetes_cluster", &mut aks);
        let block = aks["api_server_access_profile"].as_seq().unwrap()[0]
            .as_mapping()
            .unwrap()
            .clone();
        assert_eq!(block.get("authorized_ip_ranges"), Some(&ranges));
    }

    #[test]
    fn both_names_are_a_conflict_and_nothing_moves() {
        let pool = Value::List(vec![Value::Object(obj(&[
            ("enable_auto_scaling", Value::Bool(true)),
            ("auto_scaling_enabled", Value::Bool(false)),
        ]))]);
        let mut cfg = obj(&[("default_node_pool", pool)]);
        let found = apply("azurerm_kubernetes_cluster", &mut cfg);
        assert!(found[0].both);
        let problems = conflicts(&found);
        assert_eq!(
            problems[0].argument.as_deref(),
            Some("default_node_pool.enable_auto_scaling")
        );
    }
}

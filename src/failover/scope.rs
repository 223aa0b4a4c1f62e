//! What a failover moves: everything, traffic alone, data alone, or named
//! components, and the way back (failback stages) from whatever moved.

use super::view::{ComponentView, GroupView};
use crate::config::model::FailoverGroup;

/// The pseudo-component for a group's storage accounts, which fail over
/// through their own action rather than through the configuration.
pub const STORAGE: &str = "storage";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Data, capacity, storage and traffic.
    Full,
    /// Front Door, Traffic Manager and DNS alone.
    Traffic,
    /// Everything but traffic.
    Data,
    /// Named components (declared in the group, or `storage`).
    Components(Vec<String>),
}

/// Why an `--only` list is not a failover scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("--only needs traffic, data or component names")]
    Empty,
    #[error("--only {0} cannot be combined with other names; run it as its own failover")]
    NotAlone(String),
    /// `known` lists what `--only` takes besides traffic and data.
    #[error("{name:?} is not a component of group {group:?}; --only takes traffic, data{}", known.iter().map(|k| format!(", {k}")).collect::<String>())]
    Unknown {
        name: String,
        group: String,
        known: Vec<String>,
    },
}

impl Scope {
    /// Reads `--only`: `traffic`, `data`, or a comma-separated list of the
    /// group's components.
    pub fn parse(only: Option<&str>, group: &FailoverGroup) -> Result<Scope, ScopeError> {
        let Some(only) = only else {
            return Ok(Scope::Full);
        };
        let names: Vec<&str> = only
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        match names.as_slice() {
            ["traffic"] => return Ok(Scope::Traffic),
            ["data"] => return Ok(Scope::Data),
            [] => return Err(ScopeError::Empty),
            _ => {}
        }
        let mut known: Vec<String> = group.components.clone();
        if !group.storage_accounts.is_empty() {
            known.push(STORAGE.into());
        }
        let mut out = Vec::new();
        for n in names {
            if n == "traffic" || n == "data" {
                return Err(ScopeError::NotAlone(n.to_string()));
            }
            if !known.iter().any(|k| k == n) {
                return Err(ScopeError::Unknown {
                    name: n.to_string(),
                    group: group.name.clone(),
                    known,
                });
            }
            if !out.iter().any(|o: &String| o == n) {
                out.push(n.to_string());
            }
        }
        Ok(Scope::Components(out))
    }

    pub fn moves_storage(&self) -> bool {
        match self {
            Scope::Full | Scope::Data => true,
            Scope::Traffic => false,
            Scope::Components(cs) => cs.iter().any(|c| c == STORAGE),
        }
    }

    /// The group after failing this scope over to `to`.
    pub fn target(&self, now: &GroupView, to: &str) -> GroupView {
        match self {
            // Already active there: nothing moves but traffic (promoting
            // "again" would only stop replication).
            Scope::Full if now.active == to => GroupView {
                traffic: to.into(),
                ..now.clone()
            },
            Scope::Data if now.active == to => now.clone(),
            Scope::Full => GroupView {
                active: to.into(),
                replicating: false,
                traffic: to.into(),
                components: Default::default(),
            },
            Scope::Data => GroupView {
                active: to.into(),
                replicating: false,
                traffic: now.traffic.clone(),
                components: Default::default(),
            },
            Scope::Traffic => GroupView {
                traffic: to.into(),
                ..now.clone()
            },
            Scope::Components(cs) => {
                let mut t = now.clone();
                // A component already on `to` stays as it is (moving it
                // "again" would stop its replication for nothing).
                for c in cs.iter().filter(|c| now.component(c).active != to) {
                    t.components.insert(
                        c.clone(),
                        ComponentView {
                            active: to.into(),
                            replicating: false,
                        },
                    );
                }
                t.normalized()
            }
        }
    }

    /// What stays where it is, by name, for the plan's words: the group's
    /// components (and `storage`, `traffic`) this scope leaves behind.
    pub fn staying(&self, group: &FailoverGroup) -> Vec<String> {
        let mut all: Vec<String> = group.components.clone();
        if !group.storage_accounts.is_empty() {
            all.push(STORAGE.into());
        }
        all.push("traffic".into());
        match self {
            Scope::Full => vec![],
            Scope::Traffic => all.into_iter().filter(|c| c != "traffic").collect(),
            Scope::Data => vec!["traffic".into()],
            Scope::Components(cs) => all.into_iter().filter(|c| !cs.contains(c)).collect(),
        }
    }
}

/// One stage of a failback: a title and the group view it plans toward.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub title: String,
    pub view: GroupView,
    /// Whether the storage accounts of `home` come back in this stage.
    pub storage_home: bool,
    /// The swap itself: the only stage users can notice, so the only one
    /// a failback's RTO counts (the re-seeds run while the service is up).
    pub swap: bool,
}

/// The way back, in three ordered stages (re-seed home from away, swap
/// back once replication has caught up, re-seed away from home), for
/// whatever moved: the whole group, or only the components and traffic
/// that a scoped failover moved while the group stayed put.
/// `declared`: the active site the configuration names.
pub fn failback(group: &FailoverGroup, now: &GroupView) -> Option<(String, Vec<Stage>)> {
    let declared = &group.active;
    let scoped =
        now.active == *declared && (!now.components.is_empty() || now.traffic != now.active);
    if !scoped {
        // The whole group: back to the configured site, or (if the
        // configuration was updated after the failover) to the other one.
        let home = if *declared != now.active {
            declared.clone()
        } else {
            group.sites.iter().find(|s| **s != now.active)?.clone()
        };
        let away = now.active.clone();
        let stages = vec![
            // Traffic stays where it is until the swap (after a data-only
            // failover it never left home).
            Stage {
                title: format!("1/3 re-seed {home} from {away}"),
                view: GroupView {
                    active: away.clone(),
                    replicating: true,
                    traffic: now.traffic.clone(),
                    components: Default::default(),
                },
                storage_home: false,
                swap: false,
            },
            Stage {
                title: format!("2/3 swap back to {home} (planned: waits for replication)"),
                view: GroupView {
                    active: home.clone(),
                    replicating: false,
                    traffic: home.clone(),
                    components: Default::default(),
                },
                storage_home: true,
                swap: true,
            },
            Stage {
                title: format!("3/3 re-seed {away} from {home}"),
                view: GroupView::declared(&home),
                storage_home: false,
                swap: false,
            },
        ];
        return Some((home, stages));
    }
    let home = now.active.clone();
    let moved: Vec<(&String, &ComponentView)> = now
        .components
        .iter()
        .filter(|(_, c)| c.active != home)
        .collect();
    let names = moved
        .iter()
        .map(|(k, _)| k.as_str())
        .chain((now.traffic != home).then_some("traffic"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut reseed = now.clone();
    let mut swap = now.clone();
    for (k, c) in &moved {
        reseed.components.insert(
            (*k).clone(),
            ComponentView {
                active: c.active.clone(),
                replicating: true,
            },
        );
        swap.components.insert(
            (*k).clone(),
            ComponentView {
                active: home.clone(),
                replicating: false,
            },
        );
    }
    swap.traffic = home.clone();
    let restored = GroupView {
        components: Default::default(),
        ..swap.clone()
    };
    let storage_home = moved.iter().any(|(k, _)| *k == STORAGE);
    Some((
        home.clone(),
        vec![
            Stage {
                title: format!("1/3 re-seed {home}'s {names}"),
                view: reseed,
                storage_home: false,
                swap: false,
            },
            Stage {
                title: format!("2/3 swap {names} back to {home} (planned: waits for replication)"),
                view: swap,
                storage_home,
                swap: true,
            },
            Stage {
                title: format!("3/3 restore replication from {home}"),
                view: restored.normalized(),
                storage_home: false,
                swap: false,
            },
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn group() -> FailoverGroup {
        FailoverGroup {
            name: "platform".into(),
            span: crate::diag::Span::new(crate::diag::FileId(0), 0..0),
            sites: vec!["eastus".into(), "westeurope".into()],
            active: "eastus".into(),
            active_span: crate::diag::Span::new(crate::diag::FileId(0), 0..0),
            description: None,
            storage_accounts: BTreeMap::from([(
                "eastus".to_string(),
                vec!["module.eastus.azurerm_storage_account.data".to_string()],
            )]),
            storage_accounts_span: None,
            components: vec!["database".into(), "cache".into(), "capacity".into()],
            rto: None,
            rpo: None,
            objectives: vec![],
        }
    }

    #[test]
    fn only_takes_declared_components_and_storage() {
        let g = group();
        assert_eq!(Scope::parse(None, &g), Ok(Scope::Full));
        assert_eq!(Scope::parse(Some("traffic"), &g), Ok(Scope::Traffic));
        assert_eq!(
            Scope::parse(Some("database, storage,database"), &g),
            Ok(Scope::Components(vec!["database".into(), "storage".into()]))
        );
        let e = Scope::parse(Some("dtabase"), &g).unwrap_err().to_string();
        assert!(
            e.contains("\"dtabase\" is not a component")
                && e.contains("database, cache, capacity, storage"),
            "{e}"
        );
        assert!(
            Scope::parse(Some("traffic,database"), &g)
                .unwrap_err()
                .to_string()
                .contains("cannot be combined")
        );
    }

    #[test]
    fn a_component_failover_moves_that_component_alone() {
        let g = group();
        let now = GroupView::declared("eastus");
        let scope = Scope::parse(Some("database"), &g).unwrap();
        let t = scope.target(&now, "westeurope");
        assert_eq!(
            (t.active.as_str(), t.traffic.as_str(), t.replicating),
            ("eastus", "eastus", true)
        );
        assert_eq!(
            t.component("database"),
            ComponentView {
                active: "westeurope".into(),
                replicating: false
            }
        );
        assert_eq!(
            t.component("cache"),
            ComponentView {
                active: "eastus".into(),
                replicating: true
            }
        );
        assert_eq!(
            scope.staying(&g),
            vec!["cache", "capacity", "storage", "traffic"]
        );
        assert!(!scope.moves_storage());
        // Failing it over to where it already is changes nothing.
        assert_eq!(scope.target(&now, "eastus"), now);
        assert_eq!(scope.target(&t, "westeurope"), t);
        // A full failover afterwards takes the rest and forgets the split.
        let full = Scope::Full.target(&t, "westeurope");
        assert!(full.components.is_empty() && full.active == "westeurope");
    }

    #[test]
    fn failing_over_to_the_active_site_moves_nothing_but_traffic() {
        let now = GroupView::declared("eastus");
        assert_eq!(Scope::Full.target(&now, "eastus"), now);
        assert_eq!(Scope::Data.target(&now, "eastus"), now);
        let traffic_away = Scope::Traffic.target(&now, "westeurope");
        assert_eq!(
            Scope::Full.target(&traffic_away, "eastus"),
            now,
            "traffic comes back, nothing else changes"
        );
    }

    #[test]
    fn failback_of_a_component_reseeds_and_swaps_only_that_component() {
        let g = group();
        let now = Scope::Components(vec!["database".into()])
            .target(&GroupView::declared("eastus"), "westeurope");
        let (home, stages) = failback(&g, &now).unwrap();
        assert_eq!(home, "eastus");
        assert_eq!(
            stages[0].view.component("database"),
            ComponentView {
                active: "westeurope".into(),
                replicating: true
            }
        );
        assert_eq!(stages[0].view.component("cache").active, "eastus");
        assert_eq!(
            stages[1].view.component("database"),
            ComponentView {
                active: "eastus".into(),
                replicating: false
            }
        );
        assert_eq!(stages[2].view, GroupView::declared("eastus"));
        assert!(stages[1].title.contains("database"), "{}", stages[1].title);
    }

    #[test]
    fn failback_of_a_whole_group_goes_to_the_configured_site() {
        let g = group();
        let now = Scope::Full.target(&GroupView::declared("eastus"), "westeurope");
        let (home, stages) = failback(&g, &now).unwrap();
        assert_eq!(home, "eastus");
        assert_eq!(stages[0].view.active, "westeurope");
        assert!(stages[0].view.replicating);
        assert_eq!(stages[2].view, GroupView::declared("eastus"));
        assert!(stages[1].storage_home);
        // Data-only: traffic never left, so failback does not move it away.
        let data_only = Scope::Data.target(&GroupView::declared("eastus"), "westeurope");
        let (_, stages) = failback(&g, &data_only).unwrap();
        assert!(
            stages.iter().all(|s| s.view.traffic == "eastus"),
            "{stages:?}"
        );
        // Traffic-only: traffic comes home, nothing is re-seeded.
        let now = Scope::Traffic.target(&GroupView::declared("eastus"), "westeurope");
        let (home, stages) = failback(&g, &now).unwrap();
        assert_eq!(home, "eastus");
        assert_eq!(stages[0].view, now);
        assert_eq!(stages[1].view, GroupView::declared("eastus"));
    }
}

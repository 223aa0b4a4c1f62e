//! How a failover group stands (its view), and the plain placement the
//! evaluator and plans carry for `failover_group.NAME`.

use std::collections::BTreeMap;

use crate::config::evaluate::{ComponentPlacement, GroupPlacement};

/// Where a failover group stands: its active site, whether the standby
/// replicates, where traffic goes, and components standing apart.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroupView {
    pub active: String,
    /// Whether the standby replicates from the active site.
    pub replicating: bool,
    /// Where traffic goes (differs from `active` after a traffic-only failover).
    pub traffic: String,
    /// Components standing apart from the group after a failover scoped to
    /// them (`--only database`); the others follow `active`/`replicating`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub components: BTreeMap<String, ComponentView>,
}

/// Where one component of a failover group is active.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ComponentView {
    pub active: String,
    pub replicating: bool,
}

impl GroupView {
    /// A group as its configuration declares it: everything on `active`.
    pub fn declared(active: &str) -> GroupView {
        GroupView {
            active: active.to_string(),
            replicating: true,
            traffic: active.to_string(),
            components: BTreeMap::new(),
        }
    }

    /// Where `component` stands: its own entry, or the group's.
    pub fn component(&self, component: &str) -> ComponentView {
        self.components
            .get(component)
            .cloned()
            .unwrap_or(ComponentView {
                active: self.active.clone(),
                replicating: self.replicating,
            })
    }

    /// Drops component entries that stand where the group does.
    pub fn normalized(mut self) -> GroupView {
        let group = ComponentView {
            active: self.active.clone(),
            replicating: self.replicating,
        };
        self.components.retain(|_, c| *c != group);
        self
    }
}

impl From<&GroupView> for GroupPlacement {
    fn from(v: &GroupView) -> GroupPlacement {
        GroupPlacement {
            active: v.active.clone(),
            replicating: v.replicating,
            traffic: v.traffic.clone(),
            components: v
                .components
                .iter()
                .map(|(k, c)| {
                    (
                        k.clone(),
                        ComponentPlacement {
                            active: c.active.clone(),
                            replicating: c.replicating,
                        },
                    )
                })
                .collect(),
        }
    }
}

/// The placements evaluation (and a plan) should see for these views.
pub fn placements_of(views: &BTreeMap<String, GroupView>) -> BTreeMap<String, GroupPlacement> {
    views.iter().map(|(k, v)| (k.clone(), v.into())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placements_carry_the_view_as_plans_recorded_it() {
        let mut view = GroupView::declared("eastus");
        view.traffic = "westeurope".into();
        view.components.insert(
            "database".into(),
            ComponentView {
                active: "westeurope".into(),
                replicating: false,
            },
        );
        let placed = placements_of(&BTreeMap::from([("dr".to_string(), view.clone())]));
        let p = &placed["dr"];
        assert_eq!(
            (p.active.as_str(), p.traffic.as_str()),
            ("eastus", "westeurope")
        );
        assert!(p.replicating);
        assert_eq!(p.components["database"].active, "westeurope");
        // Plan files keep the shape they had when plans held views.
        assert_eq!(
            serde_json::to_string(p).unwrap(),
            serde_json::to_string(&view).unwrap()
        );
        let declared = GroupPlacement::from(&GroupView::declared("eastus"));
        assert_eq!(
            serde_json::to_string(&declared).unwrap(),
            r#"{"active":"eastus","replicating":true,"traffic":"eastus"}"#
        );
    }
}

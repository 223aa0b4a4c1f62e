//! Refusing plans that no longer describe the world: the state changed
//! (lineage, serial), the configuration or inputs changed, or an object
//! the plan touches looks different from what the plan saw.

use crate::plan::Plan;
use crate::plan::planner::observed_digest;
use crate::state::State;

#[derive(Debug, Clone, PartialEq)]
pub enum Staleness {
    /// The plan was made against another state (or none).
    StateChanged {
        detail: String,
    },
    ConfigChanged,
    /// These objects changed since the plan was made.
    ObjectsChanged(Vec<String>),
}

impl std::fmt::Display for Staleness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Staleness::StateChanged { detail } => {
                write!(f, "the state changed since this plan was made: {detail}")
            }
            Staleness::ConfigChanged => write!(
                f,
                "the configuration or input variables changed since this plan was made"
            ),
            Staleness::ObjectsChanged(a) => write!(
                f,
                "these objects changed since this plan was made: {}",
                a.join(", ")
            ),
        }
    }
}

/// Checks a saved plan against the current state and configuration digest.
pub fn check_plan_is_current(
    plan: &Plan,
    state: Option<&State>,
    config_digest: &str,
) -> Result<(), Staleness> {
    match (&plan.lineage, state) {
        (None, Some(s)) if !s.resources.is_empty() || s.serial > 0 => {
            return Err(Staleness::StateChanged {
                detail: format!(
                    "the plan was made with no state, but state serial {} exists now",
                    s.serial
                ),
            });
        }
        (Some(l), None) => {
            return Err(Staleness::StateChanged {
                detail: format!(
                    "the plan was made against state lineage {l}, which no longer exists"
                ),
            });
        }
        (Some(l), Some(s)) if *l != s.lineage => {
            return Err(Staleness::StateChanged {
                detail: format!(
                    "the plan was made against lineage {l}, the state now has lineage {}",
                    s.lineage
                ),
            });
        }
        (Some(_), Some(s)) if s.serial != plan.serial => {
            return Err(Staleness::StateChanged {
                detail: format!(
                    "the plan was made at serial {}, the state is now at serial {} (was it applied already?)",
                    plan.serial, s.serial
                ),
            });
        }
        _ => {}
    }
    if plan.config_digest != config_digest {
        return Err(Staleness::ConfigChanged);
    }
    if let Some(s) = state {
        let mut changed = Vec::new();
        for c in plan.actions() {
            let addr = c.previous_address.as_ref().unwrap_or(&c.address);
            let now = s.resources.get(addr).map(observed_digest);
            if now.as_ref() != plan.observed.get(&c.address)
                && (now.is_some() || plan.observed.contains_key(&c.address))
            {
                changed.push(c.address.clone());
            }
        }
        if !changed.is_empty() {
            return Err(Staleness::ObjectsChanged(changed));
        }
    }
    Ok(())
}

//! What reviewers must not miss: destructive and data-affecting changes,
//! and changes that weaken the DR posture (the provider says which
//! objective each breaks: `TypeFacts::weakens`).

use crate::plan::{Action, Plan, ResourceChange};
use crate::provider::type_facts;

/// One risky change and why it is risky.
pub struct Risk<'a> {
    pub change: &'a ResourceChange,
    pub why: String,
}

pub fn risks(plan: &Plan) -> Vec<Risk<'_>> {
    let mut out = Vec::new();
    for c in plan.actions() {
        // Whether its objects hold data that a replacement or delete loses.
        let stateful = type_facts(&c.ty).holds_data(&c.ty);
        let why = match c.action {
            Action::Delete if stateful => {
                Some("destroys a stateful resource: its data is lost".to_string())
            }
            Action::Delete => Some("destroys".to_string()),
            a if a.is_replace() && stateful => Some(format!(
                "replaces a stateful resource (data is not carried over){}",
                forced_by(c)
            )),
            a if a.is_replace() => Some(format!("replaces{}", forced_by(c))),
            _ => c
                .notes
                .iter()
                .find(|n| n.contains("promot") || n.contains("failover") || n.contains("rotation"))
                .cloned(),
        };
        let after = if c.action == Action::Delete {
            None
        } else {
            c.after.as_ref()
        };
        let weakened: Vec<String> = type_facts(&c.ty)
            .weakens(&c.ty, c.before.as_ref(), after)
            .into_iter()
            .map(|w| format!("weakens {}: {}", w.objective.as_str(), w.why))
            .collect();
        let why = match (why, weakened.is_empty()) {
            (w, true) => w,
            (Some(w), false) => Some(format!("{w}; {}", weakened.join("; "))),
            (None, false) => Some(weakened.join("; ")),
        };
        if let Some(why) = why {
            out.push(Risk { change: c, why });
        }
    }
    out
}

fn forced_by(c: &ResourceChange) -> String {
    if c.replace_paths.is_empty() {
        return String::new();
    }
    let paths: Vec<String> = c
        .replace_paths
        .iter()
        .map(|p| super::attr_path::text(p))
        .collect();
    format!(": {} forces replacement", paths.join(", "))
}

/// Counts per resource type: (type, add, change, destroy).
pub fn by_type(plan: &Plan) -> Vec<(String, usize, usize, usize)> {
    let mut m: std::collections::BTreeMap<String, (usize, usize, usize)> =
        std::collections::BTreeMap::new();
    for c in plan.actions() {
        let e = m.entry(c.ty.clone()).or_default();
        if c.action.creates() {
            e.0 += 1;
        }
        if c.action == Action::Update {
            e.1 += 1;
        }
        if c.action.deletes() {
            e.2 += 1;
        }
    }
    // Data sources read during apply change nothing: they are not counted.
    m.into_iter()
        .filter(|(_, (a, c, d))| a + c + d > 0)
        .map(|(t, (a, c, d))| (t, a, c, d))
        .collect()
}

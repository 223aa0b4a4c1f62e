//! `removed` blocks with `lifecycle { destroy = false }`: the recorded
//! objects they name leave state without being destroyed.

use crate::addrs::AbsResourceInstance;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::plan::model::Plan;
use crate::state::State;

/// Moves every recorded object a `destroy = false` block names from
/// `state` into `plan.forgets`.
pub(super) fn forget_removed(config: &Config, state: &mut State, plan: &mut Plan) {
    let forgotten: Vec<String> = state
        .resources
        .values()
        .filter(|rs| rs.mode == "managed" && forgets(config, &rs.address))
        .map(|rs| rs.address.clone())
        .collect();
    for address in &forgotten {
        if let Some(rs) = state.resources.remove(address) {
            plan.forgets.push(rs);
        }
    }
}

/// Terraform's warning about the objects a plan forgets, once targets
/// have narrowed them.
pub(super) fn forget_warning(plan: &Plan) -> Option<Diagnostic> {
    if plan.forgets.is_empty() {
        return None;
    }
    let list: String = plan
        .forgets
        .iter()
        .map(|rs| format!("\n - {}", rs.address))
        .collect();
    Some(
        Diagnostic::warning("Some objects will no longer be managed by drinfra").with_detail(
            format!("If you apply this plan, drinfra will discard its tracking information for the following objects, but it will not delete them:{list}\n\nAfter applying this plan, drinfra will no longer manage these objects. You will need to import them into drinfra to manage them again."),
        ),
    )
}

/// Whether a `destroy = false` block names the recorded instance
/// `address`: one in the module that declares it (the root, or any module
/// on the instance's path, whose `from` is relative to that module).
fn forgets(config: &Config, address: &str) -> bool {
    let Ok(a) = address.parse::<AbsResourceInstance>() else {
        return false;
    };
    // The instance's address without keys, as segments:
    // module, NAME, ..., TYPE, NAME.
    let mut segments: Vec<&str> = Vec::new();
    for (name, _) in &a.module {
        segments.extend(["module", name.as_str()]);
    }
    segments.extend([a.resource.ty.as_str(), a.resource.name.as_str()]);
    let mut module = Some(0usize);
    for depth in 0..=a.module.len() {
        let Some(idx) = module else { return false };
        let Some(m) = config.modules.get(idx) else {
            return false;
        };
        let rest = &segments[depth * 2..];
        if m.removed.iter().any(|r| {
            !r.destroy && {
                let from = r.from_text(&config.sources);
                let from: Vec<&str> = from.split('.').collect();
                rest.starts_with(&from)
            }
        }) {
            return true;
        }
        module = a
            .module
            .get(depth)
            .and_then(|(name, _)| m.module_calls.get(name))
            .map(|c| c.child);
    }
    false
}

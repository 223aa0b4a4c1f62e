//! Which resources' secrets a configuration uses. Some exported
//! attributes cost a request of their own to read (azurerm's access keys
//! and kubeconfigs: `TypeFacts::secret_attributes`); refresh reads them
//! only for resources an expression reaches them through, so a no-op plan
//! of a configuration that uses none sends no more requests. A reference
//! to the whole object (`azurerm_storage_account.a`, or `[*]` of it)
//! counts as using them all.

use std::collections::{BTreeMap, BTreeSet};

use hcl_edit::structure::{Body, Structure};

use crate::config::model::{CheckKind, Config, Expr, Mode};
use crate::lang::refs::{Reference, Step, references};
use crate::provider::type_facts;
use crate::state::ResourceState;

/// Resources (module call names, then `type.name`) whose secrets are used.
#[derive(Debug, Default, Clone)]
pub struct SecretUses(BTreeSet<(Vec<String>, String)>);

impl SecretUses {
    /// Whether refresh should read `rs`'s secrets.
    pub fn wants(&self, rs: &ResourceState) -> bool {
        if rs.mode != "managed" || type_facts(&rs.ty).secret_attributes(&rs.ty).is_empty() {
            return false;
        }
        let calls = rs
            .module
            .parse::<crate::addrs::ModulePath>()
            .map(|p| p.0.into_iter().map(|(name, _)| name).collect())
            .unwrap_or_default();
        self.0.contains(&(calls, format!("{}.{}", rs.ty, rs.name)))
    }
}

/// The resources of `config` whose secret attributes an expression uses.
pub fn uses(config: &Config) -> SecretUses {
    let mut calls: Vec<Vec<String>> = vec![Vec::new(); config.modules.len()];
    // Modules are listed after their callers, so a caller's chain is known.
    let mut parent: BTreeMap<usize, (usize, String)> = BTreeMap::new();
    for (i, m) in config.modules.iter().enumerate() {
        for (name, c) in &m.module_calls {
            parent.insert(c.child, (i, name.clone()));
        }
    }
    for (i, chain) in calls.iter_mut().enumerate() {
        let mut at = i;
        while let Some((p, name)) = parent.get(&at) {
            chain.insert(0, name.clone());
            at = *p;
        }
    }
    let mut out = SecretUses::default();
    for (mi, m) in config.modules.iter().enumerate() {
        let mut exprs: Vec<&Expr> = Vec::new();
        let mut bodies: Vec<&Body> = Vec::new();
        exprs.extend(m.locals.values().map(|l| &l.value));
        for o in m.outputs.values() {
            exprs.push(&o.value);
            for c in &o.preconditions {
                exprs.extend([&c.condition, &c.error_message]);
            }
        }
        for c in m.checks.iter().flat_map(|c| &c.asserts) {
            exprs.extend([&c.condition, &c.error_message]);
        }
        for v in m.variables.values() {
            for c in &v.validations {
                exprs.extend([&c.condition, &c.error_message]);
            }
        }
        exprs.extend(m.notifications.values().map(|n| &n.url));
        exprs.extend(m.health_checks.values().map(|c| match &c.kind {
            CheckKind::Http { url, .. } => url,
            CheckKind::Postgres { connection, .. } => connection,
        }));
        for c in m.module_calls.values() {
            exprs.extend(c.count.iter().chain(c.for_each.iter()));
            exprs.extend(c.inputs.values().map(|(_, e)| e));
        }
        bodies.extend(m.providers.iter().map(|p| &p.body.body));
        let mut selves: Vec<(Reference, String)> = Vec::new();
        for r in m.resources.values() {
            exprs.extend(r.count.iter().chain(r.for_each.iter()));
            exprs.extend(r.lifecycle.replace_triggered_by.iter());
            for c in &r.lifecycle.preconditions {
                exprs.extend([&c.condition, &c.error_message]);
            }
            bodies.push(&r.body.body);
            // `self` in a postcondition is the resource itself.
            if r.mode == Mode::Managed {
                for c in &r.lifecycle.postconditions {
                    for e in [&c.condition, &c.error_message] {
                        exprs.push(e);
                        selves.extend(
                            references(&e.expr)
                                .into_iter()
                                .filter(|rf| rf.root == "self")
                                .map(|rf| (rf, r.key())),
                        );
                    }
                }
            }
        }
        let mut refs: Vec<Reference> = exprs.iter().flat_map(|e| references(&e.expr)).collect();
        for b in bodies {
            body_refs(b, &mut refs);
        }
        for rf in &refs {
            let Some(name) = rf.attr(0) else { continue };
            let key = format!("{}.{name}", rf.root);
            if m.resources.contains_key(&key) && uses_secret(&rf.root, &rf.steps[1..]) {
                out.0.insert((calls[mi].clone(), key));
            }
        }
        for (rf, key) in selves {
            let ty = key.split('.').next().unwrap_or_default();
            if uses_secret(ty, &rf.steps) {
                out.0.insert((calls[mi].clone(), key));
            }
        }
    }
    out
}

pub(super) fn body_refs(body: &Body, out: &mut Vec<Reference>) {
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => out.extend(references(&a.value)),
            Structure::Block(b) => body_refs(&b.body, out),
        }
    }
}

/// Whether the steps after a `ty` resource's name reach its secrets: the
/// whole object (no attribute named), or a secret attribute, after an
/// optional instance key or splat.
fn uses_secret(ty: &str, steps: &[Step]) -> bool {
    let secrets = type_facts(ty).secret_attributes(ty);
    if secrets.is_empty() {
        return false;
    }
    let after_key = match steps.first() {
        Some(Step::Attr(_)) | None => steps,
        Some(_) => &steps[1..],
    };
    match after_key.first() {
        Some(Step::Attr(a)) => secrets.contains(&a.as_str()),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses_of(text: &str) -> Vec<(Vec<String>, String)> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf"), text).unwrap();
        let (config, _) = crate::config::load::load(dir.path());
        uses(&config).0.into_iter().collect()
    }

    #[test]
    fn a_secret_attribute_or_the_whole_object_counts_and_other_attributes_do_not() {
        let sa = |n: &str| {
            format!("resource \"azurerm_storage_account\" \"{n}\" {{\n  name = \"{n}\"\n}}\n")
        };
        let text = format!(
            "{}{}{}{}locals {{\n  a = azurerm_storage_account.a.primary_access_key\n  b = [for s in azurerm_storage_account.b : s.name]\n  c = azurerm_storage_account.c.name\n  d = azurerm_storage_account.d[0].id\n}}\n",
            sa("a"),
            sa("b"),
            sa("c"),
            sa("d")
        );
        let got: Vec<String> = uses_of(&text).into_iter().map(|(_, k)| k).collect();
        assert_eq!(
            got,
            ["azurerm_storage_account.a", "azurerm_storage_account.b"]
        );
    }

    #[test]
    fn a_kubeconfig_read_in_a_provider_block_counts() {
        let text = "resource \"azurerm_kubernetes_cluster\" \"k\" {\n  name = \"k\"\n}\nprovider \"azurerm\" {\n  features {}\n  client_id = azurerm_kubernetes_cluster.k.kube_config[0].host\n}\n";
        assert_eq!(
            uses_of(text),
            [(vec![], "azurerm_kubernetes_cluster.k".to_string())]
        );
    }
}

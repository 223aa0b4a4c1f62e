//! Provider configurations: which `provider` block manages each resource.
//!
//! Terraform's rules: every provider has an implicit default (unaliased)
//! configuration; `provider "azurerm" { alias = "dr" }` declares another
//! one. A resource uses the default configuration of the provider its type
//! implies (`azurerm_...` -> `azurerm`), or the one its `provider` argument
//! names. A child module inherits its caller's default configurations; an
//! aliased one reaches it only through the call's `providers` map, and the
//! child declares it expects one with `configuration_aliases`.
//!
//! drinfra reads provider configurations in the root module only, so every
//! configuration's address is `provider["SOURCE"]` or
//! `provider["SOURCE"].ALIAS`, the form Terraform records in state.

use std::collections::BTreeMap;
use std::fmt;

use super::model::{Config, Module, ProviderRef, Resource};
use crate::diag::{Diagnostic, Diagnostics, Span};

/// The built-in provider's source address.
pub const BUILTIN: &str = "terraform.io/builtin/terraform";

/// The address of one provider configuration.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProviderConfigAddr {
    /// Source address: `registry.terraform.io/hashicorp/azurerm`.
    pub provider: String,
    pub alias: Option<String>,
}

impl ProviderConfigAddr {
    pub fn default_for(provider: &str) -> ProviderConfigAddr {
        ProviderConfigAddr {
            provider: provider.to_string(),
            alias: None,
        }
    }

    /// Reads an address as state and plans record it. A bare provider name
    /// (what drinfra recorded before it had aliases) is that provider's
    /// default configuration.
    pub fn parse(s: &str) -> Option<ProviderConfigAddr> {
        let Some(rest) = s.strip_prefix("provider[\"") else {
            return (!s.is_empty() && !s.contains(['[', ']', '"']))
                .then(|| ProviderConfigAddr::default_for(s));
        };
        let (provider, after) = rest.split_once("\"]")?;
        let alias = match after {
            "" => None,
            a => Some(a.strip_prefix('.')?.to_string())
                .filter(|a| !a.is_empty() && !a.contains(['.', '[', '"'])),
        };
        if provider.is_empty() || (after.is_empty() != alias.is_none()) {
            return None;
        }
        Some(ProviderConfigAddr {
            provider: provider.to_string(),
            alias,
        })
    }

    /// `azurerm.dr` (the name people write), from the source's last part.
    pub fn short(&self) -> String {
        let name = self.provider.rsplit('/').next().unwrap_or(&self.provider);
        match &self.alias {
            Some(a) => format!("{name}.{a}"),
            None => name.to_string(),
        }
    }
}

impl fmt::Display for ProviderConfigAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "provider[\"{}\"]", self.provider)?;
        if let Some(a) = &self.alias {
            write!(f, ".{a}")?;
        }
        Ok(())
    }
}

/// A provider source as written (`hashicorp/azurerm`) in full form.
fn full_source(s: &str) -> String {
    match s.split('/').count() {
        1 => format!("registry.terraform.io/hashicorp/{}", s.to_lowercase()),
        2 => format!("registry.terraform.io/{}", s.to_lowercase()),
        _ => s.to_lowercase(),
    }
}

/// The provider source a local name stands for in a module.
pub fn source_of(m: &Module, local: &str) -> String {
    if let Some(src) = m
        .settings
        .required_providers
        .get(local)
        .and_then(|r| r.source.as_deref())
    {
        return full_source(src);
    }
    if local == "terraform" {
        BUILTIN.to_string()
    } else {
        full_source(local)
    }
}

/// The local name a resource type implies: the part before the first `_`.
pub fn implied_local_name(ty: &str) -> &str {
    ty.split('_').next().unwrap_or(ty)
}

/// Which configuration manages each resource, per module.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    /// (module index, resource key) -> configuration.
    pub resources: BTreeMap<(usize, String), ProviderConfigAddr>,
}

impl Resolution {
    /// The configuration of resource `key` in module `module`; the implied
    /// default when resolution failed (an error was reported).
    pub fn of(&self, module: usize, r: &Resource) -> ProviderConfigAddr {
        self.resources
            .get(&(module, r.key()))
            .cloned()
            .unwrap_or_else(|| {
                ProviderConfigAddr::default_for(&full_source(implied_local_name(&r.ty)))
            })
    }
}

/// What a module can use: defaults by provider source, aliased
/// configurations by local key (`azurerm.dr`).
#[derive(Clone, Default)]
struct Env {
    defaults: BTreeMap<String, ProviderConfigAddr>,
    aliased: BTreeMap<String, ProviderConfigAddr>,
    /// Aliases the module declares but its call does not pass (reported
    /// once, at the call).
    unpassed: Vec<String>,
}

impl Env {
    fn default_of(&self, source: &str) -> ProviderConfigAddr {
        self.defaults
            .get(source)
            .cloned()
            .unwrap_or_else(|| ProviderConfigAddr::default_for(source))
    }
}

/// Resolves every resource's provider configuration and reports every
/// reference to one that does not exist, with its place.
pub fn resolve(config: &Config) -> (Resolution, Diagnostics) {
    let mut out = Resolution::default();
    let mut diags = Diagnostics::default();
    if config.modules.is_empty() {
        return (out, diags);
    }
    let root = config.root();
    let mut env = Env::default();
    for p in &root.providers {
        let addr = ProviderConfigAddr {
            provider: source_of(root, &p.name),
            alias: p.alias.clone(),
        };
        match &p.alias {
            Some(a) => {
                env.aliased.insert(format!("{}.{a}", p.name), addr);
            }
            None => {
                env.defaults.insert(addr.provider.clone(), addr);
            }
        }
    }
    let mut r = Resolver {
        config,
        out: &mut out,
        diags: &mut diags,
        visited: vec![false; config.modules.len()],
    };
    r.module(0, "the root module", &env);
    (out, diags)
}

struct Resolver<'a> {
    config: &'a Config,
    out: &'a mut Resolution,
    diags: &'a mut Diagnostics,
    visited: Vec<bool>,
}

fn error(summary: &str, detail: String, span: &Span) -> Diagnostic {
    Diagnostic::error(summary)
        .with_detail(detail)
        .at(Some(span.clone()))
}

impl Resolver<'_> {
    /// Where a missing aliased configuration should come from.
    fn missing(&mut self, r: &ProviderRef, module_text: &str, root: bool, what: &str) {
        let detail = if r.name == "terraform" {
            format!(
                "{what} refers to provider configuration {}, but the built-in terraform provider has only its default configuration: remove the alias.",
                r.key()
            )
        } else if root {
            format!(
                "{what} refers to provider configuration {}, which the root module does not declare. Add a provider \"{}\" block with alias = \"{}\", or refer to a configuration that exists.",
                r.key(),
                r.name,
                r.alias.as_deref().unwrap_or_default()
            )
        } else {
            format!(
                "{what} refers to provider configuration {}, which {module_text} does not receive. Declare it in the module's required_providers ({} = {{ configuration_aliases = [{}] }}) and pass it in the module call's providers argument.",
                r.key(),
                r.name,
                r.key()
            )
        };
        self.diags
            .push(error("Provider configuration not present", detail, &r.span));
    }

    fn module(&mut self, index: usize, module_text: &str, env: &Env) {
        if self.visited.get(index).copied().unwrap_or(true) {
            return;
        }
        self.visited[index] = true;
        let m = &self.config.modules[index];
        let root = index == 0;
        if !root {
            for p in &m.providers {
                let empty = p.body.body.iter().all(|s| matches!(s, hcl_edit::structure::Structure::Attribute(a) if a.key.value().as_str() == "alias"));
                if !empty {
                    self.diags.push(error(
                        "Unsupported provider configuration",
                        format!("drinfra reads provider configurations in the root module only, and {module_text} configures provider {:?}. Move this block to the root module (with an alias if it differs from the default configuration) and pass it in the module call's providers argument.", p.name),
                        &p.span,
                    ));
                }
            }
        }
        for (key, res) in &m.resources {
            let implied = implied_local_name(&res.ty);
            let what = res.key();
            let addr = match &res.provider {
                None => Some(env.default_of(&source_of(m, implied))),
                Some(r) => {
                    let source = source_of(m, &r.name);
                    if source != source_of(m, implied) {
                        self.diags.push(error(
                            "Provider type mismatch",
                            format!("{what} is a resource type of provider {}, but {} is a configuration of provider {source}.", source_of(m, implied), r.key()),
                            &r.span,
                        ));
                        None
                    } else if r.alias.is_some() {
                        let found = env.aliased.get(&r.key()).cloned();
                        if found.is_none() && !env.unpassed.contains(&r.key()) {
                            self.missing(r, module_text, root, &what);
                        }
                        found
                    } else {
                        Some(env.default_of(&source))
                    }
                }
            };
            if let Some(a) = addr {
                self.out.resources.insert((index, key.clone()), a);
            }
        }
        if root {
            for imp in &m.imports {
                let Some(r) = &imp.provider else { continue };
                let text = self.config.sources.text(imp.to.file);
                let to: String = imp
                    .to
                    .span()
                    .map(|s| text[s.range].split_whitespace().collect())
                    .unwrap_or_default();
                let Some(target) = m.resources.get(to.split('[').next().unwrap_or_default()) else {
                    continue;
                };
                let given = if r.alias.is_some() {
                    env.aliased.get(&r.key()).cloned()
                } else {
                    Some(env.default_of(&source_of(m, &r.name)))
                };
                let Some(given) = given else {
                    self.missing(r, module_text, root, "This import block");
                    continue;
                };
                if self
                    .out
                    .resources
                    .get(&(index, target.key()))
                    .is_some_and(|want| *want != given)
                {
                    self.diags.push(error("Invalid import provider argument", "The provider argument in the target resource block must match the import block.".into(), &r.span));
                }
            }
        }
        for call in m.module_calls.values() {
            let Some(child) = self.config.modules.get(call.child) else {
                continue;
            };
            let child_text = if root {
                format!("module.{}", call.name)
            } else {
                format!("{module_text}.module.{}", call.name)
            };
            // Defaults are inherited; aliased configurations only passed.
            let mut child_env = Env {
                defaults: env.defaults.clone(),
                ..Env::default()
            };
            let declared: Vec<String> = child
                .settings
                .required_providers
                .values()
                .flat_map(|r| r.aliases.iter().map(|a| a.key()))
                .chain(
                    child
                        .providers
                        .iter()
                        .filter_map(|p| p.alias.as_ref().map(|a| format!("{}.{a}", p.name))),
                )
                .collect();
            for passed in &call.providers {
                let parent_source = source_of(m, &passed.in_parent.name);
                let given = if passed.in_parent.alias.is_some() {
                    match env.aliased.get(&passed.in_parent.key()) {
                        Some(a) => a.clone(),
                        None => {
                            self.missing(
                                &passed.in_parent,
                                module_text,
                                root,
                                &format!("The providers argument of module {:?}", call.name),
                            );
                            continue;
                        }
                    }
                } else {
                    env.default_of(&parent_source)
                };
                let child_source = source_of(child, &passed.in_child.name);
                if child_source != given.provider {
                    self.diags.push(error(
                        "Provider type mismatch",
                        format!("The local name {:?} in {child_text} represents provider {child_source}, but {} in {module_text} is a configuration of provider {}.", passed.in_child.name, passed.in_parent.key(), given.provider),
                        &passed.in_parent.span,
                    ));
                    continue;
                }
                match &passed.in_child.alias {
                    None => {
                        child_env.defaults.insert(child_source, given);
                    }
                    Some(_) => {
                        let key = passed.in_child.key();
                        if !declared.contains(&key) {
                            self.diags.push(
                                Diagnostic::warning("Reference to undefined provider")
                                    .with_detail(format!(
                                        "There is no explicit declaration for local provider name {key:?} in {child_text}, so drinfra is assuming you mean to pass a configuration for {child_source:?}.\n\nIf you also control the child module, add configuration_aliases = [{key}] to its required_providers entry for {:?}.",
                                        passed.in_child.name
                                    ))
                                    .at(Some(passed.in_child.span.clone())),
                            );
                        }
                        child_env.aliased.insert(key, given);
                    }
                }
            }
            for req in child.settings.required_providers.values() {
                for a in &req.aliases {
                    if !child_env.aliased.contains_key(&a.key()) {
                        child_env.unpassed.push(a.key());
                        let src = source_of(child, &req.name);
                        self.diags.push(error(
                            "Missing required provider configuration",
                            format!(
                                "The child module requires an additional configuration for provider {src}, with the local name {:?}.\n\nRefer to the module's documentation to understand the intended purpose of this additional provider configuration, and then add an entry for {} in the \"providers\" meta-argument in the module block to choose which provider configuration the module should use for that purpose.",
                                a.key(),
                                a.key()
                            ),
                            &call.span,
                        ));
                    }
                }
            }
            self.module(call.child, &child_text, &child_env);
        }
    }
}

/// Runs [`resolve`] for its diagnostics.
pub fn check(config: &Config) -> Diagnostics {
    resolve(config).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip_and_legacy_names_mean_the_default() {
        let a = ProviderConfigAddr {
            provider: "registry.terraform.io/hashicorp/azurerm".into(),
            alias: Some("dr".into()),
        };
        assert_eq!(
            a.to_string(),
            "provider[\"registry.terraform.io/hashicorp/azurerm\"].dr"
        );
        assert_eq!(ProviderConfigAddr::parse(&a.to_string()), Some(a.clone()));
        assert_eq!(a.short(), "azurerm.dr");
        let d = ProviderConfigAddr::default_for("registry.terraform.io/hashicorp/azurerm");
        assert_eq!(
            ProviderConfigAddr::parse("provider[\"registry.terraform.io/hashicorp/azurerm\"]"),
            Some(d.clone())
        );
        assert_eq!(
            ProviderConfigAddr::parse("registry.terraform.io/hashicorp/azurerm"),
            Some(d)
        );
        for bad in [
            "",
            "provider[\"x\"].",
            "provider[\"\"]",
            "provider[\"x\"]y",
            "provider[\"x",
        ] {
            assert_eq!(ProviderConfigAddr::parse(bad), None, "{bad}");
        }
    }
}

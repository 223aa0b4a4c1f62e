//! The provider checks that need no cloud, run by `validate` (and before
//! every plan): whether each resource and data source type is one drinfra
//! can manage or read (and, when not, why not), and each evaluated
//! instance's arguments against the provider's schema (names, nested
//! blocks, required and read-only arguments), as planning would check them.

use std::collections::HashMap;
use std::ops::Range;

use hcl_edit::structure::Body;

use super::azapi;
use super::azure;
use super::builtin;
use super::catalog;
use super::kubernetes;
use super::terraform_data::TerraformData;
use super::{ArgProblem, Provider};
use crate::config::Config;
use crate::config::evaluate::{Evaluation, ResourceInstance};
use crate::config::model::{Mode, Module, Resource};
use crate::diag::{Diagnostic, Diagnostics, Span};

/// The providers' nested blocks, for reading `.tf.json` resource bodies
/// (`config::load::load_with`): azurerm's by its type tables,
/// `azapi_resource`'s `identity` and the `http` data source's `retry`; the
/// other types drinfra handles have none.
pub struct NestedBlocks;

pub static NESTED_BLOCKS: NestedBlocks = NestedBlocks;

impl crate::config::load::NestedBlocks for NestedBlocks {
    fn is_block(&self, mode: Mode, ty: &str, path: &[&str]) -> bool {
        match mode {
            Mode::Managed if ty == "azapi_resource" => path == ["identity"],
            Mode::Managed => ty.starts_with("azurerm_") && azure::types::is_nested_block(ty, path),
            Mode::Data => ty == "http" && path == ["retry"],
            Mode::Ephemeral => false,
        }
    }
}

/// Whether drinfra can manage (resource) or read (data source) this type.
pub fn supported(mode: Mode, ty: &str) -> bool {
    match mode {
        Mode::Managed => {
            ty == "terraform_data"
                || builtin::has(false, ty)
                || kubernetes::handles(ty)
                || azure::types::lookup(ty).is_some()
                || azapi::handles(false, ty)
        }
        Mode::Data => {
            ty == builtin::terraform::REMOTE_STATE
                || builtin::has(true, ty)
                // Only data sources azurerm has: drinfra could read any
                // type it manages, but a configuration that works here
                // must work with Terraform too.
                || (azure::has_data_source(ty) && catalog::azurerm_has(Mode::Data, ty))
                || azapi::handles(true, ty)
        }
        Mode::Ephemeral => super::ephemeral::TYPES.contains(&ty),
    }
}

/// Every problem with resource types and arguments in the configuration.
pub fn check(config: &Config, eval: &Evaluation) -> Diagnostics {
    let mut d = Diagnostics::default();
    // Each resource's instances, in evaluation order, found in one pass.
    let mut instances: HashMap<(usize, &str), Vec<&ResourceInstance>> = HashMap::new();
    for i in &eval.resources {
        instances
            .entry((i.module_index, i.resource.as_str()))
            .or_default()
            .push(i);
    }
    for (mi, m) in config.modules.iter().enumerate() {
        for (key, r) in &m.resources {
            if r.mode == Mode::Ephemeral && !supported(r.mode, &r.ty) {
                d.push(super::ephemeral::unsupported(r));
                continue;
            }
            if !supported(r.mode, &r.ty) {
                d.push(unsupported(config, m, r));
                continue;
            }
            if let Some(wrong) = builtin_source_mismatch(m, r) {
                d.push(wrong);
                continue;
            }
            for inst in instances.get(&(mi, key.as_str())).into_iter().flatten() {
                let problems: Vec<ArgProblem> = match r.mode {
                    Mode::Data if r.ty.starts_with("azapi_") => {
                        azapi::validate_data(&r.ty, &inst.config)
                    }
                    Mode::Data if r.ty == builtin::terraform::REMOTE_STATE => {
                        builtin::terraform::validate(&inst.config)
                    }
                    Mode::Data if builtin::has(true, &r.ty) => {
                        builtin::validate(true, &r.ty, &inst.config)
                    }
                    Mode::Data => azure::validate_data(&r.ty, &inst.config),
                    Mode::Managed if r.ty.starts_with("azapi_") => {
                        azapi::validate_resource(&r.ty, &inst.config)
                    }
                    Mode::Managed if builtin::has(false, &r.ty) => {
                        builtin::validate(false, &r.ty, &inst.config)
                    }
                    Mode::Managed if r.ty == "terraform_data" => {
                        TerraformData.validate(&r.ty, &inst.config)
                    }
                    Mode::Managed if kubernetes::handles(&r.ty) => {
                        kubernetes::validate(&inst.config)
                    }
                    Mode::Managed => azure::validate_resource(&r.ty, &inst.config),
                    Mode::Ephemeral => super::ephemeral::validate(&r.ty, &inst.config),
                };
                // azurerm 3.x names: read as their 4.x names, with a warning.
                let renamed = match r.mode {
                    Mode::Managed => azure::renames::warnings(&r.ty, &inst.config),
                    Mode::Data | Mode::Ephemeral => vec![],
                };
                let located = |p: &ArgProblem| {
                    p.argument
                        .as_deref()
                        .and_then(|a| argument_span(&r.body.body, a))
                        .map(|s| Span::new(r.body.file, s))
                        .unwrap_or_else(|| r.span.clone())
                };
                for p in problems {
                    let span = located(&p);
                    d.push(
                        Diagnostic::error(p.summary)
                            .with_detail(p.detail)
                            .at(Some(span)),
                    );
                }
                for p in renamed {
                    let span = located(&p);
                    d.push(
                        Diagnostic::warning(p.summary)
                            .with_detail(p.detail)
                            .at(Some(span)),
                    );
                }
            }
        }
    }
    d
}

/// A built-in provider's type in a module whose `required_providers`
/// gives its local name another source (`random = { source =
/// "acme/random" }`): drinfra carries only hashicorp's, so it refuses
/// rather than quietly using those.
fn builtin_source_mismatch(m: &Module, r: &Resource) -> Option<Diagnostic> {
    let found = if r.mode == Mode::Data {
        builtin::data_spec(&r.ty)
    } else if r.mode == Mode::Ephemeral && !r.ty.starts_with("random_") {
        None
    } else {
        builtin::resource_spec(&r.ty)
    };
    let (family, _) = found?;
    let local = crate::config::providers::implied_local_name(&r.ty);
    let source = crate::config::providers::source_of(m, local);
    (source != family.source()).then(|| {
        Diagnostic::error("Unsupported provider source")
            .with_detail(format!(
                "{:?} is a type of {}, which drinfra carries natively; this module's required_providers gives {local:?} the source {source:?}, which drinfra cannot install. Use source = \"{}\".",
                r.ty,
                family.source(),
                family.source().trim_start_matches("registry.terraform.io/")
            ))
            .at(Some(r.type_span.clone()))
    })
}

/// The diagnostic for a type drinfra does not handle, at its type label.
fn unsupported(config: &Config, m: &Module, r: &Resource) -> Diagnostic {
    let declared = |p: &str| {
        m.settings
            .required_providers
            .get(p)
            .or_else(|| config.root().settings.required_providers.get(p))
            .map(|r| r.source.clone().unwrap_or_else(|| format!("hashicorp/{p}")))
    };
    let why = catalog::classify(r.mode, &r.ty, &declared);
    let (summary, detail) = catalog::describe(r.mode, &r.ty, &why);
    Diagnostic::error(summary)
        .with_detail(detail)
        .at(Some(r.type_span.clone()))
}

/// Where argument `path` (`a` or `block.a`) is written in a body: its
/// name, or the nested block's type when the argument is not written.
pub fn argument_span(body: &Body, path: &str) -> Option<Range<usize>> {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    if let Some(a) = body.get_attribute(head) {
        return hcl_edit::Span::span(&a.key);
    }
    let block = body.get_blocks(head).next()?;
    rest.and_then(|r| argument_span(&block.body, r))
        .or_else(|| hcl_edit::Span::span(&block.ident))
}

/// Arguments of the root module's provider blocks their providers do not
/// read, as each provider judges its own block (for loading: see
/// `config::open_with`).
pub fn block_arguments(config: &Config) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let Some(root) = config.modules.first() else {
        return diags;
    };
    for p in root.providers.iter().filter(|p| p.name == "azurerm") {
        diags.extend(azure::setup::check_block(p));
    }
    for p in &root.providers {
        let source = crate::config::providers::source_of(root, &p.name);
        if let Some(family) = builtin::family_of_source(&source) {
            diags.extend(builtin::check_block(family, p));
        }
    }
    diags
}

/// The checks the providers make while a configuration loads (see
/// `config::open_with`): their blocks' arguments, and the types of the
/// objects failover groups fail over by a provider action.
pub fn load_checks(config: &Config) -> Diagnostics {
    let mut diags = block_arguments(config);
    diags.extend(failover_storage_accounts(config));
    diags.extend(provider_versions(config));
    diags
}

/// Provider version constraints against the major versions drinfra
/// implements: azapi 2.x (1.x takes `body` and gives `output` as JSON
/// strings, so a 1.x configuration would fail mid-apply: refused) and
/// azurerm 4.x (3.x configurations mostly plan the same, with 3.x names
/// accepted and warned about: a warning, so the difference is not silent).
fn provider_versions(config: &Config) -> Diagnostics {
    let mut diags = Diagnostics::default();
    for m in &config.modules {
        for (local, req) in &m.settings.required_providers {
            let Some((constraint, span)) = &req.version else {
                continue;
            };
            let source = crate::config::providers::source_of(m, local);
            let (major, error) = match source.as_str() {
                azapi::PROVIDER_NAME => (2, true),
                azure::typedef::PROVIDER_NAME => (4, false),
                _ => continue,
            };
            if admits_major(constraint, major) {
                continue;
            }
            let name = source.trim_start_matches("registry.terraform.io/");
            let detail = format!(
                "This module asks for {name} {constraint:?}, which admits no {major}.x release; drinfra implements {name} {major}.x and cannot install another. {}",
                if error {
                    "azapi 1.x takes `body` and returns `output` as JSON strings where 2.x uses objects, so the configuration would fail part-way through an apply: move it to azapi 2.x (objects instead of jsonencode/jsondecode) and widen the constraint."
                } else {
                    "azurerm 3.x names are accepted with a warning naming their 4.x spelling, and behaviour follows azurerm 4.x (its defaults and removed arguments): review the plan with that in mind."
                }
            );
            let d = if error {
                Diagnostic::error("Unsupported provider version")
            } else {
                Diagnostic::warning("Provider version differs")
            };
            diags.push(d.with_detail(detail).at(Some(span.clone())));
        }
    }
    diags
}

/// Whether some `major`.x release satisfies `constraint` (unparsable
/// constraints are left to the rest of loading).
fn admits_major(constraint: &str, major: u64) -> bool {
    (0..=40).any(|minor| {
        (0..=12).any(|patch| {
            crate::config::version::satisfies(&format!("{major}.{minor}.{patch}"), constraint)
                .unwrap_or(true)
        })
    })
}

/// Each failover group's `storage_accounts`: every address must be of a
/// type whose provider fails its data over by an action of its own.
pub fn failover_storage_accounts(config: &Config) -> Diagnostics {
    let mut diags = Diagnostics::default();
    for group in config
        .modules
        .iter()
        .flat_map(|m| m.failover_groups.values())
    {
        for addrs in group.storage_accounts.values() {
            let fails_over = |a: &String| {
                super::facts::type_of_address(a)
                    .is_some_and(|t| super::type_facts(&t).has_site_failover(&t))
            };
            if let Some(bad) = addrs.iter().find(|a| !fails_over(a)) {
                diags.push(
                    Diagnostic::error("Invalid storage_accounts")
                        .with_detail(format!("{bad:?} is not the address of an azurerm_storage_account (e.g. \"module.site.azurerm_storage_account.data\")."))
                        .at(group.storage_accounts_span.clone()),
                );
            }
        }
    }
    diags
}

/// The `provider "azurerm"` blocks' own arguments and `features`
/// settings, read as setup reads them but without the environment,
/// credentials or network: what plan would refuse, validate refuses.
pub fn provider_blocks(
    config: &Config,
    inputs: &crate::config::vars::Inputs,
    cwd: &std::path::Path,
) -> Diagnostics {
    if !super::azure::setup::used(config) {
        return Diagnostics::default();
    }
    match super::azure::setup::all_settings(config, inputs, cwd, &[]) {
        Ok(_) => Diagnostics::default(),
        Err(d) => d,
    }
}

#[cfg(test)]
mod nested_block_tests {
    use super::*;
    use crate::config::load::NestedBlocks as _;

    #[test]
    fn nested_blocks_follow_the_providers_tables_at_any_depth() {
        let is = |mode, ty, path: &[&str]| NESTED_BLOCKS.is_block(mode, ty, path);
        let sa = "azurerm_storage_account";
        assert!(is(Mode::Managed, sa, &["identity"]));
        assert!(is(Mode::Managed, sa, &["blob_properties", "cors_rule"]));
        assert!(!is(Mode::Managed, sa, &["tags"]));
        assert!(!is(
            Mode::Managed,
            sa,
            &["blob_properties", "versioning_enabled"]
        ));
        assert!(!is(Mode::Managed, sa, &["nowhere"]));
        assert!(is(
            Mode::Managed,
            "azurerm_network_security_group",
            &["security_rule"]
        ));
        // Repeated blocks the type maps with its own code, and within them.
        let fd = "azurerm_frontdoor";
        assert!(is(Mode::Managed, fd, &["backend_pool", "backend"]));
        assert!(is(
            Mode::Managed,
            fd,
            &["routing_rule", "forwarding_configuration"]
        ));
        assert!(!is(Mode::Managed, fd, &["backend_pool", "name"]));
        assert!(is(Mode::Managed, "azapi_resource", &["identity"]));
        assert!(!is(Mode::Managed, "azapi_resource", &["body"]));
        assert!(is(Mode::Data, "http", &["retry"]));
        assert!(!is(Mode::Data, sa, &["identity"]));
        assert!(!is(Mode::Managed, "terraform_data", &["input"]));
    }
}

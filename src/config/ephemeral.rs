//! Ephemeral values (`variable { ephemeral = true }`, `output { ephemeral =
//! true }` in child modules, `ephemeral "TYPE" "NAME"` resources) are never
//! persisted: not in state, not in plan
//! files. As in Terraform, using one where its value would be recorded is
//! an error at the expression: resource and data source arguments (but
//! not write-only ones, nor an ephemeral resource's own), outputs
//! not declared ephemeral, and module inputs whose variable is not.
//!
//! Which values are ephemeral is decided from references (an expression
//! that refers to an ephemeral value, directly or through locals and module
//! outputs, is ephemeral), the way Terraform's marks flow through every
//! operator and function.

use std::collections::BTreeSet;

use hcl_edit::structure::{Body, Structure};

use super::model::{Config, Expr, Mode, Module};
use crate::diag::{Diagnostic, Diagnostics, FileId, Span};
use crate::lang::refs::{Reference, Step, references};

/// Reports every use of an ephemeral value where it would be persisted.
pub fn check(config: &Config) -> Diagnostics {
    let mut d = Diagnostics::default();
    for (i, m) in config.modules.iter().enumerate() {
        let scope = Scope::new(config, m);
        // An ephemeral resource's own arguments are an ephemeral context.
        for r in m.resources.values().filter(|r| r.mode != Mode::Ephemeral) {
            scope.body(r.body.file, &r.body.body, &mut d);
        }
        for p in &m.providers {
            provider_block(p.body.file, &p.body.body, &mut d);
        }
        for o in m.outputs.values() {
            if o.ephemeral && i == 0 {
                d.push(
                    Diagnostic::error("Ephemeral output not allowed")
                        .with_detail(
                            "Ephemeral outputs are not allowed in context of a root module",
                        )
                        .at(Some(o.span.clone())),
                );
            } else if !o.ephemeral && scope.is_ephemeral(&o.value) {
                d.push(
                    Diagnostic::error("Ephemeral value not allowed")
                        .with_detail("This output value is not declared as returning an ephemeral value, so it cannot be set to a result derived from an ephemeral value.")
                        .at(o.value.span()),
                );
            }
        }
        for call in m.module_calls.values() {
            let Some(child) = config.modules.get(call.child) else {
                continue;
            };
            for (name, (_, e)) in &call.inputs {
                let accepts = child.variables.get(name).is_none_or(|v| v.ephemeral);
                if !accepts && scope.is_ephemeral(e) {
                    d.push(
                        Diagnostic::error("Ephemeral value not allowed")
                            .with_detail(format!("The input variable {name:?} of module {:?} does not accept ephemeral values: declare it with ephemeral = true, or pass a value that is not ephemeral.", call.name))
                            .at(e.span()),
                    );
                }
            }
        }
    }
    d
}

/// Terraform lets a provider block use an ephemeral resource; drinfra
/// configures its providers before it opens any, so it refuses that
/// rather than configure a provider without the value.
fn provider_block(file: FileId, body: &Body, d: &mut Diagnostics) {
    for s in body.iter() {
        match s {
            Structure::Attribute(a) if references(&a.value).iter().any(|r| r.root == "ephemeral") => d.push(
                Diagnostic::error("Unsupported ephemeral resource reference")
                    .with_detail("drinfra configures providers before it opens ephemeral resources, so a provider block cannot use one; pass the value in an ephemeral variable instead.")
                    .at(hcl_edit::Span::span(&a.value).map(|r| Span::new(file, r))),
            ),
            Structure::Attribute(_) => {}
            Structure::Block(b) => provider_block(file, &b.body, d),
        }
    }
}

/// Whether `e`, written in the root module (the console), refers to an
/// ephemeral value.
pub fn in_root(config: &Config, e: &Expr) -> bool {
    Scope::new(config, config.root()).is_ephemeral(e)
}

/// The ephemeral names of one module.
struct Scope<'a> {
    config: &'a Config,
    module: &'a Module,
    locals: BTreeSet<String>,
}

impl<'a> Scope<'a> {
    fn new(config: &'a Config, module: &'a Module) -> Scope<'a> {
        let mut s = Scope {
            config,
            module,
            locals: BTreeSet::new(),
        };
        // Locals that refer to ephemeral values, to a fixed point.
        loop {
            let more: Vec<String> = module
                .locals
                .values()
                .filter(|l| !s.locals.contains(&l.name) && s.is_ephemeral(&l.value))
                .map(|l| l.name.clone())
                .collect();
            if more.is_empty() {
                break;
            }
            s.locals.extend(more);
        }
        s
    }

    fn is_ephemeral(&self, e: &Expr) -> bool {
        references(&e.expr).iter().any(|r| self.reference(r))
    }

    fn reference(&self, r: &Reference) -> bool {
        let m = self.module;
        match (r.root.as_str(), r.attr(0)) {
            ("var", Some(n)) => m.variables.get(n).is_some_and(|v| v.ephemeral),
            ("local", Some(n)) => self.locals.contains(n),
            ("ephemeral", Some(_)) => true,
            ("module", Some(n)) => {
                let Some(call) = m.module_calls.get(n) else {
                    return false;
                };
                let Some(child) = self.config.modules.get(call.child) else {
                    return false;
                };
                let expanded = call.count.is_some() || call.for_each.is_some();
                let mut steps = r.steps.iter().skip(1);
                if expanded {
                    // module.c[KEY].out, or module.c (all instances).
                    match steps.next() {
                        Some(
                            Step::Key(_)
                            | Step::Index(_)
                            | Step::Dynamic
                            | Step::CountIndex
                            | Step::EachKey,
                        ) => {}
                        Some(Step::Splat) | Some(Step::Attr(_)) | None => {
                            return child.outputs.values().any(|o| o.ephemeral);
                        }
                    }
                }
                match steps.next() {
                    Some(Step::Attr(o)) => child.outputs.get(o).is_some_and(|o| o.ephemeral),
                    _ => child.outputs.values().any(|o| o.ephemeral),
                }
            }
            _ => false,
        }
    }

    /// Resource and data source arguments, in nested and dynamic blocks too.
    fn body(&self, file: FileId, body: &Body, d: &mut Diagnostics) {
        for s in body.iter() {
            match s {
                // Write-only arguments are sent and never recorded. The
                // providers name every one `*_wo` (azurerm's `value_wo`,
                // `administrator_password_wo`), so configuration, which
                // knows no provider schema, tells them by name.
                Structure::Attribute(a) if a.key.value().as_str().ends_with("_wo") => {}
                Structure::Attribute(a) => {
                    let e = Expr {
                        file,
                        expr: a.value.clone(),
                    };
                    if self.is_ephemeral(&e) {
                        let name = a.key.value().as_str();
                        d.push(
                            Diagnostic::error("Invalid use of ephemeral value")
                                .with_detail(format!("Ephemeral values are not valid for {name:?}, because it is not a write-only attribute and must be persisted to state."))
                                .at(e.span().or_else(|| hcl_edit::Span::span(a).map(|r| Span::new(file, r)))),
                        );
                    }
                }
                // Conditions and provisioners are not recorded.
                Structure::Block(b)
                    if matches!(
                        b.ident.value().as_str(),
                        "lifecycle" | "provisioner" | "connection"
                    ) => {}
                Structure::Block(b) => self.body(file, &b.body, d),
            }
        }
    }
}

//! Decoding module calls, provider references and maps, `required_providers`
//! and the `terraform`/`drinfra` settings block.

use std::collections::BTreeMap;

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Structure};

use super::super::model::*;
use super::{Loader, err, span_of};
use crate::diag::FileId;

impl Loader {
    /// The call, and whether its source can be loaded (problems with it
    /// are reported here).
    pub(super) fn decode_module_call(
        &mut self,
        file: FileId,
        b: &Block,
        name: &str,
    ) -> (ModuleCall, bool) {
        let body = &b.body;
        let mut loadable = true;
        let mut registry = false;
        let (source, source_span) = match self.attr(body, "source") {
            None => {
                self.diags.push(err(
                    "Missing required argument",
                    "The argument \"source\" is required, but no definition was found.",
                    span_of(file, &b.ident),
                ));
                loadable = false;
                (String::new(), span_of(file, &b.labels[0]))
            }
            Some(src_attr) => {
                let at = span_of(file, &src_attr.value);
                match src_attr.value.as_str() {
                    Some(s) => match crate::config::modsource::parse(s) {
                        Ok(parsed) => {
                            registry = parsed.is_registry();
                            (s.to_string(), at)
                        }
                        Err(why) => {
                            self.diags
                                .push(err("Invalid module source address", why, at.clone()));
                            loadable = false;
                            (s.to_string(), at)
                        }
                    },
                    None => {
                        self.diags.push(err(
                            "Invalid module source",
                            "The module source must be a literal string.",
                            at.clone(),
                        ));
                        loadable = false;
                        (String::new(), at)
                    }
                }
            }
        };
        let mut version = None;
        if let Some(v) = self.attr(body, "version").filter(|_| loadable) {
            if let (true, Some(text)) = (registry, v.value.as_str()) {
                version = Some((text.to_string(), span_of(file, &v.value)));
            }
            if !registry {
                self.diags.push(err(
                    "Invalid version argument",
                    "A version constraint applies only to modules from a module registry; local, git and archive sources cannot have one (choose a git source's version with ?ref=).",
                    span_of(file, &v.key),
                ));
            } else if v.value.as_str().is_none() {
                self.diags.push(err(
                    "Invalid version argument",
                    "The version constraint must be a literal string, such as \"~> 1.2\".",
                    span_of(file, &v.value),
                ));
            }
        }
        let (count, for_each) = self.count_and_for_each(file, body);
        let mut inputs = BTreeMap::new();
        let mut providers = Vec::new();
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let k = a.key.value().as_str();
                    if k == "providers" {
                        providers = self.providers_map(file, &a.value);
                        continue;
                    }
                    if matches!(
                        k,
                        "source" | "version" | "count" | "for_each" | "depends_on"
                    ) {
                        continue;
                    }
                    inputs.insert(
                        k.to_string(),
                        (
                            span_of(file, &a.key),
                            Expr {
                                file,
                                expr: a.value.clone(),
                            },
                        ),
                    );
                }
                Structure::Block(ib) => self.unexpected_block(file, ib, "module"),
            }
        }
        let call = ModuleCall {
            name: name.to_string(),
            span: span_of(file, &b.labels[0]),
            source,
            source_span,
            version,
            child: usize::MAX,
            count,
            for_each,
            depends_on: self.depends_on(file, body),
            inputs,
            providers,
        };
        (call, loadable)
    }

    /// `azurerm` or `azurerm.dr` (a provider configuration reference).
    pub(super) fn provider_ref(&mut self, file: FileId, e: &Expression) -> Option<ProviderRef> {
        let span = span_of(file, e);
        let parsed = match e {
            Expression::Variable(v) => Some((v.value().as_str().to_string(), None)),
            Expression::Traversal(t) if t.operators.len() == 1 => {
                match (&t.expr, t.operators[0].value()) {
                    (Expression::Variable(v), TraversalOperator::GetAttr(a)) => Some((
                        v.value().as_str().to_string(),
                        Some(a.value().as_str().to_string()),
                    )),
                    _ => None,
                }
            }
            _ => None,
        };
        match parsed {
            Some((name, alias)) => Some(ProviderRef { name, alias, span }),
            None => {
                self.diags.push(err("Invalid provider configuration reference", "A provider configuration reference is a provider's local name, optionally followed by a period and a configuration alias, such as azurerm or azurerm.dr.", span));
                None
            }
        }
    }

    /// A module call's `providers = { CHILD = PARENT, ... }`.
    pub(super) fn providers_map(&mut self, file: FileId, e: &Expression) -> Vec<PassedProvider> {
        let Expression::Object(obj) = e else {
            self.diags.push(err("Invalid providers argument", "The providers argument of a module call is a map from the child module's provider configuration names to the caller's, such as { azurerm = azurerm.dr }.", span_of(file, e)));
            return Vec::new();
        };
        let mut out: Vec<PassedProvider> = Vec::new();
        for (k, v) in obj.iter() {
            let in_child = match k {
                hcl_edit::expr::ObjectKey::Ident(id) => Some(ProviderRef {
                    name: id.value().as_str().to_string(),
                    alias: None,
                    span: span_of(file, id),
                }),
                hcl_edit::expr::ObjectKey::Expression(ke) => self.provider_ref(file, ke),
            };
            let in_parent = self.provider_ref(file, v.expr());
            let (Some(in_child), Some(in_parent)) = (in_child, in_parent) else {
                continue;
            };
            if out.iter().any(|p| p.in_child.key() == in_child.key()) {
                self.diags.push(err(
                    "Duplicate provider address",
                    format!(
                        "The providers map already passes a configuration for {}.",
                        in_child.key()
                    ),
                    in_child.span.clone(),
                ));
                continue;
            }
            out.push(PassedProvider {
                in_child,
                in_parent,
            });
        }
        out
    }

    /// `required_providers { azurerm = { source = "...", configuration_aliases = [azurerm.dr] } }`.
    pub(super) fn decode_required_providers(
        &mut self,
        file: FileId,
        b: &Block,
        m: &mut BTreeMap<String, RequiredProvider>,
    ) {
        for s in b.body.iter() {
            let a = match s {
                Structure::Attribute(a) => a,
                Structure::Block(ib) => {
                    self.unexpected_block(file, ib, "required_providers");
                    continue;
                }
            };
            let name = a.key.value().as_str().to_string();
            let span = span_of(file, &a.key);
            let mut req = RequiredProvider {
                name: name.clone(),
                span: span.clone(),
                source: None,
                version: None,
                aliases: Vec::new(),
            };
            match &a.value {
                // The legacy form: a version constraint string.
                Expression::String(s) => {
                    req.version = Some((s.value().to_string(), span_of(file, &a.value)))
                }
                Expression::Object(obj) => {
                    for (k, v) in obj.iter() {
                        let key = match k {
                            hcl_edit::expr::ObjectKey::Ident(id) => id.value().as_str().to_string(),
                            hcl_edit::expr::ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                            hcl_edit::expr::ObjectKey::Expression(other) => {
                                self.diags.push(err("Invalid required_providers object", "Keys of a required_providers entry are source, version and configuration_aliases.", span_of(file, other)));
                                continue;
                            }
                        };
                        match key.as_str() {
                            "source" => match v.expr().as_str() {
                                Some(src) => req.source = Some(src.to_string()),
                                None => self.diags.push(err("Invalid source", "source must be a literal string, such as \"hashicorp/azurerm\".", span_of(file, v.expr()))),
                            },
                            "version" => {
                                if let Some(c) = v.expr().as_str() {
                                    req.version = Some((c.to_string(), span_of(file, v.expr())));
                                }
                            }
                            "configuration_aliases" => match v.expr() {
                                Expression::Array(arr) => {
                                    for item in arr.iter() {
                                        let Some(r) = self.provider_ref(file, item) else { continue };
                                        if r.name != name || r.alias.is_none() {
                                            self.diags.push(err("Invalid configuration_aliases value", format!("Each configuration alias of {name:?} must be of the form {name}.ALIAS."), r.span.clone()));
                                            continue;
                                        }
                                        req.aliases.push(r);
                                    }
                                }
                                other => self.diags.push(err("Invalid configuration_aliases value", "configuration_aliases must be a list of provider configuration references, such as [azurerm.dr].", span_of(file, other))),
                            },
                            other => self.diags.push(err("Invalid required_providers object", format!("{other:?} is not expected in a required_providers entry: use source, version and configuration_aliases."), span_of(file, k))),
                        }
                    }
                }
                other => self.diags.push(err("Invalid required_providers object", "A required_providers entry is an object with source, version and configuration_aliases.", span_of(file, other))),
            }
            if m.contains_key(&name) {
                self.diags.push(err(
                    "Duplicate required provider",
                    format!("A provider named {name:?} was already required in this module."),
                    span,
                ));
                continue;
            }
            m.insert(name, req);
        }
    }

    pub(super) fn decode_settings(&mut self, file: FileId, b: &Block, settings: &mut Settings) {
        self.check_body(
            file,
            &b.body,
            &["required_version", "experiments"],
            &["backend", "required_providers", "cloud", "provider_meta"],
            b.ident.value().as_str(),
        );
        if let Some(a) = self.attr(&b.body, "required_version") {
            if let Some(s) = a.value.as_str() {
                let span = span_of(file, &a.value);
                // A terraform block's constraint is about Terraform itself:
                // drinfra checks it against the language level it implements.
                if b.ident.value().as_str() == "drinfra" {
                    let ours = env!("CARGO_PKG_VERSION");
                    match super::super::version::satisfies(ours, s) {
                        Ok(true) => {}
                        Ok(false) => self.diags.push(err("Unsupported drinfra version", format!("This configuration requires drinfra {s}, but this is drinfra {ours}."), span.clone())),
                        Err(e) => self.diags.push(err("Invalid required_version", e.to_string(), span.clone())),
                    }
                } else {
                    let level = super::super::version::TERRAFORM_LANGUAGE;
                    match super::super::version::satisfies(level, s) {
                        Ok(true) => {}
                        Ok(false) => self.diags.push(err(
                            "Unsupported Terraform Core version",
                            format!("This configuration does not support Terraform version {level}, the Terraform language level drinfra {} implements (required_version = {s:?}). To proceed, use a drinfra that implements a supported Terraform version, or update this version constraint. Version constraints are normally set for good reason, so updating the constraint may lead to other errors or unexpected behavior.", env!("CARGO_PKG_VERSION")),
                            span.clone(),
                        )),
                        Err(e) => self.diags.push(err("Invalid version constraint", format!("This string does not use correct version constraint syntax. {e}"), span.clone())),
                    }
                }
                settings.required_version = Some((span, s.to_string()));
            } else {
                self.diags.push(err("Invalid version constraint", "A string value is required for required_version: a literal such as \">= 1.5\" (it is checked before anything is evaluated).", span_of(file, &a.value)));
            }
        }
        if let Some(a) = self.attr(&b.body, "experiments") {
            self.diags.push(err(
                "Unsupported argument",
                "drinfra has no language experiments.",
                span_of(file, &a.key),
            ));
        }
        for inner in b.body.blocks() {
            match inner.ident.value().as_str() {
                "backend" => {
                    let Some(l) = self.labels(file, inner, &["type"]) else {
                        continue;
                    };
                    if let Some(prev) = &settings.backend {
                        let prev = prev.span.clone();
                        self.duplicate(
                            "backend configuration",
                            &l[0],
                            &prev,
                            span_of(file, &inner.ident),
                        );
                        continue;
                    }
                    settings.backend = Some(BackendBlock {
                        kind: l[0].clone(),
                        span: span_of(file, &inner.ident),
                        body: BodyExpr {
                            file,
                            body: inner.body.clone(),
                        },
                    });
                }
                "cloud" => self.diags.push(err(
                    "Unsupported block type",
                    "drinfra does not use HCP Terraform; configure a backend block instead.",
                    span_of(file, &inner.ident),
                )),
                "required_providers" if self.labels(file, inner, &[]).is_some() => {
                    let mut req = std::mem::take(&mut settings.required_providers);
                    self.decode_required_providers(file, inner, &mut req);
                    settings.required_providers = req;
                }
                _ => {}
            }
        }
    }
}

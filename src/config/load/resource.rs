//! Decoding `resource` and `data` blocks: meta-arguments, `depends_on`
//! and `lifecycle`.

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};

use super::super::model::*;
use super::{Loader, attribute_path, err, span_of};
use crate::diag::{FileId, Span};
use crate::lang::refs::{Reference, references};

/// Whether `s` belongs to a resource's own arguments (its body as the
/// provider sees it) rather than to the meta-arguments and `lifecycle`,
/// `provisioner` and `connection` blocks.
pub(super) fn is_resource_argument(s: &Structure) -> bool {
    match s {
        Structure::Attribute(a) => !matches!(
            a.key.value().as_str(),
            "count" | "for_each" | "depends_on" | "provider"
        ),
        Structure::Block(b) => !matches!(
            b.ident.value().as_str(),
            "lifecycle" | "provisioner" | "connection"
        ),
    }
}

impl Loader {
    pub(super) fn depends_on(&mut self, file: FileId, body: &Body) -> Vec<(FileId, Reference)> {
        let Some(a) = self.attr(body, "depends_on") else {
            return vec![];
        };
        let Expression::Array(arr) = &a.value else {
            self.diags.push(err(
                "Invalid depends_on",
                "depends_on must be a list of references to resources or modules.",
                span_of(file, &a.value),
            ));
            return vec![];
        };
        let mut out = Vec::new();
        for e in arr.iter() {
            let refs = references(e);
            if refs.len() != 1 || !matches!(e, Expression::Traversal(_) | Expression::Variable(_)) {
                self.diags.push(err("Invalid depends_on reference", "Each entry in depends_on must be a reference to a resource or module, such as aws_instance.a or module.b.", span_of(file, e)));
                continue;
            }
            out.push((file, refs.into_iter().next().expect("one reference")));
        }
        out
    }

    pub(super) fn count_and_for_each(
        &mut self,
        file: FileId,
        body: &Body,
    ) -> (Option<Expr>, Option<Expr>) {
        let count = self.attr(body, "count").map(|a| Expr {
            file,
            expr: a.value.clone(),
        });
        let for_each = self.attr(body, "for_each").map(|a| Expr {
            file,
            expr: a.value.clone(),
        });
        if let (Some(_), Some(fe)) = (&count, &for_each) {
            self.diags.push(err("Invalid combination of \"count\" and \"for_each\"", "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.", fe.span().unwrap_or(Span::new(file, 0..0))));
        }
        (count, for_each)
    }

    pub(super) fn decode_resource(
        &mut self,
        file: FileId,
        b: &Block,
        mode: Mode,
        ty: &str,
        name: &str,
    ) -> Resource {
        let body = &b.body;
        let (count, for_each) = self.count_and_for_each(file, body);
        let mut lifecycle = Lifecycle::default();
        let mut seen_lifecycle = false;
        let mut rest = Body::new();
        for s in body.iter() {
            match s {
                Structure::Attribute(_) if !is_resource_argument(s) => {}
                Structure::Block(lb) if lb.ident.value().as_str() == "lifecycle" => {
                    if seen_lifecycle {
                        self.diags.push(err(
                            "Duplicate lifecycle block",
                            "Only one lifecycle block is allowed per resource.",
                            span_of(file, &lb.ident),
                        ));
                    }
                    seen_lifecycle = true;
                    lifecycle = self.decode_lifecycle(file, lb, mode);
                }
                Structure::Block(pb)
                    if matches!(pb.ident.value().as_str(), "provisioner" | "connection") =>
                {
                    self.diags.push(err("Unsupported block type", format!("drinfra does not run {} blocks: declare the desired state and let the provider reach it.", pb.ident.value().as_str()), span_of(file, &pb.ident)));
                }
                other => rest.push(other.clone()),
            }
        }
        let provider = self
            .attr(body, "provider")
            .and_then(|a| self.provider_ref(file, &a.value));
        Resource {
            mode,
            ty: ty.to_string(),
            name: name.to_string(),
            span: span_of(file, &b.labels[1]),
            type_span: span_of(file, &b.labels[0]),
            count,
            for_each,
            depends_on: self.depends_on(file, body),
            provider,
            lifecycle,
            body: BodyExpr { file, body: rest },
        }
    }

    pub(super) fn decode_lifecycle(&mut self, file: FileId, b: &Block, mode: Mode) -> Lifecycle {
        let allowed: &[&str] = if mode != Mode::Managed {
            &[]
        } else {
            &[
                "prevent_destroy",
                "create_before_destroy",
                "ignore_changes",
                "replace_triggered_by",
            ]
        };
        self.check_body(
            file,
            &b.body,
            allowed,
            &["precondition", "postcondition"],
            "lifecycle",
        );
        let preconditions = self.conditions(file, &b.body, "precondition");
        let postconditions = self.conditions(file, &b.body, "postcondition");
        let mut lc = Lifecycle {
            preconditions,
            postconditions,
            prevent_destroy: self.literal_bool(file, &b.body, "prevent_destroy", false),
            create_before_destroy: self.literal_bool(file, &b.body, "create_before_destroy", false),
            ..Lifecycle::default()
        };
        lc.prevent_destroy_span = b
            .body
            .get_attribute("prevent_destroy")
            .and_then(|a| hcl_edit::Span::span(&a.key))
            .map(|r| Span::new(file, r));
        if let Some(a) = self.attr(&b.body, "ignore_changes") {
            match &a.value {
                Expression::Variable(v) if v.value().as_str() == "all" => {
                    lc.ignore_changes = IgnoreChanges::All
                }
                Expression::Array(arr) => {
                    let mut paths = Vec::new();
                    for e in arr.iter() {
                        match attribute_path(e) {
                            Some(p) => paths.push(p),
                            None => self.diags.push(err("Invalid ignore_changes entry", "Each entry must be an attribute name or path, such as tags or tags[\"owner\"].", span_of(file, e))),
                        }
                    }
                    lc.ignore_changes = IgnoreChanges::Paths(paths);
                }
                other => self.diags.push(err(
                    "Invalid ignore_changes",
                    "ignore_changes must be a list of attribute paths or the keyword all.",
                    span_of(file, other),
                )),
            }
        }
        if let Some(a) = self.attr(&b.body, "replace_triggered_by") {
            match &a.value {
                Expression::Array(arr) => {
                    lc.replace_triggered_by = arr
                        .iter()
                        .map(|e| Expr {
                            file,
                            expr: e.clone(),
                        })
                        .collect()
                }
                other => self.diags.push(err(
                    "Invalid replace_triggered_by",
                    "replace_triggered_by must be a list of resource references.",
                    span_of(file, other),
                )),
            }
        }
        lc
    }
}

//! Decoding variables and outputs, and the shared checks of block bodies
//! (unexpected arguments, required and literal arguments, duplicates).

use std::collections::BTreeMap;

use hcl_edit::structure::{Attribute, Block, Body, Structure};

use super::super::model::*;
use super::{Loader, err, span_of};
use crate::diag::{FileId, Span};
use crate::lang::types::parse_type;
use crate::lang::{Evaluator, Scope, Type, Value};
use std::path::PathBuf;

/// What an `output` block may hold (its declaration, and an override of it).
pub(super) const OUTPUT_ARGS: &[&str] = &[
    "value",
    "description",
    "sensitive",
    "depends_on",
    "ephemeral",
];
pub(super) const OUTPUT_BLOCKS: &[&str] = &["precondition"];

impl Loader {
    pub(super) fn duplicate(&mut self, what: &str, name: &str, first: &Span, again: Span) {
        self.diags.push(err(
            &format!("Duplicate {what}"),
            format!("A {what} named {name:?} was already declared at line {}. Names must be unique within a module.", self.config.sources.get(first.file).line_col(first.range.start).line),
            again,
        ));
    }

    pub(super) fn unexpected_block(&mut self, file: FileId, b: &Block, within: &str) {
        self.diags.push(err(
            "Unsupported block type",
            format!(
                "Blocks of type {:?} are not expected in a {within} block.",
                b.ident.value().as_str()
            ),
            span_of(file, &b.ident),
        ));
    }

    /// Reports arguments and blocks not in the allowed lists.
    pub(super) fn check_body(
        &mut self,
        file: FileId,
        body: &Body,
        attrs: &[&str],
        blocks: &[&str],
        within: &str,
    ) {
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let k = a.key.value().as_str();
                    let sp = self.key_span(file, &a.key);
                    if !attrs.contains(&k) && self.json_defs.contains_key(&file) {
                        let names = attrs.iter().chain(blocks).copied();
                        let (summary, detail) = super::json::extraneous(k, names);
                        self.diags.push(err(summary, detail, sp));
                    } else if !attrs.contains(&k) {
                        self.diags.push(err(
                            "Unsupported argument",
                            format!("An argument named {k:?} is not expected in a {within} block."),
                            sp,
                        ));
                    } else if seen.contains_key(k) {
                        self.diags.push(err("Attribute redefined", format!("The argument {k:?} was already set. Each argument may be set only once."), sp));
                    } else {
                        seen.insert(k.to_string(), sp);
                    }
                }
                Structure::Block(b) => {
                    if !blocks.contains(&b.ident.value().as_str()) {
                        self.unexpected_block(file, b, within);
                    }
                }
            }
        }
    }

    pub(super) fn required_attr(&mut self, file: FileId, b: &Block, name: &str) -> Option<Expr> {
        match b.body.get_attribute(name) {
            Some(a) => Some(Expr {
                file,
                expr: a.value.clone(),
            }),
            None => {
                self.diags.push(err(
                    "Missing required argument",
                    format!("The argument {name:?} is required, but no definition was found."),
                    span_of(file, &b.ident),
                ));
                None
            }
        }
    }

    pub(super) fn attr<'b>(&self, b: &'b Body, name: &str) -> Option<&'b Attribute> {
        b.get_attribute(name)
    }

    /// A literal bool or string argument, evaluated without any scope.
    pub(super) fn literal(&mut self, file: FileId, a: &Attribute, ty: &Type) -> Option<Value> {
        let ev = Evaluator::new(file, PathBuf::from("."));
        match ev.eval(&a.value, &Scope::default()) {
            Ok(v) => match crate::lang::convert::convert(&v, ty) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.diags.push(err(
                        "Invalid value",
                        format!("{}: {}", a.key.value().as_str(), e.0),
                        span_of(file, &a.value),
                    ));
                    None
                }
            },
            Err(e) => {
                let detail = format!("{} {}", e.summary, e.detail);
                self.diags.push(err(
                    "Invalid value",
                    format!(
                        "The argument {:?} must be a literal value here: {detail}",
                        a.key.value().as_str()
                    ),
                    span_of(file, &a.value),
                ));
                None
            }
        }
    }

    pub(super) fn literal_bool(
        &mut self,
        file: FileId,
        body: &Body,
        name: &str,
        default: bool,
    ) -> bool {
        match self.attr(body, name) {
            Some(a) => matches!(self.literal(file, a, &Type::Bool), Some(Value::Bool(true))),
            None => default,
        }
    }

    pub(super) fn literal_string(
        &mut self,
        file: FileId,
        body: &Body,
        name: &str,
    ) -> Option<String> {
        let a = self.attr(body, name)?;
        match self.literal(file, a, &Type::String) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    pub(super) fn decode_variable(&mut self, file: FileId, b: &Block, name: &str) -> Variable {
        let body = &b.body;
        self.check_body(
            file,
            body,
            &[
                "type",
                "default",
                "description",
                "sensitive",
                "nullable",
                "ephemeral",
            ],
            &["validation"],
            "variable",
        );
        let ev = Evaluator::new(file, PathBuf::from("."));
        let (ty, has_type) = match self.attr(body, "type") {
            Some(a) => match parse_type(&a.value, &ev) {
                Ok(t) => (t, true),
                Err(e) => {
                    self.diags.push(err(
                        "Invalid type specification",
                        e.message,
                        Span::new(file, e.span.unwrap_or(0..0)),
                    ));
                    (Type::Dynamic, true)
                }
            },
            None => (Type::Dynamic, false),
        };
        let validations = self.conditions(file, body, "validation");
        Variable {
            name: name.to_string(),
            span: span_of(file, &b.labels[0]),
            ty,
            has_type,
            default: self.attr(body, "default").map(|a| Expr {
                file,
                expr: a.value.clone(),
            }),
            description: self.literal_string(file, body, "description"),
            sensitive: self.literal_bool(file, body, "sensitive", false),
            ephemeral: self.literal_bool(file, body, "ephemeral", false),
            nullable: self.literal_bool(file, body, "nullable", true),
            validations,
        }
    }

    pub(super) fn decode_output(&mut self, file: FileId, b: &Block, name: &str) -> Option<Output> {
        let body = &b.body;
        self.check_body(file, body, OUTPUT_ARGS, OUTPUT_BLOCKS, "output");
        let preconditions = self.conditions(file, body, "precondition");
        let value = self.required_attr(file, b, "value")?;
        Some(Output {
            name: name.to_string(),
            span: span_of(file, &b.labels[0]),
            value,
            description: self.literal_string(file, body, "description"),
            sensitive: self.literal_bool(file, body, "sensitive", false),
            ephemeral: self.literal_bool(file, body, "ephemeral", false),
            depends_on: self
                .depends_on(file, body)
                .into_iter()
                .map(|(_, r)| r)
                .collect(),
            preconditions,
        })
    }

    /// The `kind` blocks of `body` (`validation`, `precondition`,
    /// `assert`, ...), each a condition and an error message.
    pub(super) fn conditions(&mut self, file: FileId, body: &Body, kind: &str) -> Vec<Validation> {
        let mut out = Vec::new();
        for vb in body.get_blocks(kind) {
            self.check_body(file, &vb.body, &["condition", "error_message"], &[], kind);
            if let (Some(c), Some(m)) = (
                self.required_attr(file, vb, "condition"),
                self.required_attr(file, vb, "error_message"),
            ) {
                out.push(Validation {
                    condition: c,
                    error_message: m,
                });
            }
        }
        out
    }
}

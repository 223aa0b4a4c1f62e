//! Terraform's JSON configuration syntax (`*.tf.json`), read into the same
//! hcl-edit structures a native file parses to, so that everything after
//! parsing is the same for both.
//!
//! JSON says nothing about which properties are blocks or how a string is
//! meant (a template, an expression such as `depends_on`'s, or a literal
//! such as a variable's `default`): Terraform decides by the schema of the
//! block it decodes, and so does this reader (`schema.rs`; inside
//! resource bodies, the providers' answer the loader was given,
//! `super::nested`). Expressions are
//! parsed by hcl-edit from one synthetic text the length of the file, in
//! which each expression sits at the place it is written in the JSON and
//! everything else is blank: `[ "a-${var.x}" , (aws_instance.b) , 1 ]`. So
//! every expression carries its place in the JSON file, and errors found
//! later (evaluation, references) point into it.

mod reader;
pub(crate) use reader::edit_distance;
mod schema;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use hcl_edit::expr::{Array, Expression, Object, ObjectKey};
use hcl_edit::structure::{Attribute, Block, BlockLabel, Body};
use hcl_edit::{Decorate, Decorated, Ident};

use self::reader::{Json, Kind, Property};
use self::schema::{BodySchema, Read, Rest};
use super::nested::{NestedBlocks, resource_nesting};
use crate::diag::{Diagnostic, FileId, SourceFile, SourceMap, Span};

/// Parses one `.tf.json` file's text into a body of blocks, as
/// [`super::parse_file`] does for native files, registering it in the
/// source map. `blocks` says which properties of resource bodies are
/// nested blocks. Problems are all reported; a file with any is not used.
pub fn parse_json_file(
    sources: &mut SourceMap,
    path: PathBuf,
    text: String,
    blocks: &dyn NestedBlocks,
) -> (FileId, Result<(Body, Defs), Vec<Diagnostic>>) {
    let id = sources.add(path, text);
    let parsed = parse_json(sources.get(id), blocks).map_err(|problems| {
        problems
            .into_iter()
            .map(|(s, d, r)| {
                Diagnostic::error(s)
                    .with_detail(d)
                    .at(Some(Span::new(id, r)))
            })
            .collect()
    });
    (id, parsed)
}

/// The body of `file`, a `.tf.json` file's text, and where its blocks are
/// declared; or every problem found (offsets into its text).
pub(in crate::config::load) fn parse_json(
    file: &SourceFile,
    blocks: &dyn NestedBlocks,
) -> Result<(Body, Defs), Vec<Problem>> {
    let text = file.text.as_str();
    let name = file
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let root = reader::read(text).map_err(|e| vec![(e.summary, e.detail, e.span)])?;
    let mut b = Builder {
        text,
        t: vec![b' '; text.len()],
        roots: Vec::new(),
        fixes: BTreeMap::new(),
        problems: Vec::new(),
        nested: blocks,
    };
    let mut items = Vec::new();
    match &root.kind {
        Kind::Object(props) => b.body(props, &schema::TOP, "", &[], &mut items),
        Kind::Array(elems) => {
            for e in elems {
                match &e.kind {
                    Kind::Object(props) => b.body(props, &schema::TOP, "", &[], &mut items),
                    _ => b.problem(
                        "Incorrect JSON value type",
                        "A JSON object is required here, to define arguments and child blocks."
                            .into(),
                        e.span.start..e.span.start + 1,
                    ),
                }
            }
        }
        _ => b.problem(
            "Root value must be object",
            "The root value in a JSON-based configuration must be either a JSON object or a JSON array of objects.".into(),
            root.span.start..root.span.start + 1,
        ),
    }
    let Builder {
        t,
        roots,
        mut fixes,
        mut problems,
        ..
    } = b;
    let mut exprs = match parse_roots(t, &roots) {
        Ok(e) => e
            .into_iter()
            .map(|e| e.map(|e| fix(e, &mut fixes)))
            .collect(),
        Err(p) => {
            problems.push(p);
            Vec::new()
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut defs = Defs::new();
    let body = assemble(items, &mut exprs, &name, file, &mut defs, &mut problems);
    if problems.is_empty() {
        Ok((body, defs))
    } else {
        Err(problems)
    }
}

pub(in crate::config::load) type Problem = (&'static str, String, Range<usize>);

/// A name written as a JSON property: from the synthetic text (with its
/// place) or, when it cannot be written there as a bare name, as text.
#[derive(Debug, Clone)]
enum Name {
    Root(usize),
    Plain(String),
}

#[derive(Debug)]
enum Item {
    Attr {
        key: Name,
        /// The property from its name to its value (duplicates name it).
        span: Range<usize>,
        value: usize,
    },
    Block {
        ident: Name,
        labels: Vec<Name>,
        body: Vec<Item>,
        /// Where Terraform declares the block: its body's opening brace,
        /// or the bracket of the array holding it.
        def: usize,
    },
}

/// Where each block of a JSON file is declared (Terraform's `DefRange`,
/// where errors about the whole block point), keyed by where its last
/// name starts (its last label's span, or its type's without labels).
pub type Defs = BTreeMap<usize, usize>;

/// The name of a block that [`Defs`] keys it by.
pub fn def_key(b: &Block) -> Option<usize> {
    match b.labels.last() {
        Some(l) => hcl_edit::Span::span(l),
        None => hcl_edit::Span::span(&b.ident),
    }
    .map(|r| r.start)
}

/// A change to an expression once parsed, keyed by where it starts.
#[derive(Debug)]
enum Fix {
    /// A literal string written as a blank placeholder: its text.
    Str(String),
    /// An expression written in parentheses to keep it one element.
    Unparen,
    /// An expression parsed on its own (its places are approximate).
    Expr(Expression),
}

struct Builder<'a> {
    text: &'a str,
    /// The synthetic text: `[`, the roots at their places, `,` between them.
    t: Vec<u8>,
    roots: Vec<Range<usize>>,
    fixes: BTreeMap<usize, Fix>,
    problems: Vec<Problem>,
    /// Which resource properties are nested blocks.
    nested: &'a dyn NestedBlocks,
}

/// Words hcl-edit reads as keywords where a bare name would stand.
const KEYWORDS: &[&str] = &[
    "true", "false", "null", "for", "in", "if", "else", "endif", "endfor",
];

fn bare_name(name: &str) -> bool {
    hcl_edit::Ident::try_new(name).is_ok() && !KEYWORDS.contains(&name)
}

fn has_template(s: &str) -> bool {
    s.contains("${") || s.contains("%{")
}

impl Builder<'_> {
    fn problem(&mut self, summary: &'static str, detail: String, span: Range<usize>) {
        self.problems.push((summary, detail, span));
    }

    fn write(&mut self, at: usize, s: &[u8]) {
        if let Some(dst) = self.t.get_mut(at..at + s.len()) {
            dst.copy_from_slice(s);
        }
    }

    fn root(&mut self, span: Range<usize>) -> usize {
        self.roots.push(span);
        self.roots.len() - 1
    }

    /// A property name read as a name (a block type, an argument).
    fn name(&mut self, p: &Property) -> Name {
        if !p.name_escaped && bare_name(&p.name) {
            let r = p.name_span.start + 1..p.name_span.end - 1;
            self.write(r.start, p.name.as_bytes());
            Name::Root(self.root(r))
        } else {
            Name::Plain(p.name.clone())
        }
    }

    /// A property name read as a block label.
    fn label(&mut self, p: &Property) -> Name {
        if !p.name_escaped && bare_name(&p.name) {
            return self.name(p);
        }
        if !p.name_escaped && !has_template(&p.name) {
            let r = p.name_span.clone();
            self.write(r.start, self.text[r.clone()].as_bytes());
            return Name::Root(self.root(r));
        }
        Name::Plain(p.name.clone())
    }

    /// Whether property `name` of the body at `path` is a nested block
    /// by the provider's schema.
    fn provider_block(&self, path: &[String], name: &str) -> bool {
        resource_nesting(path).is_some_and(|(mode, ty, mut nested)| {
            nested.push(name);
            self.nested.is_block(mode, ty, &nested)
        })
    }

    /// The properties of a JSON object that is a body of `schema`, found
    /// at `path` (the block types and labels leading to it).
    fn body(
        &mut self,
        props: &[Property],
        schema: &BodySchema,
        kind: &str,
        path: &[String],
        out: &mut Vec<Item>,
    ) {
        for p in props {
            if p.name == "//" {
                continue;
            }
            let mut inner = path.to_vec();
            inner.push(p.name.clone());
            if let Some((labels, sub)) = schema.block(&p.name) {
                let ident = self.name(p);
                self.blocks(
                    &p.name,
                    ident,
                    &p.value,
                    labels,
                    sub,
                    Vec::new(),
                    inner,
                    out,
                );
                continue;
            }
            if let (Rest::ObjectsAreBlocks(sub), Kind::Object(_)) = (schema.rest, &p.value.kind) {
                let ident = self.name(p);
                self.blocks(&p.name, ident, &p.value, 0, sub, Vec::new(), inner, out);
                continue;
            }
            if matches!(schema.rest, Rest::ProviderBlocks) && self.provider_block(path, &p.name) {
                let ident = self.name(p);
                let sub = &schema::NESTED;
                self.blocks(&p.name, ident, &p.value, 0, sub, Vec::new(), inner, out);
                continue;
            }
            if kind.is_empty() || hcl_edit::Ident::try_new(&p.name).is_err() {
                if kind == "locals" {
                    self.problem("Invalid local value name", "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.".into(), p.name_span.clone());
                } else {
                    let names = schema.blocks.iter().map(|(n, _, _)| *n);
                    let names = names.chain(schema.args.iter().map(|(n, _)| *n));
                    let (summary, detail) = extraneous(&p.name, names);
                    self.problem(summary, detail, p.name_span.clone());
                }
                continue;
            }
            let key = self.name(p);
            self.value(&p.value, schema.read(&p.name));
            let value = self.root(p.value.span.clone());
            out.push(Item::Attr {
                key,
                span: p.name_span.start..p.value.span.end,
                value,
            });
        }
    }

    fn block_body(
        &mut self,
        props: &[Property],
        schema: &BodySchema,
        kind: &str,
        path: &[String],
    ) -> Vec<Item> {
        let mut body = Vec::new();
        self.body(props, schema, kind, path, &mut body);
        body
    }

    /// The blocks of type `kind` a property's value declares: `labels`
    /// more levels of objects keyed by label, then a body (an object) or
    /// several (an array of objects) at each level.
    #[allow(clippy::too_many_arguments)]
    fn blocks(
        &mut self,
        kind: &str,
        ident: Name,
        v: &Json,
        labels: usize,
        schema: &BodySchema,
        have: Vec<Name>,
        path: Vec<String>,
        out: &mut Vec<Item>,
    ) {
        match &v.kind {
            // A null body declares no block, as in Terraform.
            Kind::Null if labels == 0 => {}
            Kind::Array(elems)
                if elems.iter().all(|e| match e.kind {
                    Kind::Object(_) => true,
                    Kind::Null => labels == 0,
                    _ => false,
                }) =>
            {
                for e in elems {
                    let (i, h, p) = (ident.clone(), have.clone(), path.clone());
                    match &e.kind {
                        // Terraform declares each body of an array at the
                        // array's bracket.
                        Kind::Object(props) if labels == 0 => {
                            let body = self.block_body(props, schema, kind, &p);
                            out.push(Item::Block {
                                ident: i,
                                labels: h,
                                body,
                                def: v.span.start,
                            });
                        }
                        _ => self.blocks(kind, i, e, labels, schema, h, p, out),
                    }
                }
            }
            Kind::Object(props) if labels > 0 => {
                for p in props.iter().filter(|p| p.name != "//") {
                    let mut more = have.clone();
                    more.push(self.label(p));
                    let mut deeper = path.clone();
                    deeper.push(p.name.clone());
                    let i = ident.clone();
                    self.blocks(kind, i, &p.value, labels - 1, schema, more, deeper, out);
                }
            }
            Kind::Object(props) => {
                let body = self.block_body(props, schema, kind, &path);
                out.push(Item::Block {
                    ident,
                    labels: have,
                    body,
                    def: v.span.start,
                });
            }
            _ if labels > 0 => {
                let what = label_name(kind, have.len());
                self.problem(
                    "Incorrect JSON value type",
                    format!("Either a JSON object or JSON array of objects is required here, to specify {what} labels for this block."),
                    v.span.start..v.span.start + 1,
                );
            }
            _ => self.problem(
                "Incorrect JSON value type",
                format!("Either a JSON object or a JSON array is required, representing the contents of one or more {kind:?} blocks."),
                v.span.start..v.span.start + 1,
            ),
        }
    }

    /// Writes an argument's value into the synthetic text, read as `read`.
    fn value(&mut self, v: &Json, read: Read) {
        let span = v.span.clone();
        match &v.kind {
            Kind::Null | Kind::Bool(_) => self.write(span.start, self.text[span].as_bytes()),
            Kind::Number => {
                let literal = &self.text[span.clone()];
                if literal.parse::<f64>().is_ok_and(f64::is_infinite) {
                    self.problem("Number out of range", format!("The number {literal} is larger than drinfra's numbers can hold (64-bit floating point, at most about 1.8e308)."), span.clone());
                    self.write(span.start, b"0");
                } else {
                    self.write(span.start, literal.as_bytes());
                }
            }
            Kind::String { value, escaped } => self.string(span, value, *escaped, read),
            Kind::Array(items) => {
                self.write(span.start, b"[");
                self.write(span.end - 1, b"]");
                let read = if read == Read::RequiredProvider {
                    Read::Template
                } else {
                    read
                };
                for (i, item) in items.iter().enumerate() {
                    self.value(item, read);
                    if i + 1 < items.len() {
                        self.write(item.span.end, b",");
                    }
                }
            }
            Kind::Object(props) => {
                self.write(span.start, b"{");
                self.write(span.end - 1, b"}");
                for (i, p) in props.iter().enumerate() {
                    let key = p.name_span.clone();
                    if !p.name_escaped && bare_name(&p.name) {
                        self.write(key.start + 1, p.name.as_bytes());
                    } else {
                        let kread = match read {
                            Read::RequiredProvider => Read::Template,
                            r => r,
                        };
                        self.string(key.clone(), &p.name, p.name_escaped, kread);
                    }
                    self.write(key.end, b"=");
                    let vread = match read {
                        Read::RequiredProvider if p.name == "configuration_aliases" => Read::Expr,
                        Read::RequiredProvider => Read::Template,
                        r => r,
                    };
                    self.value(&p.value, vread);
                    if i + 1 < props.len() {
                        self.write(p.value.span.end, b",");
                    }
                }
            }
        }
    }

    /// Writes a JSON string (its range `span`, quotes included) read as
    /// `read`.
    fn string(&mut self, span: Range<usize>, value: &str, escaped: bool, read: Read) {
        let blank = |b: &mut Self, fix: Fix| {
            let mut placeholder = vec![b' '; span.len()];
            placeholder[0] = b'"';
            placeholder[span.len() - 1] = b'"';
            b.write(span.start, &placeholder);
            b.fixes.insert(span.start, fix);
        };
        match read {
            Read::Literal => blank(self, Fix::Str(value.to_string())),
            Read::Expr => {
                let comment = value.contains('#') || value.contains("//") || value.contains("/*");
                if comment {
                    // A comment would hide the text after it: parse alone.
                    match hcl_edit::parser::parse_expr(value) {
                        Ok(e) => blank(self, Fix::Expr(e)),
                        Err(e) => self.problem(
                            "Invalid expression",
                            e.message().to_string(),
                            span.start + 1..span.end - 1,
                        ),
                    }
                    return;
                }
                self.write(span.start, b"(");
                self.write(span.start + 1, value.as_bytes());
                self.write(span.start + 1 + value.len(), b")");
                self.fixes.insert(span.start, Fix::Unparen);
            }
            Read::Template | Read::RequiredProvider => {
                if !escaped {
                    self.write(span.start, self.text[span.clone()].as_bytes());
                } else if !has_template(value) {
                    blank(self, Fix::Str(value.to_string()));
                } else {
                    let quoted = hcl_quoted(value);
                    if quoted.len() <= span.len() {
                        self.write(span.start, quoted.as_bytes());
                    } else {
                        match hcl_edit::parser::parse_expr(&quoted) {
                            Ok(e) => blank(self, Fix::Expr(e)),
                            Err(e) => self.problem(
                                "Invalid template",
                                e.message().to_string(),
                                span.clone(),
                            ),
                        }
                    }
                }
            }
        }
    }
}

/// Terraform's error for a JSON property that is neither an argument nor
/// a block type of its body, with the closest of `names` as a hint.
pub fn extraneous<'a>(
    name: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> (&'static str, String) {
    let hint = names
        .into_iter()
        .find(|n| reader::edit_distance(name, n) < 3)
        .map(|n| format!(" Did you mean {n:?}?"))
        .unwrap_or_default();
    (
        "Extraneous JSON object property",
        format!("No argument or block type is named {name:?}.{hint}"),
    )
}

/// Terraform's names for the labels of each block type, for messages.
fn label_name(kind: &str, index: usize) -> &'static str {
    match (kind, index) {
        ("resource" | "data" | "ephemeral", 0) => "type",
        ("backend" | "dynamic", 0) => "type",
        ("provisioner", 0) => "type",
        _ => "name",
    }
}

/// A template's text (as a `.tf.json` string holds it: no backslash
/// escapes of its own) as a native quoted string: the literal parts
/// escaped, the interpolations and directives as written.
fn hcl_quoted(s: &str) -> String {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        /// The template's own literal text.
        Top,
        /// Inside `${ }` / `%{ }`, with the count of open braces.
        Interp(usize),
        /// A quoted string inside an interpolation.
        Str,
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut stack = vec![Mode::Top];
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let mode = *stack.last().unwrap_or(&Mode::Top);
        let rest = &s[i..];
        match mode {
            Mode::Top | Mode::Str => {
                if rest.starts_with("$${") || rest.starts_with("%%{") {
                    out.push_str(&rest[..3]);
                    chars.next();
                    chars.next();
                } else if rest.starts_with("${") || rest.starts_with("%{") {
                    out.push_str(&rest[..2]);
                    chars.next();
                    stack.push(Mode::Interp(0));
                } else if mode == Mode::Str {
                    out.push(c);
                    if c == '\\' {
                        if let Some((_, n)) = chars.next() {
                            out.push(n);
                        }
                    } else if c == '"' {
                        stack.pop();
                    }
                } else {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
                        c => out.push(c),
                    }
                }
            }
            Mode::Interp(depth) => {
                match c {
                    '"' => stack.push(Mode::Str),
                    '{' => {
                        stack.pop();
                        stack.push(Mode::Interp(depth + 1));
                    }
                    '}' if depth == 0 => {
                        stack.pop();
                    }
                    '}' => {
                        stack.pop();
                        stack.push(Mode::Interp(depth - 1));
                    }
                    _ => {}
                }
                out.push(if c == '\n' || c == '\r' { ' ' } else { c });
            }
        }
    }
    out.push('"');
    out
}

/// Parses the synthetic text: one tuple whose elements are the roots.
fn parse_roots(mut t: Vec<u8>, roots: &[Range<usize>]) -> Result<Vec<Option<Expression>>, Problem> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    for pair in roots.windows(2) {
        if let Some(c) = t.get_mut(pair[0].end) {
            *c = b',';
        }
    }
    let last = roots[roots.len() - 1].end;
    if let Some(c) = t.get_mut(last) {
        *c = b']';
    }
    // hcl-edit takes no trailing blanks after a lone expression.
    t.truncate(last + 1);
    if let Some(c) = t.first_mut() {
        *c = b'[';
    }
    let text = String::from_utf8(t).map_err(|_| {
        (
            "Invalid syntax",
            "drinfra could not read this file's expressions.".to_string(),
            0..0,
        )
    })?;
    match hcl_edit::parser::parse_expr(&text) {
        Ok(Expression::Array(a)) if a.len() == roots.len() => Ok(a.into_iter().map(Some).collect()),
        Ok(_) => Err((
            "Invalid syntax",
            "drinfra could not read this file's expressions.".to_string(),
            0..0,
        )),
        Err(e) => {
            let at = e.location().offset().min(text.len());
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            Err((
                "Invalid expression",
                format!("Invalid syntax: {}", e.message()),
                at..end,
            ))
        }
    }
}

/// Applies the fixes to an expression and those within it.
fn fix(e: Expression, fixes: &mut BTreeMap<usize, Fix>) -> Expression {
    let start = hcl_edit::Span::span(&e).map(|r| r.start);
    let e = match start.and_then(|s| fixes.remove(&s)) {
        Some(Fix::Str(s)) => match e {
            Expression::String(mut d) => {
                *d.value_mut() = s;
                return Expression::String(d);
            }
            other => other,
        },
        Some(Fix::Unparen) => match e {
            Expression::Parenthesis(p) => p.into_inner(),
            other => other,
        },
        Some(Fix::Expr(x)) => return x,
        None => e,
    };
    match e {
        Expression::Array(a) => {
            let mut out = Array::new();
            for item in a {
                out.push(fix(item, fixes));
            }
            Expression::Array(out)
        }
        Expression::Object(o) => {
            let mut out = Object::new();
            for (k, mut v) in o {
                let k = match k {
                    ObjectKey::Expression(ke) => ObjectKey::Expression(fix(ke, fixes)),
                    ident => ident,
                };
                let inner = std::mem::replace(
                    v.expr_mut(),
                    Expression::Null(Decorated::new(hcl_edit::expr::Null)),
                );
                *v.expr_mut() = fix(inner, fixes);
                out.insert(k, v);
            }
            Expression::Object(out)
        }
        other => other,
    }
}

/// Builds the body from the decoded items and the parsed roots.
fn assemble(
    items: Vec<Item>,
    exprs: &mut [Option<Expression>],
    file_name: &str,
    file: &crate::diag::SourceFile,
    defs: &mut Defs,
    problems: &mut Vec<Problem>,
) -> Body {
    let mut body = Body::new();
    let mut seen: BTreeMap<String, Range<usize>> = BTreeMap::new();
    for item in items {
        match item {
            Item::Attr { key, span, value } => {
                let key = ident_of(&key, exprs);
                let name = key.value().as_str().to_string();
                let value = exprs
                    .get_mut(value)
                    .and_then(Option::take)
                    .unwrap_or(Expression::Null(Decorated::new(hcl_edit::expr::Null)));
                if let Some(prev) = seen.get(&name) {
                    let (a, b) = (file.line_col(prev.start), file.line_col(prev.end));
                    let cols = if a.line == b.line {
                        format!("{},{}-{}", a.line, a.col, b.col)
                    } else {
                        format!("{},{}-{},{}", a.line, a.col, b.line, b.col)
                    };
                    problems.push((
                        "Duplicate attribute definition",
                        format!("The argument {name:?} was already set at {file_name}:{cols}."),
                        span,
                    ));
                    continue;
                }
                seen.insert(name, span);
                body.push(Attribute::new(key, value));
            }
            Item::Block {
                ident,
                labels,
                body: inner,
                def,
            } => {
                let mut b = Block::new(ident_of(&ident, exprs));
                b.labels = labels.iter().map(|l| label_of(l, exprs)).collect();
                b.body = assemble(inner, exprs, file_name, file, defs, problems);
                if let Some(k) = def_key(&b) {
                    defs.insert(k, def);
                }
                body.push(b);
            }
        }
    }
    body
}

fn ident_of(n: &Name, exprs: &[Option<Expression>]) -> Decorated<Ident> {
    match n {
        Name::Root(i) => match exprs.get(*i) {
            Some(Some(Expression::Variable(d))) => {
                let mut d = d.clone();
                d.decor_mut().clear();
                d
            }
            _ => Decorated::new(Ident::new_unchecked("_")),
        },
        Name::Plain(s) => Decorated::new(Ident::new_unchecked(s.clone())),
    }
}

fn label_of(n: &Name, exprs: &[Option<Expression>]) -> BlockLabel {
    match n {
        Name::Root(i) => match exprs.get(*i) {
            Some(Some(Expression::Variable(d))) => {
                let mut d = d.clone();
                d.decor_mut().clear();
                BlockLabel::Ident(d)
            }
            Some(Some(Expression::String(d))) => {
                let mut d = d.clone();
                d.decor_mut().clear();
                BlockLabel::String(d)
            }
            _ => BlockLabel::from(String::new()),
        },
        Name::Plain(s) => BlockLabel::from(s.clone()),
    }
}

#[cfg(test)]
mod tests;

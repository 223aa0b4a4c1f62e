//! Override files (`override.tf`, `*_override.tf`, and the same in JSON
//! syntax, `*_override.tf.json`), merged as Terraform merges them: after
//! every normal file, in name order, each top-level block into the one
//! block of the module with the same type and labels, whatever the syntax
//! of either file.
//!
//! The merge works on decoded blocks plus the syntax that says which
//! arguments an override sets, so it does not depend on the file's syntax.
//! A body that ends up holding syntax from two files (a resource's
//! arguments, a provider's settings) lives in a joined source file
//! (`SourceMap::join`), so every span still leads to the file and line it
//! was written at.

use std::collections::BTreeSet;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};

use super::super::model::*;
use super::resource::is_resource_argument;
use super::{Loader, err, span_of};
use crate::diag::{FileId, Span};
use crate::lang::{Evaluator, Scope, Value};

/// Per (base file, override file): their joined file and the override
/// file's body read again at its offset there (None if that failed).
pub(super) type Joined = std::collections::HashMap<(FileId, FileId), (FileId, Option<Body>)>;

/// The value of an expression that needs no scope (a variable's default).
fn constant(e: &Expr) -> Option<Value> {
    Evaluator::new(e.file, std::path::PathBuf::from("."))
        .eval(&e.expr, &Scope::default())
        .ok()
}

/// `b` without its nested blocks of the given types (`validation`), and
/// `lifecycle` blocks without theirs (`precondition`).
fn without_blocks(b: &Block, kinds: &[&str], in_lifecycle: &[&str]) -> Block {
    let mut out = b.clone();
    let mut body = Body::new();
    for s in b.body.iter() {
        match s {
            Structure::Block(inner) if kinds.contains(&inner.ident.value().as_str()) => {}
            Structure::Block(inner) if inner.ident.value().as_str() == "lifecycle" => {
                body.push(Structure::Block(without_blocks(inner, in_lifecycle, &[])));
            }
            other => body.push(other.clone()),
        }
    }
    out.body = body;
    out
}

impl Loader {
    /// Terraform's declaration range of a block, where problems with the
    /// whole block point: in native syntax from its type keyword to the end
    /// of its last label; in JSON the brace (or array bracket) its body
    /// starts at.
    pub(super) fn decl_span(&self, file: FileId, b: &Block) -> Span {
        let def = self.json_defs.get(&file).and_then(|defs| {
            let key = super::json::def_key(b)?;
            defs.get(&key)
        });
        if let Some(&at) = def {
            return Span::new(file, at..at + 1);
        }
        let start = hcl_edit::Span::span(&b.ident).map_or(0, |r| r.start);
        let end = b
            .labels
            .last()
            .and_then(hcl_edit::Span::span)
            .or_else(|| hcl_edit::Span::span(&b.ident))
            .map_or(start, |r| r.end);
        Span::new(file, start..end)
    }

    /// Where an argument's name is: in JSON, Terraform's place is the
    /// property name with its quotes.
    pub(super) fn key_span(
        &self,
        file: FileId,
        key: &hcl_edit::Decorated<hcl_edit::Ident>,
    ) -> Span {
        let at = span_of(file, key);
        if self.json_defs.contains_key(&file) && at.range.start > 0 {
            return Span::new(file, at.range.start - 1..at.range.end + 1);
        }
        at
    }

    /// Merges one parsed override file into the module its directory's
    /// normal files declared.
    pub(super) fn merge_override_file(
        &mut self,
        file: FileId,
        body: &Body,
        m: &mut Module,
        pending: &mut Vec<String>,
    ) {
        // The first backend block of this file: a second one is an error.
        let mut backend: Option<Span> = None;
        for (index, s) in body.iter().enumerate() {
            match s {
                Structure::Attribute(a) => self.diags.push(err(
                    "Unsupported argument",
                    format!(
                        "An argument named {:?} is not expected here.",
                        a.key.value().as_str()
                    ),
                    span_of(file, &a.key),
                )),
                Structure::Block(b) => {
                    self.merge_override_block(file, index, b, m, pending, &mut backend)
                }
            }
        }
    }

    fn merge_override_block(
        &mut self,
        file: FileId,
        index: usize,
        b: &Block,
        m: &mut Module,
        pending: &mut Vec<String>,
        backend: &mut Option<Span>,
    ) {
        let kind = b.ident.value().as_str();
        match kind {
            "variable" => self.override_variable(file, b, m),
            "locals" => self.override_locals(file, b, m),
            "output" => self.override_output(file, b, m),
            "module" => self.override_module_call(file, b, m, pending),
            "resource" | "data" | "ephemeral" => self.override_resource(file, index, b, m),
            "provider" => self.override_provider(file, index, b, m),
            "terraform" | "drinfra" => self.override_settings(file, b, m, backend),
            "moved" => self.diags.push(err(
                "Cannot override 'moved' blocks",
                "Records of moved objects can appear only in normal files, not in override files.",
                self.decl_span(file, b),
            )),
            "import" => self.diags.push(err(
                "Cannot override 'import' blocks",
                "Import blocks can appear only in normal files, not in override files.",
                self.decl_span(file, b),
            )),
            "check" => self.diags.push(err(
                "Can't override check blocks",
                "Override files cannot override check blocks.",
                self.decl_span(file, b),
            )),
            "failover_group" | "notification" | "health_check" => self.diags.push(err(
                "Unsupported block type in override file",
                format!(
                    "drinfra merges only Terraform's block types from override files; declare {kind} blocks in a normal file."
                ),
                self.decl_span(file, b),
            )),
            // Terraform reads a `removed` block in an override file (so its
            // problems are reported) and then leaves it out of the module.
            // Anything else gets the errors a normal file would.
            _ => {
                let mut scratch = Module::default();
                let mut none = Vec::new();
                self.decode_block(file, b, &mut scratch, &mut none);
            }
        }
    }

    /// Reports the nested blocks of `kinds` in `body` (which override files
    /// cannot override).
    fn refuse_blocks(&mut self, file: FileId, body: &Body, kinds: &[&str]) {
        for inner in body.blocks() {
            let k = inner.ident.value().as_str();
            if kinds.contains(&k) {
                let at = self.decl_span(file, inner);
                self.diags.push(err(
                    &format!("Can't override {k} blocks"),
                    format!("Override files cannot override {k:?} blocks."),
                    at,
                ));
            }
        }
    }

    fn override_variable(&mut self, file: FileId, b: &Block, m: &mut Module) {
        let Some(l) = self.labels(file, b, &["name"]) else {
            return;
        };
        self.refuse_blocks(file, &b.body, &["validation"]);
        let ov = self.decode_variable(file, &without_blocks(b, &["validation"], &[]), &l[0]);
        let set = |k: &str| b.body.get_attribute(k).is_some();
        let decl = self.decl_span(file, b);
        // As in a normal file, the block's own default must suit its own
        // type and nullability.
        let mut own_default_ok = true;
        if let Some(d) = &ov.default
            && let Some(v) = constant(d)
        {
            let at = d.span().unwrap_or(decl.clone());
            if set("type")
                && let Err(e) = crate::lang::convert::convert(&v, &ov.ty)
            {
                own_default_ok = false;
                self.diags.push(err(
                    "Invalid default value for variable",
                    format!(
                        "This default value is not compatible with the variable's type constraint: {}.",
                        e.0
                    ),
                    at.clone(),
                ));
            }
            if !ov.nullable && v == Value::Null {
                self.diags.push(err(
                    "Invalid default value for variable",
                    "A null default value is not valid when nullable=false.",
                    at,
                ));
            }
        }
        let Some(base) = m.variables.get_mut(&l[0]) else {
            self.diags.push(err(
                "Missing base variable declaration to override",
                format!("There is no variable named {:?}. An override file can only override a variable that was already declared in a primary configuration file.", l[0]),
                decl,
            ));
            return;
        };
        if set("description") {
            base.description = ov.description;
        }
        if set("sensitive") {
            base.sensitive = ov.sensitive;
        }
        if set("default") {
            base.default = ov.default;
        }
        if set("type") {
            base.ty = ov.ty;
            base.has_type = true;
        }
        if set("nullable") {
            base.nullable = ov.nullable;
        }
        if set("ephemeral") {
            base.ephemeral = ov.ephemeral;
        }
        // An overridden type may no longer suit the default, or the other
        // way round.
        if !own_default_ok {
            // Reported once: the variable then takes its default as it is.
            base.ty = crate::lang::Type::Dynamic;
        }
        let Some(v) = base.default.as_ref().and_then(constant) else {
            return;
        };
        if own_default_ok
            && (set("type") || set("default"))
            && let Err(e) = crate::lang::convert::convert(&v, &base.ty)
        {
            let detail = match (set("type"), set("default")) {
                (true, false) => format!(
                    "Overriding this variable's type constraint has made its default value invalid: {}.",
                    e.0
                ),
                (false, true) => format!(
                    "The overridden default value for this variable is not compatible with the variable's type constraint: {}.",
                    e.0
                ),
                _ => format!(
                    "This variable's default value is not compatible with its type constraint: {}.",
                    e.0
                ),
            };
            self.diags.push(err(
                "Invalid default value for variable",
                detail,
                decl.clone(),
            ));
            base.ty = crate::lang::Type::Dynamic;
        }
        if !base.nullable && v == Value::Null {
            self.diags.push(err(
                "Invalid default value for variable",
                "A null default value is not valid when nullable=false.",
                decl,
            ));
        }
    }

    fn override_locals(&mut self, file: FileId, b: &Block, m: &mut Module) {
        if self.labels(file, b, &[]).is_none() {
            return;
        }
        for s in b.body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let name = a.key.value().as_str();
                    let at = self.key_span(file, &a.key);
                    match m.locals.get_mut(name) {
                        // The override's definition replaces the whole value,
                        // and problems with it point there.
                        Some(base) => {
                            base.value = Expr {
                                file,
                                expr: a.value.clone(),
                            };
                            base.span = at;
                        }
                        None => self.diags.push(err(
                            "Missing base local value definition to override",
                            format!("There is no local value named {name:?}. An override file can only override a local value that was already defined in a primary configuration file."),
                            at,
                        )),
                    }
                }
                Structure::Block(inner) => self.unexpected_block(file, inner, "locals"),
            }
        }
    }

    /// `depends_on` cannot be overridden: reported at its first entry.
    fn refuse_depends_on(&mut self, file: FileId, body: &Body) {
        let Some(a) = body.get_attribute("depends_on") else {
            return;
        };
        let mut at = match &a.value {
            Expression::Array(arr) => match arr.iter().next() {
                Some(first) => span_of(file, first),
                // An empty list overrides nothing.
                None => return,
            },
            other => span_of(file, other),
        };
        // Terraform reads a JSON string's address from its opening quote,
        // so its place is one character before the address.
        if self.json_defs.contains_key(&file) && at.range.start > 0 {
            at = Span::new(file, at.range.start - 1..at.range.end);
        }
        self.diags.push(err(
            "Unsupported override",
            "The depends_on argument may not be overridden.",
            at,
        ));
    }

    fn override_output(&mut self, file: FileId, b: &Block, m: &mut Module) {
        let Some(l) = self.labels(file, b, &["name"]) else {
            return;
        };
        let body = &b.body;
        self.check_body(
            file,
            body,
            super::values::OUTPUT_ARGS,
            super::values::OUTPUT_BLOCKS,
            "output",
        );
        self.refuse_blocks(file, body, &["precondition"]);
        let description = self.literal_string(file, body, "description");
        let sensitive = body
            .get_attribute("sensitive")
            .map(|_| self.literal_bool(file, body, "sensitive", false));
        let ephemeral = body
            .get_attribute("ephemeral")
            .map(|_| self.literal_bool(file, body, "ephemeral", false));
        let Some(base) = m.outputs.get_mut(&l[0]) else {
            self.diags.push(err(
                "Missing base output definition to override",
                format!("There is no output named {:?}. An override file can only override an output that was already defined in a primary configuration file.", l[0]),
                self.decl_span(file, b),
            ));
            return;
        };
        // An empty description leaves the original one.
        if let Some(d) = description.filter(|d| !d.is_empty()) {
            base.description = Some(d);
        }
        if let Some(a) = body.get_attribute("value") {
            base.value = Expr {
                file,
                expr: a.value.clone(),
            };
        }
        if let Some(s) = sensitive {
            base.sensitive = s;
        }
        if let Some(e) = ephemeral {
            base.ephemeral = e;
        }
        self.refuse_depends_on(file, body);
    }

    fn override_module_call(
        &mut self,
        file: FileId,
        b: &Block,
        m: &mut Module,
        pending: &mut Vec<String>,
    ) {
        let Some(l) = self.labels(file, b, &["name"]) else {
            return;
        };
        let body = &b.body;
        // What the override sets, read (and checked) before it is merged.
        let source = body.get_attribute("source").map(|a| {
            let at = span_of(file, &a.value);
            match a.value.as_str() {
                Some(s) => match crate::config::modsource::parse(s) {
                    Ok(parsed) => (s.to_string(), at, Some(parsed.is_registry())),
                    Err(why) => {
                        self.diags
                            .push(err("Invalid module source address", why, at.clone()));
                        (s.to_string(), at, None)
                    }
                },
                None => {
                    self.diags.push(err(
                        "Invalid module source",
                        "The module source must be a literal string.",
                        at.clone(),
                    ));
                    (String::new(), at, None)
                }
            }
        });
        let (count, for_each) = self.count_and_for_each(file, body);
        let providers = body
            .get_attribute("providers")
            .map(|a| self.providers_map(file, &a.value));
        let mut inputs = Vec::new();
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let k = a.key.value().as_str();
                    if !matches!(
                        k,
                        "source" | "version" | "count" | "for_each" | "depends_on" | "providers"
                    ) {
                        inputs.push((
                            k.to_string(),
                            (
                                span_of(file, &a.key),
                                Expr {
                                    file,
                                    expr: a.value.clone(),
                                },
                            ),
                        ));
                    }
                }
                Structure::Block(inner) => self.unexpected_block(file, inner, "module"),
            }
        }
        let Some(base) = m.module_calls.get_mut(&l[0]) else {
            self.diags.push(err(
                "Missing module call to override",
                format!("There is no module call named {:?}. An override file can only override a module call that was defined in a primary configuration file.", l[0]),
                self.decl_span(file, b),
            ));
            return;
        };
        if let Some((src, at, loadable)) = source {
            base.source = src;
            base.source_span = at;
            pending.retain(|n| n != &l[0]);
            if loadable.is_some() {
                pending.push(l[0].clone());
            }
        }
        if let Some(v) = body.get_attribute("version") {
            let registry =
                crate::config::modsource::parse(&base.source).is_ok_and(|p| p.is_registry());
            match v.value.as_str() {
                _ if !registry => self.diags.push(err(
                    "Invalid version argument",
                    "A version constraint applies only to modules from a module registry; local, git and archive sources cannot have one (choose a git source's version with ?ref=).",
                    span_of(file, &v.key),
                )),
                Some(text) => base.version = Some((text.to_string(), span_of(file, &v.value))),
                None => self.diags.push(err(
                    "Invalid version argument",
                    "The version constraint must be a literal string, such as \"~> 1.2\".",
                    span_of(file, &v.value),
                )),
            }
        }
        if count.is_some() {
            base.count = count;
        }
        if for_each.is_some() {
            base.for_each = for_each;
        }
        base.inputs.extend(inputs);
        if let Some(p) = providers.filter(|p| !p.is_empty()) {
            base.providers = p;
        }
        self.refuse_depends_on(file, body);
    }

    fn override_resource(&mut self, file: FileId, index: usize, b: &Block, m: &mut Module) {
        let Some(l) = self.labels(file, b, &["type", "name"]) else {
            return;
        };
        let mode = match b.ident.value().as_str() {
            "data" => Mode::Data,
            "ephemeral" => Mode::Ephemeral,
            _ => Mode::Managed,
        };
        let conditions = ["precondition", "postcondition"];
        let lifecycle = b.body.get_blocks("lifecycle").next();
        if let Some(lc) = lifecycle {
            self.refuse_blocks(file, &lc.body, &conditions);
        }
        let or = self.decode_resource(
            file,
            &without_blocks(b, &[], &conditions),
            mode,
            &l[0],
            &l[1],
        );
        let key = or.key();
        let Some(base) = m.resources.get_mut(&key) else {
            let (summary, what) = match mode {
                Mode::Managed => ("Missing resource to override", "resource"),
                Mode::Data => ("Missing data resource to override", "data"),
                Mode::Ephemeral => ("Missing ephemeral resource to override", "ephemeral"),
            };
            let detail = match mode {
                Mode::Managed => format!(
                    "There is no {} resource named {:?}. An override file can only override a resource block defined in a primary configuration file.",
                    l[0], l[1]
                ),
                Mode::Data | Mode::Ephemeral => format!(
                    "There is no {} {what} resource named {:?}. An override file can only override a {what} block defined in a primary configuration file.",
                    l[0], l[1]
                ),
            };
            self.diags
                .push(err(summary, detail, self.decl_span(file, b)));
            return;
        };
        if or.count.is_some() {
            base.count = or.count;
        }
        if or.for_each.is_some() {
            base.for_each = or.for_each;
        }
        if or.provider.is_some() {
            base.provider = or.provider;
        }
        // `lifecycle` merges argument by argument (a managed resource's).
        if let (Mode::Managed, Some(lc)) = (mode, lifecycle) {
            let set = |k: &str| lc.body.get_attribute(k).is_some();
            if set("create_before_destroy") {
                base.lifecycle.create_before_destroy = or.lifecycle.create_before_destroy;
            }
            if set("prevent_destroy") {
                base.lifecycle.prevent_destroy = or.lifecycle.prevent_destroy;
                base.lifecycle.prevent_destroy_span = or.lifecycle.prevent_destroy_span;
            }
            // An empty list overrides nothing.
            if !matches!(&or.lifecycle.ignore_changes, IgnoreChanges::None)
                && or.lifecycle.ignore_changes != IgnoreChanges::Paths(Vec::new())
            {
                base.lifecycle.ignore_changes = or.lifecycle.ignore_changes;
            }
        }
        let merged = self.merged_body(&base.body, file, index, b, is_resource_argument);
        base.body = merged;
        self.refuse_depends_on(file, &b.body);
    }

    fn override_provider(&mut self, file: FileId, index: usize, b: &Block, m: &mut Module) {
        let Some(l) = self.labels(file, b, &["name"]) else {
            return;
        };
        let alias = match b.body.get_attribute("alias") {
            None => None,
            Some(a) => match a.value.as_str() {
                Some(s) if super::is_valid_name(s) => Some(s.to_string()),
                _ => {
                    self.diags.push(err("Invalid provider configuration alias", "An alias must be a literal string that is a valid name: a letter or underscore, then letters, digits, underscores and dashes.", span_of(file, &a.value)));
                    return;
                }
            },
        };
        match m
            .providers
            .iter()
            .position(|p| p.name == l[0] && p.alias == alias)
        {
            Some(i) => {
                let merged = self.merged_body(&m.providers[i].body, file, index, b, |_| true);
                m.providers[i].body = merged;
            }
            // No default configuration means an empty one, which the
            // override then configures.
            None if alias.is_none() => m.providers.push(ProviderBlock {
                name: l[0].clone(),
                alias,
                span: span_of(file, &b.labels[0]),
                body: BodyExpr {
                    file,
                    body: b.body.clone(),
                },
            }),
            None => self.diags.push(err(
                "Missing base provider configuration for override",
                format!("There is no {} provider configuration with the alias {:?}. An override file can only override an aliased provider configuration that was already defined in a primary configuration file.", l[0], alias.unwrap_or_default()),
                self.decl_span(file, b),
            )),
        }
    }

    fn override_settings(
        &mut self,
        file: FileId,
        b: &Block,
        m: &mut Module,
        backend: &mut Option<Span>,
    ) {
        if self.labels(file, b, &[]).is_none() {
            return;
        }
        let mut own = Settings::default();
        self.decode_settings(file, b, &mut own);
        if own.required_version.is_some() {
            m.settings.required_version = own.required_version;
        }
        // Each provider's requirement is replaced whole.
        m.settings.required_providers.extend(own.required_providers);
        if let Some(bk) = own.backend {
            let declared = b
                .body
                .get_blocks("backend")
                .next()
                .map(|x| self.decl_span(file, x));
            match backend {
                Some(first) => {
                    let first = self.config.sources.resolve(first);
                    let f = self.config.sources.get(first.file);
                    let (a, z) = (f.line_col(first.range.start), f.line_col(first.range.end));
                    let path = f.path.strip_prefix(&self.root).unwrap_or(&f.path);
                    self.diags.push(err(
                        "Duplicate backend configuration",
                        format!(
                            "Each override file may have only one backend configuration. A backend was previously configured at {}:{},{}-{}.",
                            path.display(),
                            a.line,
                            a.col,
                            z.col
                        ),
                        declared.unwrap_or(bk.span),
                    ));
                }
                None => {
                    *backend = declared;
                    m.settings.backend = Some(bk);
                }
            }
        }
    }

    /// `base` with the items of override block `b` (number `index` of its
    /// file) that `keep` selects: its arguments replace those of the same
    /// name, and a nested block type it has (directly or as `dynamic`)
    /// replaces every block of that type.
    fn merged_body(
        &mut self,
        base: &BodyExpr,
        file: FileId,
        index: usize,
        b: &Block,
        keep: fn(&Structure) -> bool,
    ) -> BodyExpr {
        if !b.body.iter().any(keep) {
            return base.clone();
        }
        if !self.joined.contains_key(&(base.file, file)) {
            let (joined, offset) = self.config.sources.join(base.file, file);
            let body = self.shifted_body(file, offset);
            self.joined.insert((base.file, file), (joined, body));
        }
        let (joined, shifted) = match self.joined.get(&(base.file, file)) {
            Some((joined, Some(body))) => (*joined, body.iter().nth(index).cloned()),
            _ => (base.file, None),
        };
        let Some(Structure::Block(shifted)) = shifted else {
            self.diags.push(err(
                "Cannot merge override block",
                "drinfra could not read this block again to merge it; this is a bug in drinfra.",
                self.decl_span(file, b),
            ));
            return base.clone();
        };
        let items: Vec<Structure> = shifted.body.iter().filter(|s| keep(s)).cloned().collect();
        let mut names = BTreeSet::new();
        let mut types = BTreeSet::new();
        for s in &items {
            match s {
                Structure::Attribute(a) => {
                    names.insert(a.key.value().as_str().to_string());
                }
                Structure::Block(nb) => {
                    types.insert(block_type(nb));
                }
            }
        }
        let mut body = Body::new();
        for s in base.body.iter() {
            let replaced = match s {
                Structure::Attribute(a) => names.contains(a.key.value().as_str()),
                Structure::Block(nb) => types.contains(&block_type(nb)),
            };
            if !replaced {
                body.push(s.clone());
            }
        }
        for s in items {
            body.push(s);
        }
        BodyExpr { file: joined, body }
    }

    /// Override file `file` read again as if its text started at
    /// `offset` (where it starts in a joined file), in its own syntax.
    fn shifted_body(&self, file: FileId, offset: usize) -> Option<Body> {
        let source = self.config.sources.get(file);
        // Blanks before the text are whitespace in both syntaxes.
        let padded = format!("{}{}", " ".repeat(offset), source.text);
        if super::is_json(&source.path) {
            let shifted = crate::diag::SourceFile::new(source.path.clone(), padded);
            super::json::parse_json(&shifted, self.nested)
                .ok()
                .map(|(body, _)| body)
        } else {
            hcl_edit::parser::parse_body(&padded).ok()
        }
    }
}

/// The block type a nested block stands for: `dynamic "x"` is an `x`.
fn block_type(b: &Block) -> String {
    match (b.ident.value().as_str(), b.labels.first()) {
        ("dynamic", Some(l)) => l.as_str().to_string(),
        (t, _) => t.to_string(),
    }
}

//! Reading a stack directory: parse every `*.tf` / `*.hcl` file with
//! hcl-edit, decode the top-level blocks into the model, load local
//! modules, and report every problem found with its place.

use std::path::{Path, PathBuf};

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body, Structure};

use super::model::*;
use crate::diag::{Diagnostic, Diagnostics, FileId, Span};

mod calls;
pub use calls::calls_in;
mod failover_group;
pub mod json;
mod runbook;
pub use runbook::{check_url_problem, webhook_url_problem};
mod module_call;
mod nested;
pub use nested::{NestedBlocks, NoSchemas};
mod r#override;
mod remote;
mod resource;
mod values;

/// Loads the stack in `dir` and every local module it calls, without
/// provider schemas (see [`load_with`]).
pub fn load(dir: &Path) -> (Config, Diagnostics) {
    load_with(dir, &NoSchemas)
}

/// [`load`], with `nested` saying which properties of resource bodies in
/// `.tf.json` files are nested blocks.
pub fn load_with(dir: &Path, nested: &'static dyn NestedBlocks) -> (Config, Diagnostics) {
    let mut loader = Loader {
        nested,
        config: Config::default(),
        diags: Diagnostics::default(),
        stack: Vec::new(),
        root: dir.to_path_buf(),
        keys: Vec::new(),
        manifest: None,
        joined: Default::default(),
        json_defs: Default::default(),
    };
    loader.config.modules.push(Module::default());
    loader.load_module(dir, 0, None);
    (loader.config, loader.diags)
}

/// Parses one file's text, registering it in the source map.
pub fn parse_file(
    sources: &mut crate::diag::SourceMap,
    path: PathBuf,
    text: String,
) -> (FileId, Result<Body, Diagnostic>) {
    let id = sources.add(path, text);
    let text = sources.text(id);
    match hcl_edit::parser::parse_body(text) {
        Ok(b) => (id, Ok(b)),
        Err(e) => {
            let file = sources.get(id);
            let loc = e.location();
            let start = file.offset_of(loc.line(), loc.column());
            // hcl-edit rejects a number too large for a 64-bit float with a
            // generic message at the attribute or mid-literal; say what it is.
            let line_start = file.offset_of(loc.line(), 1);
            if let Some(r) = out_of_range_number(text, line_start) {
                let literal = &text[r.clone()];
                let shown = if literal.len() > 24 {
                    format!("{}... ({} characters)", &literal[..20], literal.len())
                } else {
                    literal.to_string()
                };
                let d = Diagnostic::error("Number out of range")
                    .with_detail(format!("The number {shown} is larger than drinfra's numbers can hold (64-bit floating point, at most about 1.8e308)."))
                    .at(Some(Span::new(id, r)));
                return (id, Err(d));
            }
            let end = (start + 1).min(text.len()).max(start);
            let msg = e.message().to_string();
            (
                id,
                Err(Diagnostic::error(format!("Invalid syntax: {msg}"))
                    .at(Some(Span::new(id, start..end)))),
            )
        }
    }
}

/// The first number literal at or after `from` whose value overflows a
/// 64-bit float (`1e309`, 400 digits), skipping comments and quoted
/// strings. Only consulted once parsing has failed.
fn out_of_range_number(text: &str, from: usize) -> Option<std::ops::Range<usize>> {
    let b = text.as_bytes();
    let mut i = 0;
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.';
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            c if c.is_ascii_digit() && (i == 0 || !ident(b[i - 1])) => {
                let start = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                if matches!(b.get(i), Some(b'e' | b'E')) {
                    let mut j = i + 1;
                    if matches!(b.get(j), Some(b'+' | b'-')) {
                        j += 1;
                    }
                    if b.get(j).is_some_and(u8::is_ascii_digit) {
                        while j < b.len() && b[j].is_ascii_digit() {
                            j += 1;
                        }
                        i = j;
                    }
                }
                if start >= from && text[start..i].parse::<f64>().is_ok_and(f64::is_infinite) {
                    return Some(start..i);
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// How drinfra treats a file it finds in a configuration directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `*.tf` and `*.hcl` (not `.terraform.lock.hcl`): read.
    Native,
    /// `*.tf.json`: Terraform's JSON syntax (`json::parse_json_file`).
    Json,
    /// `override.tf`, `*_override.tf`: merged into the blocks of the other
    /// files, after all of them, in name order (`override.rs`).
    Override,
    /// `override.tf.json`, `*_override.tf.json`: the same, in JSON syntax.
    OverrideJson,
    /// Anything else (hidden files, other extensions): not configuration.
    Other,
}

/// Classifies a file by its name, as Terraform does.
pub fn file_kind(path: &Path) -> FileKind {
    let Some(n) = path.file_name().and_then(|n| n.to_str()) else {
        return FileKind::Other;
    };
    if n.starts_with('.') || n.ends_with('~') || (n.starts_with('#') && n.ends_with('#')) {
        return FileKind::Other;
    }
    let stem = n.strip_suffix(".tf.json").or_else(|| n.strip_suffix(".tf"));
    if let Some(stem) = stem {
        if stem == "override" || stem.ends_with("_override") {
            return if n.ends_with(".json") {
                FileKind::OverrideJson
            } else {
                FileKind::Override
            };
        }
        return if n.ends_with(".json") {
            FileKind::Json
        } else {
            FileKind::Native
        };
    }
    if n.ends_with(".hcl") && !n.ends_with(".lock.hcl") {
        return FileKind::Native;
    }
    FileKind::Other
}

/// Whether a configuration file is in Terraform's JSON syntax.
fn is_json(path: &Path) -> bool {
    matches!(file_kind(path), FileKind::Json | FileKind::OverrideJson)
}

/// The regular files of a directory, in name order.
fn dir_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

struct Loader {
    /// The providers' answer to which JSON properties are nested blocks.
    nested: &'static dyn NestedBlocks,
    config: Config,
    diags: Diagnostics,
    /// Directories being loaded, to catch modules that call themselves.
    stack: Vec<PathBuf>,
    /// The root module's directory (installed modules are under it).
    root: PathBuf,
    /// Module keys (`a`, `a.b`) of the modules being loaded, innermost last.
    keys: Vec<String>,
    /// The installed-modules manifest, read when a call first needs it.
    manifest: Option<Option<crate::config::modsource::Manifest>>,
    /// Joined source files made for override merges, by (base file,
    /// override file), with the override file read again at its offset.
    joined: r#override::Joined,
    /// For each `.tf.json` file read, where its blocks are declared.
    json_defs: std::collections::HashMap<FileId, json::Defs>,
}

fn span_of(file: FileId, x: &impl hcl_edit::Span) -> Span {
    Span::new(file, x.span().unwrap_or(0..0))
}

/// `bytes`, read from `path`, as text; otherwise the file is registered
/// (lossily) and the error points at the first bad byte: the text before it
/// is intact, so lines and columns up to there are right. Configuration and
/// variables files alike.
pub(super) fn utf8_text(
    sources: &mut crate::diag::SourceMap,
    path: &Path,
    bytes: Vec<u8>,
) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
        let id = sources.add(path.to_path_buf(), lossy);
        let span = Span::new(id, at..at + char::REPLACEMENT_CHARACTER.len_utf8());
        err("Invalid character encoding", "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor.", span)
    })
}

fn err(summary: &str, detail: impl Into<String>, span: Span) -> Diagnostic {
    Diagnostic::error(summary)
        .with_detail(detail)
        .at(Some(span))
}

impl Loader {
    /// Loads the module in `dir`; `at` is the `source` argument of the
    /// module call that names it (None for the root), where problems with
    /// the directory itself are reported.
    fn load_module(&mut self, dir: &Path, index: usize, at: Option<Span>) {
        let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        self.stack.push(canonical);
        let mut module = Module {
            dir: dir.to_path_buf(),
            ..Module::default()
        };
        let (all, unreadable) = match dir_files(dir) {
            Ok(f) => (f, false),
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(format!(
                        "Cannot read configuration directory {}: {e}",
                        dir.display()
                    ))
                    .at(at.clone()),
                );
                (Vec::new(), true)
            }
        };
        let mut files = Vec::new();
        let mut overrides = Vec::new();
        for path in all {
            match file_kind(&path) {
                FileKind::Native | FileKind::Json => files.push(path),
                FileKind::Override | FileKind::OverrideJson => overrides.push(path),
                FileKind::Other => {}
            }
        }
        if files.is_empty() && overrides.is_empty() && !unreadable {
            let (summary, detail) = match &at {
                Some(_) => (
                    "No configuration files in module directory".to_string(),
                    format!(
                        "A module's source must be a directory holding *.tf files; {} has none.",
                        dir.canonicalize()
                            .unwrap_or_else(|_| dir.to_path_buf())
                            .display()
                    ),
                ),
                None => (
                    format!("No configuration files in {}", dir.display()),
                    "A stack is a directory of *.tf or *.hcl files.".to_string(),
                ),
            };
            self.diags.push(
                Diagnostic::error(summary)
                    .with_detail(detail)
                    .at(at.clone()),
            );
        }
        let mut pending_calls = Vec::new();
        let count = files.len();
        for (i, path) in files.into_iter().chain(overrides).enumerate() {
            let text = match std::fs::read(&path) {
                Ok(bytes) => match utf8_text(&mut self.config.sources, &path, bytes) {
                    Ok(t) => t,
                    Err(d) => {
                        self.diags.push(d);
                        continue;
                    }
                },
                Err(e) => {
                    self.diags.push(Diagnostic::error(format!(
                        "Cannot read {}: {e}",
                        path.display()
                    )));
                    module.incomplete = true;
                    continue;
                }
            };
            let (file, parsed) = if is_json(&path) {
                let (file, parsed) =
                    json::parse_json_file(&mut self.config.sources, path, text, self.nested);
                let parsed = parsed.map(|(body, defs)| {
                    self.json_defs.insert(file, defs);
                    body
                });
                (file, parsed)
            } else {
                let (file, parsed) = parse_file(&mut self.config.sources, path, text);
                (file, parsed.map_err(|d| vec![d]))
            };
            module.files.push(file);
            match parsed {
                // Override files come last, merged into what the others declared.
                Ok(body) if i >= count => {
                    self.merge_override_file(file, &body, &mut module, &mut pending_calls)
                }
                Ok(body) => self.decode_file(file, &body, &mut module, &mut pending_calls),
                Err(ds) => {
                    for d in ds {
                        self.diags.push(d);
                    }
                    module.incomplete = true;
                }
            }
        }
        // Child modules are loaded after the whole parent is decoded.
        for name in pending_calls {
            let call = module.module_calls.get(&name).cloned();
            let Some(mut call) = call else { continue };
            let key = match self.keys.last() {
                Some(parent) => format!("{parent}.{name}"),
                None => name.clone(),
            };
            let Some(child_dir) = self.child_dir(dir, &key, &call) else {
                continue;
            };
            let canonical = child_dir
                .canonicalize()
                .unwrap_or_else(|_| child_dir.clone());
            if self.stack.contains(&canonical) {
                self.diags.push(err("Module calls itself", format!("Module {:?} at {:?} is already being loaded; module calls must not form a cycle.", name, call.source), call.source_span.clone()));
                continue;
            }
            if !child_dir.exists() {
                self.diags.push(err(
                    "Module not found",
                    format!(
                        "The module directory {:?} does not exist.",
                        child_dir.display().to_string()
                    ),
                    call.source_span.clone(),
                ));
                continue;
            }
            if !child_dir.is_dir() {
                self.diags.push(err(
                    "Module not found",
                    format!(
                        "{:?} is a file, not a module directory.",
                        child_dir.display().to_string()
                    ),
                    call.source_span.clone(),
                ));
                continue;
            }
            let child = self.config.modules.len();
            self.config.modules.push(Module::default());
            call.child = child;
            let source_span = call.source_span.clone();
            module.module_calls.insert(name, call);
            self.keys.push(key);
            self.load_module(&child_dir, child, Some(source_span));
            self.keys.pop();
        }
        self.check_runbook(index, &module);
        self.config.modules[index] = module;
        self.stack.pop();
    }

    fn decode_file(
        &mut self,
        file: FileId,
        body: &Body,
        m: &mut Module,
        pending: &mut Vec<String>,
    ) {
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => self.diags.push(err(
                    "Unsupported argument",
                    format!(
                        "An argument named {:?} is not expected here.",
                        a.key.value().as_str()
                    ),
                    span_of(file, &a.key),
                )),
                Structure::Block(b) => self.decode_block(file, b, m, pending),
            }
        }
    }

    fn labels(&mut self, file: FileId, b: &Block, want: &[&str]) -> Option<Vec<String>> {
        let kind = b.ident.value().as_str();
        if b.labels.len() != want.len() {
            let detail = if want.is_empty() {
                format!("A {kind} block must not have labels.")
            } else {
                format!(
                    "A {kind} block needs {} label(s): {}.",
                    want.len(),
                    want.join(", ")
                )
            };
            let summary = if b.labels.len() < want.len() {
                "Missing name for block"
            } else {
                "Extraneous label for block"
            };
            self.diags
                .push(err(summary, detail, span_of(file, &b.ident)));
            return None;
        }
        for l in &b.labels {
            let s = l.as_str();
            if !is_valid_name(s) {
                self.diags.push(err("Invalid name", format!("{s:?} is not a valid name: a name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes."), span_of(file, l)));
                return None;
            }
        }
        Some(b.labels.iter().map(|l| l.as_str().to_string()).collect())
    }

    fn decode_block(&mut self, file: FileId, b: &Block, m: &mut Module, pending: &mut Vec<String>) {
        let kind = b.ident.value().as_str();
        let span = span_of(file, &b.ident);
        match kind {
            "variable" => {
                let Some(l) = self.labels(file, b, &["name"]) else {
                    return;
                };
                let v = self.decode_variable(file, b, &l[0]);
                if let Some(prev) = m.variables.get(&l[0]) {
                    self.duplicate("variable", &l[0], &prev.span.clone(), span);
                } else {
                    m.variables.insert(l[0].clone(), v);
                }
            }
            "locals" => {
                if self.labels(file, b, &[]).is_none() {
                    return;
                }
                for s in b.body.iter() {
                    match s {
                        Structure::Attribute(a) => {
                            let name = a.key.value().as_str().to_string();
                            let lspan = span_of(file, &a.key);
                            if let Some(prev) = m.locals.get(&name) {
                                let prev = prev.span.clone();
                                self.duplicate("local value", &name, &prev, lspan);
                            } else {
                                m.locals.insert(
                                    name.clone(),
                                    Local {
                                        name,
                                        span: lspan,
                                        value: Expr {
                                            file,
                                            expr: a.value.clone(),
                                        },
                                    },
                                );
                            }
                        }
                        Structure::Block(inner) => self.unexpected_block(file, inner, "locals"),
                    }
                }
            }
            "output" => {
                let Some(l) = self.labels(file, b, &["name"]) else {
                    return;
                };
                if let Some(o) = self.decode_output(file, b, &l[0]) {
                    if let Some(prev) = m.outputs.get(&l[0]) {
                        let prev = prev.span.clone();
                        self.duplicate("output", &l[0], &prev, span);
                    } else {
                        m.outputs.insert(l[0].clone(), o);
                    }
                }
            }
            "resource" | "data" | "ephemeral" => {
                let Some(l) = self.labels(file, b, &["type", "name"]) else {
                    return;
                };
                let mode = match kind {
                    "data" => Mode::Data,
                    "ephemeral" => Mode::Ephemeral,
                    _ => Mode::Managed,
                };
                let r = self.decode_resource(file, b, mode, &l[0], &l[1]);
                let key = r.key();
                if let Some(prev) = m.resources.get(&key) {
                    let prev = prev.span.clone();
                    self.duplicate(
                        match mode {
                            Mode::Data => "data source",
                            Mode::Ephemeral => "ephemeral resource",
                            Mode::Managed => "resource",
                        },
                        &key,
                        &prev,
                        span,
                    );
                } else {
                    m.resources.insert(key, r);
                }
            }
            "module" => {
                let Some(l) = self.labels(file, b, &["name"]) else {
                    return;
                };
                // A call whose source cannot be loaded is still declared:
                // its problem is reported once, not at every reference.
                let (c, loadable) = self.decode_module_call(file, b, &l[0]);
                if let Some(prev) = m.module_calls.get(&l[0]) {
                    let prev = prev.span.clone();
                    self.duplicate("module call", &l[0], &prev, span);
                } else {
                    m.module_calls.insert(l[0].clone(), c);
                    if loadable {
                        pending.push(l[0].clone());
                    }
                }
            }
            "moved" => {
                if self.labels(file, b, &[]).is_none() {
                    return;
                }
                self.check_body(file, &b.body, &["from", "to"], &[], "moved");
                let (Some(from), Some(to)) = (
                    self.required_attr(file, b, "from"),
                    self.required_attr(file, b, "to"),
                ) else {
                    return;
                };
                let mut valid = true;
                for e in [&from, &to] {
                    if !is_address_expr(&e.expr) {
                        self.diags.push(err("Invalid address", "A moved block's from and to must be resource or module addresses, such as aws_instance.a or module.b.", e.span().unwrap_or(span.clone())));
                        valid = false;
                    }
                }
                if !valid {
                    return;
                }
                m.moved.push(Moved { span, from, to });
            }
            "import" => {
                if self.labels(file, b, &[]).is_none() {
                    return;
                }
                self.check_body(
                    file,
                    &b.body,
                    &["to", "id", "provider", "for_each"],
                    &[],
                    "import",
                );
                let (Some(to), Some(id)) = (
                    self.required_attr(file, b, "to"),
                    self.required_attr(file, b, "id"),
                ) else {
                    return;
                };
                let provider = self
                    .attr(&b.body, "provider")
                    .and_then(|a| self.provider_ref(file, &a.value));
                let for_each = self.attr(&b.body, "for_each").map(|a| Expr {
                    file,
                    expr: a.value.clone(),
                });
                m.imports.push(Import {
                    span,
                    to,
                    id,
                    for_each,
                    provider,
                });
            }
            "provider" => {
                let Some(l) = self.labels(file, b, &["name"]) else {
                    return;
                };
                let alias = match self.attr(&b.body, "alias") {
                    None => None,
                    Some(a) => match a.value.as_str() {
                        Some(s) if is_valid_name(s) => Some(s.to_string()),
                        _ => {
                            self.diags.push(err("Invalid provider configuration alias", "An alias must be a literal string that is a valid name: a letter or underscore, then letters, digits, underscores and dashes.", span_of(file, &a.value)));
                            return;
                        }
                    },
                };
                let label = span_of(file, &b.labels[0]);
                if let Some(prev) = m
                    .providers
                    .iter()
                    .find(|p| p.name == l[0] && p.alias == alias)
                {
                    let at = self
                        .config
                        .sources
                        .get(prev.span.file)
                        .line_col(prev.span.range.start)
                        .line;
                    let detail = match &alias {
                        None => format!(
                            "A default (non-aliased) provider configuration for {:?} was already given at line {at}. If multiple configurations are required, set the \"alias\" argument for alternative configurations.",
                            l[0]
                        ),
                        Some(a) => format!(
                            "A provider configuration for {:?} with alias {a:?} was already given at line {at}. Each configuration for the same provider must have a unique alias.",
                            l[0]
                        ),
                    };
                    self.diags
                        .push(err("Duplicate provider configuration", detail, label));
                    return;
                }
                m.providers.push(ProviderBlock {
                    name: l[0].clone(),
                    alias,
                    span: label,
                    body: BodyExpr {
                        file,
                        body: b.body.clone(),
                    },
                });
            }
            "drinfra" | "terraform" => {
                if self.labels(file, b, &[]).is_none() {
                    return;
                }
                self.decode_settings(file, b, &mut m.settings);
            }
            "failover_group" => self.decode_failover_group(file, b, m, span),
            "notification" => self.decode_notification(file, b, m, span),
            "health_check" => self.decode_health_check(file, b, m, span),
            "check" => {
                let Some(l) = self.labels(file, b, &["name"]) else {
                    return;
                };
                self.check_body(file, &b.body, &[], &["assert", "data"], "check");
                // A data source scoped to the check block is read only for
                // its assertions; drinfra does not read those yet.
                for d in b.body.get_blocks("data") {
                    self.diags.push(err(
                        "Unsupported block type",
                        "drinfra does not support data sources scoped to a check block yet; declare the data source outside the check block.",
                        span_of(file, &d.ident),
                    ));
                }
                let asserts = self.conditions(file, &b.body, "assert");
                if asserts.is_empty() {
                    self.diags.push(err(
                        "Missing required block",
                        "A check block must contain at least one assert block.",
                        span,
                    ));
                    return;
                }
                if m.checks.iter().any(|c| c.name == l[0]) {
                    self.diags.push(err(
                        "Duplicate check block",
                        format!("A check block named {:?} was already declared. Names must be unique within a module.", l[0]),
                        span,
                    ));
                    return;
                }
                m.checks.push(Check {
                    name: l[0].clone(),
                    span,
                    asserts,
                });
            }
            "removed" => self.decode_removed(file, b, m, span),
            other => self.diags.push(err(
                "Unsupported block type",
                format!("Blocks of type {other:?} are not expected here."),
                span,
            )),
        }
    }
}

impl Loader {
    /// A `removed` block: `from` an address without instance keys, and
    /// `lifecycle { destroy }`. Destroying (the default) is what drinfra
    /// does with any object no longer configured; `destroy = false`
    /// forgets the objects instead (the planner drops them from state).
    fn decode_removed(&mut self, file: FileId, b: &Block, m: &mut Module, span: Span) {
        if self.labels(file, b, &[]).is_none() {
            return;
        }
        self.check_body(
            file,
            &b.body,
            &["from"],
            &["lifecycle", "provisioner", "connection"],
            "removed",
        );
        for p in b
            .body
            .get_blocks("provisioner")
            .chain(b.body.get_blocks("connection"))
        {
            self.diags.push(err(
                "Unsupported block type",
                "drinfra does not run provisioners, so removed blocks cannot have provisioner or connection blocks.",
                span_of(file, &p.ident),
            ));
        }
        let mut destroy = true;
        for lc in b.body.get_blocks("lifecycle") {
            self.check_body(file, &lc.body, &["destroy"], &[], "lifecycle");
            if let Some(a) = self.attr(&lc.body, "destroy") {
                match a.value.as_bool() {
                    Some(d) => destroy = d,
                    None => self.diags.push(err(
                        "Invalid destroy value",
                        "destroy must be a literal true or false.",
                        span_of(file, &a.value),
                    )),
                }
            }
        }
        let Some(from) = self.required_attr(file, b, "from") else {
            return;
        };
        let keyless = match &from.expr {
            Expression::Traversal(t) => {
                matches!(t.expr, Expression::Variable(_))
                    && t.operators
                        .iter()
                        .all(|o| matches!(o.value(), hcl_edit::expr::TraversalOperator::GetAttr(_)))
            }
            _ => false,
        };
        if !keyless {
            // Terraform's words for an address with instance keys.
            let keyed = matches!(&from.expr, Expression::Traversal(t)
                if t.operators.iter().any(|o| matches!(o.value(), hcl_edit::expr::TraversalOperator::Index(_) | hcl_edit::expr::TraversalOperator::LegacyIndex(_))));
            self.diags.push(if keyed {
                err(
                    "Resource instance keys not allowed",
                    "Resource address must be a resource (e.g. \"test_instance.foo\"), not a resource instance (e.g. \"test_instance.foo[1]\"); a removed block's from names a resource or module without instance keys.",
                    from.span().unwrap_or(span.clone()),
                )
            } else {
                err(
                    "Invalid address",
                    "A removed block's from must be a resource or module address without instance keys, such as aws_instance.a or module.b.",
                    from.span().unwrap_or(span.clone()),
                )
            });
            return;
        }
        m.removed.push(Removed {
            span,
            from,
            destroy,
        });
    }
}

/// Names of blocks and labels: a letter or underscore, then letters,
/// digits, underscores and dashes.
pub fn is_valid_name(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c.is_alphabetic() || c == '_')
        && cs.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

fn is_address_expr(e: &Expression) -> bool {
    match e {
        Expression::Traversal(t) => {
            matches!(t.expr, Expression::Variable(_))
                && t.operators.iter().all(|op| match op.value() {
                    TraversalOperator::GetAttr(_) | TraversalOperator::LegacyIndex(_) => true,
                    TraversalOperator::Index(i) => {
                        matches!(i, Expression::String(_) | Expression::Number(_))
                    }
                    _ => false,
                })
        }
        _ => false,
    }
}

/// `tags["owner"]` or `network.0.name` as a list of path steps.
fn attribute_path(e: &Expression) -> Option<Vec<String>> {
    match e {
        Expression::Variable(v) => Some(vec![v.value().as_str().to_string()]),
        Expression::String(s) => Some(vec![s.value().to_string()]),
        Expression::Traversal(t) => {
            let mut out = attribute_path(&t.expr)?;
            for op in &t.operators {
                match op.value() {
                    TraversalOperator::GetAttr(a) => out.push(a.value().as_str().to_string()),
                    TraversalOperator::Index(Expression::String(s)) => {
                        out.push(s.value().to_string())
                    }
                    TraversalOperator::Index(Expression::Number(n)) => {
                        out.push(n.value().to_string())
                    }
                    TraversalOperator::LegacyIndex(n) => out.push(n.value().to_string()),
                    _ => return None,
                }
            }
            Some(out)
        }
        _ => None,
    }
}

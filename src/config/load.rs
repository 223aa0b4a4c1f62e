//! Reading a stack directory: parse every `*.tf` / `*.hcl` file with
//! hcl-edit, decode the top-level blocks into the model, load local
//! modules, and report every problem found with its place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Attribute, Block, Body, Structure};

use super::model::*;
use crate::diag::{Diagnostic, Diagnostics, FileId, Span};
use crate::lang::refs::{Reference, references};
use crate::lang::types::parse_type;
use crate::lang::{Evaluator, Scope, Type, Value};

/// Loads the stack in `dir` and every local module it calls.
pub fn load(dir: &Path) -> (Config, Diagnostics) {
    let mut loader = Loader {
        config: Config::default(),
        diags: Diagnostics::default(),
        stack: Vec::new(),
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

/// The configuration files of a directory, in name order.
pub fn config_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    Ok(dir_files(dir)?
        .into_iter()
        .filter(|p| file_kind(p) == FileKind::Native)
        .collect())
}

/// How drinfra treats a file it finds in a configuration directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `*.tf` and `*.hcl` (not `.terraform.lock.hcl`): read.
    Native,
    /// `*.tf.json`: Terraform reads it; drinfra does not yet.
    Json,
    /// `override.tf`, `*_override.tf` (and their JSON forms): Terraform
    /// merges them into the other files; drinfra does not yet.
    Override,
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
            return FileKind::Override;
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
    config: Config,
    diags: Diagnostics,
    /// Directories being loaded, to catch modules that call themselves.
    stack: Vec<PathBuf>,
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
        for path in all {
            match file_kind(&path) {
                FileKind::Native => files.push(path),
                FileKind::Other => {}
                kind => {
                    // Point at the file itself (its first character).
                    let text = std::fs::read(&path)
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default();
                    let id = self.config.sources.add(path.clone(), text);
                    let name = path
                        .file_name()
                        .and_then(|n| n.to_str())
                        .unwrap_or_default()
                        .to_string();
                    let (summary, detail) = if kind == FileKind::Json {
                        (
                            "Unsupported configuration file",
                            format!(
                                "{name} uses Terraform's JSON syntax, which drinfra does not read yet; it is not silently skipped. Convert it to native syntax (a .tf file) or move it out of {}.",
                                dir.display()
                            ),
                        )
                    } else {
                        (
                            "Unsupported override file",
                            format!(
                                "{name} is an override file: Terraform merges its blocks into those of the other files, which drinfra does not do yet; it is not silently read as an ordinary file. Merge its settings into the other files, or move it out of {}.",
                                dir.display()
                            ),
                        )
                    };
                    self.diags.push(err(summary, detail, Span::new(id, 0..0)));
                }
            }
        }
        if files.is_empty() && !unreadable {
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
        for path in files {
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
            let (file, parsed) = parse_file(&mut self.config.sources, path, text);
            module.files.push(file);
            match parsed {
                Ok(body) => self.decode_file(file, &body, &mut module, &mut pending_calls),
                Err(d) => {
                    self.diags.push(d);
                    module.incomplete = true;
                }
            }
        }
        // Child modules are loaded after the whole parent is decoded.
        for name in pending_calls {
            let call = module.module_calls.get(&name).cloned();
            let Some(mut call) = call else { continue };
            let child_dir = dir.join(&call.source);
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
            self.load_module(&child_dir, child, Some(source_span));
        }
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
            "resource" | "data" => {
                let Some(l) = self.labels(file, b, &["type", "name"]) else {
                    return;
                };
                let mode = if kind == "data" {
                    Mode::Data
                } else {
                    Mode::Managed
                };
                let r = self.decode_resource(file, b, mode, &l[0], &l[1]);
                let key = r.key();
                if let Some(prev) = m.resources.get(&key) {
                    let prev = prev.span.clone();
                    self.duplicate(
                        if mode == Mode::Data {
                            "data source"
                        } else {
                            "resource"
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
                self.check_body(file, &b.body, &["to", "id", "provider"], &[], "import");
                let (Some(to), Some(id)) = (
                    self.required_attr(file, b, "to"),
                    self.required_attr(file, b, "id"),
                ) else {
                    return;
                };
                let provider = self
                    .attr(&b.body, "provider")
                    .and_then(|a| self.provider_ref(file, &a.value));
                m.imports.push(Import {
                    span,
                    to,
                    id,
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
            "failover_group" => {
                let Some(l) = self.labels(file, b, &["name"]) else {
                    return;
                };
                self.check_body(
                    file,
                    &b.body,
                    &[
                        "sites",
                        "active",
                        "description",
                        "storage_accounts",
                        "components",
                        "rto",
                        "rpo",
                    ],
                    &[],
                    "failover_group",
                );
                // Every problem with sites and active is reported; a group
                // that cannot be decoded is remembered as declared, so that
                // references to it are not each reported as undeclared.
                let sites: Option<Vec<String>> = match self.attr(&b.body, "sites") {
                    None => {
                        self.diags.push(err(
                            "Missing required argument",
                            "A failover_group needs sites = [\"site-a\", \"site-b\"].",
                            span.clone(),
                        ));
                        None
                    }
                    Some(a) => match self.literal(file, a, &Type::List(Box::new(Type::String))) {
                        Some(Value::List(xs)) => Some(
                            xs.into_iter()
                                .filter_map(|x| {
                                    if let Value::String(s) = x {
                                        Some(s)
                                    } else {
                                        None
                                    }
                                })
                                .collect(),
                        ),
                        _ => None, // reported by literal
                    },
                };
                let active: Option<(String, Span)> = match self.attr(&b.body, "active") {
                    None => {
                        self.diags.push(err(
                            "Missing required argument",
                            "A failover_group needs active = one of its sites.",
                            span.clone(),
                        ));
                        None
                    }
                    Some(a) => match self.literal(file, a, &Type::String) {
                        Some(Value::String(s)) => Some((s, span_of(file, &a.value))),
                        _ => None,
                    },
                };
                if let Some(sites) = &sites {
                    if sites.len() < 2 {
                        self.diags.push(err(
                            "Invalid failover group",
                            "A failover group needs at least two sites.",
                            span.clone(),
                        ));
                    }
                    if let Some((active, active_span)) = &active
                        && !sites.contains(active)
                    {
                        self.diags.push(err(
                            "Invalid active site",
                            format!(
                                "{active:?} is not one of the group's sites ({}).",
                                sites.join(", ")
                            ),
                            active_span.clone(),
                        ));
                    }
                }
                let (Some(sites), Some((active, active_span))) = (sites, active) else {
                    m.broken_failover_groups.insert(l[0].clone());
                    return;
                };
                if sites.len() < 2 || !sites.contains(&active) {
                    m.broken_failover_groups.insert(l[0].clone());
                    return;
                }
                let description = self.literal_string(file, &b.body, "description");
                let mut storage_accounts = BTreeMap::new();
                let mut storage_accounts_span = None;
                if let Some(a) = self.attr(&b.body, "storage_accounts") {
                    let at = span_of(file, &a.value);
                    storage_accounts_span = Some(at.clone());
                    if let Some(Value::Map(m)) = self.literal(
                        file,
                        a,
                        &Type::Map(Box::new(Type::List(Box::new(Type::String)))),
                    ) {
                        for (site, list) in m {
                            if !sites.contains(&site) {
                                self.diags.push(err(
                                    "Invalid storage_accounts",
                                    format!(
                                        "{site:?} is not one of the group's sites ({}).",
                                        sites.join(", ")
                                    ),
                                    at.clone(),
                                ));
                                continue;
                            }
                            let addrs: Vec<String> = if let Value::List(xs) = list {
                                xs.into_iter()
                                    .filter_map(|x| {
                                        if let Value::String(s) = x {
                                            Some(s)
                                        } else {
                                            None
                                        }
                                    })
                                    .collect()
                            } else {
                                vec![]
                            };
                            storage_accounts.insert(site, addrs);
                        }
                    }
                }
                let mut components = Vec::new();
                if let Some(a) = self.attr(&b.body, "components") {
                    let at = span_of(file, &a.value);
                    if let Some(Value::List(xs)) =
                        self.literal(file, a, &Type::List(Box::new(Type::String)))
                    {
                        for x in xs {
                            let Value::String(name) = x else { continue };
                            if ["traffic", "data", "storage"].contains(&name.as_str()) {
                                self.diags.push(err("Invalid components", format!("{name:?} is built in (`--only {name}`) and cannot be declared as a component."), at.clone()));
                            } else if name.is_empty()
                                || !name
                                    .chars()
                                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                            {
                                self.diags.push(err("Invalid components", format!("{name:?} is not a valid component name (letters, digits, _ and -)."), at.clone()));
                            } else if components.contains(&name) {
                                self.diags.push(err(
                                    "Invalid components",
                                    format!("{name:?} is listed twice."),
                                    at.clone(),
                                ));
                            } else {
                                components.push(name);
                            }
                        }
                    }
                }
                let mut target = |name: &str| {
                    let a = self.attr(&b.body, name)?;
                    let at = span_of(file, &a.value);
                    let Some(Value::String(text)) = self.literal(file, a, &Type::String) else {
                        return None;
                    };
                    let d = crate::timefmt::parse_duration(&text).filter(|d| !d.is_zero());
                    if d.is_none() {
                        self.diags.push(err(
                            "Invalid duration",
                            format!(
                                "{name} = {text:?} is not a duration like \"90m\" or \"1h30m\"."
                            ),
                            at,
                        ));
                    }
                    d
                };
                let (rto, rpo) = (target("rto"), target("rpo"));
                if m.failover_groups.contains_key(&l[0]) {
                    let prev = m.failover_groups[&l[0]].span.clone();
                    self.duplicate("failover group", &l[0], &prev, span);
                } else {
                    m.failover_groups.insert(
                        l[0].clone(),
                        FailoverGroup {
                            name: l[0].clone(),
                            span,
                            sites,
                            active,
                            active_span,
                            description,
                            storage_accounts,
                            storage_accounts_span,
                            components,
                            rto,
                            rpo,
                        },
                    );
                }
            }
            "check" | "removed" | "ephemeral" => self.diags.push(err(
                "Unsupported block type",
                format!("drinfra does not support {kind} blocks yet."),
                span,
            )),
            other => self.diags.push(err(
                "Unsupported block type",
                format!("Blocks of type {other:?} are not expected here."),
                span,
            )),
        }
    }

    fn duplicate(&mut self, what: &str, name: &str, first: &Span, again: Span) {
        self.diags.push(err(
            &format!("Duplicate {what}"),
            format!("A {what} named {name:?} was already declared at line {}. Names must be unique within a module.", self.config.sources.get(first.file).line_col(first.range.start).line),
            again,
        ));
    }

    fn unexpected_block(&mut self, file: FileId, b: &Block, within: &str) {
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
    fn check_body(
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
                    let sp = span_of(file, &a.key);
                    if !attrs.contains(&k) {
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

    fn required_attr(&mut self, file: FileId, b: &Block, name: &str) -> Option<Expr> {
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

    fn attr<'b>(&self, b: &'b Body, name: &str) -> Option<&'b Attribute> {
        b.get_attribute(name)
    }

    /// A literal bool or string argument, evaluated without any scope.
    fn literal(&mut self, file: FileId, a: &Attribute, ty: &Type) -> Option<Value> {
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

    fn literal_bool(&mut self, file: FileId, body: &Body, name: &str, default: bool) -> bool {
        match self.attr(body, name) {
            Some(a) => matches!(self.literal(file, a, &Type::Bool), Some(Value::Bool(true))),
            None => default,
        }
    }

    fn literal_string(&mut self, file: FileId, body: &Body, name: &str) -> Option<String> {
        let a = self.attr(body, name)?;
        match self.literal(file, a, &Type::String) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    fn decode_variable(&mut self, file: FileId, b: &Block, name: &str) -> Variable {
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
        let mut validations = Vec::new();
        for vb in body.get_blocks("validation") {
            self.check_body(
                file,
                &vb.body,
                &["condition", "error_message"],
                &[],
                "validation",
            );
            if let (Some(c), Some(m)) = (
                self.required_attr(file, vb, "condition"),
                self.required_attr(file, vb, "error_message"),
            ) {
                validations.push(Validation {
                    condition: c,
                    error_message: m,
                });
            }
        }
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

    fn decode_output(&mut self, file: FileId, b: &Block, name: &str) -> Option<Output> {
        let body = &b.body;
        self.check_body(
            file,
            body,
            &[
                "value",
                "description",
                "sensitive",
                "depends_on",
                "ephemeral",
            ],
            &[],
            "output",
        );
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
        })
    }

    fn depends_on(&mut self, file: FileId, body: &Body) -> Vec<(FileId, Reference)> {
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

    fn count_and_for_each(&mut self, file: FileId, body: &Body) -> (Option<Expr>, Option<Expr>) {
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

    fn decode_resource(
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
                Structure::Attribute(a)
                    if matches!(
                        a.key.value().as_str(),
                        "count" | "for_each" | "depends_on" | "provider"
                    ) => {}
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

    fn decode_lifecycle(&mut self, file: FileId, b: &Block, mode: Mode) -> Lifecycle {
        let allowed: &[&str] = if mode == Mode::Data {
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
        for pb in b.body.blocks() {
            self.diags.push(err(
                "Unsupported block type",
                format!(
                    "drinfra does not support {} blocks yet.",
                    pb.ident.value().as_str()
                ),
                span_of(file, &pb.ident),
            ));
        }
        let mut lc = Lifecycle {
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

    /// The call, and whether its source can be loaded (problems with it
    /// are reported here).
    fn decode_module_call(&mut self, file: FileId, b: &Block, name: &str) -> (ModuleCall, bool) {
        let body = &b.body;
        let mut loadable = true;
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
                    Some(s) if s.starts_with("./") || s.starts_with("../") => (s.to_string(), at),
                    Some(s) => {
                        self.diags.push(err("Unsupported module source", format!("Only local module sources (starting with ./ or ../) are supported; {s:?} would need a registry or network access."), at.clone()));
                        loadable = false;
                        (s.to_string(), at)
                    }
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
        if let Some(v) = self.attr(body, "version").filter(|_| loadable) {
            self.diags.push(err(
                "Invalid version argument",
                "A local module source cannot have a version constraint.",
                span_of(file, &v.key),
            ));
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
    fn provider_ref(&mut self, file: FileId, e: &Expression) -> Option<ProviderRef> {
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
    fn providers_map(&mut self, file: FileId, e: &Expression) -> Vec<PassedProvider> {
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
    fn decode_required_providers(
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
                aliases: Vec::new(),
            };
            match &a.value {
                // The legacy form: a version constraint string.
                Expression::String(_) => {}
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
                            "version" => {}
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

    fn decode_settings(&mut self, file: FileId, b: &Block, settings: &mut Settings) {
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
                    match super::version::satisfies(ours, s) {
                        Ok(true) => {}
                        Ok(false) => self.diags.push(err("Unsupported drinfra version", format!("This configuration requires drinfra {s}, but this is drinfra {ours}."), span.clone())),
                        Err(e) => self.diags.push(err("Invalid required_version", e, span.clone())),
                    }
                } else {
                    let level = super::version::TERRAFORM_LANGUAGE;
                    match super::version::satisfies(level, s) {
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

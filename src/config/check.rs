//! Static checks that need no evaluation: every reference names something
//! declared, and `count`/`each` appear only where they are defined. These
//! run over every expression, including bodies that evaluation may skip
//! (a resource with `count = 0`).

use hcl_edit::structure::{Body, Structure};

use super::model::{Config, Expr, Module, Resource};
use crate::diag::{Diagnostic, Diagnostics, FileId, Span};
use crate::lang::refs::{Reference, Step, references};

#[derive(Clone, Default)]
struct Ctx {
    count: bool,
    each: bool,
    bound: Vec<String>,
    /// Inside a `postcondition`, where `self` is the object.
    self_ok: bool,
}

/// Checks every module of the configuration.
pub fn check(config: &Config) -> Diagnostics {
    let mut diags = Diagnostics::default();
    for m in &config.modules {
        let c = Checker { config, module: m };
        c.module(&mut diags);
        removed_still_declared(config, m, &mut diags);
    }
    diags
}

/// Checks one expression as if written in the root module.
pub fn check_root_expr(config: &Config, e: &Expr) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let c = Checker {
        config,
        module: config.root(),
    };
    c.expr(e, &Ctx::default(), &mut diags);
    diags
}

struct Checker<'a> {
    config: &'a Config,
    module: &'a Module,
}

fn err(summary: &str, detail: String, file: FileId, r: &Reference) -> Diagnostic {
    Diagnostic::error(summary)
        .with_detail(detail)
        .at(Some(Span::new(file, r.span.clone())))
}

impl Checker<'_> {
    fn module(&self, d: &mut Diagnostics) {
        let m = self.module;
        let plain = Ctx::default();
        for l in m.locals.values() {
            self.expr(&l.value, &plain, d);
        }
        for o in m.outputs.values() {
            self.expr(&o.value, &plain, d);
            for c in &o.preconditions {
                self.expr(&c.condition, &plain, d);
                self.expr(&c.error_message, &plain, d);
            }
        }
        for c in m.checks.iter().flat_map(|c| &c.asserts) {
            self.expr(&c.condition, &plain, d);
            self.expr(&c.error_message, &plain, d);
        }
        for e in m
            .notifications
            .values()
            .map(|n| &n.url)
            .chain(m.health_checks.values().map(|c| match &c.kind {
                crate::config::model::CheckKind::Http { url, .. } => url,
                crate::config::model::CheckKind::Postgres { connection, .. } => connection,
            }))
        {
            self.expr(e, &plain, d);
        }
        for v in m.variables.values() {
            for val in &v.validations {
                self.expr(&val.condition, &plain, d);
                self.expr(&val.error_message, &plain, d);
            }
        }
        for r in m.resources.values() {
            let ctx = Ctx {
                count: r.count.is_some(),
                each: r.for_each.is_some(),
                bound: vec![],
                self_ok: false,
            };
            for e in r.count.iter().chain(r.for_each.iter()) {
                self.expr(e, &plain, d);
            }
            self.conditions(r, &ctx, d);
            for (file, rf) in &r.depends_on {
                self.reference(*file, rf, &plain, d);
            }
            for e in &r.lifecycle.replace_triggered_by {
                self.expr(e, &ctx, d);
            }
            self.body(r.body.file, &r.body.body, &ctx, d);
        }
        for c in m.module_calls.values() {
            let ctx = Ctx {
                count: c.count.is_some(),
                each: c.for_each.is_some(),
                bound: vec![],
                self_ok: false,
            };
            for e in c.count.iter().chain(c.for_each.iter()) {
                self.expr(e, &plain, d);
            }
            for (_, e) in c.inputs.values() {
                self.expr(e, &ctx, d);
            }
            if let Some(child) = self.config.modules.get(c.child).filter(|m| !m.incomplete) {
                for (name, (span, _)) in &c.inputs {
                    if !child.variables.contains_key(name) {
                        d.push(Diagnostic::error("Unsupported argument").with_detail(format!("An argument named {name:?} is not expected here: module {:?} declares no variable of that name.", c.name)).at(Some(span.clone())));
                    }
                }
                for (name, v) in &child.variables {
                    if v.default.is_none() && !c.inputs.contains_key(name) {
                        d.push(Diagnostic::error("Missing required argument").with_detail(format!("The argument {name:?} is required, but no definition was found.")).at(Some(c.span.clone())));
                    }
                }
            }
        }
    }

    /// A resource's `precondition` and `postcondition` blocks: `self` only
    /// in postconditions, and never the resource by its own name (Terraform's
    /// "Invalid reference in precondition").
    fn conditions(&self, r: &Resource, ctx: &Ctx, d: &mut Diagnostics) {
        let post = Ctx {
            self_ok: true,
            ..ctx.clone()
        };
        for (kind, list, ctx) in [
            ("precondition", &r.lifecycle.preconditions, ctx),
            ("postcondition", &r.lifecycle.postconditions, &post),
        ] {
            for c in list {
                for e in [&c.condition, &c.error_message] {
                    for rf in references(&e.expr) {
                        let itself = match r.mode {
                            crate::config::model::Mode::Managed => {
                                rf.root == r.ty && rf.attr(0) == Some(r.name.as_str())
                            }
                            crate::config::model::Mode::Data
                            | crate::config::model::Mode::Ephemeral => {
                                rf.root == r.key().split('.').next().unwrap_or_default()
                                    && rf.attr(0) == Some(r.ty.as_str())
                                    && rf.attr(1) == Some(r.name.as_str())
                            }
                        };
                        if itself {
                            d.push(err(
                                &format!("Invalid reference in {kind}"),
                                format!("Configuration for {} may not refer to itself.", r.key()),
                                e.file,
                                &rf,
                            ));
                            continue;
                        }
                        self.reference(e.file, &rf, ctx, d);
                    }
                }
            }
        }
    }

    fn body(&self, file: FileId, body: &Body, ctx: &Ctx, d: &mut Diagnostics) {
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => self.expr(
                    &Expr {
                        file,
                        expr: a.value.clone(),
                    },
                    ctx,
                    d,
                ),
                Structure::Block(b) if b.ident.value().as_str() == "dynamic" => {
                    let label = b
                        .labels
                        .first()
                        .map(|l| l.as_str().to_string())
                        .unwrap_or_default();
                    if let Some(fe) = b.body.get_attribute("for_each") {
                        self.expr(
                            &Expr {
                                file,
                                expr: fe.value.clone(),
                            },
                            ctx,
                            d,
                        );
                    }
                    let iter = b
                        .body
                        .get_attribute("iterator")
                        .and_then(|a| references(&a.value).first().map(|r| r.root.clone()))
                        .unwrap_or(label);
                    let mut inner = ctx.clone();
                    inner.bound.push(iter);
                    for content in b.body.get_blocks("content") {
                        self.body(file, &content.body, &inner, d);
                    }
                }
                Structure::Block(b) => self.body(file, &b.body, ctx, d),
            }
        }
    }

    fn expr(&self, e: &Expr, ctx: &Ctx, d: &mut Diagnostics) {
        for r in references(&e.expr) {
            self.reference(e.file, &r, ctx, d);
        }
    }

    /// An index on a resource reference must match how it expands: one
    /// on a single resource is reported once here, rather than as an
    /// "Invalid index" for every instance that evaluates it.
    fn instance_key(
        &self,
        res: &Resource,
        step: Option<&Step>,
        file: FileId,
        r: &Reference,
        d: &mut Diagnostics,
    ) {
        let addr = res.key();
        match instance_key_misfit(res, step) {
            Some(KeyMisfit::Unexpected) => d.push(err("Unexpected resource instance key", format!("Because {addr} does not have \"count\" or \"for_each\" set, references to it must not include an index key. Remove the bracketed index to refer to the single instance of this resource."), file, r)),
            Some(KeyMisfit::StringOnCount) => d.push(err("Invalid resource instance key", format!("Because {addr} has \"count\" set, its instances are identified by number, such as {addr}[0]; a string key cannot identify one."), file, r)),
            None => {}
        }
    }

    fn reference(&self, file: FileId, r: &Reference, ctx: &Ctx, d: &mut Diagnostics) {
        let m = self.module;
        if m.incomplete {
            // What a file that failed to parse declares is unknown: report
            // only what is wrong whatever it declares.
            let mut all = Diagnostics::default();
            self.reference_in(file, r, ctx, &mut all);
            d.items.extend(all.items.into_iter().filter(|x| {
                !x.summary.starts_with("Reference to undeclared")
                    && x.summary != "Unsupported attribute"
            }));
            return;
        }
        self.reference_in(file, r, ctx, d);
    }

    fn reference_in(&self, file: FileId, r: &Reference, ctx: &Ctx, d: &mut Diagnostics) {
        let m = self.module;
        if ctx.bound.contains(&r.root) {
            return;
        }
        let name = r.attr(0);
        match r.root.as_str() {
            "var" => match name {
                Some(n) if m.variables.contains_key(n) => {}
                Some(n) => d.push(err("Reference to undeclared input variable", format!("An input variable with the name {n:?} has not been declared. This variable can be declared with a variable {n:?} {{}} block."), file, r)),
                None => d.push(err("Invalid reference", "The \"var\" object must be followed by an attribute name, like var.region.".into(), file, r)),
            },
            "local" => match name {
                Some(n) if m.locals.contains_key(n) => {}
                Some(n) => d.push(err("Reference to undeclared local value", format!("A local value with the name {n:?} has not been declared."), file, r)),
                None => d.push(err("Invalid reference", "The \"local\" object must be followed by an attribute name, like local.name.".into(), file, r)),
            },
            "module" => match name {
                Some(n) => match m.module_calls.get(n) {
                    None => d.push(err("Reference to undeclared module", format!("No module call named {n:?} is declared in this module."), file, r)),
                    Some(call) => {
                        let expanded = call.count.is_some() || call.for_each.is_some();
                        if !expanded && is_index(r.steps.get(1)) {
                            d.push(err("Unexpected module instance key", format!("Because module.{n} does not have \"count\" or \"for_each\" set, references to it must not include an index key. Remove the bracketed index to refer to the single instance of this module."), file, r));
                            return;
                        }
                        // A call whose source could not be loaded (or parsed) was reported there.
                        let Some(child) = self.config.modules.get(call.child).filter(|m| !m.incomplete) else { return };
                        let out_step = if expanded { 2 } else { 1 };
                        if let Some(Step::Attr(o)) = r.steps.get(out_step)
                            && !child.outputs.contains_key(o) {
                                d.push(err("Unsupported attribute", format!("This object does not have an attribute named {o:?}: module {n:?} declares no output of that name."), file, r));
                            }
                    }
                },
                None => d.push(err("Invalid reference", "The \"module\" object must be followed by a module name, like module.network.".into(), file, r)),
            },
            "count" => {
                if !ctx.count {
                    d.push(err("Reference to \"count\" in non-counted context", "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.".into(), file, r));
                } else if name != Some("index") {
                    d.push(err("Invalid \"count\" attribute", "The \"count\" object has only the attribute \"index\".".into(), file, r));
                }
            }
            "each" => {
                if !ctx.each {
                    d.push(err("Reference to \"each\" in context without for_each", "The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.".into(), file, r));
                } else if !matches!(name, Some("key" | "value")) {
                    d.push(err("Invalid \"each\" attribute", "The \"each\" object has only the attributes \"key\" and \"value\".".into(), file, r));
                }
            }
            "path" => {
                if !matches!(name, Some("module" | "root" | "cwd")) {
                    d.push(err("Invalid \"path\" attribute", "The \"path\" object has only the attributes \"module\", \"root\" and \"cwd\".".into(), file, r));
                }
            }
            "terraform" | "drinfra" => {
                if name != Some("workspace") {
                    d.push(err("Invalid \"terraform\" attribute", "The only supported attribute is \"workspace\".".into(), file, r));
                }
            }
            "failover_group" => match name {
                Some(n) if self.config.root().failover_groups.contains_key(n) && std::ptr::eq(m, self.config.root()) => {}
                Some(n) if self.config.root().broken_failover_groups.contains(n) && std::ptr::eq(m, self.config.root()) => {}
                Some(n) if std::ptr::eq(m, self.config.root()) => d.push(err("Reference to undeclared failover group", format!("No failover_group {n:?} is declared."), file, r)),
                _ => d.push(err("Invalid failover_group reference", "failover_group.NAME is available in the root module; pass roles to modules as variables.".into(), file, r)),
            },
            "self" if ctx.self_ok => {}
            "self" => d.push(err("Invalid \"self\" reference", "The \"self\" object is not available in this context. This object can be used only in resource provisioner, connection, and postcondition blocks.".into(), file, r)),
            "data" => match (r.attr(0), r.attr(1)) {
                (Some(t), Some(n)) if m.resources.contains_key(&format!("data.{t}.{n}")) => self.instance_key(&m.resources[&format!("data.{t}.{n}")], r.steps.get(2), file, r, d),
                (Some(t), Some(n)) => d.push(err("Reference to undeclared resource", format!("A data resource {t:?} {n:?} has not been declared in this module."), file, r)),
                _ => d.push(err("Invalid reference", "A reference to a data source must be followed by the type and name, like data.T.NAME.".into(), file, r)),
            },
            "ephemeral" => match (r.attr(0), r.attr(1)) {
                (Some(t), Some(n)) if m.resources.contains_key(&format!("ephemeral.{t}.{n}")) => self.instance_key(&m.resources[&format!("ephemeral.{t}.{n}")], r.steps.get(2), file, r, d),
                (Some(t), Some(n)) => d.push(err("Reference to undeclared resource", format!("An ephemeral resource {t:?} {n:?} has not been declared in this module."), file, r)),
                _ => d.push(err("Invalid reference", "A reference to an ephemeral resource must be followed by the type and name, like ephemeral.T.NAME.".into(), file, r)),
            },
            root => match name {
                Some(n) if m.resources.contains_key(&format!("{root}.{n}")) => self.instance_key(&m.resources[&format!("{root}.{n}")], r.steps.get(1), file, r, d),
                Some(n) => d.push(err("Reference to undeclared resource", format!("A managed resource {root:?} {n:?} has not been declared in this module."), file, r)),
                None => d.push(err("Invalid reference", format!("There is no variable named {root:?}. A reference to a resource type must be followed by at least one attribute access, specifying the resource name."), file, r)),
            },
        }
    }
}

/// Why an index on a reference to a resource cannot name an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyMisfit {
    /// An index on a resource without `count` or `for_each`.
    Unexpected,
    /// A string key (not a number) on a `count` resource.
    StringOnCount,
}

/// Whether `step`, the index on a reference to `res`, can name one of its
/// instances; the static check reports those that cannot, and evaluation
/// leaves them alone.
pub(crate) fn instance_key_misfit(res: &Resource, step: Option<&Step>) -> Option<KeyMisfit> {
    if res.count.is_none() && res.for_each.is_none() && is_index(step) {
        Some(KeyMisfit::Unexpected)
    } else if res.count.is_some() && matches!(step, Some(Step::Key(k)) if k.parse::<f64>().is_err())
    {
        Some(KeyMisfit::StringOnCount)
    } else {
        None
    }
}

/// Whether a reference step indexes instances (`[0]`, `["a"]`, `[var.i]`).
pub(crate) fn is_index(step: Option<&Step>) -> bool {
    matches!(
        step,
        Some(Step::Index(_) | Step::Key(_) | Step::Dynamic | Step::CountIndex | Step::EachKey)
    )
}

/// A `removed` block naming a resource or module still declared, as
/// Terraform refuses it: at the declaration, following module calls
/// (`module.a.type.name` names a resource of module `a`).
fn removed_still_declared(config: &Config, m: &Module, diags: &mut Diagnostics) {
    for r in &m.removed {
        let text = r.from_text(&config.sources);
        let parts: Vec<&str> = text.split('.').collect();
        let mut module = m;
        let mut rest = parts.as_slice();
        let mut declared = None;
        let mut is_module = false;
        while let ["module", call, tail @ ..] = rest {
            let Some(c) = module.module_calls.get(*call) else {
                break;
            };
            if tail.is_empty() {
                declared = Some(c.span.clone());
                is_module = true;
                break;
            }
            let Some(child) = config.modules.get(c.child) else {
                break;
            };
            module = child;
            rest = tail;
        }
        if declared.is_none()
            && let [ty, name] = rest
        {
            declared = module
                .resources
                .get(&format!("{ty}.{name}"))
                .map(|r| r.span.clone());
        }
        if let Some(at) = declared {
            diags.push(
                Diagnostic::error(if is_module {
                    "Removed module still exists"
                } else {
                    "Removed resource still exists"
                })
                .with_detail(format!("This statement declares that {text} was removed, but it is still declared in configuration."))
                .at(Some(at)),
            );
        }
    }
}

//! Evaluating a configuration: every module instance's variables, locals,
//! outputs, module calls and resource instances, to the values Terraform
//! would compute before apply.
//!
//! Evaluation is demand-driven and memoised: asking for a value evaluates
//! just what it references, and a reference back into a value still being
//! evaluated is a cycle, reported with its members. Each expression gets a
//! [`Scope`] built from its own references only.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use hcl_edit::structure::{Body, Structure};

use super::model::{Config, Expr, Module, Resource};
use super::vars::Inputs;
pub use crate::addrs::{InstanceKey, ModulePath};
use crate::diag::{Diagnostic, Diagnostics, FileId, Span};
use crate::lang::convert::convert;
use crate::lang::refs::{Reference, Step, references};
use crate::lang::{Evaluator, Scope, Type, Value};

/// Memoised `count`/`for_each` expansions: per module path and block,
/// each instance's key and its `count.index` / `each` value.
type Expansions = HashMap<(ModulePath, String), Vec<(InstanceKey, Value)>>;

/// The most instances one resource or module block may have (`count` or the
/// size of `for_each`). Checked before any instance is built, so a mistaken
/// `count = 1e9` is a located error instead of a runaway allocation.
pub const MAX_INSTANCES: usize = 100_000;

/// How deep lists, maps and objects may nest inside a value that a
/// variable, local, output or resource holds. A single expression cannot
/// nest more than the parser allows (64 levels), but a chain of locals
/// (`l0 = [local.l1]`, ...) can, and every operation on values recurses
/// over their depth: a limit keeps them all bounded.
pub const MAX_VALUE_DEPTH: usize = 128;

/// Values of resource instances that already exist (from state or a plan).
/// Without one, a resource's value is its configuration with every other
/// attribute unknown, as before a first apply.
pub trait ResourceValues {
    fn get(&self, module: &ModulePath, resource: &str, key: &InstanceKey) -> Option<Value>;
}

/// Where a failover group stands, as evaluation sees it through
/// `failover_group.NAME`: plain data the failover layer supplies. A group
/// nobody supplied stands as its configuration declares it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroupPlacement {
    pub active: String,
    /// Whether the standby replicates from the active site.
    pub replicating: bool,
    /// Where traffic goes.
    pub traffic: String,
    /// Components standing apart from the group; the others follow
    /// `active`/`replicating`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub components: BTreeMap<String, ComponentPlacement>,
}

/// Where one component of a failover group is active.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ComponentPlacement {
    pub active: String,
    pub replicating: bool,
}

/// What providers say a resource type has beyond its arguments, so that
/// references to computed attributes (`id`, `output`) are unknown rather
/// than missing before the first apply.
pub trait Schemas {
    fn computed_attributes(&self, ty: &str) -> Vec<String>;
}

/// One evaluated resource instance.
#[derive(Debug, Clone)]
pub struct ResourceInstance {
    pub module: ModulePath,
    /// `type.name` or `data.type.name`.
    pub resource: String,
    pub key: InstanceKey,
    /// The evaluated arguments and nested blocks.
    pub config: Value,
    /// Index into [`Config::modules`] of the declaring module.
    pub module_index: usize,
}

impl ResourceInstance {
    pub fn address(&self) -> String {
        crate::addrs::instance_text(&self.module, &self.resource, &self.key)
    }
}

#[derive(Debug, Clone)]
pub struct OutputValue {
    pub value: Value,
    pub sensitive: bool,
}

/// The result of evaluating the whole configuration.
#[derive(Debug, Default)]
pub struct Evaluation {
    pub outputs: BTreeMap<String, OutputValue>,
    pub resources: Vec<ResourceInstance>,
    pub diags: Diagnostics,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Node {
    Var(ModulePath, String),
    Local(ModulePath, String),
    Output(ModulePath, String),
    Resource(ModulePath, String),
    CallExpansion(ModulePath, String),
}

/// What `count`, `each` and `dynamic` iterators hold for one expression.
#[derive(Debug, Clone, Default)]
struct Extra {
    count: Option<i64>,
    each: Option<(Value, Value)>,
    iterators: BTreeMap<String, Value>,
}

impl Extra {
    fn for_key(key: &InstanceKey, each_value: &Value) -> Extra {
        match key {
            InstanceKey::None => Extra::default(),
            InstanceKey::Int(i) => Extra {
                count: Some(*i),
                ..Extra::default()
            },
            InstanceKey::Str(s) => Extra {
                each: Some((Value::String(s.clone()), each_value.clone())),
                ..Extra::default()
            },
        }
    }
}

/// Instance keys of a resource, each with its `each.value`.
type Expansion = Vec<(InstanceKey, Value)>;

/// Marker for "already reported"; the caller carries on with an unknown.
struct Failed;

pub struct Context<'a> {
    config: &'a Config,
    inputs: &'a Inputs,
    cwd: PathBuf,
    root_dir: PathBuf,
    resource_values: Option<&'a dyn ResourceValues>,
    /// Whether a root variable without a value is an error (plan) or
    /// unknown (validate, like `terraform validate`).
    pub require_inputs: bool,
    pub schemas: Option<&'a dyn Schemas>,
    /// Whether an argument that fails to evaluate leaves its resource's
    /// other arguments checkable (unknown in its place) rather than failing
    /// the whole instance: validation wants every problem, planning wants
    /// no instance built from a broken body.
    pub lenient: bool,
    /// Failover groups as they stand (or as a failover wants them).
    pub failover: BTreeMap<String, GroupPlacement>,
    cache: RefCell<HashMap<Node, Value>>,
    expansions: RefCell<Expansions>,
    stack: RefCell<Vec<(Node, Option<Span>)>>,
    /// Cycles already reported: a cycle through a resource with many
    /// instances is met once per instance but reported once.
    cycles_reported: RefCell<std::collections::HashSet<String>>,
    /// Instance keys of each resource, and each instance's evaluated body,
    /// so that the value other expressions see and the configurations the
    /// planner asks for share one evaluation (and `instance_config`, called
    /// once per instance, does not re-expand the resource each time).
    depth_reported: std::cell::Cell<bool>,
    resource_keys: RefCell<HashMap<(ModulePath, String), Option<Expansion>>>,
    bodies: RefCell<HashMap<(ModulePath, String, InstanceKey), Option<Value>>>,
    diags: RefCell<Diagnostics>,
}

/// Evaluates everything in the configuration (the work of `validate`).
pub fn evaluate(
    config: &Config,
    inputs: &Inputs,
    cwd: &Path,
    schemas: Option<&dyn Schemas>,
    require_inputs: bool,
) -> Evaluation {
    let mut cx = Context::new(config, inputs, cwd, None);
    cx.require_inputs = require_inputs;
    cx.schemas = schemas;
    cx.lenient = true;
    let mut eval = Evaluation::default();
    cx.walk(&ModulePath::root(), 0, &mut eval);
    let root = config.root();
    for (name, o) in &root.outputs {
        let value = cx.value(
            Node::Output(ModulePath::root(), name.clone()),
            Some(o.span.clone()),
        );
        eval.outputs.insert(
            name.clone(),
            OutputValue {
                value,
                sensitive: o.sensitive,
            },
        );
    }
    eval.diags = cx.diags.into_inner();
    eval
}

impl<'a> Context<'a> {
    pub fn new(
        config: &'a Config,
        inputs: &'a Inputs,
        cwd: &Path,
        resource_values: Option<&'a dyn ResourceValues>,
    ) -> Context<'a> {
        Context {
            config,
            inputs,
            cwd: cwd.to_path_buf(),
            root_dir: config.root().dir.clone(),
            resource_values,
            require_inputs: true,
            schemas: None,
            lenient: false,
            failover: BTreeMap::new(),
            cache: RefCell::default(),
            expansions: RefCell::default(),
            stack: RefCell::default(),
            cycles_reported: RefCell::default(),
            depth_reported: Default::default(),
            resource_keys: RefCell::default(),
            bodies: RefCell::default(),
            diags: RefCell::default(),
        }
    }

    /// Every module instance with the index of its module, root first.
    pub fn module_instances(&self) -> Vec<(ModulePath, usize)> {
        let mut out = vec![(ModulePath::root(), 0)];
        let mut i = 0;
        while i < out.len() {
            let (path, idx) = out[i].clone();
            for (name, call) in &self.config.modules[idx].module_calls {
                if call.child == usize::MAX {
                    continue;
                }
                for (key, _) in self.call_expansion(&path, name) {
                    let mut child = path.clone();
                    child.push((name.clone(), key));
                    out.push((child, call.child));
                }
            }
            i += 1;
        }
        out
    }

    /// The evaluated arguments of every instance of resource `key` in
    /// module instance `path`.
    pub fn instances_of(&self, path: &ModulePath, key: &str) -> Vec<(InstanceKey, Value)> {
        let (_, m) = self.module_at(path);
        match m.resources.get(key) {
            Some(r) => self.resource_configs(path, r),
            None => vec![],
        }
    }

    /// Instance keys of resource `key` in `path` (without evaluating bodies).
    pub fn instance_keys(&self, path: &ModulePath, key: &str) -> Vec<InstanceKey> {
        let (_, m) = self.module_at(path);
        match m.resources.get(key) {
            Some(r) => self
                .resource_expansion(path, r)
                .map(|v| v.into_iter().map(|(k, _)| k).collect())
                .unwrap_or_default(),
            None => vec![],
        }
    }

    /// The evaluated arguments of one resource instance.
    pub fn instance_config(
        &self,
        path: &ModulePath,
        key: &str,
        instance: &InstanceKey,
    ) -> Option<Value> {
        let (_, m) = self.module_at(path);
        let r = m.resources.get(key)?;
        let keys = self.resource_expansion(path, r).ok()?;
        let (_, each_value) = keys.into_iter().find(|(k, _)| k == instance)?;
        // Evaluated afresh: apply asks once values it depends on are known.
        self.eval_body(
            path,
            r.body.file,
            &r.body.body,
            &Extra::for_key(instance, &each_value),
        )
        .ok()
    }

    /// Evaluates an expression of module instance `path` (no count/each).
    pub fn eval_expr(&self, path: &ModulePath, e: &Expr) -> Option<Value> {
        self.eval(path, e, &Extra::default()).ok()
    }

    /// The root module's outputs.
    pub fn root_outputs(&self) -> BTreeMap<String, OutputValue> {
        self.config
            .root()
            .outputs
            .iter()
            .map(|(name, o)| {
                (
                    name.clone(),
                    OutputValue {
                        value: self.value(
                            Node::Output(ModulePath::root(), name.clone()),
                            Some(o.span.clone()),
                        ),
                        sensitive: o.sensitive,
                    },
                )
            })
            .collect()
    }

    /// Diagnostics collected so far, leaving none behind.
    pub fn take_diags(&self) -> Diagnostics {
        std::mem::take(&mut *self.diags.borrow_mut())
    }

    pub fn report(&self, d: Diagnostic) {
        self.diags.borrow_mut().push(d);
    }

    fn module_at(&self, path: &ModulePath) -> (usize, &'a Module) {
        let mut idx = 0;
        for (name, _) in path {
            idx = self.config.modules[idx]
                .module_calls
                .get(name)
                .map(|c| c.child)
                .unwrap_or(idx);
        }
        (idx, &self.config.modules[idx])
    }

    /// Visits every module instance, evaluating everything declared in it.
    fn walk(&self, path: &ModulePath, idx: usize, out: &mut Evaluation) {
        let m = &self.config.modules[idx];
        for name in m.variables.keys() {
            self.value(Node::Var(path.clone(), name.clone()), None);
        }
        for name in m.locals.keys() {
            self.value(Node::Local(path.clone(), name.clone()), None);
        }
        for (key, r) in &m.resources {
            let _ = self.value(
                Node::Resource(path.clone(), key.clone()),
                Some(r.span.clone()),
            );
            for (ik, config) in self.resource_configs(path, r) {
                out.resources.push(ResourceInstance {
                    module: path.clone(),
                    resource: key.clone(),
                    key: ik,
                    config,
                    module_index: idx,
                });
            }
        }
        if !path.is_empty() {
            for name in m.outputs.keys() {
                self.value(Node::Output(path.clone(), name.clone()), None);
            }
        }
        for (name, call) in &m.module_calls {
            if call.child == usize::MAX {
                continue;
            }
            for (key, _) in self.call_expansion(path, name) {
                let mut child = path.clone();
                child.push((name.clone(), key));
                self.walk(&child, call.child, out);
            }
        }
    }

    /// A memoised value, with cycle detection. Demand-driven evaluation
    /// recurses once per link of a reference chain; the chain's length is
    /// bounded by memory, not by the native stack (`lang::with_stack`).
    fn value(&self, node: Node, at: Option<Span>) -> Value {
        crate::lang::with_stack(|| self.value_now(node, at))
    }

    fn value_now(&self, node: Node, at: Option<Span>) -> Value {
        if let Some(v) = self.cache.borrow().get(&node) {
            return v.clone();
        }
        if let Some(pos) = self.stack.borrow().iter().position(|(n, _)| *n == node) {
            let members: Vec<String> = self.stack.borrow()[pos..]
                .iter()
                .map(|(n, _)| self.describe(n))
                .collect();
            // At the reference that closes the loop, when there is one; each
            // loop once, however many instances meet it.
            let span = at.or_else(|| self.stack.borrow()[pos].1.clone());
            let (summary, detail) = match (&node, members.len()) {
                // Terraform's words for a block that refers to itself.
                (Node::Resource(..), 1) => (
                    "Self-referential block",
                    format!(
                        "Configuration for {} may not refer to itself.",
                        self.describe(&node)
                    ),
                ),
                (_, 1) => (
                    "Cycle in configuration",
                    format!("{} refers to itself.", self.describe(&node)),
                ),
                _ => (
                    "Cycle in configuration",
                    format!(
                        "These values depend on each other: {} -> {}.",
                        members.join(" -> "),
                        self.describe(&node)
                    ),
                ),
            };
            if self.cycles_reported.borrow_mut().insert(detail.clone()) {
                self.report(Diagnostic::error(summary).with_detail(detail).at(span));
            }
            return Value::unknown();
        }
        let decl = self.declaration_span(&node).or(at);
        self.stack.borrow_mut().push((node.clone(), decl.clone()));
        let mut v = self
            .compute(&node)
            .unwrap_or_else(|Failed| Value::unknown());
        if v.nests_deeper_than(MAX_VALUE_DEPTH) {
            let what = self.describe(&node);
            // Levels further up the same chain would nest too deeply again:
            // the first (innermost) is the one to report.
            if !self.depth_reported.replace(true) {
                self.report(
                    Diagnostic::error("Value nested too deeply")
                        .with_detail(format!("The value of {what} has lists, maps or objects nested more than {MAX_VALUE_DEPTH} levels deep, more than drinfra allows."))
                        .at(decl),
                );
            }
            v = Value::unknown();
        }
        self.stack.borrow_mut().pop();
        self.cache.borrow_mut().insert(node, v.clone());
        v
    }

    fn describe(&self, n: &Node) -> String {
        match n {
            Node::Var(p, name) => format!("{}var.{name}", p.prefix()),
            Node::Local(p, name) => format!("{}local.{name}", p.prefix()),
            Node::Output(p, name) => format!("{}output.{name}", p.prefix()),
            Node::Resource(p, key) => format!("{}{key}", p.prefix()),
            Node::CallExpansion(p, name) => format!("{}module.{name}", p.prefix()),
        }
    }

    fn declaration_span(&self, n: &Node) -> Option<Span> {
        let (p, name) = match n {
            Node::Var(p, x)
            | Node::Local(p, x)
            | Node::Output(p, x)
            | Node::Resource(p, x)
            | Node::CallExpansion(p, x) => (p, x),
        };
        let (_, m) = self.module_at(p);
        match n {
            Node::Var(..) => m.variables.get(name).map(|v| v.span.clone()),
            Node::Local(..) => m.locals.get(name).map(|v| v.span.clone()),
            Node::Output(..) => m.outputs.get(name).map(|v| v.span.clone()),
            Node::Resource(..) => m.resources.get(name).map(|v| v.span.clone()),
            Node::CallExpansion(..) => m.module_calls.get(name).map(|v| v.span.clone()),
        }
    }

    fn compute(&self, node: &Node) -> Result<Value, Failed> {
        match node {
            Node::Var(p, name) => self.variable(p, name),
            Node::Local(p, name) => {
                let (_, m) = self.module_at(p);
                let l = m.locals.get(name).ok_or(Failed)?;
                self.eval(p, &l.value, &Extra::default())
            }
            Node::Output(p, name) => {
                let (_, m) = self.module_at(p);
                let o = m.outputs.get(name).ok_or(Failed)?;
                let v = self.eval(p, &o.value, &Extra::default())?;
                if p.is_empty() && !o.sensitive && v.is_sensitive_anywhere() {
                    self.report(Diagnostic::error("Output refers to sensitive values").with_detail("To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, drinfra requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent. If you do intend to export this data, annotate the output value as sensitive by adding: sensitive = true").at(Some(o.span.clone())));
                    return Err(Failed);
                }
                Ok(v.mark_if(o.sensitive))
            }
            Node::Resource(p, key) => {
                let (_, m) = self.module_at(p);
                let r = m.resources.get(key).ok_or(Failed)?;
                Ok(self.resource_value(p, r))
            }
            Node::CallExpansion(..) => Ok(Value::Null),
        }
    }

    fn variable(&self, p: &ModulePath, name: &str) -> Result<Value, Failed> {
        let (_, m) = self.module_at(p);
        let var = m.variables.get(name).ok_or(Failed)?;
        let no_scope = Extra::default();
        // The given value and where to point if it is wrong.
        let (given, span): (Option<Value>, Option<Span>) = if p.is_empty() {
            match self.inputs.get(name) {
                Some(iv) => (
                    Some(iv.value.clone()),
                    iv.span.clone().or(Some(var.span.clone())),
                ),
                None => (None, Some(var.span.clone())),
            }
        } else {
            let parent = p.parent();
            let (call_name, key) = &p[p.len() - 1];
            let (_, pm) = self.module_at(&parent);
            let call = pm.module_calls.get(call_name).ok_or(Failed)?;
            match call.inputs.get(name) {
                Some((_, e)) => {
                    let each_value = self
                        .call_expansion(&parent, call_name)
                        .into_iter()
                        .find(|(k, _)| k == key)
                        .map(|(_, v)| v)
                        .unwrap_or(Value::Null);
                    let v = self.eval(&parent, e, &Extra::for_key(key, &each_value))?;
                    (Some(v), e.span())
                }
                None => (None, Some(call.span.clone())),
            }
        };
        let default = match &var.default {
            Some(d) => Some(self.eval(p, d, &no_scope)?),
            None => None,
        };
        let from_default = var.default.as_ref().and_then(Expr::span);
        let (raw, span) = match (given, &default) {
            (Some(v), _) if !v.is_null() || var.nullable => (v, span),
            (_, Some(d)) => (d.clone(), from_default.or(span)),
            (Some(_), None) => {
                self.report(
                    Diagnostic::error("Invalid value for variable")
                        .with_detail(format!(
                            "The variable {name:?} is not nullable, so it must not be set to null."
                        ))
                        .at(span),
                );
                return Err(Failed);
            }
            (None, None) if !p.is_empty() => return Err(Failed), // reported by the static check
            (None, None) if !self.require_inputs => {
                return Ok(Value::Unknown(var.ty.clone()).mark_if(var.sensitive));
            }
            (None, None) => {
                let detail = if p.is_empty() {
                    format!(
                        "The root module input variable {name:?} is not set, and has no default value. Use a --var or --var-file option to provide a value for this variable."
                    )
                } else {
                    format!("The module call must set {name:?}: the variable has no default value.")
                };
                self.report(
                    Diagnostic::error("No value for required variable")
                        .with_detail(detail)
                        .at(span),
                );
                return Err(Failed);
            }
        };
        let value = match convert(&raw, &var.ty) {
            Ok(v) => v,
            Err(e) => {
                // Conversion messages name map keys and elements of the value.
                let why = if var.sensitive || raw.is_sensitive_anywhere() {
                    crate::lang::eval::HIDDEN_DETAIL.to_string()
                } else {
                    e.0
                };
                self.report(
                    Diagnostic::error("Invalid value for variable")
                        .with_detail(format!(
                            "The given value is not suitable for var.{name} declared at {}: {why}.",
                            self.place(&var.span)
                        ))
                        .at(span),
                );
                return Err(Failed);
            }
        };
        for rule in &var.validations {
            let extra = Extra::default();
            // The rules see the value with its mark, so a message built from
            // a sensitive variable is recognised as such.
            let scope_override = Some((name.to_string(), value.clone().mark_if(var.sensitive)));
            let cond = self.eval_with(p, &rule.condition, &extra, scope_override.clone())?;
            match cond.unmark().0 {
                Value::Bool(true) | Value::Unknown(_) => {}
                Value::Bool(false) => {
                    let msg = self.eval_with(p, &rule.error_message, &extra, scope_override)?;
                    let msg = match msg.unmark() {
                        (_, true) => "The error message included a sensitive value, so it will not be displayed.".into(),
                        (Value::String(s), false) => s.clone(),
                        _ => "(error_message is not a string)".into(),
                    };
                    self.report(
                        Diagnostic::error("Invalid value for variable")
                            .with_detail(format!(
                                "{msg}\n\nThis was checked by the validation rule at {}.",
                                self.place(&rule.condition.span().unwrap_or(var.span.clone()))
                            ))
                            .at(span.clone()),
                    );
                    return Err(Failed);
                }
                _ => {
                    self.report(
                        Diagnostic::error("Invalid validation result")
                            .with_detail("The condition must produce a bool.")
                            .at(rule.condition.span()),
                    );
                    return Err(Failed);
                }
            }
        }
        Ok(value.mark_if(var.sensitive))
    }

    fn place(&self, s: &Span) -> String {
        let f = self.config.sources.get(s.file);
        let lc = f.line_col(s.range.start);
        format!("{}:{}", f.path.display(), lc.line)
    }

    fn eval(&self, p: &ModulePath, e: &Expr, extra: &Extra) -> Result<Value, Failed> {
        self.eval_with(p, e, extra, None)
    }

    /// Evaluates `e` in module instance `p`; `var_override` gives a
    /// variable's own value to its validation rules.
    fn eval_with(
        &self,
        p: &ModulePath,
        e: &Expr,
        extra: &Extra,
        var_override: Option<(String, Value)>,
    ) -> Result<Value, Failed> {
        let refs = references(&e.expr);
        let scope = self.scope_for(p, e.file, &refs, extra, var_override.as_ref())?;
        let ev = Evaluator::new(e.file, self.cwd.clone());
        ev.eval(&e.expr, &scope).map_err(|err| {
            self.report(err.into_diagnostic());
            Failed
        })
    }

    fn path_value(&self, p: &ModulePath, attr: &str) -> Value {
        let (_, m) = self.module_at(p);
        let rel = |dir: &Path| -> String {
            let s = dir
                .strip_prefix(&self.cwd)
                .map(|r| r.to_path_buf())
                .unwrap_or_else(|_| dir.to_path_buf());
            let s = s.display().to_string();
            if s.is_empty() { ".".into() } else { s }
        };
        Value::String(match attr {
            "module" => rel(&m.dir),
            "root" => rel(&self.root_dir),
            _ => self.cwd.display().to_string(),
        })
    }

    /// A scope holding exactly the values `refs` name.
    fn scope_for(
        &self,
        p: &ModulePath,
        file: FileId,
        refs: &[Reference],
        extra: &Extra,
        var_override: Option<&(String, Value)>,
    ) -> Result<Scope, Failed> {
        let (_, m) = self.module_at(p);
        let mut scope = Scope::default();
        let mut objects: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
        let mut nested: BTreeMap<String, BTreeMap<String, BTreeMap<String, Value>>> =
            BTreeMap::new();
        let mut ok = true;
        for r in refs {
            if let Some(v) = extra.iterators.get(&r.root) {
                scope.vars.insert(r.root.clone(), v.clone());
                continue;
            }
            let span = Some(Span::new(file, r.span.clone()));
            let name = r.attr(0).map(str::to_string);
            match r.root.as_str() {
                "var" => {
                    let Some(n) = name else {
                        ok = false;
                        continue;
                    };
                    if !m.variables.contains_key(&n) {
                        ok = false;
                        continue;
                    }
                    let v = match var_override {
                        Some((vn, vv)) if *vn == n => vv.clone(),
                        _ => self.value(Node::Var(p.clone(), n.clone()), span),
                    };
                    objects.entry("var".into()).or_default().insert(n, v);
                }
                "local" => {
                    let Some(n) = name else {
                        ok = false;
                        continue;
                    };
                    if !m.locals.contains_key(&n) {
                        ok = false;
                        continue;
                    }
                    let v = self.value(Node::Local(p.clone(), n.clone()), span);
                    objects.entry("local".into()).or_default().insert(n, v);
                }
                "module" => {
                    let Some(n) = name else {
                        ok = false;
                        continue;
                    };
                    let Some(call) = m.module_calls.get(&n) else {
                        ok = false;
                        continue;
                    };
                    if call.child == usize::MAX {
                        ok = false;
                        continue;
                    }
                    let child = &self.config.modules[call.child];
                    let expanded = call.count.is_some() || call.for_each.is_some();
                    if !expanded && super::check::is_index(r.steps.get(1)) {
                        ok = false; // reported by the static check
                        continue;
                    }
                    let out_step = if expanded { 2 } else { 1 };
                    if let Some(Step::Attr(o)) = r.steps.get(out_step)
                        && !child.outputs.contains_key(o)
                    {
                        ok = false; // reported by the static check
                        continue;
                    }
                    let wanted: Vec<String> = r
                        .steps
                        .iter()
                        .filter_map(|s| match s {
                            Step::Attr(a) if child.outputs.contains_key(a) => Some(a.clone()),
                            _ => None,
                        })
                        .collect();
                    let wanted = if r.steps.len() <= 1
                        || r.steps
                            .iter()
                            .any(|s| matches!(s, Step::Dynamic | Step::CountIndex | Step::EachKey))
                            && wanted.is_empty()
                    {
                        child.outputs.keys().cloned().collect()
                    } else {
                        wanted
                    };
                    let v = self.module_value(p, &n, &wanted, span);
                    objects.entry("module".into()).or_default().insert(n, v);
                }
                "count" => match extra.count {
                    Some(i) => {
                        scope.vars.insert(
                            "count".into(),
                            Value::Object([("index".to_string(), Value::Number(i as f64))].into()),
                        );
                    }
                    None => ok = false,
                },
                "each" => match &extra.each {
                    Some((k, v)) => {
                        scope.vars.insert(
                            "each".into(),
                            Value::Object(
                                [
                                    ("key".to_string(), k.clone()),
                                    ("value".to_string(), v.clone()),
                                ]
                                .into(),
                            ),
                        );
                    }
                    None => ok = false,
                },
                "path" => {
                    let a = name.unwrap_or_default();
                    objects
                        .entry("path".into())
                        .or_default()
                        .insert(a.clone(), self.path_value(p, &a));
                }
                "failover_group" => {
                    let Some(n) = name else {
                        ok = false;
                        continue;
                    };
                    let Some(g) = self.config.root().failover_groups.get(&n) else {
                        ok = false;
                        continue;
                    };
                    let view = self
                        .failover
                        .get(&n)
                        .cloned()
                        .unwrap_or_else(|| GroupPlacement {
                            active: g.active.clone(),
                            replicating: true,
                            traffic: g.active.clone(),
                            components: BTreeMap::new(),
                        });
                    let role = |site: &str, active: &str| {
                        Value::String(if site == active { "active" } else { "standby" }.into())
                    };
                    let roles = |active: &str| {
                        Value::Map(
                            g.sites
                                .iter()
                                .map(|s| (s.clone(), role(s, active)))
                                .collect(),
                        )
                    };
                    let components = g.components.iter().map(|c| {
                        let v = view
                            .components
                            .get(c)
                            .cloned()
                            .unwrap_or(ComponentPlacement {
                                active: view.active.clone(),
                                replicating: view.replicating,
                            });
                        (
                            c.clone(),
                            Value::Object(BTreeMap::from([
                                ("active".to_string(), Value::String(v.active.clone())),
                                ("roles".to_string(), roles(&v.active)),
                                ("replicating".to_string(), Value::Bool(v.replicating)),
                            ])),
                        )
                    });
                    let obj = Value::Object(BTreeMap::from([
                        ("name".to_string(), Value::String(n.clone())),
                        (
                            "sites".to_string(),
                            Value::List(g.sites.iter().map(|s| Value::String(s.clone())).collect()),
                        ),
                        ("active".to_string(), Value::String(view.active.clone())),
                        (
                            "standby".to_string(),
                            Value::List(
                                g.sites
                                    .iter()
                                    .filter(|s| **s != view.active)
                                    .map(|s| Value::String(s.clone()))
                                    .collect(),
                            ),
                        ),
                        ("roles".to_string(), roles(&view.active)),
                        ("traffic_roles".to_string(), roles(&view.traffic)),
                        ("replicating".to_string(), Value::Bool(view.replicating)),
                        (
                            "components".to_string(),
                            Value::Object(components.collect()),
                        ),
                    ]));
                    objects
                        .entry("failover_group".into())
                        .or_default()
                        .insert(n, obj);
                }
                "terraform" | "drinfra" => {
                    objects
                        .entry(r.root.clone())
                        .or_default()
                        .insert("workspace".into(), Value::String("default".into()));
                }
                "data" => {
                    let (Some(t), Some(n)) = (r.attr(0), r.attr(1)) else {
                        ok = false;
                        continue;
                    };
                    let key = format!("data.{t}.{n}");
                    let Some(res) = m.resources.get(&key) else {
                        ok = false;
                        continue;
                    };
                    let Some(v) = self.resource_scope_value(p, &key, res, r, refs, 2, extra, span)
                    else {
                        ok = false;
                        continue;
                    };
                    nested
                        .entry("data".into())
                        .or_default()
                        .entry(t.to_string())
                        .or_default()
                        .insert(n.to_string(), v);
                }
                root => {
                    let Some(n) = name else {
                        ok = false;
                        continue;
                    };
                    let key = format!("{root}.{n}");
                    let Some(res) = m.resources.get(&key) else {
                        ok = false;
                        continue;
                    };
                    let Some(v) = self.resource_scope_value(p, &key, res, r, refs, 1, extra, span)
                    else {
                        ok = false;
                        continue;
                    };
                    objects.entry(root.to_string()).or_default().insert(n, v);
                }
            }
        }
        if !ok {
            // The static check has reported the bad reference already.
            return Err(Failed);
        }
        for (k, v) in objects {
            scope.vars.insert(k, Value::Object(v));
        }
        for (k, types) in nested {
            scope.vars.insert(
                k,
                Value::Object(
                    types
                        .into_iter()
                        .map(|(t, v)| (t, Value::Object(v)))
                        .collect(),
                ),
            );
        }
        Ok(scope)
    }

    /// What reference `r` to resource `key` (its instance index at step
    /// `index_step`) sees in scope, or `None` when the index cannot name an
    /// instance (reported by the static check, or here once).
    #[allow(clippy::too_many_arguments)]
    fn resource_scope_value(
        &self,
        p: &ModulePath,
        key: &str,
        res: &Resource,
        r: &Reference,
        refs: &[Reference],
        index_step: usize,
        extra: &Extra,
        span: Option<Span>,
    ) -> Option<Value> {
        let step = r.steps.get(index_step);
        if super::check::instance_key_misfit(res, step).is_some() {
            return None;
        }
        let v = self.resource_ref_value(p, key, res, refs, index_step, extra, span.clone());
        if !self.for_each_key_exists(res, &v, step, span) {
            return None;
        }
        Some(fill_unknown_attrs(v, res, &r.steps[index_step..]))
    }

    /// A number index on a `for_each` resource names an instance only if
    /// a key reads as that number; otherwise says so once, at the reference.
    fn for_each_key_exists(
        &self,
        res: &Resource,
        v: &Value,
        step: Option<&Step>,
        span: Option<Span>,
    ) -> bool {
        let (Some(Step::Index(i)), true, Value::Object(instances)) =
            (step, res.for_each.is_some(), v)
        else {
            return true;
        };
        if instances.contains_key(&i.to_string()) {
            return true;
        }
        let addr = res.key();
        let keys: Vec<String> = instances
            .keys()
            .take(5)
            .map(|k| format!("{addr}[{}]", serde_json::Value::String(k.clone())))
            .collect();
        let example = if keys.is_empty() {
            String::new()
        } else {
            format!(
                " ({}{})",
                keys.join(", "),
                if instances.len() > 5 { ", ..." } else { "" }
            )
        };
        self.report(
            Diagnostic::error("Invalid resource instance key")
                .with_detail(format!("Because {addr} has \"for_each\" set, its instances are identified by the keys of its for_each value{example}, not by position: [{i}] does not name one."))
                .at(span),
        );
        false
    }

    /// The value a reference to resource `key` sees. When every reference to
    /// it in the expression selects one and the same instance (`a[0]`,
    /// `a["k"]`, `a[count.index]`, `a[each.key]`), only that instance is
    /// handed over, as a one-entry object (indexing it by the number or key
    /// finds the same value), without copying the others: N instances that
    /// each refer to their counterpart then cost O(N), not O(N²).
    #[allow(clippy::too_many_arguments)]
    fn resource_ref_value(
        &self,
        p: &ModulePath,
        key: &str,
        res: &Resource,
        refs: &[Reference],
        index_step: usize,
        extra: &Extra,
        span: Option<Span>,
    ) -> Value {
        let mut wanted: Option<InstanceKey> = None;
        let mut single = true;
        for r in refs {
            let names_it = match r.root.as_str() {
                "data" => r.attr(0).zip(r.attr(1)).is_some_and(|(t, n)| {
                    key.strip_prefix("data.")
                        .is_some_and(|k| k.split_once('.') == Some((t, n)))
                }),
                root => r
                    .attr(0)
                    .is_some_and(|n| key.split_once('.') == Some((root, n))),
            };
            if !names_it {
                continue;
            }
            let k = match (r.steps.get(index_step), &extra.count, &extra.each) {
                (Some(Step::Index(i)), _, _) if res.count.is_some() => Some(InstanceKey::Int(*i)),
                (Some(Step::Key(k)), _, _) if res.for_each.is_some() => {
                    Some(InstanceKey::Str(k.clone()))
                }
                (Some(Step::CountIndex), Some(i), _) if res.count.is_some() => {
                    Some(InstanceKey::Int(*i))
                }
                (Some(Step::EachKey), _, Some((Value::String(k), _))) if res.for_each.is_some() => {
                    Some(InstanceKey::Str(k.clone()))
                }
                _ => None,
            };
            match (k, &wanted) {
                (Some(k), None) => wanted = Some(k),
                (Some(k), Some(w)) if k == *w => {}
                _ => single = false,
            }
        }
        let wanted = wanted.filter(|_| single);
        let node = Node::Resource(p.clone(), key.to_string());
        self.with_value(node, span, |v| {
            let one = match (v, &wanted) {
                (Value::Tuple(xs), Some(InstanceKey::Int(i))) => usize::try_from(*i)
                    .ok()
                    .and_then(|i| xs.get(i))
                    .map(|x| (i.to_string(), x)),
                (Value::Object(m), Some(InstanceKey::Str(k))) => m.get(k).map(|x| (k.clone(), x)),
                _ => None,
            };
            match one {
                Some((k, x)) => Value::Object(BTreeMap::from([(k, x.clone())])),
                None => v.clone(),
            }
        })
    }

    /// Applies `f` to a memoised value without copying all of it.
    fn with_value<T>(&self, node: Node, at: Option<Span>, f: impl FnOnce(&Value) -> T) -> T {
        if let Some(v) = self.cache.borrow().get(&node) {
            return f(v);
        }
        let v = self.value(node, at);
        f(&v)
    }

    /// `module.NAME`: an object of the wanted outputs per instance.
    fn module_value(
        &self,
        p: &ModulePath,
        name: &str,
        wanted: &[String],
        span: Option<Span>,
    ) -> Value {
        let (_, m) = self.module_at(p);
        let Some(call) = m.module_calls.get(name) else {
            return Value::unknown();
        };
        let one = |key: InstanceKey| -> Value {
            let mut child = p.clone();
            child.push((name.to_string(), key));
            Value::Object(
                wanted
                    .iter()
                    .map(|o| {
                        (
                            o.clone(),
                            self.value(Node::Output(child.clone(), o.clone()), span.clone()),
                        )
                    })
                    .collect(),
            )
        };
        let keys = self.call_expansion(p, name);
        if call.count.is_some() {
            Value::Tuple(keys.into_iter().map(|(k, _)| one(k)).collect())
        } else if call.for_each.is_some() {
            Value::Object(
                keys.into_iter()
                    .map(|(k, _)| {
                        (
                            match &k {
                                InstanceKey::Str(s) => s.clone(),
                                _ => String::new(),
                            },
                            one(k),
                        )
                    })
                    .collect(),
            )
        } else {
            one(InstanceKey::None)
        }
    }

    fn call_expansion(&self, p: &ModulePath, name: &str) -> Vec<(InstanceKey, Value)> {
        let key = (p.clone(), name.to_string());
        if let Some(v) = self.expansions.borrow().get(&key) {
            return v.clone();
        }
        let (_, m) = self.module_at(p);
        let Some(call) = m.module_calls.get(name) else {
            return vec![];
        };
        let node = Node::CallExpansion(p.clone(), name.to_string());
        self.stack
            .borrow_mut()
            .push((node, Some(call.span.clone())));
        let keys = self
            .expand(p, call.count.as_ref(), call.for_each.as_ref())
            .unwrap_or_default();
        self.stack.borrow_mut().pop();
        self.expansions.borrow_mut().insert(key, keys.clone());
        keys
    }

    /// Instance keys (with each.value) from `count` or `for_each`.
    fn expand(
        &self,
        p: &ModulePath,
        count: Option<&Expr>,
        for_each: Option<&Expr>,
    ) -> Result<Vec<(InstanceKey, Value)>, Failed> {
        if let Some(c) = count {
            let v = self.eval(p, c, &Extra::default())?;
            let (v, marked) = v.into_unmarked();
            let fail = |detail: &str| {
                self.report(
                    Diagnostic::error("Invalid count argument")
                        .with_detail(detail.to_string())
                        .at(c.span()),
                );
                Failed
            };
            if marked {
                return Err(fail(
                    "Sensitive values, or values derived from sensitive values, cannot be used as count arguments.",
                ));
            }
            return match convert(&v, &Type::Number) {
                Ok(Value::Number(n)) if n > MAX_INSTANCES as f64 && n.fract() == 0.0 => {
                    Err(fail(&format!(
                        "The given \"count\" argument value is {}, more than the {MAX_INSTANCES} instances drinfra allows for one block.",
                        crate::lang::value::format_number(n)
                    )))
                }
                Ok(Value::Number(n)) if n >= 0.0 && n.fract() == 0.0 => Ok((0..n as i64)
                    .map(|i| (InstanceKey::Int(i), Value::Null))
                    .collect()),
                Ok(Value::Number(_)) => Err(fail(
                    "The given \"count\" argument value is unsuitable: must be a whole number greater than or equal to zero.",
                )),
                Ok(Value::Unknown(_)) => Err(fail(
                    "The \"count\" value depends on resource attributes that cannot be determined until apply, so drinfra cannot predict how many instances will be created.",
                )),
                _ if v.is_null() => Err(fail(
                    "The given \"count\" argument value is null. An integer is required.",
                )),
                _ => Err(fail(
                    "The given \"count\" argument value is unsuitable: a number is required.",
                )),
            };
        }
        if let Some(fe) = for_each {
            let v = self.eval(p, fe, &Extra::default())?;
            let fail = |detail: &str| {
                self.report(
                    Diagnostic::error("Invalid for_each argument")
                        .with_detail(detail.to_string())
                        .at(fe.span()),
                );
                Failed
            };
            if v.is_sensitive_anywhere() {
                return Err(fail(
                    "Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments: the instance keys would reveal them.",
                ));
            }
            let size = match &v {
                Value::Map(m) | Value::Object(m) => m.len(),
                Value::Set(xs) => xs.len(),
                _ => 0,
            };
            if size > MAX_INSTANCES {
                return Err(fail(&format!(
                    "The given \"for_each\" argument value has {size} elements, more than the {MAX_INSTANCES} instances drinfra allows for one block."
                )));
            }
            return match v {
                Value::Map(m) | Value::Object(m) => Ok(m
                    .into_iter()
                    .map(|(k, v)| (InstanceKey::Str(k), v))
                    .collect()),
                Value::Set(xs) => {
                    let mut out = Vec::new();
                    for x in xs {
                        match x {
                            Value::String(s) => {
                                out.push((InstanceKey::Str(s.clone()), Value::String(s)))
                            }
                            Value::Unknown(_) => {
                                return Err(fail(
                                    "The \"for_each\" set includes values derived from resource attributes that cannot be determined until apply, so drinfra cannot determine the full set of keys.",
                                ));
                            }
                            other => {
                                return Err(fail(&format!(
                                    "The given \"for_each\" argument value is unsuitable: \"for_each\" supports sets of strings, but you have provided a set containing type {}.",
                                    other.kind_name()
                                )));
                            }
                        }
                    }
                    Ok(out)
                }
                Value::Unknown(_) => Err(fail(
                    "The \"for_each\" value depends on resource attributes that cannot be determined until apply, so drinfra cannot predict how many instances will be created.",
                )),
                Value::Null => Err(fail(
                    "The given \"for_each\" argument value is unsuitable: the given \"for_each\" argument value is null. A map, or set of strings is allowed.",
                )),
                Value::List(_) | Value::Tuple(_) => Err(fail(
                    "The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type tuple or list. Convert it with toset() or build a map.",
                )),
                other => Err(fail(&format!(
                    "The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}.",
                    other.kind_name()
                ))),
            };
        }
        Ok(vec![(InstanceKey::None, Value::Null)])
    }

    /// The evaluated arguments of each instance of `r` in `p`.
    fn resource_configs(&self, p: &ModulePath, r: &Resource) -> Vec<(InstanceKey, Value)> {
        let Ok(keys) = self.resource_expansion(p, r) else {
            return vec![];
        };
        keys.into_iter()
            .filter_map(|(k, each_value)| self.instance_body(p, r, &k, &each_value).map(|v| (k, v)))
            .collect()
    }

    /// Instance keys (with each.value) of resource `r` in `p`, memoised.
    fn resource_expansion(&self, p: &ModulePath, r: &Resource) -> Result<Expansion, Failed> {
        let key = (p.clone(), r.key());
        if let Some(keys) = self.resource_keys.borrow().get(&key) {
            return keys.clone().ok_or(Failed);
        }
        let keys = self.expand(p, r.count.as_ref(), r.for_each.as_ref());
        self.resource_keys
            .borrow_mut()
            .insert(key, keys.as_ref().ok().cloned());
        keys
    }

    /// The evaluated body of one instance of `r`, memoised.
    fn instance_body(
        &self,
        p: &ModulePath,
        r: &Resource,
        k: &InstanceKey,
        each_value: &Value,
    ) -> Option<Value> {
        let key = (p.clone(), r.key(), k.clone());
        if let Some(body) = self.bodies.borrow().get(&key) {
            return body.clone();
        }
        let body = self
            .eval_body(p, r.body.file, &r.body.body, &Extra::for_key(k, each_value))
            .ok();
        self.bodies.borrow_mut().insert(key, body.clone());
        body
    }

    /// The value other expressions see for resource `r`.
    fn resource_value(&self, p: &ModulePath, r: &Resource) -> Value {
        let Ok(keys) = self.resource_expansion(p, r) else {
            return Value::unknown();
        };
        let key = r.key();
        let instance = |k: &InstanceKey, each_value: &Value| -> Value {
            if let Some(v) = self.resource_values.and_then(|rv| rv.get(p, &key, k)) {
                return v;
            }
            match self.instance_body(p, r, k, each_value) {
                Some(Value::Object(mut m)) => {
                    m.entry("id".into()).or_insert(Value::Unknown(Type::String));
                    for a in self
                        .schemas
                        .map(|s| s.computed_attributes(&r.ty))
                        .unwrap_or_default()
                    {
                        m.entry(a).or_insert(Value::unknown());
                    }
                    Value::Object(m)
                }
                _ => Value::unknown(),
            }
        };
        if r.count.is_some() {
            Value::Tuple(keys.iter().map(|(k, ev)| instance(k, ev)).collect())
        } else if r.for_each.is_some() {
            Value::Object(
                keys.iter()
                    .map(|(k, ev)| {
                        (
                            match k {
                                InstanceKey::Str(s) => s.clone(),
                                _ => String::new(),
                            },
                            instance(k, ev),
                        )
                    })
                    .collect(),
            )
        } else {
            instance(&InstanceKey::None, &Value::Null)
        }
    }

    /// A block body as an object: attributes, nested blocks as lists of
    /// objects (by block type), `dynamic` blocks expanded.
    fn eval_body(
        &self,
        p: &ModulePath,
        file: FileId,
        body: &Body,
        extra: &Extra,
    ) -> Result<Value, Failed> {
        let mut out: BTreeMap<String, Value> = BTreeMap::new();
        let mut blocks: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut failed = false;
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let e = Expr {
                        file,
                        expr: a.value.clone(),
                    };
                    match self.eval(p, &e, extra) {
                        Ok(v) => {
                            out.insert(a.key.value().as_str().to_string(), v);
                        }
                        Err(Failed) if self.lenient => {
                            out.insert(a.key.value().as_str().to_string(), Value::unknown());
                        }
                        Err(Failed) => failed = true,
                    }
                }
                Structure::Block(b) if b.ident.value().as_str() == "dynamic" => {
                    match self.dynamic_block(p, file, b, extra) {
                        Ok((kind, items)) => blocks.entry(kind).or_default().extend(items),
                        Err(Failed) if self.lenient => {
                            if let Some(kind) = b.labels.first() {
                                blocks
                                    .entry(kind.as_str().to_string())
                                    .or_default()
                                    .push(Value::unknown());
                            }
                        }
                        Err(Failed) => failed = true,
                    }
                }
                Structure::Block(b) => match self.eval_body(p, file, &b.body, extra) {
                    Ok(v) => {
                        blocks
                            .entry(b.ident.value().as_str().to_string())
                            .or_default()
                            .push(v);
                    }
                    Err(Failed) => failed = true,
                },
            }
        }
        if failed {
            return Err(Failed);
        }
        for (k, v) in blocks {
            out.insert(k, Value::List(v));
        }
        Ok(Value::Object(out))
    }

    fn dynamic_block(
        &self,
        p: &ModulePath,
        file: FileId,
        b: &hcl_edit::structure::Block,
        extra: &Extra,
    ) -> Result<(String, Vec<Value>), Failed> {
        let span = Some(Span::new(
            file,
            hcl_edit::Span::span(&b.ident).unwrap_or(0..0),
        ));
        let Some(kind) = b.labels.first().map(|l| l.as_str().to_string()) else {
            self.report(
                Diagnostic::error("Missing name for dynamic block")
                    .with_detail(
                        "A dynamic block needs one label: the type of the blocks it generates.",
                    )
                    .at(span),
            );
            return Err(Failed);
        };
        let Some(fe) = b.body.get_attribute("for_each") else {
            self.report(
                Diagnostic::error("Missing required argument")
                    .with_detail("The argument \"for_each\" is required in a dynamic block.")
                    .at(span),
            );
            return Err(Failed);
        };
        let iter_name = match b.body.get_attribute("iterator") {
            Some(a) => match &a.value {
                hcl_edit::expr::Expression::Variable(v) => v.value().as_str().to_string(),
                _ => {
                    self.report(
                        Diagnostic::error("Invalid iterator")
                            .with_detail("The iterator must be a plain name.")
                            .at(span),
                    );
                    return Err(Failed);
                }
            },
            None => kind.clone(),
        };
        let Some(content) = b.body.get_blocks("content").next() else {
            self.report(
                Diagnostic::error("Missing content block")
                    .with_detail("A dynamic block needs a content block.")
                    .at(span),
            );
            return Err(Failed);
        };
        let coll = self.eval(
            p,
            &Expr {
                file,
                expr: fe.value.clone(),
            },
            extra,
        )?;
        let (coll, _) = coll.into_unmarked();
        let entries: Vec<(Value, Value)> = match coll {
            Value::List(xs) | Value::Tuple(xs) => xs
                .into_iter()
                .enumerate()
                .map(|(i, x)| (Value::Number(i as f64), x))
                .collect(),
            Value::Set(xs) => xs.into_iter().map(|x| (x.clone(), x)).collect(),
            Value::Map(m) | Value::Object(m) => {
                m.into_iter().map(|(k, v)| (Value::String(k), v)).collect()
            }
            Value::Unknown(_) => return Ok((kind, vec![Value::unknown()])),
            Value::Null => vec![],
            other => {
                self.report(Diagnostic::error("Invalid dynamic for_each value").with_detail(format!("Cannot use a {} value in for_each. An iterable collection is required.", other.kind_name())).at(Some(Span::new(file, hcl_edit::Span::span(&fe.value).unwrap_or(0..0)))));
                return Err(Failed);
            }
        };
        let mut items = Vec::new();
        for (k, v) in entries {
            let mut inner = extra.clone();
            inner.iterators.insert(
                iter_name.clone(),
                Value::Object([("key".to_string(), k), ("value".to_string(), v)].into()),
            );
            items.push(self.eval_body(p, file, &content.body, &inner)?);
        }
        Ok((kind, items))
    }
}

/// Adds unknown placeholders for attributes a reference reads that the
/// resource's value does not have yet (computed attributes such as `id`).
fn fill_unknown_attrs(v: Value, r: &Resource, steps: &[Step]) -> Value {
    let expanded = r.count.is_some() || r.for_each.is_some();
    let (index, rest) = if expanded {
        (steps.first(), steps.get(1..).unwrap_or(&[]))
    } else {
        (None, steps)
    };
    let attr = match rest.first() {
        Some(Step::Attr(a)) => a.clone(),
        _ => return v,
    };
    let fill = |inst: Value| -> Value {
        match inst {
            Value::Object(mut m) => {
                m.entry(attr.clone()).or_insert(Value::unknown());
                Value::Object(m)
            }
            other => other,
        }
    };
    if !expanded {
        return fill(v);
    }
    let _ = index;
    match v {
        Value::Tuple(xs) => Value::Tuple(xs.into_iter().map(fill).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, x)| (k, fill(x))).collect()),
        other => other,
    }
}

/// Evaluates one expression in the root module, as `drinfra console` does.
pub fn eval_in_root(
    config: &Config,
    inputs: &Inputs,
    cwd: &Path,
    expr: &Expr,
) -> (Option<Value>, Diagnostics) {
    let checked = super::check::check_root_expr(config, expr);
    if checked.has_errors() {
        return (None, checked);
    }
    let cx = Context::new(config, inputs, cwd, None);
    let v = cx.eval(&ModulePath::root(), expr, &Extra::default()).ok();
    (v, cx.diags.into_inner())
}

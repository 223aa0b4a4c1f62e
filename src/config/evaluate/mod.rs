//! Evaluating a configuration: every module instance's variables, locals,
//! outputs, module calls and resource instances, to the values Terraform
//! would compute before apply.
//!
//! Evaluation is demand-driven and memoised: asking for a value evaluates
//! just what it references, and a reference back into a value still being
//! evaluated is a cycle, reported with its members. Each expression gets a
//! [`Scope`] built from its own references only.

mod body;
mod expand;
mod failover_group;
mod nested_refs;
mod scope;
mod variables;

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
    /// Every name a `ty` object has (arguments, nested blocks, exported
    /// attributes), or None when no schema is known for it.
    fn attribute_names(&self, _ty: &str) -> Option<Vec<String>> {
        None
    }
    /// Every name data source `ty` has (its arguments and exported
    /// attributes), or None when no schema is known for it.
    fn data_attribute_names(&self, _ty: &str) -> Option<Vec<String>> {
        None
    }
    /// Why a reference to attribute `attr` of data source `ty` is refused
    /// though the provider documents it (None: it is simply not one).
    fn unread_data_attribute(&self, _ty: &str, _attr: &str) -> Option<String> {
        None
    }
    /// Gives the nested blocks of `attrs` (a `ty` object as configured) the
    /// computed attributes its schema has and they leave out, unknown.
    fn complete_blocks(&self, _ty: &str, _attrs: &mut BTreeMap<String, Value>) {}
    /// The names inside nested block `path` (block names from the top:
    /// `["identity"]`) of a `ty` object, or None when the schema knows no
    /// such block (or not its contents).
    fn block_names(&self, _ty: &str, _path: &[&str]) -> Option<BlockNames> {
        None
    }
}

/// What a nested block of a type's schema holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockNames {
    /// Its arguments, nested blocks and exported attributes.
    pub names: Vec<String>,
    /// Set by the provider only: Terraform then sees it as an attribute
    /// of object type, not a block (its error wording differs).
    pub computed_only: bool,
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
    /// `self` in a postcondition: the object as planned, applied or read.
    self_value: Option<Value>,
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
    /// Whether `timestamp()`, `uuid()` and `bcrypt()` have values (apply,
    /// the console) or are unknown (planning), as in Terraform.
    pub impure_known: bool,
    /// Evaluating for the console (where `type()` exists).
    pub console: bool,
    cache: RefCell<HashMap<Node, Value>>,
    expansions: RefCell<Expansions>,
    stack: RefCell<Vec<(Node, Option<Span>)>>,
    /// Cycles already reported: a cycle through a resource with many
    /// instances is met once per instance but reported once.
    cycles_reported: RefCell<std::collections::HashSet<String>>,
    /// Attribute names by resource type, from the schemas (asked once a type).
    attribute_names: RefCell<HashMap<String, Option<std::collections::BTreeSet<String>>>>,
    /// References to attributes a type does not have, reported once each.
    attributes_reported: RefCell<std::collections::HashSet<String>>,
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
            impure_known: false,
            console: false,
            cache: RefCell::default(),
            expansions: RefCell::default(),
            stack: RefCell::default(),
            cycles_reported: RefCell::default(),
            attribute_names: RefCell::default(),
            attributes_reported: RefCell::default(),
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
        let extra = Extra::for_key(instance, &each_value);
        let body = self
            .eval_body(path, r.body.file, &r.body.body, &extra)
            .ok()?;
        self.resource_preconditions(path, r, &extra).ok()?;
        Some(body)
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

    /// Each root output's value, or the errors its evaluation met (its
    /// expression or a precondition): after apply, Terraform reports them
    /// and keeps what state held for that output.
    pub fn root_outputs_checked(&self) -> BTreeMap<String, Result<OutputValue, Diagnostics>> {
        let root = self.config.root();
        root.outputs
            .iter()
            .map(|(name, o)| {
                let before = self.diags.borrow().items.len();
                let value = self.value(
                    Node::Output(ModulePath::root(), name.clone()),
                    Some(o.span.clone()),
                );
                let mut diags = self.diags.borrow_mut();
                let result = if diags.items[before..].iter().any(Diagnostic::is_error) {
                    Err(Diagnostics {
                        items: diags.items.split_off(before),
                    })
                } else {
                    Ok(OutputValue {
                        value,
                        sensitive: o.sensitive,
                    })
                };
                (name.clone(), result)
            })
            .collect()
    }

    /// Checks `conditions` (preconditions, check assertions) in module
    /// instance `p`: a false one is reported at its condition with its
    /// error message, an error when `warn` is unset (and evaluation fails),
    /// a warning otherwise. Unknown conditions are checked later (apply).
    /// Validation (`lenient`) does not check them, as `terraform validate`.
    fn conditions_hold(
        &self,
        p: &ModulePath,
        conditions: &[crate::config::model::Validation],
        summary: &str,
        warn: bool,
        extra: &Extra,
    ) -> Result<(), Failed> {
        if self.lenient {
            return Ok(());
        }
        for c in conditions {
            let before = self.diags.borrow().items.len();
            let result = self.eval(p, &c.condition, extra);
            if warn {
                // A check block never stops a run: its problems are warnings.
                for d in self.diags.borrow_mut().items[before..].iter_mut() {
                    d.severity = crate::diag::Severity::Warning;
                }
            }
            let cond = match result {
                Ok(v) => v,
                Err(Failed) if warn => continue,
                Err(Failed) => return Err(Failed),
            };
            match cond.unmark().0 {
                Value::Bool(true) | Value::Unknown(_) => {}
                Value::Bool(false) => {
                    let msg = match self.eval(p, &c.error_message, extra) {
                        Ok(m) => match m.unmark() {
                            (_, true) => "The error message included a sensitive value, so it will not be displayed.".to_string(),
                            (Value::String(s), false) => s.clone(),
                            (Value::Unknown(_), _) => "(the error message is not known yet)".to_string(),
                            _ => "(error_message is not a string)".to_string(),
                        },
                        Err(Failed) => String::new(),
                    };
                    let d = if warn {
                        Diagnostic::warning(summary)
                    } else {
                        Diagnostic::error(summary)
                    };
                    self.report(d.with_detail(msg).at(c.condition.span()));
                    if !warn {
                        return Err(Failed);
                    }
                }
                _ => {
                    let d = if warn {
                        Diagnostic::warning("Invalid condition result")
                    } else {
                        Diagnostic::error("Invalid condition result")
                    };
                    self.report(
                        d.with_detail("Invalid condition result value: a bool is required.")
                            .at(c.condition.span()),
                    );
                    if !warn {
                        return Err(Failed);
                    }
                }
            }
        }
        Ok(())
    }

    /// A resource instance's `lifecycle { precondition }` blocks.
    fn resource_preconditions(
        &self,
        p: &ModulePath,
        r: &Resource,
        extra: &Extra,
    ) -> Result<(), Failed> {
        self.conditions_hold(
            p,
            &r.lifecycle.preconditions,
            "Resource precondition failed",
            false,
            extra,
        )
    }

    /// Checks the `postcondition` blocks of resource instance `key`
    /// `instance` in `path` against `object`, its value as planned, applied
    /// or read (`self`): a false one is reported at its condition
    /// (`Resource postcondition failed`, with its error message) and
    /// returns false; one not known yet (the plan does not know the
    /// values it tests) holds until it is checked again after apply.
    pub fn postconditions_hold(
        &self,
        path: &ModulePath,
        key: &str,
        instance: &InstanceKey,
        object: &Value,
    ) -> bool {
        let (_, m) = self.module_at(path);
        let Some(r) = m.resources.get(key) else {
            return true;
        };
        if r.lifecycle.postconditions.is_empty() {
            return true;
        }
        let each_value = self
            .resource_expansion(path, r)
            .ok()
            .and_then(|keys| keys.into_iter().find(|(k, _)| k == instance))
            .map(|(_, v)| v)
            .unwrap_or(Value::Null);
        let extra = Extra {
            self_value: Some(object.clone()),
            ..Extra::for_key(instance, &each_value)
        };
        self.conditions_hold(
            path,
            &r.lifecycle.postconditions,
            "Resource postcondition failed",
            false,
            &extra,
        )
        .is_ok()
    }

    /// Evaluates the assertions of every `check` block, in every module
    /// instance, and reports the false ones as warnings (Terraform's
    /// "Check block assertion failed").
    pub fn check_blocks(&self) {
        for (path, idx) in self.module_instances() {
            for check in &self.config.modules[idx].checks {
                let _ = self.conditions_hold(
                    &path,
                    &check.asserts,
                    "Check block assertion failed",
                    true,
                    &Extra::default(),
                );
            }
        }
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
                self.conditions_hold(
                    p,
                    &o.preconditions,
                    "Module output value precondition failed",
                    false,
                    &Extra::default(),
                )?;
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

    fn place(&self, s: &Span) -> String {
        let s = &self.config.sources.resolve(s);
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
        let mut ev = Evaluator::new(e.file, self.cwd.clone());
        ev.impure_known = self.impure_known;
        ev.console = self.console;
        ev.eval(&e.expr, &scope).map_err(|err| {
            self.report(err.into_diagnostic());
            Failed
        })
    }
}

/// Evaluates one expression in the root module with `each.key` and
/// `each.value` bound (an `import` block's `for_each`).
pub fn eval_in_root_each(
    config: &Config,
    inputs: &Inputs,
    cwd: &Path,
    expr: &Expr,
    key: Value,
    value: Value,
) -> (Option<Value>, Diagnostics) {
    let cx = Context::new(config, inputs, cwd, None);
    let extra = Extra {
        each: Some((key, value)),
        ..Extra::default()
    };
    let v = cx.eval(&ModulePath::root(), expr, &extra).ok();
    (v, cx.diags.into_inner())
}

/// Evaluates one expression in the root module, as `drinfra console` does.
pub fn eval_in_root(
    config: &Config,
    inputs: &Inputs,
    cwd: &Path,
    expr: &Expr,
) -> (Option<Value>, Diagnostics) {
    let checked = crate::config::check::check_root_expr(config, expr);
    if checked.has_errors() {
        return (None, checked);
    }
    let mut cx = Context::new(config, inputs, cwd, None);
    cx.impure_known = true;
    cx.console = true;
    let v = cx.eval(&ModulePath::root(), expr, &Extra::default()).ok();
    (v, cx.diags.into_inner())
}

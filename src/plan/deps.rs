//! The dependency graph of a configuration's named objects (variables,
//! locals, outputs, resources, module calls) across all modules, from the
//! references in their expressions. Planning walks it in order; apply
//! derives the instance dependencies of its steps from it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use hcl_edit::structure::{Body, Structure};

use crate::config::model::{Config, Expr};
use crate::diag::{Diagnostic, Diagnostics, FileId, Span};
use crate::graph::Dag;
use crate::lang::refs::{Reference, Step, references};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Call,
    Var,
    Local,
    Resource,
    Output,
}

/// A named object of one module (by index into `Config::modules`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjId {
    pub module: usize,
    pub kind: Kind,
    pub name: String,
}

impl fmt::Display for ObjId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = if self.module == 0 {
            String::new()
        } else {
            format!("module#{}.", self.module)
        };
        match self.kind {
            Kind::Call => write!(f, "{prefix}module.{}", self.name),
            Kind::Var => write!(f, "{prefix}var.{}", self.name),
            Kind::Local => write!(f, "{prefix}local.{}", self.name),
            Kind::Resource => write!(f, "{prefix}{}", self.name),
            Kind::Output => write!(f, "{prefix}output.{}", self.name),
        }
    }
}

pub struct Deps {
    pub graph: Dag<ObjId>,
    /// Call-chain prefix of each module (`module.a.module.b.`).
    pub module_names: Vec<String>,
    /// The reference that makes each edge (the first one seen), when the
    /// edge comes from one (a module's contents waiting for its call do not).
    pub via: BTreeMap<(ObjId, ObjId), Span>,
}

fn id(module: usize, kind: Kind, name: impl Into<String>) -> ObjId {
    ObjId {
        module,
        kind,
        name: name.into(),
    }
}

fn body_refs(file: FileId, body: &Body, out: &mut Vec<(FileId, Reference)>) {
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                out.extend(references(&a.value).into_iter().map(|r| (file, r)))
            }
            Structure::Block(b) => body_refs(file, &b.body, out),
        }
    }
}

fn depend(
    g: &mut Dag<ObjId>,
    via: &mut BTreeMap<(ObjId, ObjId), Span>,
    from: &ObjId,
    to: ObjId,
    at: Option<Span>,
) {
    if let Some(at) = at {
        via.entry((from.clone(), to.clone())).or_insert(at);
    }
    g.depend(from.clone(), to);
}

/// Builds the graph. References that name nothing are ignored here (the
/// static check reports them).
pub fn build(config: &Config) -> Deps {
    let mut g: Dag<ObjId> = Dag::new();
    let mut via: BTreeMap<(ObjId, ObjId), Span> = BTreeMap::new();
    let mut module_names = vec![String::new(); config.modules.len()];
    let mut parent: BTreeMap<usize, (usize, String)> = BTreeMap::new();
    for (i, m) in config.modules.iter().enumerate() {
        for (name, c) in &m.module_calls {
            if c.child != usize::MAX {
                parent.insert(c.child, (i, name.clone()));
            }
        }
    }
    for (i, name_of) in module_names.iter_mut().enumerate() {
        let mut chain = Vec::new();
        let mut at = i;
        while let Some((p, name)) = parent.get(&at) {
            chain.push(format!("module.{name}."));
            at = *p;
        }
        chain.reverse();
        *name_of = chain.concat();
    }
    for (mi, m) in config.modules.iter().enumerate() {
        let link = |g: &mut Dag<ObjId>,
                    via: &mut BTreeMap<(ObjId, ObjId), Span>,
                    from: &ObjId,
                    refs: &[(FileId, Reference)]| {
            for (file, r) in refs {
                for t in targets(config, mi, r) {
                    depend(g, via, from, t, Some(Span::new(*file, r.span.clone())));
                }
            }
        };
        let expr_refs = |e: &Expr| {
            references(&e.expr)
                .into_iter()
                .map(|r| (e.file, r))
                .collect::<Vec<_>>()
        };
        for name in m.variables.keys() {
            let me = id(mi, Kind::Var, name);
            g.add(me.clone());
            // A child's variable depends on the call's argument and expansion.
            if let Some((p, call_name)) = parent.get(&mi) {
                let call = &config.modules[*p].module_calls[call_name];
                g.depend(me.clone(), id(*p, Kind::Call, call_name));
                if let Some((_, e)) = call.inputs.get(name) {
                    for r in references(&e.expr) {
                        for t in targets(config, *p, &r) {
                            depend(
                                &mut g,
                                &mut via,
                                &me,
                                t,
                                Some(Span::new(e.file, r.span.clone())),
                            );
                        }
                    }
                }
            }
        }
        for (name, l) in &m.locals {
            let me = id(mi, Kind::Local, name);
            g.add(me.clone());
            link(&mut g, &mut via, &me, &expr_refs(&l.value));
        }
        for (name, o) in &m.outputs {
            let me = id(mi, Kind::Output, name);
            g.add(me.clone());
            link(&mut g, &mut via, &me, &expr_refs(&o.value));
            let deps_on: Vec<(FileId, Reference)> = o
                .depends_on
                .iter()
                .map(|r| (o.value.file, r.clone()))
                .collect();
            link(&mut g, &mut via, &me, &deps_on);
        }
        for (key, r) in &m.resources {
            let me = id(mi, Kind::Resource, key);
            g.add(me.clone());
            let mut refs = Vec::new();
            for e in r
                .count
                .iter()
                .chain(r.for_each.iter())
                .chain(r.lifecycle.replace_triggered_by.iter())
            {
                refs.extend(expr_refs(e));
            }
            refs.extend(r.depends_on.iter().cloned());
            body_refs(r.body.file, &r.body.body, &mut refs);
            link(&mut g, &mut via, &me, &refs);
            // Everything in a module waits for its call's expansion and
            // the call's depends_on.
            let mut at = mi;
            while let Some((p, call_name)) = parent.get(&at) {
                g.depend(me.clone(), id(*p, Kind::Call, call_name));
                let call = &config.modules[*p].module_calls[call_name];
                for (file, dr) in &call.depends_on {
                    for t in targets(config, *p, dr) {
                        depend(
                            &mut g,
                            &mut via,
                            &me,
                            t,
                            Some(Span::new(*file, dr.span.clone())),
                        );
                    }
                }
                at = *p;
            }
        }
        for (name, c) in &m.module_calls {
            let me = id(mi, Kind::Call, name);
            g.add(me.clone());
            let mut refs = Vec::new();
            for e in c.count.iter().chain(c.for_each.iter()) {
                refs.extend(expr_refs(e));
            }
            link(&mut g, &mut via, &me, &refs);
        }
    }
    Deps {
        graph: g,
        module_names,
        via,
    }
}

/// The objects a reference made in module `mi` points at.
fn targets(config: &Config, mi: usize, r: &Reference) -> Vec<ObjId> {
    let m = &config.modules[mi];
    let name = r.attr(0);
    match (r.root.as_str(), name) {
        ("var", Some(n)) if m.variables.contains_key(n) => vec![id(mi, Kind::Var, n)],
        ("local", Some(n)) if m.locals.contains_key(n) => vec![id(mi, Kind::Local, n)],
        ("module", Some(n)) => {
            let Some(call) = m.module_calls.get(n) else {
                return vec![];
            };
            let Some(child) = config.modules.get(call.child) else {
                return vec![];
            };
            let outs: BTreeSet<&String> = r
                .steps
                .iter()
                .filter_map(|s| match s {
                    Step::Attr(a) if child.outputs.contains_key(a) => Some(a),
                    _ => None,
                })
                .collect();
            let mut v: Vec<ObjId> = if outs.is_empty() {
                child
                    .outputs
                    .keys()
                    .map(|o| id(call.child, Kind::Output, o))
                    .collect()
            } else {
                outs.into_iter()
                    .map(|o| id(call.child, Kind::Output, o))
                    .collect()
            };
            v.push(id(mi, Kind::Call, n));
            v
        }
        (root @ ("data" | "ephemeral"), Some(t)) => match r.attr(1) {
            Some(n) if m.resources.contains_key(&format!("{root}.{t}.{n}")) => {
                vec![id(mi, Kind::Resource, format!("{root}.{t}.{n}"))]
            }
            _ => vec![],
        },
        (
            "var" | "local" | "module" | "data" | "ephemeral" | "count" | "each" | "path"
            | "terraform" | "self",
            _,
        ) => vec![],
        (root, Some(n)) if m.resources.contains_key(&format!("{root}.{n}")) => {
            vec![id(mi, Kind::Resource, format!("{root}.{n}"))]
        }
        _ => vec![],
    }
}

impl Deps {
    /// A readable name for an object (`module.a.terraform_data.b`).
    pub fn name(&self, n: &ObjId) -> String {
        let prefix = &self.module_names[n.module];
        match n.kind {
            Kind::Call => format!("{prefix}module.{}", n.name),
            Kind::Var => format!("{prefix}var.{}", n.name),
            Kind::Local => format!("{prefix}local.{}", n.name),
            Kind::Resource => format!("{prefix}{}", n.name),
            Kind::Output => format!("{prefix}output.{}", n.name),
        }
    }

    /// One diagnostic per cycle, at the reference that closes the loop,
    /// listing every reference along it.
    pub fn cycle_diagnostics(&self, config: &Config) -> Diagnostics {
        let sources = &config.sources;
        let root = config
            .root()
            .dir
            .canonicalize()
            .unwrap_or_else(|_| config.root().dir.clone());
        let mut out = Diagnostics::default();
        for members in self.graph.cycles() {
            let path = self.loop_in(&members);
            if path.is_empty() {
                continue;
            }
            let mut lines = Vec::new();
            let mut last_span = None;
            for (i, from) in path.iter().enumerate() {
                let to = &path[(i + 1) % path.len()];
                let span = self.via.get(&(from.clone(), to.clone()));
                let line = match span {
                    Some(sp) => {
                        let sp = &sources.resolve(sp);
                        let f = sources.get(sp.file);
                        let lc = f.line_col(sp.range.start);
                        let text = sources
                            .text(sp.file)
                            .get(sp.range.clone())
                            .unwrap_or_default();
                        last_span = Some(sp.clone());
                        let canonical = f.path.canonicalize().unwrap_or_else(|_| f.path.clone());
                        let shown = canonical
                            .strip_prefix(&root)
                            .map(|p| p.display().to_string())
                            .unwrap_or_else(|_| f.path.display().to_string());
                        format!(
                            "  {shown}:{}:{}: {} refers to {} ({text})",
                            lc.line,
                            lc.col,
                            self.name(from),
                            self.name(to)
                        )
                    }
                    None => format!(
                        "  {} waits for {} (everything in a module waits for its call)",
                        self.name(from),
                        self.name(to)
                    ),
                };
                lines.push(line);
            }
            let names: Vec<String> = path
                .iter()
                .chain(path.first())
                .map(|n| self.name(n))
                .collect();
            out.push(
                Diagnostic::error("Cycle in configuration")
                    .with_detail(format!("These objects depend on each other, so none can be evaluated or applied first: {}.\n{}\nRemove one of these references (or depends_on entries) to break the cycle.", names.join(" -> "), lines.join("\n")))
                    .at(last_span),
            );
        }
        out
    }

    /// A closed path through the members of one strongly connected
    /// component, following edges between members; its first node is the
    /// smallest member.
    fn loop_in(&self, members: &[ObjId]) -> Vec<ObjId> {
        let set: BTreeSet<&ObjId> = members.iter().collect();
        let Some(start) = members.first() else {
            return vec![];
        };
        // Breadth-first from start back to start, within the component.
        let mut prev: BTreeMap<&ObjId, &ObjId> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(n) = queue.pop_front() {
            let mut next: Vec<&ObjId> = self
                .graph
                .dependencies(n)
                .into_iter()
                .filter(|d| set.contains(d))
                .collect();
            next.sort();
            for d in next {
                if d == start {
                    let mut path = vec![n.clone()];
                    let mut at = n;
                    while at != start {
                        at = prev[at];
                        path.push(at.clone());
                    }
                    path.reverse();
                    return path;
                }
                if !prev.contains_key(d) {
                    prev.insert(d, n);
                    queue.push_back(d);
                }
            }
        }
        vec![]
    }

    /// Resources that `obj` depends on, looking through non-resource
    /// objects but stopping at the first resource on each path.
    pub fn resource_dependencies(&self, obj: &ObjId) -> Vec<ObjId> {
        let mut out = BTreeSet::new();
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&ObjId> = self.graph.dependencies(obj);
        while let Some(n) = stack.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            if n.kind == Kind::Resource {
                out.insert(n.clone());
            } else {
                stack.extend(self.graph.dependencies(n));
            }
        }
        out.into_iter().collect()
    }

    /// The resource-level graph with readable names, for `drinfra graph`.
    pub fn resource_graph(&self) -> Dag<String> {
        let mut g = Dag::new();
        for n in self.graph.nodes().filter(|n| n.kind == Kind::Resource) {
            let name = format!("{}{}", self.module_names[n.module], n.name);
            g.add(name.clone());
            for d in self.resource_dependencies(n) {
                g.depend(
                    name.clone(),
                    format!("{}{}", self.module_names[d.module], d.name),
                );
            }
        }
        g
    }
}

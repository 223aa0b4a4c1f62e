//! Finding the references an expression makes, so callers can build a
//! scope holding exactly those values, and so the graph can order work.

use std::ops::Range;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::template::{Directive, Element, Template};

/// One step after the root name of a reference.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Attr(String),
    /// A literal index: a string key or a number.
    Key(String),
    Index(i64),
    /// `[*]` or `.*`
    Splat,
    /// `[count.index]`: the index of the instance being evaluated.
    CountIndex,
    /// `[each.key]`: the key of the instance being evaluated.
    EachKey,
    /// An index computed at evaluation time.
    Dynamic,
}

/// A reference such as `var.region`, `module.db[0].id` or `each.value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub root: String,
    pub steps: Vec<Step>,
    /// Byte range of the whole traversal in its file.
    pub span: Range<usize>,
}

impl Reference {
    /// The n-th step as an attribute name, if it is one.
    pub fn attr(&self, n: usize) -> Option<&str> {
        match self.steps.get(n) {
            Some(Step::Attr(a)) => Some(a),
            _ => None,
        }
    }
}

/// All references in `expr`, minus names bound inside it (for-expression
/// and template-for iterators).
pub fn references(expr: &Expression) -> Vec<Reference> {
    let mut w = Walker {
        out: Vec::new(),
        bound: Vec::new(),
    };
    w.expr(expr);
    w.out
}

/// References in a template (for `templatefile`-like callers and tests).
pub fn template_references(t: &Template) -> Vec<Reference> {
    let mut w = Walker {
        out: Vec::new(),
        bound: Vec::new(),
    };
    w.template(t);
    w.out
}

struct Walker {
    out: Vec<Reference>,
    bound: Vec<String>,
}

impl Walker {
    fn is_bound(&self, name: &str) -> bool {
        self.bound.iter().any(|b| b == name)
    }

    /// `count.index` or `each.key` as an index expression.
    fn own_key(&self, e: &Expression) -> Option<Step> {
        let Expression::Traversal(t) = e else {
            return None;
        };
        let Expression::Variable(v) = &t.expr else {
            return None;
        };
        let [op] = t.operators.as_slice() else {
            return None;
        };
        let TraversalOperator::GetAttr(a) = op.value() else {
            return None;
        };
        match (v.value().as_str(), a.value().as_str()) {
            ("count", "index") if !self.is_bound("count") => Some(Step::CountIndex),
            ("each", "key") if !self.is_bound("each") => Some(Step::EachKey),
            _ => None,
        }
    }

    fn expr(&mut self, e: &Expression) {
        match e {
            Expression::Null(_)
            | Expression::Bool(_)
            | Expression::Number(_)
            | Expression::String(_) => {}
            Expression::Array(a) => a.iter().for_each(|x| self.expr(x)),
            Expression::Object(o) => {
                for (k, v) in o.iter() {
                    if let ObjectKey::Expression(ke) = k {
                        // A bare identifier key is a literal, like `a = 1`.
                        if !matches!(ke, Expression::Variable(_)) {
                            self.expr(ke);
                        }
                    }
                    self.expr(v.expr());
                }
            }
            Expression::StringTemplate(t) => {
                for el in t.iter() {
                    self.element(el);
                }
            }
            Expression::HeredocTemplate(h) => self.template(&h.template),
            Expression::Parenthesis(p) => self.expr(p.inner()),
            Expression::Variable(v) => {
                let name = v.value().as_str();
                if !self.is_bound(name) {
                    self.out.push(Reference {
                        root: name.to_string(),
                        steps: vec![],
                        span: v.span().unwrap_or(0..0),
                    });
                }
            }
            Expression::Conditional(c) => {
                self.expr(&c.cond_expr);
                self.expr(&c.true_expr);
                self.expr(&c.false_expr);
            }
            Expression::FuncCall(f) => {
                // `convert`'s second argument is a type, not a reference.
                let is_convert = f.name.name.value().as_str() == "convert"
                    && f.name
                        .namespace
                        .iter()
                        .all(|n| n.value().as_str() == "core");
                for (i, a) in f.args.iter().enumerate() {
                    if !(is_convert && i == 1) {
                        self.expr(a);
                    }
                }
            }
            Expression::Traversal(t) => {
                for op in &t.operators {
                    if let TraversalOperator::Index(ie) = op.value() {
                        self.expr(ie);
                    }
                }
                match &t.expr {
                    Expression::Variable(v) if !self.is_bound(v.value().as_str()) => {
                        let mut steps = Vec::new();
                        for op in &t.operators {
                            steps.push(match op.value() {
                                TraversalOperator::GetAttr(a) => {
                                    Step::Attr(a.value().as_str().to_string())
                                }
                                TraversalOperator::Index(Expression::String(s)) => {
                                    Step::Key(s.value().to_string())
                                }
                                TraversalOperator::Index(Expression::Number(n)) => {
                                    n.value().as_i64().map(Step::Index).unwrap_or(Step::Dynamic)
                                }
                                TraversalOperator::LegacyIndex(n) => Step::Index(*n.value() as i64),
                                TraversalOperator::AttrSplat(_)
                                | TraversalOperator::FullSplat(_) => Step::Splat,
                                TraversalOperator::Index(ie) => {
                                    self.own_key(ie).unwrap_or(Step::Dynamic)
                                }
                            });
                        }
                        let span = t.span().unwrap_or(0..0);
                        self.out.push(Reference {
                            root: v.value().as_str().to_string(),
                            steps,
                            span,
                        });
                    }
                    Expression::Variable(_) => {}
                    other => self.expr(other),
                }
            }
            Expression::UnaryOp(u) => self.expr(&u.expr),
            Expression::BinaryOp(b) => {
                self.expr(&b.lhs_expr);
                self.expr(&b.rhs_expr);
            }
            Expression::ForExpr(f) => {
                self.expr(&f.intro.collection_expr);
                let n = self.bound.len();
                if let Some(k) = &f.intro.key_var {
                    self.bound.push(k.value().as_str().to_string());
                }
                self.bound
                    .push(f.intro.value_var.value().as_str().to_string());
                if let Some(k) = &f.key_expr {
                    self.expr(k);
                }
                self.expr(&f.value_expr);
                if let Some(c) = &f.cond {
                    self.expr(&c.expr);
                }
                self.bound.truncate(n);
            }
        }
    }

    fn template(&mut self, t: &Template) {
        for el in t.iter() {
            self.element(el);
        }
    }

    fn element(&mut self, el: &Element) {
        match el {
            Element::Literal(_) => {}
            Element::Interpolation(i) => self.expr(&i.expr),
            Element::Directive(d) => match &**d {
                Directive::If(i) => {
                    self.expr(&i.if_expr.cond_expr);
                    self.template(&i.if_expr.template);
                    if let Some(e) = &i.else_expr {
                        self.template(&e.template);
                    }
                }
                Directive::For(f) => {
                    self.expr(&f.for_expr.collection_expr);
                    let n = self.bound.len();
                    if let Some(k) = &f.for_expr.key_var {
                        self.bound.push(k.value().as_str().to_string());
                    }
                    self.bound
                        .push(f.for_expr.value_var.value().as_str().to_string());
                    self.template(&f.for_expr.template);
                    self.bound.truncate(n);
                }
            },
        }
    }
}

//! `replace_triggered_by`: which changes of other resources force an
//! instance's replacement.

use crate::addrs::{InstanceKey, within};
use crate::lang::Value;
use crate::plan::model::*;
use crate::provider::terraform_data::same;

/// One step into an attribute path.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum PathStep {
    Attr(String),
    Index(i64),
}

/// A `replace_triggered_by` item: a resource, one of its instances, or an
/// attribute path of one instance.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Trigger {
    /// `type.name`.
    resource: String,
    instance: Option<InstanceKey>,
    path: Vec<PathStep>,
}

/// Reads a `replace_triggered_by` item for the instance `key` (which
/// `count.index` and `each.key` stand for). None when it is not a
/// resource reference.
pub(super) fn trigger_of(expr: &hcl_edit::expr::Expression, key: &InstanceKey) -> Option<Trigger> {
    use hcl_edit::expr::{Expression, TraversalOperator};
    let Expression::Traversal(t) = expr else {
        return None;
    };
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    let mut ops = t.operators.iter().map(|o| o.value());
    let TraversalOperator::GetAttr(name) = ops.next()? else {
        return None;
    };
    let mut trigger = Trigger {
        resource: format!("{}.{}", root.value().as_str(), name.value().as_str()),
        instance: None,
        path: vec![],
    };
    // `count.index` / `each.key` inside an index.
    let repetition = |e: &Expression| -> Option<InstanceKey> {
        let Expression::Traversal(i) = e else {
            return None;
        };
        let Expression::Variable(v) = &i.expr else {
            return None;
        };
        let [op] = i.operators.as_slice() else {
            return None;
        };
        let TraversalOperator::GetAttr(a) = op.value() else {
            return None;
        };
        match (v.value().as_str(), a.value().as_str(), key) {
            ("count", "index", InstanceKey::Int(_)) | ("each", "key", InstanceKey::Str(_)) => {
                Some(key.clone())
            }
            _ => None,
        }
    };
    for (n, op) in ops.enumerate() {
        let step_key = match op {
            TraversalOperator::GetAttr(a) => {
                trigger
                    .path
                    .push(PathStep::Attr(a.value().as_str().to_string()));
                continue;
            }
            TraversalOperator::Index(Expression::Number(num)) => {
                num.value().as_i64().map(InstanceKey::Int)
            }
            TraversalOperator::LegacyIndex(i) => {
                i64::try_from(*i.value()).ok().map(InstanceKey::Int)
            }
            TraversalOperator::Index(Expression::String(s)) => {
                Some(InstanceKey::Str(s.value().to_string()))
            }
            TraversalOperator::Index(e) => repetition(e),
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => None,
        };
        // What cannot be resolved statically stays at the resource level:
        // any update or replacement of the resource fires.
        let Some(k) = step_key else {
            return Some(Trigger {
                instance: None,
                path: vec![],
                ..trigger
            });
        };
        match (n, k) {
            (0, k) => trigger.instance = Some(k),
            (_, InstanceKey::Int(i)) => trigger.path.push(PathStep::Index(i)),
            (_, InstanceKey::Str(s)) => trigger.path.push(PathStep::Attr(s)),
            (_, InstanceKey::None) => {}
        }
    }
    Some(trigger)
}

/// The value at `path` inside `v`, looking through sensitive marks; None
/// when the path does not exist.
pub(super) fn value_at(v: &Value, path: &[PathStep]) -> Option<Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(v.clone());
    };
    match (v, first) {
        (Value::Sensitive(inner), _) => value_at(inner, path),
        (Value::Unknown(_), _) => Some(Value::unknown()),
        (Value::Object(m) | Value::Map(m), PathStep::Attr(a)) => value_at(m.get(a)?, rest),
        (Value::List(l) | Value::Tuple(l), PathStep::Index(i)) => {
            value_at(l.get(usize::try_from(*i).ok()?)?, rest)
        }
        _ => None,
    }
}

impl Trigger {
    /// Terraform's rule: a resource fires when any instance is updated or
    /// replaced, an instance when it is, an attribute when that instance
    /// is updated or replaced and the attribute's value changes (an
    /// unknown planned value counts as a change). Creates and deletes
    /// never fire.
    pub(super) fn fires(&self, module_prefix: &str, changes: &[ResourceChange]) -> bool {
        let acts = |c: &ResourceChange| {
            c.mode == "managed"
                && matches!(
                    c.action,
                    Action::Update | Action::DeleteThenCreate | Action::CreateThenDelete
                )
        };
        let target = format!("{module_prefix}{}", self.resource);
        if self.instance.is_none() && self.path.is_empty() {
            return changes.iter().any(|c| {
                within(&c.address, &target)
                    && !c.address[target.len()..].starts_with('.')
                    && acts(c)
            });
        }
        let address = format!(
            "{target}{}",
            self.instance.clone().unwrap_or(InstanceKey::None)
        );
        let Some(c) = changes
            .iter()
            .find(|c| c.address == address)
            .filter(|c| acts(c))
        else {
            return false;
        };
        if self.path.is_empty() {
            return true;
        }
        let before = c.before.as_ref().and_then(|v| value_at(v, &self.path));
        let after = c.after.as_ref().and_then(|v| value_at(v, &self.path));
        match (before, after) {
            (Some(b), Some(a)) => !same(&b, &a),
            (None, None) => false,
            _ => true,
        }
    }
}

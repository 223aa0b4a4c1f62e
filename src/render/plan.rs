//! The human plan: summary first, drift apart from changes, then each
//! resource's diff in Terraform's familiar notation.

use std::collections::BTreeMap;

use super::style::Style;
use crate::lang::Value;
use crate::lang::value::format_number;
use crate::plan::{Action, Drift, OutputChange, Plan, Reason, ResourceChange};

fn symbol(a: Action) -> &'static str {
    match a {
        Action::Create => "+",
        Action::Update => "~",
        Action::Delete => "-",
        Action::DeleteThenCreate => "-/+",
        Action::CreateThenDelete => "+/-",
        Action::NoOp => " ",
    }
}

fn paint(style: Style, a: Action, text: &str) -> String {
    match a {
        Action::Create => style.paint("32", text),
        Action::Update => style.paint("33", text),
        Action::Delete | Action::DeleteThenCreate | Action::CreateThenDelete => style.paint("31", text),
        Action::NoOp => text.to_string(),
    }
}

fn headline(c: &ResourceChange) -> String {
    let what = match c.action {
        Action::Create => "will be created".to_string(),
        Action::Update => "will be updated in-place".to_string(),
        Action::Delete => "will be destroyed".to_string(),
        Action::DeleteThenCreate | Action::CreateThenDelete => "must be replaced".to_string(),
        Action::NoOp => "is unchanged".to_string(),
    };
    let mut out = match (&c.previous_address, c.action) {
        (Some(p), Action::NoOp) => format!("# {p} has moved to {}", c.address),
        (Some(p), _) => format!("# {} {what} (moved from {p})", c.address),
        _ => format!("# {} {what}", c.address),
    };
    let because = match c.reason {
        Some(Reason::DeleteBecauseNoResourceConfig) => Some(format!("because {} is not in configuration", c.address.split('[').next().unwrap_or(&c.address))),
        Some(Reason::DeleteBecauseCountIndex) => Some(format!("because index {} is out of range for count", c.address.rsplit('[').next().unwrap_or("").trim_end_matches(']'))),
        Some(Reason::DeleteBecauseEachKey) => Some(format!("because key [{}] is not in for_each map", c.address.rsplit('[').next().unwrap_or("").trim_end_matches(']'))),
        Some(Reason::DeleteBecauseNoModule) => Some("because its module is not in configuration".to_string()),
        Some(Reason::ReplaceByTriggers) => Some("due to changes in replace_triggered_by".to_string()),
        Some(Reason::ReplaceBecauseParentReplaced) => Some("because its parent resource is replaced, which deletes it".to_string()),
        _ => None,
    };
    if let Some(b) = because {
        out.push_str(&format!("\n  # ({b})"));
    }
    out
}

/// A value as it appears after `=` in a diff, at the given indent.
pub fn value_text(v: &Value, indent: usize) -> String {
    match v {
        Value::Unknown(_) => "(known after apply)".into(),
        Value::Sensitive(_) => "(sensitive value)".into(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::String(s) if s.contains('\n') => {
            let pad = " ".repeat(indent + 4);
            let mut out = String::from("<<-EOT\n");
            for l in s.trim_end_matches('\n').lines() {
                out.push_str(&format!("{pad}{l}\n"));
            }
            out.push_str(&format!("{}EOT", " ".repeat(indent + 2)));
            out
        }
        Value::String(s) => serde_json::Value::String(s.clone()).to_string(),
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            if xs.is_empty() {
                return "[]".into();
            }
            let pad = " ".repeat(indent + 4);
            let mut out = String::from("[\n");
            for x in xs {
                out.push_str(&format!("{pad}{},\n", value_text(x, indent + 4)));
            }
            out.push_str(&format!("{}]", " ".repeat(indent + 2)));
            out
        }
        Value::Map(m) | Value::Object(m) => {
            if m.is_empty() {
                return "{}".into();
            }
            let pad = " ".repeat(indent + 4);
            let width = m.keys().map(|k| k.chars().count()).max().unwrap_or(0);
            let mut out = String::from("{\n");
            for (k, x) in m {
                let key = if crate::config::load::is_valid_name(k) { k.clone() } else { serde_json::Value::String(k.clone()).to_string() };
                out.push_str(&format!("{pad}{key:<width$} = {}\n", value_text(x, indent + 4)));
            }
            out.push_str(&format!("{}}}", " ".repeat(indent + 2)));
            out
        }
    }
}

fn attrs(v: Option<&Value>) -> BTreeMap<String, Value> {
    v.and_then(|v| v.unmark().0.as_mapping().cloned()).unwrap_or_default()
}

fn same(a: &Value, b: &Value) -> bool {
    a.is_wholly_known() && b.is_wholly_known() && a.to_json() == b.to_json() && a.is_sensitive_anywhere() == b.is_sensitive_anywhere()
}

/// The body of one resource's diff.
fn resource_diff(c: &ResourceChange, style: Style) -> String {
    let before = attrs(c.before.as_ref());
    let after = attrs(c.after.as_ref());
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    let shown = |n: &&String| {
        let b = before.get(*n).filter(|v| !v.is_null());
        let a = after.get(*n).filter(|v| !v.is_null());
        match (b, a) {
            (None, None) => false,
            (Some(b), Some(a)) => !same(b, a),
            _ => true,
        }
    };
    let width = names.iter().filter(|n| shown(n)).map(|n| n.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    let mut hidden = 0;
    for name in names {
        let b = before.get(name).filter(|v| !v.is_null());
        let a = after.get(name).filter(|v| !v.is_null());
        let forces = c.replace_paths.iter().any(|p| p.first() == Some(name));
        let note = if forces { style.paint("31", " # forces replacement") } else { String::new() };
        let line = match (c.action, b, a) {
            (Action::Delete, Some(b), _) => Some(("-", format!("{name:<width$} = {} -> null", value_text(b, 6)))),
            (Action::Delete, None, _) => None,
            (_, None, Some(a)) => Some(("+", format!("{name:<width$} = {}", value_text(a, 6)))),
            (_, Some(b), None) if c.action != Action::Create => Some(("-", format!("{name:<width$} = {} -> null", value_text(b, 6)))),
            (_, Some(b), Some(a)) if !same(b, a) => Some(("~", format!("{name:<width$} = {} -> {}", value_text(b, 6), value_text(a, 6)))),
            (_, Some(_), Some(_)) => {
                hidden += 1;
                None
            }
            _ => None,
        };
        if let Some((sym, text)) = line {
            let act = match sym {
                "+" => Action::Create,
                "-" => Action::Delete,
                _ => Action::Update,
            };
            out.push_str(&format!("      {} {text}{note}\n", paint(style, act, sym)));
        }
    }
    if hidden > 0 {
        out.push_str(&format!("        # ({hidden} unchanged attribute{} hidden)\n", if hidden == 1 { "" } else { "s" }));
    }
    out
}

fn drift_text(d: &Drift) -> String {
    match &d.after {
        None => format!("  # {} has been deleted outside drinfra\n", d.address),
        Some(_) => format!("  # {} has changed outside drinfra\n", d.address),
    }
}

fn output_line(o: &OutputChange, style: Style) -> Option<String> {
    let v = |x: &Option<Value>| match x {
        Some(_) if o.sensitive => "(sensitive value)".to_string(),
        Some(v) => value_text(v, 0),
        None => "null".to_string(),
    };
    match o.action {
        Action::NoOp => None,
        Action::Create => Some(format!("  {} {} = {}", paint(style, Action::Create, "+"), o.name, v(&o.after))),
        Action::Delete => Some(format!("  {} {} = {} -> null", paint(style, Action::Delete, "-"), o.name, v(&o.before))),
        _ => Some(format!("  {} {} = {} -> {}", paint(style, Action::Update, "~"), o.name, v(&o.before), v(&o.after))),
    }
}

/// The whole human plan.
pub fn render(plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    if !plan.drift.is_empty() {
        out.push_str(&style.bold("Changed outside drinfra (not part of this plan):\n"));
        for d in &plan.drift {
            out.push_str(&drift_text(d));
        }
        out.push('\n');
    }
    let (add, change, destroy) = plan.counts();
    let moved: Vec<&ResourceChange> = plan.changes.iter().filter(|c| c.previous_address.is_some()).collect();
    let outputs: Vec<String> = plan.outputs.iter().filter_map(|o| output_line(o, style)).collect();
    if !plan.has_changes() {
        out.push_str("No changes. Your infrastructure matches the configuration.\n");
        return out;
    }
    // Summary first: counts, then anything destructive by name.
    let destructive: Vec<&ResourceChange> = plan.actions().filter(|c| c.action.deletes()).collect();
    out.push_str(&style.bold(&format!("Summary: {add} to add, {change} to change, {destroy} to destroy{}.\n", if moved.is_empty() { String::new() } else { format!(", {} moved", moved.len()) })));
    if !destructive.is_empty() {
        out.push_str(&style.red_bold("Destructive changes:\n"));
        for c in &destructive {
            out.push_str(&format!("  {} {} ({})\n", paint(style, c.action, symbol(c.action)), c.address, if c.action == Action::Delete { "destroy" } else { "replace" }));
        }
    }
    out.push('\n');
    if !plan.imports.is_empty() {
        out.push_str(&format!("{} to import.\n", plan.imports.len()));
    }
    if plan.has_resource_changes() || !moved.is_empty() || !plan.imports.is_empty() {
        out.push_str("drinfra will perform the following actions:\n\n");
        for c in plan.changes.iter().filter(|c| c.action != Action::NoOp || c.previous_address.is_some() || plan.imports.iter().any(|i| i.address == c.address)) {
            out.push_str(&format!("  {}\n", style.bold(&headline(c))));
            if plan.imports.iter().any(|i| i.address == c.address) {
                out.push_str(&format!("  # {} will be imported\n", c.address));
            }
            for n in &c.notes {
                out.push_str(&format!("  # ({n})\n"));
            }
            if c.action == Action::NoOp {
                out.push('\n');
                continue;
            }
            let kind = if c.mode == "data" { "data" } else { "resource" };
            out.push_str(&format!("  {} {kind} \"{}\" \"{}\" {{\n", paint(style, c.action, symbol(c.action)), c.ty, c.name));
            out.push_str(&resource_diff(c, style));
            out.push_str("    }\n\n");
        }
    }
    out.push_str(&style.bold(&format!("Plan: {add} to add, {change} to change, {destroy} to destroy.\n")));
    if !outputs.is_empty() {
        out.push_str("\nChanges to Outputs:\n");
        for l in outputs {
            out.push_str(&l);
            out.push('\n');
        }
    }
    out
}

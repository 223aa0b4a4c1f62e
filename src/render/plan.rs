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
        Action::Read => "<=",
    }
}

fn paint(style: Style, a: Action, text: &str) -> String {
    match a {
        Action::Create => style.paint("32", text),
        Action::Update => style.paint("33", text),
        Action::Delete | Action::DeleteThenCreate | Action::CreateThenDelete => {
            style.paint("31", text)
        }
        Action::Read => style.paint("36", text),
        Action::NoOp => text.to_string(),
    }
}

fn headline(c: &ResourceChange) -> String {
    let what = match c.action {
        Action::Create => "will be created".to_string(),
        Action::Update => "will be updated in-place".to_string(),
        Action::Delete => "will be destroyed".to_string(),
        // Terraform's wording for a replacement someone asked for.
        Action::DeleteThenCreate | Action::CreateThenDelete
            if c.reason == Some(Reason::ReplaceByRequest) =>
        {
            "will be replaced, as requested".to_string()
        }
        Action::DeleteThenCreate | Action::CreateThenDelete
            if c.reason == Some(Reason::ReplaceBecauseTainted) =>
        {
            "is tainted, so must be replaced".to_string()
        }
        Action::DeleteThenCreate | Action::CreateThenDelete => "must be replaced".to_string(),
        Action::NoOp => "is unchanged".to_string(),
        Action::Read => "will be read during apply".to_string(),
    };
    let mut out = match (&c.previous_address, c.action) {
        (Some(p), Action::NoOp) => format!("# {p} has moved to {}", c.address),
        (Some(p), _) => format!("# {} {what} (moved from {p})", c.address),
        _ => format!("# {} {what}", c.address),
    };
    let because = match c.reason {
        // Terraform's wording, from the typed address parts.
        Some(Reason::DeleteBecauseNoResourceConfig) => Some(format!(
            "because {}.{} is not in configuration",
            c.ty, c.name
        )),
        Some(Reason::DeleteBecauseCountIndex) => {
            Some(format!("because index {} is out of range for count", c.key))
        }
        Some(Reason::DeleteBecauseEachKey) => {
            Some(format!("because key {} is not in for_each map", c.key))
        }
        Some(Reason::DeleteBecauseNoModule) => {
            Some(format!("because {} is not in configuration", c.module_path))
        }
        Some(Reason::ReplaceByTriggers) => {
            Some("due to changes in replace_triggered_by".to_string())
        }
        Some(Reason::ReplaceBecauseParentReplaced) => {
            Some("because its parent resource is replaced, which deletes it".to_string())
        }
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
                let key = if crate::config::load::is_valid_name(k) {
                    k.clone()
                } else {
                    serde_json::Value::String(k.clone()).to_string()
                };
                out.push_str(&format!(
                    "{pad}{key:<width$} = {}\n",
                    value_text(x, indent + 4)
                ));
            }
            out.push_str(&format!("{}}}", " ".repeat(indent + 2)));
            out
        }
    }
}

fn attrs(v: Option<&Value>) -> BTreeMap<String, Value> {
    v.and_then(|v| v.unmark().0.as_mapping().cloned())
        .unwrap_or_default()
}

fn same(a: &Value, b: &Value) -> bool {
    a.is_wholly_known()
        && b.is_wholly_known()
        && a.to_json() == b.to_json()
        && a.is_sensitive_anywhere() == b.is_sensitive_anywhere()
}

/// An object's (a resource's or a block element's) attributes.
type Fields = BTreeMap<String, Value>;

/// One attribute's line in a diff: shown with its symbol, hidden as
/// unchanged, or absent on both sides.
enum Line {
    Shown(&'static str, String),
    Hidden,
    Absent,
}

/// The line for attribute `name` (padded to `width`) going from `b` to
/// `a` under `action`, its values laid out for column `indent`.
fn attr_line(
    action: Action,
    name: &str,
    width: usize,
    (b, a): (Option<&Value>, Option<&Value>),
    indent: usize,
    style: Style,
) -> Line {
    match (action, b, a) {
        (Action::Delete, Some(b), _) => Line::Shown(
            "-",
            format!("{name:<width$} = {} -> null", value_text(b, indent)),
        ),
        (Action::Delete, None, _) => Line::Absent,
        (_, None, Some(a)) => {
            Line::Shown("+", format!("{name:<width$} = {}", value_text(a, indent)))
        }
        (_, Some(b), None) if action != Action::Create => Line::Shown(
            "-",
            format!("{name:<width$} = {} -> null", value_text(b, indent)),
        ),
        (_, Some(Value::String(bs)), Some(Value::String(as_)))
            if bs != as_
                && (bs.contains('\n')
                    || as_.contains('\n')
                    || looks_json(bs) && looks_json(as_)) =>
        {
            Line::Shown(
                "~",
                format!("{name:<width$} = {}", line_diff(bs, as_, indent + 2)),
            )
        }
        (
            _,
            Some(b @ (Value::Object(_) | Value::Map(_))),
            Some(a @ (Value::Object(_) | Value::Map(_))),
        ) if !same(b, a) => Line::Shown(
            "~",
            format!("{name:<width$} = {}", nested_diff(b, a, indent, style)),
        ),
        (_, Some(b), Some(a)) if !same(b, a) => Line::Shown(
            "~",
            format!(
                "{name:<width$} = {} -> {}",
                value_text(b, indent),
                value_text(a, indent)
            ),
        ),
        (_, Some(_), Some(_)) => Line::Hidden,
        _ => Line::Absent,
    }
}

/// The elements of a block attribute (a list of objects), if it is one.
fn block_elements(v: Option<&Value>) -> Option<Vec<Fields>> {
    match v {
        None => Some(vec![]),
        Some(v) => v
            .as_seq()?
            .iter()
            .map(|e| e.as_mapping().cloned())
            .collect(),
    }
}

/// The attributes of one object (a resource or a block element) diffed
/// line by line at column `indent`. A block a replacement is forced from
/// inside (`forcing` holds paths through `at`) is shown block by block
/// as Terraform does, with `# forces replacement` on the nested line.
fn attrs_diff(
    action: Action,
    at: &[String],
    before: &BTreeMap<String, Value>,
    after: &BTreeMap<String, Value>,
    forcing: &[Vec<String>],
    indent: usize,
    style: Style,
) -> String {
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    let path = |name: &str| {
        let mut p = at.to_vec();
        p.push(name.to_string());
        p
    };
    // Inside a block, an empty nested block list is no block at all.
    let absent =
        |v: &&Value| v.is_null() || !at.is_empty() && v.as_seq().is_some_and(|s| s.is_empty());
    let values = |n: &str| {
        (
            before.get(n).filter(|v| !absent(v)),
            after.get(n).filter(|v| !absent(v)),
        )
    };
    // Blocks a replacement comes from inside of, shown as blocks.
    let as_blocks = |n: &str| {
        let p = path(n);
        let (b, a) = values(n);
        if action == Action::Delete
            || !forcing
                .iter()
                .any(|f| f.len() > p.len() && f.starts_with(&p))
        {
            return None;
        }
        Some((block_elements(b)?, block_elements(a)?))
    };
    let shown = |n: &&String| match values(n) {
        (None, None) => false,
        (Some(b), Some(a)) => !same(b, a),
        _ => true,
    };
    let width = names
        .iter()
        .filter(|n| shown(n) && as_blocks(n).is_none())
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0);
    let pad = " ".repeat(indent);
    let mut out = String::new();
    let mut hidden = 0;
    for name in names {
        if let Some((b, a)) = as_blocks(name) {
            out.push_str(&block_diff(
                action,
                (name, &path(name)),
                (&b, &a),
                forcing,
                indent,
                style,
            ));
            continue;
        }
        // A whole attribute that forces (or, where it cannot be shown as
        // blocks, one a forced path goes into).
        let forces = forcing.iter().any(|f| f.starts_with(&path(name)));
        let note = if forces {
            style.paint("31", " # forces replacement")
        } else {
            String::new()
        };
        match attr_line(action, name, width, values(name), indent, style) {
            Line::Shown(sym, text) => {
                let act = match sym {
                    "+" => Action::Create,
                    "-" => Action::Delete,
                    _ => Action::Update,
                };
                out.push_str(&format!("{pad}{} {text}{note}\n", paint(style, act, sym)));
            }
            Line::Hidden => hidden += 1,
            Line::Absent => {}
        }
    }
    if hidden > 0 {
        out.push_str(&format!(
            "{pad}  # ({hidden} unchanged attribute{} hidden)\n",
            if hidden == 1 { "" } else { "s" }
        ));
    }
    out
}

/// Block `name`'s elements (at path `at`) before and after, each as
/// `~ name { ... }` (`+` added, `-` removed).
fn block_diff(
    action: Action,
    (name, at): (&str, &[String]),
    (before, after): (&[Fields], &[Fields]),
    forcing: &[Vec<String>],
    indent: usize,
    style: Style,
) -> String {
    let pad = " ".repeat(indent);
    let none = BTreeMap::new();
    let mut out = String::new();
    let mut hidden = 0;
    for i in 0..before.len().max(after.len()) {
        let (b, a) = (before.get(i), after.get(i));
        let (act, sym) = match (b, a) {
            (Some(b), Some(a)) if same(&Value::Object(b.clone()), &Value::Object(a.clone())) => {
                hidden += 1;
                continue;
            }
            (Some(_), Some(_)) => (Action::Update, "~"),
            (None, _) => (Action::Create, "+"),
            (_, None) => (Action::Delete, "-"),
        };
        let mut here = at.to_vec();
        here.push(i.to_string());
        let inner_action = if act == Action::Update { action } else { act };
        out.push_str(&format!("{pad}{} {name} {{\n", paint(style, act, sym)));
        out.push_str(&attrs_diff(
            inner_action,
            &here,
            b.unwrap_or(&none),
            a.unwrap_or(&none),
            forcing,
            indent + 4,
            style,
        ));
        out.push_str(&format!("{pad}  }}\n"));
    }
    if hidden > 0 {
        out.push_str(&format!(
            "{pad}  # ({hidden} unchanged block{} hidden)\n",
            if hidden == 1 { "" } else { "s" }
        ));
    }
    out
}

/// The body of one resource's diff.
fn resource_diff(c: &ResourceChange, style: Style) -> String {
    attrs_diff(
        c.action,
        &[],
        &attrs(c.before.as_ref()),
        &attrs(c.after.as_ref()),
        &c.replace_paths,
        6,
        style,
    )
}

/// An object change shown key by key, as Terraform does.
fn nested_diff(before: &Value, after: &Value, indent: usize, style: Style) -> String {
    let (b, a) = (
        before.as_mapping().cloned().unwrap_or_default(),
        after.as_mapping().cloned().unwrap_or_default(),
    );
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    let width = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
    let pad = " ".repeat(indent + 4);
    let mut out = String::from("{\n");
    let mut hidden = 0;
    for k in keys {
        let (bv, av) = (
            b.get(k).filter(|v| !v.is_null()),
            a.get(k).filter(|v| !v.is_null()),
        );
        let line = match (bv, av) {
            (None, Some(x)) => Some((
                Action::Create,
                "+",
                format!("{k:<width$} = {}", value_text(x, indent + 4)),
            )),
            (Some(x), None) => Some((
                Action::Delete,
                "-",
                format!("{k:<width$} = {} -> null", value_text(x, indent + 4)),
            )),
            (Some(x), Some(y)) if same(x, y) => {
                hidden += 1;
                None
            }
            (Some(Value::String(xs)), Some(Value::String(ys)))
                if xs.contains('\n') || ys.contains('\n') || looks_json(xs) && looks_json(ys) =>
            {
                Some((
                    Action::Update,
                    "~",
                    format!("{k:<width$} = {}", line_diff(xs, ys, indent + 8)),
                ))
            }
            (
                Some(x @ (Value::Object(_) | Value::Map(_))),
                Some(y @ (Value::Object(_) | Value::Map(_))),
            ) => Some((
                Action::Update,
                "~",
                format!("{k:<width$} = {}", nested_diff(x, y, indent + 4, style)),
            )),
            (Some(x), Some(y)) => Some((
                Action::Update,
                "~",
                format!(
                    "{k:<width$} = {} -> {}",
                    value_text(x, indent + 4),
                    value_text(y, indent + 4)
                ),
            )),
            (None, None) => None,
        };
        if let Some((act, sym, text)) = line {
            out.push_str(&format!("{pad}{} {text}\n", paint(style, act, sym)));
        }
    }
    if hidden > 0 {
        out.push_str(&format!(
            "{pad}  # ({hidden} unchanged element{} hidden)\n",
            if hidden == 1 { "" } else { "s" }
        ));
    }
    out.push_str(&format!("{}}}", " ".repeat(indent + 2)));
    out
}

fn looks_json(s: &str) -> bool {
    let t = s.trim_start();
    (t.starts_with('{') || t.starts_with('['))
        && serde_json::from_str::<serde_json::Value>(s).is_ok()
}

/// Multi-line and JSON strings are diffed line by line, not as two blobs.
pub fn line_diff(before: &str, after: &str, indent: usize) -> String {
    let pretty = |s: &str| -> String {
        if looks_json(s) {
            serde_json::from_str::<serde_json::Value>(s)
                .ok()
                .and_then(|j| serde_json::to_string_pretty(&j).ok())
                .unwrap_or_else(|| s.to_string())
        } else {
            s.to_string()
        }
    };
    let (b, a) = (pretty(before), pretty(after));
    let pad = " ".repeat(indent);
    let mut out = String::from("<<-EOT\n");
    for change in similar::TextDiff::from_lines(&b, &a).iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => "- ",
            similar::ChangeTag::Insert => "+ ",
            similar::ChangeTag::Equal => "  ",
        };
        out.push_str(&format!("{pad}{sign}{}", change.value()));
        if !change.value().ends_with('\n') {
            out.push('\n');
        }
    }
    out.push_str(&format!("{}EOT", " ".repeat(indent.saturating_sub(2))));
    out
}

fn drift_text(d: &Drift) -> String {
    match &d.after {
        None => format!("  # {} has been deleted outside drinfra\n", d.address),
        Some(_) => {
            // Name what changed, so a reviewer can judge it without a
            // refresh: what the plan singled out, or everything.
            let changed = if d.shown.is_empty() {
                d.changed_attributes()
            } else {
                d.shown.clone()
            };
            if changed.is_empty() {
                format!("  # {} has changed outside drinfra\n", d.address)
            } else {
                format!(
                    "  # {} has changed outside drinfra: {}\n",
                    d.address,
                    changed.join(", ")
                )
            }
        }
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
        Action::Create => Some(format!(
            "  {} {} = {}",
            paint(style, Action::Create, "+"),
            o.name,
            v(&o.after)
        )),
        Action::Delete => Some(format!(
            "  {} {} = {} -> null",
            paint(style, Action::Delete, "-"),
            o.name,
            v(&o.before)
        )),
        _ => Some(format!(
            "  {} {} = {} -> {}",
            paint(style, Action::Update, "~"),
            o.name,
            v(&o.before),
            v(&o.after)
        )),
    }
}

/// One line per changed resource (`--compact`).
pub fn render_compact(plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    for c in plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp || c.previous_address.is_some())
    {
        let before = attrs(c.before.as_ref());
        let after = attrs(c.after.as_ref());
        let mut changed: Vec<&String> = before
            .keys()
            .chain(after.keys())
            .filter(|k| {
                !same(
                    before.get(*k).unwrap_or(&Value::Null),
                    after.get(*k).unwrap_or(&Value::Null),
                )
            })
            .collect();
        changed.sort();
        changed.dedup();
        let what = match c.action {
            Action::NoOp => format!(
                "moved from {}",
                c.previous_address.clone().unwrap_or_default()
            ),
            Action::Update => format!(
                "update: {}",
                changed
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Action::Create => "create".into(),
            Action::Delete => "destroy".into(),
            _ => format!(
                "replace ({})",
                c.replace_paths
                    .iter()
                    .map(|p| super::attr_path::text(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        out.push_str(&format!(
            "{:>3} {} ({what})\n",
            paint(style, c.action, symbol(c.action)),
            c.address
        ));
    }
    let (a, ch, d) = plan.counts();
    out.push_str(&format!(
        "Plan: {a} to add, {ch} to change, {d} to destroy.\n"
    ));
    out
}

/// An object a `removed` block with `destroy = false` forgets, in
/// Terraform's words.
fn forget_text(rs: &crate::state::ResourceState, style: Style) -> String {
    let mut out = format!(
        "  {}\n  # (destroy = false is set in the configuration)\n  . resource \"{}\" \"{}\" {{\n",
        style.bold(&format!(
            "# {} will no longer be managed by drinfra, but will not be destroyed",
            rs.address
        )),
        rs.ty,
        rs.name
    );
    let attrs = rs.attributes.as_object();
    let total = attrs
        .map(|m| m.values().filter(|v| !v.is_null()).count())
        .unwrap_or(0);
    let id = attrs.and_then(|m| m.get("id")).and_then(|v| v.as_str());
    if let Some(id) = id {
        out.push_str(&format!("        id = {}\n", serde_json::Value::from(id)));
    }
    let hidden = total.saturating_sub(usize::from(id.is_some()));
    if hidden > 0 {
        out.push_str(&format!(
            "        # ({hidden} unchanged attribute{} hidden)\n",
            if hidden == 1 { "" } else { "s" }
        ));
    }
    out.push_str("    }\n\n");
    out
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
    if !plan.data.is_empty() {
        // What the plan's values rest on, for reviewers.
        out.push_str(&format!(
            "Read while planning: {}.\n\n",
            plan.data.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    let (add, change, destroy) = plan.counts();
    let moved: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.previous_address.is_some())
        .collect();
    let outputs: Vec<String> = plan
        .outputs
        .iter()
        .filter_map(|o| output_line(o, style))
        .collect();
    if !plan.has_changes() {
        out.push_str("No changes. Your infrastructure matches the configuration.\n");
        return out;
    }
    if !plan.has_resource_changes() && plan.imports.is_empty() && plan.forgets.is_empty() {
        let what = if moved.is_empty() {
            "output values"
        } else {
            "moves and output values"
        };
        out.push_str(&format!("Only {what} change: no resource is created, updated or destroyed (exit code 0 with --detailed-exitcode).\n\n"));
    }
    // Summary first: counts, per type, then anything risky by name.
    out.push_str(&style.bold(&format!(
        "Summary: {add} to add, {change} to change, {destroy} to destroy{}.\n",
        if moved.is_empty() {
            String::new()
        } else {
            format!(", {} moved", moved.len())
        }
    )));
    for (ty, a, c, d) in super::risk::by_type(plan) {
        out.push_str(&format!(
            "  {ty}: {}\n",
            [(a, "add"), (c, "change"), (d, "destroy")]
                .iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, w)| format!("{n} to {w}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let risks = super::risk::risks(plan);
    if !risks.is_empty() {
        out.push_str(&style.red_bold("Destructive and data-affecting changes:\n"));
        for r in &risks {
            out.push_str(&format!(
                "  {} {}: {}\n",
                paint(style, r.change.action, symbol(r.change.action)),
                r.change.address,
                r.why
            ));
        }
    }
    out.push('\n');
    if !plan.imports.is_empty() {
        out.push_str(&format!("{} to import.\n", plan.imports.len()));
    }
    if !plan.forgets.is_empty() {
        out.push_str(&format!("{} to forget.\n", plan.forgets.len()));
    }
    if plan.has_resource_changes()
        || !moved.is_empty()
        || !plan.imports.is_empty()
        || !plan.forgets.is_empty()
    {
        out.push_str("drinfra will perform the following actions:\n\n");
        for rs in &plan.forgets {
            out.push_str(&forget_text(rs, style));
        }
        for c in plan.changes.iter().filter(|c| {
            c.action != Action::NoOp
                || c.previous_address.is_some()
                || plan.imports.iter().any(|i| i.address == c.address)
        }) {
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
            out.push_str(&format!(
                "  {} {kind} \"{}\" \"{}\" {{\n",
                paint(style, c.action, symbol(c.action)),
                c.ty,
                c.name
            ));
            out.push_str(&resource_diff(c, style));
            out.push_str("    }\n\n");
        }
    }
    out.push_str(&style.bold(&format!(
        "Plan: {add} to add, {change} to change, {destroy} to destroy.\n"
    )));
    if !outputs.is_empty() {
        out.push_str("\nChanges to Outputs:\n");
        for l in outputs {
            out.push_str(&l);
            out.push('\n');
        }
    }
    out
}

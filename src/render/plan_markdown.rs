//! The plan as Markdown for a pull-request comment: a summary table, the
//! risky changes, then one folded `<details>` section per resource with a
//! `diff` block, within a size budget (GitHub refuses comments over 65,536
//! characters).

use super::plan as human;
use super::style::Style;
use crate::plan::{Action, Plan, ResourceChange};

/// The default budget: under GitHub's 65,536-character comment limit.
pub const BUDGET: usize = 65_000;

fn verb(a: Action) -> &'static str {
    match a {
        Action::Create => "create",
        Action::Update => "update in place",
        Action::Delete => "destroy",
        Action::DeleteThenCreate => "destroy, then create replacement",
        Action::CreateThenDelete => "create replacement, then destroy",
        Action::NoOp => "no change",
        Action::Read => "read during apply",
    }
}

fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

/// A resource's diff as `diff` lines (+, -, ~ as in the human plan).
fn section(c: &ResourceChange) -> String {
    let mut one = crate::plan::Plan {
        changes: vec![c.clone()],
        ..empty_plan()
    };
    one.outputs.clear();
    let text = human::render(&one, Style::plain());
    // Keep just the resource block from the human rendering.
    let body: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with('#'))
        .take_while(|l| !l.starts_with("Plan:"))
        .collect();
    let diff = body.join("\n").trim_end().replace("```", "'''");
    // Markdown is not processed inside an HTML block: use HTML here.
    let what = match (&c.previous_address, c.action) {
        (Some(p), Action::NoOp) => format!("moved from {p}"),
        _ => verb(c.action).to_string(),
    };
    let notes = if c.notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", c.notes.join("; "))
    };
    format!(
        "<details><summary><code>{}</code> {}</summary>\n\n```diff\n{diff}\n```\n\n</details>\n",
        html_escape(&c.address),
        html_escape(&format!("{what}{notes}"))
    )
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn empty_plan() -> Plan {
    Plan {
        format: String::new(),
        version: crate::plan::VERSION,
        drinfra_version: String::new(),
        created: String::new(),
        lineage: None,
        serial: 0,
        config_digest: String::new(),
        variables: Default::default(),
        changes: vec![],
        drift: vec![],
        relevant_attributes: vec![],
        outputs: vec![],
        observed: Default::default(),
        destroy: false,
        refresh_only: false,
        imports: vec![],
        forgets: vec![],
        phases: Default::default(),
        failover: Default::default(),
        data: Default::default(),
        prior_state: None,
        refreshed: None,
    }
}

/// Renders within `budget` characters; the summary and the risky changes
/// always appear whole, and what does not fit is counted at the end.
pub fn render(plan: &Plan, budget: usize) -> String {
    let (add, change, destroy) = plan.counts();
    let mut out = String::new();
    out.push_str(&format!(
        "### drinfra plan: {add} to add, {change} to change, {destroy} to destroy\n\n"
    ));
    if !plan.has_changes() {
        out.push_str("No changes. Your infrastructure matches the configuration.\n");
        return out;
    }
    out.push_str("| resource type | add | change | destroy |\n|---|---:|---:|---:|\n");
    for (ty, a, c, d) in super::risk::by_type(plan) {
        out.push_str(&format!("| {} | {a} | {c} | {d} |\n", code(&ty)));
    }
    out.push_str(&format!(
        "| **total** | **{add}** | **{change}** | **{destroy}** |\n\n"
    ));
    let risks = super::risk::risks(plan);
    if !risks.is_empty() {
        out.push_str("> [!CAUTION]\n> **Destructive and data-affecting changes**\n");
        // The list stays whole unless it alone would break the budget.
        let cap = budget * 6 / 10;
        for (i, r) in risks.iter().enumerate() {
            let line = format!(
                "> - {} {}: {}\n",
                code(&r.change.address),
                verb(r.change.action),
                html_escape(&r.why)
            );
            if out.len() + line.len() > cap {
                out.push_str(&format!("> - and {} more destructive or data-affecting changes (see `drinfra show PLANFILE`)\n", risks.len() - i));
                break;
            }
            out.push_str(&line);
        }
        out.push('\n');
    }
    if !plan.drift.is_empty() {
        out.push_str(&format!("<details><summary>{} object(s) changed outside drinfra (not part of this plan)</summary>\n\n", plan.drift.len()));
        for d in &plan.drift {
            out.push_str(&format!(
                "- {} {}\n",
                code(&d.address),
                if d.after.is_some() {
                    "changed"
                } else {
                    "was deleted"
                }
            ));
        }
        out.push_str("\n</details>\n\n");
    }
    if !plan.forgets.is_empty() {
        // Reviewers must see what leaves drinfra's management.
        out.push_str(&format!(
            "> [!WARNING]\n> **{} object(s) will no longer be managed by drinfra, but will not be destroyed** (`removed` with `destroy = false`)\n",
            plan.forgets.len()
        ));
        for rs in &plan.forgets {
            out.push_str(&format!("> - {}\n", code(&rs.address)));
        }
        out.push('\n');
    }
    // Risky changes' diffs first, then the rest, while the budget lasts.
    let mut ordered: Vec<&ResourceChange> = risks.iter().map(|r| r.change).collect();
    ordered.extend(plan.changes.iter().filter(|c| {
        (c.action != Action::NoOp || c.previous_address.is_some())
            && !risks.iter().any(|r| r.change.address == c.address)
    }));
    let outputs: Vec<String> = plan
        .outputs
        .iter()
        .filter(|o| o.action != Action::NoOp)
        .map(|o| format!("- {} {}", code(&o.name), verb(o.action)))
        .collect();
    let tail = if outputs.is_empty() {
        String::new()
    } else {
        format!("\n**Changes to outputs**\n\n{}\n", outputs.join("\n"))
    };
    let mut left_out = 0;
    for (i, c) in ordered.iter().enumerate() {
        let s = section(c);
        let reserve = tail.len() + 300;
        if out.len() + s.len() + reserve > budget {
            left_out = ordered.len() - i;
            break;
        }
        out.push_str(&s);
    }
    if left_out > 0 {
        out.push_str(&format!("\n_{left_out} more resource diff(s) left out to fit the {budget}-character budget; run `drinfra show PLANFILE` for all of them._\n"));
    }
    out.push_str(&tail);
    out
}

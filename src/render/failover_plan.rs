//! A failover plan as Markdown (`failover --plan-only --markdown`): what it
//! means, the phases with their estimates, then the changes, within a
//! pull-request comment's budget.

use crate::plan::{Plan, phases};

pub fn markdown(title: &str, notes: &[String], plan: &Plan) -> String {
    let mut out = format!("## {title}\n\n");
    for n in notes {
        out.push_str(&format!("- {n}\n"));
    }
    let summary = phases::summary(plan);
    if !summary.is_empty() {
        out.push_str("\n| phase | changes | about |\n| --- | --- | --- |\n");
        let mut total = 0;
        for (i, (name, changes, secs)) in summary.iter().enumerate() {
            total += secs;
            out.push_str(&format!(
                "| {}. {name} | {} | {} min |\n",
                i + 1,
                changes
                    .iter()
                    .map(|c| format!("`{}`", c.address))
                    .collect::<Vec<_>>()
                    .join(", "),
                secs.div_ceil(60)
            ));
        }
        out.push_str(&format!("\nPhases run in order, steps within a phase in parallel; expected duration about {} min (Azure's typical times).\n\n", total.div_ceil(60)));
    }
    let budget = super::plan_markdown::BUDGET.saturating_sub(out.len());
    out.push_str(&super::plan_markdown::render(plan, budget));
    out
}

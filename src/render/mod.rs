//! Rendering: the only code that knows about terminals, colour, Markdown
//! and JSON. It turns engine values (diagnostics, plans, values) into text.

pub mod attr_path;
pub mod diagnostics;
pub mod drill;
pub mod events;
pub mod failover_plan;
pub mod live;
pub mod plan;
pub mod plan_json;
pub mod plan_markdown;
pub mod progress;
pub mod risk;
pub mod runbook_report;
pub mod style;
pub mod value;
pub mod view;

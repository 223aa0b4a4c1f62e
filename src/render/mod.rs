//! Rendering: the only code that knows about terminals, colour, Markdown
//! and JSON. It turns engine values (diagnostics, plans, values) into text.

pub mod diagnostics;
pub mod plan;
pub mod progress;
pub mod style;
pub mod value;

//! What `console` prints for each line.

use crate::diag::SourceMap;
use crate::ops::console::Answer;
use crate::render::{diagnostics, value};

use super::View;

impl View {
    /// Shows one line's answer; whether it evaluated.
    pub fn console_answer(&self, answer: &Answer, sources: &SourceMap) -> bool {
        match answer {
            Answer::Value(v) => println!("{}", value::render(v)),
            Answer::Ephemeral { sensitive } => println!(
                "{}",
                if *sensitive {
                    "(ephemeral sensitive value)"
                } else {
                    "(ephemeral value)"
                }
            ),
            Answer::Unparsable {
                line,
                column,
                message,
            } => {
                eprintln!("<console>:{line}:{column}: error: {message}");
                return false;
            }
            Answer::Failed(diags) => {
                eprint!(
                    "{}",
                    diagnostics::render_all(diags, sources, &self.dir, self.style)
                );
                return false;
            }
        }
        true
    }
}

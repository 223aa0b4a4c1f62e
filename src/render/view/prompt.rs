//! Confirmation on a terminal: what `--auto-approve` skips.

use std::io::{BufRead, IsTerminal, Write};

use crate::ops::{Confirm, Error, Question};
use crate::render::style::Style;

/// Asks on the terminal; refuses when standard input is not one.
pub struct TerminalConfirm {
    pub style: Style,
    /// `--auto-approve`: every answer is yes.
    pub auto_approve: bool,
}

impl Confirm for TerminalConfirm {
    fn confirm(&mut self, question: &Question) -> Result<bool, Error> {
        if self.auto_approve {
            return Ok(true);
        }
        let (what, prompt, expected) = match question {
            Question::Proceed { action } => (
                action.as_str(),
                format!(
                    "\n{}\n  Only 'yes' will be accepted.\n\n  Enter a value: ",
                    self.style.bold(&format!("Do you want to {action}?"))
                ),
                "yes",
            ),
            Question::MoveProduction { phrase } => (
                "fail over",
                format!(
                    "\n{}\n  Type {phrase:?} to confirm: ",
                    self.style.bold("This moves production.")
                ),
                phrase.as_str(),
            ),
        };
        if !std::io::stdin().is_terminal() {
            return Err(Error::Refused(format!(
                "refusing to {what} without --auto-approve: standard input is not a terminal, so nobody can confirm"
            )));
        }
        print!("{prompt}");
        std::io::stdout().flush()?;
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim() == expected)
    }
}

//! `console`: evaluates expressions in the root module, one line at a time.

use std::path::{Path, PathBuf};

use crate::config::evaluate::eval_in_root;
use crate::config::{CliInput, Expr, Stack};
use crate::diag::Diagnostics;
use crate::lang::Value;

use super::error::{Error, Result, Stop};
use super::event::{Event, Events};

/// The stack to evaluate in (its problems reported first).
pub fn open(
    dir: &Path,
    inputs: &[CliInput],
    env: &[(String, String)],
    events: Events<'_>,
) -> Result<Stack> {
    let stack = crate::ops::validate::open(dir, inputs, env);
    if stack.diags.has_errors() {
        events(Event::Diagnostics {
            diags: &stack.diags,
            sources: &stack.config.sources,
        });
        return Err(Error::Stopped(Stop::LoadFailed));
    }
    Ok(stack)
}

/// What one line evaluates to.
#[derive(Debug)]
pub enum Answer {
    Value(Value),
    /// An ephemeral value: not shown (as Terraform's console).
    Ephemeral {
        sensitive: bool,
    },
    /// The line is not an expression.
    Unparsable {
        line: usize,
        column: usize,
        message: String,
    },
    /// Evaluation failed; the problems are located in the stack's sources
    /// (the line is added to them as `<console>`).
    Failed(Diagnostics),
}

/// Evaluates `line` in the root module of `stack` (`dir`: the working
/// directory of `file` functions).
pub fn evaluate(stack: &mut Stack, dir: &Path, line: &str) -> Answer {
    let file = stack
        .config
        .sources
        .add(PathBuf::from("<console>"), line.to_string());
    let expr = match hcl_edit::parser::parse_expr(line) {
        Ok(e) => e,
        Err(e) => {
            return Answer::Unparsable {
                line: e.location().line(),
                column: e.location().column(),
                message: e.message().to_string(),
            };
        }
    };
    let expr = Expr { file, expr };
    let ephemeral = crate::config::ephemeral::in_root(&stack.config, &expr);
    let (v, diags) = eval_in_root(&stack.config, &stack.inputs, dir, &expr);
    match v {
        Some(v) if !diags.has_errors() && ephemeral => Answer::Ephemeral {
            sensitive: v.is_sensitive_anywhere(),
        },
        Some(v) if !diags.has_errors() => Answer::Value(v),
        _ => Answer::Failed(diags),
    }
}

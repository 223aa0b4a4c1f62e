//! What `validate` prints: every problem, then the verdict; or
//! Terraform's `validate -json` document.

use crate::diag::{Diagnostics, SourceMap};
use crate::render::diagnostics;

use super::View;

impl View {
    /// Shows validate's findings; whether the configuration is valid.
    pub fn validated(
        &self,
        diags: &Diagnostics,
        sources: &SourceMap,
        json: bool,
    ) -> Result<bool, serde_json::Error> {
        if json {
            println!(
                "{}",
                serde_json::to_string_pretty(&diagnostics::to_json(diags, sources, &self.dir))?
            );
            return Ok(!diags.has_errors());
        }
        if !diags.is_empty() {
            eprint!(
                "{}",
                diagnostics::render_all(diags, sources, &self.dir, self.style)
            );
        }
        if !diags.has_errors() {
            println!("Success! The configuration is valid.");
        } else {
            let n = diags.errors().count();
            eprintln!(
                "\n{n} error{} found; nothing was changed.",
                if n == 1 { "" } else { "s" }
            );
        }
        Ok(!diags.has_errors())
    }
}

//! `drinfra fmt`: the canonical layout of configuration files, byte for
//! byte the layout `terraform fmt` produces.
//!
//! The file is cut into tokens (`lex`), Terraform's few token rewrites
//! are applied (`rewrite`: quoted labels, unwrapped lone interpolations,
//! modern variable types), and the whitespace between tokens is laid out
//! (`layout`). Text inside tokens (string literals, heredoc bodies,
//! comments) is never changed. The result is re-parsed: formatting never
//! hands back something that no longer parses.

mod layout;
mod lex;
mod rewrite;

/// Why a file could not be formatted.
#[derive(Debug, thiserror::Error)]
pub enum FmtError {
    #[error("{line}:{col}: {message}")]
    Syntax {
        line: usize,
        col: usize,
        message: String,
    },
}

/// Formats one file's text.
pub fn format_source(text: &str) -> Result<String, FmtError> {
    let tokens = lex::tokens(text);
    if let Err(e) = hcl_edit::parser::parse_body(&checkable(&tokens)) {
        return Err(FmtError::Syntax {
            line: e.location().line(),
            col: e.location().column(),
            message: e.message().to_string(),
        });
    }
    let mut tokens = rewrite::rewrite(tokens);
    layout::lay_out(&mut tokens);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for t in &tokens {
        out.extend(std::iter::repeat_n(' ', t.spaces));
        out.push_str(&t.text);
    }
    if let Err(e) = hcl_edit::parser::parse_body(&checkable(&lex::tokens(&out))) {
        return Err(FmtError::Syntax {
            line: e.location().line(),
            col: e.location().column(),
            message: format!(
                "formatting would break this file ({}); it is left as it is",
                e.message()
            ),
        });
    }
    Ok(out)
}

/// The text the syntax check reads: the tokens as written, except that
/// numbers beyond what the parser holds (Terraform's numbers have
/// arbitrary precision; `1e309` is valid) are checked as `0`, padded to
/// keep every column where it was.
fn checkable(tokens: &[lex::Token]) -> String {
    let mut out = String::new();
    for t in tokens {
        out.extend(std::iter::repeat_n(' ', t.spaces));
        if t.kind == lex::Kind::Number && !t.text.parse::<f64>().is_ok_and(f64::is_finite) {
            out.push('0');
            out.extend(std::iter::repeat_n(' ', t.text.len() - 1));
        } else {
            out.push_str(&t.text);
        }
    }
    out
}

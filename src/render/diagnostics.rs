//! Diagnostics as `path:line:col: error: summary` with the source line and
//! a caret under the span, or as Terraform's `validate -json` document.

use std::path::Path;

use unicode_width::UnicodeWidthStr;

use super::style::Style;
use crate::diag::{Diagnostic, Diagnostics, Severity, SourceMap};

fn shown_path(p: &Path, cwd: &Path) -> String {
    p.strip_prefix(cwd).unwrap_or(p).display().to_string()
}

/// Human text for one diagnostic.
pub fn render(d: &Diagnostic, sources: &SourceMap, cwd: &Path, style: Style) -> String {
    let sev = match d.severity {
        Severity::Error => style.red_bold("error"),
        Severity::Warning => style.yellow_bold("warning"),
    };
    let mut out = String::new();
    match &d.span {
        Some(span) => {
            let span = &sources.resolve(span);
            let file = sources.get(span.file);
            let lc = file.line_col(span.range.start);
            out.push_str(&format!(
                "{}:{}:{}: {sev}: {}\n",
                shown_path(&file.path, cwd),
                lc.line,
                lc.col,
                style.bold(&d.summary)
            ));
            let line = file.line_text(lc.line);
            let gutter = lc.line.to_string();
            let blank = " ".repeat(gutter.len());
            let prefix: String = line.chars().take(lc.col - 1).collect();
            let end_lc = file.line_col(
                span.range
                    .end
                    .max(span.range.start + 1)
                    .min(file.text.len()),
            );
            let underlined: String = if end_lc.line == lc.line {
                line.chars()
                    .skip(lc.col - 1)
                    .take(end_lc.col.saturating_sub(lc.col).max(1))
                    .collect()
            } else {
                line.chars().skip(lc.col - 1).collect()
            };
            let caret_len = UnicodeWidthStr::width(underlined.as_str()).max(1);
            let lead = " ".repeat(UnicodeWidthStr::width(prefix.replace('\t', " ").as_str()));
            out.push_str(&format!(
                "{blank} |\n{gutter} | {line}\n{blank} | {lead}{}\n",
                style.red_bold(&"^".repeat(caret_len))
            ));
        }
        None => out.push_str(&format!("{sev}: {}\n", style.bold(&d.summary))),
    }
    if let Some(detail) = &d.detail {
        for l in detail.lines() {
            if l.is_empty() {
                out.push('\n');
            } else {
                out.push_str(&format!("  {l}\n"));
            }
        }
    }
    out
}

/// Human text for all diagnostics, errors and warnings in source order.
pub fn render_all(diags: &Diagnostics, sources: &SourceMap, cwd: &Path, style: Style) -> String {
    let mut items: Vec<&Diagnostic> = diags.items.iter().collect();
    items.sort_by_key(|d| {
        d.span
            .as_ref()
            .map(|s| sources.resolve(s))
            .map(|s| (s.file, s.range.start))
            .map_or((1, None), |k| (0, Some(k)))
    });
    items
        .iter()
        .map(|d| render(d, sources, cwd, style))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Terraform's `validate -json` shape.
pub fn to_json(diags: &Diagnostics, sources: &SourceMap, cwd: &Path) -> serde_json::Value {
    let items: Vec<serde_json::Value> = diags
        .items
        .iter()
        .map(|d| {
            let mut o = serde_json::json!({
                "severity": if d.is_error() { "error" } else { "warning" },
                "summary": d.summary,
                "detail": d.detail.clone().unwrap_or_default(),
            });
            if let Some(s) = &d.span {
                let s = &sources.resolve(s);
                let f = sources.get(s.file);
                let a = f.line_col(s.range.start);
                let b = f.line_col(s.range.end);
                o["range"] = serde_json::json!({
                    "filename": shown_path(&f.path, cwd),
                    "start": {"line": a.line, "column": a.col, "byte": s.range.start},
                    "end": {"line": b.line, "column": b.col, "byte": s.range.end},
                });
            }
            o
        })
        .collect();
    let errors = diags.items.iter().filter(|d| d.is_error()).count();
    serde_json::json!({
        "format_version": "1.0",
        "valid": errors == 0,
        "error_count": errors,
        "warning_count": diags.items.len() - errors,
        "diagnostics": items,
    })
}

/// One warning as Terraform's `-compact-warnings` lists it: its summary
/// and where it is (file relative to `cwd`, line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompactWarning {
    pub summary: String,
    pub at: Option<(String, usize)>,
}

/// Adds `diags` to `held`, each warning on its own (Terraform 1.15 lists
/// two failed check assertions apart, not as one "and 1 more").
pub fn hold_compact(
    held: &mut Vec<CompactWarning>,
    diags: &Diagnostics,
    sources: &SourceMap,
    cwd: &Path,
) {
    for d in &diags.items {
        held.push(CompactWarning {
            summary: d.summary.clone(),
            at: d.span.as_ref().map(|s| {
                let s = &sources.resolve(s);
                let f = sources.get(s.file);
                (shown_path(&f.path, cwd), f.line_col(s.range.start).line)
            }),
        });
    }
}

/// Terraform's `-compact-warnings` block, printed once at the end of a
/// command: each warning's summary and where it is, without details.
pub fn render_compact(held: &[CompactWarning]) -> String {
    let mut out = String::from("\nWarnings:\n\n");
    for w in held {
        out.push_str(&format!("- {}\n", w.summary));
        if let Some((file, line)) = &w.at {
            out.push_str(&format!("  on {file} line {line}\n"));
        }
    }
    out.push_str("\nTo see the full warning notes, run drinfra without -compact-warnings.\n");
    out
}

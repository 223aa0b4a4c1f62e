//! `drinfra fmt`: the canonical layout of configuration files.
//!
//! Works line by line over the source text so every comment stays where it
//! is: indentation by nesting depth (two spaces), `name = value` spacing,
//! `=` aligned across consecutive arguments, single spaces in block
//! headers, no trailing whitespace. Heredoc bodies and block comments are
//! left untouched. The result is re-parsed; formatting never changes what
//! a file means, and formatting twice changes nothing.

use std::sync::LazyLock;

use regex::Regex;

/// Why a file could not be formatted.
#[derive(Debug, thiserror::Error)]
pub enum FmtError {
    #[error("{line}:{col}: {message}")]
    Syntax { line: usize, col: usize, message: String },
}

static ATTR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"^([A-Za-z_][A-Za-z0-9_-]*|"(?:[^"\\]|\\.)*")\s*=\s*([^=>].*|)$"#).expect("valid regex"));
static HEADER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"^[A-Za-z_][A-Za-z0-9_-]*(\s+("(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_-]*))*\s*\{\s*(\}\s*)?$"#).expect("valid regex"));
static HEADER_PART: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#""(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_-]*|\{|\}"#).expect("valid regex"));

/// Formats one file's text.
pub fn format_source(text: &str) -> Result<String, FmtError> {
    if let Err(e) = hcl_edit::parser::parse_body(text) {
        return Err(FmtError::Syntax { line: e.location().line(), col: e.location().column(), message: e.message().to_string() });
    }
    let out = canonical(text);
    // Never hand back something that no longer parses.
    if hcl_edit::parser::parse_body(&out).is_err() {
        return Ok(text.to_string());
    }
    Ok(out)
}

/// One output line and what alignment needs to know about it.
struct Line {
    text: String,
    /// For an argument line: depth and the name's width.
    attr: Option<(i32, usize)>,
    verbatim: bool,
}

/// Counts brackets outside strings and comments; notes a heredoc start.
struct Scan {
    opens: i32,
    closes: i32,
    leading_closers: i32,
    heredoc: Option<String>,
    opens_block_comment: bool,
}

fn scan(line: &str) -> Scan {
    let mut s = Scan { opens: 0, closes: 0, leading_closers: 0, heredoc: None, opens_block_comment: false };
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut in_str = false;
    // Depth of `${` / `%{` inside the current string.
    let mut interp: Vec<i32> = Vec::new();
    let mut leading = true;
    while i < chars.len() {
        let c = chars[i];
        if in_str && interp.is_empty() {
            match c {
                '\\' => i += 1,
                '"' => in_str = false,
                '$' | '%' if chars.get(i + 1) == Some(&'{') => {
                    interp.push(0);
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        if !in_str && c == '#' || (c == '/' && chars.get(i + 1) == Some(&'/')) {
            break;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            match line[line.char_indices().nth(i).map(|(b, _)| b).unwrap_or(0)..].find("*/") {
                Some(end) => {
                    let skip = line[line.char_indices().nth(i).map(|(b, _)| b).unwrap_or(0)..][..end + 2].chars().count();
                    i += skip;
                    continue;
                }
                None => {
                    s.opens_block_comment = true;
                    break;
                }
            }
        }
        match c {
            '"' => {
                leading = false;
                in_str = true;
            }
            '{' | '[' | '(' => {
                leading = false;
                if let Some(d) = interp.last_mut() {
                    *d += 1;
                }
                s.opens += 1;
            }
            '}' | ']' | ')' => {
                if let Some(d) = interp.last_mut() {
                    if *d == 0 && c == '}' {
                        interp.pop();
                        i += 1;
                        continue;
                    }
                    *d -= 1;
                }
                s.closes += 1;
                if leading {
                    s.leading_closers += 1;
                }
            }
            '<' if !in_str && chars.get(i + 1) == Some(&'<') => {
                let rest: String = chars[i + 2..].iter().collect();
                let rest = rest.strip_prefix('-').unwrap_or(&rest);
                let marker: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !marker.is_empty() && rest.trim_end() == marker {
                    s.heredoc = Some(marker);
                }
                leading = false;
            }
            c if c.is_whitespace() || c == ',' => {}
            _ => leading = false,
        }
        i += 1;
    }
    s
}

fn canonical(text: &str) -> String {
    let mut lines: Vec<Line> = Vec::new();
    // One entry per indentation level: brackets still open from the line
    // that opened it (`map(object({` opens three on one level).
    let mut levels: Vec<i32> = Vec::new();
    let mut heredoc: Option<String> = None;
    let mut in_comment = false;
    for raw in text.lines() {
        if let Some(marker) = &heredoc {
            if raw.trim() == marker {
                heredoc = None;
            }
            lines.push(Line { text: raw.to_string(), attr: None, verbatim: true });
            continue;
        }
        if in_comment {
            if raw.contains("*/") {
                in_comment = false;
            }
            lines.push(Line { text: raw.trim_end().to_string(), attr: None, verbatim: true });
            continue;
        }
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            lines.push(Line { text: String::new(), attr: None, verbatim: false });
            continue;
        }
        let s = scan(trimmed);
        close(&mut levels, s.leading_closers);
        let indent = levels.len() as i32;
        let net = s.opens - (s.closes - s.leading_closers);
        if net > 0 {
            levels.push(net);
        } else {
            close(&mut levels, -net);
        }
        let multi_line = net > 0;
        let pad = "  ".repeat(indent as usize);
        let (body, attr) = if let Some(c) = ATTR.captures(trimmed) {
            let name = c.get(1).map_or("", |m| m.as_str());
            let value = c.get(2).map_or("", |m| m.as_str()).trim_end();
            let attr = if multi_line { None } else { Some((indent, name.chars().count())) };
            (format!("{name} = {value}").trim_end().to_string(), attr)
        } else if HEADER.is_match(trimmed) {
            let parts: Vec<&str> = HEADER_PART.find_iter(trimmed).map(|m| m.as_str()).collect();
            (parts.join(" "), None)
        } else {
            (trimmed.to_string(), None)
        };
        lines.push(Line { text: format!("{pad}{body}"), attr, verbatim: false });
        if s.opens_block_comment {
            in_comment = true;
        }
        if let Some(m) = s.heredoc {
            heredoc = Some(m);
        }
    }
    align(&mut lines);
    let mut out: Vec<String> = lines.into_iter().map(|l| l.text).collect();
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    let mut joined = out.join("\n");
    joined.push('\n');
    joined
}

/// Closes `n` brackets, dropping levels whose brackets are all closed.
fn close(levels: &mut Vec<i32>, mut n: i32) {
    while n > 0 {
        let Some(top) = levels.last_mut() else { return };
        let used = n.min(*top);
        *top -= used;
        n -= used;
        if *top == 0 {
            levels.pop();
        }
    }
}

/// Pads names so `=` lines up across consecutive argument lines.
fn align(lines: &mut [Line]) {
    let mut i = 0;
    while i < lines.len() {
        let Some((depth, _)) = lines[i].attr.filter(|_| !lines[i].verbatim) else {
            i += 1;
            continue;
        };
        let mut j = i;
        let mut width = 0;
        while j < lines.len() && !lines[j].verbatim && lines[j].attr.is_some_and(|(d, _)| d == depth) {
            width = width.max(lines[j].attr.map_or(0, |(_, w)| w));
            j += 1;
        }
        for line in &mut lines[i..j] {
            let (_, w) = line.attr.expect("attribute line");
            if w < width {
                let pad = "  ".repeat(depth as usize).len();
                let name_end = pad + line.text[pad..].char_indices().nth(w).map_or(line.text.len() - pad, |(b, _)| b);
                line.text.insert_str(name_end, &" ".repeat(width - w));
            }
        }
        i = j.max(i + 1);
    }
}

//! The few token rewrites `terraform fmt` makes beyond whitespace: block
//! labels are quoted, an argument whose whole value is one interpolation
//! (`"${var.x}"`) loses the template around it, and a `variable` block's
//! legacy type (`"string"`, `list`, `map`) takes its modern spelling.

use super::lex::{Kind, Token};

/// Applies the rewrites to a whole file's tokens.
pub fn rewrite(tokens: Vec<Token>) -> Vec<Token> {
    let mut edits = Vec::new();
    let mut i = 0;
    body(&tokens, &mut i, &mut Vec::new(), &mut edits);
    // Later edits first, so earlier ranges stay valid.
    edits.sort_by_key(|e: &Edit| std::cmp::Reverse(e.range.start));
    let mut tokens = tokens;
    for e in edits {
        tokens.splice(e.range, e.with);
    }
    tokens
}

struct Edit {
    range: std::ops::Range<usize>,
    with: Vec<Token>,
}

/// Walks one body (up to its closing brace or the end), noting edits.
fn body(t: &[Token], i: &mut usize, blocks: &mut Vec<String>, edits: &mut Vec<Edit>) {
    while *i < t.len() {
        match t[*i].kind {
            Kind::Eof => return,
            Kind::CBrace => {
                *i += 1;
                return;
            }
            Kind::Ident if t.get(*i + 1).is_some_and(|n| n.kind == Kind::Equal) => {
                let name = t[*i].text.clone();
                let start = *i + 2;
                let end = expression_end(t, start);
                let expr = &t[start..end];
                let with = if blocks.len() == 1 && blocks[0] == "variable" && name == "type" {
                    type_expr(expr)
                } else {
                    value_expr(expr)
                };
                if let Some(with) = with {
                    edits.push(Edit {
                        range: start..end,
                        with,
                    });
                }
                *i = end;
            }
            Kind::Ident => {
                let kind = t[*i].text.clone();
                *i += 1;
                // Labels, then the body's brace.
                loop {
                    match t.get(*i).map(|x| x.kind) {
                        Some(Kind::Ident) => {
                            let mut quoted = Token::new(Kind::QuotedLit, &t[*i].text);
                            quoted.spaces = 0;
                            let mut open = Token::new(Kind::OQuote, "\"");
                            open.spaces = t[*i].spaces;
                            edits.push(Edit {
                                range: *i..*i + 1,
                                with: vec![open, quoted, Token::new(Kind::CQuote, "\"")],
                            });
                            *i += 1;
                        }
                        Some(Kind::OQuote) => {
                            while *i < t.len()
                                && t[*i].kind != Kind::CQuote
                                && t[*i].kind != Kind::Eof
                            {
                                *i += 1;
                            }
                            *i += 1;
                        }
                        Some(Kind::OBrace) => {
                            *i += 1;
                            blocks.push(kind);
                            body(t, i, blocks, edits);
                            blocks.pop();
                            break;
                        }
                        _ => break,
                    }
                }
            }
            _ => *i += 1,
        }
    }
}

/// Where the expression starting at `start` ends: the newline (or line
/// comment) outside brackets and templates, a block's closing brace, or
/// the end of input.
fn expression_end(t: &[Token], start: usize) -> usize {
    let mut depth = 0i32;
    let mut heredoc = 0i32;
    for (i, tok) in t.iter().enumerate().skip(start) {
        match tok.kind {
            Kind::OHeredoc => heredoc += 1,
            Kind::CHeredoc => heredoc -= 1,
            Kind::Eof => return i,
            Kind::CBrace if depth == 0 => return i,
            _ if depth == 0 && heredoc == 0 && tok.ends_line() => return i,
            _ => {}
        }
        if matches!(tok.kind, Kind::OQuote) {
            depth += 1;
        } else if matches!(tok.kind, Kind::CQuote) {
            depth -= 1;
        } else {
            depth += tok.bracket_change();
        }
    }
    t.len()
}

/// `"${ expr }"` as `expr` when the template holds one interpolation and
/// nothing else (parenthesised when it spans lines).
fn value_expr(expr: &[Token]) -> Option<Vec<Token>> {
    let n = expr.len();
    if n < 5
        || expr[0].kind != Kind::OQuote
        || expr[1].kind != Kind::TemplateInterp
        || expr[n - 2].kind != Kind::TemplateSeqEnd
        || expr[n - 1].kind != Kind::CQuote
    {
        return None;
    }
    let inside = &expr[2..n - 2];
    let mut quotes = 0;
    for tok in inside {
        match tok.kind {
            Kind::OQuote => quotes += 1,
            Kind::CQuote => quotes -= 1,
            _ if quotes > 0 => {}
            Kind::TemplateInterp | Kind::TemplateSeqEnd | Kind::QuotedLit => return None,
            _ => {}
        }
    }
    let first = inside.iter().position(|x| x.kind != Kind::Newline)?;
    let last = inside.iter().rposition(|x| x.kind != Kind::Newline)?;
    let mut trimmed: Vec<Token> = inside[first..=last].to_vec();
    let multi_line = trimmed.iter().any(|x| x.kind == Kind::Newline);
    let parenthesised = trimmed.first().is_some_and(|x| x.kind == Kind::OParen)
        && trimmed.last().is_some_and(|x| x.kind == Kind::CParen);
    if multi_line && !parenthesised {
        trimmed.insert(0, Token::new(Kind::OParen, "("));
        trimmed.push(Token::new(Kind::CParen, ")"));
    }
    Some(trimmed)
}

/// A variable's `type`: `list`/`map`/`set` alone mean `(any)`; the quoted
/// types of Terraform 0.11 mean `string`, `list(string)`, `map(string)`.
fn type_expr(expr: &[Token]) -> Option<Vec<Token>> {
    let call = |name: &str, arg: &str| {
        vec![
            Token::new(Kind::Ident, name),
            Token::new(Kind::OParen, "("),
            Token::new(Kind::Ident, arg),
            Token::new(Kind::CParen, ")"),
        ]
    };
    match expr {
        [kw] if kw.kind == Kind::Ident && matches!(kw.text.as_str(), "list" | "map" | "set") => {
            Some(call(&kw.text, "any"))
        }
        [o, lit, c]
            if o.kind == Kind::OQuote && lit.kind == Kind::QuotedLit && c.kind == Kind::CQuote =>
        {
            match lit.text.as_str() {
                "string" => Some(vec![Token::new(Kind::Ident, "string")]),
                "list" | "map" => Some(call(&lit.text, "string")),
                _ => None,
            }
        }
        _ => None,
    }
}

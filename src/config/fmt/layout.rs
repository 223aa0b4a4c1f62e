//! Whitespace between tokens, as Terraform lays it out: each line split
//! into a lead, an assignment (`= value`) and a trailing comment; leads
//! indented two spaces per open bracket level; spaces between tokens by
//! the pair they separate; `=` and trailing comments aligned across runs
//! of consecutive lines. Only `Token::spaces` changes.

use std::ops::Range;

use super::lex::{Kind, Token};

/// A line's cells, as token index ranges.
struct Line {
    lead: Range<usize>,
    assign: Option<Range<usize>>,
    comment: Option<usize>,
}

pub fn lay_out(tokens: &mut [Token]) {
    let lines = lines(tokens);
    indent(tokens, &lines);
    spaces(tokens, &lines);
    align(tokens, &lines);
}

fn lines(tokens: &[Token]) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.kind == Kind::Eof {
            out.push(start..i);
            break;
        }
        if t.ends_line() {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    out.into_iter()
        .map(|mut lead| {
            let mut comment = None;
            if lead.len() > 1 && tokens[lead.end - 1].kind == Kind::Comment {
                comment = Some(lead.end - 1);
                lead.end -= 1;
            }
            let mut assign = None;
            if let Some(eq) = lead
                .clone()
                .skip(1)
                .find(|&i| tokens[i].kind == Kind::Equal)
            {
                // Only a whole expression on this line is aligned; one that
                // opens brackets continues on the next lines.
                let net: i32 = (eq..lead.end).map(|i| tokens[i].bracket_change()).sum();
                if net == 0 {
                    assign = Some(eq..lead.end);
                    lead.end = eq;
                }
            }
            Line {
                lead,
                assign,
                comment,
            }
        })
        .collect()
}

fn indent(tokens: &mut [Token], lines: &[Line]) {
    let mut levels: Vec<i32> = Vec::new();
    for line in lines {
        if line.lead.is_empty() {
            continue;
        }
        let first = line.lead.start;
        if tokens[first].kind == Kind::Newline {
            tokens[first].spaces = 0;
            continue;
        }
        let mut net = 0;
        for i in line.lead.clone() {
            net += tokens[i].bracket_change();
            if tokens[i].kind == Kind::OHeredoc {
                break;
            }
        }
        for i in line.assign.clone().unwrap_or(0..0) {
            net += tokens[i].bracket_change();
        }
        if net > 0 {
            tokens[first].spaces = 2 * levels.len();
            levels.push(net);
            continue;
        }
        let mut closed = -net;
        while closed > 0 {
            let Some(top) = levels.last_mut() else { break };
            if closed >= *top {
                closed -= *top;
                levels.pop();
            } else {
                *top -= closed;
                closed = 0;
            }
        }
        tokens[first].spaces = 2 * levels.len();
    }
}

fn spaces(tokens: &mut [Token], lines: &[Line]) {
    for line in lines {
        space_cell(tokens, line.lead.clone());
        if let Some(assign) = line.assign.clone() {
            tokens[assign.start].spaces = 1;
            space_cell(tokens, assign);
        }
    }
}

fn space_cell(tokens: &mut [Token], cell: Range<usize>) {
    for i in cell.start..cell.end.saturating_sub(1) {
        let before = if i > cell.start {
            Some(tokens[i - 1].kind)
        } else {
            None
        };
        let space = space_after(&tokens[i], before, &tokens[i + 1]);
        tokens[i + 1].spaces = usize::from(space);
    }
}

/// Whether `subject` is followed by a space when `after` comes next
/// (`before` is the token preceding `subject` in its cell, if any).
fn space_after(subject: &Token, before: Option<Kind>, after: &Token) -> bool {
    use Kind::*;
    let (s, a) = (subject.kind, after.kind);
    let is_literal = |k: Kind| matches!(k, QuotedLit | StringLit);
    match () {
        _ if matches!(a, Newline | Eof) => false,
        _ if s == Ident && a == OParen => false,
        _ if (s == Ident && a == DoubleColon) || (s == DoubleColon && a == Ident) => false,
        _ if s == Dot || a == Dot => false,
        _ if a == Comma || a == Ellipsis => false,
        _ if s == Comma => true,
        _ if is_literal(s)
            || matches!(s, OQuote | OHeredoc)
            || is_literal(a)
            || matches!(a, CQuote | CHeredoc) =>
        {
            false
        }
        // `in` of a `for` before a tuple: `for x in [a] : x`.
        _ if s == Ident && subject.text == "in" && before == Some(Ident) => true,
        _ if a == OBrack && (matches!(s, Ident | Number) || subject.bracket_change() < 0) => false,
        _ if s == Bang => false,
        _ if s == Minus => !matches!(
            before,
            None | Some(
                OParen
                    | OBrace
                    | OBrack
                    | Equal
                    | Colon
                    | Comma
                    | Question
                    | Plus
                    | Star
                    | Slash
                    | Percent
                    | Minus
                    | EqualOp
                    | NotEqual
                    | Gt
                    | Ge
                    | Lt
                    | Le
                    | And
                    | Or
                    | Bang
            )
        ),
        _ if s == OBrace || a == CBrace => !(s == OBrace && a == CBrace),
        _ if matches!(s, TemplateInterp | TemplateControl) && a == OBrace => true,
        _ if s == CBrace && a == TemplateSeqEnd => true,
        _ if s == TemplateSeqEnd && matches!(a, TemplateInterp | TemplateControl) => false,
        _ if subject.bracket_change() > 0 => false,
        _ if after.bracket_change() < 0 => false,
        _ => true,
    }
}

/// Width in characters, as columns count.
fn columns(tokens: &[Token], cell: Range<usize>) -> usize {
    cell.map(|i| tokens[i].spaces + tokens[i].text.chars().count())
        .sum()
}

fn align(tokens: &mut [Token], lines: &[Line]) {
    // `=` of consecutive assignment lines.
    let mut run: Vec<&Line> = Vec::new();
    for line in lines.iter().chain(std::iter::once(&Line {
        lead: 0..0,
        assign: None,
        comment: None,
    })) {
        if line.assign.is_some() {
            run.push(line);
            continue;
        }
        let widest = run
            .iter()
            .map(|l| columns(tokens, l.lead.clone()))
            .max()
            .unwrap_or(0);
        for l in run.drain(..) {
            let width = columns(tokens, l.lead.clone());
            if let Some(a) = &l.assign {
                tokens[a.start].spaces = widest - width + 1;
            }
        }
    }
    // Trailing comments of consecutive lines.
    let width = |tokens: &[Token], l: &Line| {
        columns(tokens, l.lead.clone()) + l.assign.clone().map_or(0, |a| columns(tokens, a))
    };
    let mut run: Vec<&Line> = Vec::new();
    for line in lines.iter().chain(std::iter::once(&Line {
        lead: 0..0,
        assign: None,
        comment: None,
    })) {
        if line.comment.is_some() {
            run.push(line);
            continue;
        }
        let widest = run.iter().map(|l| width(tokens, l)).max().unwrap_or(0);
        for l in run.drain(..) {
            let w = width(tokens, l);
            if let Some(c) = l.comment {
                tokens[c].spaces = widest - w + 1;
            }
        }
    }
}

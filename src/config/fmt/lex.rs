//! The token stream `fmt` lays out: HCL native syntax cut into the same
//! tokens Terraform's formatter sees, each with the whitespace that stood
//! before it. Whitespace inside a token (string literals, heredoc lines,
//! comments) belongs to the token and is never touched.

/// What a token is, as far as layout cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Newline,
    /// `# ...` and `// ...` (with their newline) or `/* ... */`.
    Comment,
    Ident,
    Number,
    OQuote,
    CQuote,
    /// Literal text inside a quoted template.
    QuotedLit,
    /// `<<EOT` or `<<-EOT` with its newline.
    OHeredoc,
    /// A heredoc's closing line: leading whitespace and the marker.
    CHeredoc,
    /// Literal text inside a heredoc.
    StringLit,
    /// `${` or `${~`.
    TemplateInterp,
    /// `%{` or `%{~`.
    TemplateControl,
    /// `}` or `~}` closing an interpolation or directive.
    TemplateSeqEnd,
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    /// `=` (assignment).
    Equal,
    Dot,
    Comma,
    Ellipsis,
    DoubleColon,
    Colon,
    Question,
    FatArrow,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    EqualOp,
    NotEqual,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Bang,
    /// Anything the syntax has no token for (the file will not parse).
    Invalid,
    Eof,
}

/// One token: its text, and how many whitespace characters preceded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub text: String,
    pub spaces: usize,
}

impl Token {
    pub fn new(kind: Kind, text: &str) -> Token {
        Token {
            kind,
            text: text.to_string(),
            spaces: 0,
        }
    }

    /// +1 for a bracket that opens, -1 for one that closes.
    pub fn bracket_change(&self) -> i32 {
        match self.kind {
            Kind::OBrace
            | Kind::OBrack
            | Kind::OParen
            | Kind::TemplateInterp
            | Kind::TemplateControl => 1,
            Kind::CBrace | Kind::CBrack | Kind::CParen | Kind::TemplateSeqEnd => -1,
            _ => 0,
        }
    }

    /// Whether the token ends a line (a newline, or a line comment, which
    /// takes its newline with it).
    pub fn ends_line(&self) -> bool {
        self.kind == Kind::Newline || (self.kind == Kind::Comment && self.text.ends_with('\n'))
    }
}

/// Where the lexer is: in expressions (with the depth of braces opened
/// since an interpolation began), in a quoted template, or in a heredoc.
enum Mode {
    Expr { braces: usize },
    Quoted,
    Heredoc { marker: String },
}

/// Cuts `src` into tokens, ending with `Eof`.
pub fn tokens(src: &str) -> Vec<Token> {
    Lexer {
        src,
        pos: 0,
        out: Vec::new(),
        modes: vec![Mode::Expr { braces: 0 }],
        trailing: 0,
    }
    .run()
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    out: Vec<Token>,
    modes: Vec<Mode>,
    /// Whitespace between the last token and the end of input.
    trailing: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn push(&mut self, kind: Kind, len: usize, spaces: usize) {
        let text = self.src[self.pos..self.pos + len].to_string();
        self.pos += len;
        self.out.push(Token { kind, text, spaces });
    }

    fn run(mut self) -> Vec<Token> {
        while self.pos < self.src.len() {
            match self.modes.last() {
                Some(Mode::Quoted) => self.quoted(),
                Some(Mode::Heredoc { .. }) => self.heredoc_line(),
                _ => {
                    if !self.expr() {
                        break;
                    }
                }
            }
        }
        self.out.push(Token {
            kind: Kind::Eof,
            text: String::new(),
            spaces: self.trailing,
        });
        self.out
    }

    /// One token in expression mode; false at the end of input.
    fn expr(&mut self) -> bool {
        let rest = self.rest();
        let ws = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let ws = if rest[ws..].starts_with('\r') && !rest[ws..].starts_with("\r\n") {
            ws + 1
        } else {
            ws
        };
        self.pos += ws;
        let rest = self.rest();
        let Some(c) = rest.chars().next() else {
            // Whitespace before the end of input stays (as spaces).
            self.trailing = ws;
            return false;
        };
        let two = rest.get(..2).unwrap_or("");
        let three = rest.get(..3).unwrap_or("");
        let (kind, len) = if rest.starts_with("\r\n") {
            (Kind::Newline, 2)
        } else if c == '\n' {
            (Kind::Newline, 1)
        } else if c == '#' || two == "//" {
            let end = rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
            (Kind::Comment, end)
        } else if two == "/*" {
            let end = rest[2..].find("*/").map(|i| i + 4).unwrap_or(rest.len());
            (Kind::Comment, end)
        } else if is_ident_start(c) {
            let end = rest
                .char_indices()
                .find(|&(_, ch)| !is_ident_continue(ch))
                .map(|(i, _)| i)
                .unwrap_or(rest.len());
            (Kind::Ident, end)
        } else if c.is_ascii_digit() {
            (Kind::Number, number_len(rest))
        } else if c == '"' {
            self.push(Kind::OQuote, 1, ws);
            self.modes.push(Mode::Quoted);
            return true;
        } else if let Some((len, marker)) = heredoc_start(rest) {
            self.push(Kind::OHeredoc, len, ws);
            self.modes.push(Mode::Heredoc { marker });
            return true;
        } else if three == "..." {
            (Kind::Ellipsis, 3)
        } else if two == "~}" && self.in_template() {
            self.push(Kind::TemplateSeqEnd, 2, ws);
            self.modes.pop();
            return true;
        } else {
            match (two, c) {
                ("::", _) => (Kind::DoubleColon, 2),
                ("=>", _) => (Kind::FatArrow, 2),
                ("==", _) => (Kind::EqualOp, 2),
                ("!=", _) => (Kind::NotEqual, 2),
                ("<=", _) => (Kind::Le, 2),
                (">=", _) => (Kind::Ge, 2),
                ("&&", _) => (Kind::And, 2),
                ("||", _) => (Kind::Or, 2),
                (_, '=') => (Kind::Equal, 1),
                (_, '!') => (Kind::Bang, 1),
                (_, '<') => (Kind::Lt, 1),
                (_, '>') => (Kind::Gt, 1),
                (_, '+') => (Kind::Plus, 1),
                (_, '-') => (Kind::Minus, 1),
                (_, '*') => (Kind::Star, 1),
                (_, '/') => (Kind::Slash, 1),
                (_, '%') => (Kind::Percent, 1),
                (_, '?') => (Kind::Question, 1),
                (_, ':') => (Kind::Colon, 1),
                (_, '.') => (Kind::Dot, 1),
                (_, ',') => (Kind::Comma, 1),
                (_, '(') => (Kind::OParen, 1),
                (_, ')') => (Kind::CParen, 1),
                (_, '[') => (Kind::OBrack, 1),
                (_, ']') => (Kind::CBrack, 1),
                (_, '{') => {
                    if let Some(Mode::Expr { braces }) = self.modes.last_mut() {
                        *braces += 1;
                    }
                    (Kind::OBrace, 1)
                }
                (_, '}') => {
                    if let Some(Mode::Expr { braces }) = self.modes.last_mut()
                        && *braces > 0
                    {
                        *braces -= 1;
                        (Kind::CBrace, 1)
                    } else if self.in_template() {
                        self.push(Kind::TemplateSeqEnd, 1, ws);
                        self.modes.pop();
                        return true;
                    } else {
                        (Kind::CBrace, 1)
                    }
                }
                _ => (Kind::Invalid, c.len_utf8()),
            }
        };
        self.push(kind, len, ws);
        true
    }

    /// Whether the current expression mode was opened by `${` or `%{`.
    fn in_template(&self) -> bool {
        self.modes.len() > 1 && matches!(self.modes.last(), Some(Mode::Expr { braces: 0 }))
    }

    /// Literal text up to an interpolation, a directive or the closing quote.
    fn quoted(&mut self) {
        let rest = self.rest();
        if rest.starts_with('"') {
            self.push(Kind::CQuote, 1, 0);
            self.modes.pop();
            return;
        }
        if self.template_opener() {
            return;
        }
        let len = literal_len(rest, Literal::Quoted);
        if len == 0 {
            // A newline in a quoted string: the file will not parse; leave
            // quoted mode so the rest is still laid out as tokens.
            self.modes.pop();
            return;
        }
        self.push(Kind::QuotedLit, len, 0);
    }

    /// A heredoc's closing line, or literal text of one of its lines up to
    /// an interpolation or directive (and the line's end).
    fn heredoc_line(&mut self) {
        let rest = self.rest();
        let Some(Mode::Heredoc { marker }) = self.modes.last() else {
            return;
        };
        let at_line_start = self.out.last().is_some_and(|t| t.text.ends_with('\n'));
        if at_line_start {
            let line_end = rest.find('\n').unwrap_or(rest.len());
            let line = rest[..line_end]
                .strip_suffix('\r')
                .unwrap_or(&rest[..line_end]);
            if line.trim_start_matches([' ', '\t']) == marker {
                let len = line.len();
                self.push(Kind::CHeredoc, len, 0);
                self.modes.pop();
                return;
            }
        }
        if self.template_opener() {
            return;
        }
        let len = literal_len(rest, Literal::Heredoc);
        self.push(Kind::StringLit, len, 0);
    }

    /// `${` or `%{` (with its strip marker) opening an expression.
    fn template_opener(&mut self) -> bool {
        let rest = self.rest();
        let kind = if rest.starts_with("${") {
            Kind::TemplateInterp
        } else if rest.starts_with("%{") {
            Kind::TemplateControl
        } else {
            return false;
        };
        let len = if rest[2..].starts_with('~') { 3 } else { 2 };
        self.push(kind, len, 0);
        self.modes.push(Mode::Expr { braces: 0 });
        true
    }
}

/// Which template literal is being read: a quoted one ends at its quote
/// and has backslash escapes; a heredoc line ends after its newline.
#[derive(PartialEq)]
enum Literal {
    Quoted,
    Heredoc,
}

/// Length of the literal text at the start of `rest`: up to an
/// unescaped `${` or `%{` (`$${` and `%%{` are literal), the end of a
/// quoted string, or past the end of a heredoc line.
fn literal_len(rest: &str, kind: Literal) -> usize {
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' if kind == Literal::Quoted => break,
            b'\n' if kind == Literal::Quoted => break,
            b'\n' => {
                i += 1;
                break;
            }
            b'\\' if kind == Literal::Quoted => i += 2,
            b'$' | b'%'
                if bytes.get(i + 1) == Some(&bytes[i]) && bytes.get(i + 2) == Some(&b'{') =>
            {
                i += 3
            }
            b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => break,
            _ => i += 1,
        }
    }
    // An escape before a multi-byte character ends inside it.
    (i.min(bytes.len())..=bytes.len())
        .find(|&j| rest.is_char_boundary(j))
        .unwrap_or(bytes.len())
}

/// `<<EOT\n` or `<<-EOT\n`: its length (newline included) and marker.
fn heredoc_start(rest: &str) -> Option<(usize, String)> {
    let body = rest.strip_prefix("<<")?;
    let body = body.strip_prefix('-').unwrap_or(body);
    let prefix = rest.len() - body.len();
    let mut chars = body.chars();
    if !chars.next().is_some_and(is_ident_start) {
        return None;
    }
    let end = body
        .char_indices()
        .find(|&(_, c)| !is_ident_continue(c))
        .map(|(i, _)| i)
        .unwrap_or(body.len());
    let after = &body[end..];
    let nl = if after.starts_with("\r\n") {
        2
    } else if after.starts_with('\n') {
        1
    } else {
        return None;
    };
    Some((prefix + end + nl, body[..end].to_string()))
}

/// Digits, an optional fraction and an optional exponent.
fn number_len(rest: &str) -> usize {
    let b = rest.as_bytes();
    let digits = |from: usize| from + b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = digits(0);
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i = digits(i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let j = if matches!(b.get(i + 1), Some(b'+' | b'-')) {
            i + 2
        } else {
            i + 1
        };
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            i = digits(j);
        }
    }
    i
}

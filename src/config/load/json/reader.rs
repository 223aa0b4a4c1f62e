//! A small JSON reader that keeps where every value and property name is
//! written (byte ranges), for `.tf.json` files: errors must point into the
//! file. Strict JSON (RFC 8259); nesting is limited so no input can exhaust
//! the stack.

use std::ops::Range;

/// Deeper documents are refused rather than read recursively.
pub const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    pub span: Range<usize>,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// The number as written (its range is `span`).
    Number,
    /// The decoded text; `escaped` when the source used escapes (so the
    /// source text is not the value).
    String {
        value: String,
        escaped: bool,
    },
    Array(Vec<Json>),
    Object(Vec<Property>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub name: String,
    /// The name's range, quotes included.
    pub name_span: Range<usize>,
    pub name_escaped: bool,
    pub value: Json,
}

/// A syntax error: what and where (a byte range of the text).
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub summary: &'static str,
    pub detail: String,
    pub span: Range<usize>,
}

/// Reads one JSON document (the whole text).
pub fn read(text: &str) -> Result<Json, SyntaxError> {
    let mut r = Reader {
        text,
        b: text.as_bytes(),
        at: 0,
    };
    r.ws();
    if r.at >= r.b.len() {
        return Err(r.error(
            "Missing value",
            "The JSON data ends prematurely.",
            r.at..r.at,
        ));
    }
    let v = r.value(0)?;
    r.ws();
    if r.at < r.b.len() {
        return Err(r.error(
            "Extraneous data after value",
            "Extra characters appear after the JSON value.",
            r.at..r.at + 1,
        ));
    }
    Ok(v)
}

struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn error(&self, summary: &'static str, detail: &str, span: Range<usize>) -> SyntaxError {
        let end = span.end.min(self.b.len());
        let mut end = end.max(span.start.min(end));
        while end < self.b.len() && !self.text.is_char_boundary(end) {
            end += 1;
        }
        SyntaxError {
            summary,
            detail: detail.to_string(),
            span: span.start.min(end)..end,
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.at) {
            self.at += 1;
        }
    }

    fn here(&self) -> Range<usize> {
        let len = self.text[self.at.min(self.text.len())..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        self.at..self.at + len
    }

    fn value(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        if depth >= MAX_DEPTH {
            return Err(self.error(
                "Nesting too deep",
                &format!("drinfra reads JSON nested at most {MAX_DEPTH} levels deep."),
                self.here(),
            ));
        }
        let start = self.at;
        match self.b.get(self.at) {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let (value, escaped) = self.string()?;
                Ok(Json {
                    span: start..self.at,
                    kind: Kind::String { value, escaped },
                })
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(c) if c.is_ascii_alphabetic() => {
                while self.b.get(self.at).is_some_and(u8::is_ascii_alphanumeric) {
                    self.at += 1;
                }
                let kind = match &self.text[start..self.at] {
                    "null" => Kind::Null,
                    "true" => Kind::Bool(true),
                    "false" => Kind::Bool(false),
                    word => {
                        let hint = ["true", "false", "null"]
                            .into_iter()
                            .find(|k| edit_distance(word, k) < 3)
                            .map(|k| format!(" Did you mean {k:?}?"))
                            .unwrap_or_default();
                        return Err(self.error(
                            "Invalid JSON keyword",
                            &format!("{word:?} is not a valid JSON keyword.{hint}"),
                            start..self.at,
                        ));
                    }
                };
                Ok(Json {
                    span: start..self.at,
                    kind,
                })
            }
            None => Err(self.error(
                "Missing value",
                "The JSON data ends prematurely.",
                start..start,
            )),
            Some(_) => Err(self.error(
                "Invalid JSON value",
                "A JSON value must start with a brace, a bracket, a number, a string, or a keyword.",
                self.here(),
            )),
        }
    }

    fn number(&mut self) -> Result<Json, SyntaxError> {
        let start = self.at;
        let digits = |r: &mut Self| {
            let s = r.at;
            while r.b.get(r.at).is_some_and(u8::is_ascii_digit) {
                r.at += 1;
            }
            r.at > s
        };
        if self.b.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        let int_start = self.at;
        let bad = |r: &Self| {
            r.error(
                "Invalid JSON number",
                "There is a syntax error in the given JSON number.",
                start..r.at.max(start + 1),
            )
        };
        if !digits(self) || (self.b[int_start] == b'0' && self.at - int_start > 1) {
            return Err(bad(self));
        }
        if self.b.get(self.at) == Some(&b'.') {
            self.at += 1;
            if !digits(self) {
                return Err(bad(self));
            }
        }
        if let Some(b'e' | b'E') = self.b.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.b.get(self.at) {
                self.at += 1;
            }
            if !digits(self) {
                return Err(bad(self));
            }
        }
        Ok(Json {
            span: start..self.at,
            kind: Kind::Number,
        })
    }

    /// A string at `self.at` (its opening quote): the decoded value and
    /// whether it used escapes.
    fn string(&mut self) -> Result<(String, bool), SyntaxError> {
        let start = self.at;
        self.at += 1;
        let mut out = String::new();
        let mut escaped = false;
        loop {
            let run = self.at;
            while let Some(&c) = self.b.get(self.at) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.at += 1;
            }
            out.push_str(&self.text[run..self.at]);
            match self.b.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok((out, escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    let esc = self.at;
                    self.at += 1;
                    let c = match self.b.get(self.at) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.at += 1;
                            let hi = self.hex4(esc)?;
                            let code = if (0xD800..0xDC00).contains(&hi)
                                && self.b.get(self.at) == Some(&b'\\')
                                && self.b.get(self.at + 1) == Some(&b'u')
                            {
                                let save = self.at;
                                self.at += 2;
                                let lo = self.hex4(esc)?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                } else {
                                    self.at = save;
                                    hi
                                }
                            } else {
                                hi
                            };
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                            continue;
                        }
                        _ => {
                            return Err(self.error(
                                "Invalid JSON string",
                                "There is a syntax error in the given JSON string.",
                                esc..self.at + 1,
                            ));
                        }
                    };
                    self.at += 1;
                    out.push(c);
                }
                Some(_) => {
                    return Err(self.error(
                        "Invalid JSON string",
                        "There is a syntax error in the given JSON string.",
                        self.here(),
                    ));
                }
                None => {
                    return Err(self.error(
                        "Invalid JSON string",
                        "There is a syntax error in the given JSON string.",
                        start..start + 1,
                    ));
                }
            }
        }
    }

    fn hex4(&mut self, esc: usize) -> Result<u32, SyntaxError> {
        let digits = self.text.get(self.at..self.at + 4).unwrap_or("");
        match u32::from_str_radix(digits, 16) {
            Ok(v) if digits.bytes().all(|c| c.is_ascii_hexdigit()) => {
                self.at += 4;
                Ok(v)
            }
            _ => Err(self.error(
                "Invalid JSON string",
                "There is a syntax error in the given JSON string.",
                esc..self.at,
            )),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        let start = self.at;
        self.at += 1;
        let mut items = Vec::new();
        self.ws();
        if self.b.get(self.at) == Some(&b']') {
            self.at += 1;
            return Ok(Json {
                span: start..self.at,
                kind: Kind::Array(items),
            });
        }
        let mut comma = start;
        loop {
            self.ws();
            if self.b.get(self.at) == Some(&b']') {
                return Err(self.error(
                    "Trailing comma in array",
                    "JSON does not permit a trailing comma after the final value in an array.",
                    comma..comma + 1,
                ));
            }
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.b.get(self.at) {
                Some(b',') => {
                    comma = self.at;
                    self.at += 1;
                }
                Some(b']') => {
                    self.at += 1;
                    return Ok(Json {
                        span: start..self.at,
                        kind: Kind::Array(items),
                    });
                }
                None => {
                    // Terraform's summary says object here too.
                    return Err(self.error(
                        "Unclosed object",
                        "No closing bracket was found for this JSON array.",
                        start..start + 1,
                    ));
                }
                Some(b'}') => {
                    return Err(self.error(
                        "Mismatched brackets",
                        "A JSON array must be closed with a bracket, not a brace.",
                        self.here(),
                    ));
                }
                Some(_) => {
                    return Err(self.error(
                        "Missing attribute seperator comma",
                        "A comma must appear between each value in an array.",
                        self.here(),
                    ));
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        let start = self.at;
        self.at += 1;
        let mut props = Vec::new();
        self.ws();
        if self.b.get(self.at) == Some(&b'}') {
            self.at += 1;
            return Ok(Json {
                span: start..self.at,
                kind: Kind::Object(props),
            });
        }
        let mut comma = start;
        loop {
            self.ws();
            match self.b.get(self.at) {
                Some(b'"') => {}
                Some(b'}') => {
                    return Err(self.error(
                        "Trailing comma in object",
                        "JSON does not permit a trailing comma after the final property in an object.",
                        comma..comma + 1,
                    ));
                }
                None => {
                    return Err(self.error(
                        "Unclosed object",
                        "No closing brace was found for this JSON object.",
                        start..start + 1,
                    ));
                }
                Some(_) => {
                    return Err(self.error(
                        "Invalid object property name",
                        "A JSON object property name must be a string",
                        self.here(),
                    ));
                }
            }
            let name_start = self.at;
            let (name, name_escaped) = self.string()?;
            let name_span = name_start..self.at;
            self.ws();
            if self.b.get(self.at) != Some(&b':') {
                return Err(self.error(
                    "Missing property value colon",
                    "JSON uses a colon as its name/value delimiter, not an equals sign.",
                    self.here(),
                ));
            }
            self.at += 1;
            self.ws();
            let value = self.value(depth + 1)?;
            props.push(Property {
                name,
                name_span,
                name_escaped,
                value,
            });
            self.ws();
            match self.b.get(self.at) {
                Some(b',') => {
                    comma = self.at;
                    self.at += 1;
                }
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Json {
                        span: start..self.at,
                        kind: Kind::Object(props),
                    });
                }
                None => {
                    return Err(self.error(
                        "Unclosed object",
                        "No closing brace was found for this JSON object.",
                        start..start + 1,
                    ));
                }
                Some(b']') => {
                    return Err(self.error(
                        "Mismatched brackets",
                        "A JSON object must be closed with a brace, not a bracket.",
                        self.here(),
                    ));
                }
                Some(_) => {
                    return Err(self.error(
                        "Missing attribute seperator comma",
                        "A comma must appear between each property definition in an object.",
                        self.here(),
                    ));
                }
            }
        }
    }
}

/// Levenshtein distance, for "did you mean" hints on short words.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_values_with_their_places() {
        let v = read(r#" {"a": [1, -2.5e3, true, null], "b\n": "x\u00e9\ud83d\ude00"} "#).unwrap();
        let Kind::Object(props) = &v.kind else {
            panic!("object")
        };
        assert_eq!(v.span, 1..61);
        assert_eq!(props[0].name_span, 2..5);
        let Kind::Array(items) = &props[0].value.kind else {
            panic!("array")
        };
        assert_eq!(items[1].span, 11..17);
        assert_eq!(props[1].name, "b\n");
        assert!(props[1].name_escaped);
        assert_eq!(
            props[1].value.kind,
            Kind::String {
                value: "xé😀".into(),
                escaped: true
            }
        );
    }

    #[test]
    fn refuses_malformed_documents_at_their_place() {
        for (text, summary, at) in [
            ("", "Missing value", 0),
            ("{", "Unclosed object", 0),
            ("{\"a\" = 1}", "Missing property value colon", 5),
            ("{\"a\": 1,}", "Trailing comma in object", 7),
            ("[1 2]", "Missing attribute seperator comma", 3),
            ("{\"a\": tru}", "Invalid JSON keyword", 6),
            ("{\"a\": 01}", "Invalid JSON number", 6),
            ("\"a\\x\"", "Invalid JSON string", 2),
            ("\"a\nb\"", "Invalid JSON string", 2),
            ("{} x", "Extraneous data after value", 3),
            ("{a: 1}", "Invalid object property name", 1),
            ("\"é", "Invalid JSON string", 0),
        ] {
            let e = read(text).unwrap_err();
            assert_eq!((e.summary, e.span.start), (summary, at), "{text:?}");
            assert!(text.is_char_boundary(e.span.end), "{text:?}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_recursed() {
        let text = "[".repeat(100_000);
        assert_eq!(read(&text).unwrap_err().summary, "Nesting too deep");
    }
}

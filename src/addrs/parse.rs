//! Reading addresses: `FromStr` for every address type, over one
//! hand-written scanner that never panics and says where the text is wrong.

use std::str::FromStr;

use super::{AbsResource, AbsResourceInstance, AddrError, InstanceKey, Mode, ModulePath, Resource};

impl FromStr for InstanceKey {
    type Err = AddrError;
    /// `""` (no key), `[0]` or `["k"]`.
    fn from_str(s: &str) -> Result<Self, AddrError> {
        let mut p = Parser::new(s);
        let key = p.key()?;
        p.end()?;
        Ok(key)
    }
}

impl FromStr for ModulePath {
    type Err = AddrError;
    fn from_str(s: &str) -> Result<Self, AddrError> {
        let mut p = Parser::new(s);
        let path = p.modules(false)?;
        p.end()?;
        Ok(path)
    }
}

impl FromStr for Resource {
    type Err = AddrError;
    fn from_str(s: &str) -> Result<Self, AddrError> {
        let mut p = Parser::new(s);
        let r = p.resource()?;
        p.end()?;
        Ok(r)
    }
}

impl FromStr for AbsResource {
    type Err = AddrError;
    fn from_str(s: &str) -> Result<Self, AddrError> {
        let i: AbsResourceInstance = s.parse()?;
        if i.key != InstanceKey::None {
            return Err(AddrError::UnexpectedKey(s.to_string()));
        }
        Ok(AbsResource {
            module: i.module,
            resource: i.resource,
        })
    }
}

impl FromStr for AbsResourceInstance {
    type Err = AddrError;
    fn from_str(s: &str) -> Result<Self, AddrError> {
        let mut p = Parser::new(s);
        let module = p.modules(true)?;
        if p.at_end() {
            return Err(if module.is_root() {
                AddrError::Empty(s.to_string())
            } else {
                AddrError::NotAResource(s.to_string())
            });
        }
        let resource = p.resource()?;
        let key = p.key()?;
        p.end()?;
        Ok(AbsResourceInstance {
            module,
            resource,
            key,
        })
    }
}

/// A hand-written scanner over an address's bytes.
struct Parser<'s> {
    text: &'s str,
    pos: usize,
}

impl<'s> Parser<'s> {
    fn new(text: &'s str) -> Self {
        Parser { text, pos: 0 }
    }

    fn rest(&self) -> &'s str {
        &self.text[self.pos..]
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn end(&self) -> Result<(), AddrError> {
        if self.at_end() {
            Ok(())
        } else {
            Err(AddrError::Expected {
                text: self.text.to_string(),
                at: self.pos,
                expected: '.',
            })
        }
    }

    fn expect(&mut self, c: char) -> Result<(), AddrError> {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            Ok(())
        } else {
            Err(AddrError::Expected {
                text: self.text.to_string(),
                at: self.pos,
                expected: c,
            })
        }
    }

    /// An HCL identifier: a letter or `_`, then letters, digits, `_`, `-`.
    fn name(&mut self) -> Result<&'s str, AddrError> {
        let rest = self.rest();
        let mut end = 0;
        for (i, c) in rest.char_indices() {
            let ok = if i == 0 {
                c.is_alphabetic() || c == '_'
            } else {
                c.is_alphanumeric() || c == '_' || c == '-'
            };
            if !ok {
                break;
            }
            end = i + c.len_utf8();
        }
        if end == 0 {
            return Err(AddrError::ExpectedName {
                text: self.text.to_string(),
                at: self.pos,
            });
        }
        self.pos += end;
        Ok(&rest[..end])
    }

    /// `module.NAME[KEY]` steps, each followed by a dot. With `then_more`,
    /// the last step must be followed by a dot and what comes after it
    /// (a resource); without, the steps end the text.
    fn modules(&mut self, then_more: bool) -> Result<ModulePath, AddrError> {
        let mut path = ModulePath::root();
        if !then_more && self.at_end() {
            return Ok(path);
        }
        loop {
            if !self.rest().starts_with("module.") {
                return Ok(path);
            }
            self.pos += "module.".len();
            let name = self.name()?.to_string();
            let key = self.key()?;
            path.push((name, key));
            if self.at_end() {
                return Ok(path);
            }
            self.expect('.')?;
            if !then_more && !self.rest().starts_with("module.") {
                return Err(AddrError::ExpectedName {
                    text: self.text.to_string(),
                    at: self.pos,
                });
            }
        }
    }

    fn resource(&mut self) -> Result<Resource, AddrError> {
        let first = self.name()?;
        self.expect('.')?;
        let second = self.name()?;
        if first == "data" && self.peek() == Some('.') {
            self.pos += 1;
            let name = self.name()?;
            return Ok(Resource {
                mode: Mode::Data,
                ty: second.to_string(),
                name: name.to_string(),
            });
        }
        Ok(Resource {
            mode: Mode::Managed,
            ty: first.to_string(),
            name: second.to_string(),
        })
    }

    /// `[0]`, `["k"]`, or nothing.
    fn key(&mut self) -> Result<InstanceKey, AddrError> {
        if self.peek() != Some('[') {
            return Ok(InstanceKey::None);
        }
        self.pos += 1;
        let start = self.pos;
        let key = match self.peek() {
            Some('"') => InstanceKey::Str(self.string()?),
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let digits = self.rest();
                let len = digits
                    .char_indices()
                    .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
                    .map_or(digits.len(), |(i, _)| i);
                let n = digits[..len]
                    .parse::<i64>()
                    .map_err(|_| AddrError::InvalidKey {
                        text: self.text.to_string(),
                        at: start,
                    })?;
                self.pos += len;
                InstanceKey::Int(n)
            }
            _ => {
                return Err(AddrError::InvalidKey {
                    text: self.text.to_string(),
                    at: start,
                });
            }
        };
        self.expect(']')?;
        Ok(key)
    }

    /// A quoted HCL string literal, unescaped.
    fn string(&mut self) -> Result<String, AddrError> {
        let start = self.pos;
        self.expect('"')?;
        let mut out = String::new();
        let unterminated = || AddrError::UnterminatedString {
            text: self.text.to_string(),
            at: start,
        };
        let mut chars = self.rest().char_indices().peekable();
        loop {
            let Some((i, c)) = chars.next() else {
                return Err(unterminated());
            };
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => {
                    let bad = AddrError::InvalidEscape {
                        text: self.text.to_string(),
                        at: self.pos + i,
                    };
                    let Some((_, e)) = chars.next() else {
                        return Err(unterminated());
                    };
                    match e {
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        'u' | 'U' => {
                            let len = if e == 'u' { 4 } else { 8 };
                            let mut hex = String::new();
                            for _ in 0..len {
                                match chars.next() {
                                    Some((_, h)) if h.is_ascii_hexdigit() => hex.push(h),
                                    _ => return Err(bad),
                                }
                            }
                            let c = u32::from_str_radix(&hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or(bad)?;
                            out.push(c);
                        }
                        _ => return Err(bad),
                    }
                }
                '$' | '%' if chars.peek().map(|&(_, n)| n) == Some(c) => {
                    // `$${` and `%%{` are an escaped template introducer.
                    let mut ahead = chars.clone();
                    ahead.next();
                    if ahead.peek().map(|&(_, n)| n) == Some('{') {
                        chars.next();
                    }
                    out.push(c);
                }
                c => out.push(c),
            }
        }
    }
}

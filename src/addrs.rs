//! Addresses of module instances, resources and resource instances, in the
//! spirit of Terraform's `internal/addrs`: typed values that print and parse
//! in Terraform's syntax (`module.a["x"].module.b[0].azurerm_x.y["k"]`), so
//! that no other module builds or re-parses address strings by hand.
//!
//! The printed forms are what state files and plans record; parsing what
//! was printed gives back the same value.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::str::FromStr;

/// Why a text is not an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddrError {
    #[error("{0:?} is empty where an address was expected")]
    Empty(String),
    #[error("{text:?}: expected a name at byte {at}")]
    ExpectedName { text: String, at: usize },
    #[error("{text:?}: expected {expected:?} at byte {at}")]
    Expected {
        text: String,
        at: usize,
        expected: char,
    },
    #[error("{text:?}: invalid instance key at byte {at}")]
    InvalidKey { text: String, at: usize },
    #[error("{text:?}: unterminated string at byte {at}")]
    UnterminatedString { text: String, at: usize },
    #[error("{text:?}: invalid escape sequence at byte {at}")]
    InvalidEscape { text: String, at: usize },
    #[error("{0:?} is a module address, not a resource address")]
    NotAResource(String),
    #[error("{0:?} names a resource instance, but a module or resource was expected")]
    UnexpectedKey(String),
}

/// The key of one instance of a resource or module: none (neither `count`
/// nor `for_each`), a `count` index, or a `for_each` key.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum InstanceKey {
    #[default]
    None,
    Int(i64),
    Str(String),
}

impl InstanceKey {
    /// The key as state's `index_key` records it (none for a single instance).
    pub fn to_json(&self) -> Option<serde_json::Value> {
        match self {
            InstanceKey::None => None,
            InstanceKey::Int(i) => Some(serde_json::Value::from(*i)),
            InstanceKey::Str(s) => Some(serde_json::Value::String(s.clone())),
        }
    }
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::None => Ok(()),
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            InstanceKey::Str(s) => write!(f, "[{}]", quote(s)),
        }
    }
}

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

/// Quotes a string as Terraform prints instance keys (HCL's quoting: the
/// usual escapes, template introducers doubled, unprintables as `\u`).
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' => {
                out.push(c);
                if chars.peek() == Some(&'{') {
                    out.push(c);
                }
            }
            c if !printable(c) => {
                let n = u32::from(c);
                if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint`, near enough: no control or format characters,
/// no separators but the ASCII space.
fn printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    !(c.is_control()
        || c.is_whitespace()
        || matches!(c, '\u{ad}' | '\u{61c}' | '\u{180e}' | '\u{feff}')
        || ('\u{200b}'..='\u{200f}').contains(&c)
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2060}'..='\u{206f}').contains(&c)
        || ('\u{fff9}'..='\u{fffb}').contains(&c)
        || ('\u{e000}'..='\u{f8ff}').contains(&c))
}

/// A module instance: the chain of calls from the root (empty for the root).
/// Prints as `module.a["x"].module.b[0]`, the root as the empty string.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct ModulePath(pub Vec<(String, InstanceKey)>);

impl ModulePath {
    pub fn root() -> ModulePath {
        ModulePath(Vec::new())
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// This path with one more call appended.
    pub fn child(&self, name: &str, key: InstanceKey) -> ModulePath {
        let mut p = self.clone();
        p.0.push((name.to_string(), key));
        p
    }

    /// The module instance that calls this one (the root's is the root).
    pub fn parent(&self) -> ModulePath {
        let mut p = self.clone();
        p.0.pop();
        p
    }

    /// The text that goes before an object's name inside this module:
    /// `module.a[0].` (with its dot), nothing for the root.
    pub fn prefix(&self) -> String {
        if self.is_root() {
            String::new()
        } else {
            format!("{self}.")
        }
    }
}

impl Deref for ModulePath {
    type Target = Vec<(String, InstanceKey)>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for ModulePath {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<'a> IntoIterator for &'a ModulePath {
    type Item = &'a (String, InstanceKey);
    type IntoIter = std::slice::Iter<'a, (String, InstanceKey)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl From<Vec<(String, InstanceKey)>> for ModulePath {
    fn from(v: Vec<(String, InstanceKey)>) -> Self {
        ModulePath(v)
    }
}

impl fmt::Display for ModulePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, key)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "module.{name}{key}")?;
        }
        Ok(())
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

/// Whether a resource block is a managed resource or a data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Managed,
    Data,
}

impl Mode {
    /// As state records it.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Managed => "managed",
            Mode::Data => "data",
        }
    }
}

/// A resource block inside its module: `type.name` or `data.type.name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Resource {
    pub mode: Mode,
    pub ty: String,
    pub name: String,
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mode == Mode::Data {
            f.write_str("data.")?;
        }
        write!(f, "{}.{}", self.ty, self.name)
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

/// A resource in a module instance: `module.a[0].type.name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AbsResource {
    pub module: ModulePath,
    pub resource: Resource,
}

impl fmt::Display for AbsResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.module.prefix(), self.resource)
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

/// One instance of a resource in a module instance:
/// `module.a["x"].module.b[0].type.name["k"]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AbsResourceInstance {
    pub module: ModulePath,
    pub resource: Resource,
    pub key: InstanceKey,
}

impl AbsResourceInstance {
    pub fn new(module: ModulePath, resource: Resource, key: InstanceKey) -> Self {
        AbsResourceInstance {
            module,
            resource,
            key,
        }
    }

    /// The resource this is an instance of.
    pub fn resource(&self) -> AbsResource {
        AbsResource {
            module: self.module.clone(),
            resource: self.resource.clone(),
        }
    }
}

impl fmt::Display for AbsResourceInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.module.prefix(), self.resource, self.key)
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

/// The address text of an instance of `resource` (`type.name` or
/// `data.type.name`, as configuration keys them) in `module`.
pub fn instance_text(module: &ModulePath, resource: &str, key: &InstanceKey) -> String {
    format!("{}{resource}{key}", module.prefix())
}

/// Whether `addr` is `target` or inside it (an instance of a resource,
/// or anything in a module instance).
pub fn within(addr: &str, target: &str) -> bool {
    addr == target
        || addr
            .strip_prefix(target)
            .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T>(text: &str)
    where
        T: FromStr<Err = AddrError> + fmt::Display + fmt::Debug,
    {
        let v: T = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(v.to_string(), text);
    }

    #[test]
    fn instances_round_trip() {
        for text in [
            "azurerm_x.y",
            "azurerm_x.y[0]",
            "azurerm_x.y[\"k\"]",
            "data.azurerm_client_config.current",
            "data.t.n[3]",
            "module.a.t.n",
            "module.a[\"x\"].module.b[0].azurerm_x.y[\"k\"]",
            "module.a[\"x.y\"].module.b[2].terraform_data.n[\"k\"]",
            "module.m-1.t_2.n-3",
            "t.n[\"quote \\\" and \\\\ backslash\"]",
            "t.n[\"line\\nbreak\\ttab\\r\"]",
            "t.n[\"$${not} %%{a} $ % $$x $\"]",
            "t.n[\"\\u0001\\u200b\"]",
            "t.n[\"héllo 世界\"]",
            "t.n[\"\"]",
            "t.n[-1]",
        ] {
            round_trip::<AbsResourceInstance>(text);
        }
    }

    #[test]
    fn parts_round_trip() {
        round_trip::<ModulePath>("");
        round_trip::<ModulePath>("module.a");
        round_trip::<ModulePath>("module.a[\"x\"].module.b[0]");
        round_trip::<Resource>("t.n");
        round_trip::<Resource>("data.t.n");
        round_trip::<AbsResource>("module.a[1].data.t.n");
        round_trip::<InstanceKey>("");
        round_trip::<InstanceKey>("[7]");
        round_trip::<InstanceKey>("[\"a]b\"]");
    }

    #[test]
    fn parses_into_parts() {
        let a: AbsResourceInstance = "module.a[\"x.y\"].module.b[2].terraform_data.n[\"k\"]"
            .parse()
            .unwrap();
        assert_eq!(
            a.module,
            ModulePath(vec![
                ("a".to_string(), InstanceKey::Str("x.y".into())),
                ("b".to_string(), InstanceKey::Int(2))
            ])
        );
        assert_eq!(a.resource.to_string(), "terraform_data.n");
        assert_eq!(a.resource.mode, Mode::Managed);
        assert_eq!(a.key, InstanceKey::Str("k".into()));
        let d: AbsResourceInstance = "data.t.n".parse().unwrap();
        assert_eq!((d.resource.mode, d.resource.ty.as_str()), (Mode::Data, "t"));
        // A resource whose type is `data` is not a data source.
        let m: AbsResourceInstance = "data.n".parse().unwrap();
        assert_eq!(
            (m.resource.mode, m.resource.ty.as_str()),
            (Mode::Managed, "data")
        );
        // A module's key with a dot and a bracket in it.
        let q: AbsResourceInstance = "module.m[\"a.b]\"].t.n".parse().unwrap();
        assert_eq!(q.module[0].1, InstanceKey::Str("a.b]".into()));
        assert_eq!(q.resource().to_string(), "module.m[\"a.b]\"].t.n");
    }

    #[test]
    fn keys_print_as_terraform_does() {
        let k = |s: &str| InstanceKey::Str(s.into()).to_string();
        assert_eq!(k("a\"b"), "[\"a\\\"b\"]");
        assert_eq!(k("${x}"), "[\"$${x}\"]");
        assert_eq!(k("%{x}"), "[\"%%{x}\"]");
        assert_eq!(k("\u{7}"), "[\"\\u0007\"]");
        assert_eq!(InstanceKey::Int(3).to_string(), "[3]");
        assert_eq!(InstanceKey::None.to_string(), "");
        assert_eq!(
            InstanceKey::Str("x".into()).to_json(),
            Some(serde_json::json!("x"))
        );
        assert_eq!(InstanceKey::Int(0).to_json(), Some(serde_json::json!(0)));
    }

    #[test]
    fn within_matches_instances_and_module_contents() {
        assert!(within("t.n", "t.n"));
        assert!(within("t.n[0]", "t.n"));
        assert!(within("module.a.t.n", "module.a"));
        assert!(within("module.a[\"k\"].t.n", "module.a"));
        assert!(!within("t.nn", "t.n"));
        assert!(!within("module.ab.t.n", "module.a"));
    }

    #[test]
    fn malformed_addresses_are_typed_errors() {
        let bad = [
            "",
            ".",
            "t",
            "t.",
            "t..n",
            "t.n[",
            "t.n[]",
            "t.n[x]",
            "t.n[\"k]",
            "t.n[\"k\"",
            "t.n[0",
            "t.n[0]x",
            "t.n[0].",
            "t.n[\"\\q\"]",
            "t.n[\"\\u12\"]",
            "t.n[\"\\ud800\"]",
            "t.n[99999999999999999999]",
            "module.",
            "module.a",
            "module.a.",
            "module.a[0]",
            "module.a[0]t.n",
            "1t.n",
            "t.n extra",
            "data.",
            "data.t.",
        ];
        for text in bad {
            assert!(
                text.parse::<AbsResourceInstance>().is_err(),
                "{text:?} parsed"
            );
        }
        assert_eq!(
            "module.a".parse::<AbsResourceInstance>(),
            Err(AddrError::NotAResource("module.a".into()))
        );
        assert_eq!(
            "".parse::<AbsResourceInstance>(),
            Err(AddrError::Empty("".into()))
        );
        assert!(matches!(
            "t.n[0]".parse::<AbsResource>(),
            Err(AddrError::UnexpectedKey(_))
        ));
        assert!("module.a.".parse::<ModulePath>().is_err());
        assert!("module.a.t.n".parse::<ModulePath>().is_err());
    }

    #[test]
    fn never_panics_on_arbitrary_text() {
        let pieces = [
            "module", ".", "[", "]", "\"", "\\", "0", "-", "a", "data", "$", "{", "é", "\\u",
        ];
        // Every string of up to four pieces.
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            texts = texts
                .iter()
                .flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}")))
                .collect();
            for t in &texts {
                let _ = t.parse::<AbsResourceInstance>();
                let _ = t.parse::<ModulePath>();
                let _ = t.parse::<InstanceKey>();
                if let Ok(a) = t.parse::<AbsResourceInstance>() {
                    assert_eq!(a.to_string().parse::<AbsResourceInstance>(), Ok(a));
                }
            }
        }
    }
}

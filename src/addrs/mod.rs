//! Addresses of module instances, resources and resource instances, in the
//! spirit of Terraform's `internal/addrs`: typed values that print and parse
//! in Terraform's syntax (`module.a["x"].module.b[0].azurerm_x.y["k"]`), so
//! that no other module builds or re-parses address strings by hand.
//!
//! The printed forms are what state files and plans record; parsing what
//! was printed gives back the same value.

use std::fmt;
use std::ops::{Deref, DerefMut};

mod parse;
#[cfg(test)]
mod tests;

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

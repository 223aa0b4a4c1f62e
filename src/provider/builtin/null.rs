//! hashicorp/null: `null_resource`, which does nothing but exist and is
//! replaced when `triggers` changes.

use std::collections::BTreeMap;

use super::spec::{Kind, TypeSpec, computed, opt};
use crate::lang::Value;
use crate::provider::ProviderError;
use crate::random::{Os, Source};

pub const NAME: &str = "registry.terraform.io/hashicorp/null";

pub const TYPES: &[TypeSpec] = &[TypeSpec {
    ty: "null_resource",
    attrs: &[opt("triggers", Kind::StrMap), computed("id", Kind::Str)],
}];

/// The id: a random non-negative decimal integer, as the provider makes.
pub fn generate(m: &mut BTreeMap<String, Value>) -> Result<(), ProviderError> {
    let n = Os
        .below(i64::MAX as u64)
        .map_err(|e| ProviderError::Invalid(e.to_string()))?;
    m.insert("id".into(), Value::String(n.to_string()));
    Ok(())
}

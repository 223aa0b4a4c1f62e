//! Which properties of a resource's JSON body are nested blocks. JSON
//! cannot say (`"identity": {...}` is one block or an object argument):
//! Terraform decides by the provider's schema. Configuration knows no
//! provider, so whoever loads a stack passes the answer down as a value of
//! this trait (`provider::offline::NESTED_BLOCKS` in drinfra's commands).

use super::super::model::Mode;

/// What the providers' schemas say about a resource type's nested blocks.
pub trait NestedBlocks: Sync {
    /// Whether `path` names a nested block of resource type `ty` (in
    /// `mode`): `["identity"]`, or `["site_config", "application_stack"]`
    /// for a block inside another. `dynamic` blocks are already resolved
    /// to the block type they generate.
    fn is_block(&self, mode: Mode, ty: &str, path: &[&str]) -> bool;
}

/// No schemas: every object value in a resource body is an argument
/// (what `config::load::load` uses).
pub struct NoSchemas;

impl NestedBlocks for NoSchemas {
    fn is_block(&self, _: Mode, _: &str, _: &[&str]) -> bool {
        false
    }
}

/// Where a JSON body sits, as the block types and labels leading to it
/// (`["resource", "azurerm_x", "a", "dynamic", "rule", "content"]`): the
/// resource it belongs to and its nested-block path, if it is a resource
/// body or one nested in it.
pub(super) fn resource_nesting(path: &[String]) -> Option<(Mode, &str, Vec<&str>)> {
    let mode = match path.first().map(String::as_str) {
        Some("resource") => Mode::Managed,
        Some("data") => Mode::Data,
        _ => return None,
    };
    let ty = path.get(1)?;
    let mut nested = Vec::new();
    let mut rest = path.get(3..)?;
    while let Some((first, tail)) = rest.split_first() {
        match (first.as_str(), tail) {
            // `dynamic "x" { content { ... } }` stands for `x { ... }`.
            ("dynamic", [label, content, more @ ..]) if content == "content" => {
                nested.push(label.as_str());
                rest = more;
            }
            // A `dynamic` block's own body (`for_each`, `iterator`).
            ("dynamic", _) => return None,
            (name, _) => {
                nested.push(name);
                rest = tail;
            }
        }
    }
    Some((mode, ty.as_str(), nested))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn dynamic_content_stands_for_the_block_it_generates() {
        let p = path(&["resource", "t", "n", "a", "dynamic", "rule", "content"]);
        assert_eq!(
            resource_nesting(&p),
            Some((Mode::Managed, "t", vec!["a", "rule"]))
        );
        let own = path(&["data", "t", "n", "dynamic", "rule"]);
        assert_eq!(resource_nesting(&own), None);
        assert_eq!(
            resource_nesting(&path(&["data", "t", "n"])),
            Some((Mode::Data, "t", vec![]))
        );
        assert_eq!(resource_nesting(&path(&["check", "c", "data"])), None);
    }
}

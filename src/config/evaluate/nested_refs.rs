//! References into a resource's nested blocks (`identity[0].principal_id`)
//! checked against the type's schema, as Terraform checks them statically:
//! a name the block does not have is an error at the reference, whether
//! or not the configuration writes the block (a computed block the
//! configuration leaves out would otherwise read as unknown for ever).

use crate::diag::Span;
use crate::lang::refs::Step;

use super::Schemas;

/// A reference that names something a nested block does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NestedMisfit {
    /// The block's path from the resource (`["kubelet_identity"]`).
    pub path: Vec<String>,
    /// The name it does not have.
    pub name: String,
    /// Terraform's summary and detail for it.
    pub summary: &'static str,
    pub detail: String,
}

/// The first name in `rest` (the steps after the resource's top-level
/// attribute `top`) that the nested block it reads into does not have.
/// Only static steps count, as in Terraform: a list block is entered by a
/// literal number index, and the walk stops at anything else (a splat, a
/// computed index, a plain attribute, a block whose contents are unknown).
pub(super) fn misfit(
    schemas: &dyn Schemas,
    ty: &str,
    top: &str,
    rest: &[Step],
) -> Option<NestedMisfit> {
    let mut path = vec![top];
    let mut steps = rest.iter();
    loop {
        let Some(Step::Index(_)) = steps.next() else {
            return None;
        };
        let Some(Step::Attr(name)) = steps.next() else {
            return None;
        };
        let inside = schemas.block_names(ty, &path)?;
        if !inside.names.iter().any(|n| n == name) {
            // A block the provider alone sets is an attribute of object
            // type to Terraform: HCL's own wording then.
            let detail = if inside.computed_only {
                format!("This object does not have an attribute named {name:?}.")
            } else {
                format!(
                    "This object has no argument, nested block, or exported attribute named {name:?}.{}",
                    did_you_mean(name, &inside.names)
                )
            };
            return Some(NestedMisfit {
                path: path.iter().map(|p| p.to_string()).collect(),
                name: name.clone(),
                summary: "Unsupported attribute",
                detail,
            });
        }
        path.push(name);
    }
}

impl NestedMisfit {
    /// The block as written from the resource (`identity`, `a.b`).
    pub fn block(&self) -> String {
        self.path.join(".")
    }

    /// Where, inside the reference at `span` (in `text`, the file's text),
    /// the misfit step `.name` is written: Terraform points at that step.
    /// None when the reference's text does not spell the steps plainly.
    pub fn step_span(&self, text: &str, span: &Span) -> Option<Span> {
        let written = text.get(span.range.clone())?;
        let mut at = 0;
        for step in self.path.iter().chain(std::iter::once(&self.name)) {
            at += find_step(&written[at..], step)?;
        }
        let start = span.range.start + at;
        Some(Span::new(span.file, start..start + 1 + self.name.len()))
    }
}

/// Terraform's hint for a misspelt name: the first of `names` (in sorted
/// order) within an edit distance of 3, as " Did you mean \"x\"?", or "".
pub(super) fn did_you_mean<'a>(given: &str, names: impl IntoIterator<Item = &'a String>) -> String {
    let mut names: Vec<&String> = names.into_iter().collect();
    names.sort();
    names
        .into_iter()
        .find(|n| crate::config::load::json::edit_distance(given, n) < 3)
        .map(|n| format!(" Did you mean {n:?}?"))
        .unwrap_or_default()
}

/// The offset in `text` of the first `.name` that is a whole step (not the
/// start of a longer name).
fn find_step(text: &str, name: &str) -> Option<usize> {
    let step = format!(".{name}");
    let mut from = 0;
    while let Some(i) = text[from..].find(&step) {
        let at = from + i;
        let after = text[at + step.len()..].chars().next();
        if !after.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::evaluate::BlockNames;
    use crate::diag::FileId;

    /// A type with block `identity` (written by users) holding
    /// `principal_id`, and `kube_config` (set by the provider alone).
    struct Fake;

    impl Schemas for Fake {
        fn computed_attributes(&self, _ty: &str) -> Vec<String> {
            Vec::new()
        }
        fn block_names(&self, _ty: &str, path: &[&str]) -> Option<BlockNames> {
            let (names, computed_only) = match path {
                ["identity"] => (vec!["principal_id".to_string()], false),
                ["kube_config"] => (vec!["host".to_string()], true),
                _ => return None,
            };
            Some(BlockNames {
                names,
                computed_only,
            })
        }
    }

    fn steps(s: &[&str]) -> Vec<Step> {
        s.iter()
            .map(|x| match x.parse::<i64>() {
                Ok(i) => Step::Index(i),
                Err(_) => Step::Attr(x.to_string()),
            })
            .collect()
    }

    #[test]
    fn names_a_block_lacks_are_misfits_in_terraforms_words() {
        assert_eq!(
            misfit(&Fake, "t", "identity", &steps(&["0", "principal_id"])),
            None
        );
        // Not entered by a number index, or no block known: not checked.
        assert_eq!(misfit(&Fake, "t", "identity", &steps(&["nope"])), None);
        assert_eq!(misfit(&Fake, "t", "tags", &steps(&["0", "nope"])), None);
        let block = misfit(&Fake, "t", "identity", &steps(&["0", "nope"])).unwrap();
        assert_eq!(
            block.detail,
            "This object has no argument, nested block, or exported attribute named \"nope\"."
        );
        let computed = misfit(&Fake, "t", "kube_config", &steps(&["0", "nope"])).unwrap();
        assert_eq!(
            computed.detail,
            "This object does not have an attribute named \"nope\"."
        );
        let typo = misfit(&Fake, "t", "identity", &steps(&["0", "principal_di"])).unwrap();
        assert!(
            typo.detail
                .ends_with("named \"principal_di\". Did you mean \"principal_id\"?"),
            "{}",
            typo.detail
        );
        // The step is found in the reference's text, not a longer name.
        let text = "x = a.b.identity[0].nopex.identity[0].nope";
        let at = Span::new(FileId(0), 4..text.len());
        let step = block.step_span(text, &at).unwrap();
        assert_eq!(&text[step.range.clone()], ".nope");
        assert!(step.range.start > text.find(".nopex").unwrap());
    }
}

//! The module calls of one directory, read only as far as `init` needs to
//! install them (the loader checks the rest): from native and `.tf.json`
//! files alike, with override files merged as the loader merges them (a
//! `source` or `version` in an override replaces the base call's).

use std::path::{Path, PathBuf};

use hcl_edit::structure::Body;

use super::super::modsource::CallSource;
use super::{FileKind, NoSchemas, file_kind, json};

/// A file's body, or None when it does not parse (loading reports it where
/// it is).
fn body_of(path: &Path) -> Option<Body> {
    let text = std::fs::read_to_string(path).ok()?;
    match file_kind(path) {
        FileKind::Json | FileKind::OverrideJson => {
            let mut sources = crate::diag::SourceMap::default();
            let (_, parsed) =
                json::parse_json_file(&mut sources, path.to_path_buf(), text, &NoSchemas);
            parsed.ok().map(|(body, _)| body)
        }
        _ => hcl_edit::parser::parse_body(&text).ok(),
    }
}

/// The module calls of the configuration files in `dir`, in the order
/// their files and blocks declare them.
pub fn calls_in(dir: &Path) -> std::io::Result<Vec<CallSource>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let kind = |p: &PathBuf| file_kind(p);
    let is_override = |p: &&PathBuf| matches!(kind(p), FileKind::Override | FileKind::OverrideJson);
    let normal = files
        .iter()
        .filter(|p| matches!(kind(p), FileKind::Native | FileKind::Json));
    let overrides = files.iter().filter(is_override);
    let mut out: Vec<CallSource> = Vec::new();
    for path in normal.chain(overrides) {
        let over = is_override(&path);
        let Some(body) = body_of(path) else {
            continue;
        };
        for b in body.get_blocks("module") {
            let Some(name) = b.labels.first().map(|l| l.as_str().to_string()) else {
                continue;
            };
            let lit = |k: &str| {
                b.body
                    .get_attribute(k)
                    .and_then(|a| a.value.as_str().map(str::to_string))
            };
            let (source, version) = (lit("source"), lit("version"));
            match out.iter_mut().find(|c| c.name == name) {
                Some(base) if over => {
                    if let Some(s) = source {
                        base.source = s;
                    }
                    if version.is_some() {
                        base.version = version;
                    }
                }
                // A second declaration, or an override without a base:
                // loading reports it.
                Some(_) => {}
                None if over => {}
                None => {
                    if let Some(source) = source {
                        out.push(CallSource {
                            name,
                            source,
                            version,
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_calls_and_overrides_of_either_syntax_are_merged() {
        let dir = tempfile::tempdir().unwrap();
        let write = |n: &str, t: &str| std::fs::write(dir.path().join(n), t).unwrap();
        write(
            "main.tf",
            "module \"a\" {\n  source  = \"acme/a/azurerm\"\n  version = \"1.0.0\"\n}\n",
        );
        write(
            "more.tf.json",
            r#"{"module": {"b": {"source": "git::https://example.com/b.git"}}}"#,
        );
        write(
            "a_override.tf.json",
            r#"{"module": {"a": {"version": "2.0.0"}}}"#,
        );
        write(
            "override.tf",
            "module \"b\" {\n  source = \"./local/b\"\n}\n",
        );
        write(
            "z_override.tf",
            "module \"nobase\" {\n  source = \"./x\"\n}\n",
        );
        let calls = calls_in(dir.path()).unwrap();
        let got: Vec<_> = calls
            .iter()
            .map(|c| (c.name.as_str(), c.source.as_str(), c.version.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("a", "acme/a/azurerm", Some("2.0.0")),
                ("b", "./local/b", None)
            ]
        );
    }
}

//! The layering of `src/`, checked from the source text (in the manner of
//! rust-analyzer's tidy tests): every `crate::`/`drinfra::`/`super::` path
//! that reaches another top-level module must be an edge the `layers` block
//! of ARCHITECTURE.md allows, and the modules inside any one directory must
//! not import each other in a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One source file: its module path (`["plan", "planner"]`), whether it
/// belongs to the binary (`src/main.rs`, `src/cli/`), and its text.
struct SourceFile {
    path: PathBuf,
    module: Vec<String>,
    binary: bool,
    text: String,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sources() -> Vec<SourceFile> {
    let mut out = Vec::new();
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .expect("src is readable")
            .map(|e| e.expect("directory entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let rel = p.strip_prefix(root().join("src")).expect("under src");
                let mut module: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                let last = module.pop().expect("a file name");
                let stem = last.trim_end_matches(".rs");
                if !matches!(stem, "mod" | "lib" | "main") {
                    module.push(stem.to_string());
                }
                let binary = rel.starts_with("cli") || rel == Path::new("main.rs");
                let text = std::fs::read_to_string(&p).expect("source is UTF-8");
                out.push(SourceFile {
                    path: p,
                    module,
                    binary,
                    text,
                });
            }
        }
    }
    out
}

/// The text with comments and string literals blanked out, so paths in
/// docs and messages do not count; line numbers are kept.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == b'\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if b[i] == b'r' && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#')) {
            // Raw strings: r"..." and r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"')
                || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
            {
                out.push('r');
                i += 1;
                continue;
            }
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            j += 1;
            while j < b.len() && !b[j..].starts_with(&close) {
                if b[j] == b'\n' {
                    out.push('\n');
                }
                j += 1;
            }
            i = j + close.len();
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                if i < b.len() && b[i] == b'\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 1;
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            // A char literal such as '"'.
            i += 3;
        } else if b[i] == b'\'' && b.get(i + 1) == Some(&b'\\') {
            i += 2;
            while i < b.len() && b[i] != b'\'' {
                i += 1;
            }
            i += 1;
        } else {
            let ch = text[i..].chars().next().expect("in bounds");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn ident_at(s: &str) -> Option<&str> {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (end > 0).then(|| &s[..end])
}

/// Every path a file names that starts at `crate::`, `drinfra::` or
/// `super::`, resolved to absolute module segments, with its line. A
/// grouped `use crate::{a::x, b}` gives one path per member.
fn paths(file: &SourceFile) -> Vec<(usize, bool, Vec<String>)> {
    let code = code_only(&file.text);
    let mut out = Vec::new();
    // Inline modules (`mod tests { .. }`) deepen what `super` means.
    let mut inline: Vec<(String, i64)> = Vec::new();
    let mut depth: i64 = 0;
    let mut line_start = 0;
    for (n, line) in code.lines().enumerate() {
        let this_line = line_start;
        line_start += line.len() + 1;
        let words: Vec<&str> = line.split_whitespace().collect();
        if let Some(i) = words.iter().position(|w| *w == "mod")
            && words.get(i + 2) == Some(&"{")
            && words[..i]
                .iter()
                .all(|w| w.starts_with("pub") || w.starts_with("#["))
        {
            inline.push((words[i + 1].to_string(), depth));
        }
        depth += line.matches('{').count() as i64 - line.matches('}').count() as i64;
        let module: Vec<String> = file
            .module
            .iter()
            .cloned()
            .chain(inline.iter().map(|(m, _)| m.clone()))
            .collect();
        while inline.last().is_some_and(|(_, d)| depth <= *d) {
            inline.pop();
        }
        let mut rest = line;
        while let Some(pos) = rest.find(|c: char| c.is_ascii_alphabetic()) {
            let tail = &rest[pos..];
            let boundary = pos == 0 || {
                let before = rest.as_bytes()[pos - 1];
                !(before.is_ascii_alphanumeric() || matches!(before, b'_' | b':' | b'$'))
            };
            let word = ident_at(tail).unwrap_or("");
            let after = &tail[word.len()..];
            if boundary && after.starts_with("::") && matches!(word, "crate" | "drinfra" | "super")
            {
                // `drinfra::` always names the library; `crate::` names
                // the binary's root in the CLI.
                let in_library = word == "drinfra" || !file.binary;
                let mut base: Vec<String> = match word {
                    "super" => module.clone(),
                    _ => Vec::new(),
                };
                let mut tail = after;
                if word == "super" {
                    base.pop();
                }
                while let Some(t) = tail.strip_prefix("::super") {
                    base.pop();
                    tail = t;
                }
                let in_library = if word == "super" {
                    !file.binary
                } else {
                    in_library
                };
                // A group may run over several lines: read on in the file.
                let offset = this_line + (tail.as_ptr() as usize - line.as_ptr() as usize);
                for member in members(&code[offset..]) {
                    let mut p = base.clone();
                    p.extend(member);
                    out.push((n + 1, in_library, p));
                }
                rest = &tail[tail.len().min(1)..];
                continue;
            }
            rest = &tail[word.len().max(1)..];
        }
    }
    out
}

/// The paths after `::`: `::a::b` gives `[a, b]`; `::{a::x, b}` gives
/// `[a, x]` and `[b]`.
fn members(tail: &str) -> Vec<Vec<String>> {
    let Some(tail) = tail.strip_prefix("::") else {
        return Vec::new();
    };
    if let Some(group) = tail.strip_prefix('{') {
        let mut depth = 0;
        let mut items = Vec::new();
        let mut cur = String::new();
        for c in group.chars() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(std::mem::take(&mut cur));
                    continue;
                }
                _ => {}
            }
            cur.push(c);
        }
        items.push(cur);
        return items
            .iter()
            .flat_map(|i| members(&format!("::{}", i.trim())))
            .map(|mut p| {
                p.retain(|s| s != "self");
                p
            })
            .filter(|p| !p.is_empty())
            .collect();
    }
    let mut segs = Vec::new();
    let mut t = tail;
    while let Some(id) = ident_at(t) {
        segs.push(id.to_string());
        t = &t[id.len()..];
        match t.strip_prefix("::") {
            Some(r) if r.starts_with('{') => {
                let mut groups = members(t);
                for g in &mut groups {
                    let mut full = segs.clone();
                    full.append(g);
                    *g = full;
                }
                return groups;
            }
            Some(r) => t = r,
            None => break,
        }
    }
    vec![segs]
}

/// `name: allowed...` lines of the ```layers block in ARCHITECTURE.md.
fn allowed_layers() -> BTreeMap<String, BTreeSet<String>> {
    let doc = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let block = doc
        .split("```layers\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("ARCHITECTURE.md has a ```layers block");
    let mut out = BTreeMap::new();
    for line in block.lines().filter(|l| !l.trim().is_empty()) {
        let (name, deps) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("layers line without ':': {line}"));
        let deps = deps
            .split_whitespace()
            .filter(|d| *d != "-")
            .map(str::to_string)
            .collect();
        out.insert(name.trim().to_string(), deps);
    }
    out
}

/// Top-level library modules and the binary's `cli`.
fn top_level(file: &SourceFile) -> Option<String> {
    if file.binary {
        return Some("cli".into());
    }
    file.module.first().cloned()
}

#[test]
fn every_import_between_top_level_modules_is_an_allowed_layer_edge() {
    let layers = allowed_layers();
    let files = sources();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for f in &files {
        let Some(from) = top_level(f) else { continue };
        seen.insert(from.clone());
        if !layers.contains_key(&from) {
            problems.push(format!(
                "{}: module {from} is not in ARCHITECTURE.md's layers block",
                f.path.display()
            ));
            continue;
        }
        for (line, in_library, p) in paths(f) {
            let Some(to) = p.first() else { continue };
            let to = if in_library {
                to.clone()
            } else {
                "cli".to_string()
            };
            if to == from || (!in_library && to == "cli") {
                continue;
            }
            if !layers[&from].contains(&to) {
                problems.push(format!(
                    "{}:{line}: {from} -> {to} ({}) is not allowed by ARCHITECTURE.md's layers",
                    f.path.strip_prefix(root()).unwrap_or(&f.path).display(),
                    p.join("::")
                ));
            }
        }
    }
    for name in layers.keys() {
        assert!(
            seen.contains(name),
            "ARCHITECTURE.md's layers block names {name}, which src/ does not have"
        );
    }
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "{} edge(s) against the layers:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_layers_block_itself_is_acyclic() {
    let layers = allowed_layers();
    let mut order: Vec<String> = Vec::new();
    let mut left: BTreeMap<String, BTreeSet<String>> = layers.clone();
    while !left.is_empty() {
        let ready: Vec<String> = left
            .iter()
            .filter(|(_, deps)| {
                deps.iter()
                    .all(|d| order.contains(d) || !layers.contains_key(d))
            })
            .map(|(n, _)| n.clone())
            .collect();
        assert!(
            !ready.is_empty(),
            "the layers block has a cycle among {:?}",
            left.keys().collect::<Vec<_>>()
        );
        for n in ready {
            left.remove(&n);
            order.push(n);
        }
    }
    for (n, deps) in &layers {
        for d in deps {
            assert!(
                layers.contains_key(d),
                "layers: {n} allows {d}, which is not a module"
            );
        }
    }
}

#[test]
fn no_module_directory_has_files_importing_each_other_in_a_circle() {
    let files = sources();
    // Every module path that exists (library and binary apart).
    let modules: BTreeSet<(bool, Vec<String>)> =
        files.iter().map(|f| (f.binary, f.module.clone())).collect();
    // Edges between siblings: (binary, parent) -> child -> child.
    let mut edges: BTreeMap<(bool, Vec<String>), BTreeMap<String, BTreeSet<String>>> =
        BTreeMap::new();
    for f in &files {
        for (_, in_library, p) in paths(f) {
            if in_library == f.binary {
                continue;
            }
            // The longest common prefix of the two module paths is the
            // directory both sit in; the next segments are the siblings.
            let common = f.module.iter().zip(&p).take_while(|(a, b)| a == b).count();
            if common >= f.module.len() {
                continue; // a parent using its own children
            }
            let from_child = f.module[common].clone();
            let Some(to_child) = p.get(common) else {
                continue;
            };
            let mut to_path = f.module[..common].to_vec();
            to_path.push(to_child.clone());
            if !modules.contains(&(f.binary, to_path)) {
                continue; // an item of the parent module, not a sibling
            }
            if &from_child != to_child {
                edges
                    .entry((f.binary, f.module[..common].to_vec()))
                    .or_default()
                    .entry(from_child)
                    .or_default()
                    .insert(to_child.clone());
            }
        }
    }
    let mut circles = Vec::new();
    for ((_, parent), graph) in &edges {
        let dir = if parent.is_empty() {
            "src".to_string()
        } else {
            format!("src/{}", parent.join("/"))
        };
        for circle in circles_of(graph) {
            circles.push(format!("{dir}: {}", circle.join(" <-> ")));
        }
    }
    assert!(
        circles.is_empty(),
        "modules importing each other in a circle:\n{}",
        circles.join("\n")
    );
}

/// The groups of nodes that reach each other (strongly connected, more
/// than one node), each sorted.
fn circles_of(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(n) = todo.pop() {
            for m in graph.get(&n).into_iter().flatten() {
                if seen.insert(m.clone()) {
                    todo.push(m.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|n| (n, reach(n))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for (n, r) in &reaches {
        if !r.contains(*n) || out.iter().any(|c| c.contains(n)) {
            continue;
        }
        let circle: Vec<String> = r
            .iter()
            .filter(|m| reaches.get(m).is_some_and(|rm| rm.contains(*n)))
            .cloned()
            .collect();
        out.push(circle);
    }
    out
}

#[test]
fn the_path_reader_resolves_grouped_relative_and_nested_imports() {
    let f = SourceFile {
        path: "src/plan/planner.rs".into(),
        module: vec!["plan".into(), "planner".into()],
        binary: false,
        text: "use crate::{lang::Value, config::{Config, model}};\nuse super::deps;\n// crate::apply in a comment\nlet s = \"crate::render\";\nuse super::super::state::State;\nmod tests {\n    use super::Planner;\n}\n".into(),
    };
    let got: Vec<(usize, Vec<String>)> = paths(&f).into_iter().map(|(l, _, p)| (l, p)).collect();
    let want: Vec<(usize, Vec<String>)> = vec![
        (1, vec!["lang".into(), "Value".into()]),
        (1, vec!["config".into(), "Config".into()]),
        (1, vec!["config".into(), "model".into()]),
        (2, vec!["plan".into(), "deps".into()]),
        (5, vec!["state".into(), "State".into()]),
        (7, vec!["plan".into(), "planner".into(), "Planner".into()]),
    ];
    assert_eq!(got, want);
}

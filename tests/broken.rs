//! Every configuration under tests/broken must fail, and each error must
//! point at the place its `expect` file names (`file:line:col: error: summary`).

use std::path::Path;

use drinfra::render::diagnostics::render;
use drinfra::render::style::Style;

fn first_lines(dir: &Path) -> Vec<String> {
    let (stack, _) = drinfra::ops::validate::validate(dir, &[], &[], dir, true);
    let mut diags: Vec<_> = stack.diags.items.iter().filter(|d| d.is_error()).collect();
    diags.sort_by_key(|d| d.span.as_ref().map(|s| (s.file, s.range.start)));
    diags
        .iter()
        .map(|d| {
            render(d, &stack.config.sources, dir, Style::plain())
                .lines()
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[test]
fn broken_configurations_fail_at_their_place() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 30, "corpus too small: {}", cases.len());
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let got = first_lines(case);
        let expect_path = case.join("expect");
        if update {
            std::fs::write(&expect_path, got.join("\n") + "\n").unwrap();
            continue;
        }
        let want: Vec<String> = std::fs::read_to_string(&expect_path)
            .unwrap_or_else(|_| panic!("{} has no expect file", case.display()))
            .lines()
            .map(str::to_string)
            .collect();
        if got.is_empty() {
            failures.push(format!("{}: no error reported", case.display()));
        } else if got != want {
            failures.push(format!(
                "{}:\n  want {want:?}\n  got  {got:?}",
                case.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

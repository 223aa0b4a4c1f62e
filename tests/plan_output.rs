//! Plans as reviewers and tools see them, pinned by snapshots: the human
//! plan (every action and reason, unknowns, sensitive values, nested
//! values, moves, drift, line diffs), the compact form, Markdown (checked
//! by rendering it with a CommonMark/GFM renderer, and its size budget),
//! Terraform's plan JSON, JSON events, and the exit-code rules.

use std::path::{Path, PathBuf};
use std::process::Command;

use drinfra::plan::{Drift, Plan};
use drinfra::render::style::Style;
use drinfra::render::{plan as human, plan_json, plan_markdown};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn snapshot(name: &str, text: &str) {
    let path = root().join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("snapshot {name} is missing (UPDATE_SNAPSHOTS=1 to write it)"));
    assert_eq!(
        text, want,
        "snapshot {name} differs (UPDATE_SNAPSHOTS=1 to accept)"
    );
}

fn obj(input: &str) -> drinfra::lang::Value {
    drinfra::lang::Value::Object(
        [
            (
                "input".to_string(),
                drinfra::lang::Value::String(input.into()),
            ),
            ("id".to_string(), drinfra::lang::Value::String("r1".into())),
        ]
        .into_iter()
        .collect(),
    )
}

/// The review fixture planned against its prior state, with one drift added.
fn review_plan() -> Plan {
    let dir = tempfile::tempdir().unwrap();
    for f in ["main.tf", "prior.tfstate"] {
        std::fs::copy(
            root().join("tests/fixtures/review").join(f),
            dir.path().join(f),
        )
        .unwrap();
    }
    let stack = drinfra::config::open(dir.path(), &[], &[]);
    assert!(!stack.diags.has_errors(), "{:?}", stack.diags);
    let prior: drinfra::state::State =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("prior.tfstate")).unwrap())
            .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (plan, diags) = rt.block_on(drinfra::plan::planner::plan(
        &stack.config,
        &stack.inputs,
        Path::new("."),
        Some(&prior),
        &drinfra::provider::Providers::builtin(),
        &Default::default(),
    ));
    assert!(!diags.has_errors(), "{diags:?}");
    let mut plan = plan.unwrap();
    plan.created = "2026-01-01T00:00:00Z".into();
    plan.drift.push(Drift {
        address: "terraform_data.replaced".into(),
        ty: "terraform_data".into(),
        before: obj("x"),
        after: Some(obj("y")),
        shown: vec![],
    });
    plan
}

#[test]
fn human_plan_snapshot() {
    let text = human::render(&review_plan(), Style::plain());
    assert!(!text.contains("hunter2"), "sensitive values never shown");
    assert!(
        text.contains("- line two\n") && text.contains("+ line two changed\n"),
        "multi-line strings diffed by line:\n{text}"
    );
    assert!(
        text.contains("-   \"version\": 1")
            || text.contains("- \"version\": 1")
            || text.contains("-     \"version\": 1"),
        "JSON strings diffed by line:\n{text}"
    );
    assert!(
        text.find("Summary:").unwrap() < text.find("will perform").unwrap(),
        "summary first"
    );
    assert!(text.contains("Destructive and data-affecting changes:"));
    snapshot("plan_human.txt", &text);
}

#[test]
fn compact_plan_snapshot() {
    let text = human::render_compact(&review_plan(), Style::plain());
    assert_eq!(text.lines().count(), 6, "{text}");
    snapshot("plan_compact.txt", &text);
}

#[test]
fn markdown_plan_renders_on_github_and_fits_the_budget() {
    let plan = review_plan();
    let md = plan_markdown::render(&plan, plan_markdown::BUDGET);
    assert!(!md.contains("hunter2"));
    snapshot("plan_markdown.md", &md);
    let mut html = String::new();
    pulldown_cmark::html::push_html(
        &mut html,
        pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::all()),
    );
    assert!(
        html.contains("<table>") && html.contains("<td><code>terraform_data</code></td>"),
        "{html}"
    );
    assert!(
        html.contains(
            "<details><summary><code>terraform_data.updated</code> update in place</summary>"
        ),
        "{html}"
    );
    assert!(html.contains("<code class=\"language-diff\">"), "{html}");
    assert!(
        html.contains("<blockquote"),
        "risky changes flagged at the top"
    );
    // A plan far over the budget keeps summary and risks, and says what it left out.
    let mut big = plan.clone();
    let template = plan
        .changes
        .iter()
        .find(|c| c.address == "terraform_data.updated")
        .unwrap()
        .clone();
    for i in 0..3000 {
        let mut c = template.clone();
        c.address = format!("terraform_data.many[{i}]");
        big.changes.push(c);
    }
    let md = plan_markdown::render(&big, plan_markdown::BUDGET);
    assert!(md.len() <= plan_markdown::BUDGET, "{} characters", md.len());
    assert!(md.contains("left out to fit"), "says what was left out");
    assert!(
        md.contains("terraform_data.removed") && md.contains("terraform_data.replaced"),
        "risky changes kept"
    );
}

#[test]
fn terraform_plan_json_shape() {
    let plan = review_plan();
    let j = plan_json::plan(&plan, plan.prior_state.as_ref(), None);
    assert_eq!(j["format_version"], "1.2");
    let rc = |addr: &str| {
        j["resource_changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["address"] == addr)
            .unwrap()
            .clone()
    };
    assert_eq!(
        rc("terraform_data.created")["change"]["actions"],
        serde_json::json!(["create"])
    );
    assert_eq!(
        rc("terraform_data.created")["change"]["after_unknown"]["id"],
        true
    );
    assert_eq!(
        rc("terraform_data.created")["change"]["after"]["input"]["password"],
        "(sensitive value)",
        "masked"
    );
    assert_eq!(
        rc("terraform_data.created")["change"]["after_sensitive"]["input"]["password"],
        true
    );
    assert_eq!(
        rc("terraform_data.replaced")["change"]["actions"],
        serde_json::json!(["delete", "create"])
    );
    assert_eq!(
        rc("terraform_data.replaced")["action_reason"],
        "replace_because_cannot_update"
    );
    assert_eq!(
        rc("terraform_data.replaced")["change"]["replace_paths"],
        serde_json::json!([["triggers_replace"]])
    );
    assert_eq!(
        rc("terraform_data.removed")["action_reason"],
        "delete_because_no_resource_config"
    );
    assert_eq!(
        rc("terraform_data.renamed")["previous_address"],
        "terraform_data.old_name"
    );
    assert_eq!(j["resource_drift"][0]["address"], "terraform_data.replaced");
    assert_eq!(
        j["prior_state"]["values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(j["output_changes"]["created_id"]["after_unknown"], true);
    let text = serde_json::to_string_pretty(&j)
        .unwrap()
        .replace(env!("CARGO_PKG_VERSION"), "VERSION");
    snapshot("plan_terraform.json", &text);
}

fn drinfra(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

#[test]
fn json_events_stream_one_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), "resource \"terraform_data\" \"a\" {\n  input = 1\n}\nresource \"terraform_data\" \"b\" {\n  input = terraform_data.a.id\n}\n").unwrap();
    let (code, out, _) = drinfra(dir.path(), &["plan", "--json"]);
    assert_eq!(code, 0);
    let events: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events[0]["type"], "version");
    assert_eq!(
        events
            .iter()
            .filter(|e| e["type"] == "planned_change")
            .count(),
        2
    );
    assert_eq!(events.last().unwrap()["changes"]["add"], 2);
    let (code, out, _) = drinfra(dir.path(), &["apply", "--auto-approve", "--json"]);
    assert_eq!(code, 0);
    let events: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        events.iter().filter(|e| e["type"] == "apply_start").count(),
        2
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| e["type"] == "apply_complete")
            .count(),
        2
    );
    assert!(
        events
            .iter()
            .all(|e| e["@timestamp"].is_string() && e["@level"].is_string())
    );
    assert_eq!(events.last().unwrap()["changes"]["add"], 2);
    // State as Terraform's state JSON.
    let (_, out, _) = drinfra(dir.path(), &["show", "--json"]);
    let st: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(st["format_version"], "1.0");
    assert_eq!(
        st["values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn output_only_changes_exit_0_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"terraform_data\" \"a\" {\n  input = 1\n}\n",
    )
    .unwrap();
    assert_eq!(drinfra(dir.path(), &["apply", "--auto-approve"]).0, 0);
    std::fs::write(dir.path().join("main.tf"), "resource \"terraform_data\" \"a\" {\n  input = 1\n}\noutput \"x\" {\n  value = \"hello\"\n}\n").unwrap();
    let (code, out, _) = drinfra(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Only output values change"), "{out}");
}

#[test]
fn saved_plan_renders_as_markdown_and_json_from_show() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"terraform_data\" \"a\" {\n  input = 1\n}\n",
    )
    .unwrap();
    assert_eq!(drinfra(dir.path(), &["plan", "--out", "p.plan"]).0, 0);
    let (_, md, _) = drinfra(dir.path(), &["show", "--markdown", "p.plan"]);
    assert!(md.starts_with("### drinfra plan: 1 to add"), "{md}");
    let (_, js, _) = drinfra(dir.path(), &["show", "--json", "p.plan"]);
    let j: serde_json::Value = serde_json::from_str(&js).unwrap();
    assert_eq!(
        j["configuration"]["root_module"]["resources"][0]["expressions"]["input"]["constant_value"],
        1
    );
    assert!(
        !js.contains('\n') || js.trim_end().lines().count() == 1,
        "one line, as terraform show -json writes it"
    );
}

//! The engine through its library API, with providers that fail or record
//! what they were asked: failure isolation, parallelism, ordering, and the
//! provider conformance suite.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use drinfra::apply::{self, ApplyOptions, Event};
use drinfra::lang::Value;
use drinfra::plan::planner::{self, PlanOptions};
use drinfra::plan::{Action, Plan};
use drinfra::provider::terraform_data::TerraformData;
use drinfra::provider::{
    ArgProblem, BoxFut, Planned, Provider, ProviderError, Providers, ResourceSchema,
};
use drinfra::state::{Backend, LocalBackend, State};

/// `test_thing`: like terraform_data, but fails to create when input is
/// "boom", sleeps a little, and records the order and overlap of calls.
struct Recorder {
    log: Mutex<Vec<String>>,
    running: AtomicUsize,
    max_running: AtomicUsize,
}

impl Recorder {
    fn new() -> Arc<Recorder> {
        Arc::new(Recorder {
            log: Mutex::new(vec![]),
            running: AtomicUsize::new(0),
            max_running: AtomicUsize::new(0),
        })
    }
    fn name_of(v: &Value) -> String {
        v.as_mapping()
            .and_then(|m| m.get("input"))
            .map(|v| v.to_json().to_string())
            .unwrap_or_default()
    }
    async fn busy(&self, what: String) {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_running.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
        self.log.lock().unwrap().push(what);
        self.running.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Provider for Recorder {
    fn name(&self) -> &'static str {
        "test/recorder"
    }
    fn handles(&self, ty: &str) -> bool {
        ty == "test_thing"
    }
    fn schema(&self, ty: &str) -> Option<ResourceSchema> {
        TerraformData.schema(ty)
    }
    fn validate(&self, ty: &str, config: &Value) -> Vec<ArgProblem> {
        TerraformData.validate(ty, config)
    }
    fn plan(
        &self,
        ty: &str,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<Planned, ProviderError> {
        TerraformData.plan(ty, prior, config)
    }
    fn read<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Option<Value>, ProviderError>> {
        TerraformData.read(ty, current)
    }
    fn create<'a>(
        &'a self,
        ty: &'a str,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            let name = Recorder::name_of(planned);
            self.busy(format!("create {name}")).await;
            if name == "\"boom\"" {
                return Err(ProviderError::Api {
                    code: "Conflict".into(),
                    message: "it went boom".into(),
                    retryable: false,
                    kind: drinfra::provider::ErrorKind::Conflict,
                });
            }
            TerraformData.create(ty, planned).await
        })
    }
    fn update<'a>(
        &'a self,
        ty: &'a str,
        prior: &'a Value,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            self.busy(format!("update {}", Recorder::name_of(planned)))
                .await;
            TerraformData.update(ty, prior, planned).await
        })
    }
    fn delete<'a>(
        &'a self,
        _ty: &'a str,
        prior: &'a Value,
    ) -> BoxFut<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            self.busy(format!("delete {}", Recorder::name_of(prior)))
                .await;
            Ok(())
        })
    }
}

struct Run {
    plan: Plan,
    report: apply::ApplyReport,
    events: Vec<Event>,
}

fn plan_and_apply(dir: &Path, text: &str, providers: &Providers, parallelism: usize) -> Run {
    std::fs::write(dir.join("main.tf"), text).unwrap();
    let stack = drinfra::config::open(dir, &[], &[]);
    assert!(!stack.diags.has_errors(), "{:?}", stack.diags);
    let backend = LocalBackend::new(dir.join("s.tfstate"));
    let prior = backend.load().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (plan, diags) = rt.block_on(planner::plan(
        &stack.config,
        &stack.inputs,
        dir,
        prior.as_ref(),
        providers,
        &PlanOptions::default(),
    ));
    assert!(!diags.has_errors(), "{diags:?}");
    let plan = plan.unwrap();
    let mut events = Vec::new();
    let report = rt
        .block_on(apply::apply(
            &plan,
            &stack.config,
            &stack.inputs,
            dir,
            &backend,
            prior,
            providers,
            &ApplyOptions {
                parallelism,
                defer: None,
                grace: None,
            },
            &mut |e| events.push(e),
            std::future::pending(),
        ))
        .unwrap();
    Run {
        plan,
        report,
        events,
    }
}

fn providers(rec: &Arc<Recorder>) -> Providers {
    let mut p = Providers::builtin();
    p.add(rec.clone());
    p
}

const FAILING: &str = r#"
resource "test_thing" "root" {
  input = "root"
}
resource "test_thing" "bad" {
  input = "boom"
  triggers_replace = test_thing.root.id
}
resource "test_thing" "after_bad" {
  input = "after-${test_thing.bad.id}"
}
resource "test_thing" "good" {
  input = "good-${test_thing.root.id}"
}
"#;

#[test]
fn a_failure_skips_dependents_but_not_independent_branches() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recorder::new();
    let run = plan_and_apply(dir.path(), FAILING, &providers(&rec), 4);
    assert!(!run.report.ok());
    let failed: Vec<&str> = run
        .report
        .failed
        .iter()
        .map(|(s, _)| s.address.as_str())
        .collect();
    assert_eq!(failed, ["test_thing.bad"]);
    assert!(run.report.failed[0].1.contains("Conflict: it went boom"));
    let skipped: Vec<&str> = run
        .report
        .skipped
        .iter()
        .map(|s| s.address.as_str())
        .collect();
    assert_eq!(skipped, ["test_thing.after_bad"]);
    let done: Vec<&str> = run.report.done.iter().map(|s| s.address.as_str()).collect();
    assert!(
        done.contains(&"test_thing.good") && done.contains(&"test_thing.root"),
        "{done:?}"
    );
    assert!(run.events.iter().any(
        |e| matches!(e, Event::Skipped { step, .. } if step.address == "test_thing.after_bad")
    ));
    // State holds what completed; a re-run with the fault fixed converges.
    let recorded: Vec<String> = run.report.state.resources.keys().cloned().collect();
    assert_eq!(recorded, ["test_thing.good", "test_thing.root"]);
    let fixed = FAILING.replace("\"boom\"", "\"fine\"");
    let run2 = plan_and_apply(dir.path(), &fixed, &providers(&rec), 4);
    assert!(run2.report.ok(), "{:?}", run2.report.failed);
    assert_eq!(run2.plan.counts(), (2, 0, 0));
    let run3 = plan_and_apply(dir.path(), &fixed, &providers(&rec), 4);
    assert!(!run3.plan.has_changes());
}

#[test]
fn independent_steps_run_in_parallel_up_to_the_limit() {
    let mut text = String::new();
    for i in 0..12 {
        text.push_str(&format!(
            "resource \"test_thing\" \"t{i}\" {{\n  input = \"{i}\"\n}}\n"
        ));
    }
    for (limit, expect_max) in [(1, 1), (4, 4)] {
        let dir = tempfile::tempdir().unwrap();
        let rec = Recorder::new();
        let run = plan_and_apply(dir.path(), &text, &providers(&rec), limit);
        assert!(run.report.ok());
        assert_eq!(
            rec.max_running.load(Ordering::SeqCst),
            expect_max,
            "parallelism {limit}"
        );
    }
}

#[test]
fn create_before_destroy_creates_the_new_object_first() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recorder::new();
    let text = |v: &str| {
        format!(
            "resource \"test_thing\" \"x\" {{\n  input = \"{v}\"\n  triggers_replace = \"{v}\"\n  lifecycle {{\n    create_before_destroy = true\n  }}\n}}\nresource \"test_thing\" \"y\" {{\n  input = \"y{v}\"\n  triggers_replace = \"{v}\"\n}}\n"
        )
    };
    plan_and_apply(dir.path(), &text("1"), &providers(&rec), 4);
    rec.log.lock().unwrap().clear();
    let run = plan_and_apply(dir.path(), &text("2"), &providers(&rec), 4);
    let actions: BTreeMap<&str, Action> = run
        .plan
        .actions()
        .map(|c| (c.address.as_str(), c.action))
        .collect();
    assert_eq!(actions["test_thing.x"], Action::CreateThenDelete);
    assert_eq!(actions["test_thing.y"], Action::DeleteThenCreate);
    let log = rec.log.lock().unwrap().clone();
    let pos = |s: &str| {
        log.iter()
            .position(|l| l == s)
            .unwrap_or_else(|| panic!("{s} not in {log:?}"))
    };
    assert!(pos("create \"2\"") < pos("delete \"1\""), "{log:?}");
    assert!(pos("delete \"y1\"") < pos("create \"y2\""), "{log:?}");
    assert_eq!(
        run.report.state.resources["test_thing.x"].attributes["input"],
        "2"
    );
}

#[test]
fn deletes_run_in_reverse_dependency_order() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recorder::new();
    let chain = "resource \"test_thing\" \"a\" {\n  input = \"a\"\n}\nresource \"test_thing\" \"b\" {\n  input = \"b-${test_thing.a.id}\"\n}\nresource \"test_thing\" \"c\" {\n  input = \"c-${test_thing.b.id}\"\n}\n";
    plan_and_apply(dir.path(), chain, &providers(&rec), 4);
    rec.log.lock().unwrap().clear();
    let run = plan_and_apply(dir.path(), "", &providers(&rec), 4);
    assert_eq!(run.plan.counts(), (0, 0, 3));
    let log = rec.log.lock().unwrap().clone();
    let kinds: Vec<char> = log.iter().map(|l| l.chars().nth(8).unwrap()).collect();
    assert_eq!(kinds, ['c', 'b', 'a'], "{log:?}");
}

/// The conformance suite every provider passes, here for terraform_data.
#[test]
fn terraform_data_passes_the_provider_conformance_suite() {
    let p = TerraformData;
    let ty = "terraform_data";
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cfg = Value::Object([("input".to_string(), Value::String("x".into()))].into());
    // Create: computed attributes unknown in the plan, known after.
    let planned = p.plan(ty, None, &cfg).unwrap();
    assert!(!planned.value.is_wholly_known());
    let created = rt.block_on(p.create(ty, &planned.value)).unwrap();
    assert!(created.is_wholly_known());
    assert!(apply::conforms(&planned.value, &created, &mut vec![]));
    // No-op re-plan: the plan equals the state.
    let again = p.plan(ty, Some(&created), &cfg).unwrap();
    assert_eq!(again.value.to_json(), created.to_json());
    assert!(again.replace_paths.is_empty());
    // Read returns the object.
    assert_eq!(
        rt.block_on(p.read(ty, &created))
            .unwrap()
            .unwrap()
            .to_json(),
        created.to_json()
    );
    // In-place update keeps the id.
    let cfg2 = Value::Object([("input".to_string(), Value::String("y".into()))].into());
    let upd = p.plan(ty, Some(&created), &cfg2).unwrap();
    assert!(upd.replace_paths.is_empty());
    let updated = rt.block_on(p.update(ty, &created, &upd.value)).unwrap();
    assert_eq!(
        updated.as_mapping().unwrap()["id"],
        created.as_mapping().unwrap()["id"]
    );
    assert_eq!(
        updated.as_mapping().unwrap()["output"],
        Value::String("y".into())
    );
    // A force-new argument plans a replacement naming the path.
    let cfg3 = Value::Object(
        [
            ("input".to_string(), Value::String("y".into())),
            ("triggers_replace".to_string(), Value::Number(1.0)),
        ]
        .into(),
    );
    assert_eq!(
        p.plan(ty, Some(&updated), &cfg3).unwrap().replace_paths,
        vec![vec!["triggers_replace".to_string()]]
    );
    // Unsupported arguments are named.
    let bad = Value::Object([("nope".to_string(), Value::Null)].into());
    assert_eq!(p.validate(ty, &bad)[0].argument.as_deref(), Some("nope"));
    rt.block_on(p.delete(ty, &updated)).unwrap();
    // Schema marks computed and force-new attributes.
    let s = p.schema(ty).unwrap();
    assert!(s.attrs["id"].computed && s.attrs["triggers_replace"].force_new);
}

#[test]
fn state_round_trips_and_a_torn_journal_line_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let b = LocalBackend::new(dir.path().join("x.tfstate"));
    let golden = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/state-v1.json"),
    )
    .unwrap();
    let st: State = serde_json::from_str(&golden).unwrap();
    b.compact(&st).unwrap();
    assert_eq!(b.load().unwrap().unwrap(), st);
    let rewritten: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("x.tfstate")).unwrap())
            .unwrap();
    assert_eq!(
        rewritten,
        serde_json::from_str::<serde_json::Value>(&golden).unwrap(),
        "golden file round-trips"
    );
    // A record, then half a record (a crash mid-write).
    let mut rs = st.resources.values().next().unwrap().clone();
    rs.address = "terraform_data.extra".into();
    b.append(&[drinfra::state::Record {
        serial: st.serial + 1,
        change: drinfra::state::Change::Put(Box::new(rs)),
    }])
    .unwrap();
    use std::io::Write;
    let mut j = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.path().join("x.tfstate.journal"))
        .unwrap();
    j.write_all(b"{\"serial\":9,\"put\":{\"addr").unwrap();
    let loaded = b.load().unwrap().unwrap();
    assert!(loaded.resources.contains_key("terraform_data.extra"));
    assert_eq!(loaded.serial, st.serial + 1);
    // An unknown format version is refused, not misread.
    std::fs::write(
        dir.path().join("x.tfstate"),
        golden.replace("\"version\": 1", "\"version\": 99"),
    )
    .unwrap();
    assert!(b.load().unwrap_err().to_string().contains("version 99"));
}

//! Regression: a provider step that panicked used to vanish from the apply
//! report (its task's join error was dropped), so apply could report
//! success with the object never created. Found through classic Front
//! Door's body mapping, which panicked on an omitted optional argument.

use std::sync::Arc;

use drinfra::apply::{self, ApplyOptions};
use drinfra::lang::Value;
use drinfra::plan::planner::{self, PlanOptions};
use drinfra::provider::{
    ArgProblem, BoxFut, Planned, Provider, ProviderError, Providers, ResourceSchema,
};
use drinfra::state::{Backend, LocalBackend};

/// Creates objects of `fragile_thing`, except that creating one panics.
struct Fragile;

impl Provider for Fragile {
    fn name(&self) -> &'static str {
        "test/fragile"
    }
    fn handles(&self, ty: &str) -> bool {
        ty == "fragile_thing"
    }
    fn schema(&self, _ty: &str) -> Option<ResourceSchema> {
        None
    }
    fn validate(&self, _ty: &str, _config: &Value) -> Vec<ArgProblem> {
        vec![]
    }
    fn plan(
        &self,
        _ty: &str,
        _prior: Option<&Value>,
        config: &Value,
    ) -> Result<Planned, ProviderError> {
        Ok(Planned {
            value: config.clone(),
            replace_paths: vec![],
            notes: vec![],
        })
    }
    fn read<'a>(
        &'a self,
        _ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move { Ok(Some(current.clone())) })
    }
    fn create<'a>(
        &'a self,
        _ty: &'a str,
        _planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move { panic!("mapping bug: no entry found for key") })
    }
    fn update<'a>(
        &'a self,
        _ty: &'a str,
        _prior: &'a Value,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move { Ok(planned.clone()) })
    }
    fn delete<'a>(
        &'a self,
        _ty: &'a str,
        _prior: &'a Value,
    ) -> BoxFut<'a, Result<(), ProviderError>> {
        Box::pin(async move { Ok(()) })
    }
}

#[tokio::test]
async fn a_panicking_step_fails_and_its_dependents_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), "resource \"fragile_thing\" \"a\" {\n  size = 1\n}\nresource \"terraform_data\" \"after\" {\n  input = fragile_thing.a.size\n}\nresource \"terraform_data\" \"independent\" {\n  input = 2\n}\n").unwrap();
    let stack = drinfra::config::open(dir.path(), &[], &[]);
    assert!(!stack.diags.has_errors(), "{:?}", stack.diags);
    let mut providers = Providers::builtin();
    providers.add(Arc::new(Fragile));
    let (plan, diags) = planner::plan(
        &stack.config,
        &stack.inputs,
        dir.path(),
        None,
        &providers,
        &PlanOptions::default(),
    )
    .await;
    assert!(!diags.has_errors(), "{diags:?}");
    let plan = plan.unwrap();
    let backend = LocalBackend::new(dir.path().join("s.tfstate"));
    let report = apply::apply(
        &plan,
        &stack.config,
        &stack.inputs,
        dir.path(),
        &backend,
        None,
        &providers,
        &ApplyOptions {
            parallelism: 4,
            defer: None,
            grace: None,
        },
        &mut |_| {},
        std::future::pending(),
    )
    .await
    .unwrap();
    assert!(!report.ok(), "a panicked step is not success");
    let failed: Vec<String> = report
        .failed
        .iter()
        .map(|(s, e)| format!("{s}: {e}"))
        .collect();
    assert!(
        failed.iter().any(|f| f.contains("fragile_thing.a")
            && f.contains("internal error in the provider")
            && f.contains("no entry found for key")),
        "{failed:?}"
    );
    assert!(
        report
            .skipped
            .iter()
            .any(|s| s.address == "terraform_data.after"),
        "its dependent is skipped: {:?}",
        report.skipped
    );
    assert!(
        report
            .done
            .iter()
            .any(|s| s.address == "terraform_data.independent"),
        "the rest of the apply went on"
    );
    let state = backend.load().unwrap().unwrap();
    assert!(
        !state.resources.contains_key("fragile_thing.a")
            && state.resources.contains_key("terraform_data.independent")
    );
}

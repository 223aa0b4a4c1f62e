//! Against real Azure: opt-in, never in CI. Needs a subscription and a
//! credential in the environment the way azurerm reads them
//! (ARM_SUBSCRIPTION_ID, ARM_TENANT_ID, ARM_CLIENT_ID with
//! ARM_CLIENT_SECRET or ARM_USE_OIDC + a federated token file, or a signed-in
//! Azure CLI), and DRINFRA_LIVE_AZURE=1. Run with:
//!
//! ```sh
//! DRINFRA_LIVE_AZURE=1 cargo test --test all azure_live:: -- --ignored
//! ```
//!
//! It creates a resource group named drinfra-live-<random> in eastus,
//! re-plans it (expecting no changes), tags it, and deletes it.

use std::sync::Arc;

use drinfra::apply::{self, ApplyOptions};
use drinfra::plan::planner::{self, PlanOptions};
use drinfra::provider::Providers;
use drinfra::provider::azure::setup;
use drinfra::state::{Backend, LocalBackend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "talks to real Azure; set DRINFRA_LIVE_AZURE=1 and run with --ignored"]
async fn resource_group_lifecycle_on_real_azure() {
    assert_eq!(
        std::env::var("DRINFRA_LIVE_AZURE").as_deref(),
        Ok("1"),
        "set DRINFRA_LIVE_AZURE=1 to run against real Azure"
    );
    let env: Vec<(String, String)> = std::env::vars().collect();
    let dir = tempfile::tempdir().unwrap();
    let name = format!("drinfra-live-{}", &drinfra::random::uuid_v4().unwrap()[..8]);
    let text = |tags: &str| {
        format!(
            "provider \"azurerm\" {{\n  features {{}}\n}}\nresource \"azurerm_resource_group\" \"rg\" {{\n  name = \"{name}\"\n  location = \"eastus\"\n  tags = {{ {tags} }}\n}}\n"
        )
    };
    let stack = drinfra::config::open(dir.path(), &[], &env);
    let settings = setup::Settings {
        ..setup::settings(&stack.config, &stack.inputs, dir.path(), &env).unwrap()
    };
    assert!(
        settings.subscription_id.is_some(),
        "ARM_SUBSCRIPTION_ID is required"
    );
    assert!(
        setup::embedded_request(&settings, dir.path(), &env).is_none(),
        "must not fall back to the emulator"
    );
    let azure = setup::provider(&settings, dir.path(), &env, &[])
        .await
        .unwrap();
    let mut providers = Providers::builtin();
    providers.add(Arc::new(azure));
    let backend = LocalBackend::new(dir.path().join("s.tfstate"));
    for (tags, expect_changes) in [
        ("purpose = \"drinfra-live-test\"", true),
        ("purpose = \"drinfra-live-test\"", false),
        ("purpose = \"drinfra-live-test\", step = \"2\"", true),
    ] {
        std::fs::write(dir.path().join("main.tf"), text(tags)).unwrap();
        let stack = drinfra::config::open(dir.path(), &[], &env);
        let prior = backend.load().unwrap();
        let (plan, diags) = planner::plan(
            &stack.config,
            &stack.inputs,
            dir.path(),
            prior.as_ref(),
            &providers,
            &PlanOptions::default(),
        )
        .await;
        assert!(!diags.has_errors(), "{diags:?}");
        let plan = plan.unwrap();
        assert_eq!(plan.has_resource_changes(), expect_changes);
        let report = apply::apply(
            &plan,
            &stack.config,
            &stack.inputs,
            dir.path(),
            &backend,
            prior,
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
        assert!(report.ok(), "{:?}", report.failed);
    }
    std::fs::write(
        dir.path().join("main.tf"),
        "provider \"azurerm\" {\n  features {}\n}\n",
    )
    .unwrap();
    let stack = drinfra::config::open(dir.path(), &[], &env);
    let prior = backend.load().unwrap();
    let (plan, _) = planner::plan(
        &stack.config,
        &stack.inputs,
        dir.path(),
        prior.as_ref(),
        &providers,
        &PlanOptions::default(),
    )
    .await;
    let report = apply::apply(
        &plan.unwrap(),
        &stack.config,
        &stack.inputs,
        dir.path(),
        &backend,
        prior,
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
    assert!(
        report.ok(),
        "cleanup failed: {:?}; delete resource group {name} by hand",
        report.failed
    );
}

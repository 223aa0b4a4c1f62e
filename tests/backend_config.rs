//! `init -backend-config` (Terraform's partial backend configuration) and
//! `-reconfigure`: the values complete an empty backend block; secrets are
//! never written to disk.

use super::common;
use super::terraform_cli::{drinfra, drinfra_with, stack};

const BODY: &str = "resource \"terraform_data\" \"a\" {\n  input = 1\n}\n";

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_partial_local_backend_is_completed_at_init_and_reconfigured() {
    let dir = stack(&format!(
        "terraform {{\n  backend \"local\" {{}}\n}}\n\n{BODY}"
    ));
    let d = dir.path();
    let init = drinfra(d, &["init", "-backend-config=path=custom.tfstate"]);
    assert_eq!(init.code, 0, "{}{}", init.stdout, init.stderr);
    assert_eq!(drinfra(d, &["apply", "-auto-approve"]).code, 0);
    assert!(d.join("custom.tfstate").exists());
    assert!(!d.join("drinfra.tfstate").exists());
    // An argument the backend does not take: refused, nothing remembered.
    let bad = drinfra(d, &["init", "-backend-config=nope=1"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("not \"nope\""), "{}", bad.stderr);
    // Another path: a change init refuses without -migrate-state, and
    // -reconfigure takes without moving anything.
    std::fs::write(d.join("other.tfbackend"), "path = \"other.tfstate\"\n").unwrap();
    let changed = drinfra(d, &["init", "-backend-config=other.tfbackend"]);
    assert_eq!(changed.code, 1, "{}", changed.stderr);
    let re = drinfra(
        d,
        &["init", "-reconfigure", "-backend-config=other.tfbackend"],
    );
    assert_eq!(re.code, 0, "{}", re.stderr);
    assert_eq!(drinfra(d, &["state", "list"]).stdout, "");
}

#[test]
fn a_partial_azurerm_backend_keeps_its_secret_off_disk() {
    if !common::services_available(&["AZURITE_BLOB_ENDPOINT"]) {
        return;
    }
    let endpoint = std::env::var("AZURITE_BLOB_ENDPOINT").unwrap();
    let account = std::env::var("AZURITE_ACCOUNT").unwrap();
    let key = std::env::var("AZURITE_KEY").unwrap();
    let container = format!(
        "bc{}",
        &drinfra::random::uuid_v4().unwrap().replace('-', "")[..12]
    );
    let dir = stack(&format!(
        "terraform {{\n  backend \"azurerm\" {{}}\n}}\n\n{BODY}"
    ));
    let d = dir.path();
    std::fs::write(
        d.join("backend.tfbackend"),
        format!("storage_account_name = \"{account}\"\ncontainer_name = \"{container}\"\nendpoint = \"{endpoint}\"\n"),
    )
    .unwrap();
    let access = format!("-backend-config=access_key={key}");
    let init = drinfra(
        d,
        &[
            "init",
            "-input=false",
            "-backend-config=backend.tfbackend",
            "-backend-config=key=app.tfstate",
            &access,
        ],
    );
    assert_eq!(init.code, 0, "{}{}", init.stdout, init.stderr);
    let env = [("ARM_ACCESS_KEY", key.as_str())];
    let apply = drinfra_with(d, &["apply", "-auto-approve"], &env, None);
    assert_eq!(apply.code, 0, "{}{}", apply.stdout, apply.stderr);
    for f in files_under(d) {
        let text = std::fs::read(&f).unwrap();
        assert!(
            !text.windows(key.len()).any(|w| w == key.as_bytes()),
            "{} holds the access key",
            f.display()
        );
    }
    // The state is at the key the pipeline gave.
    let b = drinfra::state::azblob::BlobBackend::connect(
        drinfra::state::azblob::BlobConfig {
            endpoint,
            account,
            container,
            key: "app.tfstate".into(),
            access_key: Some(key.clone()),
            sas_token: None,
            azuread: None,
        },
        Default::default(),
    )
    .unwrap();
    use drinfra::state::Backend;
    assert_eq!(b.load().unwrap().unwrap().resources.len(), 1);
}

//! Every state backend passes the same conformance suite, and a stress
//! test: 20 concurrent applies of one stack, each changing a different
//! resource, serialise on the lock; none loses an update, and the final
//! serial counts the writes. The pg backend runs against the PostgreSQL
//! server scripts/test.sh starts (PG_CONN_STR), the azurerm backend against
//! its Azurite (AZURITE_*).

use crate::common;

use std::path::Path;
use std::process::Command;

use drinfra::state::lock::LockInfo;
use drinfra::state::pg::PgBackend;
use drinfra::state::{Backend, Change, LocalBackend, LockError, Record, State};

fn pg_conn() -> String {
    std::env::var("PG_CONN_STR")
        .expect("PG_CONN_STR is not set: run ./scripts/test.sh, which starts PostgreSQL")
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        &drinfra::random::uuid_v4().unwrap().replace('-', "")[..12]
    )
}

/// The shared suite: `make` opens a new handle on the same store (as a
/// second process would).
fn conformance(make: &dyn Fn() -> Box<dyn Backend>) {
    let a = make();
    assert!(a.load().unwrap().is_none(), "empty at first");
    let mut st = State::new().unwrap();
    st.serial = 1;
    let rs: drinfra::state::ResourceState = serde_json::from_value(serde_json::json!({"address": "terraform_data.x", "mode": "managed", "type": "terraform_data", "name": "x", "provider": "p", "attributes": {"id": "1"}})).unwrap();
    a.append(&[
        Record {
            serial: 1,
            change: Change::Replace(Box::new(st.clone())),
        },
        Record {
            serial: 1,
            change: Change::Put(Box::new(rs.clone())),
        },
    ])
    .unwrap();
    let loaded = make().load().unwrap().unwrap();
    assert!(
        loaded.resources.contains_key("terraform_data.x"),
        "journal records are visible to other handles"
    );
    assert_eq!(loaded.serial, 1);
    // Compaction folds the journal; later records apply on top.
    let mut folded = loaded.clone();
    folded.serial = 2;
    a.compact(&folded).unwrap();
    a.append(&[Record {
        serial: 3,
        change: Change::Remove("terraform_data.x".into()),
    }])
    .unwrap();
    let after = make().load().unwrap().unwrap();
    assert_eq!(
        (after.serial, after.resources.len(), after.lineage.clone()),
        (3, 0, st.lineage.clone())
    );
    // Locks: one holder at a time, with its details; the id is needed to unlock.
    let info = LockInfo::for_operation(
        "apply",
        "test",
        &[
            ("USER".into(), "alice".into()),
            ("GITHUB_SERVER_URL".into(), "https://ci".into()),
            ("GITHUB_REPOSITORY".into(), "o/r".into()),
            ("GITHUB_RUN_ID".into(), "7".into()),
        ],
    )
    .unwrap();
    a.lock(&info).unwrap();
    let b = make();
    match b.lock(&LockInfo::for_operation("plan", "test", &[]).unwrap()) {
        Err(LockError::Held(h)) => {
            assert_eq!(h.id, info.id);
            assert!(h.who.starts_with("alice@"));
            assert_eq!(
                h.ci_run_url.as_deref(),
                Some("https://ci/o/r/actions/runs/7")
            );
        }
        other => panic!("second lock should be refused, got {other:?}"),
    }
    assert!(matches!(
        b.unlock("wrong-id"),
        Err(LockError::Mismatch { .. })
    ));
    a.unlock(&info.id).unwrap();
    assert!(b.lock_holder().unwrap().is_none());
    let info2 = LockInfo::for_operation("apply", "test", &[]).unwrap();
    b.lock(&info2).unwrap();
    b.unlock(&info2.id).unwrap();
}

#[test]
fn local_backend_conformance() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.tfstate");
    conformance(&|| Box::new(LocalBackend::new(&path)));
}

#[test]
fn pg_backend_conformance() {
    if !common::services_available(&["PG_CONN_STR"]) {
        return;
    }
    let conn = pg_conn();
    let schema = unique("conf");
    conformance(&|| {
        Box::new(PgBackend::connect(&conn, &schema, "stack", Default::default()).unwrap())
    });
}

#[test]
fn pg_backend_encrypts_and_a_killed_holder_releases_its_lock() {
    if !common::services_available(&["PG_CONN_STR"]) {
        return;
    }
    let conn = pg_conn();
    let schema = unique("enc");
    let key = [(
        "DRINFRA_STATE_KEY".to_string(),
        "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=".to_string(),
    )];
    let cipher = drinfra::state::crypto::Cipher::from_env(&key).unwrap();
    let b = PgBackend::connect(&conn, &schema, "s", cipher.clone()).unwrap();
    let mut st = State::new().unwrap();
    st.serial = 1;
    b.compact(&st).unwrap();
    let out = Command::new("psql")
        .arg(&conn)
        .args([
            "-tA",
            "-c",
            &format!("select convert_from(snapshot, 'UTF8') from {schema}.states where name = 's'"),
        ])
        .output()
        .unwrap();
    let raw = String::from_utf8_lossy(&out.stdout);
    assert!(
        raw.contains("drinfra-encrypted") && !raw.contains(&st.lineage),
        "{raw}"
    );
    assert!(
        PgBackend::connect(&conn, &schema, "s", Default::default())
            .unwrap()
            .load()
            .is_err(),
        "no key, no state"
    );
    // A holder whose connection dies (a killed runner) releases the lock.
    let holder = PgBackend::connect(&conn, &schema, "s", cipher.clone()).unwrap();
    holder
        .lock(&LockInfo::for_operation("apply", "t", &[]).unwrap())
        .unwrap();
    assert!(
        b.lock(&LockInfo::for_operation("apply", "t", &[]).unwrap())
            .is_err()
    );
    drop(holder);
    let mut freed = false;
    for _ in 0..50 {
        if b.lock(&LockInfo::for_operation("apply", "t", &[]).unwrap())
            .is_ok()
        {
            freed = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(freed, "the dead session's lock went with it");
}

fn stress(dir: &Path, backend_block: &str, env: &[(&str, &str)]) {
    let mut text = backend_block.to_string();
    for i in 0..20 {
        text.push_str(&format!("variable \"v{i}\" {{\n  default = \"initial\"\n}}\nresource \"terraform_data\" \"r{i}\" {{\n  input = var.v{i}\n}}\n"));
    }
    std::fs::write(dir.join("main.tf"), text).unwrap();
    let run = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_drinfra"));
        c.arg("-C").arg(dir).args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        c
    };
    assert!(
        run(&["apply", "--auto-approve"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let serial0: u64 = serde_json::from_slice::<serde_json::Value>(
        &run(&["state", "pull"]).output().unwrap().stdout,
    )
    .unwrap()["serial"]
        .as_u64()
        .unwrap();
    // Each run changes its own resource: runs i keeps the others at their
    // current values by targeting only r{i}.
    let children: Vec<_> = (0..20)
        .map(|i| {
            run(&[
                "apply",
                "--auto-approve",
                "--lock-timeout",
                "120s",
                "--target",
                &format!("terraform_data.r{i}"),
                "--var",
                &format!("v{i}=run-{i}"),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let mut ok = 0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            ok += 1;
        } else {
            // A clean failure names the holder.
            assert!(err.contains("the state is locked by"), "{err}");
        }
    }
    let state: serde_json::Value =
        serde_json::from_slice(&run(&["state", "pull"]).output().unwrap().stdout).unwrap();
    assert_eq!(ok, 20, "every run waited its turn");
    for i in 0..20 {
        assert_eq!(
            state["resources"][format!("terraform_data.r{i}")]["attributes"]["input"],
            format!("run-{i}"),
            "update {i} kept"
        );
    }
    assert_eq!(
        state["serial"].as_u64().unwrap(),
        serial0 + ok,
        "one write per successful run"
    );
}

#[test]
fn local_backend_stress_twenty_concurrent_applies() {
    let dir = tempfile::tempdir().unwrap();
    stress(dir.path(), "", &[]);
}

#[test]
fn pg_backend_stress_twenty_concurrent_applies() {
    if !common::services_available(&["PG_CONN_STR"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let schema = unique("stress");
    let block =
        format!("drinfra {{\n  backend \"pg\" {{\n    schema_name = \"{schema}\"\n  }}\n}}\n");
    stress(dir.path(), &block, &[("PG_CONN_STR", &pg_conn())]);
}

fn azurite() -> (String, String, String) {
    let get = |k: &str| {
        std::env::var(k).unwrap_or_else(|_| {
            panic!("{k} is not set: run ./scripts/test.sh, which starts Azurite")
        })
    };
    (
        get("AZURITE_BLOB_ENDPOINT"),
        get("AZURITE_ACCOUNT"),
        get("AZURITE_KEY"),
    )
}

fn blob_config(container: &str) -> drinfra::state::azblob::BlobConfig {
    let (endpoint, account, key) = azurite();
    drinfra::state::azblob::BlobConfig {
        endpoint,
        account,
        container: container.into(),
        key: "prod.tfstate".into(),
        access_key: Some(key),
        sas_token: None,
        azuread: None,
    }
}

#[test]
fn azurerm_backend_conformance() {
    if !common::services_available(&["AZURITE_BLOB_ENDPOINT"]) {
        return;
    }
    let container = unique("conf").replace('_', "-");
    conformance(&|| {
        Box::new(
            drinfra::state::azblob::BlobBackend::connect(
                blob_config(&container),
                Default::default(),
            )
            .unwrap(),
        )
    });
}

#[test]
fn azurerm_backend_refuses_a_wrong_key_and_keeps_the_holder_across_writes() {
    if !common::services_available(&["AZURITE_BLOB_ENDPOINT"]) {
        return;
    }
    let container = unique("auth").replace('_', "-");
    let mut bad = blob_config(&container);
    bad.access_key = Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into());
    assert!(
        drinfra::state::azblob::BlobBackend::connect(bad, Default::default()).is_err(),
        "a wrong account key is refused"
    );
    let a =
        drinfra::state::azblob::BlobBackend::connect(blob_config(&container), Default::default())
            .unwrap();
    let info = LockInfo::for_operation("apply", "t", &[]).unwrap();
    a.lock(&info).unwrap();
    // Compaction rewrites the leased blob; the holder must survive it.
    let mut st = State::new().unwrap();
    st.serial = 4;
    a.compact(&st).unwrap();
    let b =
        drinfra::state::azblob::BlobBackend::connect(blob_config(&container), Default::default())
            .unwrap();
    assert_eq!(
        b.lock_holder().unwrap().map(|h| h.id),
        Some(info.id.clone())
    );
    assert_eq!(b.load().unwrap().unwrap().serial, 4);
    // force-unlock from another client breaks the lease.
    b.unlock(&info.id).unwrap();
    assert!(b.lock_holder().unwrap().is_none());
    b.lock(&LockInfo::for_operation("apply", "t", &[]).unwrap())
        .unwrap();
}

#[test]
fn azurerm_backend_stress_twenty_concurrent_applies() {
    if !common::services_available(&["AZURITE_BLOB_ENDPOINT"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (endpoint, account, key) = azurite();
    let container = unique("stress").replace('_', "-");
    let block = format!(
        "drinfra {{\n  backend \"azurerm\" {{\n    storage_account_name = \"{account}\"\n    container_name = \"{container}\"\n    key = \"prod.tfstate\"\n    endpoint = \"{endpoint}\"\n  }}\n}}\n"
    );
    stress(dir.path(), &block, &[("ARM_ACCESS_KEY", &key)]);
}

#[test]
fn init_migrate_state_moves_local_to_pg_to_azurerm() {
    if !common::services_available(&["PG_CONN_STR", "AZURITE_BLOB_ENDPOINT"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let body = "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\n";
    std::fs::write(dir.path().join("main.tf"), body).unwrap();
    let (endpoint, account, key) = azurite();
    // The azurerm side is configured through a connection string this time.
    let env = [
        ("PG_CONN_STR", pg_conn()),
        (
            "AZURE_STORAGE_CONNECTION_STRING",
            format!("AccountName={account};AccountKey={key};BlobEndpoint={endpoint}"),
        ),
    ];
    let run = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_drinfra"))
            .arg("-C")
            .arg(dir.path())
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).to_string(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    assert_eq!(run(&["apply", "--auto-approve"]).0, 0);
    let schema = unique("mig");
    std::fs::write(
        dir.path().join("main.tf"),
        format!(
            "drinfra {{\n  backend \"pg\" {{\n    schema_name = \"{schema}\"\n  }}\n}}\n{body}"
        ),
    )
    .unwrap();
    let (code, out, err) = run(&["init", "--migrate-state"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Migrated 1 resource"), "{out}");
    let backups: Vec<_> = std::fs::read_dir(dir.path().join(".drinfra"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("pre-migration-")
        })
        .collect();
    assert_eq!(backups.len(), 1, "a backup of the migrated state is kept");
    assert!(
        std::fs::read_to_string(backups[0].path())
            .unwrap()
            .contains("terraform_data")
    );
    // The remembered spec holds no secret, so pg -> azurerm reads PG_CONN_STR again.
    let memo = std::fs::read_to_string(dir.path().join(".drinfra/backend.json")).unwrap();
    assert!(
        !memo.contains("conn_str") && memo.contains(&schema),
        "{memo}"
    );
    let container = unique("mig").replace('_', "-");
    std::fs::write(
        dir.path().join("main.tf"),
        format!("drinfra {{\n  backend \"azurerm\" {{\n    container_name = \"{container}\"\n    key = \"app.tfstate\"\n  }}\n}}\n{body}"),
    )
    .unwrap();
    assert_eq!(run(&["plan"]).0, 1, "a changed backend needs init first");
    let (code, out, err) = run(&["init", "--migrate-state"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Migrated 1 resource"), "{out}");
    let (code, _, err) = run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code, 0, "nothing to create: the state moved ({err})");
    assert_eq!(run(&["state", "list"]).1, "terraform_data.a\n");
}

/// A CI cancellation (SIGTERM) mid-apply: running steps finish and are
/// recorded, and the remote lock is released so the next run goes ahead.
fn cancelled_apply_releases_the_lock(block: &str, env: &[(&str, String)]) {
    let dir = tempfile::tempdir().unwrap();
    let mut text = block.to_string();
    for i in 0..30 {
        text.push_str(&format!(
            "resource \"terraform_data\" \"r{i}\" {{\n  input = {i}\n}}\n"
        ));
    }
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    let cmd = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_drinfra"));
        c.arg("-C")
            .arg(dir.path())
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)));
        c
    };
    let mut child = cmd(&["apply", "--auto-approve", "--parallelism", "2"])
        .env("DRINFRA_TEST_STEP_DELAY_MS", "100")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while !seen.contains("Creation complete") {
        let n = std::io::Read::read(&mut out, &mut buf).unwrap();
        if n == 0 {
            break;
        }
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    seen.push_str(&rest);
    assert_eq!(child.wait().unwrap().code(), Some(1), "{seen}");
    let finished = seen.matches("Creation complete").count();
    assert!(finished < 30, "{seen}");
    // No --lock-timeout: a lock left behind would fail this at once.
    let list = cmd(&["state", "list"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&list.stdout).lines().count(),
        finished,
        "every finished step was recorded"
    );
    let again = cmd(&["apply", "--auto-approve"]).output().unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn azurerm_backend_cancelled_apply_releases_the_lease() {
    if !common::services_available(&["AZURITE_BLOB_ENDPOINT"]) {
        return;
    }
    let (endpoint, account, key) = azurite();
    let container = unique("term").replace('_', "-");
    let block = format!(
        "drinfra {{\n  backend \"azurerm\" {{\n    storage_account_name = \"{account}\"\n    container_name = \"{container}\"\n    key = \"t.tfstate\"\n    endpoint = \"{endpoint}\"\n  }}\n}}\n"
    );
    cancelled_apply_releases_the_lock(&block, &[("ARM_ACCESS_KEY", key)]);
}

#[test]
fn pg_backend_cancelled_apply_releases_the_lock() {
    if !common::services_available(&["PG_CONN_STR"]) {
        return;
    }
    let block = format!(
        "drinfra {{\n  backend \"pg\" {{\n    schema_name = \"{}\"\n  }}\n}}\n",
        unique("term")
    );
    cancelled_apply_releases_the_lock(&block, &[("PG_CONN_STR", pg_conn())]);
}

/// Entra ID sign-in for the azurerm backend (`use_azuread_auth = true`):
/// tokens from the emulator posing as the cloud's Entra ID (through
/// azure_identity, as the provider gets them), presented to an Azurite that
/// accepts only bearer tokens over HTTPS. No account key is anywhere.
#[test]
fn azurerm_backend_signs_in_with_entra_id() {
    if !common::services_available(&["AZURITE_OAUTH_BLOB_ENDPOINT"]) {
        return;
    }
    let get = |k: &str| {
        std::env::var(k).unwrap_or_else(|_| {
            panic!("{k} is not set: run ./scripts/test.sh, which starts Azurite")
        })
    };
    let (endpoint, account, azurite_ca) = (
        get("AZURITE_OAUTH_BLOB_ENDPOINT"),
        get("AZURITE_ACCOUNT"),
        get("AZURITE_OAUTH_CA"),
    );
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt
        .block_on(drinfra::emulator::start(
            drinfra::emulator::Options {
                data_dir: dir.path().join("emu"),
                tls: true,
                settings: Default::default(),
            },
            "127.0.0.1:0".parse().unwrap(),
        ))
        .unwrap();
    // Trust both: the emulator (sign-in) and Azurite (the blobs).
    let bundle = dir.path().join("trust.pem");
    std::fs::write(
        &bundle,
        format!(
            "{}\n{}",
            emu.ca_pem.as_deref().unwrap(),
            std::fs::read_to_string(&azurite_ca).unwrap()
        ),
    )
    .unwrap();
    let stack = dir.path().join("stack");
    std::fs::create_dir_all(&stack).unwrap();
    let container = unique("entra").replace('_', "-");
    std::fs::write(
        stack.join("main.tf"),
        format!("drinfra {{\n  backend \"azurerm\" {{\n    storage_account_name = \"{account}\"\n    container_name = \"{container}\"\n    key = \"prod.tfstate\"\n    endpoint = \"{endpoint}\"\n    use_azuread_auth = true\n  }}\n}}\nresource \"terraform_data\" \"a\" {{\n  input = \"signed in\"\n}}\n"),
    )
    .unwrap();
    let c = &emu.credentials;
    let run = |secret: &str, args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_drinfra"))
            .arg("-C")
            .arg(&stack)
            .args(args)
            .env_remove("ARM_ACCESS_KEY")
            .env_remove("ARM_SAS_TOKEN")
            .env_remove("AZURE_STORAGE_CONNECTION_STRING")
            .env("SSL_CERT_FILE", &bundle)
            .env(
                "ARM_METADATA_HOSTNAME",
                emu.url.trim_start_matches("https://"),
            )
            .env("ARM_TENANT_ID", &c.tenant_id)
            .env("ARM_CLIENT_ID", &c.client_id)
            .env("ARM_CLIENT_SECRET", secret)
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).to_string(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let (code, out, err) = run(&c.client_secret, &["apply", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = run(&c.client_secret, &["plan", "--detailed-exitcode"]);
    assert_eq!(
        code, 0,
        "the state is read back through Entra ID:\n{out}\n{err}"
    );
    assert_eq!(
        run(&c.client_secret, &["state", "list"]).1.trim(),
        "terraform_data.a"
    );
    // A refused sign-in is an error that says so and never prints the secret.
    let wrong = "wrong-secret-81f3";
    let (code, out, err) = run(wrong, &["plan"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("signing in to Entra ID for the state backend")
            && err.contains("could not get a token"),
        "{err}"
    );
    assert!(!out.contains(wrong) && !err.contains(wrong));
}

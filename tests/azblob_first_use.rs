//! The azurerm backend on first use under concurrency (needs Azurite, as
//! tests/backends.rs): clients that all find no state blob must neither
//! fail on each other's lease nor overwrite a state another one wrote.

use crate::common;

use std::time::Duration;

use drinfra::state::azblob::{BlobBackend, BlobConfig};
use drinfra::state::lock::{self, LockInfo};
use drinfra::state::{Backend, State};

fn config(container: &str, key: &str) -> BlobConfig {
    let get = |k: &str| {
        std::env::var(k).unwrap_or_else(|_| {
            panic!("{k} is not set: run ./scripts/test.sh, which starts Azurite")
        })
    };
    BlobConfig {
        endpoint: get("AZURITE_BLOB_ENDPOINT"),
        account: get("AZURITE_ACCOUNT"),
        container: container.into(),
        key: key.into(),
        access_key: Some(get("AZURITE_KEY")),
        sas_token: None,
        azuread: None,
    }
}

#[test]
fn concurrent_first_locks_on_a_new_blob_neither_fail_nor_lose_a_write() {
    if !common::services_available(&["AZURITE_BLOB_ENDPOINT"]) {
        return;
    }
    let container = format!(
        "first-{}",
        &drinfra::random::uuid_v4().unwrap().replace('-', "")[..12]
    );
    for round in 0..5 {
        let key = format!("r{round}.tfstate");
        let threads: Vec<_> = (0..8)
            .map(|n| {
                let (container, key) = (container.clone(), key.clone());
                std::thread::spawn(move || -> Result<(), String> {
                    let b = BlobBackend::connect(config(&container, &key), Default::default())
                        .map_err(|e| e.to_string())?;
                    let info =
                        LockInfo::for_operation("apply", "t", &[]).map_err(|e| e.to_string())?;
                    lock::acquire(&b, &info, Duration::from_secs(60), &mut |_| {}, &mut |_| {})
                        .map_err(|e| e.to_string())?;
                    let mut st = State::or_new(b.load().map_err(|e| e.to_string())?)
                        .map_err(|e| e.to_string())?;
                    st.serial += 1;
                    st.outputs.insert(
                        format!("w{n}"),
                        drinfra::state::OutputState {
                            value: serde_json::json!(n),
                            sensitive: false,
                            ty: None,
                        },
                    );
                    b.compact(&st).map_err(|e| e.to_string())?;
                    b.unlock(&info.id).map_err(|e| e.to_string())
                })
            })
            .collect();
        for t in threads {
            t.join()
                .unwrap()
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
        }
        let st: State = BlobBackend::connect(config(&container, &key), Default::default())
            .unwrap()
            .load()
            .unwrap()
            .expect("state written");
        assert_eq!(
            st.outputs.len(),
            8,
            "round {round}: every write survives: {:?}",
            st.outputs.keys().collect::<Vec<_>>()
        );
        assert_eq!(st.serial, 8);
    }
}

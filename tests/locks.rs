//! The local state lock under contention: breaking a stale lock while
//! other processes and threads race for it never reports an empty lock ID,
//! never fails on another waiter's success, and never lets two hold it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use drinfra::state::lock::{self, LockInfo, hostname};
use drinfra::state::{Backend, LocalBackend};

/// A lock file left by a process that has exited.
fn stale_lock(state: &Path, id: &str) {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    let info = LockInfo {
        id: id.into(),
        operation: "apply".into(),
        who: "gone@here".into(),
        host: hostname(),
        pid,
        created: lock::now_rfc3339(),
        ci_run_url: None,
        path: String::new(),
    };
    let mut lock_path = state.as_os_str().to_owned();
    lock_path.push(".lock");
    std::fs::write(lock_path, serde_json::to_vec(&info).unwrap()).unwrap();
}

#[test]
fn threads_racing_to_break_a_stale_lock_take_it_one_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.tfstate");
    for round in 0..8 {
        stale_lock(&path, &format!("dead-{round}"));
        let holders = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..6)
            .map(|n| {
                let (path, holders) = (path.clone(), holders.clone());
                std::thread::spawn(move || -> Result<(), String> {
                    let b = LocalBackend::new(path);
                    let mut info =
                        LockInfo::for_operation("apply", "t", &[]).map_err(|e| e.to_string())?;
                    info.id = format!("t{round}-{n}");
                    lock::acquire(&b, &info, Duration::from_secs(20), &mut |_| {}, &mut |_| {})
                        .map_err(|e| e.to_string())?;
                    if holders.fetch_add(1, Ordering::SeqCst) != 0 {
                        return Err("two holders at once".into());
                    }
                    std::thread::sleep(Duration::from_millis(2));
                    holders.fetch_sub(1, Ordering::SeqCst);
                    b.unlock(&info.id).map_err(|e| e.to_string())
                })
            })
            .collect();
        for t in threads {
            t.join()
                .unwrap()
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
        }
        assert!(LocalBackend::new(&path).lock_holder().unwrap().is_none());
    }
}

#[test]
fn processes_racing_to_break_a_stale_lock_all_succeed_with_real_lock_ids() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"terraform_data\" \"a\" {\n  input = 1\n}\n",
    )
    .unwrap();
    for round in 0..3 {
        stale_lock(
            &dir.path().join("drinfra.tfstate"),
            &format!("dead-{round}"),
        );
        let children: Vec<_> = (0..6)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_drinfra"))
                    .arg("-C")
                    .arg(dir.path())
                    .args(["apply", "--auto-approve", "--lock-timeout", "60s"])
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "round {round}: {err}");
            assert!(
                !err.contains("does not match") && !err.contains("force-unlock `"),
                "{err}"
            );
        }
        assert!(!dir.path().join("drinfra.tfstate.lock").exists());
    }
}

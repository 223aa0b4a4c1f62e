//! Helpers shared by integration tests.

pub mod spec_shape;

/// The services come from scripts/test.sh, which also sets
/// DRINFRA_REQUIRE_SERVICES=1: there a missing one fails the test. Under a
/// plain `cargo test` on a machine without them, the test says it is
/// skipped and passes.
pub fn services_available(keys: &[&str]) -> bool {
    let missing: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| std::env::var_os(k).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("DRINFRA_REQUIRE_SERVICES").is_none(),
        "{missing:?} not set: run ./scripts/test.sh, which starts PostgreSQL and Azurite"
    );
    eprintln!("skipped: {missing:?} not set (./scripts/test.sh starts PostgreSQL and Azurite)");
    false
}

/// An emulator over TLS on a loopback port, its data in `data_dir`,
/// `time_scale` simulated seconds per real second.
pub fn start_emulator(
    rt: &tokio::runtime::Runtime,
    data_dir: std::path::PathBuf,
    time_scale: f64,
) -> drinfra::emulator::Running {
    rt.block_on(drinfra::emulator::start(
        drinfra::emulator::Options {
            data_dir,
            tls: true,
            settings: drinfra::emulator::Settings {
                time_scale,
                ..drinfra::emulator::Settings::default()
            },
        },
        "127.0.0.1:0".parse().unwrap(),
    ))
    .unwrap()
}

/// Copies a directory tree (a stack and its modules into a test's own
/// directory), leaving out `.drinfra`.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_name() == ".drinfra" {
            continue;
        }
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A drinfra run: its exit code and what it printed (stdout, then stderr).
pub struct Run {
    pub code: i32,
    pub out: String,
}

/// Runs the drinfra binary on the stack in `dir` (`-C`), without colour.
pub fn drinfra(dir: &std::path::Path, args: &[&str]) -> Run {
    drinfra_env(dir, args, &[])
}

/// As `drinfra`, with `env` added to the environment.
pub fn drinfra_env(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("drinfra runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        out: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// `drinfra state list` of the stack in `dir`, one address per entry.
pub fn state_list(dir: &std::path::Path) -> Vec<String> {
    let run = drinfra(dir, &["state", "list"]);
    assert_eq!(run.code, 0, "{}", run.out);
    run.out
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// An ARM access token from the emulator's sign-in endpoint, with the
/// emulator's own client credentials (to look at the cloud directly).
pub async fn arm_token(http: &reqwest::Client, emu: &drinfra::emulator::Running) -> String {
    token_for(http, emu, "https://management.azure.com/.default").await
}

/// The same for another resource's `scope` (a data plane's).
pub async fn token_for(
    http: &reqwest::Client,
    emu: &drinfra::emulator::Running,
    scope: &str,
) -> String {
    let c = &emu.credentials;
    let token: serde_json::Value = http
        .post(format!("{}/{}/oauth2/v2.0/token", emu.url, c.tenant_id))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", c.client_id.as_str()),
            ("client_secret", c.client_secret.as_str()),
            ("scope", scope),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["access_token"].as_str().unwrap().to_string()
}

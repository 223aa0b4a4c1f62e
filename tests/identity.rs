//! Authentication on drinfra's real-Azure path, through azure_identity, with
//! the emulator posing as a custom cloud (`ARM_METADATA_HOSTNAME`) and its CA
//! trusted the way a private cloud's would be (`SSL_CERT_FILE`): client
//! secret, workload identity (federated token file), the Azure CLI, and a
//! refused secret that must fail cleanly without printing it.

use std::path::Path;
use std::process::Command;

use drinfra::emulator::{self, Options, Settings};

struct Cloud {
    dir: tempfile::TempDir,
    emu: emulator::Running,
    _rt: tokio::runtime::Runtime,
}

const STACK: &str = r#"
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "app" {
  name     = "rg-identity"
  location = "westeurope"
}
"#;

impl Cloud {
    fn new() -> Cloud {
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let emu = crate::common::start_emulator(&rt, dir.path().join("emu"), 1.0e6);
        std::fs::write(dir.path().join("ca.pem"), emu.ca_pem.as_deref().unwrap()).unwrap();
        std::fs::create_dir_all(dir.path().join("stack")).unwrap();
        std::fs::write(dir.path().join("stack/main.tf"), STACK).unwrap();
        Cloud { dir, emu, _rt: rt }
    }

    fn host(&self) -> String {
        self.emu.url.trim_start_matches("https://").to_string()
    }

    /// Runs drinfra as on a CI runner of this custom cloud: no emulator
    /// settings, only azurerm's environment variables.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_drinfra"));
        cmd.arg("-C").arg(self.dir.path().join("stack")).args(args);
        for k in [
            "ARM_SUBSCRIPTION_ID",
            "ARM_TENANT_ID",
            "ARM_CLIENT_ID",
            "ARM_CLIENT_SECRET",
            "ARM_USE_OIDC",
            "ARM_OIDC_TOKEN_FILE_PATH",
            "AZURE_FEDERATED_TOKEN_FILE",
            "ARM_USE_MSI",
            "DRINFRA_EMULATOR_URL",
        ] {
            cmd.env_remove(k);
        }
        cmd.env("ARM_METADATA_HOSTNAME", self.host())
            .env("SSL_CERT_FILE", self.dir.path().join("ca.pem"))
            .env("ARM_SUBSCRIPTION_ID", &self.emu.credentials.subscription_id);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let o = cmd.output().unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into(),
            String::from_utf8_lossy(&o.stderr).into(),
        )
    }

    fn state_exists(&self) -> bool {
        Path::new(
            &self
                .dir
                .path()
                .join("stack")
                .join(drinfra::state::select::DEFAULT_STATE_FILE),
        )
        .exists()
    }
}

#[test]
fn a_client_secret_from_the_environment_authenticates_through_azure_identity() {
    let c = Cloud::new();
    let creds = &c.emu.credentials;
    let (code, out, err) = c.run(
        &["apply", "--auto-approve"],
        &[
            ("ARM_TENANT_ID", &creds.tenant_id),
            ("ARM_CLIENT_ID", &creds.client_id),
            ("ARM_CLIENT_SECRET", &creds.client_secret),
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let banner = format!(
        "Azure subscription {} at {}, authenticating with client secret (client {}) via azure_identity",
        creds.subscription_id, c.emu.url, creds.client_id
    );
    assert!(
        err.contains(&banner),
        "the start-of-run line names the cloud:\n{err}"
    );
    assert!(
        !out.contains(&creds.client_secret) && !err.contains(&creds.client_secret),
        "the secret never appears"
    );
    assert!(out.contains("1 added"), "{out}");
    assert!(c.state_exists());
}

#[test]
fn workload_identity_reads_the_federated_token_file() {
    let c = Cloud::new();
    let creds = &c.emu.credentials;
    let token_file = c.dir.path().join("federated-token");
    // The emulator accepts its client secret as the federated token.
    std::fs::write(&token_file, &creds.client_secret).unwrap();
    let file = token_file.display().to_string();
    let (code, out, err) = c.run(
        &["apply", "--auto-approve"],
        &[
            ("ARM_TENANT_ID", &creds.tenant_id),
            ("ARM_CLIENT_ID", &creds.client_id),
            ("ARM_USE_OIDC", "true"),
            ("ARM_OIDC_TOKEN_FILE_PATH", &file),
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains(&format!("authenticating with workload identity (client {}, token file {file}) via azure_identity", creds.client_id)), "{err}");
    assert!(out.contains("1 added"), "{out}");
    // A wrong federated token is refused.
    std::fs::write(&token_file, "forged").unwrap();
    let (code, out, err) = c.run(
        &["plan"],
        &[
            ("ARM_TENANT_ID", &creds.tenant_id),
            ("ARM_CLIENT_ID", &creds.client_id),
            ("ARM_USE_OIDC", "true"),
            ("ARM_OIDC_TOKEN_FILE_PATH", &file),
        ],
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("workload identity") && err.contains("could not get a token"),
        "{err}"
    );
}

#[test]
fn the_azure_cli_credential_runs_az() {
    let c = Cloud::new();
    // A stand-in `az` that hands out a token the emulator issued.
    let token: serde_json::Value = c._rt.block_on(async {
        let http = emulator::client(c.emu.ca_pem.as_deref()).unwrap();
        let k = &c.emu.credentials;
        http.post(format!("{}/{}/oauth2/v2.0/token", c.emu.url, k.tenant_id))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", k.client_id.as_str()),
                ("client_secret", k.client_secret.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let bin = c.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3000;
    let script = format!(
        "#!/bin/sh\necho \"$@\" > \"{}/az-args\"\necho '{{\"accessToken\": \"{}\", \"expires_on\": {expires}, \"tokenType\": \"Bearer\"}}'\n",
        bin.display(),
        token["access_token"].as_str().unwrap()
    );
    std::fs::write(bin.join("az"), script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("az"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let (code, out, err) = c.run(&["apply", "--auto-approve"], &[("PATH", &path)]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        err.contains("authenticating with Azure CLI via azure_identity"),
        "{err}"
    );
    let args = std::fs::read_to_string(bin.join("az-args")).unwrap();
    assert!(
        args.contains("account get-access-token")
            && args.contains("--scope https://management.azure.com/.default"),
        "{args}"
    );
}

#[test]
fn a_refused_secret_fails_cleanly_and_never_prints_it() {
    let c = Cloud::new();
    let creds = &c.emu.credentials;
    let wrong = "not-the-secret-4f9c2";
    let (code, out, err) = c.run(
        &["apply", "--auto-approve"],
        &[
            ("ARM_TENANT_ID", &creds.tenant_id),
            ("ARM_CLIENT_ID", &creds.client_id),
            ("ARM_CLIENT_SECRET", wrong),
        ],
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("client secret (client") && err.contains("could not get a token"),
        "{err}"
    );
    assert!(
        !out.contains(wrong) && !err.contains(wrong),
        "the secret never appears:\n{out}\n{err}"
    );
    let state: serde_json::Value = std::fs::read_to_string(
        c.dir
            .path()
            .join("stack")
            .join(drinfra::state::select::DEFAULT_STATE_FILE),
    )
    .map(|t| serde_json::from_str(&t).unwrap())
    .unwrap_or_default();
    assert!(
        state["resources"].as_object().is_none_or(|r| r.is_empty()),
        "nothing was recorded: {state}"
    );
}

#[test]
fn an_unreachable_metadata_host_is_named_in_the_error() {
    let c = Cloud::new();
    let (code, _, err) = c.run(
        &["plan"],
        &[
            ("ARM_METADATA_HOSTNAME", "127.0.0.1:9"),
            ("ARM_USE_MSI", "true"),
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("cannot read the cloud metadata at https://127.0.0.1:9/metadata/endpoints"),
        "{err}"
    );
}

/// Regression: against an emulator served over plain HTTP (`emulator serve
/// --insecure-http`, for debugging) every run failed, because
/// azure_identity refuses an authority that is not HTTPS. The emulator's
/// own credential now asks its token endpoint directly in that mode.
#[test]
fn an_emulator_over_plain_http_still_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt
        .block_on(emulator::start(
            Options {
                data_dir: dir.path().join("emu"),
                tls: false,
                settings: Settings {
                    time_scale: 1.0e6,
                    ..Settings::default()
                },
            },
            "127.0.0.1:0".parse().unwrap(),
        ))
        .unwrap();
    assert!(emu.url.starts_with("http://"), "{}", emu.url);
    std::fs::create_dir_all(dir.path().join("stack")).unwrap();
    std::fs::write(dir.path().join("stack/main.tf"), STACK).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .arg("-C")
        .arg(dir.path().join("stack"))
        .args(["apply", "--auto-approve"])
        .env("DRINFRA_EMULATOR_URL", &emu.url)
        .env("DRINFRA_EMULATOR_DATA_DIR", dir.path().join("emu"))
        .env_remove("ARM_SUBSCRIPTION_ID")
        .output()
        .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("1 added"), "{out}");
}

//! The emulator, embedded or by URL, as the provider reaches it: which
//! embedded emulators the configurations want (the caller starts them), the
//! endpoints handed back, the credentials file and the principal a
//! configuration signs in as.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::SetupError;
use super::settings::Settings;
use crate::provider::ProviderConfigAddr;
use crate::provider::azure::auth::{EmulatorSecret, Identity, Method, TokenSource};

pub(super) fn emulator_dir(s: &Settings, stack_dir: &Path) -> PathBuf {
    match &s.emulator_data_dir {
        Some(d) if Path::new(d).is_absolute() => PathBuf::from(d),
        Some(d) => stack_dir.join(d),
        None => stack_dir.join(".drinfra").join("emulator"),
    }
}

pub(super) fn read_credentials(dir: &Path) -> Result<EmulatorCredentials, SetupError> {
    EmulatorCredentials::read(dir)
}

/// The emulator's `credentials.json`, as the provider reads it: a file
/// one program (the emulator) writes and another (drinfra's engine) reads,
/// so each side has its own type for it. Fields the provider does not use
/// are ignored.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct EmulatorCredentials {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    /// The default subscription.
    pub subscription_id: String,
    /// Further service principals (each authorised on some subscriptions).
    #[serde(default)]
    pub principals: Vec<EmulatorPrincipal>,
}

/// A further service principal of `credentials.json`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct EmulatorPrincipal {
    pub client_id: String,
    pub client_secret: String,
    /// Its tenant; the emulator's tenant when absent.
    #[serde(default)]
    pub tenant_id: Option<String>,
}

impl EmulatorCredentials {
    /// Reads `credentials.json` from an emulator's data directory.
    pub fn read(dir: &Path) -> Result<EmulatorCredentials, SetupError> {
        let path = dir.join("credentials.json");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            SetupError::Config(format!(
                "cannot read the emulator's credentials at {}: {e}",
                path.display()
            ))
        })?;
        serde_json::from_str(&text)
            .map_err(|e| SetupError::Config(format!("{}: {e}", path.display())))
    }
}

/// An embedded emulator a configuration wants running: started by the
/// caller (with TLS, on a loopback port), since the provider knows nothing
/// of the emulator's code.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddedRequest {
    /// Its data directory (state, CA, `credentials.json`).
    pub data_dir: PathBuf,
    /// Simulated seconds per real second (`DRINFRA_EMULATOR_TIME_SCALE`).
    pub time_scale: f64,
}

/// A running emulator as the provider reaches it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub url: String,
    /// PEM of the CA its TLS certificate chains to.
    pub ca_pem: Option<String>,
    pub credentials: EmulatorCredentials,
}

/// Embedded emulators the caller started, each with the data directory of
/// the request it answers.
pub type Started = [(PathBuf, Endpoint)];

/// The time scale of embedded emulators (`DRINFRA_EMULATOR_TIME_SCALE`,
/// by default an hour a second).
pub(super) fn time_scale(env: &[(String, String)]) -> f64 {
    env.iter()
        .find(|(n, _)| n == "DRINFRA_EMULATOR_TIME_SCALE")
        .and_then(|(_, v)| v.parse::<f64>().ok())
        .unwrap_or(3600.0)
}

/// The embedded emulator configuration `s` runs on, if any: neither an
/// emulator URL nor (without `use_emulator`) a subscription is configured.
pub fn embedded_request(
    s: &Settings,
    stack_dir: &Path,
    env: &[(String, String)],
) -> Option<EmbeddedRequest> {
    let on_azure = s.subscription_id.is_some() && !s.use_emulator;
    (s.emulator_url.is_none() && !on_azure).then(|| EmbeddedRequest {
        data_dir: emulator_dir(s, stack_dir),
        time_scale: time_scale(env),
    })
}

/// The embedded emulators a run's configurations want, one per data
/// directory: configurations sharing a data directory share an emulator.
pub fn embedded_requests(
    configs: &[(ProviderConfigAddr, Settings)],
    stack_dir: &Path,
    env: &[(String, String)],
) -> Vec<EmbeddedRequest> {
    let mut out: Vec<EmbeddedRequest> = Vec::new();
    for (_, s) in configs {
        if let Some(r) = embedded_request(s, stack_dir, env)
            && !out.iter().any(|o| same_dir(&o.data_dir, &r.data_dir))
        {
            out.push(r);
        }
    }
    out
}

/// Whether two spellings name one directory, whether or not it exists yet
/// (the emulator creates its data directory when it starts).
pub(super) fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || canonical(a) == canonical(b)
}

/// `dir` with its longest existing ancestor canonicalised.
fn canonical(dir: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut cur = dir;
    loop {
        if let Ok(c) = cur.canonicalize() {
            return rest.iter().rev().fold(c, |p: PathBuf, part| p.join(part));
        }
        match (cur.parent(), cur.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                cur = parent;
            }
            _ => return dir.to_path_buf(),
        }
    }
}

/// The credential a configuration uses on the emulator: the principal of
/// `credentials.json` whose client id it names, else the emulator's own.
/// Secrets never travel from the configuration to the emulator.
pub(super) fn emulator_principal(
    s: &Settings,
    creds: &EmulatorCredentials,
) -> Result<EmulatorCredentials, SetupError> {
    let Some(id) = &s.client_id else {
        return Ok(creds.clone());
    };
    if *id == creds.client_id {
        return Ok(creds.clone());
    }
    creds
        .principals
        .iter()
        .find(|p| p.client_id == *id)
        .map(|p| EmulatorCredentials { tenant_id: p.tenant_id.clone().unwrap_or_else(|| creds.tenant_id.clone()), client_id: p.client_id.clone(), client_secret: p.client_secret.clone(), ..creds.clone() })
        .ok_or_else(|| SetupError::Config(format!("the emulator has no principal with client id {id:?} (its principals are listed in credentials.json)")))
}

/// The emulator's own credential: a client secret against its token endpoint.
pub(super) fn emulator_credential(
    c: &EmulatorCredentials,
    url: &str,
    http: &reqwest::Client,
) -> Result<Arc<dyn TokenSource>, SetupError> {
    if url.starts_with("http://") {
        return Ok(Arc::new(EmulatorSecret::new(
            url,
            &c.tenant_id,
            &c.client_id,
            &c.client_secret,
        )));
    }
    let method = Method::ClientSecret {
        tenant: c.tenant_id.clone(),
        client_id: c.client_id.clone(),
        secret: c.client_secret.clone(),
    };
    Ok(Arc::new(
        Identity::new(&method, url, http.clone()).map_err(|e| SetupError::Config(e.to_string()))?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(alias: Option<&str>) -> ProviderConfigAddr {
        ProviderConfigAddr {
            provider: crate::provider::azure::typedef::PROVIDER_NAME.to_string(),
            alias: alias.map(str::to_string),
        }
    }

    #[test]
    fn configurations_sharing_a_data_dir_want_one_embedded_emulator() {
        let stack = std::env::temp_dir().join("drinfra-setup-test-not-created");
        let env = vec![("DRINFRA_EMULATOR_TIME_SCALE".to_string(), "10".to_string())];
        let configs = vec![
            (addr(None), Settings::default()),
            (
                addr(Some("dr")),
                Settings {
                    use_emulator: true,
                    subscription_id: Some("s2".into()),
                    emulator_data_dir: Some("./.drinfra/emulator".into()),
                    ..Settings::default()
                },
            ),
            (
                addr(Some("azure")),
                Settings {
                    subscription_id: Some("s".into()),
                    ..Settings::default()
                },
            ),
            (
                addr(Some("remote")),
                Settings {
                    emulator_url: Some("https://127.0.0.1:1".into()),
                    ..Settings::default()
                },
            ),
            (
                addr(Some("other")),
                Settings {
                    emulator_data_dir: Some("/elsewhere".into()),
                    ..Settings::default()
                },
            ),
        ];
        let wanted = embedded_requests(&configs, &stack, &env);
        assert_eq!(
            wanted,
            vec![
                EmbeddedRequest {
                    data_dir: stack.join(".drinfra").join("emulator"),
                    time_scale: 10.0
                },
                EmbeddedRequest {
                    data_dir: PathBuf::from("/elsewhere"),
                    time_scale: 10.0
                },
            ]
        );
        assert!(embedded_request(&configs[2].1, &stack, &[]).is_none());
        assert_eq!(
            embedded_request(&configs[0].1, &stack, &[]).map(|r| r.time_scale),
            Some(3600.0)
        );
    }

    #[test]
    fn reads_the_emulators_credentials_file() {
        let dir = std::env::temp_dir().join(format!("drinfra-setup-creds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("credentials.json"),
            r#"{"tenant_id":"t","client_id":"c","client_secret":"s","subscription_id":"sub","subscriptions":["sub"],"principals":[{"client_id":"p","client_secret":"ps","subscriptions":["sub"]}]}"#,
        )
        .unwrap();
        let c = EmulatorCredentials::read(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            (c.tenant_id.as_str(), c.subscription_id.as_str()),
            ("t", "sub")
        );
        assert_eq!(c.principals[0].client_id, "p");
        assert!(EmulatorCredentials::read(&dir).is_err());
    }
}

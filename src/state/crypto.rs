//! Client-side encryption of state and plan files: AES-256-GCM, with the
//! key from `DRINFRA_STATE_KEY` (32 bytes, base64) or derived from
//! `DRINFRA_STATE_PASSPHRASE` (PBKDF2-HMAC-SHA256, salt per file). For key
//! rotation, `DRINFRA_STATE_KEY_OLD` / `DRINFRA_STATE_PASSPHRASE_OLD` still
//! decrypt; everything is written with the new key. A wrong key is an
//! error, never an overwrite.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine as _;
use serde::{Deserialize, Serialize};

const ITERATIONS: u32 = 210_000;
const MARKER: &str = "drinfra-encrypted";
/// The envelope version this drinfra writes and reads.
pub const ENVELOPE_VERSION: u32 = 1;

#[derive(Debug, Clone, thiserror::Error)]
pub enum CryptoError {
    #[error("{0} is encrypted; set DRINFRA_STATE_KEY or DRINFRA_STATE_PASSPHRASE to read it")]
    NoKey(String),
    #[error(
        "cannot decrypt {0}: wrong key or passphrase (or the file was altered); nothing was written"
    )]
    WrongKey(String),
    #[error("DRINFRA_STATE_KEY must be 32 bytes, base64-encoded")]
    BadKey,
    #[error("{0} is not a valid encrypted file")]
    Corrupt(String),
    #[error(
        "{what} is encrypted with envelope version {found}; this drinfra reads version {ENVELOPE_VERSION}"
    )]
    UnsupportedVersion { what: String, found: u64 },
    #[error("cannot encrypt: {0}")]
    Random(#[from] crate::random::RandomError),
}

/// One way to make a key.
#[derive(Clone)]
enum Secret {
    Key([u8; 32]),
    Passphrase(String),
}

/// The keys in force: one to write with, any number to read with.
#[derive(Clone, Default)]
pub struct Cipher {
    write: Option<Secret>,
    read: Vec<Secret>,
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    format: String,
    version: u32,
    /// "raw" (a key) or "pbkdf2-sha256" (a passphrase).
    kdf: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    salt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iterations: Option<u32>,
    nonce: String,
    ciphertext: String,
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

fn secret(key: Option<&String>, pass: Option<&String>) -> Result<Option<Secret>, CryptoError> {
    if let Some(k) = key {
        let bytes = b64().decode(k.trim()).map_err(|_| CryptoError::BadKey)?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::BadKey)?;
        return Ok(Some(Secret::Key(arr)));
    }
    Ok(pass.map(|p| Secret::Passphrase(p.clone())))
}

impl Cipher {
    /// From the environment (`env` as key/value pairs).
    pub fn from_env(env: &[(String, String)]) -> Result<Cipher, CryptoError> {
        let get = |k: &str| {
            env.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        let write = secret(
            get("DRINFRA_STATE_KEY").as_ref(),
            get("DRINFRA_STATE_PASSPHRASE").as_ref(),
        )?;
        let mut read: Vec<Secret> = write.iter().cloned().collect();
        if let Some(old) = secret(
            get("DRINFRA_STATE_KEY_OLD").as_ref(),
            get("DRINFRA_STATE_PASSPHRASE_OLD").as_ref(),
        )? {
            read.push(old);
        }
        Ok(Cipher { write, read })
    }

    pub fn enabled(&self) -> bool {
        self.write.is_some()
    }

    fn key(secret: &Secret, salt: &[u8], iterations: u32) -> [u8; 32] {
        match secret {
            Secret::Key(k) => *k,
            Secret::Passphrase(p) => {
                let mut out = [0u8; 32];
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(p.as_bytes(), salt, iterations, &mut out);
                out
            }
        }
    }

    /// Encrypts `plain` when a key is set; otherwise returns it as is.
    /// Fails when the OS random generator does (a salt or nonce is never
    /// made any other way).
    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let Some(secret) = &self.write else {
            return Ok(plain.to_vec());
        };
        let salt: [u8; 16] = crate::random::bytes()?;
        let nonce_bytes: [u8; 12] = crate::random::bytes()?;
        let key = Cipher::key(secret, &salt, ITERATIONS);
        let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(key));
        let nonce = Nonce::from(nonce_bytes);
        let ct = cipher
            .encrypt(&nonce, plain)
            .expect("AES-GCM encryption of an in-memory buffer");
        let (kdf, salt, iterations) = match secret {
            Secret::Key(_) => ("raw", None, None),
            Secret::Passphrase(_) => ("pbkdf2-sha256", Some(b64().encode(salt)), Some(ITERATIONS)),
        };
        let env = Envelope {
            format: MARKER.into(),
            version: ENVELOPE_VERSION,
            kdf: kdf.into(),
            salt,
            iterations,
            nonce: b64().encode(nonce_bytes),
            ciphertext: b64().encode(ct),
        };
        Ok(serde_json::to_vec(&env).expect("envelope serialises"))
    }

    /// Decrypts an envelope; plain (unencrypted) content passes through.
    pub fn open(&self, data: &[u8], what: &str) -> Result<Vec<u8>, CryptoError> {
        // Anything that says it is an envelope is read as one: a damaged or
        // unknown envelope is an error, never plain content.
        let Some(probe) = marked(data) else {
            return Ok(data.to_vec());
        };
        match probe.get("version").map(|v| v.as_u64()) {
            Some(Some(ENVELOPE_VERSION_U64)) => {}
            Some(Some(found)) => {
                return Err(CryptoError::UnsupportedVersion {
                    what: what.into(),
                    found,
                });
            }
            _ => return Err(CryptoError::Corrupt(what.into())),
        }
        let env: Envelope =
            serde_json::from_value(probe).map_err(|_| CryptoError::Corrupt(what.into()))?;
        if self.read.is_empty() {
            return Err(CryptoError::NoKey(what.into()));
        }
        let nonce_bytes: [u8; 12] = b64()
            .decode(&env.nonce)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| CryptoError::Corrupt(what.into()))?;
        let ct = b64()
            .decode(&env.ciphertext)
            .map_err(|_| CryptoError::Corrupt(what.into()))?;
        let salt = env
            .salt
            .as_ref()
            .and_then(|s| b64().decode(s).ok())
            .unwrap_or_default();
        for secret in &self.read {
            let kind_matches = matches!(
                (secret, env.kdf.as_str()),
                (Secret::Key(_), "raw") | (Secret::Passphrase(_), "pbkdf2-sha256")
            );
            if !kind_matches {
                continue;
            }
            let key = Cipher::key(secret, &salt, env.iterations.unwrap_or(ITERATIONS));
            let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(key));
            if let Ok(plain) = cipher.decrypt(&Nonce::from(nonce_bytes), ct.as_ref()) {
                return Ok(plain);
            }
        }
        Err(CryptoError::WrongKey(what.into()))
    }

    /// Whether `data` is an encrypted envelope.
    pub fn is_sealed(data: &[u8]) -> bool {
        marked(data).is_some()
    }
}

const ENVELOPE_VERSION_U64: u64 = ENVELOPE_VERSION as u64;

/// `data` as a JSON object if it carries the envelope marker.
fn marked(data: &[u8]) -> Option<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(data).ok()?;
    (v.get("format").and_then(|f| f.as_str()) == Some(MARKER)).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn seal_open_rotate_and_refuse_wrong_keys() {
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let a = Cipher::from_env(&env(&[("DRINFRA_STATE_KEY", &key)])).unwrap();
        let sealed = a.seal(b"secret state").unwrap();
        assert!(Cipher::is_sealed(&sealed));
        assert!(!String::from_utf8_lossy(&sealed).contains("secret"));
        assert_eq!(a.open(&sealed, "x").unwrap(), b"secret state");
        // A passphrase, then rotation from the key to it.
        let b = Cipher::from_env(&env(&[
            ("DRINFRA_STATE_PASSPHRASE", "correct horse"),
            ("DRINFRA_STATE_KEY_OLD", &key),
        ]))
        .unwrap();
        assert_eq!(
            b.open(&sealed, "x").unwrap(),
            b"secret state",
            "the old key still reads"
        );
        let resealed = b.seal(b"secret state").unwrap();
        assert!(
            a.open(&resealed, "x").is_err(),
            "the old key does not read what the new one wrote"
        );
        let wrong = Cipher::from_env(&env(&[("DRINFRA_STATE_PASSPHRASE", "wrong")])).unwrap();
        assert!(matches!(
            wrong.open(&resealed, "x"),
            Err(CryptoError::WrongKey(_))
        ));
        assert!(matches!(
            Cipher::default().open(&resealed, "x"),
            Err(CryptoError::NoKey(_))
        ));
        assert_eq!(
            Cipher::default().open(b"{\"plain\":1}", "x").unwrap(),
            b"{\"plain\":1}"
        );
        assert!(matches!(
            Cipher::from_env(&env(&[("DRINFRA_STATE_KEY", "short")])),
            Err(CryptoError::BadKey)
        ));
    }

    #[test]
    fn unknown_envelope_versions_are_refused() {
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let a = Cipher::from_env(&env(&[("DRINFRA_STATE_KEY", &key)])).unwrap();
        let sealed = a.seal(b"secret state").unwrap();
        for version in [
            serde_json::json!(0),
            serde_json::json!(2),
            serde_json::json!("1"),
            serde_json::Value::Null,
        ] {
            let mut j: serde_json::Value = serde_json::from_slice(&sealed).unwrap();
            j["version"] = version.clone();
            let bytes = serde_json::to_vec(&j).unwrap();
            let e = a
                .open(&bytes, "state.tfstate")
                .expect_err("an unknown envelope version must be refused");
            assert!(
                matches!(
                    e,
                    CryptoError::UnsupportedVersion { .. } | CryptoError::Corrupt(_)
                ),
                "{version}: {e}"
            );
            // Also without a key: never passed through as plain content.
            assert!(Cipher::default().open(&bytes, "x").is_err(), "{version}");
        }
        let mut j: serde_json::Value = serde_json::from_slice(&sealed).unwrap();
        j["version"] = serde_json::json!(0);
        let e = a
            .open(&serde_json::to_vec(&j).unwrap(), "state.tfstate")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("version 0") && e.contains("state.tfstate"),
            "{e}"
        );
        // A damaged envelope (a field missing) is corrupt, not plain.
        j["version"] = serde_json::json!(1);
        j.as_object_mut().unwrap().remove("nonce");
        assert!(matches!(
            a.open(&serde_json::to_vec(&j).unwrap(), "x"),
            Err(CryptoError::Corrupt(_))
        ));
    }

    #[test]
    fn salts_and_nonces_differ_between_seals() {
        let a = Cipher::from_env(&env(&[("DRINFRA_STATE_PASSPHRASE", "p")])).unwrap();
        let x: serde_json::Value = serde_json::from_slice(&a.seal(b"same").unwrap()).unwrap();
        let y: serde_json::Value = serde_json::from_slice(&a.seal(b"same").unwrap()).unwrap();
        assert_ne!(x["nonce"], y["nonce"]);
        assert_ne!(x["salt"], y["salt"]);
        let zero12 = base64::engine::general_purpose::STANDARD.encode([0u8; 12]);
        assert_ne!(x["nonce"], serde_json::json!(zero12));
    }
}

//! Archive sources over HTTP(S) (`.tar.gz`, `.tgz`, `.zip`): downloaded,
//! its SHA-256 recorded, and unpacked with the system's `tar` or `unzip`
//! (no archive crates on the build; GNU tar and unzip refuse members that
//! would land outside the target directory).

use std::path::Path;
use std::process::Command;

use sha2::Digest as _;

use super::super::error::{Error, Result};

/// Downloads and unpacks `url` into `dest`; "URL sha256:HEX".
pub async fn fetch(client: &reqwest::Client, url: &str, dest: &Path) -> Result<String> {
    let resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| Error::Refused(format!("cannot download {url}: {}", super::chain(&e))))?;
    if !resp.status().is_success() {
        return Err(Error::Refused(format!(
            "downloading {url}: HTTP {}",
            resp.status()
        )));
    }
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| Error::Refused(format!("downloading {url}: {}", super::chain(&e))))?;
    let sum = crate::random::hex(&sha2::Sha256::digest(&bytes));
    std::fs::create_dir_all(dest)?;
    let plain = url.split('?').next().unwrap_or(url).to_lowercase();
    let zip = plain.ends_with(".zip") || url.contains("archive=zip");
    let file = dest.join(if zip {
        ".download.zip"
    } else {
        ".download.tar.gz"
    });
    std::fs::write(&file, &bytes)?;
    let f = file.to_string_lossy().to_string();
    let d = dest.to_string_lossy().to_string();
    let (prog, args): (&str, Vec<&str>) = if zip {
        ("unzip", vec!["-q", "-o", &f, "-d", &d])
    } else {
        ("tar", vec!["-xzf", &f, "-C", &d])
    };
    let out = Command::new(prog)
        .args(&args)
        .output()
        .map_err(|e| Error::File {
            what: format!("cannot run {prog} to unpack {url}"),
            source: e,
        })?;
    let _ = std::fs::remove_file(&file);
    if !out.status.success() {
        return Err(Error::Refused(format!(
            "unpacking {url} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(format!("{url} sha256:{sum}"))
}

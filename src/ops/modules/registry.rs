//! The module registry protocol: service discovery
//! (`https://HOST/.well-known/terraform.json`, `modules.v1`), the version
//! list, the newest version the constraint accepts, and its download
//! location (`X-Terraform-Get`, or a JSON `location`).

use crate::config::modsource::Source;

use super::super::error::{Error, Result};

pub struct Resolved {
    pub version: String,
    /// The source to fetch, absolute.
    pub location: String,
}

fn refused(what: impl Into<String>) -> Error {
    Error::Refused(what.into())
}

async fn get_json(client: &reqwest::Client, url: &reqwest::Url) -> Result<serde_json::Value> {
    let resp = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| refused(format!("cannot reach {url}: {}", super::chain(&e))))?;
    if !resp.status().is_success() {
        return Err(refused(format!("{url}: HTTP {}", resp.status())));
    }
    resp.json()
        .await
        .map_err(|e| refused(format!("{url}: not JSON: {e}")))
}

pub async fn resolve(
    client: &reqwest::Client,
    source: &Source,
    constraint: Option<&str>,
) -> Result<Resolved> {
    let Source::Registry {
        host,
        namespace,
        name,
        system,
        ..
    } = source
    else {
        return Err(refused("not a registry source"));
    };
    let origin = reqwest::Url::parse(&format!("https://{host}/"))
        .map_err(|e| refused(format!("{host:?} is not a host: {e}")))?;
    let discovery = origin
        .join(".well-known/terraform.json")
        .map_err(|e| refused(e.to_string()))?;
    let services = get_json(client, &discovery).await?;
    let base = services["modules.v1"].as_str().ok_or_else(|| {
        refused(format!(
            "{host} does not offer a module registry (no modules.v1 in {discovery})"
        ))
    })?;
    let mut base = origin.join(base).map_err(|e| refused(e.to_string()))?;
    if !base.path().ends_with('/') {
        base.set_path(&format!("{}/", base.path()));
    }
    let module = base
        .join(&format!("{namespace}/{name}/{system}/"))
        .map_err(|e| refused(e.to_string()))?;
    let list = get_json(
        client,
        &module
            .join("versions")
            .map_err(|e| refused(e.to_string()))?,
    )
    .await?;
    let mut versions: Vec<String> = list["modules"][0]["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["version"].as_str().map(str::to_string))
        .collect();
    // Newest first; without a constraint, the newest that is not a
    // pre-release, as Terraform chooses.
    versions.sort_by(|a, b| crate::config::version::compare_text(b, a));
    let chosen = versions
        .iter()
        .find(|v| match constraint {
            Some(c) => crate::config::version::satisfies(v, c).unwrap_or(false),
            None => !v.contains('-'),
        })
        .cloned()
        .ok_or_else(|| {
            refused(format!(
                "no version of {host}/{namespace}/{name}/{system} matches {:?} (available: {})",
                constraint.unwrap_or("any"),
                if versions.is_empty() {
                    "none".into()
                } else {
                    versions.join(", ")
                }
            ))
        })?;
    let download = module
        .join(&format!("{chosen}/download"))
        .map_err(|e| refused(e.to_string()))?;
    let resp = client
        .get(download.clone())
        .send()
        .await
        .map_err(|e| refused(format!("cannot reach {download}: {}", super::chain(&e))))?;
    if !resp.status().is_success() {
        return Err(refused(format!("{download}: HTTP {}", resp.status())));
    }
    let header = resp
        .headers()
        .get("x-terraform-get")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let location = match header {
        Some(h) => h,
        None => {
            let body: serde_json::Value = resp.json().await.unwrap_or_default();
            body["location"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| {
                    refused(format!(
                        "{download} gave no download location (X-Terraform-Get)"
                    ))
                })?
        }
    };
    Ok(Resolved {
        version: chosen,
        location: absolute(&download, &location),
    })
}

/// A download location relative to the download URL made absolute (a
/// forced getter such as `git::` is kept as it is).
fn absolute(download: &reqwest::Url, location: &str) -> String {
    let forced = location
        .split_once("::")
        .is_some_and(|(f, _)| !f.contains('/'));
    if forced || location.contains("://") {
        return location.to_string();
    }
    download
        .join(location)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| location.to_string())
}

//! A storage account's service endpoints and their host names, primary and
//! secondary, with the internet and Microsoft routing variants: azurerm's
//! resource exports every one (an empty string where the account's routing
//! does not publish it), read from the account's `primaryEndpoints` and
//! `secondaryEndpoints`; each `_host` is its endpoint URL's host, as azurerm
//! derives it.

use serde_json::Value as J;

use crate::lang::Value;
use crate::provider::azure::convert::{Arg, Kind, arg};
use crate::provider::azure::typedef::Attrs;

/// The services and whether each has an internet-routing endpoint (Azure
/// publishes those for blob, file, web and dfs only).
const SERVICES: &[(&str, bool)] = &[
    ("blob", true),
    ("queue", false),
    ("table", false),
    ("file", true),
    ("dfs", true),
    ("web", true),
];

/// Every endpoint and host attribute, computed (read from the account).
pub(crate) const ENDPOINTS: &[Arg] = &[
    arg("primary_blob_endpoint", "", Kind::Str).read_only(),
    arg("primary_blob_host", "", Kind::Str).read_only(),
    arg("primary_blob_internet_endpoint", "", Kind::Str).read_only(),
    arg("primary_blob_internet_host", "", Kind::Str).read_only(),
    arg("primary_blob_microsoft_endpoint", "", Kind::Str).read_only(),
    arg("primary_blob_microsoft_host", "", Kind::Str).read_only(),
    arg("primary_queue_endpoint", "", Kind::Str).read_only(),
    arg("primary_queue_host", "", Kind::Str).read_only(),
    arg("primary_queue_microsoft_endpoint", "", Kind::Str).read_only(),
    arg("primary_queue_microsoft_host", "", Kind::Str).read_only(),
    arg("primary_table_endpoint", "", Kind::Str).read_only(),
    arg("primary_table_host", "", Kind::Str).read_only(),
    arg("primary_table_microsoft_endpoint", "", Kind::Str).read_only(),
    arg("primary_table_microsoft_host", "", Kind::Str).read_only(),
    arg("primary_file_endpoint", "", Kind::Str).read_only(),
    arg("primary_file_host", "", Kind::Str).read_only(),
    arg("primary_file_internet_endpoint", "", Kind::Str).read_only(),
    arg("primary_file_internet_host", "", Kind::Str).read_only(),
    arg("primary_file_microsoft_endpoint", "", Kind::Str).read_only(),
    arg("primary_file_microsoft_host", "", Kind::Str).read_only(),
    arg("primary_dfs_endpoint", "", Kind::Str).read_only(),
    arg("primary_dfs_host", "", Kind::Str).read_only(),
    arg("primary_dfs_internet_endpoint", "", Kind::Str).read_only(),
    arg("primary_dfs_internet_host", "", Kind::Str).read_only(),
    arg("primary_dfs_microsoft_endpoint", "", Kind::Str).read_only(),
    arg("primary_dfs_microsoft_host", "", Kind::Str).read_only(),
    arg("primary_web_endpoint", "", Kind::Str).read_only(),
    arg("primary_web_host", "", Kind::Str).read_only(),
    arg("primary_web_internet_endpoint", "", Kind::Str).read_only(),
    arg("primary_web_internet_host", "", Kind::Str).read_only(),
    arg("primary_web_microsoft_endpoint", "", Kind::Str).read_only(),
    arg("primary_web_microsoft_host", "", Kind::Str).read_only(),
    arg("secondary_blob_endpoint", "", Kind::Str).read_only(),
    arg("secondary_blob_host", "", Kind::Str).read_only(),
    arg("secondary_blob_internet_endpoint", "", Kind::Str).read_only(),
    arg("secondary_blob_internet_host", "", Kind::Str).read_only(),
    arg("secondary_blob_microsoft_endpoint", "", Kind::Str).read_only(),
    arg("secondary_blob_microsoft_host", "", Kind::Str).read_only(),
    arg("secondary_queue_endpoint", "", Kind::Str).read_only(),
    arg("secondary_queue_host", "", Kind::Str).read_only(),
    arg("secondary_queue_microsoft_endpoint", "", Kind::Str).read_only(),
    arg("secondary_queue_microsoft_host", "", Kind::Str).read_only(),
    arg("secondary_table_endpoint", "", Kind::Str).read_only(),
    arg("secondary_table_host", "", Kind::Str).read_only(),
    arg("secondary_table_microsoft_endpoint", "", Kind::Str).read_only(),
    arg("secondary_table_microsoft_host", "", Kind::Str).read_only(),
    arg("secondary_file_endpoint", "", Kind::Str).read_only(),
    arg("secondary_file_host", "", Kind::Str).read_only(),
    arg("secondary_file_internet_endpoint", "", Kind::Str).read_only(),
    arg("secondary_file_internet_host", "", Kind::Str).read_only(),
    arg("secondary_file_microsoft_endpoint", "", Kind::Str).read_only(),
    arg("secondary_file_microsoft_host", "", Kind::Str).read_only(),
    arg("secondary_dfs_endpoint", "", Kind::Str).read_only(),
    arg("secondary_dfs_host", "", Kind::Str).read_only(),
    arg("secondary_dfs_internet_endpoint", "", Kind::Str).read_only(),
    arg("secondary_dfs_internet_host", "", Kind::Str).read_only(),
    arg("secondary_dfs_microsoft_endpoint", "", Kind::Str).read_only(),
    arg("secondary_dfs_microsoft_host", "", Kind::Str).read_only(),
    arg("secondary_web_endpoint", "", Kind::Str).read_only(),
    arg("secondary_web_host", "", Kind::Str).read_only(),
    arg("secondary_web_internet_endpoint", "", Kind::Str).read_only(),
    arg("secondary_web_internet_host", "", Kind::Str).read_only(),
    arg("secondary_web_microsoft_endpoint", "", Kind::Str).read_only(),
    arg("secondary_web_microsoft_host", "", Kind::Str).read_only(),
];

/// The host of an endpoint URL (`https://x.blob.core.windows.net/` ->
/// `x.blob.core.windows.net`).
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Sets each attribute of [`ENDPOINTS`] from the account's ARM `body`.
pub(crate) fn fill(body: &J, out: &mut Attrs) {
    for (side, key) in [
        ("primary", "primaryEndpoints"),
        ("secondary", "secondaryEndpoints"),
    ] {
        for (svc, internet) in SERVICES {
            let mut routings = vec![("", svc.to_string())];
            routings.push(("_microsoft", format!("microsoftEndpoints/{svc}")));
            if *internet {
                routings.push(("_internet", format!("internetEndpoints/{svc}")));
            }
            for (routing, path) in routings {
                let url = body
                    .pointer(&format!("/properties/{key}/{path}"))
                    .and_then(J::as_str)
                    .unwrap_or_default();
                out.insert(
                    format!("{side}_{svc}{routing}_endpoint"),
                    Value::String(url.to_string()),
                );
                out.insert(
                    format!("{side}_{svc}{routing}_host"),
                    Value::String(host_of(url)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn endpoints_give_their_hosts_and_unpublished_routings_are_empty() {
        let body = json!({"properties": {"primaryEndpoints": {
            "blob": "https://sa.blob.core.windows.net/",
            "internetEndpoints": {"blob": "https://sa-internetrouting.blob.core.windows.net/"}
        }}});
        let mut out = Attrs::new();
        fill(&body, &mut out);
        assert_eq!(out.len(), ENDPOINTS.len());
        assert!(ENDPOINTS.iter().all(|a| out.contains_key(a.name)));
        assert_eq!(
            out["primary_blob_host"],
            Value::String("sa.blob.core.windows.net".into())
        );
        assert_eq!(
            out["primary_blob_internet_host"],
            Value::String("sa-internetrouting.blob.core.windows.net".into())
        );
        assert_eq!(
            out["secondary_queue_microsoft_endpoint"],
            Value::String(String::new())
        );
    }
}

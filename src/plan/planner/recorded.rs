//! What a plan records of what it was made from: digests of the
//! configuration, inputs and observed objects, and the root variables.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::config::vars::Inputs;
use crate::digest::digest;
use crate::lang::Value;
use crate::state::ResourceState;

/// Digest of the configuration and inputs a plan was made from.
pub fn config_digest(config: &Config, inputs: &Inputs) -> String {
    let mut bytes = Vec::new();
    for m in &config.modules {
        for f in &m.files {
            bytes.extend_from_slice(config.sources.path(*f).to_string_lossy().as_bytes());
            bytes.extend_from_slice(config.sources.text(*f).as_bytes());
        }
    }
    // Ephemeral values may differ at apply and must leave no trace in a
    // plan file, not even a digest.
    for (k, v) in inputs.iter().filter(|(k, _)| !is_ephemeral(config, k)) {
        bytes.extend_from_slice(k.as_bytes());
        bytes.extend_from_slice(
            serde_json::to_string(&v.value)
                .unwrap_or_default()
                .as_bytes(),
        );
    }
    digest(&bytes)
}

pub(super) fn is_ephemeral(config: &Config, var: &str) -> bool {
    config
        .root()
        .variables
        .get(var)
        .is_some_and(|v| v.ephemeral)
}

/// Root input values as a plan records them: sensitive ones marked (so
/// every renderer masks them), ephemeral ones left out.
pub fn plan_variables(config: &Config, inputs: &Inputs) -> BTreeMap<String, Value> {
    inputs
        .iter()
        .filter(|(k, _)| !is_ephemeral(config, k))
        .map(|(k, v)| {
            (
                k.clone(),
                v.value
                    .clone()
                    .mark_if(config.root().variables.get(k).is_some_and(|d| d.sensitive)),
            )
        })
        .collect()
}

pub fn observed_digest(rs: &ResourceState) -> String {
    digest(
        serde_json::to_string(&rs.attributes)
            .unwrap_or_default()
            .as_bytes(),
    )
}

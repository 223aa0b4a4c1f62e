//! `terraform_remote_state`'s reader: opens the backend a data source
//! names, as the stack's own `backend` block would be opened (relative
//! local paths from the stack's directory, secrets from the environment
//! where the backend takes them from there), and returns its root outputs.
//! It only reads: no lock is taken, as Terraform takes none.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::select::{BackendSpec, open};
use crate::provider::builtin::terraform::{Outputs, RemoteStateReader};

pub struct RemoteStates {
    pub dir: PathBuf,
    pub env: Vec<(String, String)>,
}

impl RemoteStateReader for RemoteStates {
    fn outputs(
        &self,
        backend: &str,
        config: &BTreeMap<String, String>,
        workspace: &str,
    ) -> Result<Option<Outputs>, String> {
        let spec = BackendSpec {
            kind: backend.to_string(),
            args: config.clone(),
        };
        // The workspace the data source names (Terraform: "default" when
        // left out), never the reading stack's own selection.
        let mut env: Vec<(String, String)> = self
            .env
            .iter()
            .filter(|(k, _)| k != "TF_WORKSPACE")
            .cloned()
            .collect();
        env.push(("TF_WORKSPACE".into(), workspace.to_string()));
        let b = open(Some(&spec), &self.dir, &env)
            .map_err(|d| format!("{}: {}", d.summary, d.detail.unwrap_or_default()))?;
        let state = b.load().map_err(|e| format!("{}: {e}", b.describe()))?;
        Ok(state.map(|s| {
            s.outputs
                .into_iter()
                .map(|(k, o)| (k, (o.value, o.sensitive)))
                .collect()
        }))
    }
}

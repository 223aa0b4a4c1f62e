//! Bulk refresh: many objects read through Resource Graph at once.

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::common::{AzureProvider, attrs, lookup, str_of};
use crate::lang::Value;
use crate::provider::{BoxFut, ErrorKind, Provider, ProviderError};

impl AzureProvider {
    pub(super) fn read_objects<'a>(
        &'a self,
        items: &'a [(String, Value)],
    ) -> BoxFut<'a, Vec<Result<Option<Value>, ProviderError>>> {
        Box::pin(async move {
            // One Resource Graph query per 200 ids; a direct GET only for
            // what the graph did not return (not indexed, or deleted).
            // Types written by hand are read by hand (their id is not one
            // ARM object's, or their state needs more than its body).
            let ids: Vec<Option<String>> = items
                .iter()
                .map(|(ty, v)| {
                    str_of(&attrs(v), "id").filter(|_| !super::attached::is_attached(ty))
                })
                .collect();
            let mut found: BTreeMap<String, J> = BTreeMap::new();
            let wanted: Vec<&String> = ids.iter().flatten().collect();
            for chunk in wanted.chunks(200) {
                let list = chunk
                    .iter()
                    .map(|id| format!("'{}'", id.replace('\'', "")))
                    .collect::<Vec<_>>()
                    .join(", ");
                let query = format!(
                    "Resources | where id in~ ({list}) | project id, name, type, location, tags, sku, plan, kind, zones, identity, properties"
                );
                match self
                    .client
                    .graph(std::slice::from_ref(&self.subscription), &query)
                    .await
                {
                    Ok(rows) => {
                        for r in rows {
                            if let Some(id) = r["id"].as_str() {
                                found.insert(id.to_lowercase(), r);
                            }
                        }
                    }
                    Err(_) => break, // fall back to GETs below
                }
            }
            let mut out = Vec::with_capacity(items.len());
            for ((ty, current), id) in items.iter().zip(&ids) {
                let res = match (lookup(ty), id) {
                    (Err(e), _) => Err(e),
                    (Ok(_), None) if super::attached::is_attached(ty) => {
                        self.read(ty, current).await
                    }
                    (Ok(_), None) => Ok(None),
                    (Ok(t), Some(id)) => match found.get(&id.to_lowercase()) {
                        Some(row) => {
                            let known = attrs(current);
                            if let Some(region) = row["location"].as_str() {
                                self.regions.learn_id(id, region);
                            }
                            // Only an object with child settings needs its own copy.
                            if Self::has_children(&t, &known) {
                                let mut row = row.clone();
                                let children = match self.regions.check(ty, current) {
                                    // Its region is known down: keep the recorded
                                    // children, as when their own GETs answer 503
                                    // (the parent itself came from Resource Graph).
                                    Err(e) if e.kind() == ErrorKind::Unreachable => {
                                        Self::recorded_children(&t, &known, &mut row);
                                        Ok(())
                                    }
                                    Err(e) => Err(e),
                                    Ok(()) => self.read_children(&t, id, &known, &mut row).await,
                                };
                                children.map(|()| Some(self.state_from(&t, &row, &known)))
                            } else {
                                Ok(Some(self.state_from(&t, row, &known)))
                            }
                        }
                        None => self.read(ty, current).await,
                    },
                };
                out.push(res);
            }
            out
        })
    }
}

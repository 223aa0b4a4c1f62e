//! RPO per data store: the lag each promoted replica had before the
//! failover, and afterwards what its promotion lost where the cloud can
//! count it (the provider asks the emulator; against Azure the lag is the
//! bound).

use crate::plan::Plan;

use super::report::{Rpo, StoreRpo};
use super::session::Engine;

/// The replicas this plan promotes, with the lag the cloud reports for
/// each before promotion (None: not readable, e.g. its region is down).
pub(super) fn lags_before(plan: &Plan, engine: &Engine) -> Vec<(String, Option<f64>)> {
    promoted(plan)
        .map(|c| {
            let lag = match (
                engine.providers.for_recorded(&c.provider, &c.ty),
                c.before.as_ref(),
            ) {
                (Ok(p), Some(before)) => engine
                    .rt
                    .block_on(p.replication_lag(&c.ty, before))
                    .ok()
                    .flatten(),
                _ => None,
            };
            (c.address.clone(), lag)
        })
        .collect()
}

/// After the promotions: each store's lost writes as the cloud counts
/// them, or its lag bound where it cannot.
pub(super) fn after(plan: &Plan, engine: &Engine, lags: &[(String, Option<f64>)]) -> Vec<StoreRpo> {
    promoted(plan)
        .map(|c| {
            let lost = match (
                engine.providers.for_recorded(&c.provider, &c.ty),
                c.before.as_ref(),
            ) {
                (Ok(p), Some(before)) => engine
                    .rt
                    .block_on(p.lost_writes(&c.ty, before))
                    .ok()
                    .flatten(),
                _ => None,
            };
            let lag = lags
                .iter()
                .find(|(a, _)| *a == c.address)
                .and_then(|(_, l)| *l);
            StoreRpo {
                address: c.address.clone(),
                rpo: lost.map_or(Rpo::LagBound(lag), Rpo::Lost),
            }
        })
        .collect()
}

/// The data stores whose copy in the new site becomes the primary: replicas
/// promoted, and replication links removed (a geo-replicated cache's
/// secondary is then standalone).
fn promoted(plan: &Plan) -> impl Iterator<Item = &crate::plan::ResourceChange> {
    plan.actions().filter(|c| {
        let facts = crate::provider::type_facts(&c.ty);
        facts.promotes(&c.ty, c.before.as_ref(), c.after.as_ref())
            || (c.action == crate::plan::Action::Delete
                && facts.failover_role(&c.ty) == crate::provider::FailoverRole::Data
                && !facts.holds_data(&c.ty))
    })
}

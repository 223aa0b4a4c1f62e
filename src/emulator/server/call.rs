//! One ARM request on a resource, as the verbs (`read`, `write`,
//! `delete`, `action`) see it.

use std::collections::BTreeMap;

use hyper::HeaderMap;
use serde_json::Value as J;

use super::world::World;
use crate::emulator::arm::ArmPath;
use crate::emulator::store::Row;
use crate::emulator::types::{Caller, Ctx};

/// One ARM request on a resource, as the verbs see it.
pub(super) struct Call<'a> {
    pub path: &'a ArmPath,
    pub api: &'a str,
    pub query: &'a BTreeMap<String, String>,
    pub headers: &'a HeaderMap,
    /// The body as JSON (null when empty).
    pub request: J,
    /// Simulated now.
    pub now: f64,
    /// The emulator's URL, for operation URLs.
    pub base: &'a str,
    pub caller: Caller<'a>,
}

impl Call<'_> {
    /// What a type's rules see of the world, for the resource at `path`.
    pub fn ctx<'b>(
        &'b self,
        w: &'b World,
        path: &'b ArmPath,
        existing: Option<&'b Row>,
    ) -> Ctx<'b> {
        Ctx {
            store: &w.store,
            now: self.now,
            path,
            existing,
            settings: &w.settings,
            regions_down: &w.faults.regions_down,
            caller: self.caller,
        }
    }
}

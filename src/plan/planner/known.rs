//! The values evaluation sees for resources while planning and applying.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::addrs::{AbsResourceInstance, InstanceKey, ModulePath};
use crate::config::evaluate::ResourceValues;
use crate::lang::Value;

/// Values other expressions see for resources: planned (or, at apply,
/// final) values by module instance, resource and key.
#[derive(Default)]
pub struct KnownValues {
    pub map: RefCell<HashMap<(ModulePath, String, InstanceKey), Value>>,
}

impl KnownValues {
    pub fn insert(&self, module: &ModulePath, resource: &str, key: &InstanceKey, v: Value) {
        self.map
            .borrow_mut()
            .insert((module.clone(), resource.to_string(), key.clone()), v);
    }

    /// Records the value of the instance at `address` (as state and plans
    /// write it); an address that does not parse names nothing to record.
    pub fn insert_at(&self, address: &str, v: Value) {
        if let Ok(a) = address.parse::<AbsResourceInstance>() {
            self.insert(&a.module, &a.resource.to_string(), &a.key, v);
        }
    }
}

impl ResourceValues for KnownValues {
    fn get(&self, module: &ModulePath, resource: &str, key: &InstanceKey) -> Option<Value> {
        self.map
            .borrow()
            .get(&(module.clone(), resource.to_string(), key.clone()))
            .cloned()
    }
}

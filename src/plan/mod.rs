//! Plans: what will change and why, as plain values. A plan is computed
//! by `planner` and executed as given by `apply`; renderers read it.

pub mod deps;
pub mod import;
pub mod model;
pub mod phases;
pub mod planner;

pub use model::*;

//! drinfra: an executable disaster-recovery plan for Azure.
//! See ARCHITECTURE.md for the code map.

pub mod diag;
pub mod lang;
pub mod config;
pub mod render;

//! drinfra: an executable disaster-recovery plan for Azure.
//! See ARCHITECTURE.md for the code map.

pub mod addrs;
pub mod apply;
pub mod config;
pub mod der;
pub mod diag;
pub mod digest;
pub mod emulator;
pub mod failover;
pub mod graph;
pub mod lang;
pub mod ops;
pub mod plan;
pub mod provider;
pub mod random;
pub mod regions;
pub mod render;
pub mod state;
pub mod timefmt;

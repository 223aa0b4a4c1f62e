//! The integration tests, one binary: linking one test executable instead
//! of one per file saves minutes of link time on a two-core machine.
//! Each file under tests/ is a module here; `cargo test --test all NAME::`
//! runs one of them.

mod apply_lib;
mod apply_panics;
mod azblob_first_use;
mod azure;
mod azure_live;
mod backends;
mod broken;
mod builtin_providers;
mod checkov;
mod cli;
mod common;
mod destructive;
mod dr_check;
mod emulator;
mod engine;
mod evaluate;
mod failover;
mod failover_order;
mod fence;
mod fmt;
mod fuzz_config;
mod fuzz_decoders;
mod identity;
mod lang;
mod lang_hardening;
mod layers;
mod locks;
mod modules;
mod ops_failover;
mod output_cmd;
mod parity;
mod pg_first_use;
mod plan_output;
mod provider_settings;
mod remote_state;
mod resume;
mod secrets;
mod state_team;
mod vars_hardening;

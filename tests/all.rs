//! The integration tests, one binary: linking one test executable instead
//! of one per file saves minutes of link time on a two-core machine.
//! Each file under tests/ is a module here; `cargo test --test all NAME::`
//! runs one of them.

mod alert_failover;
mod apply_lib;
mod apply_panics;
mod azblob_first_use;
mod azure;
mod azure_breadth;
mod azure_live;
mod azure_types;
mod azure_types_extra;
mod azurerm_coverage;
mod backend_config;
mod backends;
mod broken;
mod builtin_providers;
mod checkov;
mod cli;
mod common;
mod destructive;
mod dr_check;
mod drills;
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
mod language_blocks;
mod layers;
mod live_view;
mod locks;
mod modules;
mod ops_failover;
mod output_cmd;
mod parity;
mod pg_first_use;
mod pipelines;
mod plan_output;
mod provider_settings;
mod remote_state;
mod resume;
mod runbook_steps;
mod secrets;
mod state_team;
pub mod terraform_cli;
mod vars_hardening;
mod workloads;
mod workspaces;

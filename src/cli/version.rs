//! `drinfra version [-json]` and `drinfra providers`.

use std::collections::BTreeSet;
use std::process::ExitCode;

use clap::Args;

use super::args::Env;
use drinfra::config::providers::{implied_local_name, source_of};

#[derive(Args)]
pub struct VersionArgs {
    /// Terraform's `version -json` document (drinfra's version added).
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ProvidersArgs {}

/// Go's names for this machine, as Terraform reports its platform.
fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

pub fn run(a: VersionArgs) -> anyhow::Result<ExitCode> {
    let language = drinfra::config::version::TERRAFORM_LANGUAGE;
    if a.json {
        // Terraform's shape: `terraform_version` is the language version
        // drinfra follows (what `required_version` is checked against);
        // the providers are built in, so none are selected.
        let doc = serde_json::json!({
            "terraform_version": language,
            "platform": platform(),
            "provider_selections": {},
            "terraform_outdated": false,
            "drinfra_version": env!("CARGO_PKG_VERSION"),
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!("drinfra v{}", env!("CARGO_PKG_VERSION"));
        println!("on {}", platform());
        println!(
            "Terraform language v{language} (what terraform {{ required_version }} is checked against)"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Terraform's `providers`: the providers the configuration and the state
/// need. drinfra's providers are built in, so there are no versions; the
/// configuration's providers are listed for the whole tree under `.`.
pub fn run_providers(env: &Env, _a: ProvidersArgs) -> anyhow::Result<ExitCode> {
    let (config, diags) = drinfra::config::load(&env.dir);
    if diags.has_errors() {
        env.view().event(drinfra::ops::Event::Diagnostics {
            diags: &diags,
            sources: &config.sources,
        });
        return Ok(ExitCode::from(1));
    }
    let mut needed = BTreeSet::new();
    for m in &config.modules {
        for r in m.resources.values() {
            let local = r
                .provider
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_else(|| implied_local_name(&r.ty).to_string());
            needed.insert(source_of(m, &local));
        }
    }
    println!("\nProviders required by configuration:\n.");
    let n = needed.len();
    for (i, p) in needed.iter().enumerate() {
        let branch = if i + 1 == n { "└──" } else { "├──" };
        println!("{branch} provider[{p}]");
    }
    let mut view = env.view();
    if let Ok(b) =
        drinfra::ops::state_edit::open_backend(&env.dir, &env.vars, &mut |e| view.event(e))
        && let Ok(Some(state)) = b.load()
        && !state.resources.is_empty()
    {
        let recorded: BTreeSet<String> = state
            .resources
            .values()
            .map(|r| {
                drinfra::config::providers::ProviderConfigAddr::parse(&r.provider)
                    .map(|p| p.provider)
                    .unwrap_or_else(|| r.provider.clone())
            })
            .collect();
        println!("\nProviders required by state:\n");
        for p in recorded {
            println!("    provider[{p}]");
        }
    }
    println!();
    Ok(ExitCode::SUCCESS)
}

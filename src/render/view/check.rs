//! What `check` prints: each gap at its place, then each failover group's
//! estimate against its objectives and the verdict; or one JSON document.

use crate::ops::check::{CheckOutcome, Estimate};
use crate::render::diagnostics;

use super::View;

fn dur(secs: u64) -> String {
    if secs >= 60 && secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else if secs >= 60 {
        format!("{} min {} s", secs / 60, secs % 60)
    } else {
        format!("{secs} s")
    }
}

fn estimate_json(e: &Estimate) -> serde_json::Value {
    serde_json::json!({
        "group": e.group,
        "rto_seconds": e.rto,
        "rpo_seconds": e.rpo,
        "estimate_seconds": e.total(),
        "parts": {
            "detection": e.detection,
            "decision": e.decision,
            "data": e.data,
            "capacity": e.capacity,
            "traffic": e.traffic,
            "dns": e.propagation,
        },
        "meets_rto": e.meets_rto(),
    })
}

impl View {
    /// Shows check's findings; whether every objective can be met.
    pub fn checked(&self, out: &CheckOutcome, json: bool) -> Result<bool, serde_json::Error> {
        let sources = &out.stack.config.sources;
        let diags = out.diagnostics();
        if json {
            let located = diagnostics::to_json(&diags, sources, &self.dir);
            let findings: Vec<serde_json::Value> = out
                .findings
                .iter()
                .map(|f| {
                    let mut d = diagnostics::to_json(
                        &crate::diag::Diagnostics {
                            items: vec![f.diagnostic.clone()],
                        },
                        sources,
                        &self.dir,
                    )["diagnostics"][0]
                        .clone();
                    d["group"] = f.group.clone().into();
                    d["objective"] = f.objective.as_str().into();
                    d["blocking"] = f.blocking.into();
                    d["address"] = f.address.clone().into();
                    d["argument"] = f.argument.clone().into();
                    d
                })
                .collect();
            let doc = serde_json::json!({
                "ok": out.ok(),
                "groups": out.estimates.iter().map(estimate_json).collect::<Vec<_>>(),
                "findings": findings,
                "diagnostics": located["diagnostics"],
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
            return Ok(out.ok());
        }
        if !diags.is_empty() {
            eprint!(
                "{}",
                diagnostics::render_all(&diags, sources, &self.dir, self.style)
            );
        }
        for e in &out.estimates {
            let target = |o: Option<u64>| o.map(dur).unwrap_or_else(|| "not set".into());
            println!(
                "{}: RTO {}, RPO {}; failover estimate {} ({}): detection {} + decision {} + data {} + capacity {} + traffic {} + DNS {}",
                self.style.bold(&e.group),
                target(e.rto),
                target(e.rpo),
                dur(e.total()),
                if e.meets_rto() {
                    "within RTO"
                } else {
                    "beyond RTO"
                },
                dur(e.detection),
                dur(e.decision),
                dur(e.data),
                dur(e.capacity),
                dur(e.traffic),
                dur(e.propagation),
            );
        }
        let blocking = out.findings.iter().filter(|f| f.blocking).count();
        if out.ok() {
            println!("Every objective can be met by this configuration.");
        } else {
            eprintln!(
                "\n{blocking} gap{} between the objectives and what the configuration delivers.",
                if blocking == 1 { "" } else { "s" }
            );
        }
        Ok(out.ok())
    }
}

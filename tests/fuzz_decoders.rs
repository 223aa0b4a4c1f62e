//! Fuzzing the state and plan-file decoders on stable Rust: a
//! deterministic mutation fuzzer (seeded PRNG) over valid state, journal
//! and plan files that drinfra itself wrote, with byte flips, insertions,
//! deletions, truncations and JSON-aware value swaps. Every case must
//! decode to a typed error, or to a value that renders, round-trips and
//! passes the staleness check without panicking.
//!
//! A bounded number of cases runs in the normal suite; `scripts/fuzz.sh
//! state` / `scripts/fuzz.sh plan` run longer (DRINFRA_FUZZ_SECONDS or
//! DRINFRA_FUZZ_CASES, DRINFRA_FUZZ_SEED). Inputs that panic are kept in
//! target/fuzz-findings/.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use drinfra::plan::Plan;
use drinfra::state::crypto::Cipher;
use drinfra::state::{Change, Record, State};

const KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";

/// SplitMix64: small, seedable, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Values a JSON-aware mutation puts in place of another.
fn odd_value(rng: &mut Rng) -> serde_json::Value {
    use serde_json::json;
    let deep = (0..rng.below(200)).fold(json!(1), |v, _| json!([v]));
    let pick = [
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(1e300),
        json!(""),
        json!("t.n["),
        json!("module."),
        json!("module.a[\"x\"].module.b[9999999999999999999].t.n[\"k\"]"),
        json!("["),
        json!("]"),
        json!("\u{0}\u{ffff}é"),
        json!("x".repeat(10_000)),
        json!([]),
        json!({}),
        json!([[["a"]], {"": null}]),
        json!({"sensitive": ["a", 0, ["b"]]}),
        deep,
    ];
    pick[rng.below(pick.len())].clone()
}

/// Every node of a JSON document, by path, for swaps.
fn nodes(
    v: &serde_json::Value,
    path: Vec<String>,
    out: &mut Vec<(Vec<String>, serde_json::Value)>,
) {
    out.push((path.clone(), v.clone()));
    match v {
        serde_json::Value::Object(m) => m
            .iter()
            .for_each(|(k, x)| nodes(x, [path.clone(), vec![k.clone()]].concat(), out)),
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| nodes(x, [path.clone(), vec![i.to_string()]].concat(), out)),
        _ => {}
    }
}

fn at<'a>(v: &'a mut serde_json::Value, path: &[String]) -> Option<&'a mut serde_json::Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(v);
    };
    match v {
        serde_json::Value::Object(m) => at(m.get_mut(first)?, rest),
        serde_json::Value::Array(a) => at(a.get_mut(first.parse::<usize>().ok()?)?, rest),
        _ => None,
    }
}

/// A JSON-aware mutation: replace a node with another node of the same
/// document or an odd value, or drop or add an object member.
fn mutate_json(data: &[u8], rng: &mut Rng) -> Option<Vec<u8>> {
    let mut doc: serde_json::Value = serde_json::from_slice(data).ok()?;
    let mut all = Vec::new();
    nodes(&doc, vec![], &mut all);
    let (path, _) = all[rng.below(all.len())].clone();
    match rng.below(4) {
        0 => {
            let other = all[rng.below(all.len())].1.clone();
            *at(&mut doc, &path)? = other;
        }
        1 => *at(&mut doc, &path)? = odd_value(rng),
        2 => {
            if let serde_json::Value::Object(m) = at(&mut doc, &path)? {
                let keys: Vec<String> = m.keys().cloned().collect();
                if !keys.is_empty() {
                    m.remove(&keys[rng.below(keys.len())]);
                }
            }
        }
        _ => {
            if let serde_json::Value::Object(m) = at(&mut doc, &path)? {
                let name = [
                    "address",
                    "serial",
                    "version",
                    "action",
                    "before",
                    "after",
                    "key",
                    "sensitive_paths",
                    "index",
                    "x",
                ][rng.below(10)];
                m.insert(name.into(), odd_value(rng));
            }
        }
    }
    if rng.below(2) == 0 {
        serde_json::to_vec(&doc).ok()
    } else {
        serde_json::to_vec_pretty(&doc).ok()
    }
}

fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..1 + rng.below(3) {
        let len = data.len();
        match rng.below(7) {
            0 if len > 0 => {
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(len);
                    data[i] ^= 1 << rng.below(8);
                }
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = b"\0\xff\"{}[],:\\0-9eE.nt \n"[rng.below(20)];
            }
            2 => data.truncate(rng.below(len + 1)),
            3 if len > 0 => {
                let i = rng.below(len);
                let j = (i + 1 + rng.below(64)).min(len);
                data.drain(i..j);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let j = (i + 1 + rng.below(256)).min(len);
                let piece = data[i..j].to_vec();
                let at = rng.below(len);
                data.splice(at..at, piece);
            }
            _ => {
                if let Some(m) = mutate_json(&data, rng) {
                    data = m;
                }
            }
        }
    }
    data
}

fn drinfra(dir: &Path, args: &[&str], env: &[(&str, &str)]) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drinfra"));
    cmd.arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("drinfra runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const STACK: &str = r#"
variable "pw" {
  type      = string
  sensitive = true
  default   = "s3cret"
}
resource "terraform_data" "a" {
  count = 2
  input = "a-${count.index}"
}
resource "terraform_data" "e" {
  for_each = toset(["x", "y.z"])
  input    = { k = each.key, pw = var.pw, n = [1, 2.5, null] }
  lifecycle {
    replace_triggered_by = [terraform_data.a[0].output]
  }
}
module "m" {
  source = "./m"
  v      = terraform_data.a[0].output
}
output "o" {
  value = terraform_data.a[*].output
}
output "s" {
  value     = var.pw
  sensitive = true
}
"#;

const MODULE: &str = "variable \"v\" {}\nresource \"terraform_data\" \"in\" {\n  triggers_replace = [var.v, 2]\n}\noutput \"id\" {\n  value = terraform_data.in.id\n}\n";

/// Valid files drinfra wrote: (name, bytes) of states, journal records
/// and plans (plain and encrypted).
/// Named seed files.
type Seeds = Vec<(String, Vec<u8>)>;

fn corpus() -> (Seeds, Seeds) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("m")).unwrap();
    std::fs::write(d.join("m/main.tf"), MODULE).unwrap();
    std::fs::write(d.join("main.tf"), STACK).unwrap();
    drinfra(d, &["plan", "--out", "create.plan"], &[]);
    drinfra(d, &["apply", "--auto-approve"], &[]);
    let state_bytes = std::fs::read(d.join("drinfra.tfstate")).unwrap();
    std::fs::write(
        d.join("main.tf"),
        STACK
            .replace("a-${count.index}", "b-${count.index}")
            .replace("count = 2", "count = 1")
            .replace("\"y.z\"", "\"w\""),
    )
    .unwrap();
    drinfra(d, &["plan", "--out", "change.plan"], &[]);
    drinfra(d, &["plan", "--destroy", "--out", "destroy.plan"], &[]);
    drinfra(
        d,
        &["plan", "--out", "sealed.plan"],
        &[("DRINFRA_STATE_KEY", KEY)],
    );
    let mut plans = Vec::new();
    for name in ["create.plan", "change.plan", "destroy.plan", "sealed.plan"] {
        plans.push((name.to_string(), std::fs::read(d.join(name)).unwrap()));
    }
    let state: State = serde_json::from_slice(&state_bytes).unwrap();
    let sealed = Cipher::from_env(&[("DRINFRA_STATE_KEY".to_string(), KEY.to_string())]).unwrap();
    let mut states = vec![
        ("state".to_string(), state_bytes.clone()),
        (
            "state-compact".to_string(),
            serde_json::to_vec(&state).unwrap(),
        ),
        (
            "state-sealed".to_string(),
            sealed.seal(&state_bytes).unwrap(),
        ),
    ];
    let first = state.resources.values().next().cloned().unwrap();
    let records = [
        Record {
            serial: 2,
            change: Change::Put(Box::new(first.clone())),
        },
        Record {
            serial: 2,
            change: Change::Remove(first.address.clone()),
        },
        Record {
            serial: 3,
            change: Change::Outputs(state.outputs.clone()),
        },
        Record {
            serial: 4,
            change: Change::Replace(Box::new(state.clone())),
        },
    ];
    for (i, r) in records.iter().enumerate() {
        states.push((format!("record-{i}"), serde_json::to_vec(r).unwrap()));
    }
    (states, plans)
}

fn cipher() -> Cipher {
    Cipher::from_env(&[("DRINFRA_STATE_KEY".to_string(), KEY.to_string())]).unwrap()
}

/// The state target: a snapshot or a journal record.
fn state_case(data: &[u8], c: &Cipher) -> bool {
    let mut decoded = false;
    if let Ok(state) = drinfra::state::decode_snapshot(data, c, "fuzz") {
        decoded = true;
        for rs in state.resources.values() {
            let _ = rs.value();
        }
        let _ = drinfra::render::plan_json::state(&state);
        let again =
            drinfra::state::decode_snapshot(&serde_json::to_vec(&state).unwrap(), c, "fuzz")
                .expect("a decoded state re-decodes");
        assert_eq!(again, state, "round trip");
        if let Ok(next) = state.next_serial() {
            assert!(next > state.serial);
        }
        plan_against(&state);
    }
    if let Ok(rec) = drinfra::state::decode_record(data, c, "fuzz") {
        decoded = true;
        let mut s = State::new().unwrap();
        s.apply_record(&rec);
        for rs in s.resources.values() {
            let _ = rs.value();
        }
    }
    decoded
}

/// The stack the corpus was made from, loaded once per thread, with a
/// runtime: decoded states are planned against it (refresh, moves,
/// implied moves, orphans, outputs all read recorded addresses).
struct Planning {
    _dir: tempfile::TempDir,
    stack: drinfra::config::Stack,
    cwd: PathBuf,
    rt: tokio::runtime::Runtime,
}

thread_local! {
    static PLANNING: Planning = {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("m")).unwrap();
        std::fs::write(dir.path().join("m/main.tf"), MODULE).unwrap();
        std::fs::write(dir.path().join("main.tf"), STACK).unwrap();
        let stack = drinfra::config::open(dir.path(), &[], &[]);
        assert!(!stack.diags.has_errors());
        let cwd = dir.path().to_path_buf();
        Planning { _dir: dir, stack, cwd, rt: tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap() }
    };
}

fn plan_against(state: &State) {
    PLANNING.with(|p| {
        let providers = drinfra::provider::Providers::builtin();
        for destroy in [false, true] {
            let opts = drinfra::plan::planner::PlanOptions {
                destroy,
                targets: if destroy {
                    vec!["terraform_data.a".into()]
                } else {
                    vec![]
                },
                ..Default::default()
            };
            let (plan, _) = p.rt.block_on(drinfra::plan::planner::plan(
                &p.stack.config,
                &p.stack.inputs,
                &p.cwd,
                Some(state),
                &providers,
                &opts,
            ));
            if let Some(plan) = plan {
                let _ =
                    drinfra::render::plan::render(&plan, drinfra::render::style::Style::plain());
            }
        }
    });
}

/// The plan target: decode, then everything that reads a plan file.
fn plan_case(data: &[u8], c: &Cipher) -> bool {
    let Ok(plan) = Plan::decode(data, c, "fuzz") else {
        return false;
    };
    let _ = drinfra::render::plan::render(&plan, drinfra::render::style::Style::plain());
    let _ = drinfra::render::plan_markdown::render(&plan, 65_000);
    let _ = drinfra::render::plan_json::plan(&plan, plan.prior_state.as_ref(), None);
    let _ = drinfra::render::events::plan(&plan);
    let _ = plan.counts();
    let _ = plan.has_changes();
    let _ = drinfra::apply::check_plan_is_current(
        &plan,
        plan.prior_state.as_ref(),
        &plan.config_digest,
    );
    let again = Plan::decode(&serde_json::to_vec(&plan).unwrap(), c, "fuzz")
        .expect("a decoded plan re-decodes");
    assert_eq!(
        serde_json::to_value(&again).unwrap(),
        serde_json::to_value(&plan).unwrap(),
        "round trip"
    );
    true
}

struct Budget {
    cases: u64,
    until: Option<Instant>,
    seed: u64,
}

fn budget(default_cases: u64) -> Budget {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    Budget {
        cases: env("DRINFRA_FUZZ_CASES").unwrap_or(if env("DRINFRA_FUZZ_SECONDS").is_some() {
            u64::MAX
        } else {
            default_cases
        }),
        until: env("DRINFRA_FUZZ_SECONDS").map(|s| Instant::now() + Duration::from_secs(s)),
        seed: env("DRINFRA_FUZZ_SEED").unwrap_or(0x5eed),
    }
}

fn run(
    target: &str,
    seeds: &[(String, Vec<u8>)],
    case: fn(&[u8], &Cipher) -> bool,
    default_cases: u64,
) {
    let b = budget(default_cases);
    let c = cipher();
    // The seeds themselves decode.
    for (_, s) in seeds {
        case(s, &c);
    }
    let mut rng = Rng(b.seed);
    let findings = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-findings");
    let mut failed = Vec::new();
    let mut n = 0u64;
    let mut valid = 0u64;
    let start = Instant::now();
    while n < b.cases && b.until.is_none_or(|t| Instant::now() < t) {
        let (name, seed) = &seeds[rng.below(seeds.len())];
        let data = mutate(seed, &mut rng);
        let outcome = catch_unwind(AssertUnwindSafe(|| case(&data, &c)));
        if outcome.as_ref().is_ok_and(|ok| *ok) {
            valid += 1;
        }
        if outcome.is_err() {
            std::fs::create_dir_all(&findings).unwrap();
            let path = findings.join(format!("{target}-{:x}-{n}-{name}.bin", b.seed));
            std::fs::write(&path, &data).unwrap();
            failed.push(path.display().to_string());
            if failed.len() >= 20 {
                break;
            }
        }
        n += 1;
    }
    eprintln!(
        "fuzz {target}: {n} cases in {:.1?} (seed {:#x}), {valid} decoded to a value, {} panicking",
        start.elapsed(),
        b.seed,
        failed.len()
    );
    assert!(
        failed.is_empty(),
        "inputs that panic the {target} decoder:\n{}",
        failed.join("\n")
    );
}

#[test]
fn fuzz_state_decoder() {
    let (states, _) = corpus();
    run("state", &states, state_case, 5000);
}

#[test]
fn fuzz_plan_decoder() {
    let (_, plans) = corpus();
    run("plan", &plans, plan_case, 1500);
}

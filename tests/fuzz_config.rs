//! A deterministic mutation fuzzer for the configuration loader and
//! evaluator, on stable Rust.
//!
//! Seeds are the `.tf` files of tests/broken, examples/ and the parity
//! corpus; each case mutates one (byte flips, deletions, duplications,
//! splices from other files, tokens known to have hurt before) with a seeded
//! PRNG, writes it as `main.tf` and runs `ops::validate::validate` on it. A case
//! must not panic and must finish within a time bound. A stack overflow
//! aborts the process: the case being run is always on disk first
//! (`$CARGO_TARGET_TMPDIR/fuzz-config-PID/main.tf`) so it can be replayed.
//!
//! In the test suite a bounded number of cases runs. For longer:
//! `scripts/fuzz.sh config SECONDS`, or the variables
//! `DRINFRA_FUZZ_CASES` (number of cases), `DRINFRA_FUZZ_SECONDS` (run until
//! this much time has passed), `DRINFRA_FUZZ_SEED` (first seed; case `i`
//! uses seed + i), `DRINFRA_FUZZ_ONLY` (replay one case index) and
//! `DRINFRA_FUZZ_CASE_MS` (time bound per case, default 20000).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// splitmix64: small, fast, and the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Fragments inserted whole: syntax, and values that hurt drinfra before.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "${",
    "%{",
    "}",
    "\n",
    " = ",
    ".",
    "*",
    "...",
    ",",
    ":",
    "?",
    "=>",
    "!",
    "-",
    "<<EOF\nx\nEOF\n",
    "<<-EOT\n  a ${1}\n  EOT\n",
    "# c\n",
    "/* c */",
    "//",
    "\\",
    "\u{e9}",
    "\u{1F600}",
    "\t",
    "1e309",
    "-1e309",
    "4e18",
    "1e9",
    "9223372036854775807",
    "-9223372036854775808",
    "0.1",
    "1e-400",
    "0x10",
    "00",
    "null",
    "true",
    "false",
    "count",
    "for_each",
    "count.index",
    "each.key",
    "each.value",
    "self",
    "path.module",
    "local.",
    "var.",
    "module.",
    "data.",
    "terraform_data.",
    "terraform.workspace",
    "count = 1e9\n",
    "count = -1\n",
    "count = 3\n",
    "for_each = toset([\"a\", \"b\"])\n",
    "for_each = { a = 1 }\n",
    "substr(\"abc\", 1, 9223372036854775807)",
    "substr(\"abc\", -9223372036854775808, -1)",
    "format(\"%.65536f\", 1)",
    "format(\"%0999999999d\", 1)",
    "formatlist(\"%.99999999f\", [1])",
    "format(\"%[0]d\", 1)",
    "file(\"/dev/zero\")",
    "file(\"/\")",
    "file(\"main.tf\")",
    "templatefile(\"main.tf\", {})",
    "fileexists(\".\")",
    "cidrsubnet(\"::/0\", 4294967296, 1)",
    "cidrhost(\"10.0.0.0/8\", -9223372036854775808)",
    "setproduct(range(1000), range(1000), range(1000))",
    "range(1e308)",
    "range(0, 1, 1e-300)",
    "slice([1], 0, -1)",
    "element([1], 9223372036854775807)",
    "parseint(\"zzzzzzzzzzzzzzzzzzzzzzzzzzzz\", 36)",
    "jsondecode(\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\")",
    "regex(\"(\", \"x\")",
    "regexall(\"a*\", \"aaa\")",
    "replace(\"x\", \"/(/\", \"\")",
    "base64decode(\"/w==\")",
    "sensitive(\"x\")",
    "tolist(toset([1, \"a\"]))",
    "merge({ a = 1 }, [1])",
    "flatten([[[[1]]]])",
    "[for x in [1] : x]...",
    "{ for k, v in { a = 1 } : k => v... }",
    "try(nope(), 1)",
    "can(1)",
    "one([1, 2])",
    "lookup({}, \"k\")",
    "[for x in range(1000) : [for y in range(1000) : y]]",
    "dynamic \"d\" {\n for_each = [1]\n content {\n x = d.value\n }\n}\n",
    "lifecycle {\n prevent_destroy = true\n}\n",
    "depends_on = [terraform_data.a]\n",
    "variable \"v\" {\n default = 1\n sensitive = true\n}\n",
    "locals {\n l = local.l\n}\n",
    "module \"m\" {\n source = \"./\"\n}\n",
    "module \"m\" {\n source = \"../../../../etc\"\n}\n",
    "resource \"terraform_data\" \"a\" {\n input = var.v\n}\n",
    "output \"o\" {\n value = local.x\n}\n",
];

/// A random expression of at most `depth` levels, from the whole function
/// library, references, operators, `for`, templates and extreme literals.
fn expr(rng: &mut Rng, depth: usize) -> String {
    const NUMBERS: &[&str] = &[
        "0",
        "1",
        "2",
        "3",
        "-1",
        "0.5",
        "1.5",
        "1e308",
        "-1e308",
        "9223372036854775807",
        "-9223372036854775808",
        "4294967296",
        "65536",
        "1e9",
        "100001",
        "63",
        "128",
    ];
    const STRINGS: &[&str] = &[
        "\"a\"",
        "\"\"",
        "\"abc\"",
        "\"10.0.0.0/16\"",
        "\"::/0\"",
        "\"%s-%d\"",
        "\"%.65536f\"",
        "\"%0999999999d\"",
        "\"%[2]v\"",
        "\"main.tf\"",
        "\"/dev/zero\"",
        "\"/\"",
        "\"[\"",
        "\"a*\"",
        "\"-12\"",
        "\"true\"",
        "\"\u{e9}\u{e9}\"",
    ];
    const OTHERS: &[&str] = &[
        "null",
        "true",
        "[]",
        "{}",
        "[1, \"a\"]",
        "{ a = 1, b = \"x\" }",
        "local.a",
        "local.b",
        "var.v",
        "var.s",
        "count.index",
        "each.key",
        "each.value",
        "terraform_data.a",
        "terraform_data.a.id",
        "terraform_data.a[0]",
        "module.m",
        "path.module",
        "self",
        "x",
        "[\"a\", \"b\"]",
        "{ k = [1] }",
        "range(3)",
        "toset([\"a\"])",
    ];
    if depth == 0 || rng.chance(30) {
        let pool = [NUMBERS, STRINGS, OTHERS][rng.below(3)];
        return pool[rng.below(pool.len())].to_string();
    }
    let d = depth - 1;
    match rng.below(9) {
        0..=2 => {
            let names = drinfra::lang::functions::NAMES;
            let n = rng.below(4);
            let args: Vec<String> = (0..n).map(|_| expr(rng, d)).collect();
            let spread = if n > 0 && rng.chance(10) { "..." } else { "" };
            format!(
                "{}({}{spread})",
                names[rng.below(names.len())],
                args.join(", ")
            )
        }
        3 => {
            let op = ["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"][rng.below(11)];
            format!("{} {op} {}", expr(rng, d), expr(rng, d))
        }
        4 => format!("{} ? {} : {}", expr(rng, d), expr(rng, d), expr(rng, d)),
        5 => match rng.below(3) {
            0 => format!("[for x in {} : {}]", expr(rng, d), expr(rng, d)),
            1 => format!(
                "{{ for k, x in {} : tostring(k) => {} }}",
                expr(rng, d),
                expr(rng, d)
            ),
            _ => format!("[for x in {} : x if {}]", expr(rng, d), expr(rng, d)),
        },
        6 => format!(
            "\"pre-${{{}}}-%{{ if {} }}y%{{ endif }}\"",
            expr(rng, d),
            expr(rng, d)
        ),
        7 => format!("{}[{}]", expr(rng, d), expr(rng, d)),
        _ => format!("({})[*].{}", expr(rng, d), ["id", "a", "x"][rng.below(3)]),
    }
}

/// A small stack around generated expressions, so that most cases get past
/// the parser into evaluation.
fn generated(rng: &mut Rng) -> Vec<u8> {
    let mut s = String::from(
        "variable \"v\" {\n  default = 2\n}\nvariable \"s\" {\n  default   = \"pw\"\n  sensitive = true\n}\n",
    );
    s.push_str(&format!(
        "locals {{\n  a = {}\n  b = {}\n}}\n",
        expr(rng, 3),
        expr(rng, 3)
    ));
    let meta = [
        "",
        "  count = 2\n",
        "  for_each = { x = 1, y = 2 }\n",
        &format!("  count = {}\n", expr(rng, 2)),
        &format!("  for_each = {}\n", expr(rng, 2)),
    ][rng.below(5)]
    .to_string();
    s.push_str(&format!(
        "resource \"terraform_data\" \"a\" {{\n{meta}  input = {}\n}}\n",
        expr(rng, 3)
    ));
    s.push_str(&format!(
        "output \"o\" {{\n  value = {}\n}}\n",
        expr(rng, 3)
    ));
    s.into_bytes()
}

/// The seed files: every `.tf` under the given directories.
fn corpus(root: &Path) -> Vec<Vec<u8>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "tf") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    for d in ["tests/broken", "examples", "tests/parity/corpus"] {
        walk(&root.join(d), &mut files);
    }
    files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

fn range_in(rng: &mut Rng, len: usize) -> (usize, usize) {
    let start = rng.below(len + 1);
    let cap = if rng.chance(80) { 16 } else { 512 };
    let max = (len - start).min(cap);
    (start, start + rng.below(max + 1))
}

/// One mutated configuration, a pure function of the corpus and the seed.
fn mutate(corpus: &[Vec<u8>], seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed);
    let generate = rng.chance(40);
    let mut data = if generate {
        generated(&mut rng)
    } else {
        corpus[rng.below(corpus.len())].clone()
    };
    if generate && rng.chance(50) {
        return data;
    }
    let most = if rng.chance(80) { 3 } else { 12 };
    let rounds = 1 + rng.below(most);
    for _ in 0..rounds {
        match rng.below(8) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] = b" {}[]()\"$%=.,:\n\\#0123456789aez-+*/<>!?"[rng.below(38)];
            }
            2 => {
                let (a, b) = range_in(&mut rng, data.len());
                data.drain(a..b);
            }
            3 => {
                let (a, b) = range_in(&mut rng, data.len());
                let chunk = data[a..b].to_vec();
                let at = rng.below(data.len() + 1);
                data.splice(at..at, chunk);
            }
            4 | 5 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                let at = rng.below(data.len() + 1);
                data.splice(at..at, t.iter().copied());
            }
            6 => {
                // Splice a piece of another file in place of a piece of this one.
                let other = &corpus[rng.below(corpus.len())];
                let (a, b) = range_in(&mut rng, other.len());
                let (c, d) = range_in(&mut rng, data.len());
                data.splice(c..d, other[a..b].iter().copied());
            }
            _ => {
                // Replace a number with an extreme one.
                let digits: Vec<usize> = (0..data.len())
                    .filter(|&i| data[i].is_ascii_digit())
                    .collect();
                if let Some(&i) = digits.get(rng.below(digits.len())) {
                    let t = [
                        "1e309",
                        "4e18",
                        "99999",
                        "-1",
                        "1.5",
                        "0",
                        "9223372036854775807",
                    ][rng.below(7)];
                    data.splice(i..i + 1, t.bytes());
                }
            }
        }
    }
    data
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// What one case produced: error summaries (for the report), or a panic.
type Outcome = Result<Vec<String>, String>;

fn run_case(dir: &Path) -> Outcome {
    std::panic::catch_unwind(|| {
        let (stack, _) = drinfra::ops::validate::validate(dir, &[], &[], dir, false);
        stack.diags.errors().map(|d| d.summary.clone()).collect()
    })
    .map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

#[test]
fn mutated_configurations_never_panic_or_hang() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = corpus(root);
    assert!(
        corpus.len() >= 40,
        "seed corpus too small: {}",
        corpus.len()
    );
    let seed = env_u64("DRINFRA_FUZZ_SEED").unwrap_or(0x5eed);
    let seconds = env_u64("DRINFRA_FUZZ_SECONDS");
    let cases =
        env_u64("DRINFRA_FUZZ_CASES").unwrap_or(if seconds.is_some() { u64::MAX } else { 5000 });
    let only = env_u64("DRINFRA_FUZZ_ONLY");
    let case_limit = Duration::from_millis(env_u64("DRINFRA_FUZZ_CASE_MS").unwrap_or(20_000));
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs(s));

    // The case being run stays on disk, so an abort (stack overflow) can be
    // replayed; one directory per process so parallel runs do not collide.
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("fuzz-config-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();

    // Cases run on a worker thread, so a hang is noticed and reported.
    let (to_worker, jobs) = mpsc::channel::<()>();
    let (results, from_worker) = mpsc::channel::<Outcome>();
    let worker_dir = work.clone();
    let worker = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            while jobs.recv().is_ok() {
                if results.send(run_case(&worker_dir)).is_err() {
                    break;
                }
            }
        })
        .unwrap();
    // The default hook would print every caught panic with a backtrace.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));

    let started = Instant::now();
    let mut ran = 0u64;
    let mut slowest = (Duration::ZERO, 0u64);
    let mut summaries: BTreeMap<String, u64> = BTreeMap::new();
    let mut parsed = 0u64;
    let mut failure = None;
    for i in 0..cases {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        if only.is_some_and(|o| o != i) {
            continue;
        }
        let case_seed = seed.wrapping_add(i);
        let text = mutate(&corpus, case_seed);
        if only.is_some() {
            eprintln!(
                "case {i} (seed {case_seed}):\n{}",
                String::from_utf8_lossy(&text)
            );
        }
        std::fs::write(work.join("main.tf"), &text).unwrap();
        let t = Instant::now();
        to_worker.send(()).unwrap();
        let outcome = from_worker.recv_timeout(case_limit);
        let took = t.elapsed();
        ran += 1;
        if took > slowest.0 {
            slowest = (took, case_seed);
        }
        match outcome {
            Ok(Ok(errors)) => {
                if !errors.iter().any(|s| s.starts_with("Invalid syntax")) {
                    parsed += 1;
                }
                for s in errors {
                    *summaries.entry(s).or_default() += 1;
                }
            }
            Ok(Err(panic)) => {
                failure = Some(format!("case {i} (seed {case_seed}) panicked: {panic}"));
                break;
            }
            Err(_) => {
                failure = Some(format!(
                    "case {i} (seed {case_seed}) took more than {case_limit:?}"
                ));
                break;
            }
        }
    }
    std::panic::set_hook(hook);
    eprintln!(
        "fuzz config: {ran} cases ({parsed} past the parser) in {:.1?} from seed {seed}; slowest {:.1?} (seed {}); {} distinct error summaries",
        started.elapsed(),
        slowest.0,
        slowest.1,
        summaries.len()
    );
    if let Some(f) = failure {
        let keep = work.join("failing.tf");
        let _ = std::fs::copy(work.join("main.tf"), &keep);
        // A hung worker cannot be joined; the process ends with the test.
        panic!("{f}; the input is in {}", keep.display());
    }
    drop(to_worker);
    let _ = worker.join();
    let _ = std::fs::remove_dir_all(&work);
}

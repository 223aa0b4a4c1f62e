//! hashicorp/random: `random_string`, `random_password`, `random_id`,
//! `random_pet`, `random_integer`, `random_uuid`, `random_shuffle`. Every
//! argument forces replacement (as in the provider); `keepers` exists only
//! for that. Results come from `crate::random` (the OS generator), or from
//! a stream fixed by `seed` where the provider takes one.

use std::collections::BTreeMap;

use base64::Engine as _;

use super::spec::{
    Default as D, Kind, TypeSpec, computed, flag, number, opt, opt_default, problem, req, text,
};
use crate::lang::Value;
use crate::provider::{ArgProblem, ProviderError};
use crate::random::{Os, Seeded, Source};

pub const NAME: &str = "registry.terraform.io/hashicorp/random";

const KEEPERS: super::spec::Attr = opt("keepers", Kind::StrMap);

const STRING_ATTRS: &[super::spec::Attr] = &[
    KEEPERS,
    req("length", Kind::Num),
    opt_default("special", Kind::Bool, D::Bool(true)),
    opt_default("upper", Kind::Bool, D::Bool(true)),
    opt_default("lower", Kind::Bool, D::Bool(true)),
    opt_default("numeric", Kind::Bool, D::Bool(true)),
    opt_default("number", Kind::Bool, D::Bool(true)),
    opt_default("min_numeric", Kind::Num, D::Num(0.0)),
    opt_default("min_upper", Kind::Num, D::Num(0.0)),
    opt_default("min_lower", Kind::Num, D::Num(0.0)),
    opt_default("min_special", Kind::Num, D::Num(0.0)),
    opt("override_special", Kind::Str),
    computed("result", Kind::Str),
    computed("id", Kind::Str),
];

const PASSWORD_ATTRS: &[super::spec::Attr] = &[
    KEEPERS,
    req("length", Kind::Num),
    opt_default("special", Kind::Bool, D::Bool(true)),
    opt_default("upper", Kind::Bool, D::Bool(true)),
    opt_default("lower", Kind::Bool, D::Bool(true)),
    opt_default("numeric", Kind::Bool, D::Bool(true)),
    opt_default("number", Kind::Bool, D::Bool(true)),
    opt_default("min_numeric", Kind::Num, D::Num(0.0)),
    opt_default("min_upper", Kind::Num, D::Num(0.0)),
    opt_default("min_lower", Kind::Num, D::Num(0.0)),
    opt_default("min_special", Kind::Num, D::Num(0.0)),
    opt("override_special", Kind::Str),
    computed("result", Kind::Str).secret(),
    computed("bcrypt_hash", Kind::Str).secret(),
    computed("id", Kind::Str),
];

pub const TYPES: &[TypeSpec] = &[
    TypeSpec {
        ty: "random_string",
        attrs: STRING_ATTRS,
    },
    TypeSpec {
        ty: "random_password",
        attrs: PASSWORD_ATTRS,
    },
    TypeSpec {
        ty: "random_id",
        attrs: &[
            KEEPERS,
            req("byte_length", Kind::Num),
            opt("prefix", Kind::Str),
            computed("id", Kind::Str),
            computed("b64_url", Kind::Str),
            computed("b64_std", Kind::Str),
            computed("hex", Kind::Str),
            computed("dec", Kind::Str),
        ],
    },
    TypeSpec {
        ty: "random_pet",
        attrs: &[
            KEEPERS,
            opt_default("length", Kind::Num, D::Num(2.0)),
            opt("prefix", Kind::Str),
            opt_default("separator", Kind::Str, D::Str("-")),
            computed("id", Kind::Str),
        ],
    },
    TypeSpec {
        ty: "random_integer",
        attrs: &[
            KEEPERS,
            req("min", Kind::Num),
            req("max", Kind::Num),
            opt("seed", Kind::Str),
            computed("result", Kind::Num),
            computed("id", Kind::Str),
        ],
    },
    TypeSpec {
        ty: "random_uuid",
        attrs: &[
            KEEPERS,
            computed("result", Kind::Str),
            computed("id", Kind::Str),
        ],
    },
    TypeSpec {
        ty: "random_shuffle",
        attrs: &[
            KEEPERS,
            req("input", Kind::StrList),
            opt("result_count", Kind::Num),
            opt("seed", Kind::Str),
            computed("result", Kind::StrList),
            computed("id", Kind::Str),
        ],
    },
];

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const NUMERIC: &str = "0123456789";
/// random_string's and random_password's special characters by default.
const SPECIAL: &str = "!@#$%&*()-_=+[]{}<>:?";

fn rnd(e: crate::random::RandomError) -> ProviderError {
    ProviderError::Invalid(e.to_string())
}

/// `numeric` and its deprecated twin `number` follow each other when only
/// one is written (the provider's plan modifiers do the same).
pub fn pair_numeric(config: &Value) -> Value {
    let Some(m) = config.as_mapping() else {
        return config.clone();
    };
    let mut m = m.clone();
    match (m.get("numeric").cloned(), m.get("number").cloned()) {
        (Some(n), None) if !n.is_null() => {
            m.insert("number".into(), n);
        }
        (None, Some(n)) if !n.is_null() => {
            m.insert("numeric".into(), n);
        }
        _ => {}
    }
    Value::Object(m)
}

/// Checks beyond the table: ranges and combinations the provider refuses.
pub fn check(ty: &str, cfg: &BTreeMap<String, Value>) -> Vec<ArgProblem> {
    let mut out = Vec::new();
    let whole = |k: &str, min: f64, out: &mut Vec<ArgProblem>| {
        if let Some(n) = number(cfg, k)
            && (n.fract() != 0.0 || n < min)
        {
            out.push(problem(
                k,
                "Invalid Attribute Value",
                format!("Attribute {k} value must be a whole number at least {min}, got: {n}"),
            ));
        }
    };
    match ty {
        "random_string" | "random_password" => {
            whole("length", 1.0, &mut out);
            let mins = ["min_numeric", "min_upper", "min_lower", "min_special"];
            for k in mins {
                whole(k, 0.0, &mut out);
            }
            let sum: f64 = mins.iter().filter_map(|k| number(cfg, k)).sum();
            if let Some(len) = number(cfg, "length")
                && len < sum
            {
                out.push(problem(
                    "length",
                    "Invalid Attribute Value",
                    format!("Attribute length value must be at least sum of min_upper + min_lower + min_numeric + min_special, got: {len} (the minimums add up to {sum})"),
                ));
            }
            if ["special", "upper", "lower", "numeric"]
                .iter()
                .all(|k| flag(cfg, k) == Some(false))
                && sum == 0.0
            {
                out.push(problem(
                    "special",
                    "Invalid Attribute Combination",
                    "special, upper, lower and numeric are all false: there are no characters to choose from.".into(),
                ));
            }
        }
        "random_id" => whole("byte_length", 1.0, &mut out),
        "random_pet" => whole("length", 1.0, &mut out),
        "random_integer" => {
            whole("min", f64::MIN, &mut out);
            whole("max", f64::MIN, &mut out);
            if let (Some(a), Some(b)) = (number(cfg, "min"), number(cfg, "max"))
                && a > b
            {
                out.push(problem(
                    "max",
                    "Invalid Attribute Value",
                    format!("minimum value needs to be smaller than or equal to maximum value (min = {a}, max = {b})"),
                ));
            }
        }
        "random_shuffle" => whole("result_count", 0.0, &mut out),
        _ => {}
    }
    out
}

/// hashicorp/random's one ephemeral resource type.
pub const EPHEMERAL_PASSWORD: &str = "random_password";

/// The arguments `ephemeral "random_password"` takes: the resource's,
/// without `keepers` (an ephemeral password is new every run anyway).
pub const EPHEMERAL_ARGS: &[&str] = &[
    "length",
    "special",
    "upper",
    "lower",
    "numeric",
    "min_numeric",
    "min_upper",
    "min_lower",
    "min_special",
    "override_special",
];

/// `ephemeral "random_password"`: a new password on every open, as the
/// provider's; `result` and `bcrypt_hash` sensitive (no `id`: the
/// ephemeral type has none).
pub fn open_password(mut cfg: BTreeMap<String, Value>) -> Result<Value, ProviderError> {
    generate(EPHEMERAL_PASSWORD, &mut cfg)?;
    cfg.remove("id");
    cfg.remove("keepers");
    cfg.remove("number");
    for k in ["result", "bcrypt_hash"] {
        if let Some(v) = cfg.remove(k) {
            cfg.insert(k.into(), v.sensitive());
        }
    }
    Ok(Value::Object(cfg))
}

/// The computed attributes of a new object, from its planned arguments.
pub fn generate(ty: &str, m: &mut BTreeMap<String, Value>) -> Result<(), ProviderError> {
    let s = |v: String| Value::String(v);
    match ty {
        "random_string" | "random_password" => {
            let result = string(m).map_err(rnd)?;
            m.insert("result".into(), s(result.clone()));
            if ty == "random_password" {
                m.insert("bcrypt_hash".into(), s(bcrypt_hash(&result).map_err(rnd)?));
            }
            let id = if ty == "random_password" {
                "none".to_string()
            } else {
                result
            };
            m.insert("id".into(), s(id));
        }
        "random_id" => {
            let n = number(m, "byte_length").unwrap_or(1.0).max(1.0) as usize;
            let mut bytes = vec![0u8; n];
            Os.fill(&mut bytes).map_err(rnd)?;
            id_attrs(m, &bytes);
        }
        "random_pet" => {
            let words = number(m, "length").unwrap_or(2.0).max(1.0) as usize;
            let sep = text(m, "separator").unwrap_or_else(|| "-".into());
            let mut parts = Vec::new();
            if let Some(p) = text(m, "prefix") {
                parts.push(p);
            }
            parts.extend(super::pet::name(words).map_err(rnd)?);
            m.insert("id".into(), s(parts.join(&sep)));
        }
        "random_integer" => {
            let (lo, hi) = (
                number(m, "min").unwrap_or(0.0) as i64,
                number(m, "max").unwrap_or(0.0) as i64,
            );
            let span = (hi as i128 - lo as i128 + 1).clamp(1, u64::MAX as i128) as u64;
            let draw = match text(m, "seed") {
                Some(seed) => Seeded::new(&seed).below(span),
                None => Os.below(span),
            }
            .map_err(rnd)?;
            let v = (lo as i128 + draw as i128) as i64;
            m.insert("result".into(), Value::Number(v as f64));
            m.insert("id".into(), s(v.to_string()));
        }
        "random_uuid" => {
            let u = crate::random::uuid_v4().map_err(rnd)?;
            m.insert("result".into(), s(u.clone()));
            m.insert("id".into(), s(u));
        }
        "random_shuffle" => {
            let input: Vec<Value> = m
                .get("input")
                .and_then(|v| v.unmark().0.as_seq().map(<[Value]>::to_vec))
                .unwrap_or_default();
            let mut out = input.clone();
            let mut src: Box<dyn Source> = match text(m, "seed") {
                Some(seed) => Box::new(Seeded::new(&seed)),
                None => Box::new(Os),
            };
            shuffle(&mut out, src.as_mut()).map_err(rnd)?;
            // result_count may exceed the input: the provider repeats the
            // shuffled list to fill it.
            if let Some(n) = number(m, "result_count") {
                let n = n as usize;
                if !input.is_empty() {
                    out = out.iter().cycle().take(n).cloned().collect();
                } else {
                    out.truncate(n);
                }
            }
            m.insert("result".into(), Value::List(out));
            m.insert("id".into(), s("-".into()));
        }
        _ => {}
    }
    Ok(())
}

/// The provider's `bcrypt_hash`: Go's bcrypt at its default cost (10),
/// `$2a$` form, over a salt from the OS generator.
fn bcrypt_hash(password: &str) -> Result<String, crate::random::RandomError> {
    let salt: [u8; 16] = crate::random::bytes()?;
    // Only a cost outside 4..=31 fails; 10 is the provider's.
    Ok(bcrypt::hash_with_salt(password, 10, salt)
        .map(|h| h.format_for_version(bcrypt::Version::TwoA))
        .unwrap_or_default())
}

fn shuffle<T>(items: &mut [T], src: &mut dyn Source) -> Result<(), crate::random::RandomError> {
    for i in (1..items.len()).rev() {
        let j = src.below(i as u64 + 1)? as usize;
        items.swap(i, j);
    }
    Ok(())
}

/// random_string's algorithm: the minimum of each class first, the rest
/// from every enabled class, then shuffled.
fn string(m: &BTreeMap<String, Value>) -> Result<String, crate::random::RandomError> {
    let on = |k: &str| flag(m, k).unwrap_or(true);
    let special = text(m, "override_special").unwrap_or_else(|| SPECIAL.into());
    let numeric = on("numeric") && on("number");
    let classes: [(&str, &str, bool); 4] = [
        (LOWER, "min_lower", on("lower")),
        (UPPER, "min_upper", on("upper")),
        (NUMERIC, "min_numeric", numeric),
        (special.as_str(), "min_special", on("special")),
    ];
    let length = number(m, "length").unwrap_or(0.0).max(0.0) as usize;
    let mut out: Vec<char> = Vec::with_capacity(length);
    let mut pool: Vec<char> = Vec::new();
    let pick = |set: &[char], out: &mut Vec<char>| -> Result<(), crate::random::RandomError> {
        if !set.is_empty() {
            out.push(set[Os.below(set.len() as u64)? as usize]);
        }
        Ok(())
    };
    for (set, min_key, enabled) in classes {
        let chars: Vec<char> = set.chars().collect();
        for _ in 0..number(m, min_key).unwrap_or(0.0).max(0.0) as usize {
            pick(&chars, &mut out)?;
        }
        if enabled {
            pool.extend(chars);
        }
    }
    while out.len() < length && !pool.is_empty() {
        pick(&pool, &mut out)?;
    }
    shuffle(&mut out, &mut Os)?;
    Ok(out.into_iter().collect())
}

/// random_id's attributes for `bytes`: `id` and `b64_url` unpadded URL
/// base64, `b64_std` padded, `hex`, `dec` (the bytes as one big-endian
/// integer); all but `id` carry the prefix.
fn id_attrs(m: &mut BTreeMap<String, Value>, bytes: &[u8]) {
    let prefix = text(m, "prefix").unwrap_or_default();
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let std = base64::engine::general_purpose::STANDARD.encode(bytes);
    let s = |v: String| Value::String(v);
    m.insert("id".into(), s(url.clone()));
    m.insert("b64_url".into(), s(format!("{prefix}{url}")));
    m.insert("b64_std".into(), s(format!("{prefix}{std}")));
    m.insert(
        "hex".into(),
        s(format!("{prefix}{}", crate::random::hex(bytes))),
    );
    m.insert("dec".into(), s(format!("{prefix}{}", decimal(bytes))));
}

/// A big-endian unsigned integer of any size in decimal.
fn decimal(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = vec![0]; // little-endian base 10
    for b in bytes {
        let mut carry = *b as u32;
        for d in digits.iter_mut() {
            let x = *d as u32 * 256 + carry;
            *d = (x % 10) as u8;
            carry = x / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    while digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}

/// The object an import by `id` creates, in the provider's formats; None
/// for a type the provider cannot import.
pub fn import(ty: &str, id: &str) -> Result<BTreeMap<String, Value>, String> {
    let s = |v: &str| Value::String(v.into());
    let mut m = BTreeMap::new();
    match ty {
        "random_string" | "random_password" => {
            if id.is_empty() {
                return Err(format!("{ty} import needs the value itself as the id"));
            }
            for k in ["special", "upper", "lower", "numeric", "number"] {
                m.insert(k.to_string(), Value::Bool(true));
            }
            for k in ["min_numeric", "min_upper", "min_lower", "min_special"] {
                m.insert(k.to_string(), Value::Number(0.0));
            }
            m.insert("length".into(), Value::Number(id.chars().count() as f64));
            m.insert("result".into(), s(id));
            m.insert(
                "id".into(),
                s(if ty == "random_password" { "none" } else { id }),
            );
            if ty == "random_password" {
                let h = bcrypt_hash(id).map_err(|e| e.to_string())?;
                m.insert("bcrypt_hash".into(), s(&h));
            }
        }
        "random_id" => {
            let (prefix, b64) = match id.split_once(',') {
                Some((p, b)) => (Some(p), b),
                None => (None, id),
            };
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(b64)
                .map_err(|e| format!("random_id import expects the b64_url value (optionally \"PREFIX,B64_URL\"): {e}"))?;
            if let Some(p) = prefix {
                m.insert("prefix".into(), s(p));
            }
            m.insert("byte_length".into(), Value::Number(bytes.len() as f64));
            id_attrs(&mut m, &bytes);
        }
        "random_integer" => {
            let parts: Vec<&str> = id.split(',').collect();
            let bad = || {
                format!(
                    "random_integer import expects \"RESULT,MIN,MAX\" or \"RESULT,MIN,MAX,SEED\", got {id:?}"
                )
            };
            if !(3..=4).contains(&parts.len()) {
                return Err(bad());
            }
            let n = |t: &str| t.trim().parse::<i64>().map_err(|_| bad());
            let (r, lo, hi) = (n(parts[0])?, n(parts[1])?, n(parts[2])?);
            if !(lo..=hi).contains(&r) {
                return Err(format!(
                    "random_integer import: {r} is not between {lo} and {hi}"
                ));
            }
            m.insert("result".into(), Value::Number(r as f64));
            m.insert("min".into(), Value::Number(lo as f64));
            m.insert("max".into(), Value::Number(hi as f64));
            if let Some(seed) = parts.get(3) {
                m.insert("seed".into(), s(seed));
            }
            m.insert("id".into(), s(&r.to_string()));
        }
        "random_uuid" => {
            let ok = id.len() == 36
                && id.chars().enumerate().all(|(i, c)| {
                    if [8, 13, 18, 23].contains(&i) {
                        c == '-'
                    } else {
                        c.is_ascii_hexdigit()
                    }
                });
            if !ok {
                return Err(format!("random_uuid import expects a UUID, got {id:?}"));
            }
            m.insert("result".into(), s(id));
            m.insert("id".into(), s(id));
        }
        _ => {
            return Err(format!(
                "{ty} does not support import (hashicorp/random cannot import it either)"
            ));
        }
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        let spec = TYPES.iter().find(|t| t.ty == "random_string").unwrap();
        let v = Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        );
        spec.normalize(&pair_numeric(&v)).unwrap()
    }

    #[test]
    fn strings_keep_their_minimums_and_classes() {
        for _ in 0..30 {
            let mut m = cfg(&[
                ("length", Value::Number(12.0)),
                ("special", Value::Bool(false)),
                ("min_upper", Value::Number(3.0)),
                ("min_numeric", Value::Number(2.0)),
            ]);
            generate("random_string", &mut m).unwrap();
            let r = text(&m, "result").unwrap();
            assert_eq!(r.chars().count(), 12);
            assert!(
                r.chars().filter(char::is_ascii_uppercase).count() >= 3,
                "{r}"
            );
            assert!(r.chars().filter(char::is_ascii_digit).count() >= 2, "{r}");
            assert!(r.chars().all(|c| c.is_ascii_alphanumeric()), "{r}");
            assert_eq!(text(&m, "id"), Some(r));
        }
        let mut m = cfg(&[
            ("length", Value::Number(8.0)),
            ("number", Value::Bool(false)),
            ("upper", Value::Bool(false)),
            ("special", Value::Bool(false)),
        ]);
        assert_eq!(flag(&m, "numeric"), Some(false));
        generate("random_string", &mut m).unwrap();
        assert!(
            text(&m, "result")
                .unwrap()
                .chars()
                .all(|c| c.is_ascii_lowercase())
        );
    }

    #[test]
    fn minimums_beyond_the_length_are_refused() {
        let m = cfg(&[
            ("length", Value::Number(2.0)),
            ("min_lower", Value::Number(3.0)),
        ]);
        let p = check("random_string", &m);
        assert_eq!(p[0].argument.as_deref(), Some("length"), "{p:?}");
    }

    #[test]
    fn ids_and_imports_agree() {
        let mut m = BTreeMap::new();
        m.insert("prefix".into(), Value::String("p-".into()));
        id_attrs(&mut m, &[1, 0]);
        assert_eq!(text(&m, "hex").as_deref(), Some("p-0100"));
        assert_eq!(text(&m, "dec").as_deref(), Some("p-256"));
        assert_eq!(text(&m, "id").as_deref(), Some("AQA"));
        assert_eq!(text(&m, "b64_std").as_deref(), Some("p-AQA="));
        let imported = import("random_id", "p-,AQA").unwrap();
        assert_eq!(text(&imported, "dec").as_deref(), Some("p-256"));
        assert_eq!(decimal(&[0xff; 16]), u128::MAX.to_string());
        assert!(import("random_integer", "5,1,3").is_err());
        assert_eq!(
            number(&import("random_integer", "2,1,3,x").unwrap(), "result"),
            Some(2.0)
        );
        assert!(import("random_pet", "a").is_err());
    }

    #[test]
    fn seeds_repeat_integers_and_shuffles() {
        let run = |ty: &str, pairs: &[(&str, Value)]| {
            let mut m: BTreeMap<String, Value> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            generate(ty, &mut m).unwrap();
            m.get("result").cloned().unwrap()
        };
        let int = [
            ("min", Value::Number(1.0)),
            ("max", Value::Number(1000.0)),
            ("seed", Value::String("s".into())),
        ];
        assert_eq!(run("random_integer", &int), run("random_integer", &int));
        let list = Value::List((0..10).map(|i| Value::String(i.to_string())).collect());
        let sh = [
            ("input", list.clone()),
            ("seed", Value::String("s".into())),
            ("result_count", Value::Number(12.0)),
        ];
        let a = run("random_shuffle", &sh);
        assert_eq!(a, run("random_shuffle", &sh));
        assert_eq!(a.as_seq().unwrap().len(), 12);
    }
}

//! Version constraints as Terraform writes them (hashicorp/go-version):
//! comma-separated `=`, `!=`, `>`, `>=`, `<`, `<=`, `~>` clauses over
//! dotted versions with optional pre-release (`-beta1`) and build
//! metadata (`+abc`), and the Terraform language level drinfra implements.

use std::cmp::Ordering;

/// The Terraform version whose language drinfra implements: what a
/// `terraform { required_version = ... }` constraint is checked against.
pub const TERRAFORM_LANGUAGE: &str = "1.15.0";

/// A parsed version: numeric segments, how many were written, and the
/// pre-release part (empty for a release). Build metadata is ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version {
    segments: Vec<u64>,
    written: usize,
    pre: String,
}

fn parse(v: &str) -> Option<Version> {
    let v = v.trim();
    let v = v.strip_prefix('v').unwrap_or(v);
    let v = v
        .split_once('+')
        .map_or(v, |(core, meta)| if valid_ids(meta) { core } else { "" });
    if v.is_empty() {
        return None;
    }
    let (core, pre) = match v.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => {
            let pre = &v[i..];
            let pre = pre.strip_prefix('-').unwrap_or(pre);
            if pre.is_empty() || !valid_ids(pre) {
                return None;
            }
            (&v[..i], pre.to_string())
        }
        None => (v, String::new()),
    };
    let mut segments: Vec<u64> = Vec::new();
    for p in core.split('.') {
        if p.is_empty() || p.len() > 18 {
            return None;
        }
        segments.push(p.parse().ok()?);
    }
    let written = segments.len();
    while segments.len() < 3 {
        segments.push(0);
    }
    Some(Version {
        segments,
        written,
        pre,
    })
}

/// Dot-separated identifiers of letters, digits, `-` and `~`.
fn valid_ids(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '~')
        })
}

fn compare_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let (xs, ys): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for i in 0..xs.len().max(ys.len()) {
        let o = match (xs.get(i), ys.get(i)) {
            (Some(x), Some(y)) => match (x.parse::<u64>(), y.parse::<u64>()) {
                (Ok(m), Ok(n)) => m.cmp(&n),
                (Ok(_), Err(_)) => Ordering::Less,
                (Err(_), Ok(_)) => Ordering::Greater,
                _ => x.cmp(y),
            },
            (Some(_), None) => Ordering::Greater,
            (None, Some(_)) => Ordering::Less,
            (None, None) => Ordering::Equal,
        };
        if o.is_ne() {
            return o;
        }
    }
    Ordering::Equal
}

fn compare(a: &Version, b: &Version) -> Ordering {
    let n = a.segments.len().max(b.segments.len());
    let seg = |v: &Version, i: usize| v.segments.get(i).copied().unwrap_or(0);
    (0..n)
        .map(|i| seg(a, i).cmp(&seg(b, i)))
        .find(|o| o.is_ne())
        .unwrap_or_else(|| compare_pre(&a.pre, &b.pre))
}

/// A constraint with a pre-release matches only pre-releases of the same
/// release; one without matches no pre-release (go-version's rule).
fn prerelease_ok(v: &Version, c: &Version) -> bool {
    match (v.pre.is_empty(), c.pre.is_empty()) {
        (false, false) => v.segments == c.segments,
        (false, true) => false,
        _ => true,
    }
}

fn pessimistic(v: &Version, c: &Version) -> bool {
    if !prerelease_ok(v, c)
        || (!c.pre.is_empty() && v.pre.is_empty())
        || compare(v, c) == Ordering::Less
    {
        return false;
    }
    // `~> 1.2` allows 1.x from 1.2; `~> 1.2.3` allows 1.2.x from 1.2.3;
    // `~> 1` allows anything from 1.
    let fixed = c.written.saturating_sub(1);
    v.segments[..fixed] == c.segments[..fixed]
}

const OPS: [&str; 7] = ["~>", ">=", "<=", "!=", ">", "<", "="];

/// What is malformed in a version or a version constraint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("{0:?} is not a valid version.")]
    Version(String),
    #[error("The version constraint is empty.")]
    EmptyConstraint,
    #[error(
        "{0:?} is not a valid version constraint: write an operator (=, !=, >, >=, <, <=, ~>) and a version such as 1.5.0, or several separated by commas."
    )]
    Constraint(String),
}

/// Orders two version texts (unparsable ones first), for choosing the
/// newest module version.
pub fn compare_text(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => compare(&x, &y),
        (x, y) => x.is_some().cmp(&y.is_some()),
    }
}

/// Whether `version` meets `constraint`; `Err` says what is malformed.
pub fn satisfies(version: &str, constraint: &str) -> Result<bool, VersionError> {
    let have = parse(version).ok_or_else(|| VersionError::Version(version.to_string()))?;
    if constraint.trim().is_empty() {
        return Err(VersionError::EmptyConstraint);
    }
    let mut ok = true;
    for clause in constraint.split(',') {
        let clause = clause.trim();
        let (op, rest) = OPS
            .iter()
            .find_map(|op| clause.strip_prefix(op).map(|r| (*op, r)))
            .unwrap_or(("=", clause));
        let want = parse(rest).ok_or_else(|| VersionError::Constraint(clause.to_string()))?;
        let o = compare(&have, &want);
        ok &= match op {
            "=" => o.is_eq(),
            "!=" => o.is_ne(),
            ">" => prerelease_ok(&have, &want) && o.is_gt(),
            ">=" => prerelease_ok(&have, &want) && o.is_ge(),
            "<" => prerelease_ok(&have, &want) && o.is_lt(),
            "<=" => prerelease_ok(&have, &want) && o.is_le(),
            _ => pessimistic(&have, &want),
        };
    }
    Ok(ok)
}

#[cfg(test)]
mod tests {
    use super::satisfies;

    #[test]
    fn constraints() {
        assert!(satisfies("0.1.0", ">= 0.1").unwrap());
        assert!(!satisfies("0.1.0", ">= 1.0").unwrap());
        assert!(satisfies("1.4.2", "~> 1.2").unwrap());
        assert!(!satisfies("2.0.0", "~> 1.2").unwrap());
        assert!(satisfies("1.2.9", "~> 1.2.3").unwrap());
        assert!(!satisfies("1.3.0", "~> 1.2.3").unwrap());
        assert!(satisfies("0.5.0", ">= 0.1, < 1.0").unwrap());
        assert!(satisfies("1.0.0", "!= 0.9").unwrap());
        assert!(satisfies("1.0.0", "what").is_err());
    }

    #[test]
    fn terraform_constraint_syntax() {
        let v = "1.15.0";
        for yes in [
            "1.15.0",
            "= 1.15",
            "=1.15.0",
            "v1.15.0",
            ">=1.0",
            "> 1.14.9",
            "< 2",
            "<= 1.15.0",
            "~> 1.0",
            "~> 1.15.0",
            "~> 1",
            ">= 1.2.0, < 2.0.0",
            "!= 1.14.0",
            "1.15.0+build.5",
            ">= 1.15.0-beta1",
        ] {
            assert!(satisfies(v, yes).unwrap(), "{yes}");
        }
        for no in [
            ">= 9.0",
            "< 1.15",
            "~> 1.14.0",
            "= 1.15.0-beta1",
            "!= 1.15.0",
            "> 1.15.0",
            ">= 1.0, < 1.15",
            "~> 1.15.0-beta1",
        ] {
            assert!(!satisfies(v, no).unwrap(), "{no}");
        }
        for bad in ["", ">= ", "=> 1.0", "1..0", ">= 1.0,", "latest", "~> x.y"] {
            assert!(satisfies(v, bad).is_err(), "{bad}");
        }
        // Pre-releases match only constraints about the same release.
        assert!(satisfies("1.15.0-rc1", ">= 1.15.0-beta2").unwrap());
        assert!(!satisfies("1.15.0-rc1", ">= 1.14.0").unwrap());
        assert!(!satisfies("1.16.0-alpha1", ">= 1.15.0-beta1").unwrap());
        assert!(satisfies("1.15.0-beta.10", "> 1.15.0-beta.9").unwrap());
        assert!(
            !satisfies("1.15.0-beta10", "> 1.15.0-beta9").unwrap(),
            "identifiers with letters compare as text"
        );
    }
}

//! Version constraints as Terraform writes them: comma-separated
//! `=`, `!=`, `>`, `>=`, `<`, `<=`, `~>` clauses over dotted numbers.

/// A dotted version, missing parts counting as zero.
fn parse(v: &str) -> Option<Vec<u64>> {
    let v = v.trim().trim_start_matches('v');
    let core = v.split(['-', '+']).next()?;
    core.split('.').map(|p| p.parse().ok()).collect()
}

fn cmp(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    let n = a.len().max(b.len());
    (0..n).map(|i| a.get(i).unwrap_or(&0).cmp(b.get(i).unwrap_or(&0))).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
}

/// Whether `version` meets `constraint`; `Err` if the constraint is malformed.
pub fn satisfies(version: &str, constraint: &str) -> Result<bool, String> {
    use std::cmp::Ordering::*;
    let have = parse(version).ok_or_else(|| format!("invalid version {version:?}"))?;
    for clause in constraint.split(',') {
        let clause = clause.trim();
        let (op, rest) = ["~>", ">=", "<=", "!=", ">", "<", "="]
            .iter()
            .find_map(|op| clause.strip_prefix(op).map(|r| (*op, r)))
            .unwrap_or(("=", clause));
        let want = parse(rest).ok_or_else(|| format!("invalid version constraint {clause:?}"))?;
        let o = cmp(&have, &want);
        let ok = match op {
            "=" => o == Equal,
            "!=" => o != Equal,
            ">" => o == Greater,
            ">=" => o != Less,
            "<" => o == Less,
            "<=" => o != Greater,
            _ => {
                // ~> 1.2 allows 1.x >= 1.2; ~> 1.2.3 allows 1.2.x >= 1.2.3.
                let fixed = want.len().saturating_sub(1).max(1);
                o != Less && have.iter().chain(std::iter::repeat(&0)).take(fixed).eq(want.iter().take(fixed))
            }
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
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
}

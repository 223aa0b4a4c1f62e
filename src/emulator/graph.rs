//! A Resource Graph endpoint answering the subset of KQL that drinfra's
//! bulk refresh sends:
//!
//! ```text
//! Resources
//! | where type =~ 'microsoft.cache/redis' and resourceGroup =~ 'rg'
//! | where id in~ ('/subscriptions/..', '/subscriptions/..')
//! | project id, name, type, location, properties, tags, sku
//! | order by id asc
//! | limit 100
//! ```
//!
//! `where` takes `==`, `=~`, `!=`, `!~`, `in`, `in~`, `contains` (joined by
//! `and`) on id, name, type, location, resourceGroup, subscriptionId and
//! kind; `project`, `order by`, `limit`/`take` as in KQL.

use serde_json::{Map, Value as J, json};

use super::arm::ArmError;

fn bad(msg: impl Into<String>) -> ArmError {
    ArmError::bad_request("InvalidQuery", msg)
}

/// A resource as Resource Graph shows it (type lower-cased).
pub fn row(id: &str, body: &J) -> J {
    let parts: Vec<&str> = id.split('/').collect();
    let sub = parts.get(2).copied().unwrap_or_default();
    let rg = parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("resourceGroups"))
        .and_then(|i| parts.get(i + 1))
        .copied()
        .unwrap_or_default();
    json!({
        "id": id,
        "name": body.get("name").cloned().unwrap_or(J::Null),
        "type": body.get("type").and_then(J::as_str).unwrap_or_default().to_lowercase(),
        "location": body.get("location").cloned().unwrap_or(J::Null),
        "resourceGroup": rg.to_lowercase(),
        "subscriptionId": sub,
        "kind": body.get("kind").cloned().unwrap_or(J::String(String::new())),
        "sku": body.get("sku").cloned().unwrap_or(J::Null),
        "plan": body.get("plan").cloned().unwrap_or(J::Null),
        "tags": body.get("tags").cloned().unwrap_or(J::Null),
        "zones": body.get("zones").cloned().unwrap_or(J::Null),
        "identity": body.get("identity").cloned().unwrap_or(J::Null),
        "properties": body.get("properties").cloned().unwrap_or(J::Null),
    })
}

enum Cond {
    Cmp {
        field: String,
        op: String,
        values: Vec<String>,
    },
}

fn parse_values(s: &str) -> Result<Vec<String>, ArmError> {
    let s = s.trim();
    let inner = if s.starts_with('(') && s.ends_with(')') {
        &s[1..s.len() - 1]
    } else {
        s
    };
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in inner.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => {
                out.push(std::mem::take(&mut cur));
                quote = None;
            }
            (Some(_), c) => cur.push(c),
            (None, ',' | ' ') => {}
            (None, c) => {
                return Err(bad(format!(
                    "unexpected '{c}' in a value list; quote strings with '"
                )));
            }
        }
    }
    if quote.is_some() {
        return Err(bad("unterminated string"));
    }
    Ok(out)
}

fn parse_where(s: &str) -> Result<Vec<Cond>, ArmError> {
    let mut conds = Vec::new();
    for part in split_and(s) {
        let part = part.trim();
        let ops = [
            "in~",
            "!in~",
            "!in",
            " in ",
            "=~",
            "!~",
            "==",
            "!=",
            " contains ",
        ];
        let Some((op, idx)) = ops
            .iter()
            .filter_map(|o| part.find(o).map(|i| (o.trim(), i)))
            .min_by_key(|(_, i)| *i)
        else {
            return Err(bad(format!("unsupported condition '{part}'")));
        };
        let field = part[..idx].trim().to_string();
        let rest = part[idx..].trim_start().trim_start_matches(op).trim();
        conds.push(Cond::Cmp {
            field,
            op: op.to_string(),
            values: parse_values(rest)?,
        });
    }
    Ok(conds)
}

/// Splits on ` and ` outside quotes.
fn split_and(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None => {
                let rest: String = chars[i..].iter().take(5).collect();
                if rest.eq_ignore_ascii_case(" and ") {
                    out.push(std::mem::take(&mut cur));
                    i += 5;
                    continue;
                }
            }
        }
        cur.push(c);
        i += 1;
    }
    out.push(cur);
    out
}

fn field(row: &J, name: &str) -> String {
    match row.get(name).or_else(|| {
        row.as_object().and_then(|m| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
    }) {
        Some(J::String(s)) => s.clone(),
        Some(J::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn matches(row: &J, c: &Cond) -> bool {
    let Cond::Cmp {
        field: f,
        op,
        values,
    } = c;
    let v = field(row, f);
    let first = values.first().cloned().unwrap_or_default();
    match op.as_str() {
        "==" => v == first,
        "=~" => v.eq_ignore_ascii_case(&first),
        "!=" => v != first,
        "!~" => !v.eq_ignore_ascii_case(&first),
        "in" => values.contains(&v),
        "in~" => values.iter().any(|x| x.eq_ignore_ascii_case(&v)),
        "!in" => !values.contains(&v),
        "!in~" => !values.iter().any(|x| x.eq_ignore_ascii_case(&v)),
        "contains" => v.to_lowercase().contains(&first.to_lowercase()),
        _ => false,
    }
}

/// Runs `query` over `rows`.
pub fn run(query: &str, rows: Vec<J>) -> Result<Vec<J>, ArmError> {
    let mut stages = query.split('|').map(str::trim);
    let table = stages.next().unwrap_or_default();
    if !table.eq_ignore_ascii_case("resources") {
        return Err(bad(format!(
            "only the Resources table is supported, not '{table}'"
        )));
    }
    let mut rows = rows;
    for stage in stages {
        let (kw, rest) = stage.split_once(char::is_whitespace).unwrap_or((stage, ""));
        match kw.to_lowercase().as_str() {
            "where" => {
                let conds = parse_where(rest)?;
                rows.retain(|r| conds.iter().all(|c| matches(r, c)));
            }
            "project" => {
                let cols: Vec<String> = rest
                    .split(',')
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect();
                rows = rows
                    .into_iter()
                    .map(|r| {
                        J::Object(
                            cols.iter()
                                .map(|c| (c.clone(), r.get(c).cloned().unwrap_or(J::Null)))
                                .collect::<Map<_, _>>(),
                        )
                    })
                    .collect();
            }
            "order" | "sort" => {
                let spec = rest.trim().strip_prefix("by").unwrap_or(rest).trim();
                let mut parts = spec.split_whitespace();
                let f = parts.next().unwrap_or("id").to_string();
                let desc = parts.next().is_some_and(|d| d.eq_ignore_ascii_case("desc"));
                rows.sort_by(|a, b| {
                    field(a, &f)
                        .to_lowercase()
                        .cmp(&field(b, &f).to_lowercase())
                });
                if desc {
                    rows.reverse();
                }
            }
            "limit" | "take" => {
                let n: usize = rest
                    .trim()
                    .parse()
                    .map_err(|_| bad(format!("'{rest}' is not a number")))?;
                rows.truncate(n);
            }
            other => return Err(bad(format!("unsupported operator '{other}'"))),
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn filters_projects_orders() {
        let rows = vec![
            json!({"id": "/s/b", "type": "microsoft.cache/redis", "resourceGroup": "rg", "name": "b"}),
            json!({"id": "/s/a", "type": "microsoft.cache/redis", "resourceGroup": "rg", "name": "a"}),
            json!({"id": "/s/c", "type": "microsoft.storage/storageaccounts", "resourceGroup": "rg", "name": "c"}),
        ];
        let out = super::run("Resources | where type =~ 'Microsoft.Cache/Redis' and resourceGroup =~ 'RG' | project id, name | order by name asc", rows.clone()).unwrap();
        assert_eq!(
            out,
            vec![
                json!({"id": "/s/a", "name": "a"}),
                json!({"id": "/s/b", "name": "b"})
            ]
        );
        let out = super::run("Resources | where id in~ ('/S/C', '/s/a') | limit 1", rows).unwrap();
        assert_eq!(out.len(), 1);
        assert!(super::run("Resources | summarize count()", vec![]).is_err());
    }
}

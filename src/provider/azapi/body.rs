//! The JSON side of azapi: the part of the cloud's object a configured
//! body names (so drift shows only there), exported values, merges.

use serde_json::{Map, Value as J};

use crate::lang::Value;

/// `remote` cut to the shape of `shape`: the keys (at every depth) the
/// configuration's body sets, with the cloud's values.
pub fn project(remote: &J, shape: &J, ignore_case: bool) -> J {
    match (shape, remote) {
        (J::Object(s), J::Object(r)) => J::Object(
            s.iter()
                .map(|(k, sv)| {
                    let rv = r.get(k).or_else(|| {
                        r.iter()
                            .find(|(rk, _)| rk.eq_ignore_ascii_case(k))
                            .map(|(_, v)| v)
                    });
                    (
                        k.clone(),
                        rv.map(|rv| project(rv, sv, ignore_case)).unwrap_or(J::Null),
                    )
                })
                .collect(),
        ),
        (J::Array(s), J::Array(r)) if s.len() == r.len() => J::Array(
            s.iter()
                .zip(r)
                .map(|(sv, rv)| project(rv, sv, ignore_case))
                .collect(),
        ),
        // The configured spelling wins where only case differs.
        (J::String(s), J::String(r)) if ignore_case && s.eq_ignore_ascii_case(r) => shape.clone(),
        _ => remote.clone(),
    }
}

fn get<'a>(j: &'a J, path: &str) -> Option<&'a J> {
    path.split('.').try_fold(j, |cur, seg| match cur {
        J::Array(a) => a.get(seg.parse::<usize>().ok()?),
        J::Object(m) => m.get(seg),
        _ => None,
    })
}

/// `output`: the values `response_export_values` names, as dot paths (a
/// list: kept at their paths; a map: under its keys); `["*"]` is all.
pub fn export(remote: &J, wanted: Option<&Value>) -> J {
    let Some(w) = wanted.map(|v| v.unmark().0.to_json()) else {
        return J::Object(Map::new());
    };
    let mut out = J::Object(Map::new());
    match w {
        J::Array(paths) => {
            for p in paths.iter().filter_map(J::as_str) {
                if p == "*" {
                    return remote.clone();
                }
                if let Some(v) = get(remote, p) {
                    let mut cur = &mut out;
                    let segs: Vec<&str> = p.split('.').collect();
                    for (i, s) in segs.iter().enumerate() {
                        if !cur.is_object() {
                            *cur = J::Object(Map::new());
                        }
                        let m = cur.as_object_mut().expect("object");
                        if i + 1 == segs.len() {
                            m.insert(s.to_string(), v.clone());
                            break;
                        }
                        cur = m.entry(s.to_string()).or_insert(J::Object(Map::new()));
                    }
                }
            }
        }
        J::Object(named) => {
            for (k, p) in named {
                if let Some(p) = p.as_str() {
                    out[k] = get(remote, p).cloned().unwrap_or(J::Null);
                }
            }
        }
        _ => {}
    }
    out
}

/// Merges `patch` into `into` (objects key by key, anything else replaced).
pub fn merge(into: &mut J, patch: &J) {
    match (into, patch) {
        (J::Object(t), J::Object(p)) => {
            for (k, v) in p {
                merge(t.entry(k.clone()).or_insert(J::Null), v);
            }
        }
        (t, p) => *t = p.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn projection_keeps_only_configured_keys_with_cloud_values() {
        let remote =
            json!({"properties": {"a": 1, "b": 2, "provisioningState": "Succeeded"}, "id": "x"});
        let shape = json!({"properties": {"a": 5}});
        assert_eq!(
            project(&remote, &shape, false),
            json!({"properties": {"a": 1}})
        );
        let out = export(&remote, Some(&Value::from_json(&json!(["properties.b"]))));
        assert_eq!(out, json!({"properties": {"b": 2}}));
    }
}

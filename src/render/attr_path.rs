//! Attribute paths (`replace_paths`) as Terraform shows them: a list
//! element's index in brackets in text (`default_node_pool[0].gpu_driver`),
//! and as a number in its JSON plan.

use serde_json::{Value as J, json};

/// Whether segment `i` of a path is a list index (never the first: that
/// is always an attribute name).
fn is_index(i: usize, seg: &str) -> bool {
    i > 0 && !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit())
}

/// `["default_node_pool", "0", "gpu_driver"]` -> `default_node_pool[0].gpu_driver`.
pub fn text(path: &[String]) -> String {
    let mut out = String::new();
    for (i, seg) in path.iter().enumerate() {
        if is_index(i, seg) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if i > 0 {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    out
}

/// The path as Terraform's JSON plan writes it: indexes are numbers.
pub fn json(path: &[String]) -> J {
    J::Array(
        path.iter()
            .enumerate()
            .map(|(i, seg)| match seg.parse::<u64>() {
                Ok(n) if is_index(i, seg) => json!(n),
                _ => json!(seg),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_are_bracketed_in_text_and_numbers_in_json() {
        let p: Vec<String> = ["default_node_pool", "0", "gpu_driver"]
            .map(String::from)
            .to_vec();
        assert_eq!(text(&p), "default_node_pool[0].gpu_driver");
        assert_eq!(json(&p), json!(["default_node_pool", 0, "gpu_driver"]));
        assert_eq!(text(&["location".to_string()]), "location");
    }
}

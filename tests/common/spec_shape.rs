//! Holding an emulator's answer to the shape of a REST specification
//! example's response (the ARM and Key Vault spec tests).

use serde_json::Value as J;

/// How arrays are compared.
#[derive(Clone, Copy)]
pub enum Arrays {
    /// Only the first elements: an example's list entries are alike.
    First,
    /// Element by element, as far as both go: entries may differ in shape
    /// (a rotation policy's Rotate and Notify actions).
    EachElement,
}

fn kind(j: &J) -> &'static str {
    match j {
        J::Null => "null",
        J::Bool(_) => "boolean",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

/// Where `got` lacks a property the spec's response has, or has it with
/// another JSON kind.
pub fn differences(spec: &J, got: &J, at: &str, arrays: Arrays, out: &mut Vec<String>) {
    match (spec, got) {
        (J::Object(s), J::Object(g)) => {
            for (k, v) in s {
                let here = format!("{at}.{k}");
                match g.get(k) {
                    Some(gv) => differences(v, gv, &here, arrays, out),
                    None => out.push(format!("{here} is missing")),
                }
            }
        }
        (J::Array(s), J::Array(g)) => {
            if g.is_empty() && !s.is_empty() {
                out.push(format!("{at} is empty"));
            }
            let pairs = match arrays {
                Arrays::First => 1,
                Arrays::EachElement => usize::MAX,
            };
            for (i, (sv, gv)) in s.iter().zip(g).take(pairs).enumerate() {
                differences(sv, gv, &format!("{at}[{i}]"), arrays, out);
            }
        }
        _ if kind(spec) != kind(got) => out.push(format!(
            "{at} is a {} where the spec has a {}",
            kind(got),
            kind(spec)
        )),
        _ => {}
    }
}

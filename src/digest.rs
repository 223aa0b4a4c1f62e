//! Short stable digests for staleness checks and derived names: the same
//! bytes give the same text on every machine and in every version.

/// A short stable digest (FNV-1a, 64 bits) for staleness checks.
pub fn digest(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

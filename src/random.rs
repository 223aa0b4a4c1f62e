//! Randomness from the operating system's generator, and nothing else:
//! encryption salts and nonces, lock ids, state lineages, object ids and
//! the emulator's secrets all come from here. When the OS generator fails
//! this is an error; there is no weaker fallback.

/// The OS random number generator could not be used.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "the operating system's random number generator is unavailable ({0}); refusing to continue without it"
)]
pub struct RandomError(String);

/// Fills `buf` with random bytes.
pub fn fill(buf: &mut [u8]) -> Result<(), RandomError> {
    if let Some(e) = test_failure() {
        return Err(e);
    }
    getrandom::fill(buf).map_err(|e| RandomError(e.to_string()))
}

/// `N` random bytes.
pub fn bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut b = [0u8; N];
    fill(&mut b)?;
    Ok(b)
}

/// Where built-in providers draw from: the OS generator, or (for
/// `random_integer`'s and `random_shuffle`'s `seed`) a stream fixed by a
/// seed, so the same seed gives the same result on every run.
pub trait Source {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RandomError>;

    /// A uniform integer in `0..n` (rejection sampling, no modulo bias);
    /// 0 when `n` is 0.
    fn below(&mut self, n: u64) -> Result<u64, RandomError> {
        if n <= 1 {
            return Ok(0);
        }
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let mut b = [0u8; 8];
            self.fill(&mut b)?;
            let x = u64::from_le_bytes(b);
            if x < zone {
                return Ok(x % n);
            }
        }
    }
}

/// The OS generator as a [`Source`].
pub struct Os;

impl Source for Os {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RandomError> {
        fill(buf)
    }
}

/// A deterministic stream from a seed: SHA-256 of the seed and a block
/// counter. Not secret; only for results a configuration asks to repeat.
pub struct Seeded {
    seed: Vec<u8>,
    counter: u64,
    block: Vec<u8>,
}

impl Seeded {
    pub fn new(seed: &str) -> Seeded {
        Seeded {
            seed: seed.as_bytes().to_vec(),
            counter: 0,
            block: Vec::new(),
        }
    }
}

impl Source for Seeded {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RandomError> {
        use sha2::Digest;
        for b in buf.iter_mut() {
            if self.block.is_empty() {
                let mut h = sha2::Sha256::new();
                h.update(&self.seed);
                h.update(self.counter.to_le_bytes());
                self.counter += 1;
                self.block = h.finalize().to_vec();
            }
            *b = self.block.pop().unwrap_or_default();
        }
        Ok(())
    }
}

/// A random identifier in UUID version 4 layout.
pub fn uuid_v4() -> Result<String, RandomError> {
    let mut b: [u8; 16] = bytes()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|x| format!("{x:02x}")).collect()
}

/// `DRINFRA_TEST_NO_RANDOM=1` makes the generator fail, so tests can show
/// that every user of randomness fails closed. Read once.
fn test_failure() -> Option<RandomError> {
    static OFF: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let off =
        *OFF.get_or_init(|| std::env::var_os("DRINFRA_TEST_NO_RANDOM").is_some_and(|v| v == "1"));
    off.then(|| RandomError("disabled by DRINFRA_TEST_NO_RANDOM".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v4_layout_and_uniqueness() {
        let a = uuid_v4().unwrap();
        let b = uuid_v4().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
        assert_ne!(bytes::<32>().unwrap(), [0u8; 32]);
    }

    #[test]
    fn seeded_streams_repeat_and_draws_stay_in_range() {
        let draw = |seed: &str| {
            let mut s = Seeded::new(seed);
            (0..20).map(|_| s.below(7).unwrap()).collect::<Vec<_>>()
        };
        assert_eq!(draw("a"), draw("a"));
        assert_ne!(draw("a"), draw("b"));
        assert!(draw("a").iter().all(|x| *x < 7));
        assert!((0..50).all(|_| Os.below(3).unwrap() < 3));
    }
}

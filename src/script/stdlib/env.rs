//! What impure functions read: the event's ingest time, its origin and a random source.

/// Where an event came from, as `tremor::origin::*` reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginUri {
    /// The connector's scheme (`tcp-server`, `file`, …).
    pub scheme: String,
    /// The peer or local host.
    pub host: String,
    /// The port, where the transport has one.
    pub port: Option<u16>,
    /// Path segments (a file path, an HTTP path).
    pub path: Vec<String>,
}

/// A small, fast pseudo-random source (SplitMix64). Deterministic for a seed, so a run can be
/// replayed; seed it once per run, not per event.
#[derive(Debug, Clone, Default)]
pub struct Random {
    state: u64,
}

impl Random {
    /// A source seeded with `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound > 0`), without modulo bias worth noticing for 64 bits.
    pub fn below(&mut self, bound: u64) -> u64 {
        let wide = u128::from(self.next_u64()) * u128::from(bound);
        // The high half of a 64x64 product is below `bound` by construction.
        u64::try_from(wide >> 64).unwrap_or(0)
    }

    /// A float in `[0, 1)`.
    pub fn unit_f64(&mut self) -> f64 {
        // 53 random mantissa bits; both conversions are exact.
        #[allow(clippy::cast_precision_loss)]
        let bits = (self.next_u64() >> 11) as f64;
        bits / (1u64 << 53) as f64
    }
}

/// The context of one function call.
#[derive(Debug, Clone, Default)]
pub struct CallEnv<'a> {
    /// When the current event entered the runtime, ns since the UNIX epoch.
    pub ingest_ns: u64,
    /// Where the current event came from, when a connector said so.
    pub origin: Option<&'a OriginUri>,
    /// The run's random source.
    pub random: Random,
    /// How many groups the current windowed `select` has (`std::win::cardinality`); 0 outside.
    pub cardinality: usize,
    /// Whether a failing `test::assert` is an error (Tremor's test runner) instead of
    /// returning `[expected, got]`.
    pub assert_errors: bool,
}

#[cfg(test)]
mod tests {
    use super::Random;

    #[test]
    fn random_is_deterministic_and_in_range() {
        let (mut a, mut b) = (Random::new(7), Random::new(7));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
            assert!(a.below(10) < 10);
            let f = a.unit_f64();
            b.below(10);
            b.unit_f64();
            assert!((0.0..1.0).contains(&f));
        }
    }
}

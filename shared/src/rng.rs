//! Reproducible, independent random streams: Xoshiro256++ seeded through SplitMix64.
//!
//! A parallel Monte Carlo run must not depend on how work is scheduled. The course's rule is
//! to cut the work into numbered blocks and give block `b` its own generator
//! [`stream(seed, b)`](stream): whichever thread runs block `b`, it sees the same numbers.
//!
//! * **Generator**: Xoshiro256++ (D. Blackman and S. Vigna, "Scrambled linear pseudorandom
//!   number generators", *ACM Transactions on Mathematical Software* 47 (2021), article 36;
//!   reference code at <https://prng.di.unimi.it/xoshiro256plusplus.c>). 256 bits of state,
//!   period 2²⁵⁶ − 1, a few instructions per 64-bit output, passes BigCrush and PractRand.
//!   It is written out here, rather than taken from `rand_xoshiro`, so that you can read it.
//! * **Seeding**: SplitMix64 (G. Steele, D. Lea and C. Flood, "Fast splittable pseudorandom
//!   number generators", OOPSLA 2014), the seeding method recommended by Blackman and Vigna.
//!   The pair (seed, stream) is hashed into a 64-bit key, and the four state words are four
//!   consecutive SplitMix64 outputs from that key. For a fixed seed, distinct streams get
//!   distinct keys (the hash is a bijection of `stream`), and the keys look unrelated, so the
//!   streams start at unrelated points of the period: with 2²⁵⁶ states, the chance that two
//!   of a million streams overlap within their first 2⁶⁴ outputs is below 2⁻¹⁵⁰.
//!
//! [`Stream`] implements [`rand::Rng`] (through `rand_core`'s [`TryRng`] with an infallible
//! error), so every distribution of `rand` and `rand_distr` works on it:
//!
//! ```
//! use rand::RngExt;
//! use rand_distr::StandardNormal;
//!
//! let mut rng = finance::rng::stream(42, 0);
//! let z: f64 = rng.sample(StandardNormal);
//! let u: f64 = rng.random(); // uniform on [0, 1)
//! assert!(z.is_finite() && (0.0..1.0).contains(&u));
//!
//! // Same (seed, stream), same numbers; another stream, other numbers.
//! let a: Vec<u64> = (0..4).map(|_| finance::rng::stream(7, 3).random()).collect();
//! let b: Vec<u64> = (0..4).map(|_| finance::rng::stream(7, 3).random()).collect();
//! assert_eq!(a, b);
//! assert_ne!(finance::rng::stream(7, 3).random::<u64>(), finance::rng::stream(7, 4).random::<u64>());
//! ```

use rand::rand_core::utils;
use rand::{SeedableRng, TryRng};
use std::convert::Infallible;

/// The SplitMix64 increment, ⌊2⁶⁴/φ⌋ (φ the golden ratio), odd so that the counter visits
/// every 64-bit value.
const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// One step of SplitMix64: adds the golden-ratio increment to `x` and mixes the result.
///
/// Calling it on `x`, `x + γ`, `x + 2γ`, … (γ = `0x9e3779b97f4a7c15`) gives the SplitMix64
/// sequence started at state `x`. The function is a bijection of `u64`, and flipping one input
/// bit flips each output bit with probability close to one half, which makes it a good hash
/// for turning structured inputs (seed 1, 2, 3…) into unrelated generator states.
///
/// ```
/// // The first output of SplitMix64 from state 0 (Vigna's reference splitmix64.c).
/// assert_eq!(finance::rng::splitmix64(0), 0xe220_a839_7b1d_cdaf);
/// ```
#[inline]
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(GOLDEN_GAMMA);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A Xoshiro256++ generator: one reproducible stream of random numbers.
///
/// Build it with [`stream`]. It implements [`rand::Rng`], so use it through
/// [`rand::RngExt`] (`random`, `random_range`, `sample`…) or with `rand_distr` distributions.
/// It is `Clone` (a clone replays the same numbers) but deliberately not `Copy`, so that a
/// generator is never duplicated by accident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stream {
    s: [u64; 4],
}

/// The generator for stream `stream` of master seed `seed`.
///
/// Every (seed, stream) pair gives a different, statistically independent sequence; the same
/// pair always gives the same sequence, on every platform.
///
/// ```
/// use rand::RngExt;
///
/// let mut block_7 = finance::rng::stream(2024, 7);
/// let x: f64 = block_7.random();
/// assert_eq!(x, finance::rng::stream(2024, 7).random::<f64>());
/// ```
pub fn stream(seed: u64, stream: u64) -> Stream {
    let key = splitmix64(seed ^ splitmix64(stream));
    let mut s = [0; 4];
    for (i, word) in (0u64..).zip(&mut s) {
        *word = splitmix64(key.wrapping_add(i.wrapping_mul(GOLDEN_GAMMA)));
    }
    // SplitMix64 is a bijection and the four inputs differ, so at most one word is zero and
    // the state is never the all-zero fixed point of Xoshiro.
    Stream { s }
}

impl Stream {
    /// A generator with the given raw state, as in the reference C code.
    ///
    /// Meant for tests against published outputs; use [`stream`] otherwise.
    ///
    /// # Panics
    ///
    /// If the state is all zeros, the one state Xoshiro never leaves.
    pub fn from_state(s: [u64; 4]) -> Self {
        assert!(s != [0; 4], "the all-zero state is not allowed");
        Self { s }
    }

    /// The next 64 random bits (one step of Xoshiro256++).
    ///
    /// The same as [`rand::Rng::next_u64`], available without importing a trait.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        // The "++" scrambler: a rotation and two additions hide the linearity of the
        // xorshift state transition below, which alone would fail linear-complexity tests.
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }
}

impl TryRng for Stream {
    // Infallible: `rand_core` then implements `rand::Rng` for us through its blanket impl.
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        // The high half: all bits of Xoshiro256++ are good, but this is the convention of
        // the reference code for 32-bit outputs.
        Ok((self.next_u64() >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next_u64())
    }

    #[inline]
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        utils::fill_bytes_via_next_word(dst, || self.try_next_u64())
    }
}

impl SeedableRng for Stream {
    type Seed = [u8; 32];

    /// The state read as four little-endian words; an all-zero seed, which Xoshiro cannot
    /// use, is replaced by `stream(0, 0)`.
    fn from_seed(seed: [u8; 32]) -> Self {
        let s: [u64; 4] = utils::read_words(&seed);
        if s == [0; 4] {
            stream(0, 0)
        } else {
            Self { s }
        }
    }

    /// Stream 0 of master seed `state`: `Stream::seed_from_u64(x) == stream(x, 0)`.
    fn seed_from_u64(state: u64) -> Self {
        stream(state, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;
    use rand_distr::StandardNormal;

    #[test]
    fn matches_reference_implementation() {
        // First ten outputs of the authors' xoshiro256plusplus.c from the state {1, 2, 3, 4}
        // (the same values are the reference test of the `rand_xoshiro` crate).
        let expected: [u64; 10] = [
            41943041,
            58720359,
            3588806011781223,
            3591011842654386,
            9228616714210784205,
            9973669472204895162,
            14011001112246962877,
            12406186145184390807,
            15849039046786891736,
            10450023813501588000,
        ];
        let mut rng = Stream::from_state([1, 2, 3, 4]);
        for want in expected {
            assert_eq!(rng.next_u64(), want);
        }
    }

    #[test]
    fn splitmix64_matches_reference() {
        // Vigna's splitmix64.c, state 0: next() returns these three outputs.
        let mut x = 0u64;
        let mut outputs = [0; 3];
        for out in &mut outputs {
            *out = splitmix64(x);
            x = x.wrapping_add(GOLDEN_GAMMA);
        }
        assert_eq!(
            outputs,
            [0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f]
        );
    }

    #[test]
    fn trait_methods_agree_with_inherent_ones() {
        let mut a = stream(1, 2);
        let mut b = a.clone();
        assert_eq!(rand::Rng::next_u64(&mut a), b.next_u64());
        assert_eq!(rand::Rng::next_u32(&mut a), (b.next_u64() >> 32) as u32);
        let mut bytes = [0u8; 12];
        rand::Rng::fill_bytes(&mut a, &mut bytes);
        let (w0, w1) = (b.next_u64().to_le_bytes(), b.next_u64().to_le_bytes());
        assert_eq!(bytes[..8], w0);
        assert_eq!(bytes[8..], w1[..4]);
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let first = |seed, s| stream(seed, s).next_u64();
        assert_eq!(stream(5, 9), stream(5, 9));
        let mut seen = std::collections::HashSet::new();
        for seed in 0..20 {
            for s in 0..200 {
                assert!(
                    seen.insert(first(seed, s)),
                    "collision at seed {seed}, stream {s}"
                );
            }
        }
    }

    /// Pearson correlation of the uniforms of neighbouring streams b and b + 1.
    #[test]
    fn neighbouring_streams_are_uncorrelated() {
        // For independent uniforms the sample correlation of n pairs has standard error
        // 1/√n (here 1/√65536 = 0.0039); 4.5 standard errors gives a false alarm rate of
        // 7e-6 per pair, and the seeds are fixed so the test is deterministic anyway.
        const N: usize = 1 << 16;
        let bound = 4.5 / (N as f64).sqrt();
        for b in [0u64, 1, 2, 100, 16_383] {
            let (mut x, mut y) = (stream(11, b), stream(11, b + 1));
            let (mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for _ in 0..N {
                let (u, v): (f64, f64) = (x.random(), y.random());
                sx += u;
                sy += v;
                sxx += u * u;
                syy += v * v;
                sxy += u * v;
            }
            let n = N as f64;
            let cov = sxy / n - sx / n * sy / n;
            let corr = cov / ((sxx / n - (sx / n).powi(2)) * (syy / n - (sy / n).powi(2))).sqrt();
            assert!(
                corr.abs() < bound,
                "streams {b} and {}: correlation {corr}",
                b + 1
            );
        }
    }

    #[test]
    fn uniform_and_normal_moments() {
        // Mean of n uniforms: sd 1/√(12n); mean of n normals: sd 1/√n; the sample variance
        // of n normals: sd √(2/n). With n = 2¹⁶ all bounds are 4.5 standard errors.
        const N: usize = 1 << 16;
        let n = N as f64;
        let mut rng = stream(3, 0);
        let mean_u = (0..N).map(|_| rng.random::<f64>()).sum::<f64>() / n;
        assert!(
            (mean_u - 0.5).abs() < 4.5 / (12.0 * n).sqrt(),
            "uniform mean {mean_u}"
        );
        let zs: Vec<f64> = (0..N).map(|_| rng.sample(StandardNormal)).collect();
        let mean = zs.iter().sum::<f64>() / n;
        let var = zs.iter().map(|z| (z - mean).powi(2)).sum::<f64>() / (n - 1.0);
        assert!(mean.abs() < 4.5 / n.sqrt(), "normal mean {mean}");
        assert!(
            (var - 1.0).abs() < 4.5 * (2.0 / n).sqrt(),
            "normal variance {var}"
        );
    }

    #[test]
    fn seedable() {
        assert_eq!(Stream::seed_from_u64(8), stream(8, 0));
        assert_eq!(Stream::from_seed([0; 32]), stream(0, 0));
        let mut seed = [0u8; 32];
        seed[0] = 1;
        seed[8] = 2;
        seed[16] = 3;
        seed[24] = 4;
        assert_eq!(Stream::from_seed(seed), Stream::from_state([1, 2, 3, 4]));
    }

    #[test]
    #[should_panic(expected = "all-zero")]
    fn zero_state_is_rejected() {
        let _ = Stream::from_state([0; 4]);
    }
}

//! Philox4x32-10, a counter-based generator: random numbers as a pure function of a counter.
//!
//! A stream generator such as [`rng`](crate::rng) carries state from one draw to the next, so
//! a GPU thread would have to skip ahead to its own place in the stream. A counter-based
//! generator has no state: the `n`-th draw is `philox4x32_10(counter = n, key = seed)`, a
//! keyed bijection of the counter that looks random. Each GPU thread computes its own path's
//! numbers from (seed, path index) alone, so the result cannot depend on how the work is cut
//! into workgroups, or on the order in which the device runs them.
//!
//! * **Method**: J. K. Salmon, M. A. Moraes, R. O. Dror and D. E. Shaw, "Parallel random
//!   numbers: as easy as 1, 2, 3", SC'11 (2011), section 3.3 (Random123). Four 32-bit counter
//!   words and two 32-bit key words; ten rounds, each two 32 × 32 → 64-bit multiplications
//!   (by 0xD2511F53 and 0xCD9E8D57) whose high and low halves are mixed with the key, and a
//!   key bumped by the Weyl constants 0x9E3779B9 and 0xBB67AE85 between rounds. It passes
//!   BigCrush.
//! * **Only 32-bit arithmetic** in the interface: a GPU shading language such as WGSL has no
//!   64-bit integers, so a kernel computes the high half of a product from 16-bit halves;
//!   here the product is one `u64` multiplication. Both give the same bits.
//! * **Checked** against the known-answer vectors published with Random123
//!   (`kat_vectors`, philox4x32 with 10 rounds), in this module's tests.
//!
//! ```
//! use finance::philox::{philox4x32_10, key_of, uniform_f32};
//!
//! let key = key_of(42);
//! let a = philox4x32_10([7, 0, 0, 0], key);
//! assert_eq!(a, philox4x32_10([7, 0, 0, 0], key)); // a pure function
//! assert_ne!(a, philox4x32_10([8, 0, 0, 0], key));
//! let u = uniform_f32(a[0]);
//! assert!(u > 0.0 && u < 1.0);
//! ```

/// The first multiplier of a Philox4x32 round.
pub const M0: u32 = 0xD251_1F53;
/// The second multiplier of a Philox4x32 round.
pub const M1: u32 = 0xCD9E_8D57;
/// The Weyl increment of the first key word (the golden ratio).
pub const W0: u32 = 0x9E37_79B9;
/// The Weyl increment of the second key word (√3 − 1).
pub const W1: u32 = 0xBB67_AE85;

/// High and low 32-bit halves of the 64-bit product `a × b`.
#[inline]
pub fn mulhilo(a: u32, b: u32) -> (u32, u32) {
    let p = u64::from(a) * u64::from(b);
    ((p >> 32) as u32, p as u32)
}

#[inline]
fn round(c: [u32; 4], k: [u32; 2]) -> [u32; 4] {
    let (hi0, lo0) = mulhilo(M0, c[0]);
    let (hi1, lo1) = mulhilo(M1, c[2]);
    [hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0]
}

/// Philox4x32 with 10 rounds: four random 32-bit words from a counter and a key.
///
/// A bijection of `counter` for each `key`: distinct counters give distinct outputs.
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut c = counter;
    let mut k = key;
    for r in 0..10 {
        if r > 0 {
            k = [k[0].wrapping_add(W0), k[1].wrapping_add(W1)];
        }
        c = round(c, k);
    }
    c
}

/// The key of a 64-bit seed: its low and high 32-bit words.
pub fn key_of(seed: u64) -> [u32; 2] {
    [seed as u32, (seed >> 32) as u32]
}

/// A uniform on (0, 1) from 23 random bits of `x`: `((x >> 9) + 0.5) × 2⁻²³`.
///
/// Never 0 or 1, so `ln u` is finite; every step is exact in `f32` (24-bit significand), so a
/// GPU computes the very same value.
#[inline]
pub fn uniform_f32(x: u32) -> f32 {
    ((x >> 9) as f32 + 0.5) * (1.0 / 8_388_608.0)
}

/// Two standard normals from two uniforms on (0, 1), by the Box-Muller transform, in `f32`:
/// `√(−2 ln u1) · (cos 2πu2, sin 2πu2)`.
///
/// `ln`, `cos` and `sin` are not correctly rounded, on a CPU or a GPU: the normals of two
/// devices agree to a few units in the last place (a GPU's `cos` is allowed an absolute
/// error of 2⁻¹¹ by the WGSL specification), not bit for bit. The integers do.
#[inline]
pub fn box_muller_f32(u1: f32, u2: f32) -> (f32, f32) {
    let r = (-2.0 * u1.ln()).sqrt();
    let t = std::f32::consts::TAU * u2;
    (r * t.cos(), r * t.sin())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random123's `kat_vectors`, the philox4x32 lines with 10 rounds.
    #[test]
    fn known_answers_of_random123() {
        assert_eq!(
            philox4x32_10([0, 0, 0, 0], [0, 0]),
            [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]
        );
        assert_eq!(
            philox4x32_10([u32::MAX; 4], [u32::MAX; 2]),
            [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]
        );
        assert_eq!(
            philox4x32_10(
                [0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344],
                [0xa409_3822, 0x299f_31d0]
            ),
            [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]
        );
    }

    #[test]
    fn uniforms_stay_inside_the_open_interval() {
        assert!(uniform_f32(0) > 0.0);
        assert!(uniform_f32(u32::MAX) < 1.0);
        assert_eq!(uniform_f32(0), 0.5 / 8_388_608.0);
    }

    #[test]
    fn normals_have_unit_variance() {
        let key = key_of(2024);
        let n = 200_000u32;
        let (mut s, mut s2) = (0.0f64, 0.0f64);
        for i in 0..n {
            let x = philox4x32_10([i, 0, 0, 0], key);
            let (a, b) = box_muller_f32(uniform_f32(x[0]), uniform_f32(x[1]));
            for z in [a, b] {
                s += f64::from(z);
                s2 += f64::from(z) * f64::from(z);
            }
        }
        let m = f64::from(2 * n);
        let mean = s / m;
        let var = s2 / m - mean * mean;
        // Standard errors: 1/√m ≈ 0.0016 for the mean, √(2/m) ≈ 0.0022 for the variance.
        assert!(mean.abs() < 4.0 / m.sqrt(), "mean {mean}");
        assert!((var - 1.0).abs() < 4.0 * (2.0 / m).sqrt(), "variance {var}");
    }
}

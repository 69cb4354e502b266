//! The standard normal distribution: density [`pdf`], distribution function [`cdf`] and
//! quantile [`inv_cdf`].
//!
//! Both [`cdf`] and [`inv_cdf`] are classic rational approximations, chosen because they are
//! accurate to a few units in the last place of an `f64` *relative* to the result, far into
//! the tails, where the textbook `0.5 * (1.0 + erf(x / √2))` loses every digit (1 + erf
//! cancels) and the polynomial of Abramowitz and Stegun (26.2.17) is only good to 1e-7:
//!
//! * [`cdf`]: the routine `ANORM` of W. J. Cody, "Algorithm 715: SPECFUN", *ACM Transactions
//!   on Mathematical Software* 19 (1993), 22–32, whose near-minimax approximations Cody
//!   derived for Φ from those of his `CALERF` for erf and erfc: W. J. Cody, "Rational
//!   Chebyshev approximations for the error function", *Mathematics of Computation* 23
//!   (1969), 631–637.
//! * [`inv_cdf`]: M. J. Wichura, "Algorithm AS 241: The percentage points of the normal
//!   distribution", *Applied Statistics* 37 (1988), 477–484, routine `PPND16`.
//!
//! ```
//! use finance::normal;
//!
//! assert!((normal::cdf(1.959963984540054) - 0.975).abs() < 1e-15);
//! assert!((normal::inv_cdf(0.975) - 1.959963984540054).abs() < 1e-15);
//! ```

/// 1/√(2π).
const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// The standard normal density φ(x) = exp(−x²/2) / √(2π).
///
/// ```
/// assert!((finance::normal::pdf(0.0) - 0.398_942_280_401_432_7).abs() < 1e-16);
/// ```
#[inline]
pub fn pdf(x: f64) -> f64 {
    FRAC_1_SQRT_2PI * (-0.5 * x * x).exp()
}

/// The standard normal distribution function Φ(x) = P(Z ≤ x).
///
/// Relative error below 1e-15 on [−37, 8] (tested against 50-digit values). Φ(−∞) = 0,
/// Φ(+∞) = 1, Φ(NaN) = NaN; below about −38.5 the result underflows to zero.
///
/// Method: Cody's `ANORM` (see the module documentation). Three rational approximations cover
/// |x| ≤ 0.66291, |x| ≤ √32 and beyond; in the two tail ranges the factor exp(−x²/2) is
/// computed as exp(−x₀²/2)·exp(−(x−x₀)(x+x₀)/2) with x₀ = x rounded down to a multiple of 1/16,
/// because x² itself would carry a rounding error that exp turns into a relative error of
/// order x²·2⁻⁵³ (about 1e-13 at x = −37).
///
/// ```
/// use finance::normal::cdf;
///
/// assert_eq!(cdf(0.0), 0.5);
/// // Deep in the lower tail the result is still accurate to all digits.
/// assert!((cdf(-37.0) / 5.725571222524577e-300 - 1.0).abs() < 1e-14);
/// ```
// The coefficients are copied digit for digit from Cody's routine, so that they can be
// checked against it, although an f64 keeps only about 17 of their 20 digits.
#[allow(clippy::excessive_precision)]
pub fn cdf(x: f64) -> f64 {
    // Cody's split between the central and the tail approximations (where Φ = 0.75).
    const THRESHOLD: f64 = 0.66291;
    const SQRT_32: f64 = 5.656_854_249_492_381;
    // Beyond this, Φ(−|x|) is below the smallest subnormal number.
    const UNDERFLOW: f64 = 38.5;

    // Central range: Φ(x) = 1/2 + x·R(x²).
    const A: [f64; 5] = [
        2.235_252_035_460_683_928_7e0,
        1.610_282_310_685_558_788_1e2,
        1.067_689_485_460_370_958_2e3,
        1.815_498_125_334_356_124_9e4,
        6.568_233_791_820_744_911_3e-2,
    ];
    const B: [f64; 4] = [
        4.720_258_190_468_824_187_0e1,
        9.760_985_517_377_766_932_2e2,
        1.026_093_220_861_897_820_5e4,
        4.550_778_933_502_672_995_6e4,
    ];
    // 0.66291 < |x| ≤ √32: Φ(−|x|) = exp(−x²/2)·R(|x|).
    const C: [f64; 9] = [
        3.989_415_120_881_346_676_4e-1,
        8.883_149_794_388_375_941_2e0,
        9.350_665_613_217_785_597_9e1,
        5.972_702_763_948_002_622_6e2,
        2.494_537_585_290_372_671_1e3,
        6.848_190_450_536_282_332_6e3,
        1.160_265_143_764_735_012_4e4,
        9.842_714_838_383_978_021_8e3,
        1.076_557_677_372_019_231_7e-8,
    ];
    const D: [f64; 8] = [
        2.226_668_804_432_811_569_1e1,
        2.353_879_017_826_249_986_1e2,
        1.519_377_599_407_554_805_0e3,
        6.485_558_298_266_760_755_0e3,
        1.861_557_164_088_509_809_1e4,
        3.490_095_272_114_597_726_6e4,
        3.891_200_328_609_327_141_1e4,
        1.968_542_967_685_999_072_7e4,
    ];
    // |x| > √32: Φ(−|x|) = exp(−x²/2)/|x|·(1/√(2π) − R(1/x²)/x²), an asymptotic-series shape.
    const P: [f64; 6] = [
        2.158_985_340_579_569_9e-1,
        1.274_011_611_602_473_639e-1,
        2.223_527_787_064_980_7e-2,
        1.421_619_193_227_893_466e-3,
        2.911_287_495_116_879_2e-5,
        2.307_344_176_494_017_303e-2,
    ];
    const Q: [f64; 5] = [
        1.284_260_096_144_911_21e0,
        4.682_382_124_808_651_18e-1,
        6.598_813_786_892_855_15e-2,
        3.782_396_332_027_582_44e-3,
        7.297_515_550_839_662_05e-5,
    ];

    if x.is_nan() {
        return f64::NAN;
    }
    let y = x.abs();
    if y <= THRESHOLD {
        let xsq = x * x;
        let mut num = A[4] * xsq;
        let mut den = xsq;
        for i in 0..3 {
            num = (num + A[i]) * xsq;
            den = (den + B[i]) * xsq;
        }
        return 0.5 + x * (num + A[3]) / (den + B[3]);
    }

    // The lower tail Φ(−y), computed directly so that it keeps full relative accuracy.
    let tail = if y <= SQRT_32 {
        let mut num = C[8] * y;
        let mut den = y;
        for i in 0..7 {
            num = (num + C[i]) * y;
            den = (den + D[i]) * y;
        }
        gauss_factor(y) * (num + C[7]) / (den + D[7])
    } else if y < UNDERFLOW {
        let xsq = 1.0 / (y * y);
        let mut num = P[5] * xsq;
        let mut den = xsq;
        for i in 0..4 {
            num = (num + P[i]) * xsq;
            den = (den + Q[i]) * xsq;
        }
        let r = xsq * (num + P[4]) / (den + Q[4]);
        gauss_factor(y) * (FRAC_1_SQRT_2PI - r) / y
    } else {
        0.0
    };
    if x < 0.0 { tail } else { 1.0 - tail }
}

/// exp(−y²/2) without the rounding error of y²: y = y₀ + δ with y₀ a multiple of 1/16, so
/// y₀² is exact and only the small (y−y₀)(y+y₀) is rounded.
#[inline]
fn gauss_factor(y: f64) -> f64 {
    let y0 = (y * 16.0).trunc() / 16.0;
    let del = (y - y0) * (y + y0);
    (-0.5 * y0 * y0).exp() * (-0.5 * del).exp()
}

/// The standard normal quantile Φ⁻¹(p): the x with Φ(x) = p.
///
/// Relative error below 1e-15 (tested against 50-digit values; Wichura states about 1e-16).
/// `inv_cdf(0.0)` is −∞, `inv_cdf(1.0)` is +∞; p outside [0, 1] or NaN gives NaN.
///
/// Method: Wichura's `PPND16` (see the module documentation): one rational function of
/// (p − ½)² for 0.075 ≤ p ≤ 0.925, and two rational functions of r = √(−ln min(p, 1−p)) for
/// the tails (split at r = 5, i.e. p ≈ 1.4e-11).
///
/// ```
/// use finance::normal::inv_cdf;
///
/// assert!((inv_cdf(0.025) + 1.959_963_984_540_054).abs() < 1e-15);
/// assert_eq!(inv_cdf(0.0), f64::NEG_INFINITY);
/// assert!(inv_cdf(1.5).is_nan());
/// ```
// As in `cdf`, the coefficients are Wichura's, digit for digit.
#[allow(clippy::excessive_precision)]
pub fn inv_cdf(p: f64) -> f64 {
    const SPLIT1: f64 = 0.425;
    const SPLIT2: f64 = 5.0;
    const CONST1: f64 = 0.180_625;
    const CONST2: f64 = 1.6;

    // Coefficients in increasing powers, as printed by Wichura.
    const A: [f64; 8] = [
        3.387_132_872_796_366_608_0e0,
        1.331_416_678_917_843_774_5e2,
        1.971_590_950_306_551_442_7e3,
        1.373_169_376_550_946_112_5e4,
        4.592_195_393_154_987_145_7e4,
        6.726_577_092_700_870_085_3e4,
        3.343_057_558_358_812_810_5e4,
        2.509_080_928_730_122_672_7e3,
    ];
    const B: [f64; 8] = [
        1.0,
        4.231_333_070_160_091_125_2e1,
        6.871_870_074_920_579_083_0e2,
        5.394_196_021_424_751_107_7e3,
        2.121_379_430_158_659_586_7e4,
        3.930_789_580_009_271_061_0e4,
        2.872_908_573_572_194_267_4e4,
        5.226_495_278_852_854_561_0e3,
    ];
    const C: [f64; 8] = [
        1.423_437_110_749_683_577_34e0,
        4.630_337_846_156_545_295_90e0,
        5.769_497_221_460_691_405_50e0,
        3.647_848_324_763_204_605_04e0,
        1.270_458_252_452_368_382_58e0,
        2.417_807_251_774_506_117_70e-1,
        2.272_384_498_926_918_458_33e-2,
        7.745_450_142_783_414_076_40e-4,
    ];
    const D: [f64; 8] = [
        1.0,
        2.053_191_626_637_758_821_87e0,
        1.676_384_830_183_803_849_40e0,
        6.897_673_349_851_000_045_50e-1,
        1.481_039_764_274_800_745_90e-1,
        1.519_866_656_361_645_719_66e-2,
        5.475_938_084_995_344_946_00e-4,
        1.050_750_071_644_416_843_24e-9,
    ];
    const E: [f64; 8] = [
        6.657_904_643_501_103_777_20e0,
        5.463_784_911_164_114_369_90e0,
        1.784_826_539_917_291_335_80e0,
        2.965_605_718_285_048_912_30e-1,
        2.653_218_952_657_612_309_30e-2,
        1.242_660_947_388_078_438_60e-3,
        2.711_555_568_743_487_578_15e-5,
        2.010_334_399_292_288_132_65e-7,
    ];
    const F: [f64; 8] = [
        1.0,
        5.998_322_065_558_879_376_90e-1,
        1.369_298_809_227_358_053_10e-1,
        1.487_536_129_085_061_485_25e-2,
        7.868_691_311_456_132_591_00e-4,
        1.846_318_317_510_054_681_80e-5,
        1.421_511_758_316_445_888_70e-7,
        2.044_263_103_389_939_785_64e-15,
    ];

    if !(0.0..=1.0).contains(&p) {
        // Also catches NaN, for which `contains` is false.
        return f64::NAN;
    }
    let q = p - 0.5;
    if q.abs() <= SPLIT1 {
        let r = CONST1 - q * q;
        return q * horner(&A, r) / horner(&B, r);
    }
    // For p > 1/2, 1 − p is exact (Sterbenz), so the upper tail is as accurate as the lower.
    let tail = if q < 0.0 { p } else { 1.0 - p };
    if tail == 0.0 {
        return if q < 0.0 {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let r = (-tail.ln()).sqrt();
    let x = if r <= SPLIT2 {
        let r = r - CONST2;
        horner(&C, r) / horner(&D, r)
    } else {
        let r = r - SPLIT2;
        horner(&E, r) / horner(&F, r)
    };
    if q < 0.0 { -x } else { x }
}

/// Evaluates c₀ + c₁x + … + cₙxⁿ by Horner's rule.
#[inline]
fn horner(coefficients: &[f64], x: f64) -> f64 {
    coefficients.iter().rev().fold(0.0, |acc, &c| acc * x + c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel_err(got: f64, want: f64) -> f64 {
        if want == 0.0 {
            got.abs()
        } else {
            ((got - want) / want).abs()
        }
    }

    /// (x, Φ(x)) with Φ(x) computed by mpmath 1.3 at 60 significant digits
    /// (`mpmath.ncdf(mpf(x))`, rounded to the nearest f64).
    const CDF_TABLE: &[(f64, f64)] = &[
        (-37.0, 5.725571222524577e-300),
        (-36.5, 5.544725713074845e-292),
        (-36.0, 4.182624065797283e-284),
        (-35.5, 2.457691540661937e-276),
        (-35.0, 1.1249107064724062e-268),
        (-34.5, 4.010728966577262e-261),
        (-34.0, 1.1138987855743794e-253),
        (-33.5, 2.4098386951203854e-246),
        (-33.0, 4.061185620915855e-239),
        (-32.5, 5.331424359678804e-232),
        (-32.0, 5.452080603512396e-225),
        (-31.5, 4.343232601031772e-218),
        (-31.0, 2.6952500812005002e-211),
        (-30.5, 1.3029379131780763e-204),
        (-30.0, 4.906713927148187e-198),
        (-29.5, 1.4394745522291793e-191),
        (-29.0, 3.28978526670438e-185),
        (-28.5, 5.8571412538063374e-179),
        (-28.0, 8.123869469659427e-173),
        (-27.5, 8.778170556878084e-167),
        (-27.0, 7.389481006885018e-161),
        (-26.5, 4.8461626603033206e-155),
        (-26.0, 2.4760633155033892e-149),
        (-25.5, 9.856236518963929e-144),
        (-25.0, 3.056696706382561e-138),
        (-24.5, 7.385706861489408e-133),
        (-24.0, 1.390392118549703e-127),
        (-23.5, 2.0393675632499762e-122),
        (-23.0, 2.3306370062206488e-117),
        (-22.5, 2.0753107990663545e-112),
        (-22.0, 1.439892435145079e-107),
        (-21.5, 7.784397077182633e-103),
        (-21.0, 3.279278018979036e-98),
        (-20.5, 1.0764673258790961e-93),
        (-20.0, 2.7536241186062337e-89),
        (-19.5, 5.48911547566041e-85),
        (-19.0, 8.527223952630977e-81),
        (-18.5, 1.0323698689563289e-76),
        (-18.0, 9.740948918937151e-73),
        (-17.5, 7.163458766235035e-69),
        (-17.0, 4.1059962020989065e-65),
        (-16.5, 1.834463003164731e-61),
        (-16.0, 6.388754400538087e-58),
        (-15.5, 1.7344607917938702e-54),
        (-15.0, 3.670966199312751e-51),
        (-14.5, 6.057494764415221e-48),
        (-14.0, 7.7935368191928e-45),
        (-13.5, 7.818807305657891e-42),
        (-13.0, 6.11716439954988e-39),
        (-12.5, 3.732564298877713e-36),
        (-12.0, 1.776482112077679e-33),
        (-11.5, 6.595771446113675e-31),
        (-11.0, 1.9106595744986757e-28),
        (-10.5, 4.3190063178092304e-26),
        (-10.0, 7.619853024160525e-24),
        (-9.5, 1.0494515075362608e-21),
        (-9.0, 1.1285884059538405e-19),
        (-8.5, 9.479534822203318e-18),
        (-8.0, 6.220960574271784e-16),
        (-7.5, 3.1908916729108963e-14),
        (-7.0, 1.279812543885835e-12),
        (-6.5, 4.016000583859118e-11),
        (-6.0, 9.86587645037698e-10),
        (-5.656854249492381, 7.708628950139992e-09),
        (-5.5, 1.8989562465887718e-08),
        (-5.0, 2.866515718791939e-07),
        (-4.5, 3.3976731247300603e-06),
        (-4.0, 3.1671241833119924e-05),
        (-3.5, 0.00023262907903552504),
        (-3.0, 0.0013498980316300946),
        (-2.5, 0.006209665325776135),
        (-2.0, 0.02275013194817921),
        (-1.5, 0.06680720126885807),
        (-1.0, 0.15865525393145705),
        (-0.7, 0.24196365222307303),
        (-0.66291, 0.25369409838973994),
        (-0.5, 0.3085375387259869),
        (-0.1, 0.460172162722971),
        (-1e-10, 0.49999999996010575),
        (0.0, 0.5),
        (1e-10, 0.5000000000398942),
        (0.1, 0.539827837277029),
        (0.5, 0.6914624612740131),
        (0.66291, 0.7463059016102601),
        (0.7, 0.758036347776927),
        (1.0, 0.8413447460685429),
        (1.5, 0.9331927987311419),
        (1.96, 0.9750021048517795),
        (2.0, 0.9772498680518208),
        (2.5, 0.9937903346742238),
        (3.0, 0.9986501019683699),
        (3.5, 0.9997673709209645),
        (4.0, 0.9999683287581669),
        (4.5, 0.9999966023268753),
        (5.0, 0.9999997133484281),
        (5.5, 0.9999999810104375),
        (5.656854249492381, 0.999999992291371),
        (6.0, 0.9999999990134123),
        (6.5, 0.99999999995984),
        (7.0, 0.9999999999987201),
        (7.5, 0.9999999999999681),
        (8.0, 0.9999999999999993),
    ];

    /// (p, Φ⁻¹(p)) with Φ⁻¹(p) = √2·erfinv(2p − 1) computed by mpmath 1.3 at 400 significant
    /// digits (enough for 2p − 1 to resolve p = 1e-300), rounded to the nearest f64. Each p is
    /// the f64 written, e.g. `0.9999999999` is the f64 nearest 1 − 1e-10.
    const INV_TABLE: &[(f64, f64)] = &[
        (1e-300, -37.0470962993612),
        (1e-100, -21.273453560965326),
        (1e-20, -9.262340089798407),
        (1e-10, -6.361340902404057),
        (1e-05, -4.264890793922825),
        (0.001, -3.0902323061678136),
        (0.01, -2.326347874040841),
        (0.025, -1.9599639845400543),
        (0.05, -1.6448536269514726),
        (0.075, -1.439531470938456),
        (0.1, -1.2815515655446004),
        (0.25, -0.6744897501960817),
        (0.4, -0.2533471031357997),
        (0.5, 0.0),
        (0.6, 0.2533471031357997),
        (0.75, 0.6744897501960817),
        (0.9, 1.2815515655446006),
        (0.925, 1.4395314709384561),
        (0.95, 1.6448536269514722),
        (0.975, 1.9599639845400538),
        (0.99, 2.3263478740408408),
        (0.999, 3.090232306167813),
        (0.9999999999, 6.361340889697422),
        (0.9999999999999999, 8.209536151601387),
    ];

    #[test]
    fn cdf_matches_high_precision_table() {
        for &(x, want) in CDF_TABLE {
            let err = rel_err(cdf(x), want);
            assert!(
                err <= 1e-12,
                "cdf({x}) = {:e}, want {want:e}, rel. error {err:e}",
                cdf(x)
            );
        }
    }

    #[test]
    fn cdf_special_values() {
        assert_eq!(cdf(0.0), 0.5);
        assert_eq!(cdf(f64::NEG_INFINITY), 0.0);
        assert_eq!(cdf(f64::INFINITY), 1.0);
        assert_eq!(cdf(-40.0), 0.0);
        assert!(cdf(f64::NAN).is_nan());
    }

    #[test]
    fn cdf_is_symmetric_and_monotone() {
        let mut previous = 0.0;
        for i in -4000..=800 {
            let x = f64::from(i) / 100.0;
            let p = cdf(x);
            assert!(p >= previous, "cdf not monotone at {x}");
            previous = p;
            // Φ(x) + Φ(−x) = 1, up to the rounding of the larger term.
            assert!(
                (p + cdf(-x) - 1.0).abs() <= 2.0 * f64::EPSILON,
                "symmetry at {x}"
            );
        }
    }

    #[test]
    fn inv_cdf_matches_high_precision_table() {
        for &(p, want) in INV_TABLE {
            let err = rel_err(inv_cdf(p), want);
            assert!(
                err <= 1e-13,
                "inv_cdf({p}) = {}, want {want}, rel. error {err:e}",
                inv_cdf(p)
            );
        }
    }

    #[test]
    fn inv_cdf_special_values() {
        assert_eq!(inv_cdf(0.0), f64::NEG_INFINITY);
        assert_eq!(inv_cdf(1.0), f64::INFINITY);
        assert_eq!(inv_cdf(0.5), 0.0);
        for p in [-0.1, 1.1, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(inv_cdf(p).is_nan(), "inv_cdf({p})");
        }
        // The smallest positive numbers still have a finite quantile.
        assert!(inv_cdf(f64::MIN_POSITIVE).is_finite());
        assert!(inv_cdf(5e-324).is_finite());
    }

    #[test]
    fn inv_cdf_inverts_cdf() {
        // Round trip on the lower half, where Φ has full relative accuracy: the error in x is
        // the error in p divided by the slope x·(d ln Φ/dx) ≈ x², so 1e-13 relative is ample.
        for i in 1..=3700 {
            let x = -f64::from(i) / 100.0;
            let back = inv_cdf(cdf(x));
            assert!(rel_err(back, x) <= 1e-13, "inv_cdf(cdf({x})) = {back}");
        }
    }

    #[test]
    fn pdf_values() {
        assert!(rel_err(pdf(1.0), 0.241_970_724_519_143_37) < 1e-15);
        assert_eq!(pdf(-2.5), pdf(2.5));
        assert_eq!(pdf(f64::INFINITY), 0.0);
    }
}

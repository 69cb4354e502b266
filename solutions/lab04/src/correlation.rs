//! Task 3: the correlation matrix of many assets.
//!
//! 500 assets have 124,750 pairs. The naive way computes each pair's Pearson correlation from
//! the two return columns: means, deviations, three sums, for every pair again. The fast way
//! does the per-asset work once: *standardise* every asset (subtract its mean, divide by the
//! norm of the deviations), after which a correlation is a plain dot product
//! `ρ(i, j) = z_i · z_j`, and the matrix is `Z Zᵀ`: dense linear algebra that rewards
//! contiguous rows, register blocking and cache blocking.
//!
//! The pairs `(i, j)` with `j > i` form a triangle: row `i` has `p - 1 - i` of them, so equal
//! numbers of rows per thread leave the first thread with almost twice the average work.
//! [`crate::molecules::triangular_molecules`] balances them.

// BEGIN SOLUTION
use std::ops::Range;

// END SOLUTION
use finance::linalg::Matrix;
// BEGIN SOLUTION
use rayon::prelude::*;

use crate::molecules::{mp_map, triangular_molecules};
// END SOLUTION

/// The correlation matrix of `returns` (rows = days, columns = assets) computed pair by pair
/// from the columns, sequentially: the reference.
///
/// For each pair `(i, j)`, `i < j`: the two means, then
/// `Σ dx dy / sqrt(Σ dx² Σ dy²)` with `dx`, `dy` the deviations from them. The diagonal is
/// exactly 1 and the matrix exactly symmetric. An asset with zero variance has no
/// correlation: its entries are NaN.
///
/// # Panics
/// If there are fewer than two days.
pub fn correlation_naive(returns: &Matrix) -> Matrix {
    // BEGIN SOLUTION
    let (n, p) = returns.shape();
    assert!(n >= 2, "a correlation needs at least two days, got {n}");
    let mut corr = Matrix::identity(p);
    for i in 0..p {
        for j in i + 1..p {
            let (mut si, mut sj) = (0.0, 0.0);
            for t in 0..n {
                si += returns[(t, i)];
                sj += returns[(t, j)];
            }
            let (mi, mj) = (si / n as f64, sj / n as f64);
            let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
            for t in 0..n {
                let (dx, dy) = (returns[(t, i)] - mi, returns[(t, j)] - mj);
                sxy += dx * dy;
                sxx += dx * dx;
                syy += dy * dy;
            }
            let rho = sxy / (sxx * syy).sqrt();
            corr[(i, j)] = rho;
            corr[(j, i)] = rho;
        }
    }
    corr
    // STUB
    // todo!(
    //     "correlation_naive of a {:?} matrix: pair by pair from the columns",
    //     returns.shape()
    // )
    // END SOLUTION
}

/// The standardised returns: a `p x n` matrix (one row per asset, contiguous) whose row `i`
/// is asset `i`'s returns minus their mean, divided by the Euclidean norm of those
/// deviations. Each row then has mean 0 and norm 1, and `z_i · z_j` is the correlation.
///
/// Computed in parallel over blocks of assets (each block transposed tile by tile).
///
/// # Panics
/// If there are fewer than two days.
pub fn standardise(returns: &Matrix) -> Matrix {
    // BEGIN SOLUTION
    let (n, p) = returns.shape();
    assert!(n >= 2, "a correlation needs at least two days, got {n}");
    let mut means = vec![0.0; p];
    for row in returns.iter_rows() {
        for (m, x) in means.iter_mut().zip(row) {
            *m += x;
        }
    }
    means.iter_mut().for_each(|m| *m /= n as f64);

    const BLOCK: usize = 16; // assets per task: 16 rows of z, a 128-byte slice of each day
    let mut z = vec![0.0; p * n];
    z.par_chunks_mut(BLOCK * n)
        .enumerate()
        .for_each(|(b, rows)| {
            let a0 = b * BLOCK;
            let width = rows.len() / n;
            for (t, day) in returns.iter_rows().enumerate() {
                for (x, (&r, &m)) in day[a0..a0 + width].iter().zip(&means[a0..]).enumerate() {
                    rows[x * n + t] = r - m;
                }
            }
            for row in rows.chunks_exact_mut(n) {
                let norm = row.iter().map(|d| d * d).sum::<f64>().sqrt();
                let scale = 1.0 / norm;
                row.iter_mut().for_each(|d| *d *= scale);
            }
        });
    Matrix::from_vec(p, n, z).expect("p * n elements")
}

/// Days per cache block: one block of days of every panel (500 assets x 256 days x 8 bytes
/// = 1 MB) stays in the L2 cache while a molecule's pairs of panels reuse it.
const DAY_BLOCK: usize = 256;
// STUB
//     todo!(
//         "standardise a {:?} matrix: centre, scale to norm 1, one row per asset",
//         returns.shape()
//     )
// }
// END SOLUTION

/// The correlation matrix of `returns` (rows = days, columns = assets), fast and parallel:
/// standardise once, then a register-blocked, cache-blocked `Z Zᵀ` over the upper triangle,
/// balanced with [`crate::molecules::triangular_molecules`] and run with
/// [`crate::molecules::mp_map`].
///
/// Equal to [`correlation_naive`] within `1e-12`; diagonal exactly 1, exactly symmetric,
/// bit-identical for any number of threads.
///
/// # Panics
/// If there are fewer than two days.
pub fn correlation(returns: &Matrix) -> Matrix {
    // BEGIN SOLUTION
    let (n, p) = returns.shape();
    assert!(n >= 2, "a correlation needs at least two days, got {n}");
    if p == 0 {
        return Matrix::zeros(0, 0);
    }
    // The widest kernel this CPU runs: panels of 8 assets for AVX-512 (8 numbers per
    // instruction), of 4 otherwise.
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        return correlation_panels::<8>(returns, Kernel::Avx512);
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        return correlation_panels::<4>(returns, Kernel::Avx2Fma);
    }
    correlation_panels::<4>(returns, Kernel::Portable)
}

/// [`correlation`] with panels of `PANEL` assets and the given kernel.
fn correlation_panels<const PANEL: usize>(returns: &Matrix, kernel: Kernel) -> Matrix {
    let (n, p) = returns.shape();

    // Standardise straight into panels of PANEL assets, interleaved by day: panel k holds,
    // for each day t, z[PANEL·k..PANEL·(k + 1)][t] side by side (zero rows pad the last panel), which is
    // the layout the kernel streams through. One task per group of panels: three passes
    // over its columns of `returns` (sums, squared deviations, the scaled values), the
    // columns small enough to stay in the cache between the passes.
    let panels = p.div_ceil(PANEL);
    let mut packed = vec![0.0; panels * n * PANEL];
    let group_panels = 32 / PANEL; // panels per task: 32 assets, 256 bytes of each day's row
    packed
        .par_chunks_mut(group_panels * n * PANEL)
        .enumerate()
        .for_each(|(g, group)| {
            let a0 = g * group_panels * PANEL;
            let a1 = (a0 + group_panels * PANEL).min(p);
            let mut mean = vec![0.0; a1 - a0];
            for day in returns.iter_rows() {
                for (m, x) in mean.iter_mut().zip(&day[a0..a1]) {
                    *m += x;
                }
            }
            mean.iter_mut().for_each(|m| *m /= n as f64);
            let mut scale = vec![0.0; a1 - a0];
            for day in returns.iter_rows() {
                for ((s, x), m) in scale.iter_mut().zip(&day[a0..a1]).zip(&mean) {
                    *s += (x - m) * (x - m);
                }
            }
            scale.iter_mut().for_each(|s| *s = 1.0 / s.sqrt());
            for (t, day) in returns.iter_rows().enumerate() {
                for (j, ((x, m), s)) in day[a0..a1].iter().zip(&mean).zip(&scale).enumerate() {
                    let (k, lane) = (j / PANEL, j % PANEL);
                    group[k * n * PANEL + t * PANEL + lane] = (x - m) * s;
                }
            }
        });

    // Atoms: rows of panels; row a pairs with panels a..panels, so the rows form a triangle.
    // Each molecule walks the days block by block and, within a block, all its pairs of
    // panels: the slices of one block of days stay in the cache while they are reused.
    let molecules = triangular_molecules(panels, 4 * rayon::current_num_threads());
    let blocks: Vec<Vec<Block<PANEL>>> = mp_map(&molecules, |rows| {
        let mut acc = vec![[[0.0; PANEL]; PANEL]; rows.clone().map(|a| panels - a).sum()];
        for t0 in (0..n).step_by(DAY_BLOCK) {
            let days = t0 * PANEL..(t0 + DAY_BLOCK).min(n) * PANEL;
            let mut rest = acc.as_mut_slice();
            for a in rows.clone() {
                let (row, tail) = rest.split_at_mut(panels - a);
                panel_row(kernel, &packed, n, a, days.clone(), row);
                rest = tail;
            }
        }
        acc
    });

    let mut corr = Matrix::identity(p);
    let pairs = molecules
        .iter()
        .flat_map(|rows| rows.clone().flat_map(|a| (a..panels).map(move |b| (a, b))));
    for ((a, b), block) in pairs.zip(blocks.iter().flatten()) {
        for (x, row) in block.iter().enumerate() {
            for (y, &v) in row.iter().enumerate() {
                let (i, j) = (a * PANEL + x, b * PANEL + y);
                if i < j && j < p {
                    corr[(i, j)] = v;
                    corr[(j, i)] = v;
                }
            }
        }
    }
    corr
}

/// A `PANEL x PANEL` block of correlations: `block[x][y]` pairs asset `PANEL·a + x` with
/// asset `PANEL·b + y`.
type Block<const PANEL: usize> = [[f64; PANEL]; PANEL];

/// Which compilation of the kernel runs (see [`panel_row`]).
#[derive(Clone, Copy)]
enum Kernel {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2Fma,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

/// Adds to `acc[k]` the dot products of panel `a` with panel `a + k` over the `days` (offsets
/// into each panel), for every `k`.
///
/// The same kernel is compiled three times: for any CPU (portable code; on x86-64 the
/// compiler uses SSE2, 2 numbers per instruction) and, chosen at run time if the CPU has
/// them, for AVX2 with FMA (4 numbers per instruction) and for AVX-512 (8). With FMA each
/// `s += a * b` is one *fused* multiply-add, one instruction rounded once instead of two:
/// other last bits than the portable kernel, so the result depends on the machine (never
/// on the threads: every thread runs the same kernel, and each correlation's sum runs
/// through the days in the same order).
fn panel_row<const PANEL: usize>(
    kernel: Kernel,
    packed: &[f64],
    n: usize,
    a: usize,
    days: Range<usize>,
    acc: &mut [Block<PANEL>],
) {
    match kernel {
        Kernel::Portable => panel_row_kernel::<PANEL, 2, false>(packed, n, a, days, acc),
        // SAFETY: `correlation` chooses these kernels only if the CPU has the features.
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2Fma => unsafe { panel_row_avx2_fma(packed, n, a, days, acc) },
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx512 => unsafe { panel_row_avx512(packed, n, a, days, acc) },
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn panel_row_avx2_fma<const PANEL: usize>(
    packed: &[f64],
    n: usize,
    a: usize,
    days: Range<usize>,
    acc: &mut [Block<PANEL>],
) {
    panel_row_kernel::<PANEL, 3, true>(packed, n, a, days, acc);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn panel_row_avx512<const PANEL: usize>(
    packed: &[f64],
    n: usize,
    a: usize,
    days: Range<usize>,
    acc: &mut [Block<PANEL>],
) {
    panel_row_kernel::<PANEL, 3, true>(packed, n, a, days, acc);
}

/// The register-blocked kernel: `acc[k] += panel a · panel (a + k)` for every `k`, `COLS`
/// column panels per pass over the days (a PANEL x PANEL·COLS block of sums, then the rest
/// one panel at a time). Each day loads the PANEL values of panel `a` once and uses each of
/// them PANEL·COLS times, where separate dot products would load both operands of every
/// multiplication; the sums stay in registers for the whole block of days. AVX2 has 16
/// registers of 4 numbers: 12 of sums (4 x 12), 3 column values and a broadcast row value;
/// AVX-512 has 32 of 8: 24 of sums (8 x 24). SSE2 has 16 of 2 numbers: 4 x 8 already spills
/// a few.
#[inline(always)]
fn panel_row_kernel<const PANEL: usize, const COLS: usize, const FMA: bool>(
    packed: &[f64],
    n: usize,
    a: usize,
    days: Range<usize>,
    acc: &mut [Block<PANEL>],
) {
    let panel = |k: usize| {
        let p = &packed[k * n * PANEL..(k + 1) * n * PANEL][days.clone()];
        p.as_chunks::<PANEL>().0
    };
    let pa = panel(a);
    let mut k = 0;
    while k + COLS <= acc.len() {
        let sums = micro_kernel::<PANEL, COLS, FMA>(pa, std::array::from_fn(|c| panel(a + k + c)));
        for (c, s) in sums.iter().enumerate() {
            add(&mut acc[k + c], s);
        }
        k += COLS;
    }
    while k < acc.len() {
        let [s] = micro_kernel::<PANEL, 1, FMA>(pa, [panel(a + k)]);
        add(&mut acc[k], &s);
        k += 1;
    }
}

/// `COLS` blocks of PANEL x PANEL dot products of `pa` with each of `pbs` (one
/// `[f64; PANEL]` per day).
#[inline(always)]
fn micro_kernel<const PANEL: usize, const COLS: usize, const FMA: bool>(
    pa: &[[f64; PANEL]],
    pbs: [&[[f64; PANEL]]; COLS],
) -> [Block<PANEL>; COLS] {
    // Every panel cut to the same length, so that the compiler sees each `pb[t]` in bounds.
    let days = pa.len();
    let pbs = pbs.map(|pb| &pb[..days]);
    let mut s = [[[0.0; PANEL]; PANEL]; COLS];
    for (t, ra) in pa.iter().enumerate() {
        for (x, &ax) in ra.iter().enumerate() {
            for (sc, pb) in s.iter_mut().zip(&pbs) {
                for (sxy, &by) in sc[x].iter_mut().zip(&pb[t]) {
                    *sxy = if FMA {
                        ax.mul_add(by, *sxy)
                    } else {
                        *sxy + ax * by
                    };
                }
            }
        }
    }
    s
}

#[inline(always)]
fn add<const PANEL: usize>(acc: &mut Block<PANEL>, part: &Block<PANEL>) {
    for (o, v) in acc.iter_mut().flatten().zip(part.iter().flatten()) {
        *o += v;
    }
}
// STUB
//     todo!(
//         "correlation of a {:?} matrix: standardise once, blocked dot products, balanced triangle",
//         returns.shape()
//     )
// }
// END SOLUTION

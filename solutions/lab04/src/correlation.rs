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
/// exactly 1 and the matrix exactly symmetric. Every asset must vary: for one whose returns
/// are all equal the correlation is `0 / 0`, undefined (NaN, or rounding noise when the mean
/// is not exact), and no test uses one.
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
/// deviations. Each row then has mean 0 and norm 1 (for an asset that varies), and
/// `z_i · z_j` is the correlation.
///
/// In parallel, however you like: the tests check the values, and that they do not depend
/// on the number of threads. (The reference gives each task 16 assets.)
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
/// the dot products of the standardised returns as one register-blocked, cache-blocked
/// `Z Zᵀ` over the upper triangle, balanced with [`crate::molecules::triangular_molecules`]
/// and run with [`crate::molecules::mp_map`] (the handout's steps 2 to 5; step 5 centres
/// without dividing, and divides each sum by the two norms at the end, as `np.corrcoef`
/// does). It need not call [`standardise`]: the tests compare it with [`correlation_naive`].
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
    let panels = p.div_ceil(PANEL);
    // `returns` is row-major: each block of DAY_BLOCK days is one contiguous slice, read
    // front to back. Every pass below walks it that way, block by block, one task a block:
    // reading a column (one number every 4,000 bytes) would touch a new page of memory per
    // number, where the hardware's prefetcher does not follow.
    let day_blocks: Vec<&[f64]> = returns.as_slice().chunks(DAY_BLOCK * p).collect();

    // The means: each block sums its days, the blocks' sums are added in block order, so the
    // order of the additions does not depend on the threads.
    let block_sums: Vec<Vec<f64>> = day_blocks
        .par_iter()
        .map(|days| {
            let mut sum = vec![0.0; p];
            for day in days.chunks_exact(p) {
                for (s, x) in sum.iter_mut().zip(day) {
                    *s += x;
                }
            }
            sum
        })
        .collect();
    let mut mean = vec![0.0; p];
    for sums in &block_sums {
        for (m, s) in mean.iter_mut().zip(sums) {
            *m += s;
        }
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);

    // The centred returns, block of days by block of days, in the layout the kernel streams
    // through: block `b` holds, panel after panel, that block's days of each panel, the
    // PANEL values of a day side by side (zeros pad the last panel). They are not divided by
    // their norms: the sums are, at the end.
    let packed: Vec<Vec<f64>> = day_blocks
        .par_iter()
        .map(|days| {
            let len = days.len() / p;
            let mut block = vec![0.0; panels * len * PANEL];
            let (means, last_means) = mean.as_chunks::<PANEL>();
            for (t, day) in days.chunks_exact(p).enumerate() {
                let (values, last) = day.as_chunks::<PANEL>();
                for (k, (x, m)) in values.iter().zip(means).enumerate() {
                    let z = &mut block[(k * len + t) * PANEL..][..PANEL];
                    for ((z, x), m) in z.iter_mut().zip(x).zip(m) {
                        *z = x - m;
                    }
                }
                if !last.is_empty() {
                    let z = &mut block[(values.len() * len + t) * PANEL..][..last.len()];
                    for ((z, x), m) in z.iter_mut().zip(last).zip(last_means) {
                        *z = x - m;
                    }
                }
            }
            block
        })
        .collect();

    // Atoms: rows of panels; row a pairs with panels a..panels, so the rows form a triangle.
    // Each molecule walks the blocks of days and, within a block, all its pairs of panels:
    // the block's slices stay in the cache while they are reused.
    let molecules = triangular_molecules(panels, 4 * rayon::current_num_threads());
    let sums: Vec<Vec<Block<PANEL>>> = mp_map(&molecules, |rows| {
        let mut acc = vec![[[0.0; PANEL]; PANEL]; rows.clone().map(|a| panels - a).sum()];
        for block in &packed {
            let len = block.len() / (panels * PANEL);
            let mut rest = acc.as_mut_slice();
            for a in rows.clone() {
                let (row, tail) = rest.split_at_mut(panels - a);
                panel_row(kernel, block, len, a, row);
                rest = tail;
            }
        }
        acc
    });

    // Where the sums of each pair of panels (a, b), a <= b, landed: the molecules hold the
    // rows of panels in order, each row's pairs in order.
    let blocks: Vec<&Block<PANEL>> = sums.iter().flatten().collect();
    let row_start: Vec<usize> = (0..panels)
        .scan(0, |at, a| {
            let start = *at;
            *at += panels - a;
            Some(start)
        })
        .collect();
    let block = |a: usize, b: usize| blocks[row_start[a] + b - a];
    // `1 / ‖z_i‖`: the square root of asset i's own sum of squares, on the diagonal.
    let inv_norm: Vec<f64> = (0..p)
        .map(|i| 1.0 / block(i / PANEL, i / PANEL)[i % PANEL][i % PANEL].sqrt())
        .collect();

    // The matrix, row by row in parallel: entry (i, j) is the sum of the pair divided by both
    // norms, `s * (inv_i * inv_j)`: the product of the norms commutes, so (j, i) gets the
    // same bits. Rounding can take a correlation of ±1 an ulp past it: clamped, as NumPy
    // does.
    let mut corr = vec![0.0; p * p];
    corr.par_chunks_mut(p).enumerate().for_each(|(i, row)| {
        let (a, x) = (i / PANEL, i % PANEL);
        let pairs = row.chunks_mut(PANEL).zip(inv_norm.chunks(PANEL));
        for (b, (out, inv)) in pairs.enumerate() {
            if a <= b {
                for ((o, s), v) in out.iter_mut().zip(&block(a, b)[x]).zip(inv) {
                    *o = (s * (inv_norm[i] * v)).clamp(-1.0, 1.0);
                }
            } else {
                for ((o, s), v) in out.iter_mut().zip(block(b, a)).zip(inv) {
                    *o = (s[x] * (inv_norm[i] * v)).clamp(-1.0, 1.0);
                }
            }
        }
        row[i] = 1.0;
    });
    Matrix::from_vec(p, p, corr).expect("p * p elements")
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

/// Adds to `acc[k]` the dot products of panel `a` with panel `a + k` over one block of `len`
/// days (`block`: the block's days of each panel, panel after panel), for every `k`.
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
    block: &[f64],
    len: usize,
    a: usize,
    acc: &mut [Block<PANEL>],
) {
    match kernel {
        Kernel::Portable => panel_row_kernel::<PANEL, 2, false>(block, len, a, acc),
        // SAFETY: `correlation` chooses these kernels only if the CPU has the features.
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2Fma => unsafe { panel_row_avx2_fma(block, len, a, acc) },
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx512 => unsafe { panel_row_avx512(block, len, a, acc) },
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn panel_row_avx2_fma<const PANEL: usize>(
    block: &[f64],
    len: usize,
    a: usize,
    acc: &mut [Block<PANEL>],
) {
    panel_row_kernel::<PANEL, 3, true>(block, len, a, acc);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn panel_row_avx512<const PANEL: usize>(
    block: &[f64],
    len: usize,
    a: usize,
    acc: &mut [Block<PANEL>],
) {
    panel_row_kernel::<PANEL, 3, true>(block, len, a, acc);
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
    block: &[f64],
    len: usize,
    a: usize,
    acc: &mut [Block<PANEL>],
) {
    let panel = |k: usize| {
        block[k * len * PANEL..(k + 1) * len * PANEL]
            .as_chunks::<PANEL>()
            .0
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
    // Row by row: PANEL additions side by side, one vector instruction.
    for (row, part) in acc.iter_mut().zip(part) {
        for (o, v) in row.iter_mut().zip(part) {
            *o += v;
        }
    }
}
/// Every kernel this CPU can run, not only the one `correlation` chooses here: a grader or a
/// student machine without AVX-512 runs the others. (`cargo xtask check` runs these.)
#[cfg(test)]
mod tests {
    use super::*;
    use finance::market::{MarketConfig, simulate};

    fn kernels() -> Vec<(&'static str, Kernel)> {
        let mut k = vec![("portable", Kernel::Portable)];
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            if has!("avx2") && has!("fma") {
                k.push(("avx2+fma", Kernel::Avx2Fma));
            }
            if has!("avx512f") {
                k.push(("avx512", Kernel::Avx512));
            }
        }
        k
    }

    fn check<const PANEL: usize>(name: &str, kernel: Kernel, returns: &Matrix) {
        let (n, p) = returns.shape();
        let what = format!("{name} kernel, panels of {PANEL}, {p} assets x {n} days");
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let three = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let c = one.install(|| correlation_panels::<PANEL>(returns, kernel));
        let naive = correlation_naive(returns);
        for i in 0..p {
            assert_eq!(c[(i, i)], 1.0, "{what}: diagonal");
            for j in 0..p {
                assert!(
                    (c[(i, j)] - naive[(i, j)]).abs() < 1e-12,
                    "{what}: ({i}, {j})"
                );
                assert_eq!(c[(i, j)], c[(j, i)], "{what}: symmetry");
            }
        }
        let c3 = three.install(|| correlation_panels::<PANEL>(returns, kernel));
        assert_eq!(c3, c, "{what}: 3 threads");
    }

    #[test]
    fn every_kernel_matches_the_naive_correlation_at_every_edge_of_its_blocks() {
        // Assets that fill their panels exactly or leave 1 to 7 lanes empty; days within one
        // block, filling blocks exactly, and one day past a block.
        for (assets, days) in [(1, 2), (3, 7), (8, 256), (12, 257), (16, 513), (37, 300)] {
            let r = simulate(&MarketConfig::new(assets, days + 1, 47)).returns();
            for (name, kernel) in kernels() {
                check::<4>(name, kernel, &r);
                check::<8>(name, kernel, &r);
            }
        }
    }
}
// STUB
//     todo!(
//         "correlation of a {:?} matrix: standardise once, blocked dot products, balanced triangle",
//         returns.shape()
//     )
// }
// END SOLUTION

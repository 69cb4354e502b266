//! Task 3: the notes' benchmark. For each new vector, the most similar existing one by cosine
//! similarity: a matrix product `Q · Eᵀ` of the normalised rows, then an argmax per row.
//!
//! The product is computed by a tiled kernel: a workgroup of 16 × 16 threads computes a 16 × 16
//! block of scores, and loads the rows it needs 16 columns at a time into workgroup memory,
//! where all 256 threads read them. Each input value then comes from device memory once per
//! tile instead of once per thread.

// BEGIN SOLUTION
use rayon::prelude::*;
// END SOLUTION

use crate::gpu::f32_bytes;
use crate::{Gpu, GpuError};

/// The side of a tile: the tiled kernel's workgroup is `TILE × TILE` threads.
pub const TILE: u32 = 16;

/// Threads per workgroup of the argmax kernel.
pub const ARGMAX_WORKGROUP: u32 = 64;

/// The nearest existing vector of one query.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Match {
    /// Its row in the existing vectors.
    pub index: u32,
    /// Its cosine similarity with the query, in [−1, 1].
    pub score: f32,
}

/// The largest difference allowed between a GPU score and the CPU's for vectors of `dim`
/// components: `dim × f32::EPSILON`.
///
/// Both sides add the same `dim` products of unit vectors' components in the same order, in
/// `f32`; they may differ by contraction (a fused multiply-add rounds once, not twice). A sum
/// of `dim` terms rounded in any such way is within `dim · u · Σ|qₖeₖ| ≤ dim · 2⁻²⁴` of the
/// exact value (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §3.1;
/// `Σ|qₖeₖ| ≤ 1` for unit vectors by Cauchy-Schwarz), so two such sums are within
/// `dim · 2⁻²³ = dim × f32::EPSILON` of each other.
pub fn tolerance(dim: usize) -> f32 {
    dim as f32 * f32::EPSILON
}

/// The rows of `data` (`dim` columns, row-major) scaled to unit length, in `f32`: row `r` is
/// divided by `sqrt(Σ x²)` summed in order.
///
/// A `dim` of 0, a length that is not a multiple of `dim`, no rows, or a row of norm 0 (its
/// cosine similarity is undefined) is [`GpuError::Input`], naming `what` and the row.
pub fn normalized(data: &[f32], dim: usize, what: &str) -> Result<Vec<f32>, GpuError> {
    // BEGIN SOLUTION
    if dim == 0 || data.is_empty() || !data.len().is_multiple_of(dim) {
        return Err(GpuError::Input(format!(
            "{what}: {} values are not a whole, non-zero number of rows of {dim}",
            data.len()
        )));
    }
    let mut out = data.to_vec();
    for (r, row) in out.chunks_exact_mut(dim).enumerate() {
        let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm == 0.0 || !norm.is_finite() {
            return Err(GpuError::Input(format!(
                "{what}: row {r} has norm {norm}: its cosine similarity is undefined"
            )));
        }
        for x in row.iter_mut() {
            *x /= norm;
        }
    }
    Ok(out)
    // END SOLUTION todo!("scale every row of {what} ({} values, rows of {dim}) to unit length; refuse bad shapes and zero rows", data.len())
}

/// The CPU reference, on rayon's pool: for each query (row of `queries`), the existing row of
/// largest cosine similarity, both normalised by [`normalized`], each score a dot product
/// summed in `f32` in component order. Ties go to the lowest index.
pub fn nearest_cpu(existing: &[f32], queries: &[f32], dim: usize) -> Result<Vec<Match>, GpuError> {
    // BEGIN SOLUTION
    let e = normalized(existing, dim, "existing vectors")?;
    let q = normalized(queries, dim, "queries")?;
    Ok(q.par_chunks_exact(dim)
        .map(|qr| {
            let mut best = Match {
                index: 0,
                score: f32::NEG_INFINITY,
            };
            for (j, er) in e.chunks_exact(dim).enumerate() {
                let mut s = 0.0f32;
                for k in 0..dim {
                    s += qr[k] * er[k];
                }
                if s > best.score {
                    best = Match {
                        index: j as u32,
                        score: s,
                    };
                }
            }
            best
        })
        .collect())
    // STUB
    // let _ = (existing, queries);
    // todo!("nearest existing row for each query, rows of {dim}, on rayon; ties to the lowest index")
    // END SOLUTION
}

/// The WGSL of the tiled product, entry point `scores`, `@workgroup_size(16, 16)`.
///
/// Bindings: 0 `dims` (uniform: `rows`, `m`, `d`, as `u32`), 1 the queries (`rows × d`,
/// read-only storage), 2 the existing vectors (`m × d`, read-only), 3 the scores
/// (`rows × m`, read-write). Dispatched as `(ceil(m / 16), ceil(rows / 16), 1)` workgroups:
/// workgroup (x, y) computes scores of queries `16y..16y + 16` against existing vectors
/// `16x..16x + 16`. Each thread sums its dot product over `k = 0, 1, ..., d − 1` in order, a
/// tile of 16 components at a time, from tiles in `var<workgroup>` memory; a tile entry past
/// the last row or the last component is loaded as 0, and a thread outside the matrix writes
/// nothing.
pub fn tiled_kernel() -> &'static str {
    // BEGIN SOLUTION
    r#"
struct Dims { rows: u32, m: u32, d: u32, pad: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> e: array<f32>;
@group(0) @binding(3) var<storage, read_write> scores: array<f32>;

const T: u32 = 16u;
var<workgroup> tq: array<array<f32, 16>, 16>;
var<workgroup> te: array<array<f32, 16>, 16>;

@compute @workgroup_size(16, 16)
fn scores_tiled(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row = wid.y * T + lid.y;
    let col = wid.x * T + lid.x;
    let erow = wid.x * T + lid.y;
    var acc = 0.0;
    let tiles = (dims.d + T - 1u) / T;
    for (var t = 0u; t < tiles; t++) {
        let k = t * T + lid.x;
        if (row < dims.rows && k < dims.d) {
            tq[lid.y][lid.x] = q[row * dims.d + k];
        } else {
            tq[lid.y][lid.x] = 0.0;
        }
        if (erow < dims.m && k < dims.d) {
            te[lid.y][lid.x] = e[erow * dims.d + k];
        } else {
            te[lid.y][lid.x] = 0.0;
        }
        workgroupBarrier();
        for (var j = 0u; j < T; j++) {
            acc += tq[lid.y][j] * te[lid.x][j];
        }
        workgroupBarrier();
    }
    if (row < dims.rows && col < dims.m) {
        scores[row * dims.m + col] = acc;
    }
}
"#
    // END SOLUTION todo!("the WGSL of the tiled product Q · Eᵀ: 16 × 16 tiles in workgroup memory, zeros past the edges")
}

/// The WGSL of the argmax, entry point `argmax`, `@workgroup_size(64)`.
///
/// Bindings: 0 `dims` (as for [`tiled_kernel`]), 1 the scores (`rows × m`, read-only), 2 the
/// result (`array<u32>`, `2 × rows`: the index, then the bits of the score). One thread per
/// row, `ceil(rows / 64)` workgroups; the first largest score wins (ties to the lowest index).
pub fn argmax_kernel() -> &'static str {
    // BEGIN SOLUTION
    r#"
struct Dims { rows: u32, m: u32, d: u32, pad: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> scores: array<f32>;
@group(0) @binding(2) var<storage, read_write> best: array<u32>;

@compute @workgroup_size(64)
fn argmax(@builtin(global_invocation_id) gid: vec3<u32>) {
    let r = gid.x;
    if (r >= dims.rows) {
        return;
    }
    let base = r * dims.m;
    var bi = 0u;
    var bs = scores[base];
    for (var c = 1u; c < dims.m; c++) {
        let s = scores[base + c];
        if (s > bs) {
            bs = s;
            bi = c;
        }
    }
    best[2u * r] = bi;
    best[2u * r + 1u] = bitcast<u32>(bs);
}
"#
    // END SOLUTION todo!("the WGSL of the argmax: one thread per row, the first largest score")
}

/// The existing vectors on the device, normalised, with both kernels compiled: a search
/// answers chunk after chunk of queries without uploading them again.
pub struct GpuSearch {
    /// Existing vectors.
    pub m: usize,
    /// Components per vector.
    pub dim: usize,
    existing: wgpu::Buffer,
    scores: wgpu::ComputePipeline,
    argmax: wgpu::ComputePipeline,
}

impl GpuSearch {
    /// Normalises `existing` ([`normalized`]), uploads it and compiles both kernels.
    ///
    /// More existing vectors than one dispatch can cover (`16 ×` the device's workgroups per
    /// dimension) or a matrix larger than [`Gpu::max_binding`] is an error.
    pub fn new(gpu: &Gpu, existing: &[f32], dim: usize) -> Result<GpuSearch, GpuError> {
        let e = normalized(existing, dim, "existing vectors")?;
        let m = e.len() / dim;
        let max_m = TILE as usize * gpu.limits.max_compute_workgroups_per_dimension as usize;
        if m > max_m {
            return Err(GpuError::Input(format!(
                "{m} existing vectors: one dispatch covers at most {max_m}"
            )));
        }
        Ok(GpuSearch {
            m,
            dim,
            existing: gpu.upload("existing", &f32_bytes(&e))?,
            scores: gpu.pipeline(tiled_kernel(), "scores_tiled", &[])?,
            argmax: gpu.pipeline(argmax_kernel(), "argmax", &[])?,
        })
    }

    /// The nearest existing vector of each query of `queries` (rows of `dim`): normalise and
    /// upload the queries, dispatch [`tiled_kernel`] into a `rows × m` score matrix on the
    /// device, dispatch [`argmax_kernel`] over it, and download only the `rows` matches.
    ///
    /// The score matrix must fit in one buffer: one larger than [`Gpu::max_binding`] is
    /// [`GpuError::TooLarge`], before anything is dispatched.
    pub fn chunk(&self, gpu: &Gpu, queries: &[f32]) -> Result<Vec<Match>, GpuError> {
        // BEGIN SOLUTION
        let q = normalized(queries, self.dim, "queries")?;
        let rows = q.len() / self.dim;
        let score_bytes = (rows as u64) * (self.m as u64) * 4;
        let max = gpu.max_binding();
        if score_bytes > max {
            return Err(GpuError::TooLarge {
                what: format!("the {rows} × {} score matrix", self.m),
                bytes: score_bytes,
                max,
            });
        }
        let dims = gpu.uniform("dims", &[rows as u32, self.m as u32, self.dim as u32]);
        let qb = gpu.upload("queries", &f32_bytes(&q))?;
        let scores = gpu.storage("scores", score_bytes)?;
        let best = gpu.storage("best", 8 * rows as u64)?;
        let bind = gpu.bind(&self.scores, &[&dims, &qb, &self.existing, &scores]);
        let groups = (
            (self.m as u32).div_ceil(TILE),
            (rows as u32).div_ceil(TILE),
            1,
        );
        gpu.dispatch(&self.scores, &bind, groups)?;
        let bind = gpu.bind(&self.argmax, &[&dims, &scores, &best]);
        gpu.dispatch(
            &self.argmax,
            &bind,
            ((rows as u32).div_ceil(ARGMAX_WORKGROUP), 1, 1),
        )?;
        let words = gpu.download_u32(&best, 2 * rows)?;
        Ok(words
            .chunks_exact(2)
            .map(|w| Match {
                index: w[0],
                score: f32::from_bits(w[1]),
            })
            .collect())
        // STUB
        // let _ = (gpu, &self.existing, &self.scores, &self.argmax);
        // todo!("normalise and upload {} query values, dispatch the tiled product and the argmax, download the matches", queries.len())
        // END SOLUTION
    }
}

/// [`GpuSearch::new`] then one [`GpuSearch::chunk`] of every query.
pub fn nearest_gpu(
    gpu: &Gpu,
    existing: &[f32],
    queries: &[f32],
    dim: usize,
) -> Result<Vec<Match>, GpuError> {
    GpuSearch::new(gpu, existing, dim)?.chunk(gpu, queries)
}

/// `n` vectors of `dim` components, each uniform on [−1, 1), from `finance::rng::stream(seed,
/// 0)`: the inputs of the tests, examples and benchmarks.
pub fn random_vectors(n: usize, dim: usize, seed: u64) -> Vec<f32> {
    use rand::RngExt;
    let mut rng = finance::rng::stream(seed, 0);
    (0..n * dim)
        .map(|_| rng.random_range(-1.0f32..1.0))
        .collect()
}

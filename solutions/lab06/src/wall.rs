//! Task 5: the memory wall. A search whose score matrix would not fit in the device's largest
//! buffer (the notes' 100 000 × 100 000 product: 37.25 GiB) runs in chunks of queries, each
//! chunk's scores on the device only as long as its argmax needs them.
//!
//! Device memory then holds the existing vectors, one chunk of queries, its scores and its
//! matches; host memory the inputs and the matches. Neither grows with the product.

use crate::search::Match;
// BEGIN SOLUTION
use crate::search::{GpuSearch, TILE};
// END SOLUTION
use crate::{Gpu, GpuError};

/// How a search is cut, decided before any work starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Queries (rows of the product).
    pub queries: usize,
    /// Existing vectors (columns of the product).
    pub existing: usize,
    /// Components per vector.
    pub dim: usize,
    /// Bytes of the whole `queries × existing` score matrix in `f32`.
    pub product_bytes: u64,
    /// Queries per chunk: the most whose scores fit in the budget.
    pub rows_per_chunk: usize,
    /// Chunks: every query in exactly one, the last one possibly partial.
    pub chunks: usize,
    /// Device bytes of one chunk: the existing vectors, the chunk's queries, its scores and its
    /// matches (8 bytes each).
    pub device_bytes: u64,
}

impl Plan {
    /// The queries of chunk `c`: `c · rows_per_chunk ..` up to the next chunk or the end.
    pub fn rows(&self, c: usize) -> std::ops::Range<usize> {
        let start = c * self.rows_per_chunk;
        start..(start + self.rows_per_chunk).min(self.queries)
    }
}

/// The plan of a search of `queries` against `existing` vectors of `dim` components on a
/// device whose largest buffer binding is `max_binding` bytes, each chunk's score matrix at
/// most `budget` bytes (`None`: `max_binding`).
///
/// Errors, each [`GpuError::TooLarge`] naming `max_binding`: a budget above it, existing
/// vectors that do not fit in it, a budget smaller than one row of scores (`4 × existing`
/// bytes). No vectors or `dim` 0 is [`GpuError::Input`]. Rows per chunk are also capped so
/// that one chunk's dispatch has at most `16 × 65 535` rows.
pub fn plan(
    max_binding: u64,
    queries: usize,
    existing: usize,
    dim: usize,
    budget: Option<u64>,
) -> Result<Plan, GpuError> {
    // BEGIN SOLUTION
    if queries == 0 || existing == 0 || dim == 0 {
        return Err(GpuError::Input(format!(
            "a search of {queries} queries against {existing} vectors of {dim} components"
        )));
    }
    let budget = budget.unwrap_or(max_binding);
    if budget > max_binding {
        return Err(GpuError::TooLarge {
            what: "the requested chunk budget".into(),
            bytes: budget,
            max: max_binding,
        });
    }
    let (q, m, d) = (queries as u64, existing as u64, dim as u64);
    let existing_bytes = m * d * 4;
    if existing_bytes > max_binding {
        return Err(GpuError::TooLarge {
            what: format!("the {existing} existing vectors of {dim} components"),
            bytes: existing_bytes,
            max: max_binding,
        });
    }
    let row_bytes = m * 4;
    let by_scores = budget / row_bytes;
    if by_scores == 0 {
        return Err(GpuError::TooLarge {
            what: format!(
                "one row of scores ({existing} existing vectors), within a budget of {budget} bytes,"
            ),
            bytes: row_bytes,
            max: budget.min(max_binding),
        });
    }
    let rows = by_scores
        .min(max_binding / (d * 4))
        .min(u64::from(TILE) * 65_535)
        .min(q) as usize;
    let chunks = queries.div_ceil(rows);
    let r = rows as u64;
    Ok(Plan {
        queries,
        existing,
        dim,
        product_bytes: q * m * 4,
        rows_per_chunk: rows,
        chunks,
        device_bytes: existing_bytes + r * d * 4 + r * m * 4 + r * 8,
    })
    // END SOLUTION todo!("plan {queries} queries against {existing} vectors of {dim} in chunks within {budget:?} bytes (device max {max_binding})")
}

/// Nearest neighbours of every query by chunks of [`plan`] (for this device's
/// [`Gpu::max_binding`]): the plan first, so that a request too large is an error before any
/// upload; then the existing vectors uploaded once ([`GpuSearch::new`]) and one
/// [`GpuSearch::chunk`] per chunk, the matches appended in query order.
pub fn nearest_chunked(
    gpu: &Gpu,
    existing: &[f32],
    queries: &[f32],
    dim: usize,
    budget: Option<u64>,
) -> Result<(Vec<Match>, Plan), GpuError> {
    // BEGIN SOLUTION
    if dim == 0 || !existing.len().is_multiple_of(dim) || !queries.len().is_multiple_of(dim) {
        return Err(GpuError::Input(format!(
            "{} existing and {} query values are not whole rows of {dim}",
            existing.len(),
            queries.len()
        )));
    }
    let p = plan(
        gpu.max_binding(),
        queries.len() / dim,
        existing.len() / dim,
        dim,
        budget,
    )?;
    let search = GpuSearch::new(gpu, existing, dim)?;
    let mut out = Vec::with_capacity(p.queries);
    for c in 0..p.chunks {
        let r = p.rows(c);
        out.extend(search.chunk(gpu, &queries[r.start * dim..r.end * dim])?);
    }
    Ok((out, p))
    // STUB
    // let _ = (gpu, existing, queries);
    // todo!("plan first, then one chunk at a time (dim {dim}, budget {budget:?})")
    // END SOLUTION
}

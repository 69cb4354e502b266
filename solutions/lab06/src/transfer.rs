//! Task 2: the transfer cost. `y = a·x + y` on the GPU, timed in parts, against rayon.
//!
//! The kernel does two flops per 12 bytes moved: on any device it is limited by memory, and
//! on a GPU by the trip over the bus before and after. Timing the parts shows which one
//! dominates at each size.

use std::time::Duration;
// BEGIN SOLUTION
use std::time::Instant;

use rayon::prelude::*;

use crate::gpu::f32_bytes;
// END SOLUTION
use crate::{Gpu, GpuError};

/// Threads per workgroup of the scale-and-add kernel (the `@workgroup_size` of
/// [`scale_add_kernel`]).
pub const WORKGROUP: u32 = 64;

/// The WGSL source of the scale-and-add kernel, entry point `scale_add`.
///
/// Bindings: 0 `params` (uniform: `n: u32`, then `a` as the bits of an `f32`), 1 `x`
/// (read-only storage, `array<f32>`), 2 `y` (read-write storage, `array<f32>`). One thread
/// per element, `@workgroup_size(64)`; thread `i = gid.y · nwg.x · 64 + gid.x` (global id
/// `gid`, workgroups `nwg`: more than 65 535 workgroups wrap into rows) sets
/// `y[i] = a * x[i] + y[i]`, and a thread with `i >= n` (the last workgroup is partly past the
/// end) does nothing.
pub fn scale_add_kernel() -> &'static str {
    // BEGIN SOLUTION
    r#"
struct Params { n: u32, a_bits: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn scale_add(@builtin(global_invocation_id) gid: vec3<u32>,
             @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * nwg.x * 64u + gid.x;
    if (i >= params.n) {
        return;
    }
    let a = bitcast<f32>(params.a_bits);
    y[i] = a * x[i] + y[i];
}
"#
    // END SOLUTION todo!("the WGSL of scale_add: one thread per element, y[i] = a * x[i] + y[i], nothing past n")
}

/// Where the time of one GPU run went.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Phases {
    /// Host to device: creating the buffers `x` and `y` with their data, until the device
    /// has them.
    pub upload: Duration,
    /// The dispatch, from submission until the device is done.
    pub dispatch: Duration,
    /// Device to host: copying `y` back and mapping it.
    pub download: Duration,
}

impl Phases {
    /// The three parts together.
    pub fn total(&self) -> Duration {
        self.upload + self.dispatch + self.download
    }
}

/// `a·x + y` on the CPU, on rayon's pool: element `i` of the result is `a * x[i] + y[i]`
/// in `f32`, exactly what the kernel computes (`mul_add` would round once, not twice).
///
/// Lengths that differ are [`GpuError::Input`].
pub fn scale_add_cpu(a: f32, x: &[f32], y: &[f32]) -> Result<Vec<f32>, GpuError> {
    // BEGIN SOLUTION
    same_len(x, y)?;
    Ok(x.par_iter().zip(y).map(|(&x, &y)| a * x + y).collect())
    // END SOLUTION todo!("a * x[i] + y[i] for every i, on rayon (a = {a}, {} and {} elements)", x.len(), y.len())
}

/// `a·x + y` on the GPU, and where the time went: upload `x` and `y`, dispatch
/// `ceil(n / WORKGROUP)` workgroups of [`scale_add_kernel`] (in rows of at most the device's
/// `max_compute_workgroups_per_dimension`), download `y`. Each part ends
/// with [`Gpu::wait`] (or a download, which waits), so that each is timed alone; compiling
/// the kernel happens before and is not timed.
///
/// Lengths that differ are [`GpuError::Input`]; an empty input returns at once.
pub fn scale_add_gpu(
    gpu: &Gpu,
    a: f32,
    x: &[f32],
    y: &[f32],
) -> Result<(Vec<f32>, Phases), GpuError> {
    // BEGIN SOLUTION
    same_len(x, y)?;
    let n = x.len();
    if n == 0 {
        return Ok((Vec::new(), Phases::default()));
    }
    let groups = u32::try_from(n.div_ceil(WORKGROUP as usize))
        .map_err(|_| GpuError::Input(format!("{n} elements are too many for one dispatch")))?;
    let pipeline = gpu.pipeline(scale_add_kernel(), "scale_add", &[])?;
    let params = gpu.uniform("params", &[n as u32, a.to_bits()]);
    gpu.wait()?;

    let t = Instant::now();
    let xb = gpu.upload("x", &f32_bytes(x))?;
    let yb = gpu.upload("y", &f32_bytes(y))?;
    gpu.wait()?;
    let upload = t.elapsed();

    let t = Instant::now();
    let bind = gpu.bind(&pipeline, &[&params, &xb, &yb]);
    let row = groups.min(gpu.limits.max_compute_workgroups_per_dimension);
    gpu.dispatch(&pipeline, &bind, (row, groups.div_ceil(row), 1))?;
    gpu.wait()?;
    let dispatch = t.elapsed();

    let t = Instant::now();
    let out = gpu.download_f32(&yb, n)?;
    let download = t.elapsed();
    Ok((
        out,
        Phases {
            upload,
            dispatch,
            download,
        },
    ))
    // STUB
    // let _ = gpu;
    // todo!("upload x and y, dispatch ceil(n / {WORKGROUP}) workgroups, download y, timing each part (a = {a}, {} and {} elements)", x.len(), y.len())
    // END SOLUTION
}

// BEGIN SOLUTION
fn same_len(x: &[f32], y: &[f32]) -> Result<(), GpuError> {
    if x.len() != y.len() {
        return Err(GpuError::Input(format!(
            "x has {} elements and y has {}: they must be equal",
            x.len(),
            y.len()
        )));
    }
    Ok(())
}
// END SOLUTION

/// One point of the transfer curve: the CPU's time and the GPU's parts at one size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Elements.
    pub n: usize,
    /// rayon on every core.
    pub cpu: Duration,
    /// The GPU, in parts.
    pub gpu: Phases,
}

/// The smallest size from which the GPU's total time stays below the CPU's at every larger
/// size measured: the crossover. `None` if the GPU is slower at the largest size (it never
/// wins here). The points may come in any order.
pub fn crossover(points: &[Point]) -> Option<usize> {
    // BEGIN SOLUTION
    let mut sorted = points.to_vec();
    sorted.sort_by_key(|p| p.n);
    let mut from = None;
    for p in sorted.iter().rev() {
        if p.gpu.total() < p.cpu {
            from = Some(p.n);
        } else {
            break;
        }
    }
    from
    // END SOLUTION todo!("the smallest n from which the GPU wins at every larger n, among {} points", points.len())
}

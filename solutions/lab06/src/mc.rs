//! Task 4: Monte Carlo on the GPU. A European option priced by one thread per path, each path's
//! normal a pure function of (seed, path index) through Philox4x32-10 ([`finance::philox`]).
//!
//! Path `i` uses the counter `(i, 0, 0, 0)` and the key [`finance::philox::key_of`]`(seed)`;
//! its normal is the first Box-Muller output of the first two words. Nothing depends on which
//! thread of which workgroup computes the path, so the payoffs are the same, bit for bit, for
//! every workgroup size and every dispatch shape.

use finance::bs::Contract;
// BEGIN SOLUTION
use finance::bs::OptionKind;
use finance::philox;
use rayon::prelude::*;
// END SOLUTION

use crate::{Gpu, GpuError};

/// How a kernel is launched: threads per workgroup, and the most workgroups along x before the
/// dispatch wraps into a second dimension (rows of `max_groups_x` workgroups).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Launch {
    /// Threads per workgroup (the kernels' `override WG`), at most the device's
    /// `max_compute_workgroup_size_x`.
    pub workgroup_size: u32,
    /// Workgroups per row of the dispatch, at most the device's
    /// `max_compute_workgroups_per_dimension`.
    pub max_groups_x: u32,
}

impl Default for Launch {
    /// 64 threads per workgroup, rows of 65 535 workgroups (WebGPU's least maximum).
    fn default() -> Self {
        Launch {
            workgroup_size: 64,
            max_groups_x: 65_535,
        }
    }
}

impl Launch {
    /// The dispatch covering `n` threads: `(x, y, 1)` workgroups, `x ≤ max_groups_x`,
    /// `x · y · workgroup_size ≥ n`. A launch the device cannot run is [`GpuError::Input`].
    pub fn groups(&self, gpu: &Gpu, n: u32) -> Result<(u32, u32, u32), GpuError> {
        let wg = self.workgroup_size;
        if wg == 0
            || wg > gpu.limits.max_compute_workgroup_size_x
            || wg > gpu.limits.max_compute_invocations_per_workgroup
            || self.max_groups_x == 0
        {
            return Err(GpuError::Input(format!(
                "a launch of {wg} threads per workgroup and {} workgroups per row: the device \
                 allows 1..={} threads",
                self.max_groups_x,
                gpu.limits
                    .max_compute_workgroup_size_x
                    .min(gpu.limits.max_compute_invocations_per_workgroup)
            )));
        }
        let total = n.div_ceil(wg).max(1);
        let x = total.min(self.max_groups_x);
        Ok((x, total.div_ceil(x), 1))
    }
}

/// The WGSL of Philox4x32-10 with 32-bit arithmetic only: `fn mulhilo(a: u32, b: u32) ->
/// vec2<u32>` (high, low) from 16-bit halves, and `fn philox4x32_10(c: vec4<u32>, k: vec2<u32>)
/// -> vec4<u32>`, the same function as [`finance::philox::philox4x32_10`]. No entry point: the
/// two kernels below are appended to it.
pub fn philox_wgsl() -> &'static str {
    // BEGIN SOLUTION
    r#"
fn mulhilo(a: u32, b: u32) -> vec2<u32> {
    let a0 = a & 0xffffu;
    let a1 = a >> 16u;
    let b0 = b & 0xffffu;
    let b1 = b >> 16u;
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
    let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
    return vec2<u32>(hi, a * b);
}

fn philox4x32_10(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
    var c = counter;
    var k = key;
    for (var r = 0u; r < 10u; r++) {
        if (r > 0u) {
            k = k + vec2<u32>(0x9E3779B9u, 0xBB67AE85u);
        }
        let p0 = mulhilo(0xD2511F53u, c.x);
        let p1 = mulhilo(0xCD9E8D57u, c.z);
        c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    }
    return c;
}
"#
    // END SOLUTION todo!("the WGSL of mulhilo (16-bit halves) and philox4x32_10, as finance::philox")
}

/// The WGSL of the raw generator, entry point `philox_raw`, `@workgroup_size(WG)` with
/// `override WG: u32 = 64u;` (appended to [`philox_wgsl`]).
///
/// Bindings: 0 `params` (uniform: `n`, the key's two words), 1 `out` (`array<u32>`, `4n`).
/// Thread of global index `i = (wid.y · nwg.x + wid.x) · WG + lid.x` (workgroup id `wid`,
/// workgroups `nwg`, local id `lid`), if `i < n`, writes `philox4x32_10((i, 0, 0, 0), key)` to
/// `out[4i..4i + 4]`.
pub fn philox_kernel() -> &'static str {
    // BEGIN SOLUTION
    r#"
override WG: u32 = 64u;
struct Params { n: u32, k0: u32, k1: u32, pad: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(WG)
fn philox_raw(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
              @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = (wid.y * nwg.x + wid.x) * WG + lid.x;
    if (i >= params.n) {
        return;
    }
    let x = philox4x32_10(vec4<u32>(i, 0u, 0u, 0u), vec2<u32>(params.k0, params.k1));
    out[4u * i] = x.x;
    out[4u * i + 1u] = x.y;
    out[4u * i + 2u] = x.z;
    out[4u * i + 3u] = x.w;
}
"#
    // END SOLUTION todo!("the WGSL of philox_raw: out[4i..4i+4] = philox4x32_10((i, 0, 0, 0), key) for i < n")
}

/// The WGSL of the pricer, entry point `european`, `@workgroup_size(WG)` with
/// `override WG: u32 = 64u;` (appended to [`philox_wgsl`]).
///
/// Bindings: 0 `params` (uniform: `n`, `k0`, `k1`, `is_call` as `u32`, then as bits of `f32`:
/// `spot`, `strike`, `drift = (r − q − σ²/2)T`, `vol_sqrt_t = σ√T`, `discount = e^(−rT)`),
/// 1 `payoff` (`array<f32>`, `n`). Thread of global index `i` (as in [`philox_kernel`]), if
/// `i < n`: `x = philox4x32_10((i, 0, 0, 0), (k0, k1))`, `u1`, `u2` from `x.x`, `x.y` as
/// [`finance::philox::uniform_f32`], `z = √(−2 ln u1) cos(2π u2)`,
/// `S_T = spot · exp(drift + vol_sqrt_t · z)`, `payoff[i] = discount · max(±(S_T − strike), 0)`.
pub fn european_kernel() -> &'static str {
    // BEGIN SOLUTION
    r#"
override WG: u32 = 64u;
struct Params {
    n: u32, k0: u32, k1: u32, is_call: u32,
    spot: f32, strike: f32, drift: f32, vol_sqrt_t: f32,
    discount: f32, p0: f32, p1: f32, p2: f32,
}
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> payoff: array<f32>;

fn unit(x: u32) -> f32 {
    return (f32(x >> 9u) + 0.5) * (1.0 / 8388608.0);
}

@compute @workgroup_size(WG)
fn european(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
            @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = (wid.y * nwg.x + wid.x) * WG + lid.x;
    if (i >= params.n) {
        return;
    }
    let x = philox4x32_10(vec4<u32>(i, 0u, 0u, 0u), vec2<u32>(params.k0, params.k1));
    let u1 = unit(x.x);
    let u2 = unit(x.y);
    let z = sqrt(-2.0 * log(u1)) * cos(6.2831853 * u2);
    let st = params.spot * exp(params.drift + params.vol_sqrt_t * z);
    var v = st - params.strike;
    if (params.is_call == 0u) {
        v = -v;
    }
    payoff[i] = params.discount * max(v, 0.0);
}
"#
    // END SOLUTION todo!("the WGSL of european: one path per thread, its normal from philox4x32_10((i, 0, 0, 0), key)")
}

/// `philox4x32_10((i, 0, 0, 0), key_of(seed))` for `i` in `0..n`, computed on the GPU by
/// [`philox_kernel`] launched as `launch` says.
pub fn philox_gpu(
    gpu: &Gpu,
    seed: u64,
    n: u32,
    launch: &Launch,
) -> Result<Vec<[u32; 4]>, GpuError> {
    // BEGIN SOLUTION
    let groups = launch.groups(gpu, n)?;
    let src = format!("{}{}", philox_wgsl(), philox_kernel());
    let pipeline = gpu.pipeline(
        &src,
        "philox_raw",
        &[("WG", f64::from(launch.workgroup_size))],
    )?;
    let key = philox::key_of(seed);
    let params = gpu.uniform("params", &[n, key[0], key[1]]);
    let out = gpu.storage("out", 16 * u64::from(n))?;
    let bind = gpu.bind(&pipeline, &[&params, &out]);
    gpu.dispatch(&pipeline, &bind, groups)?;
    let words = gpu.download_u32(&out, 4 * n as usize)?;
    Ok(words
        .chunks_exact(4)
        .map(|w| [w[0], w[1], w[2], w[3]])
        .collect())
    // STUB
    // let _ = (gpu, launch);
    // todo!("run philox_raw for {n} counters with seed {seed} and return its words")
    // END SOLUTION
}

/// The discounted payoff of every path, computed on the GPU by [`european_kernel`] launched as
/// `launch` says. `contract` is validated first ([`Contract::validate`]); no paths, or an
/// invalid contract, is [`GpuError::Input`].
pub fn european_payoffs_gpu(
    gpu: &Gpu,
    contract: &Contract,
    paths: u32,
    seed: u64,
    launch: &Launch,
) -> Result<Vec<f32>, GpuError> {
    // BEGIN SOLUTION
    let p = Params::new(contract, paths)?;
    let groups = launch.groups(gpu, paths)?;
    let src = format!("{}{}", philox_wgsl(), european_kernel());
    let pipeline = gpu.pipeline(
        &src,
        "european",
        &[("WG", f64::from(launch.workgroup_size))],
    )?;
    let key = philox::key_of(seed);
    let words = [
        paths,
        key[0],
        key[1],
        u32::from(p.is_call),
        p.spot.to_bits(),
        p.strike.to_bits(),
        p.drift.to_bits(),
        p.vol_sqrt_t.to_bits(),
        p.discount.to_bits(),
    ];
    let params = gpu.uniform("params", &words);
    let out = gpu.storage("payoff", 4 * u64::from(paths))?;
    let bind = gpu.bind(&pipeline, &[&params, &out]);
    gpu.dispatch(&pipeline, &bind, groups)?;
    gpu.download_f32(&out, paths as usize)
    // STUB
    // let _ = (gpu, contract, launch);
    // todo!("run european for {paths} paths with seed {seed} and return the payoffs")
    // END SOLUTION
}

/// The same payoffs on the CPU, on rayon's pool: the same generator, the same `f32` formulas
/// (`f32::ln`, `f32::cos`, `f32::exp`), so they agree with the GPU's to rounding, not bit for
/// bit (see [`finance::philox::box_muller_f32`]). Errors as [`european_payoffs_gpu`].
pub fn european_payoffs_cpu(
    contract: &Contract,
    paths: u32,
    seed: u64,
) -> Result<Vec<f32>, GpuError> {
    // BEGIN SOLUTION
    let p = Params::new(contract, paths)?;
    let key = philox::key_of(seed);
    Ok((0..paths)
        .into_par_iter()
        .map(|i| {
            let x = philox::philox4x32_10([i, 0, 0, 0], key);
            let (z, _) =
                philox::box_muller_f32(philox::uniform_f32(x[0]), philox::uniform_f32(x[1]));
            let st = p.spot * (p.drift + p.vol_sqrt_t * z).exp();
            let v = if p.is_call {
                st - p.strike
            } else {
                p.strike - st
            };
            p.discount * v.max(0.0)
        })
        .collect())
    // END SOLUTION todo!("{paths} payoffs with seed {seed} on rayon: the GPU kernel's formulas in f32 ({contract:?})")
}

// BEGIN SOLUTION
/// The kernel's inputs, computed once in `f64` and rounded to `f32`.
struct Params {
    is_call: bool,
    spot: f32,
    strike: f32,
    drift: f32,
    vol_sqrt_t: f32,
    discount: f32,
}

impl Params {
    fn new(c: &Contract, paths: u32) -> Result<Params, GpuError> {
        c.validate()
            .map_err(|e| GpuError::Input(format!("the contract: {e}")))?;
        if paths == 0 {
            return Err(GpuError::Input("0 paths: nothing to price".into()));
        }
        let t = c.expiry;
        Ok(Params {
            is_call: c.kind == OptionKind::Call,
            spot: c.spot as f32,
            strike: c.strike as f32,
            drift: ((c.rate - c.dividend - 0.5 * c.vol * c.vol) * t) as f32,
            vol_sqrt_t: (c.vol * t.sqrt()) as f32,
            discount: (-c.rate * t).exp() as f32,
        })
    }
}
// END SOLUTION

/// A Monte Carlo price and its standard error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The mean payoff.
    pub price: f64,
    /// The sample standard deviation over √n.
    pub std_error: f64,
}

/// The mean and standard error of `payoffs`, summed in `f64` in index order (a fixed order:
/// the same payoffs give the same bits, however they were computed). Fewer than 2 payoffs is
/// [`GpuError::Input`].
pub fn estimate(payoffs: &[f32]) -> Result<Estimate, GpuError> {
    // BEGIN SOLUTION
    let n = payoffs.len();
    if n < 2 {
        return Err(GpuError::Input(format!(
            "{n} payoffs: a standard error needs at least 2"
        )));
    }
    let (mut s, mut s2) = (0.0f64, 0.0f64);
    for &x in payoffs {
        let x = f64::from(x);
        s += x;
        s2 += x * x;
    }
    let nf = n as f64;
    let mean = s / nf;
    let var = ((s2 - nf * mean * mean) / (nf - 1.0)).max(0.0);
    Ok(Estimate {
        price: mean,
        std_error: (var / nf).sqrt(),
    })
    // END SOLUTION todo!("mean and standard error of {} payoffs, summed in f64 in order", payoffs.len())
}

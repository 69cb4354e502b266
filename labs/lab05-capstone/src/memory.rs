//! Memory: the estimate checked against `--max-memory`, and the measured peak. **Given.**

use crate::var::{BINS, BLOCK_SCENARIOS, COLLECT_CAP};

/// What the process needs before any data: code, the standard library, thread stacks
/// touched, allocator slack (measured: about 10 MiB for a tiny run).
pub const BASELINE_MIB: u64 = 16;

/// An upper estimate of the run's peak memory, MiB: the baseline; the prices, returns and
/// their copies (≈ 6 `f64` per price); the covariance and correlation; per worker thread two
/// counting histograms and a block buffer (rayon's `fold` may split a worker's range in
/// two); a few words per block; the collected values ([`COLLECT_CAP`]); the options book.
pub fn estimate_mib(
    assets: usize,
    days: usize,
    scenarios: u64,
    options: usize,
    threads: usize,
) -> u64 {
    let mib = |bytes: u64| bytes.div_ceil(1 << 20);
    let data = 6 * 8 * (assets as u64) * (days as u64) + 2 * 8 * (assets as u64).pow(2);
    let per_thread = 2 * (8 * (BINS as u64 + 2) + 8 * BLOCK_SCENARIOS + 16 * assets as u64);
    let blocks = scenarios.div_ceil(BLOCK_SCENARIOS);
    let bookkeeping = 64 * blocks + 256 * options as u64;
    BASELINE_MIB
        + mib(data)
        + mib(per_thread * threads as u64)
        + mib(bookkeeping)
        + mib(8 * COLLECT_CAP as u64)
}

/// Peak resident set size of this process so far, MiB (`VmHWM` of `/proc/self/status`);
/// 0 where that file does not exist.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

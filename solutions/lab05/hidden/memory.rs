//! Hidden test of bounded memory through the library: the heap that `streaming_tail` itself
//! allocates, counted exactly by a global allocator that wraps the system's. One test in this
//! file: the counters are the whole process's, so no other test may run beside it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use finance::rng::splitmix64;
use indicatif::ProgressBar;
use lab05::var::{BINS, COLLECT_CAP, streaming_tail};

/// The system allocator, counting the bytes live and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = LIVE.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is forwarded to `System` with the same arguments; the counters do not
// touch the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // Counted as both blocks live for a moment: an upper bound, as a copy is.
            grew(new_size);
            LIVE.fetch_sub(layout.size(), Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const BLOCKS: u64 = 2_048;
const PER_BLOCK: u64 = 16_384;

/// Block `b`: 16 384 values spread uniformly over [-1, 2), value `i` from `splitmix64` of its
/// global index. Cheap to generate, so that the test measures the tail structure.
fn spread_block(b: u64, out: &mut Vec<f64>) {
    out.clear();
    out.extend((0..PER_BLOCK).map(|i| {
        let u = splitmix64(b * PER_BLOCK + i) >> 11;
        u as f64 / (1u64 << 53) as f64 * 3.0 - 1.0
    }));
}

#[test]
fn hidden_streaming_tail_of_33_million_values_allocates_a_bounded_heap() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let t = pool.install(|| {
        streaming_tail(
            BLOCKS,
            0.01,
            (-1.5, 2.5),
            &spread_block,
            &ProgressBar::hidden(),
        )
    });
    let peak = PEAK.load(Relaxed) - base;
    let n = BLOCKS * PER_BLOCK;
    assert_eq!(t.count, n);
    // The 1% quantile of uniform values on [-1, 2) is near -0.97 (standard error
    // 3 × sqrt(0.01 × 0.99 / n) = 5e-5).
    assert!((t.quantile + 0.97).abs() < 1e-3, "quantile {}", t.quantile);
    // The bound, derived. One worker (a pool of one thread, so no rayon split is stolen) needs
    // by design a few counting histograms of (BINS + 2) × 8 bytes (512 KiB: pass 1's,
    // the one being filled, the one rayon's reduce starts from), a block buffer of 128 KiB,
    // some 50 bytes per block (moments, tail sums: 100 KiB) and at most COLLECT_CAP kept values
    // (32 MiB; here the located bins hold about a thousand). Allow 32 MiB for those values
    // and 8 MiB for the rest, 16 histograms' worth. The reference peaks at 1.7 MiB. Keeping
    // the 2^25 values takes 256 MiB, six times the bound.
    const MIB: usize = 1 << 20;
    let bound = 8 * COLLECT_CAP + 16 * 8 * (BINS + 2);
    assert!(
        peak <= bound,
        "streaming_tail of {n} values allocated a peak of {:.1} MiB of heap, above {:.1} MiB: \
         are the values kept (they take {:.1} MiB)?",
        peak as f64 / MIB as f64,
        bound as f64 / MIB as f64,
        (n * 8) as f64 / MIB as f64
    );
}

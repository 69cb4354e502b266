//! Task 5: the memory wall: chunks planned before any work, and a chunked search.

use lab06::search::{self, random_vectors};
use lab06::wall;
use lab06::{Gpu, GpuError};

#[test]
fn the_notes_37_gib_search_is_planned_in_chunks_that_fit() {
    let gpu = Gpu::from_env().expect("these tests need an adapter");
    let max = gpu.max_binding();
    let p = wall::plan(max, 100_000, 100_000, 128, None).unwrap();
    assert_eq!(p.product_bytes, 40_000_000_000); // 37.25 GiB
    assert!(
        p.product_bytes > max,
        "this device has a buffer of {max} bytes"
    );
    assert!(p.rows_per_chunk as u64 * 100_000 * 4 <= max);
    assert!(p.chunks * p.rows_per_chunk >= 100_000);
    assert!((p.chunks - 1) * p.rows_per_chunk < 100_000);
    assert_eq!(p.rows(p.chunks - 1).end, 100_000);
    println!(
        "{} chunks of {} queries, {} device bytes",
        p.chunks, p.rows_per_chunk, p.device_bytes
    );
}

#[test]
fn chunked_search_equals_the_cpu_reference() {
    let gpu = Gpu::from_env().expect("these tests need an adapter");
    let (m, q, dim) = (150, 45, 20);
    let existing = random_vectors(m, dim, 20);
    let queries = random_vectors(q, dim, 21);
    // A budget of 8 rows of scores: chunks of 8 queries, the last of 5.
    let budget = 8 * m as u64 * 4;
    let (got, p) = wall::nearest_chunked(&gpu, &existing, &queries, dim, Some(budget)).unwrap();
    assert_eq!((p.rows_per_chunk, p.chunks), (8, 6));
    assert!(p.device_bytes <= (m * dim * 4) as u64 + 2 * budget + 8 * 8);
    let cpu = search::nearest_cpu(&existing, &queries, dim).unwrap();
    assert_eq!(got.len(), q);
    for i in 0..q {
        // Random data: where two scores are closer than the tolerance either index is right.
        let ok = got[i].index == cpu[i].index
            || (got[i].score - cpu[i].score).abs() <= 2.0 * search::tolerance(dim);
        assert!(ok, "query {i}: {:?} vs {:?}", got[i], cpu[i]);
        assert!((got[i].score - cpu[i].score).abs() <= search::tolerance(dim));
    }
}

#[test]
fn a_budget_beyond_the_device_is_an_error_before_any_work() {
    let gpu = Gpu::from_env().expect("these tests need an adapter");
    let max = gpu.max_binding();
    let v = random_vectors(4, 4, 1);
    match wall::nearest_chunked(&gpu, &v, &v, 4, Some(max + 1)) {
        Err(e @ GpuError::TooLarge { .. }) => {
            assert!(e.to_string().contains(&max.to_string()), "{e}");
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    // The unchunked search of the notes' sizes fails on its plan alone.
    assert!(matches!(
        wall::plan(max, 100_000, 100_000, 128, Some(max * 2)),
        Err(GpuError::TooLarge { .. })
    ));
}

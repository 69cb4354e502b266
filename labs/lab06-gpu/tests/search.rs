//! Task 3: nearest neighbours by cosine similarity, tiled kernel against the CPU reference.

use lab06::search::{self, random_vectors, tolerance};
use lab06::{Gpu, GpuError};

/// Queries planted near known rows: query `i` is existing row `(7i + 3) mod m` plus noise of
/// a tenth of its size, so its nearest neighbour is that row by a wide margin.
fn planted(m: usize, q: usize, dim: usize) -> (Vec<f32>, Vec<f32>, Vec<u32>) {
    let existing = random_vectors(m, dim, 10);
    let noise = random_vectors(q, dim, 11);
    let mut queries = Vec::with_capacity(q * dim);
    let mut want = Vec::with_capacity(q);
    for i in 0..q {
        let j = (7 * i + 3) % m;
        want.push(j as u32);
        for k in 0..dim {
            queries.push(existing[j * dim + k] + 0.1 * noise[i * dim + k]);
        }
    }
    (existing, queries, want)
}

#[test]
fn cpu_reference_finds_the_planted_neighbours() {
    let (existing, queries, want) = planted(200, 50, 24);
    let got = search::nearest_cpu(&existing, &queries, 24).unwrap();
    let idx: Vec<u32> = got.iter().map(|m| m.index).collect();
    assert_eq!(idx, want);
    assert!(got.iter().all(|m| m.score > 0.9 && m.score <= 1.0 + 1e-6));
}

#[test]
fn tiled_gpu_search_equals_the_cpu_reference_off_the_tile_grid() {
    let gpu = Gpu::from_env().expect("these tests need an adapter");
    // 300 existing, 77 queries, 37 components: none a multiple of the tile (16).
    let (m, q, dim) = (300, 77, 37);
    let (existing, queries, want) = planted(m, q, dim);
    let cpu = search::nearest_cpu(&existing, &queries, dim).unwrap();
    let got = search::nearest_gpu(&gpu, &existing, &queries, dim).unwrap();
    assert_eq!(got.len(), q);
    for i in 0..q {
        assert_eq!(got[i].index, want[i], "query {i}");
        assert_eq!(got[i].index, cpu[i].index, "query {i}");
        assert!(
            (got[i].score - cpu[i].score).abs() <= tolerance(dim),
            "query {i}: {} vs {}",
            got[i].score,
            cpu[i].score
        );
    }
}

#[test]
fn a_zero_vector_is_an_error_naming_its_row() {
    let mut v = random_vectors(5, 4, 3);
    v[8..12].fill(0.0);
    match search::normalized(&v, 4, "queries") {
        Err(GpuError::Input(msg)) => assert!(msg.contains("row 2"), "{msg}"),
        other => panic!("expected an input error, got {other:?}"),
    }
    assert!(search::normalized(&v[..7], 4, "queries").is_err());
}

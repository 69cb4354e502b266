//! Hidden tests of lab 06: edges of every task.

use finance::bs::{self, Contract};
use finance::philox;
use lab06::mc::{self, Launch};
use lab06::search::{self, random_vectors, tolerance};
use lab06::{Gpu, GpuError, device, transfer, wall};
use wgpu::DeviceType;

fn gpu() -> Gpu {
    Gpu::from_env().expect("these tests need an adapter")
}

#[test]
fn hidden_choose_takes_the_first_among_equals() {
    let base = gpu().info;
    let mk = |t: DeviceType, name: &str| wgpu::AdapterInfo {
        device_type: t,
        name: name.into(),
        ..base.clone()
    };
    let list = [
        mk(DeviceType::Cpu, "a"),
        mk(DeviceType::IntegratedGpu, "b"),
        mk(DeviceType::Other, "c"),
        mk(DeviceType::IntegratedGpu, "d"),
    ];
    assert_eq!(device::choose(&list), Some(1));
    assert_eq!(
        device::choose(&[mk(DeviceType::Other, "x"), mk(DeviceType::Cpu, "y")]),
        Some(0)
    );
}

#[test]
fn hidden_scale_add_of_one_element_and_of_partial_workgroups() {
    let g = gpu();
    for n in [1usize, 63, 65, 129] {
        let x = random_vectors(n, 1, 5);
        let y = random_vectors(n, 1, 6);
        let (out, _) = transfer::scale_add_gpu(&g, -2.0, &x, &y).unwrap();
        assert_eq!(out.len(), n);
        for i in 0..n {
            let want = -2.0 * x[i] + y[i];
            assert!(
                (out[i] - want).abs() <= f32::EPSILON * (2.0 * x[i].abs() + y[i].abs()),
                "n {n}, element {i}"
            );
        }
    }
    assert_eq!(
        transfer::scale_add_gpu(&g, 1.0, &[], &[]).unwrap().0,
        Vec::<f32>::new()
    );
}

#[test]
fn hidden_scale_add_past_one_row_of_workgroups() {
    // 65 535 workgroups of 64 and then some: the dispatch needs a second row.
    let g = gpu();
    let n = 65_535 * 64 + 100;
    let x = random_vectors(n, 1, 7);
    let y = random_vectors(n, 1, 8);
    let (out, _) = transfer::scale_add_gpu(&g, 0.5, &x, &y).unwrap();
    assert_eq!(out.len(), n);
    for i in (0..n).step_by(997).chain(n - 64..n) {
        let want = 0.5 * x[i] + y[i];
        assert!(
            (out[i] - want).abs() <= f32::EPSILON * (0.5 * x[i].abs() + y[i].abs()),
            "element {i}"
        );
    }
}

#[test]
fn hidden_tiled_search_below_and_above_one_tile() {
    let g = gpu();
    for (m, q, dim) in [(5, 3, 5), (17, 33, 33), (40, 16, 16)] {
        let existing = random_vectors(m, dim, 30 + dim as u64);
        // Queries are existing rows, reversed: each one's nearest is itself (score 1).
        let queries: Vec<f32> = (0..q)
            .flat_map(|i| existing[((m - 1 - i % m) * dim)..((m - i % m) * dim)].to_vec())
            .collect();
        let got = search::nearest_gpu(&g, &existing, &queries, dim).unwrap();
        let cpu = search::nearest_cpu(&existing, &queries, dim).unwrap();
        for i in 0..q {
            assert_eq!(
                got[i].index as usize,
                m - 1 - i % m,
                "({m}, {q}, {dim}) query {i}"
            );
            assert_eq!(got[i].index, cpu[i].index);
            assert!((got[i].score - cpu[i].score).abs() <= tolerance(dim));
        }
    }
}

#[test]
fn hidden_philox_on_a_two_dimensional_dispatch() {
    let g = gpu();
    let launch = Launch {
        workgroup_size: 128,
        max_groups_x: 3,
    };
    let got = mc::philox_gpu(&g, 99, 5000, &launch).unwrap();
    let key = philox::key_of(99);
    for (i, w) in got.iter().enumerate() {
        assert_eq!(
            *w,
            philox::philox4x32_10([i as u32, 0, 0, 0], key),
            "counter {i}"
        );
    }
}

#[test]
fn hidden_gpu_put_price_within_four_standard_errors_for_any_launch() {
    let g = gpu();
    let c = Contract::put(50.0, 55.0, 0.01, 0.4, 2.0);
    let exact = bs::price(&c);
    let mut first = None;
    for launch in [
        Launch::default(),
        Launch {
            workgroup_size: 96,
            max_groups_x: 11,
        },
    ] {
        let e =
            mc::estimate(&mc::european_payoffs_gpu(&g, &c, 100_003, 11, &launch).unwrap()).unwrap();
        assert!(
            (e.price - exact).abs() < 4.0 * e.std_error,
            "{e:?} vs {exact}"
        );
        assert_eq!(*first.get_or_insert(e), e, "{launch:?}");
    }
}

#[test]
fn hidden_bad_monte_carlo_input_is_an_error() {
    let g = gpu();
    let c = Contract::call(100.0, 100.0, 0.0, 0.2, 1.0);
    assert!(matches!(
        mc::european_payoffs_gpu(&g, &c, 0, 1, &Launch::default()),
        Err(GpuError::Input(_))
    ));
    let too_wide = Launch {
        workgroup_size: g.limits.max_compute_workgroup_size_x + 1,
        max_groups_x: 1,
    };
    assert!(matches!(
        mc::european_payoffs_gpu(&g, &c, 10, 1, &too_wide),
        Err(GpuError::Input(_))
    ));
    assert!(mc::estimate(&[1.0]).is_err());
}

#[test]
fn hidden_plan_on_a_small_device() {
    // A device of 1 MB: 1000 × 1000 scores are 4 MB.
    let p = wall::plan(1_000_000, 1000, 1000, 10, None).unwrap();
    assert_eq!((p.rows_per_chunk, p.chunks), (250, 4));
    let p = wall::plan(1_000_000, 1001, 1000, 10, Some(300_000)).unwrap();
    assert_eq!((p.rows_per_chunk, p.chunks), (75, 14));
    assert_eq!(p.rows(13), 975..1001);
    // Existing vectors larger than the device; a budget below one row of scores.
    assert!(matches!(
        wall::plan(1_000_000, 10, 100_000, 10, None),
        Err(GpuError::TooLarge { max: 1_000_000, .. })
    ));
    assert!(matches!(
        wall::plan(1_000_000, 10, 1000, 10, Some(3999)),
        Err(GpuError::TooLarge { .. })
    ));
}

#[test]
fn hidden_chunked_search_keeps_the_last_partial_chunk() {
    let g = gpu();
    let (m, q, dim) = (64, 41, 8);
    let existing = random_vectors(m, dim, 40);
    let queries: Vec<f32> = (0..q)
        .flat_map(|i| existing[(i % m) * dim..(i % m + 1) * dim].to_vec())
        .collect();
    let (got, p) =
        wall::nearest_chunked(&g, &existing, &queries, dim, Some(8 * m as u64 * 4)).unwrap();
    assert_eq!(p.chunks, 6);
    assert_eq!(got.len(), q);
    for (i, m) in got.iter().enumerate() {
        assert_eq!(m.index as usize, i, "query {i}");
    }
}

//! Task 2: scale and add on both sides, and the crossover.

use std::time::Duration;

use lab06::search::random_vectors;
use lab06::transfer::{self, Phases, Point};
use lab06::{Gpu, GpuError};

/// The GPU may fuse `a * x + y` into one multiply-add (one rounding instead of two): the two
/// results differ by at most half an ulp of the product, so by at most
/// `f32::EPSILON × (|a·x| + |y|)`.
fn close(a: f32, x: f32, y: f32, got: f32, want: f32) -> bool {
    (got - want).abs() <= f32::EPSILON * ((a * x).abs() + y.abs())
}

#[test]
fn scale_add_on_the_gpu_equals_the_cpu_for_a_partial_workgroup() {
    let gpu = Gpu::from_env().expect("these tests need an adapter");
    let n = 1000; // not a multiple of the workgroup (64)
    let x = random_vectors(n, 1, 1);
    let y = random_vectors(n, 1, 2);
    let a = 1.5f32;
    let cpu = transfer::scale_add_cpu(a, &x, &y).unwrap();
    let (out, phases) = transfer::scale_add_gpu(&gpu, a, &x, &y).unwrap();
    assert_eq!(out.len(), n);
    for i in 0..n {
        assert_eq!(cpu[i], a * x[i] + y[i], "cpu element {i}");
        assert!(
            close(a, x[i], y[i], out[i], cpu[i]),
            "element {i}: {} vs {}",
            out[i],
            cpu[i]
        );
    }
    assert_eq!(
        phases.total(),
        phases.upload + phases.dispatch + phases.download
    );
}

#[test]
fn scale_add_rejects_lengths_that_differ() {
    let gpu = Gpu::from_env().expect("these tests need an adapter");
    assert!(matches!(
        transfer::scale_add_cpu(1.0, &[1.0, 2.0], &[1.0]),
        Err(GpuError::Input(_))
    ));
    assert!(matches!(
        transfer::scale_add_gpu(&gpu, 1.0, &[1.0], &[1.0, 2.0]),
        Err(GpuError::Input(_))
    ));
}

fn point(n: usize, cpu_ms: u64, gpu_ms: u64) -> Point {
    Point {
        n,
        cpu: Duration::from_millis(cpu_ms),
        gpu: Phases {
            upload: Duration::from_millis(gpu_ms),
            ..Phases::default()
        },
    }
}

#[test]
fn crossover_is_where_the_gpu_keeps_winning() {
    // Out of order on purpose; the GPU wins at 10^4 by luck, loses at 10^5, then wins for good.
    let points = [
        point(1_000_000, 9, 4),
        point(10_000, 2, 1),
        point(100_000, 3, 5),
        point(10_000_000, 90, 20),
    ];
    assert_eq!(transfer::crossover(&points), Some(1_000_000));
    assert_eq!(transfer::crossover(&points[..3]), Some(1_000_000));
    assert_eq!(transfer::crossover(&[point(10, 1, 5)]), None);
}

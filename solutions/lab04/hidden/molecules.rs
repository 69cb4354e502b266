//! Hidden tests of task 6.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use finance::partition::nested_parts;
use lab04::molecules::{linear_molecules, mp_fill, mp_map, triangle_pairs, triangular_molecules};

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

#[test]
fn triangular_molecules_follow_nested_parts() {
    for (n, parts) in [(1000, 4), (500, 2), (125, 8), (77, 3)] {
        let bounds = nested_parts(n, parts, true);
        let expected: Vec<_> = bounds.windows(2).map(|w| w[0]..w[1]).collect();
        assert_eq!(
            triangular_molecules(n, parts),
            expected,
            "n={n} parts={parts}"
        );
    }
}

#[test]
fn the_first_triangular_molecule_is_not_overloaded() {
    // Equal numbers of rows would give the first of 2 molecules 3/4 of the pairs.
    let n = 500;
    for parts in [2, 4] {
        let m = triangular_molecules(n, parts);
        let first: usize = m[0].clone().map(|i| n - i).sum();
        let ideal = n * (n + 1) / 2 / parts;
        assert!(
            first <= ideal + n,
            "parts={parts}: first molecule {first} pairs, ideal {ideal}"
        );
        // The expensive first rows get the fewest rows.
        assert!(m[0].len() < m[m.len() - 1].len());
    }
}

#[test]
fn triangular_molecules_of_small_inputs() {
    assert!(triangular_molecules(0, 4).is_empty());
    assert_eq!(triangular_molecules(1, 4), vec![0..1]);
    let m = triangular_molecules(10, 10);
    assert!(m.iter().all(|r| !r.is_empty()), "{m:?}");
    assert_eq!(m.first().unwrap().start, 0);
    assert_eq!(m.last().unwrap().end, 10);
    assert_eq!(triangle_pairs(10, 0..10), 55);
    assert_eq!(triangle_pairs(7, 6..7), 1);
}

#[test]
fn linear_molecules_of_edge_cases() {
    assert!(linear_molecules(0, 3).is_empty());
    assert_eq!(linear_molecules(3, 8), vec![0..1, 1..2, 2..3]);
    assert_eq!(linear_molecules(7, 1), vec![0..7]);
}

#[test]
fn mp_map_results_do_not_depend_on_the_thread_count() {
    let molecules = triangular_molecules(300, 6);
    let job = |rows: std::ops::Range<usize>| rows.map(|i| (i as f64).sqrt()).sum::<f64>();
    let one = pool(1).install(|| mp_map(&molecules, job));
    for threads in [2, 4] {
        assert_eq!(pool(threads).install(|| mp_map(&molecules, job)), one);
    }
}

/// Two molecules on a two-thread pool must run at the same time: each waits (at most 20 s)
/// for the other to arrive. A sequential mp_map would have the first one wait in vain.
#[test]
fn mp_map_runs_molecules_concurrently() {
    let arrived = Mutex::new(0);
    let cv = Condvar::new();
    let met = pool(2).install(|| {
        mp_map(&linear_molecules(2, 2), |_| {
            let mut n = arrived.lock().unwrap();
            *n += 1;
            cv.notify_all();
            let deadline = Instant::now() + Duration::from_secs(20);
            while *n < 2 && Instant::now() < deadline {
                n = cv.wait_timeout(n, Duration::from_millis(100)).unwrap().0;
            }
            *n >= 2
        })
    });
    assert_eq!(
        met,
        vec![true, true],
        "the two molecules never ran together"
    );
}

#[test]
fn mp_fill_with_uneven_molecules() {
    // Triangular molecules of 20 atoms, one value per atom: out[k] = k.
    let mut out = vec![0usize; 20];
    pool(3).install(|| {
        mp_fill(&mut out, 1, &triangular_molecules(20, 3), |atoms, slice| {
            assert_eq!(slice.len(), atoms.len());
            for (k, v) in atoms.zip(slice) {
                *v = k;
            }
        })
    });
    assert_eq!(out, (0..20).collect::<Vec<_>>());
}

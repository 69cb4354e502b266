//! Hidden tests, task 7: profiling a stage and classifying it.
//!
//! As in the visible file, the measuring tests take `MEASURING` so that no other test of
//! this binary adds CPU time to theirs, and they assert only what load cannot change: a
//! waiting thread uses next to no CPU, and a stage's CPU time includes what its threads
//! measured for themselves.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::time::Duration;

use finance::timing::thread_cpu_time;
use lab02::fetch::{SimulatedSource, fetch_all};
use lab02::profile::{Bound, ProfileError, StageProfile, classify, profile};

static MEASURING: Mutex<()> = Mutex::new(());

fn measuring() -> MutexGuard<'static, ()> {
    MEASURING.lock().unwrap_or_else(|e| e.into_inner())
}

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn stage(wall: Duration, cpu: Duration, threads: usize) -> StageProfile {
    StageProfile { wall, cpu, threads }
}

fn spin_for_cpu(target: Duration) -> Duration {
    let start = thread_cpu_time();
    loop {
        let used = thread_cpu_time() - start;
        if used >= target {
            return used;
        }
    }
}

#[test]
fn profile_refuses_zero_threads_without_running_the_stage() {
    let ran = AtomicBool::new(false);
    let result = profile(0, || ran.store(true, Ordering::Relaxed));
    assert_eq!(result.map(|_| ()), Err(ProfileError::NoThreads));
    assert!(!ran.load(Ordering::Relaxed), "the stage ran with 0 threads");
}

#[test]
fn a_stage_blocked_on_a_channel_is_io_bound() {
    let _one_at_a_time = measuring();
    let (value, p) = profile(1, || {
        let (tx, rx) = mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(move || {
                std::thread::sleep(ms(30));
                tx.send(7).unwrap();
            });
            rx.recv().unwrap()
        })
    })
    .unwrap();
    assert_eq!(value, 7);
    // Two threads, both waiting: microseconds of CPU against at least 30 ms on the wall.
    assert!(p.wall >= ms(30));
    assert!(
        p.cpu < ms(3),
        "waiting on a channel measured {:?} of CPU",
        p.cpu
    );
    assert_eq!(classify(&p), Ok(Bound::IoBound));
}

#[test]
fn fetching_from_a_slow_source_on_a_pool_is_io_bound() {
    let _one_at_a_time = measuring();
    let source = Arc::new(SimulatedSource::new(ms(20)));
    let tickers = ["AAA", "BBB", "CCC", "DDD"];
    let (results, p) = profile(4, || fetch_all(&tickers, Arc::clone(&source), 4)).unwrap();
    assert_eq!(results.len(), 4);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(p.threads, 4);
    // Four sleeping workers (the pool's start-up and four 252-day series cost well under a
    // millisecond of CPU) against at least 20 ms on the wall.
    assert!(p.wall >= ms(20));
    assert!(p.cpu < ms(5), "4 fetches measured {:?} of CPU", p.cpu);
    assert_eq!(classify(&p), Ok(Bound::IoBound));
}

#[test]
fn a_stage_of_three_computing_threads_counts_all_three() {
    let _one_at_a_time = measuring();
    let (own, p) = profile(3, || {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..3).map(|_| s.spawn(|| spin_for_cpu(ms(10)))).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .sum::<Duration>()
        })
    })
    .unwrap();
    assert_eq!(p.threads, 3);
    assert!(own >= ms(30));
    assert!(
        p.cpu >= own,
        "3 threads computed {own:?}, the stage measured {:?}",
        p.cpu
    );
}

#[test]
fn classify_more_cpu_than_capacity_is_cpu_bound() {
    // Another thread of the process computed too: more CPU than the stage's threads can use.
    assert_eq!(classify(&stage(ms(100), ms(300), 2)), Ok(Bound::CpuBound));
    assert_eq!(classify(&stage(ms(100), ms(100), 1)), Ok(Bound::CpuBound));
}

#[test]
fn classify_nanosecond_stages_exactly() {
    let ns = Duration::from_nanos;
    assert_eq!(classify(&stage(ns(4), ns(0), 1)), Ok(Bound::IoBound));
    assert_eq!(classify(&stage(ns(4), ns(1), 1)), Ok(Bound::Mixed));
    assert_eq!(classify(&stage(ns(4), ns(2), 1)), Ok(Bound::Mixed));
    assert_eq!(classify(&stage(ns(4), ns(3), 1)), Ok(Bound::CpuBound));
    assert_eq!(classify(&stage(ns(1), ns(1), 4)), Ok(Bound::Mixed));
    assert_eq!(classify(&stage(ns(1), ns(3), 4)), Ok(Bound::CpuBound));
    assert_eq!(classify(&stage(ns(1), ns(0), 4)), Ok(Bound::IoBound));
}

#[test]
fn classify_exact_boundaries_of_long_stages() {
    // A day on 64 threads: capacity 64 days; a quarter is 16 days.
    let day = Duration::from_secs(86_400);
    let one_ns = Duration::from_nanos(1);
    assert_eq!(classify(&stage(day, day * 16, 64)), Ok(Bound::Mixed));
    assert_eq!(
        classify(&stage(day, day * 16 - one_ns, 64)),
        Ok(Bound::IoBound)
    );
    assert_eq!(classify(&stage(day, day * 48, 64)), Ok(Bound::CpuBound));
    assert_eq!(
        classify(&stage(day, day * 48 - one_ns, 64)),
        Ok(Bound::Mixed)
    );
}

#[test]
fn classify_huge_profiles_without_overflow() {
    // wall × threads does not fit in a u128 here: far more capacity than CPU.
    assert_eq!(
        classify(&stage(Duration::MAX, Duration::MAX, usize::MAX)),
        Ok(Bound::IoBound)
    );
    assert_eq!(
        classify(&stage(Duration::from_secs(u64::MAX), ms(1), usize::MAX)),
        Ok(Bound::IoBound)
    );
    // The largest CPU time against a tiny capacity.
    assert_eq!(
        classify(&stage(Duration::from_nanos(1), Duration::MAX, usize::MAX)),
        Ok(Bound::CpuBound)
    );
    assert_eq!(
        classify(&stage(Duration::MAX, Duration::MAX, 1)),
        Ok(Bound::CpuBound)
    );
}

#[test]
fn classify_checks_threads_before_wall_time() {
    // Both wrong: the thread count is reported, as documented first.
    assert_eq!(
        classify(&stage(Duration::ZERO, ms(1), 0)),
        Err(ProfileError::NoThreads)
    );
    assert_eq!(
        classify(&stage(Duration::ZERO, ms(1), 3)),
        Err(ProfileError::NoWallTime)
    );
}

//! Task 7: I/O-bound or CPU-bound? (`src/profile.rs`).
//!
//! Most tests classify made-up profiles: `classify` is a pure function with exact
//! thresholds. The others measure real stages, and assert only what holds on any machine,
//! however loaded: a sleeping thread uses (almost) no CPU time, whatever the wall clock
//! says; and a stage's CPU time includes at least the CPU time its own threads measured
//! for themselves (`finance::timing::thread_cpu_time`). How close a computing stage comes
//! to `cpu = wall × threads` depends on what else the machine runs, so no test asserts it:
//! `cargo run -p lab02 --release --example stages` shows it on your machine.
//!
//! The process's CPU clock counts every thread of this test binary, and Cargo runs a
//! file's tests in parallel, so the tests that measure take `MEASURING` first: one at a
//! time, each sees only its own stage's CPU.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use finance::timing::thread_cpu_time;
use lab02::profile::{Bound, ProfileError, StageProfile, classify, profile};

static MEASURING: Mutex<()> = Mutex::new(());

/// Runs the measuring tests one at a time (a failed test poisons the mutex; the next one
/// still runs).
fn measuring() -> MutexGuard<'static, ()> {
    MEASURING.lock().unwrap_or_else(|e| e.into_inner())
}

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn stage(wall: Duration, cpu: Duration, threads: usize) -> StageProfile {
    StageProfile { wall, cpu, threads }
}

/// Spins until the calling thread has had `target` of CPU time, and returns what it had.
/// The target is CPU time, not wall time: on a loaded machine the loop takes longer on the
/// wall clock, but the thread still computes for `target`.
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
fn classify_waiting_computing_and_mixed_stages() {
    // 25 fetches of 100 ms on 5 threads: 0.5 s on the wall, a few ms of CPU.
    assert_eq!(classify(&stage(ms(500), ms(4), 5)), Ok(Bound::IoBound));
    // One thread computing all the time.
    assert_eq!(classify(&stage(ms(100), ms(98), 1)), Ok(Bound::CpuBound));
    // One thread computing half the time and waiting the other half.
    assert_eq!(classify(&stage(ms(100), ms(50), 1)), Ok(Bound::Mixed));
    // No CPU at all: waiting only.
    assert_eq!(
        classify(&stage(ms(100), Duration::ZERO, 1)),
        Ok(Bound::IoBound)
    );
}

#[test]
fn classify_divides_the_cpu_time_by_every_thread() {
    // 2 threads busy all the time: 200 ms of CPU in 100 ms.
    assert_eq!(classify(&stage(ms(100), ms(200), 2)), Ok(Bound::CpuBound));
    // The same CPU time over 8 threads: each busy exactly a quarter of the time, which is
    // not below 1/4.
    assert_eq!(classify(&stage(ms(100), ms(200), 8)), Ok(Bound::Mixed));
    // ... and over 10 threads, a fifth: they mostly wait.
    assert_eq!(classify(&stage(ms(100), ms(200), 10)), Ok(Bound::IoBound));
    // 4 threads on a 2-core machine: at most 2 busy at a time, so half of 4.
    assert_eq!(classify(&stage(ms(100), ms(200), 4)), Ok(Bound::Mixed));
}

#[test]
fn classify_thresholds_are_exact() {
    let wall = ms(100);
    let one_ns = Duration::from_nanos(1);
    // busy = 1/4 exactly is Mixed; one nanosecond less is IoBound.
    assert_eq!(classify(&stage(wall, ms(25), 1)), Ok(Bound::Mixed));
    assert_eq!(
        classify(&stage(wall, ms(25) - one_ns, 1)),
        Ok(Bound::IoBound)
    );
    // busy = 3/4 exactly is CpuBound; one nanosecond less is Mixed.
    assert_eq!(classify(&stage(wall, ms(75), 1)), Ok(Bound::CpuBound));
    assert_eq!(classify(&stage(wall, ms(75) - one_ns, 1)), Ok(Bound::Mixed));
    // With 3 threads the capacity is 300 ms: the boundaries are 75 ms and 225 ms.
    assert_eq!(classify(&stage(wall, ms(75), 3)), Ok(Bound::Mixed));
    assert_eq!(classify(&stage(wall, ms(225), 3)), Ok(Bound::CpuBound));
    assert_eq!(
        classify(&stage(wall, ms(225) - one_ns, 3)),
        Ok(Bound::Mixed)
    );
}

#[test]
fn classify_refuses_zero_threads_and_zero_wall_time() {
    assert_eq!(
        classify(&stage(ms(100), ms(50), 0)),
        Err(ProfileError::NoThreads)
    );
    assert_eq!(
        classify(&stage(Duration::ZERO, Duration::ZERO, 1)),
        Err(ProfileError::NoWallTime)
    );
}

#[test]
fn a_sleeping_stage_uses_almost_no_cpu_and_is_io_bound() {
    let _one_at_a_time = measuring();
    // First compute for 30 ms: CPU the process used *before* the stage must not count.
    spin_for_cpu(ms(30));
    let (value, p) = profile(1, || {
        std::thread::sleep(ms(30));
        42
    })
    .expect("one thread is a valid stage");
    assert_eq!(value, 42, "profile returns the stage's result");
    assert_eq!(p.threads, 1);
    // A sleep lasts at least its duration on the wall clock (longer on a loaded machine);
    // its CPU time is the system calls around it, microseconds. A tenth of the sleep is a
    // margin of about a hundred times, which load cannot erode: waiting for a core is not
    // CPU time.
    assert!(
        p.wall >= ms(30),
        "wall {:?} is shorter than the sleep",
        p.wall
    );
    assert!(
        p.cpu < ms(3),
        "a 30 ms sleep measured {:?} of CPU: is cpu the wall clock, or the CPU since the process started?",
        p.cpu
    );
    assert_eq!(classify(&p), Ok(Bound::IoBound));
}

#[test]
fn a_spinning_stage_measures_the_cpu_it_used() {
    let _one_at_a_time = measuring();
    let (own, p) = profile(1, || spin_for_cpu(ms(20))).expect("one thread is a valid stage");
    // The process's CPU clock includes this thread's: at least what the thread measured.
    assert!(
        p.cpu >= own,
        "the stage computed for {own:?} but measured {:?} of CPU",
        p.cpu
    );
    // The CPU time of one thread fits in the wall time around it.
    assert!(
        p.wall >= own,
        "wall {:?} is shorter than {own:?} of CPU",
        p.wall
    );
}

#[test]
fn a_stage_on_several_threads_counts_the_cpu_of_all_of_them() {
    let _one_at_a_time = measuring();
    // The calling thread only waits in `join` while two threads compute: its own CPU clock
    // would see almost nothing.
    let (own, p) = profile(2, || {
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..2).map(|_| s.spawn(|| spin_for_cpu(ms(15)))).collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap())
                .sum::<Duration>()
        })
    })
    .expect("two threads are a valid stage");
    assert_eq!(p.threads, 2);
    assert!(own >= ms(30));
    assert!(
        p.cpu >= own,
        "two threads computed {own:?} together, but the stage measured {:?} of CPU: only the calling thread's?",
        p.cpu
    );
}

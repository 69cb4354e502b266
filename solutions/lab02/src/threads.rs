//! Task 1: threads. Spawning and joining, scoped threads, and a parallel sum that shows
//! threads speeding up CPU-bound work: Rust has no global interpreter lock, so each thread
//! runs on its own core.
// BEGIN SOLUTION

use std::thread;

use finance::partition::even_chunks;
// END SOLUTION

/// Runs `f(0)`, `f(1)`, ..., `f(n - 1)`, each on a thread of its own started with
/// [`std::thread::spawn`], and returns their results in index order.
///
/// `thread::spawn` needs a `'static` closure (the thread may outlive the caller's stack
/// frame), so `f` cannot borrow local data: it is shared between the threads through an
/// [`std::sync::Arc`]. If a thread panics, the panic is passed on to the caller (after
/// every thread has been joined).
///
/// ```
/// let squares = lab02::threads::run_on_threads(4, |i| i * i);
/// assert_eq!(squares, vec![0, 1, 4, 9]);
/// ```
pub fn run_on_threads<T, F>(n: usize, f: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> T + Send + Sync + 'static,
{
    // BEGIN SOLUTION
    let f = std::sync::Arc::new(f);
    let handles: Vec<thread::JoinHandle<T>> = (0..n)
        .map(|i| {
            let f = std::sync::Arc::clone(&f);
            thread::spawn(move || f(i))
        })
        .collect();
    // Join every thread before passing a panic on, so none is left running unsupervised.
    let joined: Vec<thread::Result<T>> = handles.into_iter().map(|h| h.join()).collect();
    joined
        .into_iter()
        .map(|r| r.unwrap_or_else(|payload| std::panic::resume_unwind(payload)))
        .collect()
    // STUB
    // let _ = f;
    // todo!(
    //     "run_on_threads(n = {n}): put f in an Arc, spawn n threads, then join the handles in order"
    // )
    // END SOLUTION
}

/// The sum of `f(x)` over `items`, computed by `threads` scoped threads.
///
/// The items are cut into `threads` contiguous chunks
/// ([`finance::partition::even_chunks`]); each thread sums its chunk from left to right,
/// and the chunk sums are added in chunk order. So the result depends only on `threads`,
/// never on which thread finishes first. Scoped threads ([`std::thread::scope`]) may borrow
/// `items` and `f`, since the scope joins them before it returns.
///
/// # Panics
/// If `threads == 0`, or if `f` panics.
///
/// ```
/// let xs: Vec<f64> = (1..=100).map(f64::from).collect();
/// assert_eq!(lab02::threads::parallel_sum(&xs, 3, |x| 2.0 * x), 10_100.0);
/// ```
pub fn parallel_sum<T, F>(items: &[T], threads: usize, f: F) -> f64
where
    T: Sync,
    F: Fn(&T) -> f64 + Sync,
{
    // BEGIN SOLUTION
    let chunks = even_chunks(items.len(), threads);
    let f = &f;
    thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|range| s.spawn(move || items[range].iter().map(f).sum::<f64>()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .sum()
    })
    // STUB
    // let _ = (items, f);
    // todo!(
    //     "parallel_sum(threads = {threads}): one scoped thread per range of even_chunks(items.len(), threads)"
    // )
    // END SOLUTION
}

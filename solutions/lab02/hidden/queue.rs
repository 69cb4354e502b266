//! Hidden tests, task 6: the bounded queue.

use std::sync::atomic::{AtomicBool, Ordering};

use lab02::queue::{BoundedQueue, Closed};

#[test]
fn a_new_queue_is_open_and_empty() {
    let q = BoundedQueue::<String>::new(5);
    assert_eq!(
        (q.capacity(), q.len(), q.is_empty(), q.is_closed()),
        (5, 0, true, false)
    );
}

#[test]
fn capacity_one_queue_keeps_order_across_threads() {
    let q = BoundedQueue::new(1);
    let got: Vec<u32> = std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..5_000 {
                q.push(i).unwrap();
            }
            q.close();
        });
        std::iter::from_fn(|| q.pop()).collect()
    });
    assert_eq!(got, (0..5_000).collect::<Vec<_>>());
}

#[test]
fn close_wakes_every_blocked_producer() {
    let q = BoundedQueue::new(1);
    q.push(0).unwrap();
    std::thread::scope(|s| {
        let producers: Vec<_> = (1..=4)
            .map(|i| {
                let q = &q;
                s.spawn(move || q.push(i))
            })
            .collect();
        // Consumers are done: close instead of popping.
        q.close();
        let mut refused: Vec<i32> = producers
            .into_iter()
            .map(|p| match p.join().unwrap() {
                Err(Closed(i)) => i,
                Ok(()) => panic!("a push into a full queue succeeded"),
            })
            .collect();
        refused.sort();
        assert_eq!(refused, vec![1, 2, 3, 4]);
    });
    assert_eq!((q.pop(), q.pop()), (Some(0), None));
}

#[test]
fn try_push_wakes_a_blocked_consumer() {
    let q = BoundedQueue::new(2);
    std::thread::scope(|s| {
        let consumer = s.spawn(|| q.pop());
        q.try_push(5).unwrap();
        assert_eq!(consumer.join().unwrap(), Some(5));
    });
}

#[test]
fn len_never_exceeds_capacity_under_contention() {
    let q = BoundedQueue::new(3);
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let monitor = s.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                assert!(q.len() <= 3);
            }
        });
        let producers: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(|| {
                    for i in 0..3_000 {
                        q.push(i).unwrap();
                    }
                })
            })
            .collect();
        let consumer = s.spawn(|| {
            let mut n = 0;
            while q.pop().is_some() {
                n += 1;
            }
            n
        });
        let pushed: Vec<_> = producers.into_iter().map(|p| p.join()).collect();
        q.close();
        let popped = consumer.join();
        stop.store(true, Ordering::Relaxed);
        monitor
            .join()
            .expect("the queue held more than its capacity");
        assert!(pushed.into_iter().all(|p| p.is_ok()));
        assert_eq!(popped.unwrap(), 9_000);
    });
}

#[test]
fn consumers_drain_items_left_at_close() {
    let q = BoundedQueue::new(10);
    for i in 0..10 {
        q.push(i).unwrap();
    }
    q.close();
    let mut all: Vec<i32> = std::thread::scope(|s| {
        let cs: Vec<_> = (0..3)
            .map(|_| s.spawn(|| std::iter::from_fn(|| q.pop()).collect::<Vec<_>>()))
            .collect();
        cs.into_iter().flat_map(|c| c.join().unwrap()).collect()
    });
    all.sort();
    assert_eq!(all, (0..10).collect::<Vec<_>>());
}

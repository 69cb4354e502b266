//! Task 6: the bounded blocking queue (`src/queue.rs`).
//!
//! Blocking is tested without sleeping: a blocked thread is released by the test's next
//! action, and a channel tells the test when it got through.

use std::collections::HashSet;

use crossbeam::channel;
use lab02::queue::{BoundedQueue, Closed, TryPushError};

#[test]
fn queue_is_first_in_first_out() {
    let q = BoundedQueue::new(4);
    assert_eq!(q.capacity(), 4);
    assert!(q.is_empty());
    for i in 1..=3 {
        q.push(i).unwrap();
    }
    assert_eq!(q.len(), 3);
    assert_eq!((q.pop(), q.pop(), q.pop()), (Some(1), Some(2), Some(3)));
    assert!(q.is_empty());
}

#[test]
fn try_push_refuses_when_full() {
    let q = BoundedQueue::new(2);
    assert_eq!(q.try_push('a'), Ok(()));
    assert_eq!(q.try_push('b'), Ok(()));
    assert_eq!(q.try_push('c'), Err(TryPushError::Full('c')));
    assert_eq!(q.pop(), Some('a'));
    assert_eq!(q.try_push('c'), Ok(()));
    assert_eq!(q.len(), 2);
}

#[test]
fn push_blocks_while_full_until_a_pop_makes_room() {
    let q = BoundedQueue::new(1);
    q.push(1).unwrap();
    let (pushed, got_through) = channel::bounded(1);
    std::thread::scope(|s| {
        s.spawn(|| {
            q.push(2).unwrap(); // blocks: the queue is full
            pushed.send(()).unwrap();
        });
        assert_eq!(q.pop(), Some(1)); // makes room: the producer can now finish
        got_through.recv().unwrap();
        assert_eq!(q.pop(), Some(2));
    });
}

#[test]
fn pop_blocks_while_empty_until_a_push() {
    let q = BoundedQueue::new(3);
    std::thread::scope(|s| {
        let consumer = s.spawn(|| q.pop());
        q.push("hello").unwrap();
        assert_eq!(consumer.join().unwrap(), Some("hello"));
    });
}

#[test]
fn close_drains_remaining_items_then_ends() {
    let q = BoundedQueue::new(3);
    q.push(1).unwrap();
    q.push(2).unwrap();
    q.close();
    assert!(q.is_closed());
    assert_eq!(q.push(3), Err(Closed(3)));
    assert_eq!(q.try_push(4), Err(TryPushError::Closed(4)));
    assert_eq!(
        (q.pop(), q.pop(), q.pop(), q.pop()),
        (Some(1), Some(2), None, None)
    );
}

#[test]
fn close_wakes_every_blocked_consumer() {
    let q = BoundedQueue::<u32>::new(2);
    std::thread::scope(|s| {
        let consumers: Vec<_> = (0..4).map(|_| s.spawn(|| q.pop())).collect();
        q.close();
        for c in consumers {
            assert_eq!(c.join().unwrap(), None);
        }
    });
}

#[test]
fn close_wakes_a_blocked_producer() {
    let q = BoundedQueue::new(1);
    q.push(0).unwrap();
    std::thread::scope(|s| {
        let producer = s.spawn(|| q.push(1));
        q.close();
        assert_eq!(producer.join().unwrap(), Err(Closed(1)));
    });
}

#[test]
fn producers_and_consumers_deliver_every_item_once() {
    let q = BoundedQueue::new(4);
    let received: Vec<u32> = std::thread::scope(|s| {
        let consumers: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(|| {
                    let mut got = Vec::new();
                    while let Some(x) = q.pop() {
                        got.push(x);
                    }
                    got
                })
            })
            .collect();
        let producers: Vec<_> = (0..3u32)
            .map(|p| {
                let q = &q;
                s.spawn(move || {
                    for i in 0..2_000 {
                        q.push(p * 10_000 + i).unwrap();
                    }
                })
            })
            .collect();
        for p in producers {
            p.join().unwrap();
        }
        q.close();
        consumers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect()
    });
    assert_eq!(received.len(), 6_000);
    let distinct: HashSet<u32> = received.iter().copied().collect();
    assert_eq!(distinct.len(), 6_000, "an item was delivered twice");
}

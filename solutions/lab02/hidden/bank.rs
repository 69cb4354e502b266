//! Hidden tests, task 5: the bank.

use lab02::bank::{Bank, TransferError};

#[test]
fn transfer_from_a_higher_to_a_lower_account() {
    let bank = Bank::new(&[0, 0, 70]);
    assert_eq!(bank.transfer(2, 0, 25), Ok(()));
    assert_eq!((bank.balance(0), bank.balance(2)), (25, 45));
    assert_eq!(bank.transfer(0, 2, 25), Ok(()));
    assert_eq!((bank.balance(0), bank.balance(2)), (0, 70));
}

#[test]
fn transfer_of_zero_is_allowed() {
    let bank = Bank::new(&[0, 5]);
    assert_eq!(bank.transfer(0, 1, 0), Ok(()));
    assert_eq!((bank.balance(0), bank.balance(1)), (0, 5));
}

#[test]
fn opposite_transfers_in_a_loop_do_not_deadlock() {
    let bank = Bank::new(&[1_000, 1_000]);
    std::thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..100_000 {
                let _ = bank.transfer(0, 1, 1);
            }
        });
        s.spawn(|| {
            for _ in 0..100_000 {
                let _ = bank.transfer(1, 0, 1);
            }
        });
    });
    assert_eq!(bank.total(), 2_000);
}

#[test]
fn competing_withdrawals_never_overspend() {
    // Four threads each try ten times to take 30 from an account holding 100.
    let bank = Bank::new(&[100, 0, 0, 0, 0]);
    let successes: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (1..=4)
            .map(|to| {
                let bank = &bank;
                s.spawn(move || (0..10).filter(|_| bank.transfer(0, to, 30).is_ok()).count())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(successes, 3);
    assert_eq!(bank.balance(0), 10);
    assert_eq!(bank.total(), 100);
}

#[test]
fn a_ring_of_transfers_conserves_money() {
    let n = 6;
    let bank = Bank::new(&vec![500; n]);
    std::thread::scope(|s| {
        for t in 0..n {
            let bank = &bank;
            s.spawn(move || {
                for k in 0..20_000 {
                    let from = (t + k) % n;
                    let to = (from + 1 + k % (n - 1)) % n;
                    match bank.transfer(from, to, (k % 97) as u64) {
                        Ok(()) | Err(TransferError::InsufficientFunds { .. }) => {}
                        Err(e) => panic!("unexpected refusal: {e}"),
                    }
                }
            });
        }
    });
    assert_eq!(bank.total(), 500 * n as u64);
}

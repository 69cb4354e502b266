//! Task 5: the bank (`src/bank.rs`).

use std::sync::atomic::{AtomicBool, Ordering};

use lab02::bank::{Bank, TransferError};

/// A small deterministic generator (SplitMix64), so every run does the same transfers.
fn next(state: &mut u64) -> u64 {
    finance::rng::splitmix64({
        *state = state.wrapping_add(1);
        *state
    })
}

#[test]
fn transfer_moves_money_between_accounts() {
    let bank = Bank::new(&[100, 50, 0]);
    assert_eq!(bank.transfer(0, 2, 30), Ok(()));
    assert_eq!(bank.transfer(1, 0, 50), Ok(()));
    assert_eq!(
        (bank.balance(0), bank.balance(1), bank.balance(2)),
        (120, 0, 30)
    );
}

#[test]
fn transfer_refuses_an_overdraft_and_changes_nothing() {
    let bank = Bank::new(&[100, 50]);
    assert_eq!(
        bank.transfer(1, 0, 51),
        Err(TransferError::InsufficientFunds {
            account: 1,
            balance: 50,
            amount: 51
        })
    );
    assert_eq!((bank.balance(0), bank.balance(1)), (100, 50));
    assert_eq!(bank.transfer(1, 0, 50), Ok(()), "the whole balance may go");
}

#[test]
fn transfer_refuses_unknown_and_identical_accounts() {
    let bank = Bank::new(&[10, 10]);
    assert_eq!(bank.transfer(0, 2, 1), Err(TransferError::NoSuchAccount(2)));
    assert_eq!(bank.transfer(5, 0, 1), Err(TransferError::NoSuchAccount(5)));
    assert_eq!(bank.transfer(1, 1, 1), Err(TransferError::SameAccount(1)));
    assert_eq!(bank.total(), 20);
}

#[test]
fn concurrent_transfers_conserve_money() {
    let accounts = 8;
    let bank = Bank::new(&vec![1_000; accounts]);
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        // An auditor takes snapshots while the transfers run: each must see all the money.
        let auditor = s.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                assert_eq!(bank.total(), 8_000, "a snapshot saw a half-done transfer");
            }
        });
        let workers: Vec<_> = (0..4u64)
            .map(|t| {
                let bank = &bank;
                s.spawn(move || {
                    let mut rng = t << 32;
                    for _ in 0..20_000 {
                        let from = (next(&mut rng) % accounts as u64) as usize;
                        let to = (next(&mut rng) % accounts as u64) as usize;
                        let amount = next(&mut rng) % 300;
                        // Refusals (overdraft, same account) are expected; they move nothing.
                        let _ = bank.transfer(from, to, amount);
                    }
                })
            })
            .collect();
        let outcomes: Vec<_> = workers.into_iter().map(|w| w.join()).collect();
        // Stop the auditor even if a worker panicked, or the scope would wait for it forever.
        done.store(true, Ordering::Relaxed);
        auditor.join().expect("the auditor found money missing");
        for outcome in outcomes {
            outcome.expect("a transfer thread panicked");
        }
    });
    assert_eq!(bank.total(), 8_000);
}

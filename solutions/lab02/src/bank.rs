//! Task 5: deadlock. A bank whose accounts each sit behind their own lock, so that transfers
//! between different accounts run in parallel. A transfer must hold two locks at once; two
//! transfers that take them in opposite orders (A→B while B→A) can each hold one and wait
//! forever for the other. The cure is a global lock order: every thread takes the
//! lower-numbered account first, so no cycle of waiting threads can form.

use std::fmt;
use std::sync::PoisonError;

use crate::sync::{Mutex, MutexGuard};

/// Why a transfer was refused. A refused transfer changes nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransferError {
    /// An account number is out of range.
    NoSuchAccount(usize),
    /// `from` and `to` are the same account.
    SameAccount(usize),
    /// The source account holds less than the amount.
    InsufficientFunds {
        /// The source account.
        account: usize,
        /// Its balance.
        balance: u64,
        /// The amount asked for.
        amount: u64,
    },
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoSuchAccount(a) => write!(f, "no account {a}"),
            Self::SameAccount(a) => write!(f, "a transfer from account {a} to itself"),
            Self::InsufficientFunds {
                account,
                balance,
                amount,
            } => write!(
                f,
                "account {account} holds {balance}, less than the {amount} asked for"
            ),
        }
    }
}

impl std::error::Error for TransferError {}

/// Locks an account. No code panics while holding an account's lock (balances are checked
/// before they change), so a poisoned lock still holds a consistent balance.
fn lock(account: &Mutex<u64>) -> MutexGuard<'_, u64> {
    account.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Accounts holding whole amounts (cents), each behind its own lock. Given, except
/// [`transfer`](Bank::transfer).
#[derive(Debug)]
pub struct Bank {
    accounts: Vec<Mutex<u64>>,
}

impl Bank {
    /// A bank with one account per balance, numbered from 0.
    pub fn new(balances: &[u64]) -> Self {
        Self {
            accounts: balances.iter().map(|&b| Mutex::new(b)).collect(),
        }
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// True if the bank has no account.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// The balance of `account`.
    ///
    /// # Panics
    /// If there is no such account.
    pub fn balance(&self, account: usize) -> u64 {
        *lock(&self.accounts[account])
    }

    /// All the money in the bank, as one consistent snapshot: every account is locked (in
    /// index order, the bank's lock order) before the sum is taken, so no transfer can be
    /// half done while it is counted.
    pub fn total(&self) -> u64 {
        let guards: Vec<MutexGuard<'_, u64>> = self.accounts.iter().map(lock).collect();
        guards.iter().map(|g| **g).sum()
    }

    /// Given, and wrong: moves `amount` from `from` to `to`, locking `from` first. Two
    /// opposite transfers can deadlock; an overdraft wraps around (or panics in debug
    /// builds). `tests/loom.rs` shows loom finding the deadlock.
    ///
    /// # Panics
    /// If an account does not exist, or (debug builds) on overdraft.
    pub fn transfer_naive(&self, from: usize, to: usize, amount: u64) {
        let mut source = lock(&self.accounts[from]);
        // Another thread running transfer_naive(to, from, _) may hold `to` and wait for
        // `from`, which this thread holds: neither can continue.
        let mut target = lock(&self.accounts[to]);
        *source -= amount;
        *target += amount;
    }

    /// Moves `amount` from `from` to `to`, atomically: no other thread sees the money in
    /// both accounts or in neither. Refuses unknown accounts, a transfer to the same account
    /// and overdrafts, changing nothing.
    ///
    /// Deadlock-free: both locks are taken in the bank's lock order (lower account number
    /// first), whatever the direction of the transfer.
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        // BEGIN SOLUTION
        for account in [from, to] {
            if account >= self.accounts.len() {
                return Err(TransferError::NoSuchAccount(account));
            }
        }
        if from == to {
            // Locking the same mutex twice from one thread would deadlock (std) or panic.
            return Err(TransferError::SameAccount(from));
        }
        // Lower-numbered account first: all threads agree on the order, so no two can each
        // hold a lock the other waits for.
        let (mut source, mut target) = if from < to {
            let source = lock(&self.accounts[from]);
            (source, lock(&self.accounts[to]))
        } else {
            let target = lock(&self.accounts[to]);
            (lock(&self.accounts[from]), target)
        };
        // Check and move under both locks: checking first and locking afterwards would let
        // another transfer spend the same money in between.
        if *source < amount {
            return Err(TransferError::InsufficientFunds {
                account: from,
                balance: *source,
                amount,
            });
        }
        *source -= amount;
        *target += amount;
        Ok(())
        // STUB
        // todo!(
        //     "Bank::transfer(from = {from}, to = {to}, amount = {amount}): check both accounts, lock them in index order (lower first), check the balance, move the money"
        // )
        // END SOLUTION
    }
}

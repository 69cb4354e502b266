//! The registered task kinds: what a worker knows how to do.
//!
//! A closure cannot cross a process boundary: its code lives in the parent's address space
//! and its captured variables are pointers into it. What crosses is *data naming a function
//! the worker already has*: a [`Task`] is a tag (which function) and its arguments. This is
//! Python's pickling requirement made explicit: `pool.map(lambda x: ..., xs)` fails there for
//! the same reason.

use crate::wire::{Wire, WireError, take};
use finance::bs::Contract;
// BEGIN SOLUTION
use finance::mc::{self, Moments};
// END SOLUTION use finance::mc::Moments;
use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// One unit of work a worker can run.
#[derive(Clone, Debug, PartialEq)]
pub enum Task {
    /// Is `n` prime? Trial division by odd numbers, the notes' `f`: cheap for most `n`,
    /// about √n/2 divisions for a prime. Returns [`Output::Bool`].
    IsPrime(u64),
    /// Blocks `first_block .. first_block + blocks` of a European option's Monte Carlo price,
    /// with `finance::mc`'s block scheme (block `b` draws from `rng::stream(seed, b)` and
    /// holds `mc::block_len(paths, b)` paths). Returns [`Output::Blocks`], one [`Moments`]
    /// per block, so that the parent merges every block in the same order whatever the
    /// chunking.
    McEuropean {
        /// The option.
        contract: Contract,
        /// Master seed of the whole simulation.
        seed: u64,
        /// Paths of the whole simulation (they fix the block lengths).
        paths: u64,
        /// The first block this task computes.
        first_block: u64,
        /// How many blocks (fewer if the simulation ends first).
        blocks: u64,
        /// Antithetic variates.
        antithetic: bool,
    },
    /// Sleeps `micros` microseconds: simulated I/O wait (the CPU is free meanwhile).
    /// Returns [`Output::Unit`].
    Sleep {
        /// Microseconds.
        micros: u64,
    },
    /// Keeps the CPU busy for `micros` microseconds: a CPU-bound task of known duration.
    /// Returns [`Output::Unit`].
    Spin {
        /// Microseconds.
        micros: u64,
    },
    /// The mean of the floats: a task whose input is large next to its work. Returns
    /// [`Output::F64`].
    Mean(Vec<f64>),
    /// Allocates `bytes` bytes and writes every one of them (the notes' memory-bound task).
    /// Returns [`Output::U64`], a checksum.
    Allocate {
        /// Bytes to allocate.
        bytes: u64,
    },
    /// Writes a file of `bytes` bytes named after `id` in `dir`, then deletes it (the notes'
    /// disk-bound task). Returns [`Output::Unit`].
    DiskWrite {
        /// Folder to write in.
        dir: String,
        /// Makes the file name unique.
        id: u64,
        /// File size.
        bytes: u64,
    },
    /// The worker's process id: which worker ran the task. Returns [`Output::U64`].
    Pid,
    /// The worker's peak resident memory in bytes (`VmHWM`). Returns [`Output::U64`].
    PeakRss,
    /// Blocks until the file `path` exists (gives up with an error after 20 s), then returns
    /// the worker's pid as [`Output::U64`]. A task that waits until it is told, for
    /// deterministic tests of scheduling.
    WaitFor {
        /// The file to wait for.
        path: String,
    },
    /// Creates the file `path` (empty) and returns the worker's pid as [`Output::U64`].
    Touch {
        /// The file to create.
        path: String,
    },
    /// Fails cleanly with this message: the worker survives and reports an error result.
    Fail(String),
    /// Exits the worker process with this code, mid-task.
    Exit(i32),
    /// Aborts the worker process (SIGABRT), mid-task.
    Abort,
    /// Never finishes (a hung worker).
    Hang,
    /// Aborts the worker if the file `path` does not exist yet, after creating it; returns
    /// [`Output::Unit`] if it exists. Crashes the first time only: a flaky task for testing
    /// retries.
    CrashOnce {
        /// The marker file.
        path: String,
    },
    /// How many of the numbers are prime, with [`count_primes`]: returns [`Output::U64`],
    /// and adds the count to [`PRIMES_FOUND`] of the process that runs it (a worker adds to
    /// its own copy: the parent's never moves).
    CountPrimes(Vec<u64>),
    /// [`PRIMES_FOUND`] of the process that runs it: what this worker has counted since it
    /// started. Returns [`Output::U64`].
    PrimesFound,
}

/// What a task returns.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// No value.
    Unit,
    /// A yes/no answer.
    Bool(bool),
    /// A whole number.
    U64(u64),
    /// A float.
    F64(f64),
    /// One [`Moments`] per Monte Carlo block, in block order.
    Blocks(Vec<Moments>),
}

impl Output {
    /// The value of an [`Output::Bool`].
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Output::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The value of an [`Output::U64`].
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Output::U64(x) => Some(*x),
            _ => None,
        }
    }

    /// The value of an [`Output::F64`].
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Output::F64(x) => Some(*x),
            _ => None,
        }
    }
}

impl Wire for Task {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Task::IsPrime(n) => {
                out.push(0);
                n.encode(out);
            }
            Task::McEuropean {
                contract,
                seed,
                paths,
                first_block,
                blocks,
                antithetic,
            } => {
                out.push(1);
                contract.encode(out);
                seed.encode(out);
                paths.encode(out);
                first_block.encode(out);
                blocks.encode(out);
                antithetic.encode(out);
            }
            Task::Sleep { micros } => {
                out.push(2);
                micros.encode(out);
            }
            Task::Spin { micros } => {
                out.push(3);
                micros.encode(out);
            }
            Task::Mean(xs) => {
                out.push(4);
                xs.encode(out);
            }
            Task::Allocate { bytes } => {
                out.push(5);
                bytes.encode(out);
            }
            Task::DiskWrite { dir, id, bytes } => {
                out.push(6);
                dir.encode(out);
                id.encode(out);
                bytes.encode(out);
            }
            Task::Pid => out.push(7),
            Task::PeakRss => out.push(8),
            Task::WaitFor { path } => {
                out.push(9);
                path.encode(out);
            }
            Task::Touch { path } => {
                out.push(10);
                path.encode(out);
            }
            Task::Fail(message) => {
                out.push(11);
                message.encode(out);
            }
            Task::Exit(code) => {
                out.push(12);
                code.encode(out);
            }
            Task::Abort => out.push(13),
            Task::Hang => out.push(14),
            Task::CrashOnce { path } => {
                out.push(15);
                path.encode(out);
            }
            Task::CountPrimes(numbers) => {
                out.push(16);
                numbers.encode(out);
            }
            Task::PrimesFound => out.push(17),
        }
    }

    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        Ok(match take(input, 1, "Task tag")?[0] {
            0 => Task::IsPrime(u64::decode(input)?),
            1 => Task::McEuropean {
                contract: Contract::decode(input)?,
                seed: u64::decode(input)?,
                paths: u64::decode(input)?,
                first_block: u64::decode(input)?,
                blocks: u64::decode(input)?,
                antithetic: bool::decode(input)?,
            },
            2 => Task::Sleep {
                micros: u64::decode(input)?,
            },
            3 => Task::Spin {
                micros: u64::decode(input)?,
            },
            4 => Task::Mean(Vec::decode(input)?),
            5 => Task::Allocate {
                bytes: u64::decode(input)?,
            },
            6 => Task::DiskWrite {
                dir: String::decode(input)?,
                id: u64::decode(input)?,
                bytes: u64::decode(input)?,
            },
            7 => Task::Pid,
            8 => Task::PeakRss,
            9 => Task::WaitFor {
                path: String::decode(input)?,
            },
            10 => Task::Touch {
                path: String::decode(input)?,
            },
            11 => Task::Fail(String::decode(input)?),
            12 => Task::Exit(i32::decode(input)?),
            13 => Task::Abort,
            14 => Task::Hang,
            15 => Task::CrashOnce {
                path: String::decode(input)?,
            },
            16 => Task::CountPrimes(Vec::decode(input)?),
            17 => Task::PrimesFound,
            tag => return Err(WireError::BadTag { what: "Task", tag }),
        })
    }
}

impl Wire for Output {
    fn encode(&self, out: &mut Vec<u8>) {
        // BEGIN SOLUTION
        match self {
            Output::Unit => out.push(0),
            Output::Bool(b) => {
                out.push(1);
                b.encode(out);
            }
            Output::U64(x) => {
                out.push(2);
                x.encode(out);
            }
            Output::F64(x) => {
                out.push(3);
                x.encode(out);
            }
            Output::Blocks(blocks) => {
                out.push(4);
                blocks.encode(out);
            }
        }
        // STUB
        // let _ = out;
        // todo!(
        //     "encode({self:?}): a tag byte per variant (Unit 0, Bool 1, U64 2, F64 3, Blocks 4), then its value: see Task's impl above"
        // )
        // END SOLUTION
    }

    fn decode(input: &mut &[u8]) -> Result<Self, WireError> {
        // BEGIN SOLUTION
        Ok(match take(input, 1, "Output tag")?[0] {
            0 => Output::Unit,
            1 => Output::Bool(bool::decode(input)?),
            2 => Output::U64(u64::decode(input)?),
            3 => Output::F64(f64::decode(input)?),
            4 => Output::Blocks(Vec::decode(input)?),
            tag => {
                return Err(WireError::BadTag {
                    what: "Output",
                    tag,
                });
            }
        })
        // STUB
        // todo!(
        //     "Output::decode({} bytes): the tag (named \"Output tag\"), then the variant's value; an unknown tag is BadTag {{ what: \"Output\", .. }}",
        //     input.len()
        // )
        // END SOLUTION
    }
}

impl Task {
    /// Runs the task in this process: the worker's registry of functions.
    ///
    /// `Err` carries a message for a task that failed cleanly (the worker lives on);
    /// [`Task::Exit`], [`Task::Abort`], [`Task::Hang`] and the first [`Task::CrashOnce`]
    /// never return.
    pub fn run(&self) -> Result<Output, String> {
        // BEGIN SOLUTION
        match self {
            Task::IsPrime(n) => Ok(Output::Bool(is_prime(*n))),
            Task::McEuropean {
                contract,
                seed,
                paths,
                first_block,
                blocks,
                antithetic,
            } => {
                contract.validate().map_err(|e| e.to_string())?;
                Ok(Output::Blocks(mc_blocks(
                    contract,
                    *seed,
                    *paths,
                    *first_block,
                    *blocks,
                    *antithetic,
                )))
            }
            Task::Sleep { micros } => {
                std::thread::sleep(Duration::from_micros(*micros));
                Ok(Output::Unit)
            }
            Task::Spin { micros } => {
                spin(Duration::from_micros(*micros));
                Ok(Output::Unit)
            }
            Task::Mean(xs) => Ok(Output::F64(mean(xs))),
            Task::Allocate { bytes } => Ok(Output::U64(allocate(*bytes))),
            Task::DiskWrite { dir, id, bytes } => disk_write(Path::new(dir), *id, *bytes)
                .map(|()| Output::Unit)
                .map_err(|e| format!("disk write in {dir}: {e}")),
            Task::Pid => Ok(Output::U64(std::process::id().into())),
            Task::PeakRss => peak_rss_bytes()
                .map(Output::U64)
                .ok_or_else(|| "VmHWM not found in /proc/self/status".to_string()),
            Task::WaitFor { path } => {
                wait_for(Path::new(path), Duration::from_secs(20))?;
                Ok(Output::U64(std::process::id().into()))
            }
            Task::Touch { path } => {
                std::fs::write(path, b"").map_err(|e| format!("touch {path}: {e}"))?;
                Ok(Output::U64(std::process::id().into()))
            }
            Task::Fail(message) => Err(message.clone()),
            Task::Exit(code) => std::process::exit(*code),
            Task::Abort => std::process::abort(),
            Task::Hang => loop {
                std::thread::sleep(Duration::from_secs(3600));
            },
            Task::CrashOnce { path } => {
                if Path::new(path).exists() {
                    Ok(Output::Unit)
                } else {
                    std::fs::write(path, b"").map_err(|e| format!("marker {path}: {e}"))?;
                    std::process::abort()
                }
            }
            Task::CountPrimes(numbers) => Ok(Output::U64(count_primes(numbers))),
            Task::PrimesFound => Ok(Output::U64(PRIMES_FOUND.load(Ordering::Relaxed))),
        }
        // STUB
        // todo!(
        //     "match on the task and call the helpers below (is_prime, mc_blocks, spin, mean, allocate, disk_write, peak_rss_bytes, wait_for, count_primes...); Exit, Abort and Hang end or block the process"
        // )
        // END SOLUTION
    }
}

/// The Monte Carlo blocks of a [`Task::McEuropean`]: one [`Moments`] per block, block `b`
/// from `mc::european_block(contract, seed, b, mc::block_len(paths, b), antithetic)`.
/// Blocks past the end of the simulation are left out.
pub fn mc_blocks(
    contract: &Contract,
    seed: u64,
    paths: u64,
    first_block: u64,
    blocks: u64,
    antithetic: bool,
) -> Vec<Moments> {
    // BEGIN SOLUTION
    let end = first_block
        .saturating_add(blocks)
        .min(mc::block_count(paths));
    (first_block..end)
        .map(|b| mc::european_block(contract, seed, b, mc::block_len(paths, b), antithetic))
        .collect()
    // STUB
    // todo!(
    //     "one mc::european_block per block b in {first_block}..{first_block}+{blocks} (stop at mc::block_count({paths})), with the block's own stream b and mc::block_len({paths}, b) paths: {contract:?} {seed} {antithetic}"
    // )
    // END SOLUTION
}

/// Is `n` prime? Trial division by 3, 5, 7, … up to √n: the notes' `f`, written the same
/// way so that Rust and Python do the same work.
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n == 2 {
        return true;
    }
    if n.is_multiple_of(2) {
        return false;
    }
    let root = n.isqrt();
    let mut i = 3;
    while i <= root {
        if n.is_multiple_of(i) {
            return false;
        }
        i += 2;
    }
    true
}

/// The lecture's global counter: [`count_primes`] adds every count it returns, in whichever
/// process runs it. Each process has its own copy: a worker that counts moves the worker's,
/// never its parent's. What a parent needs from a worker must come back as a result.
pub static PRIMES_FOUND: AtomicU64 = AtomicU64::new(0);

/// How many of `numbers` are prime ([`is_prime`]); also adds that count to this process's
/// [`PRIMES_FOUND`].
pub fn count_primes(numbers: &[u64]) -> u64 {
    let count = numbers.iter().filter(|&&n| is_prime(n)).count() as u64;
    PRIMES_FOUND.fetch_add(count, Ordering::Relaxed);
    count
}

/// The arithmetic mean (NaN for no values).
pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Busy-waits for `d`: a CPU-bound task of known length.
pub fn spin(d: Duration) {
    let start = Instant::now();
    while start.elapsed() < d {
        std::hint::spin_loop();
    }
}

/// Allocates `bytes` bytes, writes each 8-byte word, and returns a checksum (so that the
/// compiler cannot skip the work).
pub fn allocate(bytes: u64) -> u64 {
    let words = usize::try_from(bytes / 8).unwrap_or(usize::MAX);
    let mut v = vec![0u64; words];
    for (i, x) in (0u64..).zip(v.iter_mut()) {
        *x = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    black_box(&mut v);
    v.iter().fold(0u64, |a, &x| a.wrapping_add(x))
}

/// Writes `bytes` bytes to `dir/lab03-<id>.tmp` and deletes the file.
pub fn disk_write(dir: &Path, id: u64, bytes: u64) -> std::io::Result<()> {
    let path = dir.join(format!("lab03-{id}.tmp"));
    let len = usize::try_from(bytes).map_err(std::io::Error::other)?;
    std::fs::write(&path, vec![b'x'; len])?;
    std::fs::remove_file(&path)
}

/// This process's peak resident set size in bytes (`VmHWM` of `/proc/self/status`), or
/// `None` where there is no such file.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Polls every millisecond until `path` exists; an error after `limit`.
pub fn wait_for(path: &Path, limit: Duration) -> Result<(), String> {
    let start = Instant::now();
    while !path.exists() {
        if start.elapsed() > limit {
            return Err(format!(
                "gave up waiting for {} after {} s",
                path.display(),
                limit.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(())
}

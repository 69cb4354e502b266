//! Hidden tests of lab 03: edge cases of the wire format, the worker and the pool.

use assert_cmd::Command;
use finance::bs::Contract;
use finance::mc::{self, McConfig};
use lab03::mc::price_european;
use lab03::pool::{ProcessPool, WorkerCommand};
use lab03::task::{Output, Task, is_prime, mean};
use lab03::wire::{Wire, WireError, read_frame, write_frame};
use lab03::worker::serve;
use std::io::{self, Cursor, Read};

fn worker() -> WorkerCommand {
    WorkerCommand::new(env!("CARGO_BIN_EXE_lab03-worker"))
}

fn worker_binary() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("lab03-worker")
}

fn frame_of(tasks: &[Task]) -> Vec<u8> {
    let mut stream = Vec::new();
    write_frame(&mut stream, &tasks.to_vec().to_bytes()).unwrap();
    stream
}

/// A reader that hands out one byte per call, and an `Interrupted` error every other
/// call: a stream may deliver a frame in any number of pieces.
struct Trickle {
    data: Vec<u8>,
    pos: usize,
    calls: usize,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls.is_multiple_of(2) {
            return Err(io::Error::from(io::ErrorKind::Interrupted));
        }
        if self.pos == self.data.len() || buf.is_empty() {
            return Ok(0);
        }
        buf[0] = self.data[self.pos];
        self.pos += 1;
        Ok(1)
    }
}

#[test]
fn invalid_utf8_is_an_error() {
    let mut bytes = 2u64.to_bytes();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    assert!(matches!(
        String::from_bytes(&bytes),
        Err(WireError::BadUtf8 { .. })
    ));
}

#[test]
fn large_float_vectors_round_trip_bit_for_bit() {
    let xs: Vec<f64> = (0..100_000)
        .map(|i| f64::from_bits(0x3ff0_0000_0000_0000 ^ (i as u64).wrapping_mul(0x9e37_79b9)))
        .chain([f64::NAN, -f64::NAN, f64::NEG_INFINITY, -0.0])
        .collect();
    let bytes = xs.to_bytes();
    assert_eq!(bytes.len(), 8 + 8 * xs.len());
    let back = Vec::<f64>::from_bytes(&bytes).unwrap();
    assert!(
        back.iter()
            .zip(&xs)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
    // Cut one byte short: an error, not a shorter vector.
    assert!(Vec::<f64>::from_bytes(&bytes[..bytes.len() - 1]).is_err());
}

#[test]
fn frames_survive_one_byte_reads_and_interruptions() {
    let mut data = Vec::new();
    write_frame(&mut data, b"hello").unwrap();
    write_frame(&mut data, &[9; 40]).unwrap();
    let mut r = Trickle {
        data,
        pos: 0,
        calls: 0,
    };
    let mut buf = Vec::new();
    assert_eq!(read_frame(&mut r, &mut buf), Ok(true));
    assert_eq!(buf, b"hello");
    assert_eq!(read_frame(&mut r, &mut buf), Ok(true));
    assert_eq!(buf, [9; 40]);
    assert_eq!(read_frame(&mut r, &mut buf), Ok(false));
}

#[test]
fn serve_stops_at_the_first_bad_frame() {
    let mut input = frame_of(&[Task::IsPrime(7)]);
    input.extend_from_slice(&[3, 0]); // a header cut short
    let mut output = Vec::new();
    let err = serve(Cursor::new(input), &mut output).unwrap_err();
    assert_eq!(err, WireError::TruncatedHeader { got: 2 });
    let mut r = Cursor::new(output);
    let mut buf = Vec::new();
    assert_eq!(
        read_frame(&mut r, &mut buf),
        Ok(true),
        "the good chunk was answered"
    );
    assert_eq!(
        Vec::<Result<Output, String>>::from_bytes(&buf),
        Ok(vec![Ok(Output::Bool(true))])
    );
}

#[test]
fn worker_binary_rejects_trailing_bytes_in_a_chunk() {
    let mut payload = vec![Task::Pid].to_bytes();
    payload.push(0);
    let mut stdin = Vec::new();
    write_frame(&mut stdin, &payload).unwrap();
    let out = worker_binary().write_stdin(stdin).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("trailing"), "{stderr}");
}

#[test]
fn a_corrupt_chunk_runs_none_of_its_tasks() {
    // A valid first task followed by an unknown one: the chunk must be rejected whole,
    // before the first task runs (garbage can decode as `Exit` or `Hang`).
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let mut payload = 2u64.to_bytes();
    Task::Touch {
        path: marker.to_str().unwrap().to_string(),
    }
    .encode(&mut payload);
    payload.push(250);
    let mut stdin = Vec::new();
    write_frame(&mut stdin, &payload).unwrap();
    let out = worker_binary().write_stdin(stdin).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!marker.exists(), "the first task of a corrupt chunk ran");
}

#[test]
fn worker_binary_rejects_garbage_without_panicking() {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let garbage: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    // A plausible header so that the payload is read and decoded.
    let mut stdin = 4000u32.to_le_bytes().to_vec();
    stdin.extend_from_slice(&garbage);
    let out = worker_binary().write_stdin(stdin).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}

#[test]
fn worker_binary_reports_an_invalid_contract_as_a_task_error() {
    let task = Task::McEuropean {
        contract: Contract::call(100.0, 100.0, 0.05, -0.2, 1.0),
        seed: 1,
        paths: 1000,
        first_block: 0,
        blocks: 1,
        antithetic: false,
    };
    let out = worker_binary()
        .write_stdin(frame_of(&[task, Task::IsPrime(2)]))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let mut r = Cursor::new(out.stdout);
    let mut buf = Vec::new();
    assert_eq!(read_frame(&mut r, &mut buf), Ok(true));
    let results = Vec::<Result<Output, String>>::from_bytes(&buf).unwrap();
    assert!(
        matches!(&results[0], Err(m) if m.contains("vol")),
        "{results:?}"
    );
    assert_eq!(results[1], Ok(Output::Bool(true)));
}

#[test]
fn chunk_size_one_on_many_tasks_keeps_order() {
    let mut pool = ProcessPool::new(3, worker()).unwrap();
    let tasks: Vec<Task> = (0..3000).map(Task::IsPrime).collect();
    let expected: Vec<Output> = (0..3000).map(|i| Output::Bool(is_prime(i))).collect();
    assert_eq!(pool.map(&tasks, 1).unwrap(), expected);
}

#[test]
fn more_workers_than_chunks() {
    let mut pool = ProcessPool::new(4, worker()).unwrap();
    let tasks = [Task::IsPrime(2), Task::IsPrime(4), Task::IsPrime(5)];
    let expected = [Output::Bool(true), Output::Bool(false), Output::Bool(true)];
    for chunksize in [1, 2, 5] {
        assert_eq!(pool.map(&tasks, chunksize).unwrap(), expected);
        assert_eq!(pool.map_static(&tasks, chunksize).unwrap(), expected);
    }
}

#[test]
fn imap_unordered_reports_its_exact_size() {
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let tasks: Vec<Task> = (0..10).map(Task::IsPrime).collect();
    let mut it = pool.imap_unordered(tasks, 3).unwrap();
    assert_eq!(it.size_hint(), (10, Some(10)));
    assert!(it.next().unwrap().1.is_ok());
    assert_eq!(it.size_hint(), (9, Some(9)));
    assert_eq!(it.by_ref().count(), 9);
    assert_eq!(it.next(), None);
    assert_eq!(it.completed(), 10);
}

#[test]
fn two_pools_side_by_side_do_not_interfere() {
    let mut a = ProcessPool::new(2, worker()).unwrap();
    let mut b = ProcessPool::new(1, worker()).unwrap();
    let pids_a = a.pids();
    let out_b = b.map(&vec![Task::Pid; 5], 1).unwrap();
    for o in out_b {
        assert!(!pids_a.iter().any(|&p| Output::U64(p.into()) == o));
    }
    let tasks: Vec<Task> = (0..100).map(Task::IsPrime).collect();
    assert_eq!(a.map(&tasks, 7).unwrap(), b.map(&tasks, 13).unwrap());
}

#[test]
fn mean_tasks_carry_their_data() {
    let data: Vec<f64> = (0..200_000)
        .map(|i| ((i * 7919) % 1000) as f64 / 3.0)
        .collect();
    let tasks: Vec<Task> = data
        .chunks(10_000)
        .map(|c| Task::Mean(c.to_vec()))
        .collect();
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    let out = pool.map(&tasks, 3).unwrap();
    let expected: Vec<Output> = data.chunks(10_000).map(|c| Output::F64(mean(c))).collect();
    assert_eq!(out, expected, "the same floats, the same sums, bit for bit");
}

#[test]
fn antithetic_pool_price_matches_finance() {
    let c = Contract::put(90.0, 100.0, 0.02, 0.35, 2.0);
    let cfg = McConfig {
        paths: 9 * mc::BLOCK_PATHS - 17,
        seed: 77,
        antithetic: true,
    };
    let expected = mc::european(&c, &cfg).unwrap();
    let mut pool = ProcessPool::new(2, worker()).unwrap();
    for blocks_per_task in [1, 4] {
        assert_eq!(
            price_european(&mut pool, &c, &cfg, blocks_per_task).unwrap(),
            expected
        );
    }
    let other = McConfig { seed: 78, ..cfg };
    assert_ne!(
        price_european(&mut pool, &c, &other, 4).unwrap(),
        expected,
        "another seed, other paths"
    );
}

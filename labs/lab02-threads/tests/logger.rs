//! Task 8: a log whose lines stay whole and name their worker (`src/logger.rs`).
//!
//! The writer of the many-thread test takes at most 7 bytes per `write` call and yields the
//! processor after each, as a pipe or a socket may: a line written in several pieces is
//! then cut by other threads' bytes unless the lock is held across all of them, and a
//! `write` whose short count is ignored loses the rest of its line. The loom model of
//! `tests/loom.rs` checks the interleavings themselves, every one of them.

use std::io::{self, Write};
use std::sync::Barrier;

use lab02::logger::Logger;

/// A writer that accepts at most `CHUNK` bytes per call and lets other threads run after
/// each one.
struct ChunkyWriter {
    bytes: Vec<u8>,
}

const CHUNK: usize = 7;

impl Write for ChunkyWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(CHUNK);
        self.bytes.extend_from_slice(&buf[..n]);
        std::thread::yield_now();
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A writer that always fails.
struct Broken;

impl Write for Broken {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::other("disk full"))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The message of line `seq` of worker `worker`: its numbers, then 0 to 120 letters, so
/// that lines differ in length and a cut line cannot pass for a whole one.
fn message(worker: usize, seq: usize) -> String {
    let len = (worker * 37 + seq * 11) % 121;
    let letter = (b'a' + (worker % 26) as u8) as char;
    format!("line {seq} {}", letter.to_string().repeat(len))
}

/// `[worker W] line S xxx`: the worker and the sequence number, if the line is exactly one
/// that worker would log.
fn parse(line: &str) -> Option<(usize, usize)> {
    let rest = line.strip_prefix("[worker ")?;
    let (worker, msg) = rest.split_once("] ")?;
    let worker: usize = worker.parse().ok()?;
    let seq: usize = msg.strip_prefix("line ")?.split(' ').next()?.parse().ok()?;
    (msg == message(worker, seq)).then_some((worker, seq))
}

#[test]
fn one_worker_logs_whole_lines_in_order() {
    // Start with one worker and small data: the exact bytes.
    let logger = Logger::new(Vec::new());
    logger.log(0, "start").unwrap();
    logger.log(0, "fetched AAPL in 102 ms").unwrap();
    logger.log(3, "").unwrap();
    let out = String::from_utf8(logger.into_inner()).unwrap();
    assert_eq!(
        out,
        "[worker 0] start\n[worker 0] fetched AAPL in 102 ms\n[worker 3] \n"
    );
}

#[test]
fn log_lines_from_eight_threads_stay_whole_and_attributed() {
    const WORKERS: usize = 8;
    const LINES: usize = 1000;
    let logger = Logger::new(ChunkyWriter { bytes: Vec::new() });
    let start = Barrier::new(WORKERS);
    std::thread::scope(|s| {
        for worker in 0..WORKERS {
            let (logger, start) = (&logger, &start);
            s.spawn(move || {
                start.wait();
                for seq in 0..LINES {
                    logger.log(worker, &message(worker, seq)).unwrap();
                }
            });
        }
    });
    let out = String::from_utf8(logger.into_inner().bytes).expect("the log is UTF-8");
    assert!(out.ends_with('\n'), "the last line has no newline");
    let mut next = [0usize; WORKERS];
    for (n, line) in out.lines().enumerate() {
        let Some((worker, seq)) = parse(line) else {
            panic!("line {} of the log is cut or garbled: {line:?}", n + 1);
        };
        assert!(worker < WORKERS, "line {}: no worker {worker}", n + 1);
        // Each worker's lines come in the order it logged them, each exactly once.
        assert_eq!(
            seq,
            next[worker],
            "line {}: worker {worker}'s line {seq} where its line {} was due",
            n + 1,
            next[worker]
        );
        next[worker] += 1;
    }
    assert_eq!(next, [LINES; WORKERS], "lines missing");
}

#[test]
fn a_message_with_a_line_break_is_refused_and_nothing_is_written() {
    let logger = Logger::new(Vec::new());
    for bad in ["two\nlines", "carriage\rreturn", "\n"] {
        let err = logger
            .log(1, bad)
            .expect_err("a line break must be refused");
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad:?}: {err}");
    }
    assert!(
        logger.into_inner().is_empty(),
        "a refused message wrote something"
    );
}

#[test]
fn a_failing_writer_gives_its_error() {
    let logger = Logger::new(Broken);
    let err = logger.log(0, "lost").expect_err("the writer failed");
    assert_eq!(err.to_string(), "disk full");
}

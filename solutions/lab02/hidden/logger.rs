//! Hidden tests, task 8: the logger.

use std::io::{self, Write};
use std::sync::Arc;

use lab02::logger::Logger;

/// Takes one byte per `write` call and yields after each: every line needs as many calls
/// as it has bytes.
struct OneByteWriter(Vec<u8>);

impl Write for OneByteWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Some(&b) = buf.first() else {
            return Ok(0);
        };
        self.0.push(b);
        std::thread::yield_now();
        Ok(1)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Fails its first write, then works.
struct FailsOnce {
    failed: bool,
    bytes: Vec<u8>,
}

impl Write for FailsOnce {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.failed {
            self.failed = true;
            return Err(io::Error::other("network down"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn large_worker_ids_long_and_non_ascii_messages_are_written_whole() {
    let logger = Logger::new(Vec::new());
    let long = "x".repeat(10_000);
    logger.log(usize::MAX, &long).unwrap();
    logger.log(42, "prix 12,5 € — déjà vu ✓").unwrap();
    let out = String::from_utf8(logger.into_inner()).unwrap();
    assert_eq!(
        out,
        format!(
            "[worker {}] {long}\n[worker 42] prix 12,5 € — déjà vu ✓\n",
            usize::MAX
        )
    );
}

#[test]
fn lines_through_a_one_byte_writer_stay_whole_with_four_threads() {
    const WORKERS: usize = 4;
    const LINES: usize = 200;
    let logger = Arc::new(Logger::new(OneByteWriter(Vec::new())));
    let handles: Vec<_> = (0..WORKERS)
        .map(|w| {
            let logger = Arc::clone(&logger);
            std::thread::spawn(move || {
                for seq in 0..LINES {
                    logger
                        .log(w, &format!("{seq}:{}", "#".repeat(seq % 17)))
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let logger = Arc::try_unwrap(logger).ok().expect("every thread is done");
    let out = String::from_utf8(logger.into_inner().0).unwrap();
    let mut next = [0usize; WORKERS];
    for line in out.lines() {
        let (w, msg) = line
            .strip_prefix("[worker ")
            .and_then(|r| r.split_once("] "))
            .unwrap_or_else(|| panic!("cut line {line:?}"));
        let w: usize = w.parse().unwrap_or_else(|_| panic!("cut line {line:?}"));
        let seq = next[w];
        assert_eq!(
            msg,
            format!("{seq}:{}", "#".repeat(seq % 17)),
            "line {line:?}"
        );
        next[w] += 1;
    }
    assert_eq!(next, [LINES; WORKERS]);
}

#[test]
fn a_logger_works_on_after_a_refused_message_and_a_failed_write() {
    let logger = Logger::new(FailsOnce {
        failed: false,
        bytes: Vec::new(),
    });
    assert_eq!(
        logger.log(0, "a\r\n").unwrap_err().kind(),
        io::ErrorKind::InvalidInput
    );
    assert_eq!(
        logger.log(0, "first").unwrap_err().to_string(),
        "network down"
    );
    logger.log(1, "second").unwrap();
    assert_eq!(logger.into_inner().bytes, b"[worker 1] second\n");
}

#[test]
fn a_refused_message_names_the_worker() {
    let logger = Logger::new(Vec::new());
    let err = logger.log(5, "one\ntwo").unwrap_err();
    assert!(
        err.to_string().contains('5'),
        "the error should name worker 5: {err}"
    );
}

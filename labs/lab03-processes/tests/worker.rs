//! Task 2: the worker. Tasks run in-process, then the `lab03-worker` binary fed frames on
//! its standard input, good and bad.

use assert_cmd::Command;
use finance::bs::Contract;
use finance::mc;
use lab03::task::{Output, Task, mc_blocks};
use lab03::wire::{Wire, read_frame, write_frame};
use lab03::worker::serve;
use std::io::Cursor;

/// The worker binary, at a path fixed at compile time (`CARGO_BIN_EXE_lab03-worker`), so
/// the test runs from any folder and with an empty environment.
fn worker() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("lab03-worker")
}

/// The frames of a stream of chunks.
fn frames_of(chunks: &[Vec<Task>]) -> Vec<u8> {
    let mut stream = Vec::new();
    for chunk in chunks {
        write_frame(&mut stream, &chunk.to_bytes()).unwrap();
    }
    stream
}

/// Every result frame on a worker's output.
fn results_of(stdout: &[u8]) -> Vec<Vec<Result<Output, String>>> {
    let mut r = Cursor::new(stdout);
    let mut buf = Vec::new();
    let mut all = Vec::new();
    while read_frame(&mut r, &mut buf).unwrap() {
        all.push(Vec::<Result<Output, String>>::from_bytes(&buf).unwrap());
    }
    all
}

#[test]
fn tasks_run_in_process() {
    assert_eq!(Task::IsPrime(9_999_991).run(), Ok(Output::Bool(true)));
    assert_eq!(Task::IsPrime(9_999_993).run(), Ok(Output::Bool(false)));
    assert_eq!(Task::Mean(vec![1.0, 2.0, 6.0]).run(), Ok(Output::F64(3.0)));
    assert_eq!(Task::Sleep { micros: 10 }.run(), Ok(Output::Unit));
    assert_eq!(Task::Fail("nope".into()).run(), Err("nope".to_string()));
    assert_eq!(Task::Pid.run(), Ok(Output::U64(std::process::id().into())));
    assert!(matches!(
        Task::Allocate { bytes: 4096 }.run(),
        Ok(Output::U64(_))
    ));
    assert_eq!(
        Task::CountPrimes(vec![1, 2, 3, 4, 5, 9]).run(),
        Ok(Output::U64(3))
    );
}

#[test]
fn monte_carlo_blocks_follow_the_finance_scheme() {
    let c = Contract::call(100.0, 100.0, 0.05, 0.2, 1.0);
    let paths = 5 * mc::BLOCK_PATHS + 100; // six blocks, the last one short
    let blocks = mc_blocks(&c, 7, paths, 2, 3, false);
    let expected: Vec<_> = (2..5)
        .map(|b| mc::european_block(&c, 7, b, mc::block_len(paths, b), false))
        .collect();
    assert_eq!(blocks, expected);
    // Past the end of the simulation, blocks are left out.
    assert_eq!(mc_blocks(&c, 7, paths, 4, 10, false).len(), 2);
    assert_eq!(
        mc_blocks(&c, 7, paths, 5, 1, false)[0].count,
        100,
        "the last block holds the remainder"
    );
    let task = Task::McEuropean {
        contract: c,
        seed: 7,
        paths,
        first_block: 2,
        blocks: 3,
        antithetic: false,
    };
    assert_eq!(task.run(), Ok(Output::Blocks(expected)));
}

#[test]
fn serve_answers_each_chunk_in_order() {
    let input = frames_of(&[
        vec![Task::IsPrime(2), Task::IsPrime(9), Task::Fail("x".into())],
        vec![Task::Mean(vec![4.0])],
    ]);
    let mut output = Vec::new();
    serve(Cursor::new(input), &mut output).unwrap();
    assert_eq!(
        results_of(&output),
        vec![
            vec![
                Ok(Output::Bool(true)),
                Ok(Output::Bool(false)),
                Err("x".to_string())
            ],
            vec![Ok(Output::F64(4.0))],
        ]
    );
}

#[test]
fn worker_binary_answers_a_chunk_of_primes() {
    let out = worker()
        .write_stdin(frames_of(&[vec![
            Task::IsPrime(2),
            Task::IsPrime(1),
            Task::IsPrime(9_999_991),
        ]]))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        results_of(&out.stdout),
        vec![vec![
            Ok(Output::Bool(true)),
            Ok(Output::Bool(false)),
            Ok(Output::Bool(true))
        ]]
    );
}

#[test]
fn worker_binary_exits_cleanly_at_end_of_input() {
    worker()
        .write_stdin(Vec::new())
        .assert()
        .success()
        .stdout("");
}

#[test]
fn worker_binary_keeps_serving_after_a_failed_task() {
    let out = worker()
        .write_stdin(frames_of(&[
            vec![Task::Fail("boom".into()), Task::IsPrime(3)],
            vec![Task::Pid],
        ]))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let results = results_of(&out.stdout);
    assert_eq!(results.len(), 2);
    assert_eq!(
        results[0],
        vec![Err("boom".to_string()), Ok(Output::Bool(true))]
    );
    assert!(matches!(results[1][..], [Ok(Output::U64(_))]));
}

/// Bad input: exit status 2, one message on stderr naming the problem, no panic.
fn assert_rejected(stdin: Vec<u8>, words: &[&str]) {
    let out = worker().write_stdin(stdin).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    for w in words {
        assert!(stderr.contains(w), "stderr should mention {w:?}: {stderr}");
    }
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "no panic: {stderr}"
    );
}

#[test]
fn worker_binary_rejects_a_truncated_header() {
    assert_rejected(vec![5, 0], &["truncated"]);
}

#[test]
fn worker_binary_rejects_a_truncated_payload() {
    let mut stdin = 100u32.to_le_bytes().to_vec();
    stdin.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_rejected(stdin, &["truncated"]);
}

#[test]
fn worker_binary_rejects_an_unknown_task() {
    // A chunk of one task whose tag is 250.
    let mut payload = 1u64.to_bytes();
    payload.push(250);
    let mut stdin = Vec::new();
    write_frame(&mut stdin, &payload).unwrap();
    assert_rejected(stdin, &["tag", "task"]);
}

#[test]
fn worker_binary_rejects_an_oversized_frame() {
    assert_rejected(u32::MAX.to_le_bytes().to_vec(), &["too large"]);
}

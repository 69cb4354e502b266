//! The lab's worker process: reads chunks of tasks on stdin, writes their results on stdout.
//! See `lab03::worker`.

fn main() -> std::process::ExitCode {
    lab03::worker::worker_main()
}

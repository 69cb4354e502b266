//! Saying what is happening while the grader works: which lab, which step, which crate
//! compiles, which test runs.
//!
//! On a terminal the current status is the message of the progress bar the command shows
//! (`indicatif`, set with [`attach`]); elsewhere (a log, CI, Gradescope) it is a plain line
//! on stderr when the step changes, and at most every [`PLAIN_EVERY`] within a step, so a
//! long build is seen to move without flooding the log.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;

/// The longest silence of the plain output within one step.
const PLAIN_EVERY: Duration = Duration::from_secs(15);

struct State {
    enabled: bool,
    bar: Option<ProgressBar>,
    step: String,
    last_plain: Option<Instant>,
}

static STATE: Mutex<State> = Mutex::new(State {
    enabled: false,
    bar: None,
    step: String::new(),
    last_plain: None,
});

fn state() -> std::sync::MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Shows the status as the message of `bar` from now on, when stderr is a terminal (a
/// hidden bar, off a terminal, gets plain lines instead). Until then, and after
/// [`detach`], statuses are not shown (a command with output of its own, such as `check`
/// or a class's grading, keeps it).
pub fn attach(bar: &ProgressBar) {
    let mut st = state();
    st.enabled = true;
    st.bar = Some(bar.clone()).filter(|b| !b.is_hidden());
}

/// Stops showing the status.
pub fn detach() {
    let mut st = state();
    st.enabled = false;
    st.bar = None;
}

/// The current step (`lab01: compiling`) and what it is doing now (`rayon-core`).
pub fn set(step: &str, detail: &str) {
    let mut st = state();
    if !st.enabled {
        return;
    }
    let text = if detail.is_empty() {
        step.to_string()
    } else {
        format!("{step}: {detail}")
    };
    if let Some(bar) = &st.bar {
        bar.set_message(text);
        return;
    }
    let new_step = st.step != step;
    let due = st.last_plain.is_none_or(|t| t.elapsed() >= PLAIN_EVERY);
    if new_step || due {
        eprintln!("[{}] {text}", clock());
        st.step = step.to_string();
        st.last_plain = Some(Instant::now());
    }
}

/// Seconds since the first status of this command, for the plain lines.
fn clock() -> String {
    static START: Mutex<Option<Instant>> = Mutex::new(None);
    let mut start = START.lock().unwrap_or_else(|e| e.into_inner());
    let t = start.get_or_insert_with(Instant::now).elapsed().as_secs();
    format!("{:>2}:{:02}", t / 60, t % 60)
}

/// What one line of cargo's `--message-format=json` output says is happening: the crate
/// whose compilation just finished (`compiler-artifact`), counted by `built`. `None` for
/// any other line.
pub fn compiled_crate(line: &str) -> Option<String> {
    if !line.starts_with('{') || !line.contains("\"compiler-artifact\"") {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    if value["reason"] != "compiler-artifact" {
        return None;
    }
    let target = value["target"]["name"].as_str()?;
    // `registry+https://...#libc@0.2.191`, `path+file:///...#lab01@0.1.0`, or the older
    // `libc 0.2.191 (registry+...)`.
    let id = value["package_id"].as_str().unwrap_or(target);
    let package = match id.rsplit_once('#') {
        Some((_, tail)) => tail.split('@').next().unwrap_or(tail),
        None => id.split(' ').next().unwrap_or(id),
    };
    let kinds = value["target"]["kind"].to_string();
    Some(if kinds.contains("custom-build") {
        format!("{package} (build script)")
    } else if kinds.contains("\"test\"") || kinds.contains("\"example\"") {
        format!("{package} ({target})")
    } else {
        package.to_string()
    })
}

/// A status callback for a cargo build of `what` (`lab01 (tests)`): each finished crate
/// moves the status on.
pub fn cargo_lines(what: &str) -> impl FnMut(&str) + Send + use<> {
    let step = format!("{what}: compiling");
    let mut built = 0usize;
    set(&step, "starting cargo");
    move |line: &str| {
        if let Some(name) = compiled_crate(line) {
            built += 1;
            set(&step, &format!("{name} ({built} crates done)"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifacts_name_the_crate_and_other_lines_nothing() {
        let artifact = r#"{"reason":"compiler-artifact","package_id":"registry+https://github.com/rust-lang/crates.io-index#rayon-core@1.13.0","target":{"name":"rayon_core","kind":["lib"]},"fresh":false}"#;
        assert_eq!(compiled_crate(artifact).as_deref(), Some("rayon-core"));
        let build = r#"{"reason":"compiler-artifact","package_id":"libc 0.2.1 (registry+x)","target":{"name":"build-script-build","kind":["custom-build"]}}"#;
        assert_eq!(
            compiled_crate(build).as_deref(),
            Some("libc (build script)")
        );
        let test = r#"{"reason":"compiler-artifact","package_id":"path+file:///c/labs/lab01#lab01@0.1.0","target":{"name":"monte_carlo","kind":["test"]}}"#;
        assert_eq!(compiled_crate(test).as_deref(), Some("lab01 (monte_carlo)"));
        let message = r#"{"reason":"compiler-message","target":{"name":"lab01"}}"#;
        assert_eq!(compiled_crate(message), None);
        assert_eq!(compiled_crate("   Compiling lab01"), None);
        assert_eq!(compiled_crate("{\"compiler-artifact\" broken"), None);
    }
}

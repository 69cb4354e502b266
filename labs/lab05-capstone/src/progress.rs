//! Progress bars on stderr for the long stages. **Given code.**
//!
//! indicatif draws only when stderr is a terminal, so tests and pipes see nothing; `--quiet`
//! hides the bars everywhere. A bar is `Sync`: rayon workers call `inc` on it directly.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Makes the progress bars of one run.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    quiet: bool,
}

impl Progress {
    /// Bars on stderr, or none at all if `quiet`.
    pub fn new(quiet: bool) -> Self {
        Progress { quiet }
    }

    /// A bar that never draws, for tests and library callers.
    pub fn hidden() -> Self {
        Progress { quiet: true }
    }

    /// A bar of `len` steps labelled `stage`.
    pub fn bar(&self, len: u64, stage: &str) -> ProgressBar {
        if self.quiet {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{prefix:>14} [{bar:40}] {pos}/{len} {elapsed_precise} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(stage.to_string());
        bar
    }
}

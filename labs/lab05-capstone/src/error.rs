//! The engine's errors. **Given code.**
//!
//! Every error a user can cause (a bad argument, a missing or malformed file, an unknown
//! ticker, a server that is down) says where the problem is, and maps to exit code 2; only a
//! failure to write the outputs maps to exit code 1. The binary prints `error: {the error}`
//! on stderr and never panics on bad input.

use std::fmt;

use finance::series::SeriesError;

/// Why a run failed.
#[derive(Debug)]
pub enum EngineError {
    /// A command-line value is out of range, e.g. `--confidence 1.5`.
    Usage(String),
    /// An input file cannot be read (missing, a directory, no permission).
    Io {
        /// The file, as given.
        file: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Line `line` (from 1, the header being line 1) of `file` is wrong in `field`.
    Input {
        /// The file, as given (or a URL for the server).
        file: String,
        /// Line number, from 1.
        line: usize,
        /// The column's name, e.g. `"weight"`, or `"header"`.
        field: String,
        /// What is wrong, e.g. `"\"1.2.3\" is not a number"`.
        message: String,
    },
    /// A price series is malformed (finance's own error already names file, line, field).
    Series(SeriesError),
    /// The market-data server failed for `ticker` (down, timed out, bad status).
    Server {
        /// The server's address, `host:port`.
        addr: String,
        /// The ticker being fetched.
        ticker: String,
        /// What went wrong.
        message: String,
    },
    /// The run needs more memory than `--max-memory` allows.
    Memory {
        /// The budget, MiB.
        budget_mib: u64,
        /// The estimated need, MiB.
        needed_mib: u64,
    },
    /// Writing an output file failed.
    Output {
        /// The file.
        file: String,
        /// What went wrong.
        message: String,
    },
}

impl EngineError {
    /// An [`EngineError::Input`] error.
    pub fn input(
        file: impl Into<String>,
        line: usize,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        EngineError::Input {
            file: file.into(),
            line,
            field: field.into(),
            message: message.into(),
        }
    }

    /// The process exit code: 2 for bad input or arguments, 1 for a failure to write.
    pub fn exit_code(&self) -> u8 {
        match self {
            EngineError::Output { .. } => 1,
            _ => 2,
        }
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(m) => write!(f, "{m}"),
            Self::Io { file, source } => write!(f, "{file}: {source}"),
            Self::Input {
                file,
                line,
                field,
                message,
            } => write!(f, "{file}:{line}: field `{field}`: {message}"),
            Self::Series(e) => write!(f, "{e}"),
            Self::Server {
                addr,
                ticker,
                message,
            } => write!(f, "server {addr}: ticker {ticker}: {message}"),
            Self::Memory {
                budget_mib,
                needed_mib,
            } => write!(
                f,
                "--max-memory {budget_mib} MiB is too small: this run needs about {needed_mib} MiB"
            ),
            Self::Output { file, message } => write!(f, "cannot write {file}: {message}"),
        }
    }
}

impl std::error::Error for EngineError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            Self::Series(e) => Some(e),
            _ => None,
        }
    }
}

impl From<SeriesError> for EngineError {
    fn from(e: SeriesError) -> Self {
        EngineError::Series(e)
    }
}

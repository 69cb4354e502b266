//! TODO(bs): being written.

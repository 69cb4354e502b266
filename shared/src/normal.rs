//! TODO(normal): being written.

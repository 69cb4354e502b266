//! TODO(timing): being written.

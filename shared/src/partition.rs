//! TODO(partition): being written.

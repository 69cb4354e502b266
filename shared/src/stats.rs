//! TODO(stats): being written.

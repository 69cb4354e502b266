//! TODO(series): being written.

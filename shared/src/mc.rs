//! TODO(mc): being written.

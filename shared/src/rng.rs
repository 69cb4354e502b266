//! TODO(rng): being written.

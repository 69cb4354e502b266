//! TODO(market): being written.

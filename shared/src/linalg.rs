//! TODO(linalg): being written.

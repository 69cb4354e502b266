//! TODO(risk): being written.

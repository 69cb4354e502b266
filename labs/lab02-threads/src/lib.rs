//! Lab 02 (being written).

//! Lab 03 (being written).

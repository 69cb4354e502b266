//! Lab 01 (being written).

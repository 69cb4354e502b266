//! `cargo xtask`: the course's own tooling.
fn main() {}

//! Links the `tradeorch` binary as a position-dependent executable. As a position-independent
//! one, its loader would relocate some 73,000 pointers at every start, copying 1.7 MB of
//! tables (mostly polars') page by page: 2.5 ms of the 4.2 ms `tradeorch --version` took,
//! and as much of every sweep. The executable then loads at a fixed address (its libraries,
//! heap and stack are still randomised). The library, tests and benches are built as usual.

fn main() {
    println!("cargo:rustc-link-arg-bins=-no-pie");
}

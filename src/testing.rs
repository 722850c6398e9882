//! Helpers for the unit tests.

/// Xorshift64 from `seed` (non-zero): a deterministic stream of pseudo-random words for
/// tests that need many varied inputs.
pub fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

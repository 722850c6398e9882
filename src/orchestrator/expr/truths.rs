//! Truth values at every bar, packed 64 bars to a word: what an expression that is only ever
//! true or false (a crossover) gives without a number per bar.

/// The truth of a value, as the expression language has it: nonzero and not NaN.
#[inline(always)]
pub fn truth(x: f64) -> bool {
    x != 0.0 && !x.is_nan()
}

/// A truth value per bar: bit `i % 64` of word `i / 64` for bar `i`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Truths {
    words: Vec<u64>,
    len: usize,
}

impl Truths {
    /// Whether each value is true ([`truth`]).
    pub fn of_values(values: &[f64]) -> Self {
        Truths { words: values.chunks(64).map(truth_word).collect(), len: values.len() }
    }

    /// Truths from their words (`len.div_ceil(64)` of them, no bit set past `len`).
    pub(super) fn from_words(words: Vec<u64>, len: usize) -> Self {
        debug_assert_eq!(words.len(), len.div_ceil(64));
        Truths { words, len }
    }

    /// Number of bars.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no bars.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The truth at bar `i`.
    pub fn get(&self, i: usize) -> bool {
        assert!(i < self.len, "bar {i} of {}", self.len);
        self.words[i / 64] >> (i % 64) & 1 == 1
    }

    /// The words: bars `64k .. 64k + 63` in word `k`.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The truths from bar `from` on.
    pub fn from_bar(&self, from: usize) -> Self {
        let len = self.len.saturating_sub(from);
        let (skip, shift) = (from / 64, from % 64);
        let words = (0..len.div_ceil(64))
            .map(|k| {
                let low = self.words[skip + k] >> shift;
                let high = match (shift, self.words.get(skip + k + 1)) {
                    (1.., Some(next)) => next << (64 - shift),
                    _ => 0,
                };
                low | high
            })
            .collect();
        Truths { words, len }
    }

    /// 1 where true, 0 where false, as an expression's values are.
    pub fn to_numbers(&self) -> Vec<f64> {
        (0..self.len).map(|i| if self.get(i) { 1.0 } else { 0.0 }).collect()
    }
}

/// Bit k set where `block[k]` (at most 64 values) is true, without a branch per value.
#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
fn truth_word(block: &[f64]) -> u64 {
    let mut bytes = [0u8; 64];
    for (byte, &v) in bytes.iter_mut().zip(block) {
        *byte = u8::from(truth(v));
    }
    pack(&bytes)
}

/// Bit k set where `bytes[k]` (each 0 or 1) is 1: 8 bytes at a time packed into 8 bits by
/// one multiplication.
#[inline(always)]
pub(super) fn pack(bytes: &[u8; 64]) -> u64 {
    let (eights, _) = bytes.as_chunks::<8>();
    eights.iter().enumerate().fold(0, |mask, (k, eight)| {
        // Byte i (0 or 1) of the word lands on bit 56 + i of the product.
        let packed = u64::from_le_bytes(*eight).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        mask | packed << (8 * k)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values with every kind of truth at every bit position.
    fn values(n: usize) -> Vec<f64> {
        let mut next = crate::testing::xorshift(0x51f1_5eed);
        (0..n).map(|_| [0.0, 1.0, f64::NAN, -2.5, -0.0][(next() % 5) as usize]).collect()
    }

    #[test]
    fn truths_are_nonzero_and_not_nan_at_each_bar() {
        for n in [0, 1, 63, 64, 65, 130, 301] {
            let v = values(n);
            let t = Truths::of_values(&v);
            assert_eq!(t.len(), n);
            for (i, x) in v.iter().enumerate() {
                assert_eq!(t.get(i), *x != 0.0 && !x.is_nan(), "bar {i} of {n}");
            }
            assert_eq!(t.to_numbers(), v.iter().map(|&x| if x != 0.0 && !x.is_nan() { 1.0 } else { 0.0 }).collect::<Vec<_>>());
            assert!(t.words().last().is_none_or(|w| n % 64 == 0 || w >> (n % 64) == 0), "no bit past the end");
        }
    }

    #[test]
    fn from_bar_cuts_at_any_bit() {
        let v = values(301);
        let t = Truths::of_values(&v);
        for from in [0, 1, 5, 63, 64, 65, 128, 200, 300, 301, 400] {
            assert_eq!(t.from_bar(from), Truths::of_values(&v[from.min(301)..]), "from {from}");
        }
    }

    #[test]
    fn packing_puts_byte_k_on_bit_k() {
        let mut bytes = [0u8; 64];
        assert_eq!(pack(&bytes), 0);
        for k in [0, 7, 8, 63] {
            bytes[k] = 1;
        }
        assert_eq!(pack(&bytes), 1 | 1 << 7 | 1 << 8 | 1 << 63);
    }
}

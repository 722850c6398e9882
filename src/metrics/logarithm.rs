//! Sums of logarithms at vector speed: beta needs one logarithm per bar of every run, and a
//! sweep runs thousands of them.
//!
//! The logarithm is fdlibm's (as in `libm::log`, error below 1 ulp) without its branches,
//! which only serve inputs that are not positive normal numbers; without them the compiler
//! computes several logarithms per instruction. Any such input sends the whole sum to
//! `libm::log` itself, so the result is always `libm::log`'s, summed in the same fixed order.

use super::sample::{combine_lanes, for_each_lane, LANES};

// fdlibm's constants, as bit patterns.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const LG1: f64 = f64::from_bits(0x3fe5_5555_5555_5593);
const LG2: f64 = f64::from_bits(0x3fd9_9999_9997_fa04);
const LG3: f64 = f64::from_bits(0x3fd2_4924_9422_9359);
const LG4: f64 = f64::from_bits(0x3fcc_71c5_1d8e_78af);
const LG5: f64 = f64::from_bits(0x3fc7_4664_96cb_03de);
const LG6: f64 = f64::from_bits(0x3fc3_9a09_d078_c69f);
const LG7: f64 = f64::from_bits(0x3fc2_f112_df3e_5244);

/// Σ ln(xᵢ)·wᵢ over `xs` and `weights` (of equal length), each logarithm as `libm::log`,
/// added in [`LANES`] partial sums; compiled for AVX-512 and AVX2 as well, the widest the
/// CPU has being used (all give the same bits).
#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
pub fn weighted_log_sum(xs: &[f64], weights: &[f64]) -> f64 {
    assert_eq!(xs.len(), weights.len(), "one weight per logarithm");
    weighted_log_sum_portable(xs, weights)
}

/// [`weighted_log_sum`] as written, inlined into each compiled variant.
#[inline(always)]
fn weighted_log_sum_portable(xs: &[f64], weights: &[f64]) -> f64 {
    let all_normal = xs.iter().fold(true, |ok, &x| ok & is_positive_normal(x));
    if all_normal {
        sum_with(xs, weights, ln_of_positive_normal)
    } else {
        sum_with(xs, weights, libm::log)
    }
}

/// Weighted logarithms worked out per block, before they are summed.
const BLOCK: usize = 256;

#[inline(always)]
fn sum_with(xs: &[f64], weights: &[f64], ln: impl Fn(f64) -> f64) -> f64 {
    let mut sums = [-0.0; LANES];
    let mut terms = [0.0; BLOCK];
    // A block's length is a multiple of LANES (but for the last), so term i lands in sums[i % LANES].
    for (x_block, w_block) in xs.chunks(BLOCK).zip(weights.chunks(BLOCK)) {
        let terms = &mut terms[..x_block.len()];
        for ((term, &x), &w) in terms.iter_mut().zip(x_block).zip(w_block) {
            *term = ln(x) * w;
        }
        for_each_lane(terms, |k, term| sums[k] += term);
    }
    combine_lanes(sums, |a, b| a + b)
}

/// True for the numbers [`ln_of_positive_normal`] takes: positive, normal and finite.
#[inline(always)]
fn is_positive_normal(x: f64) -> bool {
    (f64::MIN_POSITIVE..=f64::MAX).contains(&x)
}

/// `libm::log(x)` for positive normal finite `x`, without a branch.
#[inline(always)]
fn ln_of_positive_normal(x: f64) -> f64 {
    // x = 2^k · m with m in [√2/2, √2): move the mantissa's range, read k off the exponent.
    let bits = x.to_bits() + ((0x3ff0_0000 - 0x3fe6_a09e) << 32);
    let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) + (0x3fe6_a09e << 32));
    // k as a float without an integer conversion: 2^52 + biased exponent, less 2^52 + bias.
    let dk = f64::from_bits((bits >> 52) | 0x4330_0000_0000_0000) - (4_503_599_627_370_496.0 + 1023.0);
    let f = m - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    s * (hfsq + r) + dk * LN2_LO - hfsq + f + dk * LN2_HI
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic positive normal numbers spread over the whole exponent range, plus
    /// the ratios near 1 that log returns are made of.
    fn samples() -> Vec<f64> {
        let mut next = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15);
        let mut xs: Vec<f64> = (0..100_000)
            .map(|_| f64::from_bits(next() % 0x7fe0_0000_0000_0000 + 0x0010_0000_0000_0000))
            .collect();
        xs.extend((0..100_000).map(|_| 1.0 + ((next() % 2_000_001) as f64 - 1e6) * 1e-7));
        xs.extend([1.0, 2.0, 0.5, f64::MIN_POSITIVE, f64::MAX, std::f64::consts::E, 1.0 + f64::EPSILON]);
        xs
    }

    #[test]
    fn each_logarithm_is_libms_bit_for_bit() {
        for x in samples() {
            assert_eq!(ln_of_positive_normal(x).to_bits(), libm::log(x).to_bits(), "ln({x:e})");
        }
        assert_eq!(ln_of_positive_normal(1.0).to_bits(), 0.0f64.to_bits());
    }

    /// The sum in the documented order with `libm::log`, written out plainly.
    fn by_definition(xs: &[f64], ws: &[f64]) -> f64 {
        let mut sums = [-0.0; LANES];
        for (i, (x, w)) in xs.iter().zip(ws).enumerate() {
            sums[i % LANES] += libm::log(*x) * w;
        }
        // The first half's total plus the second half's, each the same way down to one.
        fn halves(s: &[f64]) -> f64 {
            match s {
                [x] => *x,
                _ => halves(&s[..s.len() / 2]) + halves(&s[s.len() / 2..]),
            }
        }
        halves(&sums)
    }

    #[test]
    fn sums_equal_the_definition_whatever_the_length_and_inputs() {
        let xs = samples();
        let ws: Vec<f64> = (0..xs.len()).map(|i| (i % 17) as f64 - 8.0).collect();
        for len in [0, 1, 3, 4, 5, 2147, xs.len()] {
            let got = weighted_log_sum(&xs[..len], &ws[..len]);
            assert_eq!(got.to_bits(), by_definition(&xs[..len], &ws[..len]).to_bits(), "{len} terms");
            // The variant this CPU runs gives the same bits as the code compiled without
            // vector extensions.
            assert_eq!(got.to_bits(), weighted_log_sum_portable(&xs[..len], &ws[..len]).to_bits());
        }
        // Inputs outside the branch-free formula's range take libm's own path.
        for special in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-310] {
            let xs = [1.5, special, 0.25, 3.0, 7.0];
            let ws = [1.0; 5];
            let got = weighted_log_sum(&xs, &ws);
            let expected = by_definition(&xs, &ws);
            assert!(got.to_bits() == expected.to_bits() || (got.is_nan() && expected.is_nan()), "with {special}");
        }
    }
}

//! Sample statistics shared by the metrics: mean, and covariance/variance with ddof = 1;
//! bar-to-bar ratios; and the lanes that loops over thousands of returns accumulate in.

/// Partial results kept side by side, so that the compiler vectorises a loop that
/// accumulates: element i goes to lane i % LANES whatever the CPU's vector width, so the
/// order of the operations, and the result, do not depend on it.
pub const LANES: usize = 16;

/// Calls `add(lane, x)` for each `x` of `xs` in order, its lane being its index % [`LANES`].
#[inline(always)]
pub fn for_each_lane(xs: &[f64], mut add: impl FnMut(usize, f64)) {
    let (chunks, rest) = xs.as_chunks::<LANES>();
    for chunk in chunks {
        for (lane, &x) in chunk.iter().enumerate() {
            add(lane, x);
        }
    }
    for (lane, &x) in rest.iter().enumerate() {
        add(lane, x);
    }
}

/// Combines the lanes' partial results with `op`, in a fixed order: neighbours pairwise,
/// then the pairs' results pairwise, and so on (`(p0 + p1) + (p2 + p3)` for four).
#[inline(always)]
pub fn combine_lanes(mut lanes: [f64; LANES], op: impl Fn(f64, f64) -> f64) -> f64 {
    let mut width = LANES;
    while width > 1 {
        width /= 2;
        for i in 0..width {
            lanes[i] = op(lanes[2 * i], lanes[2 * i + 1]);
        }
    }
    lanes[0]
}

/// The highest of some values (NaN ignored; -∞ for none), in lanes.
#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
pub fn highest(xs: &[f64]) -> f64 {
    let mut highs = [f64::NEG_INFINITY; LANES];
    for_each_lane(xs, |k, x| highs[k] = if x > highs[k] { x } else { highs[k] });
    combine_lanes(highs, f64::max)
}

/// Arithmetic mean (NaN when empty).
pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Bar-to-bar ratios `xs[i + 1] / xs[i]`.
#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
pub fn ratios(xs: &[f64]) -> Vec<f64> {
    let later = xs.get(1..).unwrap_or_default();
    later.iter().zip(xs).map(|(b, a)| b / a).collect()
}

/// Sample covariance (ddof = 1), two-pass.
pub fn covariance(a: &[f64], b: &[f64]) -> f64 {
    let (mean_a, mean_b) = (mean(a), mean(b));
    a.iter().zip(b).map(|(x, y)| (x - mean_a) * (y - mean_b)).sum::<f64>() / (a.len() as f64 - 1.0)
}

/// Sample variance (ddof = 1), two-pass.
pub fn variance(xs: &[f64]) -> f64 {
    covariance(xs, xs)
}

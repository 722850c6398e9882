//! Drawdown series and drawdown periods.

use super::sample::{combine_lanes, for_each_lane, highest, LANES};

/// `1 - equity / running peak` at each bar (0 at a new high).
pub fn drawdown(equity: &[f64]) -> Vec<f64> {
    let mut peak = f64::NEG_INFINITY;
    equity
        .iter()
        .map(|&e| {
            peak = max_so_far(peak, e);
            below_peak(e, peak)
        })
        .collect()
}

/// The running maximum `max` updated with `x`, NaN ignored: `f64::max` for a maximum that
/// starts at -∞ (nothing yet) and holds no NaN, in one instruction instead of several (it
/// sits on the critical path of the loops over bars).
#[inline(always)]
fn max_so_far(max: f64, x: f64) -> f64 {
    if x > max {
        x
    } else {
        max
    }
}

/// A maximum from [`max_so_far`]: NaN when nothing but NaN (or nothing) was seen.
fn nan_if_none(max: f64) -> f64 {
    if max == f64::NEG_INFINITY {
        f64::NAN
    } else {
        max
    }
}

/// The drawdown of `equity` below the running `peak` (which includes it).
pub fn below_peak(equity: f64, peak: f64) -> f64 {
    1.0 - equity / peak
}

/// One drawdown: from the last bar at a high to the bar that recovered it (or the last bar).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawdownPeriod {
    /// Bar index of the high the drawdown started from.
    pub start: usize,
    /// Bar index where it recovered, or the last bar.
    pub end: usize,
    /// Deepest drawdown within it (a positive fraction).
    pub depth: f64,
}

/// The drawdown periods: spans between consecutive bars with zero drawdown (the last bar
/// also closes a span) that contain at least one bar in drawdown.
pub fn periods(dd: &[f64]) -> Vec<DrawdownPeriod> {
    let last = dd.len().saturating_sub(1);
    let mut out = Vec::new();
    // The last bar with zero drawdown so far, and the deepest drawdown since then (NaN
    // ignored; -∞ when there is none yet).
    let (mut high, mut depth): (Option<usize>, f64) = (None, f64::NEG_INFINITY);
    for (i, &d) in dd.iter().enumerate() {
        depth = max_so_far(depth, d);
        if d != 0.0 && i != last {
            continue;
        }
        if let Some(start) = high.filter(|&start| i > start + 1) {
            out.push(DrawdownPeriod { start, end: i, depth: nan_if_none(depth) });
        }
        high = Some(i);
        depth = max_so_far(f64::NEG_INFINITY, d);
    }
    out
}

/// The deepest drawdown and the highest equity of a curve; see [`scan`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extremes {
    /// The largest value of [`drawdown`] (NaN ignored; NaN when there is none).
    pub deepest: f64,
    /// The highest equity (NaN ignored; NaN when there is none).
    pub peak: f64,
}

/// Hands each drawdown period of `equity` (those of [`periods`] of its [`drawdown`]) to
/// `found`, in order, and returns its [`Extremes`].
///
/// For an equity curve that starts positive and stays finite and non-negative (every run
/// that is not broken), this takes no division per bar: the peak is constant within a
/// drawdown, so its deepest point is its lowest equity, and `1 - e / peak` is computed once
/// per drawdown. The result is the same, bit for bit, as rounding is monotonic.
pub fn scan(equity: &[f64], found: impl FnMut(DrawdownPeriod)) -> Extremes {
    let valid = equity.first().is_some_and(|&e| e > 0.0) && all_finite_and_non_negative(equity);
    if valid {
        scan_valid(equity, found)
    } else {
        scan_any(equity, found)
    }
}

#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
fn all_finite_and_non_negative(xs: &[f64]) -> bool {
    xs.iter().fold(true, |ok, &x| ok & (0.0..=f64::MAX).contains(&x))
}

/// Bars that [`scan_valid`] checks for a new high at once.
const HIGH_BLOCK: usize = 32;

/// The lowest of some finite values (∞ for none), in lanes.
#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
fn lowest(xs: &[f64]) -> f64 {
    let mut lows = [f64::INFINITY; LANES];
    for_each_lane(xs, |k, x| lows[k] = if x < lows[k] { x } else { lows[k] });
    combine_lanes(lows, f64::min)
}

/// [`scan`] for a curve with a positive first value and only finite, non-negative ones.
fn scan_valid(equity: &[f64], mut found: impl FnMut(DrawdownPeriod)) -> Extremes {
    let last = equity.len() - 1;
    let (mut peak, mut high, mut deepest) = (equity[0], 0, 0.0);
    // Closes the drawdown from the high at bar `high`: bars `high + 1..=lowest_to` are below
    // `peak`, and the period ends at bar `end` (the recovering high, or the last bar).
    let mut close = |high: usize, lowest_to: usize, end: usize, peak: f64| {
        let depth = below_peak(lowest(&equity[high + 1..=lowest_to]), peak);
        deepest = max_so_far(deepest, depth);
        if end > high + 1 {
            found(DrawdownPeriod { start: high, end, depth });
        }
    };
    // Bars go by in blocks: a block whose highest equity is below the peak holds no new
    // high and needs no look at each bar (long drawdowns pass at the speed of a maximum).
    for (b, block) in equity[1..].chunks(HIGH_BLOCK).enumerate() {
        if highest(block) < peak {
            continue;
        }
        for (k, &e) in block.iter().enumerate() {
            let i = 1 + b * HIGH_BLOCK + k;
            if e >= peak {
                if i > high + 1 {
                    close(high, i - 1, i, peak);
                }
                (peak, high) = (e, i);
            }
        }
    }
    if high < last {
        close(high, last, last, peak);
    }
    Extremes { deepest, peak }
}

/// [`scan`] for any curve, from its [`drawdown`] series and [`periods`].
fn scan_any(equity: &[f64], found: impl FnMut(DrawdownPeriod)) -> Extremes {
    let drawdowns = drawdown(equity);
    periods(&drawdowns).into_iter().for_each(found);
    let top = |xs: &[f64]| nan_if_none(xs.iter().fold(f64::NEG_INFINITY, |m, &x| max_so_far(m, x)));
    Extremes { deepest: top(&drawdowns), peak: top(equity) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_between_highs_and_at_the_end() {
        let eq = [100.0, 110.0, 99.0, 105.0, 111.0, 111.0, 100.0, 90.0];
        let dd = drawdown(&eq);
        assert_eq!(dd[0], 0.0);
        assert!((dd[2] - 0.1).abs() < 1e-12);
        let p = periods(&dd);
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].start, p[0].end), (1, 4));
        assert!((p[0].depth - 0.1).abs() < 1e-12);
        assert_eq!((p[1].start, p[1].end), (5, 7));
        assert!((p[1].depth - (1.0 - 90.0 / 111.0)).abs() < 1e-12);
    }

    /// Curves that are valid for the division-free scan: random walks with plateaus (equal
    /// highs), new highs, a wipe-out to 0, and drawdowns ending at the last bar.
    fn valid_curves() -> Vec<Vec<f64>> {
        let mut word = crate::testing::xorshift(0x2545_f491_4f6c_dd1d);
        let mut next = move || word() % 1000;
        let mut curves: Vec<Vec<f64>> = vec![vec![5.0], vec![5.0, 4.0], vec![5.0, 5.0], vec![5.0, 6.0, 5.5], vec![1.0, 0.5, 0.0, 0.0], vec![3.0; 7]];
        for len in [2, 3, 10, 100, 2148] {
            for _ in 0..40 {
                let mut e = 100.0;
                let curve: Vec<f64> = (0..len)
                    .map(|_| {
                        let step = next();
                        e = if step < 300 { e } else if step < 995 { e * (1.0 + (step as f64 - 647.0) * 1e-4) } else { 0.0 };
                        e
                    })
                    .collect();
                curves.push(curve);
            }
        }
        curves
    }

    #[test]
    fn the_division_free_scan_equals_the_bar_by_bar_one() {
        for curve in valid_curves() {
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            let a = scan_valid(&curve, |p| fast.push(p));
            let b = scan_any(&curve, |p| slow.push(p));
            assert_eq!(a, b, "{curve:?}");
            assert_eq!(fast, slow, "{curve:?}");
            assert_eq!(slow, periods(&drawdown(&curve)));
            assert_eq!(scan(&curve, |_| ()), a);
        }
    }

    #[test]
    fn curves_that_are_not_valid_take_the_bar_by_bar_scan() {
        for curve in [vec![0.0, 1.0, 0.5, 1.0], vec![1.0, f64::NAN, 0.5, 2.0], vec![1.0, -1.0, 0.5], vec![1.0, f64::INFINITY, 2.0]] {
            let mut found = Vec::new();
            let e = scan(&curve, |p| found.push(p));
            assert_eq!(found, periods(&drawdown(&curve)), "{curve:?}");
            let deepest = drawdown(&curve).into_iter().fold(f64::NAN, f64::max);
            assert!(e.deepest.to_bits() == deepest.to_bits(), "{curve:?}: {} vs {deepest}", e.deepest);
            assert_eq!(e.peak.to_bits(), curve.iter().copied().fold(f64::NAN, f64::max).to_bits());
        }
        assert!(scan(&[], |_| ()).deepest.is_nan());
    }

    #[test]
    fn no_drawdown_no_periods() {
        assert!(periods(&drawdown(&[1.0, 2.0, 3.0])).is_empty());
    }
}

//! Drawdown series and drawdown periods.

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
pub fn max_so_far(max: f64, x: f64) -> f64 {
    if x > max {
        x
    } else {
        max
    }
}

/// A maximum from [`max_so_far`]: NaN when nothing but NaN (or nothing) was seen.
pub fn nan_if_none(max: f64) -> f64 {
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
    let mut finder = PeriodFinder::new(dd.len());
    dd.iter()
        .enumerate()
        .filter_map(|(i, &d)| finder.push(i, d))
        .collect()
}

/// Finds the drawdown periods of [`periods`] one bar at a time.
#[derive(Debug, Clone)]
pub struct PeriodFinder {
    last: usize,
    /// The last bar with zero drawdown so far.
    high: Option<usize>,
    /// The deepest drawdown since then (NaN ignored; -∞ when there is none yet).
    depth: f64,
}

impl PeriodFinder {
    /// A finder for a series of `bars` drawdowns.
    pub fn new(bars: usize) -> Self {
        PeriodFinder {
            last: bars.saturating_sub(1),
            high: None,
            depth: f64::NEG_INFINITY,
        }
    }

    /// Takes the drawdown `d` of bar `i` (bars in order, from 0); returns the period it
    /// closes, if any.
    #[inline]
    pub fn push(&mut self, i: usize, d: f64) -> Option<DrawdownPeriod> {
        self.depth = max_so_far(self.depth, d);
        if d != 0.0 && i != self.last {
            return None;
        }
        let closed = match self.high {
            Some(start) if i > start + 1 => Some(DrawdownPeriod {
                start,
                end: i,
                depth: nan_if_none(self.depth),
            }),
            _ => None,
        };
        self.high = Some(i);
        self.depth = max_so_far(f64::NEG_INFINITY, d);
        closed
    }
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

    #[test]
    fn no_drawdown_no_periods() {
        assert!(periods(&drawdown(&[1.0, 2.0, 3.0])).is_empty());
    }
}

//! Drawdown series and drawdown periods.

/// `1 - equity / running peak` at each bar (0 at a new high).
pub fn drawdown(equity: &[f64]) -> Vec<f64> {
    let mut peak = f64::NEG_INFINITY;
    equity
        .iter()
        .map(|&e| {
            peak = peak.max(e);
            below_peak(e, peak)
        })
        .collect()
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
    let mut prev: Option<usize> = None;
    for (i, &d) in dd.iter().enumerate() {
        if d != 0.0 && i != last {
            continue;
        }
        if let Some(p) = prev {
            if i > p + 1 {
                let depth = dd[p..=i].iter().copied().fold(f64::NAN, f64::max);
                out.push(DrawdownPeriod {
                    start: p,
                    end: i,
                    depth,
                });
            }
        }
        prev = Some(i);
    }
    out
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

//! The series the charts draw, derived once from a run record.

use crate::metrics::calendar::DAY_NS;
use crate::metrics::periods::{monthly_returns, yearly_returns, PeriodReturn};
use crate::report::run::RunRecord;

/// Bars in the rolling Sharpe and volatility window.
pub(super) const ROLLING_WINDOW: usize = 126;
/// Bars per year, to annualise the rolling statistics.
const BARS_PER_YEAR: f64 = 252.0;

/// `(time, value)` points.
pub(super) type Points = Vec<(f64, f64)>;

/// Everything the charts draw. Times are days since the Unix epoch (`f64`), the charts' x
/// coordinate.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ChartData {
    /// Bar times.
    pub x: Vec<f64>,
    pub close: Vec<f64>,
    pub equity: Vec<f64>,
    /// Buy and hold: the first equity times close over the first close.
    pub buy_hold: Vec<f64>,
    /// Drawdown in percent (<= 0).
    pub drawdown_pct: Vec<f64>,
    /// Equity change from the previous bar, in percent (one fewer than the bars).
    pub returns_pct: Vec<f64>,
    /// `(time, annualised Sharpe)` over the trailing window, where defined.
    pub rolling_sharpe: Points,
    /// `(time, annualised volatility in percent)` over the trailing window.
    pub rolling_vol_pct: Points,
    pub monthly: Vec<PeriodReturn>,
    pub yearly: Vec<PeriodReturn>,
    /// `(time, price)` of long entries, short entries and exits.
    pub long_entries: Points,
    pub short_entries: Points,
    pub exits: Points,
}

impl ChartData {
    /// The series of a run.
    pub fn new(record: &RunRecord) -> Self {
        let time = record.times();
        let x: Vec<f64> = time.iter().map(|&t| t as f64 / DAY_NS as f64).collect();
        let close: Vec<f64> = record.equity.iter().map(|r| r.close).collect();
        let equity: Vec<f64> = record.equity.iter().map(|r| r.equity).collect();
        let returns_pct: Vec<f64> = equity.windows(2).map(|w| (w[1] / w[0] - 1.0) * 100.0).collect();
        let (rolling_sharpe, rolling_vol_pct) = rolling_stats(&x, &returns_pct);
        let at = |bar: usize, price: f64| x.get(bar).map(|&t| (t, price));
        let entries = |long: bool| {
            record.trades.iter().filter(|t| (t.size > 0.0) == long).filter_map(|t| at(t.entry_bar, t.entry_price)).collect()
        };
        ChartData {
            buy_hold: buy_and_hold(&equity, &close),
            drawdown_pct: record.equity.iter().map(|r| r.drawdown_pct).collect(),
            monthly: monthly_returns(&time, &equity),
            yearly: yearly_returns(&time, &equity),
            long_entries: entries(true),
            short_entries: entries(false),
            exits: record.trades.iter().filter_map(|t| at(t.exit_bar?, t.exit_price?)).collect(),
            rolling_sharpe,
            rolling_vol_pct,
            returns_pct,
            x,
            close,
            equity,
        }
    }
}

/// The first equity times each close over the first close.
fn buy_and_hold(equity: &[f64], close: &[f64]) -> Vec<f64> {
    match (equity.first(), close.first()) {
        (Some(&e), Some(&c)) => close.iter().map(|&p| e * p / c).collect(),
        _ => Vec::new(),
    }
}

/// Rolling annualised Sharpe (mean / sample std × √252) and volatility (std × √252, in
/// percent) of the per-bar returns `returns_pct[i]` (the change into bar `i + 1`), over the
/// trailing [`ROLLING_WINDOW`] returns. The Sharpe is left out where the std is zero.
fn rolling_stats(x: &[f64], returns_pct: &[f64]) -> (Points, Points) {
    let annual = BARS_PER_YEAR.sqrt();
    let mut sharpe = Vec::new();
    let mut vol = Vec::new();
    for (k, window) in returns_pct.windows(ROLLING_WINDOW).enumerate() {
        let n = window.len() as f64;
        let mean = window.iter().sum::<f64>() / n;
        let std = (window.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let t = x[k + ROLLING_WINDOW];
        if std > 0.0 && std.is_finite() {
            sharpe.push((t, mean / std * annual));
        }
        if std.is_finite() {
            vol.push((t, std * annual));
        }
    }
    (sharpe, vol)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buy_and_hold_scales_the_price_to_the_first_equity() {
        assert_eq!(buy_and_hold(&[1000.0, 5.0, 7.0], &[10.0, 20.0, 5.0]), vec![1000.0, 2000.0, 500.0]);
        assert!(buy_and_hold(&[], &[]).is_empty());
    }

    #[test]
    fn rolling_stats_annualise_the_window() {
        // Returns alternate +1 % / -1 %: mean 0 over an even window, or 1/126 % over an odd count.
        let returns: Vec<f64> = (0..ROLLING_WINDOW + 1).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
        let x: Vec<f64> = (0..=returns.len()).map(|i| i as f64).collect();
        let (sharpe, vol) = rolling_stats(&x, &returns);
        assert_eq!(sharpe.len(), 2);
        assert_eq!(sharpe[0].0, ROLLING_WINDOW as f64);
        assert!(sharpe[0].1.abs() < 1e-12);
        let n = ROLLING_WINDOW as f64;
        let std = (n / (n - 1.0)).sqrt();
        assert!((vol[0].1 - std * 252f64.sqrt()).abs() < 1e-9);
        // A flat stretch has no Sharpe but zero volatility.
        let (sharpe, vol) = rolling_stats(&x, &vec![0.0; returns.len()]);
        assert!(sharpe.is_empty());
        assert_eq!(vol[0].1, 0.0);
    }
}

//! The statistics table of a run (formulas: `docs/metrics.md`).

use serde::{Deserialize, Serialize};

use super::calendar::{self, ReturnPeriod, DAY_NS};
use super::drawdown;
use super::sample::{covariance, mean, variance};
use crate::engine::Trade;

/// Every statistic of a run. Percentages are in percent; durations in days; values that are
/// undefined (e.g. win rate with no trades) are NaN, written as `null` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub start: String,
    pub end: String,
    #[serde(deserialize_with = "nan_if_null")]
    pub duration_days: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub exposure_time_pct: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub equity_final: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub equity_peak: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub commissions: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub return_pct: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub buy_hold_return_pct: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub return_ann_pct: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub volatility_ann_pct: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub cagr_pct: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub sharpe_ratio: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub sortino_ratio: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub calmar_ratio: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub alpha_pct: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub beta: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub max_drawdown_pct: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub avg_drawdown_pct: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub max_drawdown_duration_days: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub avg_drawdown_duration_days: f64,
    pub trades: usize,
    #[serde(deserialize_with = "nan_if_null")]
    pub win_rate_pct: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub best_trade_pct: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub worst_trade_pct: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub avg_trade_pct: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub max_trade_duration_days: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub avg_trade_duration_days: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub profit_factor: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub expectancy_pct: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub sqn: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub kelly_criterion: f64,
}

/// Reads a number written by `serde_json`, where `null` stands for NaN.
fn nan_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// What the statistics are computed from.
#[derive(Debug, Clone, Copy)]
pub struct StatsInput<'a> {
    /// Bar timestamps (ns since epoch).
    pub time: &'a [i64],
    /// Close prices (for buy & hold and beta).
    pub close: &'a [f64],
    /// Equity at each bar's close.
    pub equity: &'a [f64],
    /// Closed trades.
    pub trades: &'a [Trade],
    /// First bar at which every indicator is defined (buy & hold starts there).
    pub first_trading_bar: usize,
}

/// Formats a timestamp as `YYYY-MM-DD HH:MM:SS`.
pub fn format_time(ns: i64) -> String {
    chrono::DateTime::from_timestamp_nanos(ns).naive_utc().format("%Y-%m-%d %H:%M:%S").to_string()
}

fn max(xs: impl IntoIterator<Item = f64>) -> f64 {
    xs.into_iter().fold(f64::NAN, f64::max)
}

fn min(xs: impl IntoIterator<Item = f64>) -> f64 {
    xs.into_iter().fold(f64::NAN, f64::min)
}

/// `x`, or NaN when it is zero (Python's `x or np.nan`).
fn nonzero(x: f64) -> f64 {
    if x == 0.0 {
        f64::NAN
    } else {
        x
    }
}

/// Geometric mean return; 0 when any return is -100 % or worse, NaN when empty.
fn geometric_mean(returns: &[f64]) -> f64 {
    if returns.iter().any(|r| r + 1.0 <= 0.0) {
        return 0.0;
    }
    let log_sum: f64 = returns.iter().map(|r| (r + 1.0).ln()).sum();
    (log_sum / nonzero(returns.len() as f64)).exp() - 1.0
}

/// Period returns of the equity: its last value in each period, then percent change.
fn period_returns(time: &[i64], equity: &[f64], period: ReturnPeriod) -> Vec<f64> {
    let mut lasts: Vec<f64> = Vec::new();
    let mut last_key = None;
    for (&t, &e) in time.iter().zip(equity) {
        let key = period.key(t);
        if last_key == Some(key) {
            *lasts.last_mut().expect("a value per key") = e;
        } else {
            lasts.push(e);
            last_key = Some(key);
        }
    }
    lasts.windows(2).map(|w| w[1] / w[0] - 1.0).filter(|r| !r.is_nan()).collect()
}

/// Sample covariance over variance (ddof cancels): the CAPM beta of `y` on `x`.
fn beta(y: &[f64], x: &[f64]) -> f64 {
    if y.len() < 2 {
        return f64::NAN;
    }
    covariance(y, x) / variance(x)
}

fn log_returns(xs: &[f64]) -> Vec<f64> {
    xs.windows(2).map(|w| (w[1] / w[0]).ln()).collect()
}

/// Mean of durations (ns), truncated to whole ns, then rounded up to `unit`; in days.
fn days(duration_ns: i64) -> f64 {
    duration_ns as f64 / DAY_NS as f64
}

fn duration_stats(durations: &[i64], unit: i64) -> (f64, f64) {
    if durations.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let max = *durations.iter().max().expect("non-empty");
    let sum: i128 = durations.iter().map(|&d| d as i128).sum();
    let mean = (sum / durations.len() as i128) as i64;
    (days(calendar::ceil_to(max, unit)), days(calendar::ceil_to(mean, unit)))
}

/// Computes every statistic.
pub fn compute(input: StatsInput) -> Stats {
    let StatsInput { time, close, equity, trades, first_trading_bar } = input;
    let n = equity.len();
    let (e0, e_last) = (equity[0], equity[n - 1]);
    let duration = time[n - 1] - time[0];
    let unit = calendar::resolution(calendar::bar_period(time));

    // Drawdowns.
    let dd = drawdown::drawdown(equity);
    let periods = drawdown::periods(&dd);
    let max_dd = max(dd.iter().copied());
    let max_dd = if max_dd.is_nan() { 0.0 } else { max_dd };
    let avg_dd = if periods.is_empty() {
        mean(&dd.iter().copied().filter(|&d| d != 0.0 && !d.is_nan()).collect::<Vec<_>>())
    } else {
        mean(&periods.iter().map(|p| p.depth).collect::<Vec<_>>())
    };
    let dd_durations: Vec<i64> = periods.iter().map(|p| time[p.end] - time[p.start]).collect();
    let (max_dd_dur, avg_dd_dur) = duration_stats(&dd_durations, unit);

    // Exposure: bars with a position, entry and exit bar inclusive.
    let mut in_market = vec![false; n];
    for t in trades {
        let exit = t.exit_bar.unwrap_or(n - 1);
        in_market[t.entry_bar..=exit].fill(true);
    }
    let exposure = in_market.iter().filter(|&&b| b).count() as f64 / n as f64;

    // Returns and risk.
    let period = ReturnPeriod::from_bar_period(calendar::bar_period(time));
    let annual_periods = match period {
        ReturnPeriod::Week => 52.0,
        ReturnPeriod::Month => 12.0,
        ReturnPeriod::Year => 1.0,
        ReturnPeriod::Day if calendar::has_weekends(time) => 365.0,
        ReturnPeriod::Day => 252.0,
    };
    let rets = period_returns(time, equity, period);
    let g = geometric_mean(&rets); // NaN without any period return
    let ann_return = (1.0 + g).powf(annual_periods) - 1.0;
    let var = if rets.is_empty() { f64::NAN } else { variance(&rets) };
    let volatility = ((var + (1.0 + g).powi(2)).powf(annual_periods) - (1.0 + g).powf(2.0 * annual_periods)).sqrt();
    let years = duration as f64 / DAY_NS as f64 / 365.25;
    let cagr = if years == 0.0 { f64::NAN } else { (e_last / e0).powf(1.0 / years) - 1.0 };
    let downside = mean(&rets.iter().map(|r| r.min(0.0).powi(2)).collect::<Vec<_>>()).sqrt();
    let sortino = ann_return / (downside * annual_periods.sqrt());

    let c0 = close[first_trading_bar];
    let buy_hold = (close[n - 1] - c0) / c0 * 100.0;
    let total_return = (e_last - e0) / e0 * 100.0;
    let beta = beta(&log_returns(equity), &log_returns(close));

    // Trades.
    let pnl: Vec<f64> = trades.iter().map(|t| t.pnl_at(f64::NAN)).collect();
    let returns: Vec<f64> = trades.iter().map(|t| t.return_at(f64::NAN)).collect();
    let trade_durations: Vec<i64> = trades
        .iter()
        .map(|t| time[t.exit_bar.unwrap_or(n - 1)] - time[t.entry_bar])
        .collect();
    let (max_trade_dur, avg_trade_dur) = duration_stats(&trade_durations, unit);
    let n_trades = trades.len();
    let win_rate = if n_trades == 0 {
        f64::NAN
    } else {
        pnl.iter().filter(|&&p| p > 0.0).count() as f64 / n_trades as f64
    };
    let wins: Vec<f64> = pnl.iter().copied().filter(|&p| p > 0.0).collect();
    let losses: Vec<f64> = pnl.iter().copied().filter(|&p| p < 0.0).collect();
    let gains: f64 = returns.iter().filter(|&&r| r > 0.0).sum();
    let drops: f64 = returns.iter().filter(|&&r| r < 0.0).sum();

    Stats {
        start: format_time(time[0]),
        end: format_time(time[n - 1]),
        duration_days: days(duration),
        exposure_time_pct: exposure * 100.0,
        equity_final: e_last,
        equity_peak: max(equity.iter().copied()),
        commissions: trades.iter().map(|t| t.commission).sum::<f64>() + 0.0,
        return_pct: total_return,
        buy_hold_return_pct: buy_hold,
        return_ann_pct: ann_return * 100.0,
        volatility_ann_pct: volatility * 100.0,
        cagr_pct: cagr * 100.0,
        sharpe_ratio: ann_return * 100.0 / nonzero(volatility * 100.0),
        sortino_ratio: sortino,
        calmar_ratio: ann_return / nonzero(max_dd),
        alpha_pct: total_return - beta * buy_hold,
        beta,
        max_drawdown_pct: -max_dd * 100.0,
        avg_drawdown_pct: -avg_dd * 100.0,
        max_drawdown_duration_days: max_dd_dur,
        avg_drawdown_duration_days: avg_dd_dur,
        trades: n_trades,
        win_rate_pct: win_rate * 100.0,
        best_trade_pct: max(returns.iter().copied()) * 100.0,
        worst_trade_pct: min(returns.iter().copied()) * 100.0,
        avg_trade_pct: if n_trades == 0 { f64::NAN } else { geometric_mean(&returns) * 100.0 },
        max_trade_duration_days: max_trade_dur,
        avg_trade_duration_days: avg_trade_dur,
        profit_factor: gains / nonzero(drops.abs()),
        expectancy_pct: mean(&returns) * 100.0,
        sqn: (n_trades as f64).sqrt() * mean(&pnl) / nonzero(if n_trades < 2 { f64::NAN } else { variance(&pnl).sqrt() }),
        kelly_criterion: win_rate - (1.0 - win_rate) / (mean(&wins) / -mean(&losses)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_bar_has_undefined_period_statistics() {
        let s = compute(StatsInput { time: &[0], close: &[100.0], equity: &[10_000.0], trades: &[], first_trading_bar: 0 });
        assert_eq!(s.return_pct, 0.0);
        assert!(s.return_ann_pct.is_nan() && s.volatility_ann_pct.is_nan() && s.sharpe_ratio.is_nan());
        assert!(s.cagr_pct.is_nan() && s.beta.is_nan() && s.win_rate_pct.is_nan());
        assert_eq!(s.commissions, 0.0);
        assert!(s.commissions.is_sign_positive());
    }
}

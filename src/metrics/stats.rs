//! The statistics table of a run (formulas: `docs/metrics.md`).

use serde::{Deserialize, Serialize};

use super::calendar::{self, ReturnPeriod, DAY_NS};
use super::drawdown;
use super::logarithm::weighted_log_sum;
use super::sample::{combine_lanes, for_each_lane, mean, ratios, variance, LANES};
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

/// Number of numeric statistics (every field but `start` and `end`).
pub const NUMERIC_STATS: usize = 30;

/// Names (the JSON keys) of the numeric statistics, in table order.
pub const NUMBER_NAMES: [&str; NUMERIC_STATS] = [
    "duration_days",
    "exposure_time_pct",
    "equity_final",
    "equity_peak",
    "commissions",
    "return_pct",
    "buy_hold_return_pct",
    "return_ann_pct",
    "volatility_ann_pct",
    "cagr_pct",
    "sharpe_ratio",
    "sortino_ratio",
    "calmar_ratio",
    "alpha_pct",
    "beta",
    "max_drawdown_pct",
    "avg_drawdown_pct",
    "max_drawdown_duration_days",
    "avg_drawdown_duration_days",
    "trades",
    "win_rate_pct",
    "best_trade_pct",
    "worst_trade_pct",
    "avg_trade_pct",
    "max_trade_duration_days",
    "avg_trade_duration_days",
    "profit_factor",
    "expectancy_pct",
    "sqn",
    "kelly_criterion",
];

impl Stats {
    /// Every numeric statistic with its name (the JSON key), in table order.
    pub fn numbers(&self) -> [(&'static str, f64); NUMERIC_STATS] {
        let values = [
            self.duration_days,
            self.exposure_time_pct,
            self.equity_final,
            self.equity_peak,
            self.commissions,
            self.return_pct,
            self.buy_hold_return_pct,
            self.return_ann_pct,
            self.volatility_ann_pct,
            self.cagr_pct,
            self.sharpe_ratio,
            self.sortino_ratio,
            self.calmar_ratio,
            self.alpha_pct,
            self.beta,
            self.max_drawdown_pct,
            self.avg_drawdown_pct,
            self.max_drawdown_duration_days,
            self.avg_drawdown_duration_days,
            self.trades as f64,
            self.win_rate_pct,
            self.best_trade_pct,
            self.worst_trade_pct,
            self.avg_trade_pct,
            self.max_trade_duration_days,
            self.avg_trade_duration_days,
            self.profit_factor,
            self.expectancy_pct,
            self.sqn,
            self.kelly_criterion,
        ];
        std::array::from_fn(|k| (NUMBER_NAMES[k], values[k]))
    }

    /// A numeric statistic by name (the JSON key).
    pub fn number(&self, name: &str) -> Option<f64> {
        let k = NUMBER_NAMES.iter().position(|n| *n == name)?;
        Some(self.numbers()[k].1)
    }
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
    chrono::DateTime::from_timestamp_nanos(ns)
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
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
    Growth::of(returns).geometric_mean(returns)
}

/// One pass over returns: whether any is -100 % or worse, the product of `1 + r`, and the
/// sum (each accumulated in lanes).
struct Growth {
    ruined: bool,
    product: f64,
    sum: f64,
}

impl Growth {
    #[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
    fn of(returns: &[f64]) -> Growth {
        let (mut ruined, mut product, mut sum) = ([false; LANES], [1.0; LANES], [-0.0; LANES]);
        for_each_lane(returns, |k, r| {
            ruined[k] |= r + 1.0 <= 0.0;
            product[k] *= r + 1.0;
            sum[k] += r;
        });
        Growth {
            ruined: ruined.contains(&true),
            product: combine_lanes(product, |a, b| a * b),
            sum: combine_lanes(sum, |a, b| a + b),
        }
    }

    /// The geometric mean of `returns` (those this was worked out from).
    fn geometric_mean(&self, returns: &[f64]) -> f64 {
        if self.ruined {
            return 0.0;
        }
        // ln Π(1 + r) is Σ ln(1 + r) up to rounding, with one logarithm instead of one per
        // return; the sum is the fallback when the product leaves the range of f64.
        let log_sum = if self.product.is_finite() && self.product > 0.0 {
            self.product.ln()
        } else {
            returns.iter().map(|r| (r + 1.0).ln()).sum()
        };
        (log_sum / nonzero(returns.len() as f64)).exp() - 1.0
    }
}

/// What the statistics need from the equity curve: its drawdowns (the deepest, the mean
/// depth and the durations of the drawdown periods), the highest equity, and the
/// co-movement of its log returns with the close's (for beta).
struct EquityPass {
    max_drawdown: f64,
    peak: f64,
    /// The mean depth of the drawdown periods, or of the bars in drawdown when no period
    /// closed; NaN when there is neither.
    average_drawdown: f64,
    period_durations: Durations,
    /// Σ yᵢ (xᵢ - x̄) over the equity's log returns y and the close's x.
    co_movement: f64,
}

impl EquityPass {
    /// The pass over `equity`, whose bar-to-bar ratios (`equity[i + 1] / equity[i]`) are
    /// `ratios`.
    fn of(equity: &[f64], ratios: &[f64], time: &[i64], context: &StatsContext) -> Self {
        let (mut periods, mut period_depths, mut period_durations) = (0, -0.0, Durations::default());
        let extremes = drawdown::scan(equity, |period| {
            periods += 1;
            period_depths += period.depth;
            period_durations.add(time[period.end] - time[period.start]);
        });
        let average_drawdown = if periods > 0 {
            period_depths / periods as f64
        } else {
            let drawdowns = drawdown::drawdown(equity);
            let in_drawdown = drawdowns.iter().filter(|&&d| d != 0.0 && !d.is_nan());
            let (count, depths) = in_drawdown.fold((0, -0.0), |(c, s), d| (c + 1, s + d));
            depths / count as f64
        };
        EquityPass {
            max_drawdown: extremes.deepest,
            peak: extremes.peak,
            average_drawdown,
            period_durations,
            co_movement: weighted_log_sum(ratios, &context.close_log_deviations),
        }
    }
}

/// The longest and the total of some durations (ns), and how many.
#[derive(Debug, Clone, Copy, Default)]
struct Durations {
    count: usize,
    longest: i64,
    total: i128,
}

impl Durations {
    fn add(&mut self, duration: i64) {
        self.longest = if self.count == 0 {
            duration
        } else {
            self.longest.max(duration)
        };
        self.total += i128::from(duration);
        self.count += 1;
    }

    /// The longest and the mean (truncated to whole ns), each rounded up to `unit`, in days;
    /// NaN when there are none.
    fn days(&self, unit: i64) -> (f64, f64) {
        if self.count == 0 {
            return (f64::NAN, f64::NAN);
        }
        let mean = (self.total / self.count as i128) as i64;
        (
            days(calendar::ceil_to(self.longest, unit)),
            days(calendar::ceil_to(mean, unit)),
        )
    }
}

/// The sample variance (ddof = 1) of period returns with mean `m` and their downside
/// deviation (the root mean square of the losses, gains counting as 0); NaN when there are
/// none.
#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
fn spread(rets: &[f64], m: f64) -> (f64, f64) {
    if rets.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let (mut squares, mut losses) = ([0.0; LANES], [0.0; LANES]);
    for_each_lane(rets, |k, r| {
        squares[k] += (r - m) * (r - m);
        losses[k] += r.min(0.0).powi(2);
    });
    let add = |a, b| a + b;
    (
        combine_lanes(squares, add) / (rets.len() as f64 - 1.0),
        (combine_lanes(losses, add) / rets.len() as f64).sqrt(),
    )
}

/// What the statistics need to know about the bars alone (not the run), worked out once per
/// data set: calendar conversions and the close's log returns cost more than the rest of the
/// statistics, and a parameter sweep computes statistics thousands of times over the same bars.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsContext {
    start: String,
    end: String,
    /// Last timestamp minus first.
    duration: i64,
    /// The unit durations are rounded up to.
    unit: i64,
    /// Return periods per year (252 or 365 for days, 52, 12, 1).
    annual_periods: f64,
    /// Index of the last bar of each return period, in order.
    period_ends: Vec<usize>,
    /// Log returns of the close, bar to bar, less their mean; and their sample variance
    /// (for beta).
    close_log_deviations: Vec<f64>,
    close_log_variance: f64,
}

impl StatsContext {
    /// Works out the facts of bars with non-empty, sorted timestamps `time` and closes `close`.
    pub fn new(time: &[i64], close: &[f64]) -> Self {
        let n = time.len();
        let bar_period = calendar::bar_period(time);
        let period = ReturnPeriod::from_bar_period(bar_period);
        let annual_periods = match period {
            ReturnPeriod::Week => 52.0,
            ReturnPeriod::Month => 12.0,
            ReturnPeriod::Year => 1.0,
            ReturnPeriod::Day if calendar::has_weekends(time) => 365.0,
            ReturnPeriod::Day => 252.0,
        };
        let keys: Vec<i64> = time.iter().map(|&t| period.key(t)).collect();
        let period_ends = (0..n)
            .filter(|&i| i + 1 == n || keys[i + 1] != keys[i])
            .collect();
        let close_log_returns: Vec<f64> = ratios(close).into_iter().map(libm::log).collect();
        StatsContext {
            start: format_time(time[0]),
            end: format_time(time[n - 1]),
            duration: time[n - 1] - time[0],
            unit: calendar::resolution(bar_period),
            annual_periods,
            period_ends,
            close_log_deviations: {
                let m = mean(&close_log_returns);
                close_log_returns.iter().map(|x| x - m).collect()
            },
            close_log_variance: variance(&close_log_returns),
        }
    }
}

/// Period returns of the equity: its last value in each period, then percent change. With
/// every bar a period of its own (daily bars), these are the bar-to-bar `ratios` less 1.
#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
fn period_returns(context: &StatsContext, equity: &[f64], ratios: &[f64]) -> Vec<f64> {
    let ends = &context.period_ends;
    let mut returns: Vec<f64> = if ends.len() == equity.len() {
        ratios.iter().map(|r| r - 1.0).collect()
    } else {
        ends.windows(2).map(|w| equity[w[1]] / equity[w[0]] - 1.0).collect()
    };
    // NaN only follows a wipe-out: check for one without a branch per return first.
    if returns.iter().fold(false, |nan, r| nan | r.is_nan()) {
        returns.retain(|r| !r.is_nan());
    }
    returns
}

/// Sample covariance over variance (ddof cancels): the CAPM beta of the equity's log returns
/// y on the close's x, with Σ (yᵢ - ȳ)(xᵢ - x̄) = Σ yᵢ (xᵢ - x̄) since the deviations sum to 0.
fn beta(pass: &EquityPass, context: &StatsContext) -> f64 {
    let n = context.close_log_deviations.len();
    if n < 2 {
        return f64::NAN;
    }
    pass.co_movement / (n as f64 - 1.0) / context.close_log_variance
}

/// Mean of durations (ns), truncated to whole ns, then rounded up to `unit`; in days.
fn days(duration_ns: i64) -> f64 {
    duration_ns as f64 / DAY_NS as f64
}

/// Computes every statistic.
pub fn compute(input: StatsInput) -> Stats {
    compute_on(&StatsContext::new(input.time, input.close), input)
}

/// Computes every statistic, with the facts of the bars already worked out
/// (the same result as [`compute`], faster when many runs share the bars; `context` must be
/// of `input.time` and `input.close`).
pub fn compute_on(context: &StatsContext, input: StatsInput) -> Stats {
    let equity_ratios = ratios(input.equity);
    compute_with_ratios(context, input, &equity_ratios)
}

/// As [`compute_on`], with the equity's bar-to-bar ratios ([`ratios`](super::sample::ratios)
/// of `input.equity`) already worked out, for callers that need them too.
pub fn compute_with_ratios(context: &StatsContext, input: StatsInput, ratios: &[f64]) -> Stats {
    let StatsInput {
        time,
        close,
        equity,
        trades,
        first_trading_bar,
    } = input;
    let n = equity.len();
    let (e0, e_last) = (equity[0], equity[n - 1]);
    let (duration, unit, annual_periods) = (context.duration, context.unit, context.annual_periods);

    // Drawdowns.
    let pass = EquityPass::of(equity, ratios, time, context);
    let max_dd = if pass.max_drawdown.is_nan() {
        0.0
    } else {
        pass.max_drawdown
    };
    let avg_dd = pass.average_drawdown;
    let (max_dd_dur, avg_dd_dur) = pass.period_durations.days(unit);

    // Exposure: bars with a position, entry and exit bar inclusive (the union of the trades'
    // spans).
    let mut spans: Vec<(usize, usize)> = trades
        .iter()
        .map(|t| (t.entry_bar, t.exit_bar.unwrap_or(n - 1)))
        .collect();
    spans.sort_unstable();
    let (mut in_market, mut covered_to) = (0, 0);
    for (entry, exit) in spans {
        let from = entry.max(covered_to);
        if exit + 1 > from {
            in_market += exit + 1 - from;
            covered_to = exit + 1;
        }
    }
    let exposure = in_market as f64 / n as f64;

    // Returns and risk.
    let rets = period_returns(context, equity, ratios);
    let growth = Growth::of(&rets);
    let g = growth.geometric_mean(&rets); // NaN without any period return
    let ann_return = (1.0 + g).powf(annual_periods) - 1.0;
    let (var, downside) = spread(&rets, growth.sum / rets.len() as f64);
    let volatility = ((var + (1.0 + g).powi(2)).powf(annual_periods)
        - (1.0 + g).powf(2.0 * annual_periods))
    .sqrt();
    let years = duration as f64 / DAY_NS as f64 / 365.25;
    let cagr = if years == 0.0 {
        f64::NAN
    } else {
        (e_last / e0).powf(1.0 / years) - 1.0
    };
    let sortino = ann_return / (downside * annual_periods.sqrt());

    let c0 = close[first_trading_bar];
    let buy_hold = (close[n - 1] - c0) / c0 * 100.0;
    let total_return = (e_last - e0) / e0 * 100.0;
    let beta = beta(&pass, context);

    // Trades.
    let pnl: Vec<f64> = trades.iter().map(|t| t.pnl_at(f64::NAN)).collect();
    let returns: Vec<f64> = trades.iter().map(|t| t.return_at(f64::NAN)).collect();
    let mut trade_durations = Durations::default();
    for t in trades {
        trade_durations.add(time[t.exit_bar.unwrap_or(n - 1)] - time[t.entry_bar]);
    }
    let (max_trade_dur, avg_trade_dur) = trade_durations.days(unit);
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
        start: context.start.clone(),
        end: context.end.clone(),
        duration_days: days(duration),
        exposure_time_pct: exposure * 100.0,
        equity_final: e_last,
        equity_peak: pass.peak,
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
        avg_trade_pct: if n_trades == 0 {
            f64::NAN
        } else {
            geometric_mean(&returns) * 100.0
        },
        max_trade_duration_days: max_trade_dur,
        avg_trade_duration_days: avg_trade_dur,
        profit_factor: gains / nonzero(drops.abs()),
        expectancy_pct: mean(&returns) * 100.0,
        sqn: (n_trades as f64).sqrt() * mean(&pnl)
            / nonzero(if n_trades < 2 {
                f64::NAN
            } else {
                variance(&pnl).sqrt()
            }),
        kelly_criterion: win_rate - (1.0 - win_rate) / (mean(&wins) / -mean(&losses)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_the_json_fields_but_start_and_end() {
        let s = compute(StatsInput {
            time: &[0, DAY_NS],
            close: &[100.0, 101.0],
            equity: &[1e4, 1.1e4],
            trades: &[],
            first_trading_bar: 0,
        });
        let json = serde_json::to_value(&s).unwrap();
        let object = json.as_object().unwrap();
        assert_eq!(object.len(), NUMERIC_STATS + 2);
        for (name, value) in s.numbers() {
            match object[name].as_f64() {
                Some(expected) => assert_eq!(expected, value, "{name}"),
                None => assert!(object[name].is_null() && !value.is_finite(), "{name}"),
            }
        }
        assert_eq!(s.number("return_pct"), Some(10.0));
        assert_eq!(s.number("nope"), None);
    }

    #[test]
    fn a_single_bar_has_undefined_period_statistics() {
        let s = compute(StatsInput {
            time: &[0],
            close: &[100.0],
            equity: &[10_000.0],
            trades: &[],
            first_trading_bar: 0,
        });
        assert_eq!(s.return_pct, 0.0);
        assert!(
            s.return_ann_pct.is_nan() && s.volatility_ann_pct.is_nan() && s.sharpe_ratio.is_nan()
        );
        assert!(s.cagr_pct.is_nan() && s.beta.is_nan() && s.win_rate_pct.is_nan());
        assert_eq!(s.commissions, 0.0);
        assert!(s.commissions.is_sign_positive());
    }
}

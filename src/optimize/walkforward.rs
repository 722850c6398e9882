//! Walk-forward analysis: optimise on a training window, trade the chosen parameters on the
//! test window that follows, move on by one test window, and stitch the out-of-sample
//! results together.

use std::sync::atomic::AtomicBool;

use chrono::Months;

use super::runner::Runner;
use super::sweep::{sweep, SweepSettings};
use crate::data::Bars;
use crate::engine::{ExecutionConfig, Trade};
use crate::error::{Error, InputError, Result};
use crate::metrics::calendar::DAY_NS;
use crate::metrics::{self, Stats, StatsInput};
use crate::strategy::Strategy;

/// A window length: a number of bars, or a calendar span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Bars(usize),
    Days(u32),
    Months(u32),
}

impl Span {
    /// Parses `500` (bars), `30d`, `2w`, `6m` or `3y`.
    pub fn parse(flag: &str, s: &str) -> Result<Self, InputError> {
        let err = || InputError::new(flag, format!("cannot read \"{s}\" as a window length (e.g. 3y, 6m, 2w, 30d, or 500 for bars)"));
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (number, unit) = s.split_at(split);
        let n: u32 = number.parse().map_err(|_| err())?;
        if n == 0 {
            return Err(InputError::new(flag, "a window length must be > 0"));
        }
        match unit {
            "" => Ok(Span::Bars(n as usize)),
            "d" => Ok(Span::Days(n)),
            "w" => Ok(Span::Days(n * 7)),
            "m" => Ok(Span::Months(n)),
            "y" => Ok(Span::Months(n * 12)),
            _ => Err(err()),
        }
    }

    /// The first bar at or after `from` plus this span (`time.len()` when past the end).
    fn after(self, time: &[i64], from: usize) -> usize {
        match self.shift(time, from, true) {
            Some(t) => time.partition_point(|&x| x < t),
            None => time.len(),
        }
    }

    /// The first bar at or after `to` minus this span (0 when before the start).
    fn before(self, time: &[i64], to: usize) -> usize {
        self.shift(time, to, false).map_or(0, |t| time.partition_point(|&x| x < t))
    }

    /// The time `span` after (or before) bar `at`; for bar counts, the bar's time itself.
    fn shift(self, time: &[i64], at: usize, forward: bool) -> Option<i64> {
        let t = chrono::DateTime::from_timestamp_nanos(time[at]).naive_utc();
        let moved = match self {
            Span::Bars(n) => return Some(time.get(if forward { at + n } else { at.checked_sub(n)? }).copied().unwrap_or(i64::MAX)),
            Span::Days(d) => {
                let delta = chrono::Duration::nanoseconds(d as i64 * DAY_NS);
                if forward { t.checked_add_signed(delta) } else { t.checked_sub_signed(delta) }
            }
            Span::Months(m) => {
                if forward { t.checked_add_months(Months::new(m)) } else { t.checked_sub_months(Months::new(m)) }
            }
        }?;
        moved.and_utc().timestamp_nanos_opt()
    }
}

/// One train/test split, as bar index ranges `[train_start, test_start)` and
/// `[test_start, test_end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub train_start: usize,
    pub test_start: usize,
    pub test_end: usize,
}

/// The windows over `time`: the first test window starts once `train` has passed; each
/// later one where the previous ended. Rolling windows train on the `train` before their
/// test window, anchored ones on everything before it. The last test window may be shorter.
pub fn windows(time: &[i64], train: Span, test: Span, anchored: bool) -> Vec<Window> {
    let n = time.len();
    let mut out = Vec::new();
    if n == 0 {
        return out;
    }
    let mut test_start = train.after(time, 0);
    while test_start + 1 < n {
        let mut test_end = test.after(time, test_start).max(test_start + 2).min(n);
        if n - test_end < 2 {
            test_end = n; // a last bar alone is no window: the one before takes it
        }
        let train_start = if anchored { 0 } else { train.before(time, test_start) };
        out.push(Window { train_start, test_start, test_end });
        test_start = test_end;
    }
    out
}

/// What one window produced.
#[derive(Debug, Clone)]
pub struct WindowResult {
    pub window: Window,
    /// The chosen parameters (in the order of the names).
    pub params: Vec<f64>,
    /// The chosen combination's statistics on its training window.
    pub in_sample: Stats,
    /// Its statistics on the test window.
    pub out_of_sample: Stats,
    /// Combinations tried on the training window.
    pub trials: usize,
}

/// A whole walk-forward analysis.
#[derive(Debug, Clone)]
pub struct WalkForward {
    pub windows: Vec<WindowResult>,
    /// The test windows' bars, end to end.
    pub bars: Bars,
    /// The out-of-sample equity, stitched: each window continues from the previous one's
    /// final equity.
    pub equity: Vec<f64>,
    /// The out-of-sample trades, re-indexed onto `bars` and scaled like the equity.
    pub trades: Vec<Trade>,
    /// Statistics of the stitched out-of-sample run.
    pub stats: Stats,
    /// Walk-forward efficiency: annualised out-of-sample return over the mean annualised
    /// in-sample return of the chosen combinations.
    pub efficiency: f64,
}

/// Annualised out-of-sample return over annualised in-sample return (NaN when the
/// in-sample return is 0 or undefined).
pub fn efficiency(oos_return_ann_pct: f64, is_return_ann_pct: f64) -> f64 {
    if is_return_ann_pct == 0.0 {
        f64::NAN
    } else {
        oos_return_ann_pct / is_return_ann_pct
    }
}

/// Runs the walk-forward analysis of `combos` (values of `names`, each taking `values`) on
/// `windows` of `bars`, choosing by the statistic `maximize`. Every window's run starts flat and closes its trades at its end.
#[allow(clippy::too_many_arguments)]
pub fn walk_forward(
    strategy: &Strategy,
    exec: &ExecutionConfig,
    bars: &Bars,
    windows: &[Window],
    combos: &[Vec<f64>],
    values: &[Vec<f64>],
    names: &[String],
    maximize: &str,
    stop: &AtomicBool,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<WalkForward> {
    let (Some(first), Some(last)) = (windows.first(), windows.last()) else {
        return Err(Error::Run("no walk-forward window fits in the data: shorten --train or --test".into()));
    };
    let exec = ExecutionConfig { finalize_trades: true, ..exec.clone() };
    let settings = SweepSettings { maximize: maximize.to_string(), top: 1, pbo_splits: None, overfitting: false };
    let oos_bars = bars.slice(first.test_start..last.test_end);
    let mut equity: Vec<f64> = Vec::with_capacity(oos_bars.len());
    let mut trades = Vec::new();
    let mut results = Vec::with_capacity(windows.len());
    for &w in windows {
        let train = Runner::new(strategy, exec.clone(), bars, w.train_start..w.test_start, values, names);
        let found = sweep(&train, combos, &settings, None, stop, &mut |_| Ok(()))?;
        if found.completed < found.total {
            return Err(Error::Interrupted);
        }
        let best = found.top.into_iter().next().expect("at least one combination");
        let test = Runner::new(strategy, exec.clone(), bars, w.test_start..w.test_end, values, names);
        let run = test.run(&best.params)?;
        let scale = equity.last().map_or(1.0, |&e| e / run.simulation.equity[0]);
        let offset = w.test_start - first.test_start;
        equity.extend(run.simulation.equity.iter().map(|e| e * scale));
        trades.extend(run.simulation.closed_trades.iter().chain(&run.simulation.open_trades).map(|t| Trade {
            size: t.size * scale,
            commission: t.commission * scale,
            entry_bar: t.entry_bar + offset,
            exit_bar: t.exit_bar.map(|b| b + offset),
            ..t.clone()
        }));
        results.push(WindowResult { window: w, params: best.params, in_sample: best.stats, out_of_sample: run.stats, trials: found.completed });
        if let Some(p) = progress {
            p.inc(1);
        }
    }
    let stats = metrics::compute(StatsInput {
        time: &oos_bars.time,
        close: &oos_bars.close,
        equity: &equity,
        trades: &trades,
        first_trading_bar: 0,
    });
    let mean_is = results.iter().map(|r| r.in_sample.return_ann_pct).sum::<f64>() / results.len() as f64;
    let efficiency = efficiency(stats.return_ann_pct, mean_is);
    Ok(WalkForward { windows: results, bars: oos_bars, equity, trades, stats, efficiency })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(n: usize) -> Vec<i64> {
        (0..n as i64).map(|d| (d + 10_957) * DAY_NS).collect() // from 2000-01-01
    }

    #[test]
    fn spans_parse() {
        assert_eq!(Span::parse("--train", "3y").unwrap(), Span::Months(36));
        assert_eq!(Span::parse("--train", "6m").unwrap(), Span::Months(6));
        assert_eq!(Span::parse("--train", "2w").unwrap(), Span::Days(14));
        assert_eq!(Span::parse("--train", "250").unwrap(), Span::Bars(250));
        for bad in ["", "3x", "y", "0", "-3m"] {
            assert!(Span::parse("--test", bad).unwrap_err().to_string().contains("--test"), "{bad}");
        }
    }

    #[test]
    fn rolling_and_anchored_bar_windows() {
        let t = days(10);
        let rolling = windows(&t, Span::Bars(4), Span::Bars(3), false);
        let w = |a, b, c| Window { train_start: a, test_start: b, test_end: c };
        assert_eq!(rolling, [w(0, 4, 7), w(3, 7, 10)]);
        let anchored = windows(&t, Span::Bars(4), Span::Bars(3), true);
        assert_eq!(anchored, [w(0, 4, 7), w(0, 7, 10)]);
        // A last window of one bar is not a window; one of two is.
        assert_eq!(windows(&days(8), Span::Bars(4), Span::Bars(3), false), [w(0, 4, 8)]);
    }

    #[test]
    fn calendar_windows_follow_dates() {
        let t = days(366 * 3); // 2000-01-01 …
        let ws = windows(&t, Span::Months(12), Span::Months(6), false);
        let date = |i: usize| crate::metrics::format_time(t[i])[..10].to_string();
        assert_eq!(date(ws[0].train_start), "2000-01-01");
        assert_eq!(date(ws[0].test_start), "2001-01-01");
        assert_eq!(date(ws[0].test_end), "2001-07-01");
        assert_eq!(date(ws[1].train_start), "2000-07-01");
        assert_eq!(ws.windows(2).filter(|p| p[0].test_end != p[1].test_start).count(), 0);
    }
}

//! Period tables of an equity curve: calendar-month and calendar-year returns, and the
//! deepest drawdowns.

use chrono::Datelike;

use super::calendar::{date_of, DAY_NS};
use super::drawdown;

/// The compounded return of one calendar month (`month` is `Some(1..=12)`) or year
/// (`month` is `None`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeriodReturn {
    pub year: i32,
    pub month: Option<u32>,
    /// In percent.
    pub return_pct: f64,
}

/// One drawdown period, from the high it started at to the bar that recovered it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawdownInfo {
    /// Time (ns) of the high the drawdown started from.
    pub start: i64,
    /// Time (ns) of the deepest point.
    pub valley: i64,
    /// Time (ns) of the bar back at the high, `None` if not recovered by the last bar.
    pub end: Option<i64>,
    /// Depth in percent, negative or zero like `max_drawdown_pct` (e.g. `-12.5`).
    pub depth_pct: f64,
    /// Calendar days from the start to the recovery, or to the last bar if not recovered.
    pub days: f64,
}

/// The return of each calendar month with data, oldest first: the last equity of the month
/// over the last equity of the previous month (the first month: over the first equity).
pub fn monthly_returns(time: &[i64], equity: &[f64]) -> Vec<PeriodReturn> {
    period_returns(time, equity, |ns| {
        let d = date_of(ns);
        (d.year(), Some(d.month()))
    })
}

/// The return of each calendar year with data, oldest first: the last equity of the year
/// over the last equity of the previous year (the first year: over the first equity).
pub fn yearly_returns(time: &[i64], equity: &[f64]) -> Vec<PeriodReturn> {
    period_returns(time, equity, |ns| (date_of(ns).year(), None))
}

/// Compounded returns of consecutive runs of bars with the same period `key`.
fn period_returns(time: &[i64], equity: &[f64], key: impl Fn(i64) -> (i32, Option<u32>)) -> Vec<PeriodReturn> {
    let Some(&first) = equity.first() else {
        return Vec::new();
    };
    let mut out: Vec<PeriodReturn> = Vec::new();
    // `last` is the equity of the previous bar: the end of the previous period.
    let (mut base, mut last) = (first, first);
    for (&t, &e) in time.iter().zip(equity) {
        let (year, month) = key(t);
        match out.last_mut() {
            Some(p) if (p.year, p.month) == (year, month) => p.return_pct = (e / base - 1.0) * 100.0,
            _ => {
                base = last;
                out.push(PeriodReturn { year, month, return_pct: (e / base - 1.0) * 100.0 });
            }
        }
        last = e;
    }
    out
}

/// The `n` deepest drawdown periods (as [`drawdown::periods`]), deepest first; ties keep
/// time order.
pub fn worst_drawdowns(time: &[i64], equity: &[f64], n: usize) -> Vec<DrawdownInfo> {
    let dd = drawdown::drawdown(equity);
    let mut out: Vec<DrawdownInfo> = drawdown::periods(&dd)
        .iter()
        .map(|p| {
            let valley = (p.start..=p.end).fold(p.start, |v, i| if dd[i] > dd[v] { i } else { v });
            DrawdownInfo {
                start: time[p.start],
                valley: time[valley],
                end: (dd[p.end] == 0.0).then_some(time[p.end]),
                depth_pct: -p.depth * 100.0,
                days: (time[p.end] - time[p.start]) as f64 / DAY_NS as f64,
            }
        })
        .collect();
    out.sort_by(|a, b| a.depth_pct.total_cmp(&b.depth_pct));
    out.truncate(n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn ns(y: i32, m: u32, d: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_nanos_opt().unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn monthly_returns_compound_from_previous_month_end() {
        let time = [ns(2020, 1, 2), ns(2020, 1, 31), ns(2020, 2, 3), ns(2020, 2, 28), ns(2020, 4, 1)];
        let equity = [100.0, 110.0, 99.0, 121.0, 108.9];
        let m = monthly_returns(&time, &equity);
        assert_eq!(m.len(), 3);
        assert_eq!((m[0].year, m[0].month), (2020, Some(1)));
        assert!(close(m[0].return_pct, 10.0)); // 110 / 100
        assert_eq!(m[1].month, Some(2));
        assert!(close(m[1].return_pct, 10.0)); // 121 / 110
        assert_eq!(m[2].month, Some(4)); // March has no bars: no row
        assert!(close(m[2].return_pct, -10.0)); // 108.9 / 121
    }

    #[test]
    fn yearly_returns_compound_from_previous_year_end() {
        let time = [ns(2019, 6, 1), ns(2019, 12, 31), ns(2020, 3, 1), ns(2020, 12, 30), ns(2021, 1, 4)];
        let equity = [100.0, 80.0, 90.0, 100.0, 150.0];
        let y = yearly_returns(&time, &equity);
        assert_eq!(y.iter().map(|p| p.year).collect::<Vec<_>>(), [2019, 2020, 2021]);
        assert!(y.iter().all(|p| p.month.is_none()));
        assert!(close(y[0].return_pct, -20.0)); // 80 / 100
        assert!(close(y[1].return_pct, 25.0)); // 100 / 80
        assert!(close(y[2].return_pct, 50.0)); // 150 / 100
    }

    #[test]
    fn period_returns_of_nothing_and_one_bar() {
        assert!(monthly_returns(&[], &[]).is_empty());
        let one = yearly_returns(&[ns(2020, 5, 5)], &[100.0]);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].return_pct, 0.0);
    }

    #[test]
    fn worst_drawdowns_deepest_first_with_recovery() {
        let time: Vec<i64> = (1..=8).map(|d| ns(2021, 3, d)).collect();
        // High 110 on day 2, valley 99 on day 3 (-10 %), recovered on day 5; high 111 on day 6,
        // valley 90 on day 8 (-18.9 %), not recovered.
        let equity = [100.0, 110.0, 99.0, 105.0, 111.0, 111.0, 100.0, 90.0];
        let w = worst_drawdowns(&time, &equity, 5);
        assert_eq!(w.len(), 2);
        assert_eq!((w[0].start, w[0].valley, w[0].end), (time[5], time[7], None));
        assert!(close(w[0].depth_pct, -(1.0 - 90.0 / 111.0) * 100.0));
        assert!(close(w[0].days, 2.0));
        assert_eq!((w[1].start, w[1].valley, w[1].end), (time[1], time[2], Some(time[4])));
        assert!(close(w[1].depth_pct, -10.0));
        assert!(close(w[1].days, 3.0));
        assert_eq!(worst_drawdowns(&time, &equity, 1), w[..1]);
        assert!(worst_drawdowns(&time, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], 3).is_empty());
    }
}

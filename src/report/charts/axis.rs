//! Chart axes with tick marks chosen here rather than by plotters: round numbers on linear
//! and logarithmic value axes, month or year starts on time axes.

use std::ops::Range;

use chrono::{Datelike, NaiveDate};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

use super::style;

/// Days between 0001-01-01 and the Unix epoch (chrono's `num_days_from_ce` of 1970-01-01).
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// A continuous axis over `f64` values with the given tick marks.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
    ticks: Vec<f64>,
    decimals: usize,
}

impl Axis {
    /// A linear axis with at most `max_ticks` round-numbered ticks.
    pub fn linear(range: Range<f64>, max_ticks: usize) -> Self {
        let (ticks, step) = nice_ticks(range.start, range.end, max_ticks);
        Axis { lo: range.start, hi: range.end, log: false, ticks, decimals: decimals_for(step) }
    }

    /// A logarithmic axis (`range` must be positive) with ticks at round multiples of powers
    /// of ten (as many as fit, at least three), or round numbers when the range is too narrow
    /// for those.
    pub fn log(range: Range<f64>, max_ticks: usize) -> Self {
        let (lo, hi) = (range.start, range.end);
        let multiples: [&[f64]; 4] =
            [&[1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], &[1.0, 2.0, 3.0, 5.0], &[1.0, 2.0, 5.0], &[1.0]];
        let ticks = multiples
            .iter()
            .map(|m| log_ticks(lo, hi, m))
            .find(|t| t.len() >= 3 && t.len() <= max_ticks);
        match ticks {
            Some(ticks) => {
                let decimals = decimals_for(ticks[0]);
                Axis { lo, hi, log: true, ticks, decimals }
            }
            None => Axis { log: true, ..Axis::linear(range, max_ticks) },
        }
    }

    /// An axis with the given ticks.
    pub fn with_ticks(range: Range<f64>, ticks: Vec<f64>) -> Self {
        Axis { lo: range.start, hi: range.end, log: false, ticks, decimals: 0 }
    }

    /// The label of a value on this axis, with as many decimals as the tick spacing needs.
    pub fn label(&self, v: f64) -> String {
        style::number(v, self.decimals)
    }

    /// Where `v` lies along the axis: 0 at the start, 1 at the end.
    fn position(&self, v: f64) -> f64 {
        if self.log {
            (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let p = self.position(*value);
        let p = if p.is_finite() { p.clamp(-1.0, 2.0) } else { 0.0 };
        limit.0 + (p * (limit.1 - limit.0) as f64).round() as i32
    }

    /// The ticks as bold points (labels and grid lines), no light points.
    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Round-numbered ticks (steps of 1, 2, 2.5 or 5 times a power of ten) within `lo..=hi`,
/// at most `max` of them, and the step.
fn nice_ticks(lo: f64, hi: f64, max: usize) -> (Vec<f64>, f64) {
    let raw = (hi - lo) / max.max(1) as f64;
    if !(raw > 0.0 && raw.is_finite()) {
        return (vec![lo], 1.0);
    }
    let exponent = raw.log10().floor() as i32;
    // Ticks are `k × multiple × 10^exponent`, divided rather than multiplied by negative
    // powers of ten so that 0.1-steps land on the doubles nearest to 0.1, 0.2, ….
    let times_power = |v: f64| if exponent < 0 { v / 10f64.powi(-exponent) } else { v * 10f64.powi(exponent) };
    let multiple = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().find(|&m| times_power(m) >= raw).unwrap_or(10.0);
    let step = times_power(multiple);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    // `+ 0.0` turns -0 into 0.
    ((first..=last).map(|k| times_power(k as f64 * multiple) + 0.0).collect(), step)
}

/// The multiples `m × 10^k` within `lo..=hi`.
fn log_ticks(lo: f64, hi: f64, multiples: &[f64]) -> Vec<f64> {
    let (k0, k1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    (k0..=k1)
        .flat_map(|k| multiples.iter().map(move |m| m * 10f64.powi(k)))
        .filter(|&v| v >= lo && v <= hi)
        .collect()
}

/// Decimals needed to tell apart ticks `step` apart.
fn decimals_for(step: f64) -> usize {
    let is_whole = |v: f64| (v.round() - v).abs() <= 1e-6;
    (0..6).find(|&d| is_whole(step * 10f64.powi(d as i32))).unwrap_or(6)
}

/// A time axis over days since the Unix epoch, with its tick label format.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TimeAxis {
    pub axis: Axis,
    /// `%Y`, `%Y-%m` or `%Y-%m-%d`.
    format: &'static str,
}

impl TimeAxis {
    /// An axis spanning the days `x` (sorted), with at most about ten ticks at the starts of
    /// years, quarters, months or days, whichever are frequent enough.
    pub fn new(x: &[f64]) -> Self {
        let (lo, hi) = match (x.first(), x.last()) {
            (Some(&a), Some(&b)) if b > a => (a, b),
            (Some(&a), _) => (a - 1.0, a + 1.0),
            _ => (0.0, 1.0),
        };
        let (ticks, format) = month_ticks(lo, hi).unwrap_or_else(|| (day_ticks(lo, hi), "%Y-%m-%d"));
        TimeAxis { axis: Axis::with_ticks(lo..hi, ticks), format }
    }

    /// The date label of a day.
    pub fn label(&self, days: f64) -> String {
        day_to_date(days).format(self.format).to_string()
    }
}

/// Most ticks on a time axis.
const MAX_TIME_TICKS: usize = 10;

/// Ticks at month starts every 1, 2, 3 or 6 months, or at year starts every 1, 2, 5, 10 …
/// years; `None` when the span holds fewer than two month starts.
fn month_ticks(lo: f64, hi: f64) -> Option<(Vec<f64>, &'static str)> {
    let month_index = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
    let first = month_index(day_to_date(lo.ceil())) + i32::from(day_to_date(lo.ceil()).day() != 1);
    let last = month_index(day_to_date(hi.floor()));
    if last - first < 1 {
        return None;
    }
    let steps = [1, 2, 3, 6].into_iter().chain((0..).flat_map(|p| [12, 24, 60].map(|s| s * 10i32.pow(p))));
    let step = steps.take(30).find(|s| (last - first) / s < MAX_TIME_TICKS as i32)?;
    let ticks = (first..=last)
        .filter(|m| m.rem_euclid(step) == 0)
        .filter_map(|m| NaiveDate::from_ymd_opt(m.div_euclid(12), m.rem_euclid(12) as u32 + 1, 1))
        .map(date_to_day)
        .collect();
    Some((ticks, if step >= 12 { "%Y" } else { "%Y-%m" }))
}

/// Ticks at whole days, every 1, 2, 7 or 14 days.
fn day_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (first, last) = (lo.ceil() as i64, hi.floor() as i64);
    let step = [1, 2, 7, 14].into_iter().find(|s| (last - first) / s < 8).unwrap_or(28);
    (first..=last).step_by(step as usize).map(|d| d as f64).collect()
}

/// The date of a day number (days since the Unix epoch, rounded).
pub(super) fn day_to_date(days: f64) -> NaiveDate {
    let days = days.round().clamp(-1e8, 1e8) as i32;
    NaiveDate::from_num_days_from_ce_opt(days + EPOCH_DAYS_FROM_CE).unwrap_or_default()
}

fn date_to_day(d: NaiveDate) -> f64 {
    (d.num_days_from_ce() - EPOCH_DAYS_FROM_CE) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> f64 {
        date_to_day(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn nice_ticks_are_round() {
        let (t, step) = nice_ticks(0.0, 10.0, 5);
        assert_eq!((t, step), (vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0], 2.0));
        let (t, _) = nice_ticks(-0.37, 0.12, 5);
        assert_eq!(t, vec![-0.3, -0.2, -0.1, 0.0, 0.1]);
        assert_eq!(decimals_for(0.1), 1);
        assert_eq!(decimals_for(2.5), 1);
        assert_eq!(decimals_for(5000.0), 0);
    }

    #[test]
    fn log_ticks_use_one_two_five() {
        let a = Axis::log(8000.0..60_000.0, 6);
        assert_eq!(a.ticks, vec![10_000.0, 20_000.0, 30_000.0, 50_000.0]);
        let wide = Axis::log(80.0..600_000.0, 6);
        assert_eq!(wide.ticks, vec![100.0, 1000.0, 10_000.0, 100_000.0]);
        let narrow = Axis::log(10_000.0..11_000.0, 10);
        assert!(narrow.ticks.len() >= 3 && narrow.log);
    }

    #[test]
    fn time_ticks_are_years_for_long_spans_and_months_for_short() {
        let long = TimeAxis::new(&[day(2004, 8, 19), day(2013, 3, 1)]);
        assert_eq!(long.axis.ticks.len(), 9);
        assert_eq!(long.label(long.axis.ticks[0]), "2005");
        let short = TimeAxis::new(&[day(2020, 1, 15), day(2020, 6, 20)]);
        let labels: Vec<String> = short.axis.ticks.iter().map(|&t| short.label(t)).collect();
        assert_eq!(labels, ["2020-02", "2020-03", "2020-04", "2020-05", "2020-06"]);
        let days = TimeAxis::new(&[day(2020, 1, 15), day(2020, 1, 24)]);
        assert_eq!(days.label(days.axis.ticks[0]), "2020-01-15");
    }
}

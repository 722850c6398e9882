//! Calendar helpers over bar timestamps (ns since epoch, naive): bar spacing, the rounding
//! resolution of durations, and grouping bars into periods for period returns.

use chrono::{DateTime, Datelike, NaiveDate, Weekday};

/// Nanoseconds in one day.
pub const DAY_NS: i64 = 86_400_000_000_000;

/// The calendar date of a timestamp.
pub fn date_of(ns: i64) -> NaiveDate {
    DateTime::from_timestamp_nanos(ns).date_naive()
}

/// Typical bar spacing: the median difference between the last 100 timestamps
/// (backtesting.py's `_data_period`). Zero when there is only one bar.
pub fn bar_period(time: &[i64]) -> i64 {
    let tail = &time[time.len().saturating_sub(100)..];
    let mut diffs: Vec<i64> = tail.windows(2).map(|w| w[1] - w[0]).collect();
    if diffs.is_empty() {
        return 0;
    }
    diffs.sort_unstable();
    let m = diffs.len() / 2;
    if diffs.len() % 2 == 1 {
        diffs[m]
    } else {
        ((diffs[m - 1] as i128 + diffs[m] as i128) / 2) as i64
    }
}

/// The unit durations are rounded up to: the finest non-zero component (day, hour, minute,
/// second, millisecond, microsecond, nanosecond) of the bar period, as pandas'
/// `Timedelta.resolution_string`.
pub fn resolution(period: i64) -> i64 {
    const UNITS: [i64; 7] = [DAY_NS, 3_600_000_000_000, 60_000_000_000, 1_000_000_000, 1_000_000, 1_000, 1];
    let mut finest = DAY_NS;
    let mut rest = period;
    for unit in UNITS {
        if rest >= unit {
            finest = unit;
            rest %= unit;
        }
    }
    finest
}

/// Rounds a non-negative duration up to a multiple of `unit`.
pub fn ceil_to(duration: i64, unit: i64) -> i64 {
    let r = duration.rem_euclid(unit);
    if r == 0 {
        duration
    } else {
        duration - r + unit
    }
}

/// The period that "daily" returns are measured over, chosen from the bar spacing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnPeriod {
    Day,
    /// Weeks ending on Sunday.
    Week,
    Month,
    Year,
}

impl ReturnPeriod {
    /// From the whole days of the bar period: 7 → weeks, 31 → months, 365 → years, else days.
    pub fn from_bar_period(period: i64) -> Self {
        match period.div_euclid(DAY_NS) {
            7 => ReturnPeriod::Week,
            31 => ReturnPeriod::Month,
            365 => ReturnPeriod::Year,
            _ => ReturnPeriod::Day,
        }
    }

    /// A key equal for all timestamps in the same period, increasing with time.
    pub fn key(self, ns: i64) -> i64 {
        let d = date_of(ns);
        match self {
            ReturnPeriod::Day => d.num_days_from_ce() as i64,
            ReturnPeriod::Week => {
                let to_sunday = 6 - d.weekday().num_days_from_monday() as i64;
                d.num_days_from_ce() as i64 + to_sunday
            }
            ReturnPeriod::Month => d.year() as i64 * 12 + d.month0() as i64,
            ReturnPeriod::Year => d.year() as i64,
        }
    }
}

/// True when weekend bars are frequent enough (more than 60 % of the 2/7 a 7-day market
/// would have) to annualise over 365 days instead of 252.
pub fn has_weekends(time: &[i64]) -> bool {
    let weekend = time
        .iter()
        .filter(|&&t| matches!(date_of(t).weekday(), Weekday::Sat | Weekday::Sun))
        .count();
    weekend as f64 / time.len() as f64 > 2.0 / 7.0 * 0.6
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000_000_000;

    #[test]
    fn resolution_is_finest_component() {
        assert_eq!(resolution(DAY_NS), DAY_NS);
        assert_eq!(resolution(31 * DAY_NS), DAY_NS);
        assert_eq!(resolution(HOUR), HOUR);
        assert_eq!(resolution(DAY_NS + HOUR), HOUR);
        assert_eq!(resolution(0), DAY_NS);
    }

    #[test]
    fn ceil_rounds_up_only_partial_units() {
        assert_eq!(ceil_to(2 * DAY_NS, DAY_NS), 2 * DAY_NS);
        assert_eq!(ceil_to(2 * DAY_NS + 1, DAY_NS), 3 * DAY_NS);
    }

    #[test]
    fn median_period_of_even_count_averages() {
        assert_eq!(bar_period(&[0, 10, 30]), 15);
        assert_eq!(bar_period(&[0, 10, 30, 40]), 10);
        assert_eq!(bar_period(&[5]), 0);
    }

    #[test]
    fn week_key_groups_monday_to_sunday() {
        // 2024-01-01 is a Monday, 2024-01-07 a Sunday.
        let ns = |d: u32| NaiveDate::from_ymd_opt(2024, 1, d).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_nanos_opt().unwrap();
        let k = ReturnPeriod::Week;
        assert_eq!(k.key(ns(1)), k.key(ns(7)));
        assert_ne!(k.key(ns(7)), k.key(ns(8)));
    }
}

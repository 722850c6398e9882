//! Summarising a data file for the `inspect` command: its shape, time span, bar spacing,
//! gaps, and every problem the loader would stop at.

use std::fmt;
use std::path::{Path, PathBuf};

use super::load::{format_timestamp, quoted_list, Format, Table};
use super::validate::{check_bars, group_by_symbol, Problems};
use crate::error::InputError;

/// How many problems an [`Inspection`] lists (all are counted).
pub const MAX_LISTED_PROBLEMS: usize = 20;
/// How many gaps an [`Inspection`] lists (all are counted).
pub const MAX_LISTED_GAPS: usize = 5;

/// A symbol (`None` without a symbol column) and the timestamps of its rows without problems.
type SymbolTimes = (Option<String>, Vec<i64>);

const SECOND: i64 = 1_000_000_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// What [`inspect`] found in a data file.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    pub file: PathBuf,
    pub format: Format,
    /// Data rows in the file (all symbols; blank lines not counted).
    pub rows: usize,
    /// Column names and their polars types, in file order.
    pub columns: Vec<(String, String)>,
    /// Symbols in order of first appearance; empty without a symbol column.
    pub symbols: Vec<String>,
    /// Earliest timestamp of the rows without problems (ns since the epoch).
    pub first: Option<i64>,
    /// Latest timestamp of the rows without problems.
    pub last: Option<i64>,
    /// Median time between consecutive bars of a symbol (ns).
    pub spacing: Option<i64>,
    /// How many gaps there are (see [`is_gap`] for the rule).
    pub gap_count: usize,
    /// The longest gaps, longest first (at most [`MAX_LISTED_GAPS`]).
    pub largest_gaps: Vec<Gap>,
    /// The first problems found (at most [`MAX_LISTED_PROBLEMS`]), in file order within
    /// each symbol.
    pub problems: Vec<InputError>,
    /// How many problems there are in all.
    pub problem_count: usize,
}

/// A pause in the data between two consecutive bars of a symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub symbol: Option<String>,
    /// The last bar before the gap (ns since the epoch).
    pub start: i64,
    /// The first bar after the gap.
    pub end: i64,
}

impl Gap {
    /// The gap's length in ns.
    pub fn length(&self) -> i64 {
        self.end.saturating_sub(self.start)
    }
}

/// Reads and checks a data file, collecting all problems instead of stopping at the first.
///
/// Only files that cannot be read at all (missing, unsupported type, unparsable, empty, or
/// without a usable time column) are errors.
pub fn inspect(path: &Path) -> Result<Inspection, InputError> {
    let mut problems = Problems::collect(MAX_LISTED_PROBLEMS);
    let table = Table::open(path, &mut problems)?;
    let series = clean_times(&table, &mut problems);
    let spacing = median_spacing(&series);
    let mut gaps = spacing.map_or_else(Vec::new, |median| find_gaps(&series, median));
    let gap_count = gaps.len();
    gaps.sort_by_key(|g| std::cmp::Reverse(g.length()));
    gaps.truncate(MAX_LISTED_GAPS);
    let all_times = || series.iter().flat_map(|(_, times)| times.iter().copied());
    let (problems, problem_count) = problems.into_parts();
    Ok(Inspection {
        file: path.to_path_buf(),
        format: table.format,
        rows: table.data_row_count(),
        columns: table
            .frame
            .columns()
            .iter()
            .map(|c| (c.name().to_string(), c.dtype().to_string()))
            .collect(),
        symbols: series.iter().filter_map(|(s, _)| s.clone()).collect(),
        first: all_times().min(),
        last: all_times().max(),
        spacing,
        gap_count,
        largest_gaps: gaps,
        problems,
        problem_count,
    })
}

/// Per symbol (or once, without a symbol column): the timestamps of rows without problems.
fn clean_times(table: &Table, problems: &mut Problems) -> Vec<SymbolTimes> {
    if table.columns.symbol.is_none() {
        let bars = check_bars(table, table.data_rows(), problems);
        return vec![(None, bars.time)];
    }
    group_by_symbol(table, problems)
        .into_iter()
        .map(|g| {
            (
                Some(g.symbol),
                check_bars(table, g.rows.into_iter(), problems).time,
            )
        })
        .collect()
}

/// The median of the positive steps between consecutive timestamps of each series.
fn median_spacing(series: &[SymbolTimes]) -> Option<i64> {
    let mut steps: Vec<i64> = series
        .iter()
        .flat_map(|(_, times)| times.windows(2).map(|w| w[1].saturating_sub(w[0])))
        .filter(|&step| step > 0)
        .collect();
    if steps.is_empty() {
        return None;
    }
    let middle = steps.len() / 2;
    Some(*steps.select_nth_unstable(middle).1)
}

fn find_gaps(series: &[SymbolTimes], median: i64) -> Vec<Gap> {
    series
        .iter()
        .flat_map(|(symbol, times)| {
            times
                .windows(2)
                .filter(|w| is_gap(w[0], w[1], median))
                .map(|w| Gap {
                    symbol: symbol.clone(),
                    start: w[0],
                    end: w[1],
                })
        })
        .collect()
}

/// Whether the pause between consecutive bars at `start` and `end` is a gap, given the
/// median spacing of the data:
///
/// - daily or slower data (median ≥ 20 h): a pause over 4 days and over 1.5 × the median —
///   for daily bars, longer than any long weekend (Friday → Tuesday is 4 days);
/// - intraday data: a pause over 5 × the median within one calendar day, or over 4 days
///   (so nights and weekends are not gaps, but a missing stretch of a session is).
pub fn is_gap(start: i64, end: i64, median: i64) -> bool {
    let pause = end.saturating_sub(start);
    if median >= 20 * HOUR {
        pause > (4 * DAY).max(median.saturating_mul(3) / 2)
    } else {
        let same_day = start.div_euclid(DAY) == end.div_euclid(DAY);
        pause > 4 * DAY || (same_day && pause > median.saturating_mul(5))
    }
}

/// A length of time as `1d 2h 30m 15s`, or `250ms`/`10ns` under a second.
fn format_duration(ns: i64) -> String {
    let mut rest = ns;
    let mut parts = Vec::new();
    for (size, unit) in [(DAY, "d"), (HOUR, "h"), (MINUTE, "m"), (SECOND, "s")] {
        let count = rest / size;
        if count > 0 {
            parts.push(format!("{count}{unit}"));
            rest -= count * size;
        }
    }
    if !parts.is_empty() {
        parts.join(" ")
    } else if ns % 1_000_000 == 0 {
        format!("{}ms", ns / 1_000_000)
    } else {
        format!("{ns}ns")
    }
}

impl fmt::Display for Inspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.rows == 1 { "" } else { "s" };
        writeln!(
            f,
            "file:     {} ({}, {} row{plural})",
            self.file.display(),
            self.format,
            self.rows
        )?;
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|(n, t)| format!("{n:?} {t}"))
            .collect();
        writeln!(f, "columns:  {}", columns.join(", "))?;
        if self.symbols.is_empty() {
            writeln!(f, "symbols:  (no symbol column)")?;
        } else {
            writeln!(f, "symbols:  {}", quoted_list(&self.symbols))?;
        }
        if let (Some(first), Some(last)) = (self.first, self.last) {
            writeln!(
                f,
                "span:     {} to {}",
                format_timestamp(first),
                format_timestamp(last)
            )?;
        }
        if let Some(spacing) = self.spacing {
            writeln!(f, "spacing:  {} (median)", format_duration(spacing))?;
        }
        self.fmt_gaps(f)?;
        self.fmt_problems(f)
    }
}

impl Inspection {
    fn fmt_gaps(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "gaps:     {}", self.gap_count)?;
        for gap in &self.largest_gaps {
            let symbol = gap
                .symbol
                .as_deref()
                .map_or(String::new(), |s| format!(" [{s}]"));
            writeln!(
                f,
                "  {} to {} ({}){symbol}",
                format_timestamp(gap.start),
                format_timestamp(gap.end),
                format_duration(gap.length())
            )?;
        }
        Ok(())
    }

    fn fmt_problems(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problem_count {
            0 => return writeln!(f, "problems: none"),
            n if n > self.problems.len() => {
                writeln!(f, "problems: {n} (first {} listed)", self.problems.len())?
            }
            n => writeln!(f, "problems: {n}")?,
        }
        for problem in &self.problems {
            writeln!(f, "  {problem}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(DAY), "1d");
        assert_eq!(format_duration(5 * DAY + 90 * MINUTE), "5d 1h 30m");
        assert_eq!(format_duration(MINUTE + SECOND), "1m 1s");
        assert_eq!(format_duration(250_000_000), "250ms");
        assert_eq!(format_duration(1_500), "1500ns");
    }

    #[test]
    fn median_ignores_backward_steps() {
        let series = vec![(None, vec![0, 1, 2, 5, 4]), (None, vec![10, 11])];
        assert_eq!(median_spacing(&series), Some(1));
        assert_eq!(median_spacing(&[(None, vec![7])]), None);
    }

    #[test]
    fn gaps_are_found_per_symbol() {
        let series = vec![
            (Some("A".to_string()), vec![0, DAY, 7 * DAY]),
            (Some("B".to_string()), vec![0, 10 * DAY]),
        ];
        let gaps = find_gaps(&series, DAY);
        assert_eq!(gaps.len(), 2);
        assert_eq!(
            (gaps[0].symbol.as_deref(), gaps[0].length()),
            (Some("A"), 6 * DAY)
        );
        assert_eq!((gaps[1].start, gaps[1].end), (0, 10 * DAY));
    }
}

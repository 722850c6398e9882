//! Cell-by-cell checking of bar columns. One checker serves loading (which stops at the
//! first problem) and inspection (which collects them all), through [`Problems`].

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::{
    Column, DataFrame, DataType, Float64Chunked, Int64Chunked, StringChunked, TimeUnit,
};

use super::load::{
    epoch_to_ns, format_timestamp, parse_timestamp, ColumnNames, Format, Table, NS_PER_DAY,
};
use super::Bars;
use crate::error::InputError;

/// Indexes into [`Columns::prices`].
const HIGH: usize = 1;
const LOW: usize = 2;

/// The problems found so far: either just the first (loading), or all of them, keeping the
/// first `limit` and counting the rest (inspection).
#[derive(Debug)]
pub(crate) struct Problems {
    stop_at_first: bool,
    limit: usize,
    kept: Vec<InputError>,
    total: usize,
}

impl Problems {
    /// Stop at the first problem.
    pub(crate) fn first_only() -> Self {
        Problems {
            stop_at_first: true,
            limit: 1,
            kept: Vec::new(),
            total: 0,
        }
    }

    /// Collect every problem, keeping the first `limit`.
    pub(crate) fn collect(limit: usize) -> Self {
        Problems {
            stop_at_first: false,
            limit,
            kept: Vec::new(),
            total: 0,
        }
    }

    /// Records a problem; `problem` is only built when it will be kept.
    pub(crate) fn report(&mut self, problem: impl FnOnce() -> InputError) {
        if self.kept.len() < self.limit {
            self.kept.push(problem());
        }
        self.total += 1;
    }

    /// Whether checking should stop (first-only mode, after a problem).
    pub(crate) fn done(&self) -> bool {
        self.stop_at_first && self.total > 0
    }

    /// The first problem as an error, if there is one.
    pub(crate) fn first_as_error(&mut self) -> Result<(), InputError> {
        if self.kept.is_empty() {
            Ok(())
        } else {
            Err(self.kept.swap_remove(0))
        }
    }

    /// The kept problems and the total count.
    pub(crate) fn into_parts(self) -> (Vec<InputError>, usize) {
        (self.kept, self.total)
    }
}

/// The bar columns of a table, typed for cell access.
pub(crate) struct Columns {
    pub time: TimeColumn,
    /// Open, high, low, close; `None` when missing or unusable (already reported).
    pub prices: [Option<NumberColumn>; 4],
    pub volume: Option<NumberColumn>,
    pub symbol: Option<TextColumn>,
}

impl Columns {
    /// Types the named columns. An unusable time column is an error; other unusable columns
    /// are reported to `problems` and left out.
    pub(crate) fn build(
        path: &Path,
        frame: &DataFrame,
        names: &ColumnNames,
        problems: &mut Problems,
    ) -> Result<Columns, InputError> {
        let time = TimeColumn::new(path, lookup(path, frame, &names.time)?)?;
        let mut optional = |name: &Option<String>| {
            optional_column(path, frame, name.as_deref(), NumberColumn::new, problems)
        };
        let prices = names.prices.each_ref().map(&mut optional);
        let volume = optional(&names.volume);
        let symbol = optional_column(
            path,
            frame,
            names.symbol.as_deref(),
            TextColumn::new,
            problems,
        );
        Ok(Columns {
            time,
            prices,
            volume,
            symbol,
        })
    }
}

/// The named column typed by `make`, if named; a failure is reported and gives `None`.
fn optional_column<T>(
    path: &Path,
    frame: &DataFrame,
    name: Option<&str>,
    make: fn(&Path, &Column) -> Result<T, InputError>,
    problems: &mut Problems,
) -> Option<T> {
    let column = lookup(path, frame, name?).and_then(|c| make(path, c));
    column.map_err(|e| problems.report(|| e)).ok()
}

fn lookup<'f>(path: &Path, frame: &'f DataFrame, name: &str) -> Result<&'f Column, InputError> {
    frame
        .column(name)
        .map_err(|_| InputError::new(path, "column not found").column(name))
}

fn wrong_type(path: &Path, column: &Column, expected: &str) -> InputError {
    InputError::new(
        path,
        format!("column has type {}, expected {expected}", column.dtype()),
    )
    .column(column.name().as_str())
}

/// The column as text, when polars can show it as text.
fn as_text(column: &Column) -> Option<StringChunked> {
    let text = column.cast(&DataType::String).ok()?;
    Some(text.str().ok()?.rechunk().into_owned())
}

/// A numeric column: numbers as read, or text that the checker parses cell by cell (polars
/// reads a column as text when a cell in it is not a number).
pub(crate) struct NumberColumn {
    pub name: String,
    values: Numbers,
}

enum Numbers {
    Float(Float64Chunked),
    Text(StringChunked),
}

impl NumberColumn {
    fn new(path: &Path, column: &Column) -> Result<NumberColumn, InputError> {
        let dtype = column.dtype();
        let values = if dtype.is_primitive_numeric() || dtype.is_null() {
            let floats = column.cast(&DataType::Float64).ok();
            floats.and_then(|c| {
                c.f64()
                    .ok()
                    .map(|ca| Numbers::Float(ca.rechunk().into_owned()))
            })
        } else {
            as_text(column).map(Numbers::Text)
        };
        let values = values.ok_or_else(|| wrong_type(path, column, "numbers"))?;
        Ok(NumberColumn {
            name: column.name().to_string(),
            values,
        })
    }

    /// The number at `row`, or what is wrong with the cell.
    fn value(&self, row: usize) -> Result<f64, String> {
        match &self.values {
            Numbers::Float(values) => values.get(row).ok_or_else(missing),
            Numbers::Text(values) => match values.get(row).map(str::trim) {
                None | Some("") => Err(missing()),
                Some(s) => s
                    .parse()
                    .map_err(|_| format!("cannot parse {s:?} as a number")),
            },
        }
    }
}

fn missing() -> String {
    "missing value".to_string()
}

/// The time column: text to parse, integer epochs (unit by magnitude), or Date/Datetime
/// values scaled to ns.
pub(crate) struct TimeColumn {
    pub name: String,
    values: Times,
}

enum Times {
    Text(StringChunked),
    Epoch(Int64Chunked),
    Scaled {
        values: Int64Chunked,
        ns_per_unit: i64,
    },
}

impl TimeColumn {
    fn new(path: &Path, column: &Column) -> Result<TimeColumn, InputError> {
        let physical = || {
            let ints = column.to_physical_repr().cast(&DataType::Int64).ok()?;
            Some(ints.i64().ok()?.rechunk().into_owned())
        };
        let values = match column.dtype() {
            DataType::Date => physical().map(|values| Times::Scaled {
                values,
                ns_per_unit: NS_PER_DAY,
            }),
            DataType::Datetime(unit, _) => physical().map(|values| Times::Scaled {
                values,
                ns_per_unit: match unit {
                    TimeUnit::Nanoseconds => 1,
                    TimeUnit::Microseconds => 1_000,
                    TimeUnit::Milliseconds => 1_000_000,
                },
            }),
            dtype if dtype.is_integer() => physical().map(Times::Epoch),
            _ => as_text(column).map(Times::Text),
        };
        let values = values.ok_or_else(|| wrong_type(path, column, "dates or times"))?;
        let name = match column.name().as_str() {
            "" => "(unnamed)".to_string(),
            name => name.to_string(),
        };
        Ok(TimeColumn { name, values })
    }

    /// The timestamp at `row` in ns, or what is wrong with the cell.
    fn value(&self, row: usize) -> Result<i64, String> {
        match &self.values {
            Times::Text(values) => match values.get(row).map(str::trim) {
                None | Some("") => Err(missing()),
                Some(s) => {
                    parse_timestamp(s).ok_or_else(|| format!("cannot parse {s:?} as a timestamp"))
                }
            },
            Times::Epoch(values) => {
                let epoch = values.get(row).ok_or_else(missing)?;
                epoch_to_ns(epoch).ok_or_else(|| format!("epoch {epoch} is out of range"))
            }
            Times::Scaled {
                values,
                ns_per_unit,
            } => {
                let raw = values.get(row).ok_or_else(missing)?;
                raw.checked_mul(*ns_per_unit)
                    .ok_or_else(|| "timestamp is out of range".to_string())
            }
        }
    }
}

/// A column read as text (the symbol column).
pub(crate) struct TextColumn {
    pub name: String,
    values: StringChunked,
}

impl TextColumn {
    fn new(path: &Path, column: &Column) -> Result<TextColumn, InputError> {
        let values = as_text(column).ok_or_else(|| wrong_type(path, column, "text"))?;
        Ok(TextColumn {
            name: column.name().to_string(),
            values,
        })
    }
}

/// The rows (0-based, in file order) of one symbol.
pub(crate) struct SymbolRows {
    pub symbol: String,
    pub rows: Vec<usize>,
}

/// Splits the rows by symbol, in order of first appearance; empty when there is no symbol
/// column. Rows without a symbol are reported.
pub(crate) fn group_by_symbol(table: &Table, problems: &mut Problems) -> Vec<SymbolRows> {
    let Some(column) = &table.columns.symbol else {
        return Vec::new();
    };
    let mut groups: Vec<SymbolRows> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut last: Option<(&str, usize)> = None;
    for row in table.data_rows() {
        let Some(symbol) = column
            .values
            .get(row)
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            problems.report(|| table.problem(row, &column.name, missing()));
            if problems.done() {
                break;
            }
            continue;
        };
        let group = match last {
            Some((previous, group)) if previous == symbol => group,
            _ => *index.entry(symbol).or_insert_with(|| {
                groups.push(SymbolRows {
                    symbol: symbol.to_string(),
                    rows: Vec::new(),
                });
                groups.len() - 1
            }),
        };
        groups[group].rows.push(row);
        last = Some((symbol, group));
    }
    groups
}

/// One row's values once checked.
struct Bar {
    time: i64,
    prices: [f64; 4],
    volume: Option<f64>,
}

/// Checks `rows` (0-based, in file order) of `table` and returns the rows without
/// problems as bars. Problems go to `problems`; checking stops early when it says so.
///
/// When a price column is missing (possible only when collecting), its values are NaN.
pub(crate) fn check_bars(
    table: &Table,
    rows: impl Iterator<Item = usize>,
    problems: &mut Problems,
) -> Bars {
    let capacity = rows.size_hint().1.unwrap_or(0);
    let mut bars = empty_bars(capacity, table.columns.volume.is_some());
    let mut previous = None;
    for row in rows {
        if let Some(bar) = check_row(table, row, &mut previous, problems) {
            push_bar(&mut bars, bar);
        }
        if problems.done() {
            break;
        }
    }
    bars
}

/// Checks one row against its cells and the previous timestamp `(ns, row)`, which it
/// updates. Returns the bar when the row has no problem.
fn check_row(
    table: &Table,
    row: usize,
    previous: &mut Option<(i64, usize)>,
    problems: &mut Problems,
) -> Option<Bar> {
    let columns = &table.columns;
    let mut clean = true;
    let mut report = |column: &str, message: String| {
        clean = false;
        problems.report(|| table.problem(row, column, message));
    };
    let time = columns
        .time
        .value(row)
        .map_err(|m| report(&columns.time.name, m))
        .ok();
    if let Some(time) = time {
        if let Some(message) = order_problem(table.format, *previous, time) {
            report(&columns.time.name, message);
        }
        *previous = Some((time, row));
    }
    let mut prices = [f64::NAN; 4];
    let mut all_prices = true;
    for (price, column) in prices.iter_mut().zip(&columns.prices) {
        let value = column
            .as_ref()
            .map(|c| check_price(c, row).map_err(|m| report(&c.name, m)));
        match value {
            Some(Ok(v)) => *price = v,
            _ => all_prices = false,
        }
    }
    if all_prices {
        if let Some((k, message)) = range_problem(prices) {
            let name = columns.prices[k].as_ref().map_or("", |c| c.name.as_str());
            report(name, message);
        }
    }
    let volume = columns
        .volume
        .as_ref()
        .and_then(|c| check_volume(c, row).map_err(|m| report(&c.name, m)).ok());
    Some(Bar {
        time: time?,
        prices,
        volume,
    })
    .filter(|_| clean)
}

/// Why `time` cannot follow the previous timestamp, if it cannot.
fn order_problem(format: Format, previous: Option<(i64, usize)>, time: i64) -> Option<String> {
    let (before, before_row) = previous?;
    if time > before {
        return None;
    }
    let there = format.location(before_row);
    Some(if time == before {
        format!(
            "duplicate timestamp {} (also on {there})",
            format_timestamp(time)
        )
    } else {
        format!(
            "timestamp {} is out of order: earlier than {} on {there}",
            format_timestamp(time),
            format_timestamp(before)
        )
    })
}

fn check_price(column: &NumberColumn, row: usize) -> Result<f64, String> {
    let price = column.value(row)?;
    if price.is_nan() {
        Err("price is NaN".to_string())
    } else if price.is_infinite() {
        Err(format!("price is infinite ({price})"))
    } else if price <= 0.0 {
        Err(format!("price must be greater than 0, found {price}"))
    } else {
        Ok(price)
    }
}

fn check_volume(column: &NumberColumn, row: usize) -> Result<f64, String> {
    let volume = column.value(row)?;
    if !volume.is_finite() {
        Err(format!("volume is {volume}"))
    } else if volume < 0.0 {
        Err(format!("volume is negative ({volume})"))
    } else {
        Ok(volume)
    }
}

/// The price column (index into `[open, high, low, close]`) that breaks
/// `low <= min(open, close)`, `high >= max(open, close)`, `high >= low`, and why.
fn range_problem([open, high, low, close]: [f64; 4]) -> Option<(usize, String)> {
    if high < low {
        return Some((HIGH, format!("high {high} is below low {low}")));
    }
    for (name, price) in [("open", open), ("close", close)] {
        if high < price {
            return Some((HIGH, format!("high {high} is below {name} {price}")));
        }
        if low > price {
            return Some((LOW, format!("low {low} is above {name} {price}")));
        }
    }
    None
}

fn empty_bars(capacity: usize, with_volume: bool) -> Bars {
    Bars {
        symbol: None,
        time: Vec::with_capacity(capacity),
        open: Vec::with_capacity(capacity),
        high: Vec::with_capacity(capacity),
        low: Vec::with_capacity(capacity),
        close: Vec::with_capacity(capacity),
        volume: with_volume.then(|| Vec::with_capacity(capacity)),
    }
}

fn push_bar(bars: &mut Bars, bar: Bar) {
    let [open, high, low, close] = bar.prices;
    bars.time.push(bar.time);
    bars.open.push(open);
    bars.high.push(high);
    bars.low.push(low);
    bars.close.push(close);
    if let (Some(volumes), Some(volume)) = (bars.volume.as_mut(), bar.volume) {
        volumes.push(volume);
    }
}

#[cfg(test)]
mod tests {
    use polars::prelude::{NewChunkedArray, StringChunked};

    use super::*;

    fn problem(n: usize) -> InputError {
        InputError::new("f.csv", format!("problem {n}"))
    }

    #[test]
    fn first_only_stops_after_one_problem() {
        let mut problems = Problems::first_only();
        assert!(!problems.done());
        assert_eq!(problems.first_as_error(), Ok(()));
        problems.report(|| problem(1));
        problems.report(|| problem(2));
        assert!(problems.done());
        assert_eq!(problems.first_as_error(), Err(problem(1)));
    }

    #[test]
    fn collecting_keeps_a_few_and_counts_all() {
        let mut problems = Problems::collect(2);
        for n in 0..5 {
            problems.report(|| problem(n));
        }
        assert!(!problems.done());
        assert_eq!(problems.into_parts(), (vec![problem(0), problem(1)], 5));
    }

    #[test]
    fn price_ranges() {
        assert_eq!(range_problem([1.0, 2.0, 0.5, 1.5]), None);
        assert_eq!(range_problem([1.0, 1.0, 1.0, 1.0]), None);
        assert_eq!(
            range_problem([1.0, 0.4, 0.5, 1.5]),
            Some((HIGH, "high 0.4 is below low 0.5".into()))
        );
        assert_eq!(
            range_problem([2.5, 2.0, 0.5, 1.5]),
            Some((HIGH, "high 2 is below open 2.5".into()))
        );
        assert_eq!(
            range_problem([1.0, 2.0, 0.5, 0.4]),
            Some((LOW, "low 0.5 is above close 0.4".into()))
        );
    }

    #[test]
    fn order_problems_name_the_earlier_line() {
        let day = NS_PER_DAY;
        assert_eq!(order_problem(Format::Csv, None, day), None);
        assert_eq!(order_problem(Format::Csv, Some((day, 0)), 2 * day), None);
        assert_eq!(
            order_problem(Format::Csv, Some((day, 0)), day).as_deref(),
            Some("duplicate timestamp 1970-01-02 (also on line 2)")
        );
        assert_eq!(
            order_problem(Format::Parquet, Some((day, 4)), 0).as_deref(),
            Some("timestamp 1970-01-01 is out of order: earlier than 1970-01-02 on row 5")
        );
    }

    #[test]
    fn text_numbers_are_parsed_per_cell() {
        let cells = StringChunked::from_slice("Close".into(), &["1.5", " 2 ", "abc", "", "NaN"]);
        let column = NumberColumn {
            name: "Close".into(),
            values: Numbers::Text(cells),
        };
        assert_eq!(column.value(0), Ok(1.5));
        assert_eq!(column.value(1), Ok(2.0));
        assert_eq!(
            column.value(2),
            Err("cannot parse \"abc\" as a number".into())
        );
        assert_eq!(column.value(3), Err("missing value".into()));
        assert_eq!(check_price(&column, 4), Err("price is NaN".into()));
        assert_eq!(check_volume(&column, 4), Err("volume is NaN".into()));
    }
}

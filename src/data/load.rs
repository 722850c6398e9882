//! Reading CSV and Parquet files into [`Bars`]: file formats, column names, symbol choice,
//! date range, and the timestamp syntax accepted in files and on the command line.

use std::fmt;
use std::fs::File;
use std::io::{Cursor, Seek};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDate, Timelike};
use polars::io::mmap::MmapBytesReader;
use polars::prelude::{Column, CsvReadOptions, DataFrame, ParquetReader, PolarsError, SerReader};

use super::validate::{check_bars, group_by_symbol, Columns, Problems, SymbolRows};
use super::Bars;
use crate::error::InputError;

const NS_PER_SEC: i64 = 1_000_000_000;
pub(crate) const NS_PER_DAY: i64 = 86_400 * NS_PER_SEC;
/// `NaiveDate::num_days_from_ce` of 1970-01-01.
const EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// What to take from a data file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// The symbol to keep from a file with a symbol column; needed when it holds several.
    /// For a file without a symbol column it only names the bars.
    pub symbol: Option<String>,
    /// Keep bars at or after this time (ns since the epoch, like [`Bars::time`]).
    pub from: Option<i64>,
    /// Keep bars at or before this time (ns since the epoch).
    pub to: Option<i64>,
}

/// The file formats the loader reads, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.csv`; problems are located as `line N` (the header is line 1).
    Csv,
    /// `.parquet`; problems are located as `row N` (1-based data row).
    Parquet,
}

impl Format {
    /// Picks the format from the file extension (case-insensitive).
    fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "parquet" => Some(Format::Parquet),
            _ => None,
        }
    }

    /// Where data row `row` (0-based, in file order) is, in this format's terms.
    pub(crate) fn location(self, row: usize) -> String {
        match self {
            Format::Csv => format!("line {}", row + 2),
            Format::Parquet => format!("row {}", row + 1),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Csv => "CSV",
            Format::Parquet => "Parquet",
        })
    }
}

/// Loads the bars of one symbol from a `.csv` or `.parquet` file, validated, oldest first,
/// restricted to `opts.from ..= opts.to`.
///
/// Fails with an [`InputError`] naming the file — and for bad cells the line/row and
/// column — on the first problem found.
pub fn load_bars(path: &Path, opts: &LoadOptions) -> Result<Bars, InputError> {
    let mut problems = Problems::first_only();
    let table = Table::open(path, &mut problems)?;
    bars_from_table(path, table, problems, opts)
}

/// Loads bars from CSV text held in memory (such as the data set built into the binary);
/// `name` stands for the file in messages and must end in `.csv`.
pub fn load_csv_bytes(name: &Path, bytes: &'static [u8], opts: &LoadOptions) -> Result<Bars, InputError> {
    let mut problems = Problems::first_only();
    let frame = read_csv(&mut Cursor::new(bytes)).map_err(|e| polars_problem(name, Format::Csv, &e))?;
    let table = Table::from_frame(name, Format::Csv, frame, &mut problems)?;
    bars_from_table(name, table, problems, opts)
}

/// Validates a table's rows and keeps the chosen symbol and date range.
fn bars_from_table(path: &Path, table: Table, mut problems: Problems, opts: &LoadOptions) -> Result<Bars, InputError> {
    problems.first_as_error()?;
    let groups = group_by_symbol(&table, &mut problems);
    problems.first_as_error()?;
    let chosen = choose_symbol(path, groups, opts.symbol.as_deref())?;
    let mut bars = match &chosen {
        Some(group) => check_bars(&table, group.rows.iter().copied(), &mut problems),
        None => check_bars(&table, table.data_rows(), &mut problems),
    };
    problems.first_as_error()?;
    bars.symbol = chosen.map(|g| g.symbol).or_else(|| opts.symbol.clone());
    restrict(path, bars, opts.from, opts.to)
}

/// A data file read into a frame, with its bar columns identified and typed.
pub(crate) struct Table {
    pub file: PathBuf,
    pub format: Format,
    pub frame: DataFrame,
    pub columns: Columns,
    /// Rows with every cell empty (blank lines), skipped everywhere; sorted.
    blank_rows: Vec<usize>,
}

impl Table {
    /// Reads `path` and finds its columns. Unreadable files and files without a usable time
    /// column are errors; other column problems (a missing price column, a column of the
    /// wrong type) go to `problems`, and that column is left out.
    pub(crate) fn open(path: &Path, problems: &mut Problems) -> Result<Table, InputError> {
        let (format, frame) = read_frame(path)?;
        Self::from_frame(path, format, frame, problems)
    }

    /// Finds the columns of a frame read from `path`.
    fn from_frame(path: &Path, format: Format, frame: DataFrame, problems: &mut Problems) -> Result<Table, InputError> {
        let blank_rows = blank_rows(&frame);
        if blank_rows.len() == frame.height() {
            return Err(InputError::new(path, "the file has no data rows"));
        }
        let names = ColumnNames::find(path, &frame, problems)?;
        let columns = Columns::build(path, &frame, &names, problems)?;
        Ok(Table {
            file: path.to_path_buf(),
            format,
            frame,
            columns,
            blank_rows,
        })
    }

    /// The rows (0-based, in file order) that are not blank.
    pub(crate) fn data_rows(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.frame.height()).filter(|row| self.blank_rows.binary_search(row).is_err())
    }

    /// How many rows are not blank.
    pub(crate) fn data_row_count(&self) -> usize {
        self.frame.height() - self.blank_rows.len()
    }

    /// The problem `message` at data row `row` (0-based), column `column`.
    pub(crate) fn problem(&self, row: usize, column: &str, message: String) -> InputError {
        InputError::new(&self.file, message)
            .at(self.format.location(row))
            .column(column)
    }
}

/// Reads the whole file into a frame, choosing the reader by extension.
fn read_frame(path: &Path) -> Result<(Format, DataFrame), InputError> {
    let os_error = |e: std::io::Error| InputError::new(path, e.to_string());
    let mut file = File::open(path).map_err(os_error)?;
    let metadata = file.metadata().map_err(os_error)?;
    let format = Format::of(path)
        .ok_or_else(|| InputError::new(path, "unsupported file type, expected .csv or .parquet"))?;
    if metadata.is_dir() {
        return Err(InputError::new(
            path,
            "this is a directory, not a data file",
        ));
    }
    if metadata.len() == 0 {
        return Err(InputError::new(path, "the file is empty"));
    }
    let frame = match format {
        Format::Csv => read_csv(&mut file),
        Format::Parquet => ParquetReader::new(file).finish(),
    };
    let frame = frame.map_err(|e| polars_problem(path, format, &e))?;
    Ok((format, frame))
}

/// Parses a CSV file, letting polars infer column types. When a cell past the inference
/// window does not fit its column's type, reads again with every column as text so the
/// checker can point at the bad cell.
fn read_csv<R: MmapBytesReader + Seek + 'static>(file: &mut R) -> Result<DataFrame, PolarsError> {
    csv_frame(file, Some(100)).or_else(|_| csv_frame(file, Some(0)))
}

/// One polars CSV read from the start of `file`; `infer_rows == Some(0)` reads every column
/// as text.
fn csv_frame<R: MmapBytesReader + Seek + 'static>(file: &mut R, infer_rows: Option<usize>) -> Result<DataFrame, PolarsError> {
    file.rewind()?;
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(infer_rows)
        .with_rechunk(true)
        .into_reader_with_file_handle(file)
        .finish()
}

/// Rows where every cell is null: polars reads blank lines (e.g. at the end of a CSV file)
/// as such rows.
fn blank_rows(frame: &DataFrame) -> Vec<usize> {
    let columns = frame.columns();
    if columns.is_empty() || columns.iter().any(|c| c.null_count() == 0) {
        return Vec::new();
    }
    let all_null = columns
        .iter()
        .map(Column::is_null)
        .reduce(|all, nulls| &all & &nulls)
        .unwrap_or_default();
    let rows = all_null.iter().enumerate();
    rows.filter_map(|(row, blank)| (blank == Some(true)).then_some(row))
        .collect()
}

/// A polars read error as a one-line input error.
fn polars_problem(path: &Path, format: Format, err: &PolarsError) -> InputError {
    let text = err.to_string();
    let first_line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    InputError::new(path, format!("cannot read as {format}: {first_line}"))
}

/// A column role and the spellings (normalised: lower-case letters and digits) that name it.
struct Role {
    /// The name used in messages.
    display: &'static str,
    aliases: &'static [&'static str],
}

const TIME: Role = Role {
    display: "Date",
    aliases: &["datetime", "timestamp", "date", "time"],
};
/// Open, high, low, close, in the order of [`Columns::prices`].
const PRICES: [Role; 4] = [
    Role {
        display: "Open",
        aliases: &["open", "o"],
    },
    Role {
        display: "High",
        aliases: &["high", "h"],
    },
    Role {
        display: "Low",
        aliases: &["low", "l"],
    },
    Role {
        display: "Close",
        aliases: &["close", "c"],
    },
];
const VOLUME: Role = Role {
    display: "Volume",
    aliases: &["volume", "vol", "v"],
};
const SYMBOL: Role = Role {
    display: "Symbol",
    aliases: &["symbol", "ticker"],
};

/// The file's names for each bar column (`None` when absent).
pub(crate) struct ColumnNames {
    pub time: String,
    pub prices: [Option<String>; 4],
    pub volume: Option<String>,
    pub symbol: Option<String>,
}

impl ColumnNames {
    /// Matches the frame's headers to roles. A missing time column is an error; a missing
    /// price column is reported to `problems`.
    fn find(
        path: &Path,
        frame: &DataFrame,
        problems: &mut Problems,
    ) -> Result<ColumnNames, InputError> {
        let headers: Vec<&str> = frame.columns().iter().map(|c| c.name().as_str()).collect();
        let pick = |role: &Role| find_role(&headers, role).map(str::to_string);
        let mut names = ColumnNames {
            time: String::new(),
            prices: PRICES.each_ref().map(pick),
            volume: pick(&VOLUME),
            symbol: pick(&SYMBOL),
        };
        match pick(&TIME).or_else(|| unnamed_first(&headers).map(str::to_string)) {
            Some(time) => names.time = time,
            None => return Err(missing_time_column(path, &headers, &names)),
        }
        for (role, name) in PRICES.iter().zip(&names.prices) {
            if name.is_none() {
                problems.report(|| missing_column(path, role, &headers, &names));
            }
        }
        Ok(names)
    }

    /// Whether `header` already has a role.
    fn uses(&self, header: &str) -> bool {
        self.time == header
            || self.prices.iter().flatten().any(|n| n == header)
            || self.volume.as_deref() == Some(header)
            || self.symbol.as_deref() == Some(header)
    }
}

/// Lower-case letters and digits of a header: `" Adj_Close"` → `"adjclose"`.
fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The first header spelled like one of the role's aliases, trying aliases in order.
fn find_role<'h>(headers: &[&'h str], role: &Role) -> Option<&'h str> {
    let normalised: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
    role.aliases.iter().find_map(|alias| {
        let i = normalised.iter().position(|n| n == alias)?;
        Some(headers[i])
    })
}

/// The first header when it is an index column with no real name: empty (as pandas writes
/// it), polars' `column_1`, or pandas' `Unnamed: 0`.
fn unnamed_first<'h>(headers: &[&'h str]) -> Option<&'h str> {
    let first = *headers.first()?;
    let n = normalise(first);
    (n.is_empty() || n == "column1" || n.starts_with("unnamed")).then_some(first)
}

fn missing_time_column(path: &Path, headers: &[&str], names: &ColumnNames) -> InputError {
    let message = format!(
        "no time column: expected one named Date, Datetime, Timestamp or Time (any case), \
         or an unnamed first column; columns found: {}{}",
        quoted_list(headers),
        suggestion(&TIME, headers, names)
    );
    InputError::new(path, message)
}

fn missing_column(path: &Path, role: &Role, headers: &[&str], names: &ColumnNames) -> InputError {
    let message = format!(
        "required column is missing; columns found: {}{}",
        quoted_list(headers),
        suggestion(role, headers, names)
    );
    InputError::new(path, message).column(role.display)
}

/// `"; did you mean "Close" for "Clsoe"?"` when an unused header is a near miss for the role.
fn suggestion(role: &Role, headers: &[&str], names: &ColumnNames) -> String {
    let nearest = headers
        .iter()
        .filter(|h| !names.uses(h))
        .filter_map(|h| Some((near_miss(&normalise(h), role)?, *h)))
        .min_by_key(|(distance, _)| *distance);
    match nearest {
        Some((_, header)) => format!("; did you mean \"{}\" for {header:?}?", role.display),
        None => String::new(),
    }
}

/// The edit distance from `name` to the role's nearest alias of 3+ letters, when it looks
/// like a typo of it: at most 1 edit for aliases up to 4 letters, else 2.
fn near_miss(name: &str, role: &Role) -> Option<usize> {
    role.aliases
        .iter()
        .filter(|alias| alias.len() >= 3)
        .map(|alias| {
            (
                edit_distance(name, alias),
                if alias.len() <= 4 { 1 } else { 2 },
            )
        })
        .filter(|(distance, allowed)| distance <= allowed)
        .map(|(distance, _)| distance)
        .min()
}

/// Edit distance counting insertions, deletions, substitutions and swaps of neighbours.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// `"a", "b", "c"`, shortened after 20 items.
pub(crate) fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    const SHOWN: usize = 20;
    let mut list: Vec<String> = items
        .iter()
        .take(SHOWN)
        .map(|s| format!("{:?}", s.as_ref()))
        .collect();
    if items.len() > SHOWN {
        list.push(format!("… and {} more", items.len() - SHOWN));
    }
    list.join(", ")
}

/// The symbol to load, with its rows: `None` without a symbol column; the only symbol;
/// or, with several, the one `wanted` (compared ignoring ASCII case).
fn choose_symbol(
    path: &Path,
    mut groups: Vec<SymbolRows>,
    wanted: Option<&str>,
) -> Result<Option<SymbolRows>, InputError> {
    let symbols = || {
        let names: Vec<&str> = groups.iter().map(|g| g.symbol.as_str()).collect();
        quoted_list(&names)
    };
    let index = match wanted {
        _ if groups.is_empty() => return Ok(None),
        Some(w) => groups
            .iter()
            .position(|g| g.symbol.eq_ignore_ascii_case(w))
            .ok_or_else(|| {
                InputError::new(
                    path,
                    format!("symbol {w:?} not found; the file holds {}", symbols()),
                )
            })?,
        None if groups.len() == 1 => 0,
        None => {
            let message = format!(
                "the file holds {} symbols ({}); choose one with --symbol",
                groups.len(),
                symbols()
            );
            return Err(InputError::new(path, message));
        }
    };
    Ok(Some(groups.swap_remove(index)))
}

/// Keeps the bars within `from ..= to` (bars are strictly increasing in time).
fn restrict(
    path: &Path,
    mut bars: Bars,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<Bars, InputError> {
    let start = from.map_or(0, |f| bars.time.partition_point(|&t| t < f));
    let end = to.map_or(bars.len(), |t| bars.time.partition_point(|&x| x <= t));
    if start >= end {
        return Err(InputError::new(path, empty_range_message(&bars, from, to)));
    }
    keep_range(&mut bars.time, start, end);
    for prices in [
        &mut bars.open,
        &mut bars.high,
        &mut bars.low,
        &mut bars.close,
    ] {
        keep_range(prices, start, end);
    }
    if let Some(volume) = bars.volume.as_mut() {
        keep_range(volume, start, end);
    }
    Ok(bars)
}

fn keep_range<T>(values: &mut Vec<T>, start: usize, end: usize) {
    values.truncate(end);
    values.drain(..start);
}

fn empty_range_message(bars: &Bars, from: Option<i64>, to: Option<i64>) -> String {
    let bound = |t: Option<i64>, open: &str| t.map_or(open.to_string(), format_timestamp);
    let span = match (bars.time.first(), bars.time.last()) {
        (Some(&a), Some(&b)) => format!("{} to {}", format_timestamp(a), format_timestamp(b)),
        _ => "nothing".to_string(),
    };
    format!(
        "no bars in the requested range {} to {}; the data covers {span}",
        bound(from, "the start"),
        bound(to, "the end")
    )
}

/// Parses a timestamp into ns since 1970-01-01 (UTC when an offset is given).
///
/// Accepts `2010-01-31` or `2010/01/31` (midnight), optionally followed by ` ` or `T` and
/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff` (up to 9 fraction digits), optionally followed by
/// `Z` or an offset `±HH:MM` / `±HHMM` / `±HH`, which is converted to UTC. A plain integer
/// is a Unix epoch in seconds, milliseconds, microseconds or nanoseconds, chosen by
/// magnitude (below 1e11 → seconds, 1e14 → ms, 1e17 → µs, else ns).
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(epoch) = s.parse::<i64>() {
        return epoch_to_ns(epoch);
    }
    let mut scan = Scanner {
        bytes: s.as_bytes(),
        pos: 0,
    };
    let days = scan.date()?;
    let time_of_day = if scan.eat(b'T') || scan.eat(b' ') {
        scan.time_of_day()?
    } else {
        0
    };
    let offset = scan.offset()?;
    if scan.pos != scan.bytes.len() {
        return None;
    }
    days.checked_mul(NS_PER_DAY)?
        .checked_add(time_of_day)?
        .checked_sub(offset.checked_mul(NS_PER_SEC)?)
}

/// An integer Unix epoch, its unit chosen by magnitude, in ns; `None` if out of range.
pub(crate) fn epoch_to_ns(epoch: i64) -> Option<i64> {
    let size = epoch.unsigned_abs();
    let ns_per_unit = if size < 100_000_000_000 {
        NS_PER_SEC
    } else if size < 100_000_000_000_000 {
        1_000_000
    } else if size < 100_000_000_000_000_000 {
        1_000
    } else {
        1
    };
    epoch.checked_mul(ns_per_unit)
}

/// A cursor over the bytes of a timestamp.
struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.bytes.get(self.pos) == Some(&byte);
        self.pos += usize::from(found);
        found
    }

    /// Reads `min..=max` decimal digits; on failure reads nothing.
    fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
        let start = self.pos;
        let mut value = 0i64;
        while self.pos - start < max {
            match self.bytes.get(self.pos) {
                Some(b) if b.is_ascii_digit() => value = value * 10 + i64::from(b - b'0'),
                _ => break,
            }
            self.pos += 1;
        }
        if self.pos - start < min {
            self.pos = start;
            return None;
        }
        Some(value)
    }

    /// `YYYY-MM-DD` or `YYYY/MM/DD` as days since 1970-01-01.
    fn date(&mut self) -> Option<i64> {
        let year = self.digits(4, 4)?;
        let sep = *self
            .bytes
            .get(self.pos)
            .filter(|b| **b == b'-' || **b == b'/')?;
        self.pos += 1;
        let month = self.digits(1, 2)?;
        if !self.eat(sep) {
            return None;
        }
        let day = self.digits(1, 2)?;
        let date = NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32)?;
        Some(i64::from(date.num_days_from_ce()) - EPOCH_DAYS_FROM_CE)
    }

    /// `HH:MM[:SS[.fff]]` as ns since midnight.
    fn time_of_day(&mut self) -> Option<i64> {
        let hour = self.digits(1, 2)?;
        if !self.eat(b':') {
            return None;
        }
        let minute = self.digits(2, 2)?;
        let second = if self.eat(b':') {
            self.digits(2, 2)?
        } else {
            0
        };
        let nanos = if self.eat(b'.') || self.eat(b',') {
            self.fraction()?
        } else {
            0
        };
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        Some(((hour * 60 + minute) * 60 + second) * NS_PER_SEC + nanos)
    }

    /// Fraction digits after the decimal point as ns (digits past the ninth are ignored).
    fn fraction(&mut self) -> Option<i64> {
        let start = self.pos;
        let value = self.digits(1, 9)?;
        let scale = 10i64.pow(9 - (self.pos - start) as u32);
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        Some(value * scale)
    }

    /// An optional `Z` or `±HH[:MM]` suffix as seconds east of UTC (0 when absent).
    fn offset(&mut self) -> Option<i64> {
        self.eat(b' ');
        if self.eat(b'Z') {
            return Some(0);
        }
        let sign = if self.eat(b'+') {
            1
        } else if self.eat(b'-') {
            -1
        } else {
            return Some(0);
        };
        let hours = self.digits(2, 2)?;
        let minutes = if self.eat(b':') {
            self.digits(2, 2)?
        } else {
            self.digits(2, 2).unwrap_or(0)
        };
        (hours < 24 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
    }
}

/// Formats ns since the epoch as `2010-01-31` at midnight, else `2010-01-31 09:30:00`
/// (with a fraction when there is one).
pub fn format_timestamp(ns: i64) -> String {
    let t = DateTime::from_timestamp_nanos(ns).naive_utc();
    if t.num_seconds_from_midnight() == 0 && t.nanosecond() == 0 {
        t.format("%Y-%m-%d").to_string()
    } else if t.nanosecond() == 0 {
        t.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M:%S%.f").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: i64 = NS_PER_SEC;
    const JAN_31_2010: i64 = 14_640 * NS_PER_DAY;

    #[test]
    fn dates_mean_midnight() {
        assert_eq!(parse_timestamp("1970-01-02"), Some(NS_PER_DAY));
        assert_eq!(parse_timestamp("2010-01-31"), Some(JAN_31_2010));
        assert_eq!(parse_timestamp(" 2010/01/31 "), Some(JAN_31_2010));
        assert_eq!(parse_timestamp("2010-1-31"), Some(JAN_31_2010));
        assert_eq!(parse_timestamp("1969-12-31"), Some(-NS_PER_DAY));
    }

    #[test]
    fn datetimes_with_optional_seconds_and_fraction() {
        assert_eq!(
            parse_timestamp("2010-01-31 01:02"),
            Some(JAN_31_2010 + 3_720 * SEC)
        );
        assert_eq!(
            parse_timestamp("2010-01-31T01:02:03"),
            Some(JAN_31_2010 + 3_723 * SEC)
        );
        assert_eq!(parse_timestamp("1970-01-01 00:00:00.5"), Some(SEC / 2));
        assert_eq!(parse_timestamp("1970-01-01 00:00:00,25"), Some(SEC / 4));
        assert_eq!(
            parse_timestamp("1970-01-01T00:00:00.123456789"),
            Some(123_456_789)
        );
        assert_eq!(
            parse_timestamp("1970-01-01T00:00:00.1234567891"),
            Some(123_456_789)
        );
    }

    #[test]
    fn offsets_convert_to_utc() {
        assert_eq!(parse_timestamp("1970-01-01T02:00:00+02:00"), Some(0));
        assert_eq!(
            parse_timestamp("1970-01-01T00:00:00-0130"),
            Some(5_400 * SEC)
        );
        assert_eq!(parse_timestamp("1970-01-01 01:00:00 +01"), Some(0));
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_timestamp("1970-01-02Z"), Some(NS_PER_DAY));
    }

    #[test]
    fn epochs_by_magnitude() {
        let jan_1_2010 = 1_262_304_000 * SEC;
        assert_eq!(parse_timestamp("1262304000"), Some(jan_1_2010));
        assert_eq!(parse_timestamp("1262304000000"), Some(jan_1_2010));
        assert_eq!(parse_timestamp("1262304000000000"), Some(jan_1_2010));
        assert_eq!(parse_timestamp("1262304000000000000"), Some(jan_1_2010));
        assert_eq!(parse_timestamp("-86400"), Some(-NS_PER_DAY));
    }

    #[test]
    fn malformed_timestamps_are_rejected() {
        for bad in [
            "",
            "abc",
            "2010-13-01",
            "2010-02-30",
            "2010-01-31 24:00",
            "2010-01-31 10:60",
            "2010-01-31 10:00:60",
            "2010-01-31T",
            "2010-01-31 10",
            "31/01/2010",
            "2010-01/31",
            "2010-01-31x",
            "2010-01-31 10:00+25:00",
            "2010-01-31 10:00+02:",
            "2010-01-31 10:00+021",
            "2010-01-31 10:00+2",
            "9999-12-31",
            "99999999999999999999",
            "2010-01-31 10:00:00.",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn yyyymmdd_integers_are_epoch_seconds() {
        assert_eq!(parse_timestamp("20100131"), Some(20_100_131 * SEC));
    }

    #[test]
    fn timestamps_format_compactly() {
        assert_eq!(format_timestamp(JAN_31_2010), "2010-01-31");
        assert_eq!(
            format_timestamp(JAN_31_2010 + 3_723 * SEC),
            "2010-01-31 01:02:03"
        );
        assert_eq!(
            format_timestamp(JAN_31_2010 + SEC / 4),
            "2010-01-31 00:00:00.250"
        );
    }

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert_eq!(edit_distance("clsoe", "close"), 1);
        assert_eq!(edit_distance("close", "close"), 0);
        assert_eq!(edit_distance("adjclose", "close"), 3);
        assert_eq!(edit_distance("", "low"), 3);
    }

    #[test]
    fn near_misses_are_typos_only() {
        assert_eq!(near_miss("clsoe", &PRICES[3]), Some(1));
        assert_eq!(near_miss("hihg", &PRICES[1]), Some(1));
        assert_eq!(near_miss("adjclose", &PRICES[3]), None);
        assert_eq!(
            near_miss("x", &PRICES[0]),
            None,
            "one-letter aliases are not matched"
        );
        assert_eq!(near_miss("dtae", &TIME), Some(1));
    }

    #[test]
    fn roles_match_any_case_and_spacing() {
        assert_eq!(
            find_role(&["Adj Close", " CLOSE"], &PRICES[3]),
            Some(" CLOSE")
        );
        assert_eq!(find_role(&["Date", "Timestamp"], &TIME), Some("Timestamp"));
        assert_eq!(find_role(&["o", "h"], &PRICES[0]), Some("o"));
        assert_eq!(find_role(&["Adj Close"], &PRICES[3]), None);
    }

    #[test]
    fn unnamed_index_columns() {
        assert_eq!(unnamed_first(&["", "Open"]), Some(""));
        assert_eq!(unnamed_first(&["Unnamed: 0", "Open"]), Some("Unnamed: 0"));
        assert_eq!(unnamed_first(&["column_1"]), Some("column_1"));
        assert_eq!(unnamed_first(&["Open", ""]), None);
    }

    #[test]
    fn lists_are_quoted_and_shortened() {
        assert_eq!(quoted_list(&["a", ""]), "\"a\", \"\"");
        let many: Vec<String> = (0..25).map(|i| i.to_string()).collect();
        assert!(quoted_list(&many).ends_with("\"19\", … and 5 more"));
    }
}

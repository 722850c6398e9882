//! Loading and inspecting market data files: accepted formats, and one test per rejected input.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use tempfile::TempDir;
use tradeorch::data::inspect::is_gap;
use tradeorch::data::{inspect, load_bars, parse_timestamp, Bars, LoadOptions};
use tradeorch::InputError;

const DAY: i64 = 86_400_000_000_000;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/data")
        .join(name)
}

fn goog() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/GOOG.csv")
}

fn ts(s: &str) -> i64 {
    parse_timestamp(s).unwrap_or_else(|| panic!("test timestamp {s:?} should parse"))
}

fn load(path: &Path) -> Bars {
    load_bars(path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// Writes `contents` to `name` in a fresh temporary directory.
fn temp_file(name: &str, contents: &str) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("write temp file");
    (dir, path)
}

/// Loads CSV `contents` and returns the error it must fail with.
fn csv_error(contents: &str) -> (TempDir, PathBuf, InputError) {
    let (dir, path) = temp_file("bad.csv", contents);
    let err = load_bars(&path, &LoadOptions::default()).expect_err("the file should be rejected");
    (dir, path, err)
}

/// Asserts the error's file, location, column, and that its one-line message contains `words`.
fn assert_problem(err: &InputError, path: &Path, location: &str, column: &str, words: &str) {
    assert_eq!(err.file, path, "{err}");
    assert_eq!(err.location.as_deref(), Some(location), "{err}");
    assert_eq!(err.column.as_deref(), Some(column), "{err}");
    assert!(
        err.message.contains(words),
        "{err:?} should mention {words:?}"
    );
    let text = err.to_string();
    assert!(text.starts_with(&path.display().to_string()), "{text}");
    assert!(!text.contains('\n'), "{text}");
}

const HEADER: &str = "Date,Open,High,Low,Close,Volume\n";

/// A valid CSV with the given data lines (line 2 onwards) after [`HEADER`].
fn csv(lines: &[&str]) -> String {
    let mut text = HEADER.to_string();
    for line in lines {
        writeln!(text, "{line}").expect("write to string");
    }
    text
}

// ---- accepted inputs ----

#[test]
fn goog_csv_loads_with_its_first_and_last_bars() {
    let bars = load(&goog());
    assert_eq!(bars.len(), 2148);
    assert_eq!(bars.symbol, None);
    assert_eq!(bars.time[0], ts("2004-08-19"));
    assert_eq!(bars.time[2147], ts("2013-03-01"));
    assert_eq!(
        (bars.open[0], bars.high[0], bars.low[0], bars.close[0]),
        (100.0, 104.06, 95.96, 100.34)
    );
    assert_eq!(bars.volume.as_ref().map(|v| v[0]), Some(22_351_900.0));
    assert_eq!(bars.close[2147], 806.19);
    assert!(bars.time.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn unnamed_index_column_is_the_time() {
    let bars = load(&fixture("index.csv"));
    assert_eq!(bars.len(), 5);
    assert_eq!(bars.time[1], ts("2004-08-20"));
    assert_eq!(bars.time[4] - bars.time[3], DAY);
    assert_eq!(bars.close[4], 106.0);
}

#[test]
fn lower_case_headers_without_volume() {
    let bars = load(&fixture("lower.csv"));
    assert_eq!(bars.len(), 3);
    assert_eq!(bars.volume, None);
    assert_eq!(
        bars.time[2],
        ts("2010-01-06"),
        "2010/01/06 is read as a date"
    );
    assert_eq!(bars.low, vec![9.5, 10.1, 9.8]);
}

#[test]
fn intraday_timestamps_keep_time_of_day() {
    let bars = load(&fixture("intraday.csv"));
    let base = ts("2024-01-02");
    let minute = 60_000_000_000;
    assert_eq!(
        bars.time,
        vec![
            base + 570 * minute,
            base + 571 * minute,
            base + 572 * minute + 15_250_000_000
        ]
    );
}

#[test]
fn iso_timestamps_with_offsets_become_utc() {
    let bars = load(&fixture("iso_offset.csv"));
    assert_eq!(
        bars.time,
        vec![
            ts("2024-01-02 07:30"),
            ts("2024-01-02 09:31"),
            ts("2024-01-02 09:32")
        ]
    );
}

#[test]
fn epoch_seconds_and_milliseconds() {
    let seconds = load(&fixture("epoch.csv"));
    assert_eq!(seconds.time[0], ts("2024-01-02 09:30"));
    assert_eq!(seconds.close, vec![100.2, 100.1, 100.4]);
    let (_dir, path) = temp_file(
        "ms.csv",
        "timestamp,open,high,low,close\n1704187800000,1,2,0.5,1.5\n1704187860500,1,2,0.5,1.5\n",
    );
    assert_eq!(
        load(&path).time,
        vec![ts("2024-01-02 09:30"), ts("2024-01-02 09:31:00.5")]
    );
}

#[test]
fn long_file_selects_a_symbol() {
    let path = fixture("long.csv");
    let pick = |symbol: &str| LoadOptions {
        symbol: Some(symbol.into()),
        ..LoadOptions::default()
    };
    let aaa = load_bars(&path, &pick("AAA")).expect("AAA loads");
    assert_eq!(aaa.symbol.as_deref(), Some("AAA"));
    assert_eq!(aaa.close, vec![10.5, 10.2]);
    let bbb = load_bars(&path, &pick("BBB")).expect("BBB loads");
    assert_eq!(
        bbb.time,
        vec![ts("2010-01-04"), ts("2010-01-05"), ts("2010-01-06")]
    );
    assert_eq!(bbb.volume, Some(vec![200.0, 210.0, 220.0]));
}

#[test]
fn long_file_without_a_chosen_symbol_lists_them() {
    let path = fixture("long.csv");
    let err = load_bars(&path, &LoadOptions::default()).expect_err("two symbols need a choice");
    assert!(err.message.contains("\"AAA\", \"BBB\""), "{err}");
    let wrong = LoadOptions {
        symbol: Some("CCC".into()),
        ..LoadOptions::default()
    };
    let err = load_bars(&path, &wrong).expect_err("CCC is absent");
    assert_eq!(err.file, path);
    assert!(
        err.message.contains("\"CCC\" not found") && err.message.contains("\"AAA\", \"BBB\""),
        "{err}"
    );
}

#[test]
fn single_symbol_file_takes_its_symbol() {
    let (_dir, path) = temp_file(
        "one.csv",
        "ticker,date,open,high,low,close\nXYZ,2010-01-04,1,2,0.5,1.5\n",
    );
    let bars = load(&path);
    assert_eq!(bars.symbol.as_deref(), Some("XYZ"));
    assert_eq!(bars.len(), 1);
}

/// Writes `bars` to Parquet with the given time column.
fn write_parquet(path: &Path, time: Column, bars: &Bars) {
    let price = |name: &str, values: &[f64]| {
        Float64Chunked::from_vec(name.into(), values.to_vec())
            .into_series()
            .into_column()
    };
    let mut columns = vec![
        time,
        price("Open", &bars.open),
        price("High", &bars.high),
        price("Low", &bars.low),
        price("Close", &bars.close),
    ];
    if let Some(volume) = &bars.volume {
        columns.push(price("Volume", volume));
    }
    let mut frame = DataFrame::new(bars.len(), columns).expect("frame");
    let file = std::fs::File::create(path).expect("create parquet");
    ParquetWriter::new(file)
        .finish(&mut frame)
        .expect("write parquet");
}

#[test]
fn parquet_with_datetime_column_matches_the_csv() {
    let csv_bars = load(&goog());
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("goog.parquet");
    let millis: Vec<i64> = csv_bars.time.iter().map(|t| t / 1_000_000).collect();
    let time = Int64Chunked::from_vec("Date".into(), millis)
        .into_datetime(TimeUnit::Milliseconds, None)
        .into_series()
        .into_column();
    write_parquet(&path, time, &csv_bars);
    assert_eq!(load(&path), csv_bars);
}

#[test]
fn parquet_with_utc_microsecond_timestamps() {
    let csv_bars = load(&fixture("iso_offset.csv"));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("utc.parquet");
    let micros: Vec<i64> = csv_bars.time.iter().map(|t| t / 1_000).collect();
    let time = Int64Chunked::from_vec("timestamp".into(), micros)
        .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
        .into_series()
        .into_column();
    write_parquet(&path, time, &csv_bars);
    assert_eq!(load(&path), csv_bars);
}

#[test]
fn from_and_to_are_inclusive() {
    let opts = LoadOptions {
        from: Some(ts("2010-01-01")),
        to: Some(ts("2010-12-31")),
        symbol: None,
    };
    let bars = load_bars(&goog(), &opts).expect("2010 loads");
    assert_eq!(bars.len(), 252);
    assert_eq!(bars.time[0], ts("2010-01-04"));
    assert_eq!(bars.open[0], 626.95);
    assert_eq!(bars.time[251], ts("2010-12-31"));
    assert_eq!(bars.volume.as_ref().map(Vec::len), Some(252));
}

#[test]
fn range_outside_the_data_is_an_error() {
    let opts = LoadOptions {
        from: Some(ts("2020-01-01")),
        to: None,
        symbol: None,
    };
    let err = load_bars(&goog(), &opts).expect_err("no data in 2020");
    assert_eq!(err.file, goog());
    assert!(err.message.contains("2020-01-01 to the end"), "{err}");
    assert!(err.message.contains("2004-08-19 to 2013-03-01"), "{err}");
}

#[test]
fn blank_lines_are_skipped_without_shifting_line_numbers() {
    let (_dir, path) = temp_file(
        "blank.csv",
        &csv(&[
            "2010-01-04,1,2,0.5,1.5,10",
            "",
            "2010-01-05,1,2,0.5,1.5,10",
            "",
            "",
        ]),
    );
    assert_eq!(load(&path).len(), 2);
    let (_dir, path, err) = csv_error(&csv(&[
        "2010-01-04,1,2,0.5,1.5,10",
        "",
        "2010-01-05,1,2,0.5,-1,10",
    ]));
    assert_problem(&err, &path, "line 4", "Close", "found -1");
}

#[test]
fn padded_and_quoted_cells_are_read() {
    let (_dir, path) = temp_file(
        "padded.csv",
        "\"Date\", Open, High, Low,Close\r\n\"2010-01-04\", 1, 2, 0.5,\"1.5\"\r\n",
    );
    let bars = load(&path);
    assert_eq!((bars.time[0], bars.close[0]), (ts("2010-01-04"), 1.5));
}

// ---- rejected files ----

#[test]
fn missing_file_gives_the_os_message() {
    let path = fixture("no_such_file.csv");
    let err = load_bars(&path, &LoadOptions::default()).expect_err("missing");
    assert_eq!(err.file, path);
    assert!(err.message.contains("No such file"), "{err}");
}

#[test]
fn unsupported_extension() {
    let (_dir, path) = temp_file("bars.xlsx", "whatever");
    let err = load_bars(&path, &LoadOptions::default()).expect_err("xlsx");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: unsupported file type, expected .csv or .parquet",
            path.display()
        )
    );
}

#[test]
fn empty_file_and_header_only() {
    let (_dir, path, err) = csv_error("");
    assert_eq!(err.file, path);
    assert!(err.message.contains("empty"), "{err}");
    let (_dir, path, err) = csv_error(HEADER);
    assert_eq!(err.file, path);
    assert!(err.message.contains("no data rows"), "{err}");
}

#[test]
fn misspelled_column_gets_a_suggestion() {
    let (_dir, path, err) = csv_error("Date,Open,High,Low,Clsoe\n2010-01-04,1,2,0.5,1.5\n");
    assert_eq!(err.file, path);
    assert_eq!(err.column.as_deref(), Some("Close"));
    assert!(
        err.message
            .contains("\"Date\", \"Open\", \"High\", \"Low\", \"Clsoe\""),
        "{err}"
    );
    assert!(
        err.message
            .contains("did you mean \"Close\" for \"Clsoe\"?"),
        "{err}"
    );
}

#[test]
fn missing_time_column_lists_columns() {
    let (_dir, path, err) = csv_error("Day,Open,High,Low,Close\nx,1,2,0.5,1.5\n");
    assert_eq!(err.file, path);
    assert!(err.message.contains("no time column"), "{err}");
    assert!(err.message.contains("\"Day\", \"Open\""), "{err}");
}

#[test]
fn unparsable_timestamp() {
    let (_dir, path, err) = csv_error(&csv(&[
        "2010-01-04,1,2,0.5,1.5,10",
        "2010-13-05,1,2,0.5,1.5,10",
    ]));
    assert_problem(
        &err,
        &path,
        "line 3",
        "Date",
        "cannot parse \"2010-13-05\" as a timestamp",
    );
}

#[test]
fn unparsable_date_in_an_unnamed_index() {
    let (_dir, path, err) =
        csv_error(",Open,High,Low,Close\n2010-01-04,1,2,0.5,1.5\n04.01.2010,1,2,0.5,1.5\n");
    assert_problem(
        &err,
        &path,
        "line 3",
        "(unnamed)",
        "cannot parse \"04.01.2010\" as a timestamp",
    );
}

#[test]
fn unreadable_files_are_errors_not_panics() {
    let (_dir, path, err) = csv_error("Date,Open,High,Low,Close\n2010-01-04,1,2,0.5,1.5,9\n");
    assert_eq!(err.file, path);
    assert!(
        err.message
            .starts_with("cannot read as CSV: found more fields"),
        "{err}"
    );
    let (_dir, path) = temp_file("junk.parquet", "PAR1 not really parquet");
    let err = load_bars(&path, &LoadOptions::default()).expect_err("junk");
    assert!(err.message.starts_with("cannot read as Parquet"), "{err}");
    let (_dir, path, err) = csv_error("\u{0}\u{1}\u{2}garbage\u{0}");
    assert_eq!(err.file, path);
}

#[test]
fn unparsable_number_early_in_the_file() {
    let (_dir, path, err) = csv_error(&csv(&[
        "2010-01-04,1,2,0.5,1.5,10",
        "2010-01-05,1,2,0.5,1.5,10",
        "2010-01-06,1,2,0.5,abc,10",
    ]));
    assert_eq!(
        err.to_string(),
        format!(
            "{}: line 4, column \"Close\": cannot parse \"abc\" as a number",
            path.display()
        )
    );
}

#[test]
fn unparsable_number_after_type_inference() {
    let start = ts("2010-01-01");
    let lines: Vec<String> = (0..150)
        .map(|i| {
            let close = if i == 120 { "1.5x" } else { "1.5" };
            let date = tradeorch::data::format_timestamp(start + i * DAY);
            format!("{date},1,2,0.5,{close},10")
        })
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (_dir, path, err) = csv_error(&csv(&refs));
    assert_problem(
        &err,
        &path,
        "line 122",
        "Close",
        "cannot parse \"1.5x\" as a number",
    );
}

#[test]
fn missing_price() {
    let (_dir, path, err) = csv_error(&csv(&[
        "2010-01-04,1,2,0.5,1.5,10",
        "2010-01-05,1,,0.5,1.5,10",
    ]));
    assert_problem(&err, &path, "line 3", "High", "missing value");
}

#[test]
fn nan_and_infinite_prices() {
    let (_dir, path, err) = csv_error(&csv(&["2010-01-04,NaN,2,0.5,1.5,10"]));
    assert_problem(&err, &path, "line 2", "Open", "NaN");
    let (_dir, path, err) = csv_error(&csv(&[
        "2010-01-04,1,2,0.5,1.5,10",
        "2010-01-05,1,inf,0.5,1.5,10",
    ]));
    assert_problem(&err, &path, "line 3", "High", "infinite");
}

#[test]
fn zero_and_negative_prices() {
    let (_dir, path, err) = csv_error(&csv(&["2010-01-04,1,2,0,1.5,10"]));
    assert_problem(&err, &path, "line 2", "Low", "found 0");
    let (_dir, path, err) = csv_error(&csv(&[
        "2010-01-04,1,2,0.5,1.5,10",
        "2010-01-05,1,2,0.5,-1.5,10",
    ]));
    assert_problem(&err, &path, "line 3", "Close", "found -1.5");
}

#[test]
fn negative_volume() {
    let (_dir, path, err) = csv_error(&csv(&[
        "2010-01-04,1,2,0.5,1.5,10",
        "2010-01-05,1,2,0.5,1.5,-3",
    ]));
    assert_problem(&err, &path, "line 3", "Volume", "volume is negative (-3)");
}

#[test]
fn high_below_low() {
    let (_dir, path, err) = csv_error(&csv(&["2010-01-04,1,0.4,0.5,1.5,10"]));
    assert_problem(&err, &path, "line 2", "High", "high 0.4 is below low 0.5");
}

#[test]
fn high_below_close_and_low_above_open() {
    let (_dir, path, err) = csv_error(&csv(&["2010-01-04,1,2,0.5,2.5,10"]));
    assert_problem(&err, &path, "line 2", "High", "high 2 is below close 2.5");
    let (_dir, path, err) = csv_error(&csv(&[
        "2010-01-04,1,2,0.5,1.5,10",
        "2010-01-05,1,2,1.2,1.5,10",
    ]));
    assert_problem(&err, &path, "line 3", "Low", "low 1.2 is above open 1");
}

#[test]
fn duplicate_timestamp_names_both_lines() {
    let (_dir, path, err) = csv_error(&csv(&[
        "2010-01-04,1,2,0.5,1.5,10",
        "2010-01-05,1,2,0.5,1.5,10",
        "2010-01-05,1,2,0.5,1.5,10",
    ]));
    assert_problem(
        &err,
        &path,
        "line 4",
        "Date",
        "duplicate timestamp 2010-01-05 (also on line 3)",
    );
}

#[test]
fn out_of_order_timestamp_names_both_lines() {
    let (_dir, path, err) = csv_error(&csv(&[
        "2010-01-05,1,2,0.5,1.5,10",
        "2010-01-04,1,2,0.5,1.5,10",
    ]));
    assert_problem(
        &err,
        &path,
        "line 3",
        "Date",
        "out of order: earlier than 2010-01-05 on line 2",
    );
}

#[test]
fn long_file_reports_lines_of_the_original_file() {
    let (_dir, path) = temp_file(
        "long.csv",
        "Date,Symbol,Open,High,Low,Close\n\
         2010-01-04,AAA,1,2,0.5,1.5\n\
         2010-01-04,BBB,1,2,0.5,1.5\n\
         2010-01-05,AAA,1,2,0.5,1.5\n\
         2010-01-05,BBB,1,2,0.5,-1\n",
    );
    let opts = |s: &str| LoadOptions {
        symbol: Some(s.into()),
        ..LoadOptions::default()
    };
    assert_eq!(load_bars(&path, &opts("AAA")).map(|b| b.len()), Ok(2));
    let err = load_bars(&path, &opts("BBB")).expect_err("BBB has a bad close");
    assert_problem(&err, &path, "line 5", "Close", "found -1");
}

#[test]
fn missing_symbol_value() {
    let (_dir, path, err) = csv_error(
        "Date,Symbol,Open,High,Low,Close\n2010-01-04,AAA,1,2,0.5,1.5\n2010-01-05,,1,2,0.5,1.5\n",
    );
    assert_problem(&err, &path, "line 3", "Symbol", "missing value");
}

#[test]
fn parquet_problems_are_located_by_row() {
    let mut bars = load(&fixture("lower.csv"));
    bars.close[2] = -1.0;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.parquet");
    let days: Vec<i32> = bars.time.iter().map(|t| (t / DAY) as i32).collect();
    let time = Int32Chunked::from_vec("date".into(), days)
        .into_date()
        .into_column();
    write_parquet(&path, time, &bars);
    let err = load_bars(&path, &LoadOptions::default()).expect_err("negative close");
    assert_problem(&err, &path, "row 3", "Close", "found -1");
}

// ---- inspection ----

#[test]
fn inspect_goog() {
    let report = inspect(&goog()).expect("GOOG is readable");
    assert_eq!(report.rows, 2148);
    assert_eq!(report.columns[0], (String::new(), "str".to_string()));
    assert_eq!(report.columns[5], ("Volume".to_string(), "i64".to_string()));
    assert_eq!(
        (report.first, report.last),
        (Some(ts("2004-08-19")), Some(ts("2013-03-01")))
    );
    assert_eq!(report.spacing, Some(DAY));
    assert_eq!(report.gap_count, 2);
    assert_eq!(report.largest_gaps[0].start, ts("2006-12-29"));
    assert_eq!(report.largest_gaps[1].end, ts("2012-10-31"));
    assert_eq!(report.problem_count, 0);
    let text = report.to_string();
    assert!(text.contains("2004-08-19 to 2013-03-01"), "{text}");
    assert!(text.contains("problems: none"), "{text}");
}

#[test]
fn inspect_collects_every_problem() {
    let (_dir, path) = temp_file(
        "many.csv",
        &csv(&[
            "2010-01-04,1,2,0.5,1.5,10",
            "2010-01-05,1,2,0.5,abc,10",
            "2010-01-05,1,2,0.5,1.5,10",
            "2010-01-07,1,0.1,0.5,1.5,-1",
        ]),
    );
    let report = inspect(&path).expect("readable");
    let found: Vec<(Option<&str>, Option<&str>)> = report
        .problems
        .iter()
        .map(|p| (p.location.as_deref(), p.column.as_deref()))
        .collect();
    assert_eq!(
        found,
        vec![
            (Some("line 3"), Some("Close")),
            (Some("line 4"), Some("Date")),
            (Some("line 5"), Some("High")),
            (Some("line 5"), Some("Volume")),
        ]
    );
    assert_eq!(report.problem_count, 4);
    assert!(report.to_string().contains("problems: 4"));
}

#[test]
fn inspect_reports_a_missing_column_as_a_problem() {
    let (_dir, path) = temp_file(
        "noclose.csv",
        "date,open,high,low\n2010-01-04,1,2,0.5\n2010-01-05,1,2,0.5\n",
    );
    let report = inspect(&path).expect("readable without close");
    assert_eq!(report.problem_count, 1);
    assert_eq!(report.problems[0].column.as_deref(), Some("Close"));
    assert_eq!(report.last, Some(ts("2010-01-05")));
}

#[test]
fn inspect_caps_the_list_but_counts_all() {
    let lines: Vec<String> = (1..=30)
        .map(|d| format!("2010-01-{d:02},1,2,0.5,-1,10"))
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (_dir, path) = temp_file("neg.csv", &csv(&refs));
    let report = inspect(&path).expect("readable");
    assert_eq!((report.problems.len(), report.problem_count), (20, 30));
    assert!(report
        .to_string()
        .contains("problems: 30 (first 20 listed)"));
}

#[test]
fn inspect_fails_only_for_unreadable_files() {
    assert!(inspect(&fixture("no_such_file.csv")).is_err());
    let (_dir, path) = temp_file("x.csv", "a,b\n1,2\n");
    assert!(inspect(&path).is_err(), "no time column");
}

#[test]
fn gap_rule() {
    let hour = DAY / 24;
    assert!(
        !is_gap(ts("2012-10-26"), ts("2012-10-30"), DAY),
        "Friday to Tuesday"
    );
    assert!(
        is_gap(ts("2012-10-26"), ts("2012-10-31"), DAY),
        "Friday to Wednesday"
    );
    assert!(
        !is_gap(ts("2010-01-04 16:00"), ts("2010-01-05 09:30"), hour / 60),
        "overnight"
    );
    assert!(
        is_gap(ts("2010-01-04 10:00"), ts("2010-01-04 10:06"), hour / 60),
        "6 missing minutes"
    );
    assert!(
        !is_gap(ts("2010-01-03"), ts("2010-01-10"), 7 * DAY),
        "weekly"
    );
    assert!(
        is_gap(ts("2010-01-03"), ts("2010-01-17"), 7 * DAY),
        "a missing week"
    );
}

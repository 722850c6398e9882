//! The `tradeorch` binary end to end: reports, determinism, and bad input.

mod common;

use std::fs;
use std::path::Path;
use std::process::Output;

use common::{rel_diff, repo_path, snapshot, tradeorch};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn default_backtest_writes_the_report_and_matches_backtesting_py() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tradeorch(&["backtest"], tmp.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Return [%]") && stdout.contains("462.63519"), "{stdout}");
    let dir = tmp.path().join("reports/sma_cross-GOOG");
    for f in ["stats.json", "trades.csv", "equity.csv", "config.toml"] {
        assert!(dir.join(f).is_file(), "{f} written");
    }
    let stats: serde_json::Value = serde_json::from_slice(&fs::read(dir.join("stats.json")).unwrap()).unwrap();
    let reference: serde_json::Value = serde_json::from_slice(
        &fs::read(repo_path("tests/fixtures/backtesting_py/readme_sma_cross.json")).unwrap(),
    )
    .unwrap();
    for (key, label) in [("return_pct", "Return [%]"), ("sharpe_ratio", "Sharpe Ratio"), ("sqn", "SQN")] {
        let (a, b) = (stats[key].as_f64().unwrap(), reference["stats"][label].as_f64().unwrap());
        assert!(rel_diff(a, b) < 1e-9, "{key}: {a} vs {b}");
    }
    assert_eq!(stats["trades"], 93);
    // 93 closed trades plus the one left open (finalize_trades is off in this preset).
    let trades = fs::read_to_string(dir.join("trades.csv")).unwrap();
    assert_eq!(trades.lines().count(), 1 + 94);
    assert_eq!(trades.lines().filter(|l| l.ends_with(",open")).count(), 1);
}

#[test]
fn same_inputs_give_byte_identical_reports_and_config_repeats_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |out: &str, strategy: &str| {
        let o = tradeorch(&["backtest", "--strategy", strategy, "--out", out, "--json"], tmp.path());
        assert!(o.status.success(), "{}", stderr(&o));
        snapshot(&tmp.path().join(out))
    };
    // Same folder name in different places: the report names its folder.
    let a = run("a/run", "sma_cross");
    let b = run("b/run", "sma_cross");
    assert!(a.iter().any(|(p, _)| p.ends_with("report.html")) && a.iter().any(|(p, _)| p.ends_with("equity.png")));
    assert_eq!(a, b);
    let repeated = run("c/run", "a/run/config.toml");
    assert_eq!(a, repeated, "re-running config.toml reproduces the run");
}

#[test]
fn json_flag_prints_the_statistics() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tradeorch(&["backtest", "--json", "--out", "r"], tmp.path());
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(stats["trades"], 93);
}

#[test]
fn flags_override_the_strategy_execution() {
    let tmp = tempfile::tempdir().unwrap();
    let data = repo_path("data/GOOG.csv");
    let out = tradeorch(
        &[
            "backtest", "--data", data.to_str().unwrap(), "--from", "2006-01-01", "--to", "2010-12-31",
            "--cash", "50000", "--commission", "0", "--fill", "close", "--json", "--out", "r",
        ],
        tmp.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["start"], "2006-01-03 00:00:00");
    assert_eq!(stats["end"], "2010-12-31 00:00:00");
    assert_eq!(stats["commissions"], 0.0);
    let config = fs::read_to_string(tmp.path().join("r/config.toml")).unwrap();
    assert!(config.contains("cash = 50000.0") && config.contains("fill = \"close\""), "{config}");
}

/// Runs a backtest on `csv` and checks it fails with exit code 2, a one-line error that
/// contains every `expected` part, and no report folder.
fn assert_bad_data(csv: &str, expected: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.csv");
    fs::write(&file, csv).unwrap();
    assert_bad_run(tmp.path(), &["--data", "bad.csv"], expected);
}

fn assert_bad_run(dir: &Path, args: &[&str], expected: &[&str]) {
    let mut all = vec!["backtest", "--out", "reports/run"];
    all.extend_from_slice(args);
    let out = tradeorch(&all, dir);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "exit code for {expected:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    for part in expected {
        assert!(err.contains(part), "error {err:?} should contain {part:?}");
    }
    let reports = dir.join("reports");
    let left: Vec<_> = fs::read_dir(&reports).map(|d| d.map(|e| e.unwrap().path()).collect()).unwrap_or_default();
    assert!(left.is_empty(), "nothing left behind: {left:?}");
}

const HEADER: &str = ",Open,High,Low,Close,Volume\n";

fn rows(body: &str) -> String {
    let mut s = HEADER.to_string();
    // Enough good rows for the default strategy's 20-bar SMA, then the body.
    for d in 1..=9 {
        s += &format!("2020-01-0{d},10,11,9,10,100\n");
    }
    s + body
}

#[test]
fn missing_data_file() {
    let tmp = tempfile::tempdir().unwrap();
    assert_bad_run(tmp.path(), &["--data", "nope.csv"], &["nope.csv"]);
}

#[test]
fn empty_data_file() {
    assert_bad_data("", &["bad.csv"]);
    assert_bad_data(HEADER, &["bad.csv"]);
}

#[test]
fn misspelled_column() {
    let csv = rows("").replace("Close", "Clsoe");
    assert_bad_data(&csv, &["bad.csv", "Close", "Clsoe"]);
}

#[test]
fn unparsable_date() {
    assert_bad_data(&rows("2020-01-3x,10,11,9,10,100\n"), &["bad.csv", "line 11", "2020-01-3x"]);
}

#[test]
fn unparsable_number() {
    assert_bad_data(&rows("2020-01-10,10,11,9,abc,100\n"), &["bad.csv", "line 11", "Close", "abc"]);
}

#[test]
fn nan_zero_and_negative_prices() {
    assert_bad_data(&rows("2020-01-10,10,11,9,NaN,100\n"), &["bad.csv", "line 11", "Close"]);
    assert_bad_data(&rows("2020-01-10,0,11,9,10,100\n"), &["bad.csv", "line 11", "Open"]);
    assert_bad_data(&rows("2020-01-10,10,11,-9,10,100\n"), &["bad.csv", "line 11", "Low"]);
}

#[test]
fn high_below_low() {
    assert_bad_data(&rows("2020-01-10,10,8,9,10,100\n"), &["bad.csv", "line 11", "High"]);
}

#[test]
fn unsorted_and_duplicate_timestamps() {
    assert_bad_data(&rows("2020-01-05,10,11,9,10,100\n"), &["bad.csv", "line 11"]);
    assert_bad_data(&rows("2020-01-09,10,11,9,10,100\n"), &["bad.csv", "line 11", "duplicate"]);
}

#[test]
fn strategy_with_unknown_key_or_wrong_type() {
    let tmp = tempfile::tempdir().unwrap();
    let good = fs::read_to_string(repo_path("strategies/sma_cross.toml")).unwrap();
    fs::write(tmp.path().join("typo.toml"), good.replace("exclusive_orders", "exclusive_order")).unwrap();
    assert_bad_run(tmp.path(), &["--strategy", "typo.toml"], &["typo.toml", "line 26", "exclusive_order"]);
    fs::write(tmp.path().join("type.toml"), good.replace("commission = 0.002", "commission = \"high\"")).unwrap();
    assert_bad_run(tmp.path(), &["--strategy", "type.toml"], &["type.toml", "line 25", "key commission"]);
    fs::write(tmp.path().join("param.toml"), good.replace("period = \"slow\"", "period = \"slowest\"")).unwrap();
    assert_bad_run(tmp.path(), &["--strategy", "param.toml"], &["param.toml", "stages[1].period", "slowest"]);
}

#[test]
fn bad_flag_values() {
    let tmp = tempfile::tempdir().unwrap();
    assert_bad_run(tmp.path(), &["--from", "yesterday"], &["--from", "yesterday"]);
    assert_bad_run(tmp.path(), &["--cash=-5"], &["cash"]);
    assert_bad_run(tmp.path(), &["--from", "2030-01-01"], &["embedded:GOOG.csv"]);
}

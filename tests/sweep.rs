//! `tradeorch sweep`: rows equal `backtest`, identical files on a rerun, shared stages,
//! overfitting statistics from block sums equal to those from whole return series, and a
//! clean partial result on Ctrl-C.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;

use common::{goog, snapshot, tradeorch};
use tradeorch::commands::{self, load_strategy, SearchOptions, SweepOptions};
use tradeorch::engine::ExecutionSpec;
use tradeorch::metrics::overfitting::{
    deflated_sharpe_ratio, probability_of_backtest_overfitting, sample_moments,
};
use tradeorch::metrics::NUMBER_NAMES;
use tradeorch::optimize::sweep::bar_returns;
use tradeorch::optimize::{sweep, Grid, ParamRange, Runner, SweepResult, SweepSettings};
use tradeorch::orchestrator;

fn search() -> SearchOptions {
    SearchOptions {
        params: vec!["fast=5..15:2".into(), "slow=10..40:5".into()],
        constraint: Some("fast < slow".into()),
        overrides: ExecutionSpec {
            commission: Some(0.002),
            ..Default::default()
        },
        ..SearchOptions::default()
    }
}

fn options(out: &Path) -> SweepOptions {
    SweepOptions {
        search: search(),
        pbo_splits: Some(8),
        out: Some(out.to_path_buf()),
        ..SweepOptions::default()
    }
}

/// The CSV rows as (params, start, end, numbers).
fn read_results(dir: &Path, params: usize) -> Vec<(Vec<f64>, String, String, Vec<f64>)> {
    let mut reader = csv::Reader::from_path(dir.join("results.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.len(), params + 2 + NUMBER_NAMES.len());
    assert_eq!(&headers[params + 2], NUMBER_NAMES[0]);
    let number = |s: &str| {
        if s.is_empty() {
            f64::NAN
        } else {
            s.parse::<f64>().unwrap()
        }
    };
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let p = (0..params).map(|k| number(&r[k])).collect();
            let n = (params + 2..r.len()).map(|k| number(&r[k])).collect();
            (p, r[params].to_string(), r[params + 1].to_string(), n)
        })
        .collect()
}

fn read_parquet(path: &Path) -> polars::prelude::DataFrame {
    use polars::prelude::*;
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

#[test]
fn every_row_equals_the_backtest_of_its_parameters() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    let outcome = commands::sweep(&options(&out), &AtomicBool::new(false)).unwrap();
    assert!(!outcome.partial);
    let rows = read_results(&out, 2);
    // fast 5,7,…,15 × slow 10,15,…,40 with fast < slow.
    let expected: usize = [5.0, 7.0, 9.0, 11.0, 13.0, 15.0]
        .iter()
        .map(|f| (0..7).filter(|k| f < &(10.0 + 5.0 * *k as f64)).count())
        .sum();
    assert_eq!(rows.len(), expected);
    assert_eq!(outcome.result.total, expected);

    let strategy = load_strategy("sma_cross").unwrap();
    let exec = strategy
        .execution(&ExecutionSpec {
            commission: Some(0.002),
            ..Default::default()
        })
        .unwrap();
    let bars = goog();
    for (params, start, end, numbers) in &rows {
        let s = strategy
            .with_params(&[("fast".into(), params[0]), ("slow".into(), params[1])])
            .unwrap();
        let stats = orchestrator::backtest(&s, &bars, &exec, false)
            .unwrap()
            .stats;
        assert_eq!((start, end), (&stats.start, &stats.end));
        for ((name, want), got) in stats.numbers().iter().zip(numbers) {
            assert!(
                same(*want, *got),
                "{params:?} {name}: backtest {want}, sweep {got}"
            );
        }
    }
    // The Parquet file holds the same numbers.
    let frame = read_parquet(&out.join("results.parquet"));
    assert_eq!(frame.height(), rows.len());
    let sharpe = frame
        .column("sharpe_ratio")
        .unwrap()
        .f64()
        .unwrap()
        .to_vec();
    let k = NUMBER_NAMES
        .iter()
        .position(|n| *n == "sharpe_ratio")
        .unwrap();
    for (row, v) in rows.iter().zip(sharpe) {
        assert!(same(row.3[k], v.unwrap_or(f64::NAN)));
    }
}

#[test]
fn rows_equal_backtests_for_a_strategy_with_a_risk_stage_and_policy_parameters() {
    // rsi_mean_reversion: a stop-loss (so every bar goes through the risk stage) and
    // parameters used by the policy's expressions rather than by a stage.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("rsi");
    let search = SearchOptions {
        strategy: Some("rsi_mean_reversion".into()),
        params: vec![
            "period=7..21:7".into(),
            "oversold=25,30".into(),
            "recovered=50..60:5".into(),
        ],
        ..SearchOptions::default()
    };
    commands::sweep(
        &SweepOptions {
            search,
            out: Some(out.clone()),
            ..SweepOptions::default()
        },
        &AtomicBool::new(false),
    )
    .unwrap();
    let rows = read_results(&out, 3);
    assert_eq!(rows.len(), 18);
    let strategy = load_strategy("rsi_mean_reversion").unwrap();
    let exec = strategy.execution(&ExecutionSpec::default()).unwrap();
    let bars = goog();
    for (params, _, _, numbers) in &rows {
        let names = ["period", "oversold", "recovered"].map(String::from);
        let values: Vec<(String, f64)> = names.into_iter().zip(params.iter().copied()).collect();
        let stats =
            orchestrator::backtest(&strategy.with_params(&values).unwrap(), &bars, &exec, true)
                .unwrap()
                .stats;
        for ((name, want), got) in stats.numbers().iter().zip(numbers) {
            assert!(
                same(*want, *got),
                "{params:?} {name}: backtest {want}, sweep {got}"
            );
        }
    }
}

#[test]
fn a_row_equals_the_backtest_command_of_a_strategy_file_with_those_parameters() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    commands::sweep(&options(&out), &AtomicBool::new(false)).unwrap();
    let row = read_results(&out, 2)
        .into_iter()
        .find(|r| r.0 == [9.0, 25.0])
        .expect("fast=9, slow=25 ran");
    let text = std::fs::read_to_string(common::repo_path("strategies/sma_cross.toml")).unwrap();
    let text = text
        .replace("fast = 10", "fast = 9")
        .replace("slow = 20", "slow = 25");
    std::fs::write(tmp.path().join("s.toml"), text).unwrap();
    let done = tradeorch(
        &[
            "backtest",
            "--strategy",
            "s.toml",
            "--commission",
            "0.002",
            "--json",
            "--out",
            "run",
        ],
        tmp.path(),
    );
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let stats: serde_json::Value = serde_json::from_slice(&done.stdout).unwrap();
    for (name, got) in NUMBER_NAMES.iter().zip(&row.3) {
        let want = stats[name].as_f64().unwrap_or(f64::NAN);
        assert!(same(want, *got), "{name}: backtest {want}, sweep {got}");
    }
}

#[test]
fn the_same_sweep_writes_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |name: &str, samples: Option<usize>, seed: u64| {
        let out = tmp.path().join(name);
        let opts = SweepOptions {
            search: SearchOptions {
                samples,
                seed,
                ..search()
            },
            ..options(&out)
        };
        commands::sweep(&opts, &AtomicBool::new(false)).unwrap();
        snapshot(&out)
    };
    let grid = run("a", None, 0);
    let names: Vec<String> = grid.iter().map(|(p, _)| p.display().to_string()).collect();
    for file in [
        "results.csv",
        "results.parquet",
        "summary.json",
        "report.html",
        "charts/param_heatmap.png",
        "charts/param_heatmap.svg",
    ] {
        assert!(
            names.contains(&file.to_string()),
            "{file} missing: {names:?}"
        );
    }
    assert!(grid == run("b", None, 0), "grid sweeps differ");
    let random = run("c", Some(10), 42);
    assert!(
        random == run("d", Some(10), 42),
        "random sweeps with one seed differ"
    );
    assert!(
        random != run("e", Some(10), 43),
        "another seed draws the same sample"
    );
    let rows = read_results(&tmp.path().join("c"), 2);
    assert_eq!(rows.len(), 10);
}

/// Runs `sma_cross` over `fast` × `slow` (with `constraint`) on GOOG; hands the runner, the
/// combinations and the result to `check`.
fn sweep_sma(
    fast: &str,
    slow: &str,
    constraint: Option<&str>,
    settings: SweepSettings,
    check: impl FnOnce(&Runner, &[Vec<f64>], SweepResult),
) {
    let strategy = load_strategy("sma_cross").unwrap();
    let exec = strategy.execution(&ExecutionSpec::default()).unwrap();
    let bars = goog();
    let ranges = vec![
        ParamRange::parse(fast).unwrap(),
        ParamRange::parse(slow).unwrap(),
    ];
    let grid = Grid::new(ranges, constraint, &strategy.file.params).unwrap();
    let combos = grid.combinations();
    let values: Vec<Vec<f64>> = grid.params.iter().map(|p| p.values.clone()).collect();
    let runner = Runner::new(
        &strategy,
        exec,
        &bars,
        0..bars.len(),
        &values,
        &grid.names(),
    );
    let result = sweep(
        &runner,
        &combos,
        &settings,
        None,
        &AtomicBool::new(false),
        &mut |_| Ok(()),
    )
    .unwrap();
    check(&runner, &combos, result);
}

#[test]
fn stages_are_computed_once_per_distinct_parameter_value() {
    let settings = SweepSettings {
        maximize: "sharpe_ratio".into(),
        top: 5,
        pbo_splits: Some(4),
        overfitting: true,
    };
    sweep_sma(
        "fast=5..14",
        "slow=20..59",
        None,
        settings,
        |runner, _, result| {
            assert_eq!(runner.cache().shared(), [true, true]);
            assert_eq!(result.completed, 400);
            // 10 fast SMAs and 40 slow ones, not 400 of each.
            assert_eq!(runner.cache().len(), 50);
            assert!(result
                .top
                .windows(2)
                .all(|w| w[0].stats.sharpe_ratio >= w[1].stats.sharpe_ratio));
        },
    );
}

#[test]
fn overfitting_statistics_equal_those_of_the_whole_return_series() {
    let settings = SweepSettings {
        maximize: "sharpe_ratio".into(),
        top: 1,
        pbo_splits: Some(8),
        overfitting: true,
    };
    sweep_sma(
        "fast=5..20:3",
        "slow=20..60:10",
        Some("fast < slow"),
        settings,
        |runner, combos, result| {
            let o = result.overfitting.expect("several trials");
            let returns: Vec<Vec<f64>> = combos
                .iter()
                .map(|c| bar_returns(&runner.run(c).unwrap().simulation.equity))
                .collect();
            let pbo = probability_of_backtest_overfitting(&returns, 8).unwrap();
            assert_eq!(o.pbo.as_ref().unwrap().pbo, pbo.pbo);
            for (a, b) in o.pbo.as_ref().unwrap().logits.iter().zip(&pbo.logits) {
                assert!((a - b).abs() < 1e-12);
            }
            let sharpes: Vec<f64> = returns
                .iter()
                .map(|r| sample_moments(r))
                .map(|m| m.mean / m.std)
                .collect();
            let variance = sample_moments(&sharpes).std.powi(2);
            let best = result.top[0].index;
            let m = sample_moments(&returns[best]);
            let dsr = deflated_sharpe_ratio(
                m.mean / m.std,
                combos.len(),
                variance,
                returns[best].len(),
                m.skew,
                m.kurtosis,
            );
            assert!(
                (o.deflated_sharpe - dsr).abs() < 1e-12,
                "{} vs {dsr}",
                o.deflated_sharpe
            );
            assert!(o.deflated_sharpe > 0.0 && o.deflated_sharpe < 1.0);
        },
    );
}

#[test]
fn bad_sweep_input_is_named_and_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 10] = [
        (&["--param", "fast=5..x"], "--param"),
        (
            &["--param", "speed=1..3"],
            "not a parameter of the strategy",
        ),
        (
            &[
                "--param",
                "fast=5..9",
                "--param",
                "slow=10..12",
                "--constraint",
                "fast < slo",
            ],
            "unknown parameter \"slo\"",
        ),
        (
            &["--param", "fast=5..9", "--constraint", "fast > 100"],
            "no combination satisfies",
        ),
        (
            &["--param", "fast=5..9", "--maximize", "happiness"],
            "--maximize",
        ),
        (&["--param", "fast=0..3"], "fast=0"),
        (
            &[
                "--param",
                "fast=5..9",
                "--param",
                "slow=20..22",
                "--heatmap",
                "fast,fast",
            ],
            "--heatmap",
        ),
        (
            &["--param", "fast=5..9", "--heatmap", "fast,speed"],
            "not a swept parameter",
        ),
        (&["--param", "fast=5..9", "--pbo-splits", "22"], "from 2 to 20"),
        (&["--param", "fast=5..9", "--pbo-splits", "3"], "from 2 to 20"),
    ];
    for (args, needle) in cases {
        let mut all = vec!["sweep", "--out", "s", "-q"];
        all.extend_from_slice(args);
        let out = tradeorch(&all, tmp.path());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(!tmp.path().join("s").exists(), "{args:?} left a report");
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            0,
            "{args:?} left files"
        );
    }
}

/// Starts a sweep of about 319,000 combinations writing to `dir/s` (several seconds, far
/// longer than the 1.2 s it is given), lets it run for 1.2 s, then runs the shell command
/// `signals` with `{pid}` replaced by its process id; returns the sweep's exit status and
/// how long it took to exit after that.
#[cfg(unix)]
fn interrupt_large_sweep(
    dir: &Path,
    signals: &str,
) -> (std::process::ExitStatus, std::time::Duration) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tradeorch"))
        .args([
            "sweep",
            "-q",
            "--out",
            "s",
            "--param",
            "fast=2..400",
            "--param",
            "slow=3..1000",
            "--constraint",
            "fast < slow",
            "--pbo-splits",
            "4",
        ])
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1200));
    let sent = Command::new("sh")
        .args(["-c", &signals.replace("{pid}", &child.id().to_string())])
        .status()
        .unwrap();
    assert!(sent.success());
    let started = std::time::Instant::now();
    let status = child.wait().unwrap();
    (status, started.elapsed())
}

#[cfg(unix)]
#[test]
fn ctrl_c_leaves_a_complete_partial_result() {
    let tmp = tempfile::tempdir().unwrap();
    let (status, exiting) = interrupt_large_sweep(tmp.path(), "kill -INT {pid}");
    assert!(exiting < std::time::Duration::from_secs(30));
    assert_eq!(
        status.code(),
        Some(130),
        "an interrupted sweep exits with 130"
    );
    let dir = tmp.path().join("s");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers,
        [std::ffi::OsString::from("s")],
        "only the report folder remains"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["partial"], true);
    let completed = summary["completed"].as_u64().unwrap() as usize;
    assert!(completed > 0 && completed < summary["combinations"].as_u64().unwrap() as usize);
    assert!(std::fs::read_to_string(dir.join("PARTIAL.txt"))
        .unwrap()
        .contains("interrupted"));
    assert_eq!(read_results(&dir, 2).len(), completed);
    let frame = read_parquet(&dir.join("results.parquet"));
    assert_eq!(frame.height(), completed);
    assert!(std::fs::read_to_string(dir.join("report.html"))
        .unwrap()
        .contains("Partial"));
}

#[test]
fn a_sweep_stopped_before_any_chunk_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    let err = commands::sweep(&options(&out), &AtomicBool::new(true)).unwrap_err();
    assert!(matches!(err, tradeorch::Error::Interrupted));
    assert_eq!(err.exit_code(), 130);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[cfg(unix)]
#[test]
fn a_second_ctrl_c_quits_at_once_and_leaves_nothing_half_written() {
    // The second press lands while the last chunk runs, while files are written, or after the
    // folder is in place: either nothing or the complete partial folder remains.
    for gap in ["0.01", "0.06", "0.12", "0.2"] {
        let tmp = tempfile::tempdir().unwrap();
        let (status, _) = interrupt_large_sweep(
            tmp.path(),
            &format!("kill -INT {{pid}}; sleep {gap}; kill -INT {{pid}} 2>/dev/null; true"),
        );
        assert_eq!(status.code(), Some(130));
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(
            left.is_empty() || left == ["s"],
            "second Ctrl-C after {gap} s left behind: {left:?}"
        );
        if !left.is_empty() {
            let summary: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(tmp.path().join("s/summary.json")).unwrap(),
            )
            .unwrap();
            assert_eq!(summary["partial"], true);
            assert!(tmp.path().join("s/report.html").exists());
        }
    }
}
